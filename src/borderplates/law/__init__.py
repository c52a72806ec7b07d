"""The law: entry rules as dated data, their evaluation, and reciprocity.

Pure: the moment is always an argument, and the rules are read once.
"""

from __future__ import annotations

from functools import cache

from borderplates import reference
from borderplates.law.engine import Law, Ruling, Vehicle
from borderplates.law.reciprocity import Comparison, Period, asymmetric_periods, compare
from borderplates.law.rules import DECISION_BY_PHASE, Money, Requirement, Rule, Version, load_regimes

__all__ = [
    "DECISION_BY_PHASE",
    "Comparison",
    "Law",
    "Money",
    "Period",
    "Requirement",
    "Rule",
    "Ruling",
    "Vehicle",
    "Version",
    "asymmetric_periods",
    "compare",
    "load",
    "load_regimes",
]


@cache
def load() -> Law:
    """The shipped law, read and validated once."""
    data = reference.load()
    return Law(load_regimes(data), data)
