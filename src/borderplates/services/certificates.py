"""Certificates of temporary registrations: signing the token a paper carries, and checking a paper online.

A certificate is printed for an active registration, with a QR code holding the
address of ``/verify/{number}`` and a token signed by this site's current key
(:mod:`borderplates.tokens`): anyone holding the public keys can check it with no
network. Online, :func:`check_certificate` checks the token's signature and then
asks the registry, which knows what a paper cannot: a cancelled or returned
registration shows as such whatever its token says.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from borderplates import tokens
from borderplates.errors import ConflictError, NotFound
from borderplates.model import Registration
from borderplates.registry import Database
from borderplates.registry.numbers import compact_number
from borderplates.services import inputs
from borderplates.services import law as law_services
from borderplates.services.actors import Actor, Permission, authorise
from borderplates.services.registrations import show_registration
from borderplates.services.verification import PublicRegistration, verify_registration
from borderplates.vocabulary import RegistrationStatus


@dataclass(frozen=True, slots=True)
class Certificate:
    """What a printed certificate carries: the registration, its signed token, the QR code's address, and the legal basis."""

    registration: Registration
    token: str
    url: str
    source_title: str
    source_url: str


def certify(number: str, at: dt.datetime, *, actor: Actor, keys: tokens.KeyStore, public_base_url: str, db: Database) -> Certificate:
    """The certificate of the active registration ``number``, its token signed at ``at`` with the site's current key."""
    at = inputs.moment(at)
    authorise(actor, Permission.ISSUE)
    registration, _ = show_registration(number, actor=actor, db=db)
    if registration.status != RegistrationStatus.ACTIVE or registration.valid_until < inputs.local_day(at, registration.jurisdiction):
        shown = RegistrationStatus.EXPIRED if registration.status == RegistrationStatus.ACTIVE else registration.status
        raise ConflictError(f"registration {registration.number} is {shown}: no certificate is printed for it")
    claims = tokens.RegistrationClaims(
        registration.number, registration.plate, registration.issuer, registration.jurisdiction, registration.valid_from, registration.valid_until
    )
    token = tokens.sign_registration(claims, keys.signing_key(), at)
    title, url = legal_source(registration)
    return Certificate(registration, token, tokens.verification_url(public_base_url, registration.number, token), title, url)


def legal_source(registration: Registration) -> tuple[str, str]:
    """The title and address of the legal source of the rule version a registration was issued under."""
    for rule in law_services.current_law().rules:
        if rule.id == registration.rule_id:
            for version in rule.versions:
                if version.id == registration.rule_version:
                    return version.source.title, version.source.url
    return f"rule {registration.rule_id}, version of {registration.rule_version}", ""


class Standing(StrEnum):
    """What the verification page says of a paper."""

    VALID = "valid"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    CANCELLED = "cancelled"
    RETURNED = "returned"
    INVALID = "invalid"
    """The token is not authentic (altered, unknown key) or contradicts the registry."""
    UNKNOWN = "unknown"
    """Neither the registry nor a token knows the number."""


@dataclass(frozen=True, slots=True)
class Verdict:
    """The answer of the public verification page: the standing, and the plate and dates when they are known."""

    standing: Standing
    number: str
    plate: str | None = None
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    signed: bool = False
    """Whether a token with a good signature was shown."""
    in_registry: bool = False
    problem: str | None = None
    """Why a token was refused (one of :class:`borderplates.tokens.Problem`)."""


_BY_STATUS = {
    RegistrationStatus.ACTIVE: Standing.VALID,
    RegistrationStatus.EXPIRED: Standing.EXPIRED,
    RegistrationStatus.CANCELLED: Standing.CANCELLED,
    RegistrationStatus.RETURNED: Standing.RETURNED,
}


def check_certificate(number: str, token: str | None, at: dt.datetime, *, trusted: tokens.KeySet, db: Database) -> Verdict:
    """Check a paper online: the token's signature when one is given, then the registry (a cancelled or returned registration wins)."""
    at = inputs.moment(at)
    compact = compact_number(number)
    try:
        public: PublicRegistration | None = verify_registration(compact, at, db=db)
    except NotFound:
        public = None
    if token is None:
        if public is None:
            return Verdict(Standing.UNKNOWN, compact)
        return _from_registry(public, Verdict(Standing.VALID, compact, signed=False, in_registry=True))
    try:
        verified = tokens.verify(token, trusted, at)
    except tokens.InvalidToken as refused:
        if refused.authentic is None:
            return Verdict(Standing.INVALID, compact, problem=str(refused.problem))
        verified = refused.authentic
        standing = Standing.EXPIRED if refused.problem == tokens.Problem.EXPIRED else Standing.NOT_YET_VALID
    else:
        standing = Standing.VALID
    claims = verified.claims
    if compact_number(claims.number) != compact:
        return Verdict(Standing.INVALID, compact, problem=str(tokens.Problem.WRONG_NUMBER))
    said = Verdict(standing, compact, claims.plate, claims.valid_from, claims.valid_until, signed=True, in_registry=public is not None)
    if public is None:
        return said
    if (public.plate, public.valid_from, public.valid_until) != (claims.plate, claims.valid_from, claims.valid_until):
        return Verdict(Standing.INVALID, compact, in_registry=True, problem="differs_from_registry")
    if standing == Standing.NOT_YET_VALID and public.status == RegistrationStatus.ACTIVE:
        return said
    return _from_registry(public, said)


def _from_registry(public: PublicRegistration, said: Verdict) -> Verdict:
    return Verdict(_BY_STATUS[public.status], said.number, public.plate, public.valid_from, public.valid_until, said.signed, True, said.problem)
