"""The key store: created on first use with private files, rotated with old keys still trusted."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

import pytest

from borderplates.errors import DataError
from borderplates.tokens import KeySet, KeyStore, Problem, RegistrationClaims, SigningKey, sign_registration, verify
from borderplates.tokens.errors import InvalidToken

CLAIMS = RegistrationClaims("K7QM-4TXR-M", "NP 123-AB", "RS", "XK", dt.date(2021, 9, 27), dt.date(2021, 11, 25))
ISSUED = dt.datetime(2021, 9, 27, 8, 14, tzinfo=dt.UTC)
DURING = dt.datetime(2021, 10, 15, tzinfo=dt.UTC)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_first_use_creates_one_key_readable_by_its_owner_only(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys")
    key = store.signing_key()
    private = tmp_path / "keys" / f"{key.kid.hex()}.private.pem"
    assert mode(private) == 0o600
    assert mode(tmp_path / "keys") == 0o700
    assert (tmp_path / "keys" / "current").read_text(encoding="ascii").strip() == key.kid.hex()
    assert store.signing_key().kid == key.kid
    assert KeyStore(tmp_path / "keys").signing_key().kid == key.kid
    assert [public.kid for public in store.key_set()] == [key.kid]


def test_the_public_key_set_holds_no_private_material(tmp_path: Path) -> None:
    store = KeyStore(tmp_path)
    key = store.signing_key()
    document = store.key_set().as_jwks()
    assert document == {"keys": [key.public.as_jwk()]}
    assert "d" not in document["keys"][0]


def test_a_store_that_only_verifies_never_creates_a_key(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys")
    assert len(store.key_set()) == 0
    assert not (tmp_path / "keys").exists()


def test_after_rotation_old_tokens_still_verify_and_new_ones_carry_the_new_key_id(tmp_path: Path) -> None:
    store = KeyStore(tmp_path)
    old = store.signing_key()
    old_token = sign_registration(CLAIMS, old, ISSUED)
    new = store.rotate()
    assert new.kid != old.kid
    assert store.signing_key().kid == new.kid
    new_token = sign_registration(CLAIMS, store.signing_key(), ISSUED)
    trusted = store.key_set()
    assert {key.kid for key in trusted} == {old.kid, new.kid}
    assert verify(old_token, trusted, DURING).key_id == old.key_id
    assert verify(new_token, trusted, DURING).key_id == new.key_id
    assert not (tmp_path / f"{old.kid.hex()}.private.pem").exists()
    assert mode(tmp_path / f"{new.kid.hex()}.private.pem") == 0o600


def test_rotating_an_empty_store_creates_its_first_key(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys")
    assert store.rotate().kid == store.signing_key().kid


def test_imported_public_keys_verify_and_are_imported_once(tmp_path: Path) -> None:
    centre = KeyStore(tmp_path / "centre")
    token = sign_registration(CLAIMS, centre.signing_key(), ISSUED)
    patrol = KeyStore(tmp_path / "patrol")
    with pytest.raises(InvalidToken) as refused:
        verify(token, patrol.key_set(), DURING)
    assert refused.value.problem is Problem.UNKNOWN_KEY
    published = KeySet.from_jwks(centre.key_set().as_jwks())
    assert [key.kid for key in patrol.import_keys(published)] == [centre.signing_key().kid]
    assert patrol.import_keys(published) == []
    assert verify(token, patrol.key_set(), DURING).claims == CLAIMS
    assert not list((tmp_path / "patrol").glob("*.private.pem"))


def test_a_private_key_open_to_others_is_refused(tmp_path: Path) -> None:
    store = KeyStore(tmp_path)
    key = store.signing_key()
    (tmp_path / f"{key.kid.hex()}.private.pem").chmod(0o644)
    with pytest.raises(DataError, match="chmod 600"):
        store.signing_key()


def test_a_missing_private_key_is_reported_not_replaced(tmp_path: Path) -> None:
    store = KeyStore(tmp_path)
    key = store.signing_key()
    (tmp_path / f"{key.kid.hex()}.private.pem").unlink()
    with pytest.raises(DataError, match="is missing"):
        store.signing_key()


def test_a_public_key_file_under_another_key_id_is_refused(tmp_path: Path) -> None:
    store = KeyStore(tmp_path)
    store.signing_key()
    (tmp_path / f"{'00' * 8}.public.pem").write_bytes(SigningKey.generate().public.as_pem())
    with pytest.raises(DataError, match="must be named"):
        store.key_set()
