"""The one family of errors that borderplates raises.

Every error a user can cause is a ``BorderplatesError`` with a message that says
what is wrong; interfaces map the classes to exit codes and HTTP statuses in one
place each and never show a traceback for them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

#: How many characters of what a user typed an error message repeats.
QUOTED_LENGTH = 40


def quoted(value: object, limit: int = QUOTED_LENGTH) -> str:
    """``value`` quoted for an error message, cut to ``limit`` characters with an ellipsis.

    >>> quoted("NP 123-AB")
    "'NP 123-AB'"
    >>> quoted("A" * 10_000, limit=5)
    "'AAAAA…'"
    """
    text = value if type(value) is str else str(value)
    return repr(text if len(text) <= limit else text[:limit] + "…")


class BorderplatesError(Exception):
    """Base of every error borderplates raises on purpose."""

    message = "Something is wrong."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.message)

    @property
    def text(self) -> str:
        return str(self.args[0])


class DataError(BorderplatesError):
    """A shipped or supplied data file is malformed; the message names file and key."""

    message = "A data file is malformed."

    def __init__(self, file: str, key: str, problem: str) -> None:
        self.file, self.key, self.problem = file, key, problem
        where = f"{file}: {key}" if key else file
        super().__init__(f"{where}: {problem}")


class ConfigurationError(BorderplatesError):
    """The installation is misconfigured: a bad setting, or a registry that cannot be used."""

    message = "borderplates is not configured correctly."


class RegistryUnavailable(ConfigurationError):
    """The registry's database cannot be reached, opened or used as it is."""

    message = "The registry cannot be used."


class RuleDataError(DataError):
    """An entry-rule file is malformed."""


class ValidationError(BorderplatesError, ValueError):
    """Bad input from a user."""

    message = "The input is not valid."


class InvalidPlate(ValidationError):
    """Text that is no plate of any known format."""

    message = "The text is not a valid registration plate."


class AmbiguousPlate(ValidationError):
    """Text that fits plates of several jurisdictions equally well."""

    def __init__(self, text: str, candidates: Sequence[Any]) -> None:
        self.candidates = tuple(candidates)
        names = ", ".join(f"{c.plate.issuer} {c.plate.canonical}" for c in self.candidates)
        super().__init__(f"plate {quoted(text)} is ambiguous: it fits {names}")


class BadImage(ValidationError):
    """An image that cannot be read: empty, truncated, too large, or not a JPEG or PNG."""

    message = "The image cannot be read."


class ReaderUnavailable(BorderplatesError):
    """A plate reader that cannot run here: its program, package or model files are missing."""

    message = "The plate reader is not available."


class UnknownJurisdiction(ValidationError):
    message = "Unknown jurisdiction."


class UnknownCrossingPoint(ValidationError):
    message = "Unknown crossing point."


class MissingFact(ValidationError):
    """A rule needs a fact about the vehicle that the caller did not give."""

    def __init__(self, fact: str, rule_id: str, hint: str) -> None:
        self.fact, self.rule_id = fact, rule_id
        super().__init__(f"rule {rule_id} depends on the vehicle's {fact}: {hint}")


class NoRuleData(BorderplatesError):
    """The shipped rules say nothing about this vehicle at this moment."""

    message = "No rule data covers this case."


class NotFound(BorderplatesError):
    message = "Not found."


class ConflictError(BorderplatesError):
    """The request contradicts the state of the registry."""

    message = "The request conflicts with the registry."


class Forbidden(BorderplatesError):
    """The actor may not do this, or not here."""

    message = "You may not do this."


class TryLater(BorderplatesError):
    """Not now: try again in ``retry_after`` seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(message)
