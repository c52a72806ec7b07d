"""Synchronisation between sites and the centre: what travels, how a site reaches its centre, and the worker that keeps at it.

:mod:`borderplates.sync.protocol` is what travels (a batch of a site's chain pushed, a
page of changes pulled, a snapshot); :mod:`borderplates.sync.client` sends it over
HTTP; :mod:`borderplates.sync.worker` runs one push-and-pull cycle after another in a
site's server, backing off while the centre does not answer. The use cases on both
ends live in :mod:`borderplates.services.sync`; what a record does to a registry is
:mod:`borderplates.registry.changes`.
"""
