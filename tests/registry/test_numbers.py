"""Temporary registration numbers: unambiguous symbols and a check symbol that catches typos."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from borderplates.errors import ValidationError
from borderplates.registry.numbers import ALPHABET, BODY_LENGTH, check_symbol, compact_number, format_number, is_valid_number, new_number

bodies = st.text(alphabet=ALPHABET, min_size=BODY_LENGTH, max_size=BODY_LENGTH)


def compact(number: str) -> str:
    return number.replace("-", "")


def grouped(symbols: str) -> str:
    return f"{symbols[:4]}-{symbols[4:8]}-{symbols[8:]}"


def test_the_alphabet_has_no_ambiguous_symbols():
    assert not set("0O1I") & set(ALPHABET)
    assert len(ALPHABET) == len(set(ALPHABET)) == 32
    assert set(ALPHABET) == set("23456789ABCDEFGHJKLMNPQRSTUVWXYZ")


@given(bodies)
def test_a_formatted_number_is_valid_and_shown_in_groups(body):
    number = format_number(body)
    assert is_valid_number(number)
    assert number == f"{body[:4]}-{body[4:]}-{check_symbol(body)}"
    assert compact_number(number) == number


@settings(max_examples=200)
@given(bodies)
def test_every_single_symbol_substitution_is_detected(body):
    symbols = compact(format_number(body))
    for position, original in enumerate(symbols):
        for replacement in ALPHABET:
            if replacement != original:
                typo = symbols[:position] + replacement + symbols[position + 1 :]
                assert not is_valid_number(grouped(typo)), (symbols, typo)


@settings(max_examples=300)
@given(bodies)
def test_every_swap_of_two_neighbours_is_detected(body):
    symbols = compact(format_number(body))
    for position in range(len(symbols) - 1):
        first, second = symbols[position], symbols[position + 1]
        if first != second:
            swapped = symbols[:position] + second + first + symbols[position + 2 :]
            assert not is_valid_number(grouped(swapped)), (symbols, swapped)


@pytest.mark.parametrize("body", ["2Z345678", "Z2345678", "345678Z2", "3456782Z", "2Z2Z2Z2Z"])
def test_swapping_the_first_and_last_symbols_of_the_alphabet_is_detected(body):
    # A Luhn mod 32 check misses exactly these swaps.
    symbols = compact(format_number(body))
    for position in range(len(symbols) - 1):
        if {symbols[position], symbols[position + 1]} == {"2", "Z"}:
            swapped = symbols[:position] + symbols[position + 1] + symbols[position] + symbols[position + 2 :]
            assert not is_valid_number(grouped(swapped))


def test_new_numbers_are_valid_and_different():
    numbers = {new_number() for _ in range(500)}
    assert len(numbers) == 500
    assert all(is_valid_number(number) and len(number) == 11 for number in numbers)
    assert all(not set("0O1I") & set(number) for number in numbers)


@given(bodies)
def test_a_number_typed_in_lower_case_or_with_spaces_is_read(body):
    number = format_number(body)
    assert compact_number(compact(number).lower()) == number
    assert compact_number(" ".join(compact(number))) == number


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("K7QM-4TXR", "not a registration number"),
        ("K7QM-4TXR-MM", "not a registration number"),
        ("K7QM-4TX0-M", "not a registration number"),  # 0 is not a symbol
        ("K7QM-4TXI-M", "not a registration number"),  # nor is I
        ("", "not a registration number"),
        (None, "must be text"),
        (12345678, "must be text"),
    ],
)
def test_malformed_numbers_are_validation_errors(text, error):
    with pytest.raises(ValidationError, match=error):
        compact_number(text)  # type: ignore[arg-type]
    assert not is_valid_number(text)  # type: ignore[arg-type]


def test_a_wrong_check_symbol_is_named_as_such():
    number = format_number("K7QM4TXR")
    wrong = number[:-1] + next(symbol for symbol in ALPHABET if symbol != number[-1])
    with pytest.raises(ValidationError, match="check character is wrong"):
        compact_number(wrong)
