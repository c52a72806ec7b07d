"""Security headers on every response, added by a plain ASGI middleware (no per-request objects)."""

from __future__ import annotations

from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: For JSON answers: nothing may be loaded, framed or cached.
API_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cache-Control": "no-store",
}


def encoded(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    return [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()]


class SecurityHeaders:
    """Adds ``headers`` to every HTTP response, or ``page_headers`` to the paths of ``pages`` (the interactive docs), unless the response set them."""

    def __init__(self, app: ASGIApp, *, headers: dict[str, str], page_headers: dict[str, str], pages: Iterable[str]) -> None:
        self.app = app
        self.headers = encoded(headers)
        self.page_headers = encoded(page_headers)
        self.pages = tuple(pages)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = self.page_headers if scope["path"].startswith(self.pages) else self.headers

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                # A response that sets one of these headers itself (the web pages' policy, a public document's caching) keeps its own.
                own = message.get("headers", ())
                names = {name for name, _ in own}
                message["headers"] = [*own, *(header for header in extra if header[0] not in names)]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class TooLargeAsProblem:
    """The request body limit answers 413 in plain text from outside the app's error handlers; this makes it a problem, as every error is."""

    def __init__(self, app: ASGIApp, *, body: bytes) -> None:
        self.app = app
        self.body = body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        replacing = False

        async def send_problem(message: Message) -> None:
            nonlocal replacing
            if message["type"] == "http.response.start" and message["status"] == 413:
                headers = dict(message.get("headers", ()))
                if headers.get(b"content-type", b"").startswith(b"text/plain"):
                    replacing = True
                    message = {**message, "headers": [(b"content-type", b"application/problem+json"), (b"content-length", str(len(self.body)).encode())]}
            elif message["type"] == "http.response.body" and replacing:
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": self.body}
            await send(message)

        await self.app(scope, receive, send_problem)
