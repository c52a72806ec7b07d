"""The interactive API documentation at ``/docs``, served from the Swagger UI files shipped in a Python package (no CDN).

Its one inline script is allowed by its hash in the page's Content-Security-Policy;
nothing else inline runs.
"""

from __future__ import annotations

import base64
import hashlib
import re

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from starlette.responses import HTMLResponse
from starlette.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path  # type: ignore[import-untyped]  # the package ships no type hints

DOCS = "/docs"
ASSETS = "/docs/assets"


def page() -> tuple[bytes, str]:
    """The docs page and the CSP hash of its inline script."""
    html = get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="borderplates API",
        swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS}/swagger-ui.css",
        swagger_favicon_url=f"{ASSETS}/favicon-32x32.png",
        swagger_ui_parameters={"persistAuthorization": False, "withCredentials": True},
    ).body
    scripts = re.findall(rb"<script>(.*?)</script>", html, flags=re.DOTALL)
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(script).digest()).decode()}'" for script in scripts)
    return bytes(html), hashes


def page_headers(script_hashes: str, api_headers: dict[str, str]) -> dict[str, str]:
    """The API's security headers, with a Content-Security-Policy that lets the docs page run."""
    policy = (
        f"default-src 'none'; script-src 'self' {script_hashes}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    )
    return {**api_headers, "Content-Security-Policy": policy, "Cache-Control": "no-cache"}


def install(app: FastAPI, html: bytes) -> None:
    """Serve the docs page and its assets."""
    app.mount(ASSETS, StaticFiles(directory=str(swagger_ui_path)), name="docs-assets")

    async def docs() -> HTMLResponse:
        return HTMLResponse(html)

    app.add_api_route(DOCS, docs, include_in_schema=False)
