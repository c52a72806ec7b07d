"""The public keys that verify certificate tokens, and a registration's certificate as a PDF.

``GET /keys/public`` is the JSON Web Key Set (RFC 7517) of every key this site
trusts to sign certificates, for verifiers that work offline: public, and cached
for an hour. ``GET /registrations/{number}/certificate`` is the printable PDF.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from borderplates import tokens
from borderplates.api.deps import CurrentActor, ServedDep
from borderplates.services import certificates
from borderplates.web import i18n
from borderplates.web.pages import web_state
from borderplates.web.printing import certificate_pdf, public_base_url

router = APIRouter(tags=["certificates"])
JWK_SET = "application/jwk-set+json"
#: Seconds a verifier may keep the key set (a new key signs only after it has been published for this long at most).
KEYS_MAX_AGE = 3600
_JWK_SET_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["keys"],
    "properties": {
        "keys": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["kty", "crv", "x", "y", "kid", "alg", "use"],
                "properties": {name: {"type": "string"} for name in ("kty", "crv", "x", "y", "kid", "alg", "use")},
            },
        }
    },
}


@router.get(
    "/keys/public",
    response_class=Response,
    responses={200: {"description": "The JSON Web Key Set of the keys that sign certificate tokens.", "content": {JWK_SET: {"schema": _JWK_SET_SCHEMA}}}},
)
def public_keys(served: ServedDep) -> Response:
    """Every public key this site trusts to sign certificate tokens, as a JSON Web Key Set. Public."""
    document = tokens.KeyStore(served.settings.data_dir / "keys").key_set().as_jwks()
    body = json.dumps(document, separators=(",", ":")).encode("utf-8")
    return Response(body, media_type=JWK_SET, headers={"Cache-Control": f"public, max-age={KEYS_MAX_AGE}"})


@router.get(
    "/registrations/{number}/certificate",
    response_class=Response,
    responses={200: {"description": "The certificate, one page.", "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}},
)
def certificate(
    number: Annotated[str, Path(max_length=20, description="A registration number, e.g. K7QM-4TXR-M.")],
    request: Request,
    actor: CurrentActor,
    served: ServedDep,
    size: Annotated[Literal["A5", "A4"], Query(description="The paper size.")] = "A5",
    lang: Annotated[Literal["en", "sq", "sr-Latn", "sr-Cyrl"], Query(description="The language of the labels.")] = "en",
) -> Response:
    """The printable certificate of an active registration, with its signed QR code (clerks and supervisors)."""
    keys = tokens.KeyStore(served.settings.data_dir / "keys")
    issued = certificates.certify(
        number, web_state(request).clock.now(), actor=actor, keys=keys, public_base_url=public_base_url(served.settings, request), db=served.db
    )
    language = i18n.by_code(lang) or i18n.DEFAULT
    pdf = certificate_pdf(issued, language, size)
    return Response(pdf, media_type="application/pdf", headers={"Content-Disposition": f'inline; filename="certificate-{issued.registration.number}.pdf"'})
