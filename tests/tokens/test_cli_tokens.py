"""``borderplates verify-token`` and ``borderplates signing-keys``, run in-process.

Each test keeps its keys in its own data directory. A refused token exits with
code 1 and says why; bad options exit with code 2 and one line on stderr.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import borderplates.cli.commands  # noqa: F401  (registers the commands)
from borderplates.cli import app, main
from borderplates.tokens import KeyStore, RegistrationClaims, SigningKey, sign_registration, verification_url

CLAIMS = RegistrationClaims("K7QM-4TXR-M", "ČA 123-AB", "RS", "XK", dt.date(2021, 9, 27), dt.date(2021, 11, 25))
ISSUED = dt.datetime(2021, 9, 27, 8, 14, tzinfo=dt.UTC)
DURING = "2021-10-15T12:00:00+02:00"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BORDERPLATES_DATA_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture
def url(data_dir: Path) -> str:
    token = sign_registration(CLAIMS, KeyStore(data_dir / "keys").signing_key(), ISSUED)
    return verification_url("https://borderplates.example.org", CLAIMS.number, token)


def invoke(*args: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, json.loads(result.stdout)


def run_main(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """Run the real entry point, which turns errors into one line and an exit code."""
    monkeypatch.setattr(sys, "argv", ["borderplates", *args])
    with pytest.raises(SystemExit) as done:
        main()
    code = done.value.code
    assert isinstance(code, int)
    return code, capsys.readouterr().err


def test_a_good_token_is_accepted_with_its_claims(url: str, data_dir: Path) -> None:
    code, output = invoke("verify-token", url, "--at", DURING, "--json")
    assert code == 0
    assert output == {
        "valid": True,
        "number": "K7QM-4TXR-M",
        "plate": "ČA 123-AB",
        "issuer": "RS",
        "jurisdiction": "XK",
        "valid_from": "2021-09-27",
        "valid_until": "2021-11-25",
        "issued_at": "2021-09-27T10:14:00+02:00",
        "key_id": KeyStore(data_dir / "keys").signing_key().key_id,
    }


def test_the_bare_token_is_accepted_too(url: str) -> None:
    code, output = invoke("verify-token", url.split("?t=")[1], "--at", DURING, "--json")
    assert (code, output["valid"], output["number"]) == (0, True, "K7QM-4TXR-M")


def test_a_token_altered_in_one_character_is_refused_with_exit_code_1(url: str) -> None:
    position = len(url) - 40
    altered = url[:position] + ("B" if url[position] != "B" else "C") + url[position + 1 :]
    code, output = invoke("verify-token", altered, "--at", DURING, "--json")
    assert code == 1
    assert output["valid"] is False
    assert output["problem"] in {"bad_signature", "malformed"}
    assert output["reason"].startswith(("the signature does not match", "the token is damaged"))


def test_an_expired_token_is_refused_but_shows_what_it_says(url: str) -> None:
    code, output = invoke("verify-token", url, "--at", "2021-11-26T00:00:00+01:00", "--json")
    assert code == 1
    assert (output["valid"], output["problem"], output["plate"]) == (False, "expired", "ČA 123-AB")
    assert "valid until 2021-11-25" in output["reason"]


def test_the_human_answer_names_the_verdict_and_the_reason(url: str) -> None:
    accepted = CliRunner().invoke(app, ["verify-token", url, "--at", DURING])
    assert accepted.exit_code == 0
    assert accepted.stdout.startswith("VALID: registration K7QM-4TXR-M")
    assert "ČA 123-AB (RS)" in accepted.stdout
    refused = CliRunner().invoke(app, ["verify-token", "HC1:NCFOXN", "--at", DURING])
    assert refused.exit_code == 1
    assert refused.stdout.startswith("NOT VALID: this is not a borderplates token")


def test_keys_from_a_file_verify_on_a_machine_without_its_own(url: str, data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    code, published = invoke("signing-keys", "public", "--json")
    keys_file = tmp_path_factory.mktemp("patrol") / "keys.json"
    keys_file.write_text(json.dumps(published), encoding="utf-8")
    for path in (data_dir / "keys").iterdir():
        path.unlink()
    code, output = invoke("verify-token", url, "--keys", str(keys_file), "--at", DURING, "--json")
    assert (code, output["valid"]) == (0, True)


def test_a_token_signed_by_a_key_not_in_the_file_is_refused_as_unknown(url: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    keys_file = tmp_path_factory.mktemp("other") / "keys.json"
    keys_file.write_text(json.dumps({"keys": [SigningKey.generate().public.as_jwk()]}), encoding="utf-8")
    code, output = invoke("verify-token", url, "--keys", str(keys_file), "--at", DURING, "--json")
    assert (code, output["problem"]) == (1, "unknown_key")


def test_rotate_then_public_lists_old_and_new_keys_and_old_tokens_still_verify(url: str) -> None:
    code, first = invoke("signing-keys", "public", "--json")
    code, rotated = invoke("signing-keys", "rotate", "--json")
    assert code == 0 and rotated["trusted_keys"] == 2
    code, after = invoke("signing-keys", "public", "--json")
    assert [key["kid"] for key in first["keys"]] != [key["kid"] for key in after["keys"]]
    assert {key["kid"] for key in after["keys"]} == {first["keys"][0]["kid"], rotated["key_id"]}
    code, output = invoke("verify-token", url, "--at", DURING, "--json")
    assert (code, output["key_id"]) == (0, first["keys"][0]["kid"])


def test_import_adds_another_sites_keys_once(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    keys_file = tmp_path_factory.mktemp("centre") / "keys.json"
    other = SigningKey.generate().public
    keys_file.write_text(json.dumps({"keys": [other.as_jwk()]}), encoding="utf-8")
    assert invoke("signing-keys", "import", str(keys_file), "--json") == (0, {"added": [other.key_id], "trusted_keys": 1})
    assert invoke("signing-keys", "import", str(keys_file), "--json") == (0, {"added": [], "trusted_keys": 1})
    assert not list((data_dir / "keys").glob("*.private.pem"))


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["verify-token", "BP1.x"], "no trusted public keys"),
        (["verify-token", "BP1.x", "--keys", "/nonexistent/keys.json"], "cannot read '/nonexistent/keys.json'"),
        (["verify-token", "BP1.x", "--at", "2021-10-15"], "needs a UTC offset"),
        (["signing-keys", "public"], "no keys in"),
    ],
)
def test_bad_options_print_one_line_and_exit_with_code_2(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], args: list[str], words: str
) -> None:
    code, error = run_main(monkeypatch, capsys, *args)
    assert code == 2
    assert error.startswith("borderplates: error: ") and error.count("\n") == 1
    assert words in error


def test_a_key_file_that_is_not_a_key_set_is_a_usage_error(data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    keys_file = data_dir / "keys.json"
    keys_file.write_text('{"keys": [{"kty": "RSA"}]}', encoding="utf-8")
    code, error = run_main(monkeypatch, capsys, "verify-token", "BP1.x", "--keys", str(keys_file))
    assert code == 2
    assert f"{keys_file}': key set: keys[0]" in error
    keys_file.write_text("not json", encoding="utf-8")
    assert "is not JSON" in run_main(monkeypatch, capsys, "verify-token", "BP1.x", "--keys", str(keys_file))[1]


def test_a_refused_token_exits_with_code_1_from_the_real_entry_point(url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, error = run_main(monkeypatch, capsys, "verify-token", url.replace("?t=BP1.", "?t=BP1.A"), "--json")
    assert (code, error) == (1, "")
