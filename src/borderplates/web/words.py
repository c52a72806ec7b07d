"""The vocabulary as people read it: each word of :mod:`borderplates.vocabulary` as a message to translate.

The messages are marked with :func:`N_` so that ``pybabel extract`` finds them
(``-k N_``); they are translated when shown, in the language of the page.
"""

from __future__ import annotations

from enum import StrEnum

from borderplates.law import Requirement
from borderplates.services.planning import Traffic
from borderplates.simulate import Scenario
from borderplates.vocabulary import (
    ConflictKind,
    CrossingState,
    Decision,
    Direction,
    Mode,
    Phase,
    RegistrationStatus,
    Rejection,
    RequirementKind,
    Role,
    VehicleClass,
    WaitMethod,
)
from borderplates.web.i18n import Language


def N_(message: str) -> str:  # noqa: N802  # the name gettext tools know
    """Mark ``message`` for translation; it is translated where it is shown."""
    return message


WORDS: dict[tuple[type[StrEnum], str], str] = {
    (Decision, Decision.ADMIT): N_("Admit"),
    (Decision, Decision.ISSUE_TEMPORARY_REGISTRATION): N_("Issue a temporary registration"),
    (Decision, Decision.APPLY_STICKER): N_("Apply stickers over the state symbols"),
    (Decision, Decision.WARN): N_("Warn the driver"),
    (Decision, Decision.FINE): N_("Fine the driver"),
    (Decision, Decision.REFUSE): N_("Refuse entry"),
    (RequirementKind, RequirementKind.NONE): N_("nothing"),
    (RequirementKind, RequirementKind.TEMPORARY_REGISTRATION): N_("temporary registration"),
    (RequirementKind, RequirementKind.COVER_SYMBOLS): N_("stickers over the state symbols"),
    (RequirementKind, RequirementKind.RE_REGISTRATION): N_("re-registration for residents"),
    (RequirementKind, RequirementKind.REFUSE): N_("no entry"),
    (Phase, Phase.INFORM): N_("inform"),
    (Phase, Phase.WARN): N_("warn"),
    (Phase, Phase.FINE): N_("fine"),
    (Phase, Phase.TEMPORARY_PLATE): N_("temporary plates"),
    (Phase, Phase.STICKER): N_("stickers"),
    (Phase, Phase.SEIZE): N_("seize"),
    (Phase, Phase.REFUSE_ENTRY): N_("refuse entry"),
    (RegistrationStatus, RegistrationStatus.ACTIVE): N_("active"),
    (RegistrationStatus, RegistrationStatus.RETURNED): N_("returned"),
    (RegistrationStatus, RegistrationStatus.CANCELLED): N_("cancelled"),
    (RegistrationStatus, RegistrationStatus.EXPIRED): N_("expired"),
    (Direction, Direction.ENTRY): N_("entry"),
    (Direction, Direction.EXIT): N_("exit"),
    (Mode, Mode.PASSENGER): N_("passenger traffic"),
    (Mode, Mode.CARGO): N_("cargo traffic"),
    (Mode, Mode.BUS): N_("bus traffic"),
    (Mode, Mode.PEDESTRIAN): N_("pedestrians"),
    (VehicleClass, VehicleClass.CAR): N_("car"),
    (VehicleClass, VehicleClass.VAN): N_("van"),
    (VehicleClass, VehicleClass.TRUCK): N_("truck"),
    (VehicleClass, VehicleClass.BUS): N_("bus"),
    (VehicleClass, VehicleClass.MOTORCYCLE): N_("motorcycle"),
    (VehicleClass, VehicleClass.TRAILER): N_("trailer"),
    (Role, Role.OFFICER): N_("officer"),
    (Role, Role.CLERK): N_("clerk"),
    (Role, Role.SUPERVISOR): N_("supervisor"),
    (Role, Role.ADMIN): N_("administrator"),
    (CrossingState, CrossingState.OPEN): N_("open"),
    (CrossingState, CrossingState.RESTRICTED): N_("restricted"),
    (CrossingState, CrossingState.BLOCKED): N_("blocked"),
    (CrossingState, CrossingState.CLOSED): N_("closed"),
    (WaitMethod, WaitMethod.MANUAL): N_("reported by staff"),
    (WaitMethod, WaitMethod.MEASURED): N_("measured from plate reads"),
    (WaitMethod, WaitMethod.MODEL): N_("estimated from the crossings"),
    (Scenario, Scenario.TEMPORARY_PLATES): N_("temporary plates both ways"),
    (Scenario, Scenario.STICKERS): N_("stickers both ways"),
    (Scenario, Scenario.NONE): N_("no control of plates"),
    (Scenario, Scenario.ONE_SIDE): N_("temporary plates, one side only"),
    (Scenario, Scenario.LAW): N_("the law on a date"),
    (Traffic, Traffic.AUTO): N_("recorded crossings, or the demo week where none were recorded"),
    (Traffic, Traffic.RECORDED): N_("recorded crossings only"),
    (Traffic, Traffic.DEMO): N_("the demo week"),
    (ConflictKind, ConflictKind.TWO_ACTIVE): N_("Two sites issued a temporary registration to one vehicle"),
    (ConflictKind, ConflictKind.NUMBER_TAKEN): N_("Two registrations carry one number"),
    (ConflictKind, ConflictKind.ENDED_TWICE): N_("A registration was ended twice, differently"),
    (Rejection, Rejection.GAP): N_("records missing"),
    (Rejection, Rejection.FORK): N_("a record replaced"),
    (Rejection, Rejection.ALTERED): N_("a record altered"),
    (Rejection, Rejection.MALFORMED): N_("a malformed record"),
}


def word(language: Language, member: StrEnum) -> str:
    """A word of the vocabulary in ``language``."""
    message = WORDS.get((type(member), member.value))
    return language.gettext(message) if message is not None else member.value


def requirement(language: Language, required: Requirement | None) -> str:
    """What a rule requires, in a few words: ``temporary registration, 60 days, €5.00``."""
    if required is None:
        return language.gettext("no rule")
    text = word(language, RequirementKind(required.kind))
    if required.validity_days is not None:
        text += ", " + language.ngettext("%(num)d day", "%(num)d days", required.validity_days) % {"num": required.validity_days}
    if required.fee is not None:
        text += ", " + language.money(required.fee)
    return text
