"""Why a token is refused: one error class, with the problem as a word and the reason as a sentence.

``InvalidToken`` is a ``ValidationError``: the text scanned from a certificate is
input like any other. Its ``problem`` lets an interface pick what to show (a web
page says "expired" big and still shows the plate when the signature was good);
its ``reason`` is the sentence to show a person.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from borderplates.errors import ValidationError

if TYPE_CHECKING:
    from borderplates.tokens.signing import VerifiedToken


class Problem(StrEnum):
    """What is wrong with a token."""

    MALFORMED = "malformed"
    WRONG_PREFIX = "wrong_prefix"
    WRONG_NUMBER = "wrong_number"
    UNKNOWN_KEY = "unknown_key"
    BAD_SIGNATURE = "bad_signature"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"


class InvalidToken(ValidationError):
    """A token that does not prove a valid registration at the moment asked.

    ``authentic`` holds what the token says when its signature was good but it is
    used outside its validity (``EXPIRED``, ``NOT_YET_VALID``); otherwise ``None``.
    """

    message = "The token is not valid."

    def __init__(self, problem: Problem, reason: str, authentic: VerifiedToken | None = None) -> None:
        self.problem, self.reason, self.authentic = problem, reason, authentic
        super().__init__(reason)
