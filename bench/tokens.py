"""Benchmark: signing and verifying registration tokens, against raw ECDSA and a bare HMAC.

Measures in one run:

- ``sign_registration``: claims to ``BP1.`` token (CBOR, COSE_Sign1 with ES256, base64url),
- ``verify`` of the bare token and of the whole verification URL, with 10 trusted keys,
- raw ECDSA P-256 sign and verify (``cryptography``) of the bytes ES256 signs for the token,
- a bare HMAC-SHA256 over the same message,
- ``render_certificate`` (A5 PDF with the QR code), for scale,

and prints the rates with the ratio of each token operation to the raw ECDSA
operation it wraps, and of everything to the bare HMAC. Each figure is the best of
5 repeats after a warm-up, timed with ``time.perf_counter``. The sizes of the token,
the URL and the QR code are printed too.

Run: ``python bench/tokens.py`` (or ``python bench/run.py`` for every benchmark).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import hmac
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from zoneinfo import ZoneInfo

import cbor2
import segno
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from borderplates.documents import CertificateView, LegalBasis, render_certificate
from borderplates.documents.certificate import QR_ERROR
from borderplates.law import Money
from borderplates.tokens import PREFIX, KeySet, RegistrationClaims, SigningKey, sign_registration, verification_url, verify
from borderplates.tokens.keys import from_b64url

REPEATS = 5
BELGRADE = ZoneInfo("Europe/Belgrade")
CLAIMS = RegistrationClaims("K7QM-4TXR-M", "NP 123-AB", "RS", "XK", dt.date(2021, 9, 27), dt.date(2021, 11, 25))
ISSUED = dt.datetime(2021, 9, 27, 10, 14, tzinfo=BELGRADE)
DURING = dt.datetime(2021, 10, 15, 12, tzinfo=BELGRADE)


def best_rate(work: Callable[[], object], count: int) -> float:
    """Items per second: the best of REPEATS timed runs after one warm-up run."""
    work()
    best = float("inf")
    for _ in range(REPEATS):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return count / best


def main() -> int:
    parser = argparse.ArgumentParser(description="Token signing and verification per second against raw ECDSA and HMAC.")
    parser.add_argument("--quick", action="store_true", help="a smoke run: a tenth of the operations")
    quick = parser.parse_args().quick
    count, pdfs = (200, 2) if quick else (2000, 10)

    key = SigningKey.generate()
    trusted = KeySet([key.public, *(SigningKey.generate().public for _ in range(9))])
    token = sign_registration(CLAIMS, key, ISSUED)
    url = verification_url("https://borderplates.example.org", CLAIMS.number, token)
    if verify(url, trusted, DURING).claims != CLAIMS:
        sys.exit("the token does not verify: nothing to measure")
    # What ES256 signs for this token: the COSE Sig_structure over its protected header and payload.
    signed = cbor2.loads(from_b64url(token.removeprefix(PREFIX))).value
    message = cbor2.dumps(["Signature1", signed[0], b"", signed[2]])
    raw_key = ec.generate_private_key(ec.SECP256R1())
    raw_public = raw_key.public_key()
    raw_signature = raw_key.sign(message, ec.ECDSA(hashes.SHA256()))
    secret = b"k" * 32
    view = CertificateView(
        CLAIMS.number,
        CLAIMS.plate,
        "Serbia (RS)",
        "Kosovo",
        CLAIMS.valid_from,
        CLAIMS.valid_until,
        Money(Decimal("5.00"), "EUR"),
        "Jarinje",
        "clerk",
        LegalBasis("xk_rs.rs_plates_entering_xk", "XK decision of 2021-09-20", "https://example.org/decision"),
        ISSUED,
    )

    def sign() -> None:
        for _ in range(count):
            sign_registration(CLAIMS, key, ISSUED)

    def verify_token() -> None:
        for _ in range(count):
            verify(token, trusted, DURING)

    def verify_url() -> None:
        for _ in range(count):
            verify(url, trusted, DURING)

    def raw_sign() -> None:
        for _ in range(count):
            raw_key.sign(message, ec.ECDSA(hashes.SHA256()))

    def raw_verify() -> None:
        for _ in range(count):
            raw_public.verify(raw_signature, message, ec.ECDSA(hashes.SHA256()))

    def bare_hmac() -> None:
        for _ in range(count):
            hmac.new(secret, message, hashlib.sha256).digest()

    def render() -> None:
        for _ in range(pdfs):
            render_certificate(view, qr_url=url)

    rates = {
        "sign_registration": best_rate(sign, count),
        "raw ECDSA P-256 sign": best_rate(raw_sign, count),
        "verify (bare token, 10 trusted keys)": best_rate(verify_token, count),
        "verify (whole URL, 10 trusted keys)": best_rate(verify_url, count),
        "raw ECDSA P-256 verify": best_rate(raw_verify, count),
        "bare HMAC-SHA256": best_rate(bare_hmac, count),
        "render_certificate (A5 PDF)": best_rate(render, pdfs),
    }
    wraps = {
        "sign_registration": "raw ECDSA P-256 sign",
        "verify (bare token, 10 trusted keys)": "raw ECDSA P-256 verify",
        "verify (whole URL, 10 trusted keys)": "raw ECDSA P-256 verify",
    }
    hmac_rate = rates["bare HMAC-SHA256"]
    qr = segno.make(url, error=QR_ERROR)
    print(f"borderplates token benchmark: {count} operations, {pdfs} PDFs, best of {REPEATS} after a warm-up (Python {sys.version.split()[0]})")
    print(f"token {len(token)} characters, URL {len(url)} characters, signed message {len(message)} bytes, QR code version {qr.version}-{qr.error}")
    print()
    print(f"{'measure':<40} {'per second':>12} {'µs each':>10} {'× raw ECDSA':>12} {'× HMAC':>8}")
    print("-" * 86)
    for name, rate in rates.items():
        raw = f"{rates[wraps[name]] / rate:.2f}" if name in wraps else ""
        print(f"{name:<40} {rate:>12,.0f} {1e6 / rate:>10.1f} {raw:>12} {hmac_rate / rate:>8.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
