"""What the API reads and writes: strict input models (``...Create``) and output models (``...Public``).

Inputs are strict (a boolean is not a number, text is not a date) and refuse unknown
fields. Outputs have the shapes the command line prints with ``--json`` for the same
use case; moments and dates stay the exact text the services give (ISO 8601 with the
offset), marked as ``date-time`` or ``date`` in the OpenAPI document.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from borderplates.errors import ValidationError, quoted
from borderplates.vocabulary import HOLDER_LENGTH, LANE_LENGTH, NAME_LENGTH, REASON_LENGTH, Decision, Mode, RegistrationStatus, Role, VehicleClass


def text_only(value: object) -> object:
    """JSON carries moments, dates and words as text: a number or a boolean is refused, not converted."""
    if not isinstance(value, str):
        raise ValueError("must be text")
    return value


def _iso_moment(value: object) -> dt.datetime:
    """ISO 8601 text with a UTC offset (never a number taken as a timestamp)."""
    try:
        moment = dt.datetime.fromisoformat(str(text_only(value)))
    except ValueError:
        raise ValueError("must be an ISO 8601 date-time with a UTC offset") from None
    if moment.tzinfo is None:
        raise ValueError("needs a UTC offset, e.g. 2021-09-27T10:00:00+02:00")
    return moment


def _iso_date(value: object) -> dt.date:
    try:
        return dt.date.fromisoformat(str(text_only(value)))
    except ValueError:
        raise ValueError("must be an ISO 8601 date (YYYY-MM-DD)") from None


def parse_moment(text: str, what: str = "at") -> dt.datetime:
    """A query's moment, or a :class:`ValidationError` naming the parameter."""
    try:
        return _iso_moment(text)
    except ValueError as error:
        raise ValidationError(f"{what} {quoted(text)} {error}") from None


def parse_date(text: str, what: str = "registered_on") -> dt.date:
    try:
        return _iso_date(text)
    except ValueError as error:
        raise ValidationError(f"{what} {quoted(text)} {error}") from None


# Bodies are parsed before they are validated, and queries are text, so moments, dates and words arrive as text:
# these parse text (and only text) into their types, inside otherwise strict models.
IsoMoment = Annotated[dt.datetime, Field(strict=False, description="ISO 8601 with a UTC offset."), BeforeValidator(_iso_moment)]
IsoDate = Annotated[dt.date, Field(strict=False), BeforeValidator(_iso_date)]
ClassWord = Annotated[VehicleClass, Field(strict=False), BeforeValidator(text_only)]
ModeWord = Annotated[Mode, Field(strict=False), BeforeValidator(text_only)]
RoleWord = Annotated[Role, Field(strict=False), BeforeValidator(text_only)]
Moment = Annotated[str, Field(json_schema_extra={"format": "date-time"})]
Day = Annotated[str, Field(json_schema_extra={"format": "date"})]
PlateText = Annotated[str, Field(min_length=1, max_length=40, description="The plate as typed or read, e.g. 'NP 123-AB'.")]
Place = Annotated[str, Field(min_length=1, max_length=NAME_LENGTH, description="A crossing point id (jarinje, ...), or centre:<name>.")]
Code = Annotated[str, Field(min_length=1, max_length=10, description="A jurisdiction, e.g. XK.")]


class Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


class Public(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -------------------------------------------------------------------------------- inputs


class VehicleFacts(Strict):
    """The facts about a vehicle presented at a border."""

    model_config = ConfigDict(strict=True, extra="forbid", populate_by_name=False)

    plate: PlateText
    point: Place
    at: IsoMoment | None = Field(None, description="When (ISO 8601 with offset); default now.")
    vehicle_class: ClassWord = Field(VehicleClass.CAR, alias="class")
    resident: Code | None = Field(None, description="Where the keeper resides.")
    registered_on: IsoDate | None = Field(None, description="When the vehicle's registration was issued or renewed.")


class RegistrationCreate(VehicleFacts):
    entering: Code
    vin: str | None = Field(None, min_length=1, max_length=17)
    holder: str | None = Field(None, min_length=1, max_length=HOLDER_LENGTH, description="The name of the person (or company) it is issued to.")


class RenewalCreate(Strict):
    point: Place
    at: IsoMoment | None = None
    registered_on: IsoDate | None = None


class ReturnCreate(Strict):
    point: Place
    at: IsoMoment | None = None


class CancellationCreate(Strict):
    reason: str = Field(min_length=1, max_length=REASON_LENGTH)
    at: IsoMoment | None = None
    point: Place | None = None


class ExpiryCreate(Strict):
    at: IsoMoment | None = None


class StickerCreate(VehicleFacts):
    entering: Code


class EnforcementCreate(VehicleFacts):
    entering: Code
    note: str | None = Field(None, min_length=1, max_length=REASON_LENGTH)


class CrossingCreate(VehicleFacts):
    entering: Code | None = None
    leaving: Code | None = None
    mode: ModeWord = Mode.PASSENGER
    lane: str | None = Field(None, min_length=1, max_length=LANE_LENGTH)
    return_registration: bool = False
    read_id: int | None = Field(
        None, ge=1, le=2**31 - 1, description="The camera read the plate came from (settled: confirmed by an officer when it needed it)."
    )


class LoginCreate(Strict):
    name: str = Field(min_length=1, max_length=NAME_LENGTH)
    password: str = Field(min_length=1, max_length=200)


class PasswordChange(Strict):
    current: str = Field(min_length=1, max_length=200)
    new: str = Field(min_length=12, max_length=200)


class UserCreate(Strict):
    name: str = Field(min_length=1, max_length=NAME_LENGTH)
    role: RoleWord
    point: Place | None = None


class KeyCreate(Strict):
    user: str = Field(min_length=1, max_length=NAME_LENGTH)


# -------------------------------------------------------------------------------- outputs


class Problem(BaseModel):
    """An error, as RFC 9457 problem details; ``type`` is stable, ``detail`` says it for people."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    errors: list[dict[str, Any]] | None = None


class MoneyPublic(Public):
    amount: str
    currency: str


class AreaPublic(Public):
    code: str
    name: str
    territory: str


class PlatePublic(Public):
    canonical: str
    issuer: str
    area: AreaPublic | None
    kind: str
    format: str


class CandidatePublic(PlatePublic):
    score: int
    reasons: list[str]


class PlateReadingPublic(Public):
    text: str
    plate: PlatePublic | None
    ambiguous: bool
    candidates: list[CandidatePublic]


class RequirementPublic(Public):
    kind: str
    validity_days: int | None
    fee: MoneyPublic | None


class EnforcementPublic(Public):
    phase: str
    fine: MoneyPublic | None


class SourcePublic(Public):
    title: str
    url: str
    confidence: str


class RuleRefPublic(Public):
    id: str
    effective_from: str
    source: SourcePublic
    note: str | None


class RuleVersionRef(Public):
    id: str
    effective_from: str


class RegistrationPublic(Public):
    number: str
    plate: str
    issuer: str
    jurisdiction: str
    valid_from: Day
    valid_until: Day
    fee: MoneyPublic
    rule: RuleVersionRef
    issued_at: Moment
    issuing_point: str
    clerk: str
    status: RegistrationStatus
    status_reason: str | None
    holder: str | None


class RegistrationsPublic(Public):
    registrations: list[RegistrationPublic]
    next_cursor: str | None


class AuditEntryPublic(Public):
    at: Moment
    actor: str
    point: str | None
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    reason: str | None


class RegistrationWithAuditPublic(RegistrationPublic):
    audit: list[AuditEntryPublic]


class ExpiredPublic(Public):
    expired: int


class FreshnessPublic(Public):
    """At a site: when it last reached the centre."""

    site: str
    centre_last_reached: Moment | None
    age_seconds: int | None


class CheckPublic(Public):
    plate: PlatePublic
    entering: str | None
    leaving: str | None
    at: Moment
    requirement: RequirementPublic | None
    enforcement: EnforcementPublic | None
    rule: RuleRefPublic
    decision: Decision
    reasons: list[str]
    registration: RegistrationPublic | None
    freshness: FreshnessPublic | None = None


class VersionPublic(Public):
    effective_from: str
    status: str
    requirement: RequirementPublic | None
    enforcement: EnforcementPublic | None
    decision: str | None
    note: str | None
    source: SourcePublic


class RulePublic(Public):
    id: str
    jurisdiction: str
    direction: str
    description: str
    when: dict[str, str | list[str]]
    versions: list[VersionPublic]
    planned: list[VersionPublic]


class RulesPublic(Public):
    rules: list[RulePublic]


class RulingPublic(Public):
    vehicle: PlatePublic
    requirement: RequirementPublic | None
    enforcement: EnforcementPublic | None
    rule: RuleRefPublic


class PeriodPublic(Public):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    start: Moment = Field(alias="from")
    until: Moment | None


class ReciprocityPublic(Public):
    a: str
    b: str
    at: Moment
    symmetric: bool
    a_to_b: RulingPublic
    b_to_a: RulingPublic
    asymmetric_periods: list[PeriodPublic]


class ActionPublic(Public):
    kind: str
    plate: str
    jurisdiction: str
    at: Moment
    point: str
    officer: str
    rule: RuleVersionRef
    amount: MoneyPublic | None


class CrossingPublic(Public):
    id: int
    plate: str
    issuer: str
    point: str
    direction: str
    jurisdiction: str
    mode: str
    lane: str | None
    at: Moment
    decision: str
    officer: str


class CrossingRecordPublic(CrossingPublic):
    reasons: list[str]


class CrossingsPublic(Public):
    crossings: list[CrossingPublic]
    next_cursor: str | None


class CoordinatesPublic(Public):
    latitude: float
    longitude: float


class CrossingPointPublic(Public):
    id: str
    name: str
    names: dict[str, str]
    between: list[str]
    modes: list[str]
    location: str
    coordinates: CoordinatesPublic | None


class CrossingPointsPublic(Public):
    crossing_points: list[CrossingPointPublic]


class VerificationPublic(Public):
    """What anyone may learn of a registration: its number, plate, validity and status, nothing else."""

    number: str
    plate: str
    valid_from: Day
    valid_until: Day
    status: RegistrationStatus


class AuditRecordPublic(AuditEntryPublic):
    id: int
    origin: str
    seq: int
    entity: str
    entity_id: int


class AuditPublic(Public):
    records: list[AuditRecordPublic]
    next_cursor: str | None


class BreakPublic(Public):
    origin: str
    seq: int
    id: int | None
    kind: str
    detail: str


class HeadPublic(Public):
    seq: int
    hash: str


class ChainPublic(Public):
    origin: str
    records: int
    head: HeadPublic
    first_break: BreakPublic | None


class AuditVerificationPublic(Public):
    intact: bool
    checked: int
    chains: list[ChainPublic]


class ImportPublic(Public):
    imported: int
    vehicles_created: int
    file: str
    policy: str


class SessionPublic(Public):
    """The logged-in account, its CSRF token (send it as X-CSRF-Token with every write) and when the session ends."""

    name: str
    role: Role
    point: str | None
    password_must_change: bool
    csrf_token: str
    expires_at: Moment


class UserPublic(Public):
    name: str
    role: Role
    point: str | None
    password_must_change: bool
    created_at: Moment
    created_by: str
    disabled_at: Moment | None


class UsersPublic(Public):
    users: list[UserPublic]


class UserCreated(Public):
    """A new account and its one-time password, shown once."""

    name: str
    role: Role
    point: str | None
    password: str


class PasswordReset(Public):
    name: str
    password: str


class KeyPublic(Public):
    id: str
    user: str
    created_at: Moment
    created_by: str
    revoked_at: Moment | None
    revoked_by: str | None


class KeysPublic(Public):
    keys: list[KeyPublic]


class KeyCreated(Public):
    """A new API key, shown once: send it as ``Authorization: Bearer <key>``."""

    id: str
    user: str
    key: str
