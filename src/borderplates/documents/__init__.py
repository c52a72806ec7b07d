"""Printed documents: the temporary registration certificate as a PDF with a signed QR code.

Documents are an interface: they render what the services decided and never decide
anything themselves. ``render_certificate`` takes a ``CertificateView`` of plain
values (names, local dates, money) and the verification URL for the QR code.
"""

from borderplates.documents.certificate import PAGE_SIZES, CertificateView, LegalBasis, PageSize, render_certificate

__all__ = ["PAGE_SIZES", "CertificateView", "LegalBasis", "PageSize", "render_certificate"]
