"""ES256 signing keys, their key ids, and public key sets as JSON Web Key Sets.

A key is an ECDSA key on P-256, used with ES256. Its key id (``kid``) is the first
8 bytes of the SHA-256 of the public key's DER ``SubjectPublicKeyInfo``, as the EU
Digital COVID Certificate derives it from its signer certificates; people see it
in base64url (11 characters). A ``KeySet`` is the set of public keys a verifier
trusts; it is exchanged as a JSON Web Key Set (RFC 7517), which COSE libraries
read directly (``cwt.COSEKey.from_jwk``, pycose, go-cose via JOSE).

>>> key = SigningKey.generate()
>>> keys = KeySet.from_jwks(KeySet([key.public]).as_jwks())
>>> keys.find(key.kid) == key.public, len(key.key_id)
(True, 11)
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import cwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cwt.cose_key_interface import COSEKeyInterface

from borderplates.errors import ValidationError

ALGORITHM = "ES256"
KID_LENGTH = 8
_COORDINATE_LENGTH = 32
# COSE key parameters (RFC 9053): kty EC2, crv P-256, alg ES256 (-7).
_COSE_EC2, _COSE_P256, _COSE_ES256 = 2, 1, -7


def b64url(data: bytes) -> str:
    """``data`` in base64url without padding (RFC 7515, section 2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def from_b64url(text: str) -> bytes:
    """The bytes of canonical unpadded base64url ``text``; raises ``ValueError`` otherwise."""
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise ValueError("not base64url") from None
    # The decoder skips characters outside the alphabet and ignores the spare bits of the
    # last character: only an exact round trip proves that no character was changed.
    if b64url(data) != text:
        raise ValueError("not canonical base64url")
    return data


def kid_of(public_key: ec.EllipticCurvePublicKey) -> bytes:
    """The key id: the first 8 bytes of SHA-256 over the DER SubjectPublicKeyInfo."""
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).digest()[:KID_LENGTH]


def _coordinates(public_key: ec.EllipticCurvePublicKey) -> tuple[bytes, bytes]:
    numbers = public_key.public_numbers()
    return numbers.x.to_bytes(_COORDINATE_LENGTH, "big"), numbers.y.to_bytes(_COORDINATE_LENGTH, "big")


@dataclass(frozen=True, slots=True)
class PublicKey:
    """A public ES256 key with its key id; verifies tokens."""

    key: ec.EllipticCurvePublicKey = field(compare=False)
    kid: bytes
    cose: COSEKeyInterface = field(compare=False, repr=False)

    @classmethod
    def of(cls, key: ec.EllipticCurvePublicKey) -> PublicKey:
        if not isinstance(key.curve, ec.SECP256R1):
            raise ValidationError(f"an ES256 key must be on the P-256 curve, not {key.curve.name}")
        kid = kid_of(key)
        x, y = _coordinates(key)
        return cls(key, kid, cwt.COSEKey.new({1: _COSE_EC2, 2: kid, 3: _COSE_ES256, -1: _COSE_P256, -2: x, -3: y}))

    @property
    def key_id(self) -> str:
        """The key id as people see it: base64url, 11 characters."""
        return b64url(self.kid)

    def as_pem(self) -> bytes:
        return self.key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)

    def as_jwk(self) -> dict[str, str]:
        x, y = _coordinates(self.key)
        return {"kty": "EC", "crv": "P-256", "x": b64url(x), "y": b64url(y), "kid": self.key_id, "alg": ALGORITHM, "use": "sig"}

    @classmethod
    def from_pem(cls, pem: bytes) -> PublicKey:
        try:
            key = serialization.load_pem_public_key(pem)
        except ValueError:
            raise ValidationError("not a PEM public key") from None
        if not isinstance(key, ec.EllipticCurvePublicKey):
            raise ValidationError("not an elliptic-curve public key")
        return cls.of(key)

    @classmethod
    def from_jwk(cls, jwk: Any) -> PublicKey:
        """The key of one JSON Web Key; raises ``ValidationError`` unless it is a public ES256 key whose kid fits."""
        if not isinstance(jwk, Mapping):
            raise ValidationError("a key must be a JSON object")
        if "d" in jwk:
            raise ValidationError("it holds a private key; only public keys are exchanged")
        for name, expected in (("kty", "EC"), ("crv", "P-256")):
            if jwk.get(name) != expected:
                raise ValidationError(f'"{name}" must be "{expected}", not {jwk.get(name)!r}')
        for name, expected in (("alg", ALGORITHM), ("use", "sig")):
            if name in jwk and jwk[name] != expected:
                raise ValidationError(f'"{name}" must be "{expected}" when given, not {jwk[name]!r}')
        x, y = (_coordinate(jwk, name) for name in ("x", "y"))
        try:
            key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b"\x04" + x + y)
        except ValueError:
            raise ValidationError("x and y are not a point on the P-256 curve") from None
        public = cls.of(key)
        if jwk.get("kid") != public.key_id:
            raise ValidationError(f'"kid" must be {public.key_id!r} (SHA-256 of the key), not {jwk.get("kid")!r}')
        return public


def _coordinate(jwk: Mapping[str, Any], name: str) -> bytes:
    value = jwk.get(name)
    try:
        data = from_b64url(value) if isinstance(value, str) else b""
    except ValueError:
        data = b""
    if len(data) != _COORDINATE_LENGTH:
        raise ValidationError(f'"{name}" must be {_COORDINATE_LENGTH} bytes in base64url')
    return data


@dataclass(frozen=True, slots=True)
class SigningKey:
    """A private ES256 key; signs tokens. Only the key store creates and holds these."""

    key: ec.EllipticCurvePrivateKey = field(repr=False)
    public: PublicKey
    cose: COSEKeyInterface = field(repr=False)

    @classmethod
    def of(cls, key: ec.EllipticCurvePrivateKey) -> SigningKey:
        public = PublicKey.of(key.public_key())
        x, y = _coordinates(public.key)
        d = key.private_numbers().private_value.to_bytes(_COORDINATE_LENGTH, "big")
        return cls(key, public, cwt.COSEKey.new({1: _COSE_EC2, 2: public.kid, 3: _COSE_ES256, -1: _COSE_P256, -2: x, -3: y, -4: d}))

    @classmethod
    def generate(cls) -> SigningKey:
        return cls.of(ec.generate_private_key(ec.SECP256R1()))

    @property
    def kid(self) -> bytes:
        return self.public.kid

    @property
    def key_id(self) -> str:
        return self.public.key_id

    def as_pem(self) -> bytes:
        return self.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())

    @classmethod
    def from_pem(cls, pem: bytes) -> SigningKey:
        try:
            key = serialization.load_pem_private_key(pem, password=None)
        except (ValueError, TypeError):
            raise ValidationError("not an unencrypted PEM private key") from None
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise ValidationError("not an elliptic-curve private key")
        return cls.of(key)


class KeySet:
    """The public keys a verifier trusts, by key id."""

    __slots__ = ("_keys",)

    def __init__(self, keys: Iterable[PublicKey] = ()) -> None:
        self._keys = {key.kid: key for key in keys}

    def find(self, kid: bytes) -> PublicKey | None:
        return self._keys.get(kid)

    def __iter__(self) -> Iterator[PublicKey]:
        return iter(sorted(self._keys.values(), key=lambda key: key.kid))

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, kid: object) -> bool:
        return kid in self._keys

    def as_jwks(self) -> dict[str, list[dict[str, str]]]:
        """The JSON Web Key Set, keys in key-id order."""
        return {"keys": [key.as_jwk() for key in self]}

    @classmethod
    def from_jwks(cls, document: Any) -> KeySet:
        """The keys of a JSON Web Key Set; raises ``ValidationError`` naming the first bad key."""
        if not isinstance(document, Mapping) or not isinstance(document.get("keys"), list):
            raise ValidationError('a key set must be a JSON object with a "keys" list (a JSON Web Key Set)')
        keys = []
        for index, jwk in enumerate(document["keys"]):
            try:
                keys.append(PublicKey.from_jwk(jwk))
            except ValidationError as error:
                raise ValidationError(f"key set: keys[{index}]: {error.text}") from None
        return cls(keys)
