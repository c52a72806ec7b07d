"""Signed registration tokens: a CWT signed as COSE_Sign1 with ES256, in base64url after ``BP1.``.

The token is what a certificate's QR code carries, in the manner of the EU Digital
COVID Certificate, so that anyone holding the public keys can check the paper with
no network. Its layers, outside in:

- ``BP1.``: the prefix and format version;
- base64url without padding (RFC 4648, section 5): the only characters are
  ``A-Z a-z 0-9 - _``, which a URL carries as they are;
- a COSE_Sign1 (CBOR tag 18, RFC 9052) with ES256, the key id (``kid``, 8 bytes)
  in the protected header;
- its payload, a CWT claims map (RFC 8392): ``iss`` (1) the jurisdiction that issued
  the registration and where it is valid, ``iat`` (6) the signing moment, ``nbf``
  (5) and ``exp`` (4) the first and the end of the last valid day at local midnight
  in that jurisdiction's time zone, and under the private claim -65537 a map
  ``{"n": number, "p": plate, "i": plate issuer, "vf": valid from, "vu": valid until}``
  with ISO dates.

Unlike the DCC the token is not zlib-compressed: the claims are too small to gain
(a 179-byte COSE_Sign1 deflates to 186 bytes), and deflate ignores the padding bits
of its last byte, so some one-character changes near the end of a compressed token
would decode to the same bytes and pass. Uncompressed, every change is refused.

The signing moment and the verification moment are arguments: nothing here reads
the clock.

>>> import datetime as dt
>>> key = SigningKey.generate()
>>> claims = RegistrationClaims("K7QM-4TXR-M", "NP 123-AB", "RS", "XK", dt.date(2021, 9, 27), dt.date(2021, 11, 25))
>>> token = sign_registration(claims, key, dt.datetime(2021, 9, 27, 8, 14, tzinfo=dt.UTC))
>>> url = verification_url("https://borderplates.example.org", claims.number, token)
>>> url.startswith("https://borderplates.example.org/verify/K7QM-4TXR-M?t=BP1.")
True
>>> verify(url, KeySet([key.public]), dt.datetime(2021, 10, 1, tzinfo=dt.UTC)).claims == claims
True
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from typing import Any, TypeGuard
from urllib.parse import parse_qs, quote, unquote, urlsplit
from zoneinfo import ZoneInfo

import cbor2
import cwt

from borderplates import reference
from borderplates.errors import ValidationError
from borderplates.tokens.errors import InvalidToken, Problem
from borderplates.tokens.keys import KID_LENGTH, KeySet, SigningKey, b64url, from_b64url

VERSION = 1
PREFIX = f"BP{VERSION}."
#: The longest text ``verify`` reads; a token is about 250 characters, its URL about 300.
MAX_TEXT_LENGTH = 2000
#: The private-use CWT claim (RFC 8392, section 9.1: keys below -65536) holding the registration.
REGISTRATION_CLAIM = -65537
_ISS, _EXP, _NBF, _IAT = 1, 4, 5, 6
_ALG, _KID, _ES256 = 1, 4, -7
_COSE_SIGN1_TAG = 18
_SIGNATURE_LENGTH = 64
_COSE = cwt.COSE.new()
_VERIFY_PATH = re.compile(r"/verify/([^/]+)/?\Z")
_OTHER_VERSION = re.compile(r"BP(\d+)\.")


@dataclass(frozen=True, slots=True)
class RegistrationClaims:
    """What a token says about a temporary registration (field names as in the registry)."""

    number: str
    plate: str
    issuer: str
    jurisdiction: str
    valid_from: dt.date
    valid_until: dt.date


@dataclass(frozen=True, slots=True)
class VerifiedToken:
    """The claims of a token whose signature a trusted key confirmed, with the signing facts."""

    claims: RegistrationClaims
    key_id: str
    issued_at: dt.datetime
    not_before: dt.datetime
    expires_at: dt.datetime

    def as_json(self) -> dict[str, Any]:
        claims = self.claims
        return {
            "number": claims.number,
            "plate": claims.plate,
            "issuer": claims.issuer,
            "jurisdiction": claims.jurisdiction,
            "valid_from": claims.valid_from.isoformat(),
            "valid_until": claims.valid_until.isoformat(),
            "issued_at": self.issued_at.isoformat(),
            "key_id": self.key_id,
        }


def sign_registration(claims: RegistrationClaims, key: SigningKey, now: dt.datetime) -> str:
    """The token for ``claims``, signed with ``key`` at ``now``; valid through ``valid_until`` in the jurisdiction."""
    _require_aware(now)
    if claims.valid_until < claims.valid_from:
        raise ValidationError(f"a registration cannot be valid until {claims.valid_until}, before it is valid from {claims.valid_from}")
    zone = ZoneInfo(reference.jurisdiction(claims.jurisdiction).timezone)
    not_before = dt.datetime.combine(claims.valid_from, dt.time(), zone)
    expires_at = dt.datetime.combine(claims.valid_until + dt.timedelta(days=1), dt.time(), zone)
    payload = {
        _ISS: claims.jurisdiction,
        _IAT: int(now.timestamp()),
        _NBF: int(not_before.timestamp()),
        _EXP: int(expires_at.timestamp()),
        REGISTRATION_CLAIM: {
            "n": claims.number,
            "p": claims.plate,
            "i": claims.issuer,
            "vf": claims.valid_from.isoformat(),
            "vu": claims.valid_until.isoformat(),
        },
    }
    signed = _COSE.encode_and_sign(cbor2.dumps(payload), key.cose, protected={_ALG: _ES256, _KID: key.kid}, unprotected={})
    return PREFIX + b64url(signed)


def verification_url(public_base_url: str, number: str, token: str) -> str:
    """The address of ``/verify/{number}`` at the public base URL, with the token as the query parameter ``t``."""
    parts = urlsplit(public_base_url.strip()) if isinstance(public_base_url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValidationError(f"the public address must be an http(s) URL without query, like https://borderplates.example.org, not {public_base_url!r}")
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}/verify/{quote(number, safe='')}?t={token}"


def verify(text: str, trusted_keys: KeySet, now: dt.datetime) -> VerifiedToken:
    """The verified claims of a scanned QR code (its URL or the bare token) at ``now``; raises ``InvalidToken``."""
    _require_aware(now)
    token, number = _token_of(text)
    verified = _verified(_decoded(token), trusted_keys)
    claims = verified.claims
    if number is not None and _compact(number) != _compact(claims.number):
        raise InvalidToken(Problem.WRONG_NUMBER, f"the address is for registration {number}, but its token is for registration {claims.number}")
    if now < verified.not_before:
        raise InvalidToken(Problem.NOT_YET_VALID, f"registration {claims.number} is not valid yet: it is valid from {claims.valid_from}", verified)
    if now >= verified.expires_at:
        raise InvalidToken(Problem.EXPIRED, f"registration {claims.number} has expired: it was valid until {claims.valid_until} (that day included)", verified)
    return verified


def _require_aware(moment: dt.datetime) -> None:
    if not isinstance(moment, dt.datetime) or moment.utcoffset() is None:
        raise ValueError("the moment must be a timezone-aware datetime")


def _compact(number: str) -> str:
    return re.sub(r"[\s-]", "", number).upper()


def _token_of(text: Any) -> tuple[str, str | None]:
    """The bare token of ``text``, and the registration number of its address when it is a URL."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidToken(Problem.MALFORMED, "there is no token: the text is empty")
    text = text.strip()
    if len(text) > MAX_TEXT_LENGTH:
        raise InvalidToken(Problem.MALFORMED, f"the text is too long for a token ({len(text)} characters; at most {MAX_TEXT_LENGTH})")
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https"):
        return text, None
    path = _VERIFY_PATH.search(parts.path)
    tokens = parse_qs(parts.query).get("t", [])
    if path is None or len(tokens) != 1:
        raise InvalidToken(Problem.MALFORMED, "the address is not a borderplates verification address (…/verify/NUMBER?t=TOKEN)")
    return tokens[0], unquote(path.group(1))


def _decoded(token: str) -> cbor2.CBORTag:
    """The COSE_Sign1 structure the token encodes, checked for shape but not yet for its signature."""
    if not token.startswith(PREFIX):
        other = _OTHER_VERSION.match(token)
        if other:
            raise InvalidToken(Problem.WRONG_PREFIX, f"the token is of format version {other.group(1)}; this borderplates reads version {VERSION} ({PREFIX})")
        raise InvalidToken(Problem.WRONG_PREFIX, f"this is not a borderplates token: a token starts with {PREFIX}")
    try:
        data = from_b64url(token[len(PREFIX) :])
    except ValueError:
        raise InvalidToken(Problem.MALFORMED, "the token is damaged: it is not valid base64url (a character was changed, added or lost)") from None
    stream = io.BytesIO(data)
    try:
        message = cbor2.CBORDecoder(stream).decode()
    except (cbor2.CBORError, ValueError, TypeError, LookupError, OverflowError, RecursionError):
        message = None
    if not _is_cose_sign1(message) or stream.tell() != len(data):
        raise InvalidToken(Problem.MALFORMED, "the token is damaged: it does not hold a signed COSE message")
    return message


def _is_cose_sign1(message: Any) -> TypeGuard[cbor2.CBORTag]:
    if not isinstance(message, cbor2.CBORTag) or message.tag != _COSE_SIGN1_TAG:
        return False
    value = message.value
    return (
        isinstance(value, list)
        and len(value) == 4
        and isinstance(value[0], bytes)
        and isinstance(value[1], dict)
        and isinstance(value[2], bytes)
        and isinstance(value[3], bytes)
        and len(value[3]) == _SIGNATURE_LENGTH
    )


def _verified(message: cbor2.CBORTag, trusted_keys: KeySet) -> VerifiedToken:
    protected_bytes = message.value[0]
    try:
        protected = cbor2.loads(protected_bytes)
    except (cbor2.CBORError, ValueError, TypeError, LookupError, OverflowError, RecursionError):
        protected = None
    if not isinstance(protected, dict) or protected.get(_ALG) != _ES256:
        raise InvalidToken(Problem.MALFORMED, "the token is damaged: its header does not say ES256")
    kid = protected.get(_KID)
    if not isinstance(kid, bytes) or len(kid) != KID_LENGTH:
        raise InvalidToken(Problem.MALFORMED, "the token is damaged: its header has no key id")
    key = trusted_keys.find(kid)
    if key is None:
        raise InvalidToken(Problem.UNKNOWN_KEY, f"the token was signed with key {b64url(kid)}, which is not among the {len(trusted_keys)} trusted keys")
    try:
        payload = _COSE.decode(message, key.cose)
    except cwt.VerifyError:
        reason = f"the signature does not match the content: the token was altered, or not signed with key {key.key_id}"
        raise InvalidToken(Problem.BAD_SIGNATURE, reason) from None
    except (cwt.CWTError, ValueError):
        raise InvalidToken(Problem.MALFORMED, "the token is damaged: its signature cannot be checked") from None
    return _claims(payload, key.key_id)


def _claims(payload: bytes, key_id: str) -> VerifiedToken:
    """The claims of a payload whose signature is good; signed but malformed content is still refused."""
    try:
        claims = cbor2.loads(payload)
        registration = claims[REGISTRATION_CLAIM]
        fields = [registration[name] for name in ("n", "p", "i", "vf", "vu")]
        moments = [claims[name] for name in (_IAT, _NBF, _EXP)]
        issuer = claims[_ISS]
        if not all(isinstance(value, str) for value in [*fields, issuer]) or not all(type(value) is int for value in moments):
            raise TypeError
        number, plate, plate_issuer, valid_from, valid_until = fields
        result = RegistrationClaims(number, plate, plate_issuer, issuer, dt.date.fromisoformat(valid_from), dt.date.fromisoformat(valid_until))
        issued_at, not_before, expires_at = (dt.datetime.fromtimestamp(value, dt.UTC) for value in moments)
    except (cbor2.CBORError, ValueError, TypeError, LookupError, OverflowError, OSError):
        raise InvalidToken(Problem.MALFORMED, "the token is signed by a trusted key but does not describe a registration") from None
    return VerifiedToken(result, key_id, issued_at, not_before, expires_at)
