"""Signing and verifying registration tokens: the round trip, and every way a token is refused."""

from __future__ import annotations

import datetime as dt
import string
from zoneinfo import ZoneInfo

import cbor2
import cwt
import pytest
from hypothesis import given
from hypothesis import strategies as st

from borderplates.errors import UnknownJurisdiction, ValidationError
from borderplates.tokens import (
    PREFIX,
    InvalidToken,
    KeySet,
    Problem,
    RegistrationClaims,
    SigningKey,
    VerifiedToken,
    sign_registration,
    verification_url,
    verify,
)
from borderplates.tokens.keys import b64url, from_b64url

BELGRADE = ZoneInfo("Europe/Belgrade")
BASE64URL = string.ascii_letters + string.digits + "-_"
CLAIMS = RegistrationClaims("K7QM-4TXR-M", "NP 123-AB", "RS", "XK", dt.date(2021, 9, 27), dt.date(2021, 11, 25))
DATES = (CLAIMS.valid_from, CLAIMS.valid_until)
ISSUED = dt.datetime(2021, 9, 27, 10, 14, tzinfo=BELGRADE)
DURING = dt.datetime(2021, 10, 15, 12, tzinfo=BELGRADE)
KEY = SigningKey.generate()
TRUSTED = KeySet([KEY.public])
TOKEN = sign_registration(CLAIMS, KEY, ISSUED)
URL = verification_url("https://borderplates.example.org", CLAIMS.number, TOKEN)


def cose_of(token: str) -> cbor2.CBORTag:
    message = cbor2.loads(from_b64url(token.removeprefix(PREFIX)))
    assert isinstance(message, cbor2.CBORTag)
    return message


def refusal(text: str, keys: KeySet = TRUSTED, now: dt.datetime = DURING) -> InvalidToken:
    with pytest.raises(InvalidToken) as refused:
        verify(text, keys, now)
    return refused.value


def test_a_signed_token_verifies_to_the_claims_it_was_signed_with() -> None:
    verified = verify(TOKEN, TRUSTED, DURING)
    assert verified.claims == CLAIMS
    assert verified.key_id == KEY.key_id
    assert verified.issued_at == ISSUED.replace(second=0).astimezone(dt.UTC)
    assert verified.as_json() == {
        "number": "K7QM-4TXR-M",
        "plate": "NP 123-AB",
        "issuer": "RS",
        "jurisdiction": "XK",
        "valid_from": "2021-09-27",
        "valid_until": "2021-11-25",
        "issued_at": "2021-09-27T08:14:00+00:00",
        "key_id": KEY.key_id,
    }


def test_the_token_is_a_cwt_in_a_cose_sign1_that_a_plain_cose_verifier_checks() -> None:
    assert TOKEN.startswith(PREFIX)
    message = cose_of(TOKEN)
    assert message.tag == 18
    assert cbor2.loads(message.value[0]) == {1: -7, 4: KEY.kid}
    jwk = KEY.public.as_jwk()
    # A JWK's kid is text; the COSE header holds the 8 bytes that text is the base64url of.
    public = cwt.COSEKey.new({**cwt.COSEKey.from_jwk(jwk).to_dict(), 2: from_b64url(jwk["kid"])})
    claims = cbor2.loads(cwt.COSE.new().decode(message, public))
    assert claims[1] == "XK"
    assert claims[-65537] == {"n": "K7QM-4TXR-M", "p": "NP 123-AB", "i": "RS", "vf": "2021-09-27", "vu": "2021-11-25"}
    assert dt.datetime.fromtimestamp(claims[5], BELGRADE) == dt.datetime(2021, 9, 27, tzinfo=BELGRADE)
    assert dt.datetime.fromtimestamp(claims[4], BELGRADE) == dt.datetime(2021, 11, 26, tzinfo=BELGRADE)


def test_the_token_needs_no_escaping_in_a_url() -> None:
    assert set(TOKEN.removeprefix(PREFIX)) <= set(BASE64URL)
    assert f"https://borderplates.example.org/verify/K7QM-4TXR-M?t={TOKEN}" == URL
    assert len(TOKEN) < 260


def test_the_whole_url_and_the_bare_token_are_both_accepted() -> None:
    assert verify(URL, TRUSTED, DURING) == verify(TOKEN, TRUSTED, DURING)
    assert verify(f"  {URL}\n", TRUSTED, DURING).claims == CLAIMS


def test_the_url_keeps_a_path_under_the_public_address() -> None:
    url = verification_url("https://gov.example.org/borderplates/", CLAIMS.number, TOKEN)
    assert url.startswith("https://gov.example.org/borderplates/verify/K7QM-4TXR-M?t=BP1.")
    assert verify(url, TRUSTED, DURING).claims == CLAIMS


@pytest.mark.parametrize("base", ["", "borderplates.example.org", "ftp://example.org", "https://example.org/?lang=sq", "https://"])
def test_the_url_needs_an_http_public_address(base: str) -> None:
    with pytest.raises(ValidationError, match="public address"):
        verification_url(base, CLAIMS.number, TOKEN)


def test_a_token_altered_in_any_one_character_is_refused_with_a_reason() -> None:
    for position in range(len(TOKEN)):
        for replacement in {BASE64URL[(BASE64URL.index(TOKEN[position]) + 1) % 64] if TOKEN[position] in BASE64URL else "A", "*"}:
            altered = TOKEN[:position] + replacement + TOKEN[position + 1 :]
            refused = refusal(altered)
            assert refused.authentic is None
            assert refused.reason.startswith(("the token", "the signature", "this is not a borderplates token"))


def test_every_change_of_the_last_characters_is_refused() -> None:
    # The spare bits of the last base64 character must not let a changed character through.
    for position in range(len(TOKEN) - 6, len(TOKEN)):
        for replacement in BASE64URL.replace(TOKEN[position], ""):
            refusal(TOKEN[:position] + replacement + TOKEN[position + 1 :])


def test_a_changed_signature_is_refused_as_a_bad_signature() -> None:
    raw = bytearray(from_b64url(TOKEN.removeprefix(PREFIX)))
    raw[-1] ^= 0x01
    refused = refusal(PREFIX + b64url(bytes(raw)))
    assert refused.problem is Problem.BAD_SIGNATURE
    assert "altered" in refused.reason


def test_a_changed_plate_in_a_resigned_payload_under_the_same_kid_is_a_bad_signature() -> None:
    forger = SigningKey.generate()
    message = cose_of(TOKEN)
    forged = cose_of(sign_registration(RegistrationClaims("K7QM-4TXR-M", "BG 999-ZZ", "RS", "XK", *DATES), forger, ISSUED))
    message.value[2] = forged.value[2]
    message.value[3] = forged.value[3]
    refused = refusal(PREFIX + b64url(cbor2.dumps(message)))
    assert refused.problem is Problem.BAD_SIGNATURE


def test_a_token_signed_by_an_unknown_key_is_refused_naming_the_key() -> None:
    stranger = SigningKey.generate()
    refused = refusal(sign_registration(CLAIMS, stranger, ISSUED))
    assert refused.problem is Problem.UNKNOWN_KEY
    assert stranger.key_id in refused.reason
    assert "not among the 1 trusted keys" in refused.reason


def test_no_trusted_keys_means_an_unknown_key() -> None:
    assert refusal(TOKEN, KeySet()).problem is Problem.UNKNOWN_KEY


def test_the_token_is_valid_from_local_midnight_of_the_first_day_to_local_midnight_after_the_last() -> None:
    first = dt.datetime(2021, 9, 27, tzinfo=BELGRADE)
    after_last = dt.datetime(2021, 11, 26, tzinfo=BELGRADE)
    assert verify(TOKEN, TRUSTED, first).claims == CLAIMS
    assert verify(TOKEN, TRUSTED, after_last - dt.timedelta(seconds=1)).claims == CLAIMS
    early = refusal(TOKEN, now=first - dt.timedelta(seconds=1))
    assert early.problem is Problem.NOT_YET_VALID
    assert early.reason == "registration K7QM-4TXR-M is not valid yet: it is valid from 2021-09-27"
    late = refusal(TOKEN, now=after_last)
    assert late.problem is Problem.EXPIRED
    assert late.reason == "registration K7QM-4TXR-M has expired: it was valid until 2021-11-25 (that day included)"


def test_an_expired_token_still_tells_what_it_says() -> None:
    late = refusal(URL, now=dt.datetime(2022, 1, 1, tzinfo=dt.UTC))
    assert isinstance(late.authentic, VerifiedToken)
    assert late.authentic.claims == CLAIMS


def test_a_url_whose_number_differs_from_its_token_is_refused() -> None:
    other = URL.replace("/verify/K7QM-4TXR-M", "/verify/M7QM-4TXR-K")
    refused = refusal(other)
    assert refused.problem is Problem.WRONG_NUMBER
    assert "M7QM-4TXR-K" in refused.reason and "K7QM-4TXR-M" in refused.reason


@pytest.mark.parametrize(
    ("text", "problem", "words"),
    [
        ("HC1:6BFOXN%TS3DH0YOJ58S S-W5HDC", Problem.WRONG_PREFIX, "not a borderplates token"),
        ("bp1." + TOKEN[4:], Problem.WRONG_PREFIX, "not a borderplates token"),
        ("BP2." + TOKEN[4:], Problem.WRONG_PREFIX, "format version 2"),
        ("", Problem.MALFORMED, "empty"),
        ("   ", Problem.MALFORMED, "empty"),
        (TOKEN[:-10], Problem.MALFORMED, "damaged"),
        (TOKEN + "AAAA", Problem.MALFORMED, "damaged"),
        (TOKEN + "=", Problem.MALFORMED, "base64url"),
        (PREFIX + b64url(cbor2.dumps([1, 2, 3])), Problem.MALFORMED, "damaged"),
        (PREFIX + b64url(from_b64url(TOKEN[4:]) + b"\x00"), Problem.MALFORMED, "damaged"),
        ("https://borderplates.example.org/verify/K7QM-4TXR-M", Problem.MALFORMED, "verification address"),
        (f"https://borderplates.example.org/check?t={TOKEN}", Problem.MALFORMED, "verification address"),
        (f"{URL}&t={TOKEN}", Problem.MALFORMED, "verification address"),
        ("A" * 5000, Problem.MALFORMED, "too long"),
    ],
)
def test_text_that_is_no_token_is_refused_with_a_reason(text: str, problem: Problem, words: str) -> None:
    refused = refusal(text)
    assert refused.problem is problem
    assert words in refused.reason


def test_a_token_signed_with_another_algorithm_header_is_refused() -> None:
    message = cose_of(TOKEN)
    message.value[0] = cbor2.dumps({1: -35, 4: KEY.kid})
    assert "ES256" in refusal(PREFIX + b64url(cbor2.dumps(message))).reason


def test_signed_content_that_is_not_a_registration_is_refused() -> None:
    message = cwt.COSE.new().encode_and_sign(cbor2.dumps({1: "XK", 4: 0}), KEY.cose, protected={1: -7, 4: KEY.kid}, unprotected={})
    refused = refusal(PREFIX + b64url(message))
    assert refused.problem is Problem.MALFORMED
    assert "does not describe a registration" in refused.reason


def test_signing_refuses_a_registration_that_ends_before_it_starts() -> None:
    with pytest.raises(ValidationError, match="before it is valid from"):
        sign_registration(RegistrationClaims("K7QM-4TXR-M", "NP 123-AB", "RS", "XK", dt.date(2021, 9, 27), dt.date(2021, 9, 26)), KEY, ISSUED)


def test_signing_needs_a_known_jurisdiction_for_its_local_midnight() -> None:
    with pytest.raises(UnknownJurisdiction):
        sign_registration(RegistrationClaims("K7QM-4TXR-M", "NP 123-AB", "RS", "QQ", *DATES), KEY, ISSUED)


def test_moments_must_be_timezone_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        sign_registration(CLAIMS, KEY, dt.datetime(2021, 9, 27, 10))
    with pytest.raises(ValueError, match="timezone-aware"):
        verify(TOKEN, TRUSTED, dt.datetime(2021, 10, 1))


@given(st.text(max_size=400))
def test_any_text_is_refused_only_with_invalid_token(text: str) -> None:
    with pytest.raises(InvalidToken):
        verify(text, TRUSTED, DURING)


@given(st.binary(max_size=300))
def test_any_bytes_after_the_prefix_are_refused_only_with_invalid_token(data: bytes) -> None:
    with pytest.raises(InvalidToken):
        verify(PREFIX + b64url(data), TRUSTED, DURING)
