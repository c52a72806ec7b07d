"""Use cases: plain values in, plain results out, one transaction each.

The command line, the HTTP API and the web pages call these and nothing below them.
"""
