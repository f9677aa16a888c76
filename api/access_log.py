"""The access log: one line per request with the method, the path with its secrets left
out, the status and the time taken; never the client's address or the query string.

Uvicorn's own access log prints both, and a path can be a secret: a complainant's case
link (``/c/…``), a one-time account link (``/welcome/…``), a survey or display token, a
rotating code's signature in the query. ``manyi serve`` turns uvicorn's log off and
this one on (logger ``manyi.access``, level INFO).
"""

import logging
import re
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger("manyi.access")
SECRET_PATHS = re.compile(r"^/(s|c|welcome|display)/[^/]+")


def loggable_path(path: str) -> str:
    """``path`` with the token of a survey, case, account or display link replaced."""
    return SECRET_PATHS.sub(lambda m: f"/{m.group(1)}/…", path)


class AccessLogMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not logger.isEnabledFor(logging.INFO):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            took = (time.perf_counter() - started) * 1000
            logger.info(
                "%s %s %d %.0f ms",
                scope.get("method", ""),
                loggable_path(str(scope.get("path", ""))),
                status,
                took,
            )
