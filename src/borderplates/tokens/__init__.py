"""Signed, offline-verifiable tokens for temporary registrations, and the keys that sign them.

A certificate's QR code holds the address of ``/verify/{number}`` with a token: a
CWT signed as COSE_Sign1 with ES256 (``signing``). Anyone holding the public key
set (a JSON Web Key Set, ``keys``) checks it with no network; the site's signing
key lives in its data directory and never leaves it (``store``). Nothing here reads
the clock: signing and verifying take the moment as an argument.

>>> import datetime as dt
>>> key = SigningKey.generate()
>>> claims = RegistrationClaims("K7QM-4TXR-M", "NP 123-AB", "RS", "XK", dt.date(2021, 9, 27), dt.date(2021, 11, 25))
>>> token = sign_registration(claims, key, dt.datetime(2021, 9, 27, 8, 14, tzinfo=dt.UTC))
>>> try:
...     verify(token, KeySet([key.public]), dt.datetime(2021, 11, 26, tzinfo=dt.UTC))
... except InvalidToken as refused:
...     print(refused.problem, "-", refused.reason)
expired - registration K7QM-4TXR-M has expired: it was valid until 2021-11-25 (that day included)
"""

from borderplates.tokens.errors import InvalidToken, Problem
from borderplates.tokens.keys import KeySet, PublicKey, SigningKey
from borderplates.tokens.signing import PREFIX, RegistrationClaims, VerifiedToken, sign_registration, verification_url, verify
from borderplates.tokens.store import KeyStore

__all__ = [
    "PREFIX",
    "InvalidToken",
    "KeySet",
    "KeyStore",
    "Problem",
    "PublicKey",
    "RegistrationClaims",
    "SigningKey",
    "VerifiedToken",
    "sign_registration",
    "verification_url",
    "verify",
]
