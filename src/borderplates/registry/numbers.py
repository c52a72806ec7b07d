"""Temporary registration numbers: short, unambiguous, with a check character.

Eight random symbols from an alphabet without 0/O and 1/I, then a Damm check
symbol over GF(32), shown in groups: ``K7QM-4TXR-M``. Any single mistyped symbol and
any swap of two neighbours is detected (a Luhn mod 32 check misses swaps of 2 and Z).

>>> number = format_number("K7QM4TXR")
>>> is_valid_number(number), is_valid_number(number.replace("K", "M"))
(True, False)
"""

from __future__ import annotations

import secrets

from borderplates.errors import ValidationError

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
_VALUE = {symbol: value for value, symbol in enumerate(ALPHABET)}
BODY_LENGTH = 8


def _times_x(value: int) -> int:
    """``value`` times x in GF(32) = GF(2)[x] / (x^5 + x^2 + 1)."""
    value <<= 1
    return value ^ 0b100101 if value & 0b100000 else value


def check_symbol(body: str) -> str:
    """The Damm check symbol of ``body``, with the totally anti-symmetric quasigroup a*b = x*a + b over GF(32)."""
    interim = 0
    for symbol in body:
        interim = _times_x(interim) ^ _VALUE[symbol]
    return ALPHABET[_times_x(interim)]


def format_number(body: str) -> str:
    return f"{body[:4]}-{body[4:]}-{check_symbol(body)}"


def new_number() -> str:
    """A fresh random number (40 random bits, five per symbol of the 32-symbol alphabet); uniqueness is the database's to enforce."""
    bits = secrets.randbits(5 * BODY_LENGTH)
    return format_number("".join(ALPHABET[(bits >> (5 * i)) & 0b11111] for i in range(BODY_LENGTH)))


def compact_number(text: str) -> str:
    """Upper-case without spaces and hyphens; raises ``ValidationError`` when malformed."""
    if not isinstance(text, str):
        raise ValidationError("a registration number must be text")
    compact = text.upper().replace("-", "").replace(" ", "")
    if len(compact) != BODY_LENGTH + 1 or any(symbol not in _VALUE for symbol in compact):
        raise ValidationError(f"{text!r} is not a registration number (like K7QM-4TXR-M)")
    if check_symbol(compact[:-1]) != compact[-1]:
        raise ValidationError(f"{text!r} is not a registration number: its check character is wrong (a typo?)")
    return f"{compact[:4]}-{compact[4:8]}-{compact[8]}"


def is_valid_number(text: str) -> bool:
    try:
        compact_number(text)
    except ValidationError:
        return False
    return True
