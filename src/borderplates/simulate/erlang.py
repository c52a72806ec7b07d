"""Erlang C: the closed form of the M/M/c queue, to check the simulator against.

With Poisson arrivals at rate λ, exponential service with mean S and c lanes, the
offered load is a = λS erlangs and the utilisation ρ = a/c. When ρ < 1 the queue
settles, and Erlang C gives the probability that a vehicle waits, the mean wait
Wq and the mean queue length Lq = λ·Wq (Little's law). When ρ ≥ 1 the queue grows
without bound and there is no such figure: :class:`UnstableQueue` says so.

For other service distributions the Allen–Cunneen approximation scales the
M/M/c wait by (ca² + cs²)/2, with ca = 1 for Poisson arrivals.

>>> q = erlang_c(lanes=4, arrivals_per_hour=100, service_minutes=2)
>>> round(q.probability_of_wait, 4), round(q.mean_wait_minutes, 3), round(q.mean_queue_length, 3)
(0.6577, 1.973, 3.289)
>>> erlang_c(lanes=2, arrivals_per_hour=60, service_minutes=2)
Traceback (most recent call last):
...
borderplates.simulate.erlang.UnstableQueue: utilisation 1.000 ≥ 1 (offered load 2.00 erlangs on 2 lanes): the queue grows without bound
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from borderplates.errors import BorderplatesError, ValidationError


class UnstableQueue(BorderplatesError):
    """The lanes cannot keep up with the arrivals: no steady-state wait exists."""

    def __init__(self, utilisation: float, offered_load: float, lanes: int) -> None:
        self.utilisation, self.offered_load, self.lanes = utilisation, offered_load, lanes
        super().__init__(
            f"utilisation {utilisation:.3f} ≥ 1 (offered load {offered_load:.2f} erlangs on {lanes} lane{'s' * (lanes != 1)}): the queue grows without bound"
        )


@dataclass(frozen=True, slots=True)
class ErlangC:
    """The steady state of an M/M/c queue."""

    lanes: int
    arrivals_per_hour: float
    service_minutes: float
    utilisation: float
    probability_of_wait: float
    mean_wait_minutes: float
    mean_queue_length: float

    def allen_cunneen_wait_minutes(self, service_cv: float) -> float:
        """The Allen–Cunneen mean wait for Poisson arrivals and service with coefficient of variation ``service_cv``."""
        return self.mean_wait_minutes * (1 + service_cv * service_cv) / 2

    def as_json(self) -> dict[str, Any]:
        return {
            "probability_of_wait": round(self.probability_of_wait, 6),
            "mean_wait_minutes": round(self.mean_wait_minutes, 6),
            "mean_queue_length": round(self.mean_queue_length, 6),
            "utilisation": round(self.utilisation, 6),
        }


def offered_utilisation(lanes: int, arrivals_per_hour: float, service_minutes: float) -> float:
    """ρ = λS/c: the share of the lanes' time the arrivals ask for."""
    _check(lanes, arrivals_per_hour, service_minutes)
    return arrivals_per_hour * service_minutes / 60 / lanes


def erlang_c(lanes: int, arrivals_per_hour: float, service_minutes: float) -> ErlangC:
    """Erlang C for ``lanes`` servers; raises :class:`UnstableQueue` when utilisation is 1 or more."""
    rho = offered_utilisation(lanes, arrivals_per_hour, service_minutes)
    load = rho * lanes
    if rho >= 1:
        raise UnstableQueue(rho, load, lanes)
    # Erlang B by its recursion (stable for any number of lanes), then Erlang C from it.
    blocking = 1.0
    for k in range(1, lanes + 1):
        blocking = load * blocking / (k + load * blocking)
    wait_probability = blocking / (1 - rho * (1 - blocking))
    per_minute = arrivals_per_hour / 60
    mean_wait = wait_probability / (lanes / service_minutes - per_minute) if per_minute else 0.0
    return ErlangC(lanes, arrivals_per_hour, service_minutes, rho, wait_probability, mean_wait, per_minute * mean_wait)


def _check(lanes: int, arrivals_per_hour: float, service_minutes: float) -> None:
    if not isinstance(lanes, int) or lanes < 1:
        raise ValidationError(f"lanes must be a whole number of at least 1, not {lanes!r}")
    if not arrivals_per_hour >= 0:
        raise ValidationError(f"arrivals per hour must be 0 or more, not {arrivals_per_hour!r}")
    if not service_minutes > 0:
        raise ValidationError(f"the mean service time must be more than 0 minutes, not {service_minutes!r}")
