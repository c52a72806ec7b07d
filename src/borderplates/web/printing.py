"""The certificate as printed from the pages and the API: in a language, with the QR code's address at the public address."""

from __future__ import annotations

from fastapi import Request

from borderplates import documents
from borderplates.services import certificates
from borderplates.settings import Settings
from borderplates.web.i18n import BORDER_TIME, Language


def public_base_url(settings: Settings, request: Request) -> str:
    """The address the QR code points at: the configured public address, else the one this request came to."""
    if "public_base_url" in settings.model_fields_set:
        return settings.public_base_url
    return f"{request.url.scheme}://{request.url.netloc}"


def certificate_pdf(certificate: certificates.Certificate, language: Language, page_size: documents.PageSize) -> bytes:
    """The certificate's PDF in ``language``: names of places and jurisdictions in it, labels from its catalogue."""
    registration = certificate.registration
    view = documents.CertificateView(
        number=registration.number,
        plate=registration.plate,
        issuer_name=language.jurisdiction_name(registration.issuer),
        jurisdiction_name=language.jurisdiction_name(registration.jurisdiction),
        valid_from=registration.valid_from,
        valid_until=registration.valid_until,
        fee=registration.fee,
        issuing_point=language.place_name(registration.issuing_point),
        clerk=registration.clerk,
        legal_basis=documents.LegalBasis(registration.rule_id, certificate.source_title, certificate.source_url),
        issued_at=registration.issued_at.astimezone(BORDER_TIME),
        holder=registration.holder,
    )
    return documents.render_certificate(
        view, qr_url=certificate.url, page_size=page_size, translate=language.gettext, date_text=language.date, money_text=language.money
    )
