"""Key ids, public keys as JSON Web Keys, and key sets read from JSON."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from borderplates.errors import ValidationError
from borderplates.tokens import KeySet, PublicKey, SigningKey
from borderplates.tokens.keys import b64url, from_b64url

KEY = SigningKey.generate()


def test_the_key_id_is_the_first_8_bytes_of_the_sha256_of_the_public_key() -> None:
    der = KEY.key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert KEY.kid == hashlib.sha256(der).digest()[:8]
    assert KEY.key_id == b64url(KEY.kid)
    assert len(KEY.key_id) == 11


def test_a_public_key_is_published_as_an_es256_json_web_key() -> None:
    jwk = KEY.public.as_jwk()
    assert jwk.keys() == {"kty", "crv", "x", "y", "kid", "alg", "use"}
    assert (jwk["kty"], jwk["crv"], jwk["alg"], jwk["use"], jwk["kid"]) == ("EC", "P-256", "ES256", "sig", KEY.key_id)
    assert PublicKey.from_jwk(jwk) == KEY.public


def test_a_key_set_survives_json() -> None:
    keys = KeySet([SigningKey.generate().public, KEY.public])
    again = KeySet.from_jwks(json.loads(json.dumps(keys.as_jwks())))
    assert list(again) == list(keys)
    assert [key.kid for key in again] == sorted(key.kid for key in keys)
    assert KEY.kid in again and len(again) == 2


def test_a_signing_key_survives_pem_and_hides_its_secret_in_repr() -> None:
    again = SigningKey.from_pem(KEY.as_pem())
    assert again.kid == KEY.kid
    assert "PRIVATE" not in repr(KEY) and str(KEY.key.private_numbers().private_value) not in repr(KEY)


def jwk_with(**changes: Any) -> dict[str, Any]:
    jwk: dict[str, Any] = dict(KEY.public.as_jwk())
    jwk.update(changes)
    return {name: value for name, value in jwk.items() if value is not None}


@pytest.mark.parametrize(
    ("document", "words"),
    [
        ([], '"keys" list'),
        ({"keys": {}}, '"keys" list'),
        ({"keys": ["x"]}, "keys[0]: a key must be a JSON object"),
        ({"keys": [jwk_with(d=b64url(bytes(32)))]}, "private key"),
        ({"keys": [jwk_with(kty="RSA")]}, '"kty" must be "EC"'),
        ({"keys": [jwk_with(crv="P-384")]}, '"crv" must be "P-256"'),
        ({"keys": [jwk_with(alg="RS256")]}, '"alg" must be "ES256"'),
        ({"keys": [jwk_with(use="enc")]}, '"use" must be "sig"'),
        ({"keys": [jwk_with(x="AAAA")]}, '"x" must be 32 bytes'),
        ({"keys": [jwk_with(y=None)]}, '"y" must be 32 bytes'),
        ({"keys": [jwk_with(x=b64url(bytes(32)))]}, "not a point on the P-256 curve"),
        ({"keys": [KEY.public.as_jwk(), jwk_with(kid="AAAAAAAAAAA")]}, 'keys[1]: "kid" must be'),
        ({"keys": [jwk_with(kid=None)]}, '"kid" must be'),
    ],
)
def test_a_bad_key_set_is_refused_naming_the_key_and_the_problem(document: Any, words: str) -> None:
    with pytest.raises(ValidationError, match="key set") as refused:
        KeySet.from_jwks(document)
    assert words in refused.value.text


def test_only_p256_keys_are_accepted() -> None:
    with pytest.raises(ValidationError, match="P-256"):
        PublicKey.of(ec.generate_private_key(ec.SECP384R1()).public_key())


@pytest.mark.parametrize("text", ["AA=", "A", "AB", "A+B/", "AAB"])
def test_base64url_must_be_canonical(text: str) -> None:
    with pytest.raises(ValueError, match="base64url"):
        from_b64url(text)
