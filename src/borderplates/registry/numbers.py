"""Temporary registration numbers: short, unambiguous, with a check character.

Eight random symbols from an alphabet without 0/O and 1/I, then a Luhn mod 32
check symbol, shown in groups: ``K7QM-4TXR-9``. Any single mistyped symbol and
any swap of two neighbours is detected.

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


def check_symbol(body: str) -> str:
    """The Luhn mod 32 check symbol of ``body``."""
    n = len(ALPHABET)
    total, factor = 0, 2
    for symbol in reversed(body):
        addend = factor * _VALUE[symbol]
        total += addend // n + addend % n
        factor = 1 if factor == 2 else 2
    return ALPHABET[(n - total % n) % n]


def format_number(body: str) -> str:
    return f"{body[:4]}-{body[4:]}-{check_symbol(body)}"


def new_number() -> str:
    """A fresh random number; uniqueness is the database's to enforce."""
    return format_number("".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH)))


def compact_number(text: str) -> str:
    """Upper-case without spaces and hyphens; raises ``ValidationError`` when malformed."""
    if not isinstance(text, str):
        raise ValidationError("a registration number must be text")
    compact = text.upper().replace("-", "").replace(" ", "")
    if len(compact) != BODY_LENGTH + 1 or any(symbol not in _VALUE for symbol in compact):
        raise ValidationError(f"{text!r} is not a registration number (like K7QM-4TXR-9)")
    if check_symbol(compact[:-1]) != compact[-1]:
        raise ValidationError(f"{text!r} is not a registration number: its check character is wrong (a typo?)")
    return f"{compact[:4]}-{compact[4:8]}-{compact[8]}"


def is_valid_number(text: str) -> bool:
    try:
        compact_number(text)
    except ValidationError:
        return False
    return True
