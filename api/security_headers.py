"""Headers every response carries so a browser limits what a page may do with it.

- ``Content-Security-Policy``: no page may be framed (``frame-ancestors 'none'``, so the
  complainant's confirm and reopen buttons cannot be clickjacked), no ``<base>`` may
  redirect relative links, forms post only to this site, no plugins. Scripts and styles
  are not restricted by source yet: pages carry small inline scripts and the charts' Vega
  compiles expressions at run time; a nonce-based ``script-src`` is the next step.
- ``X-Frame-Options: DENY`` for browsers that predate ``frame-ancestors``.
- ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: same-origin``: a case link
  or a survey token in the address never leaves in a ``Referer`` to another site.
- ``Cache-Control: no-store`` on staff and complainant pages (what managers read holds
  complainants' text), unless the route chose its own caching.

A pure ASGI middleware; a header a route set itself is left as it is.
"""

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = (
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
)
ALWAYS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}
PRIVATE_PREFIXES = (
    "/manager",
    "/admin",
    "/regulator",
    "/supervisor",
    "/account",
    "/welcome",
    "/c/",
    "/api/",
)
"""Paths whose pages are for one person: never kept by a browser or a proxy."""


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        private = str(scope.get("path", "")).startswith(PRIVATE_PREFIXES)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in ALWAYS.items():
                    if name not in headers:
                        headers.append(name, value)
                if private and "cache-control" not in headers:
                    headers.append("cache-control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)
