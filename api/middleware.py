"""Per-request context set before routing: the language and the device cookie.

A pure ASGI middleware (not ``BaseHTTPMiddleware``, which costs a task per request).
"""

import secrets
from contextlib import suppress
from http.cookies import CookieError, SimpleCookie

from starlette.datastructures import Headers, MutableHeaders, QueryParams
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import i18n

LANG_COOKIE = "manyi_lang"
DEVICE_COOKIE = "manyi_device"
DEVICE_COOKIE_MAX_AGE = 400 * 24 * 3600
LANG_COOKIE_MAX_AGE = 365 * 24 * 3600


def _cookie(name: str, value: str, *, max_age: int, secure: bool) -> str:
    morsel = SimpleCookie()
    morsel[name] = value
    morsel[name]["path"] = "/"
    morsel[name]["max-age"] = max_age
    morsel[name]["httponly"] = True
    morsel[name]["samesite"] = "Lax"
    if secure:
        morsel[name]["secure"] = True
    return morsel.output(header="").strip()


class RequestContextMiddleware:
    """Sets ``request.state.locale`` and ``request.state.device_id``.

    The language comes from ``?lang=`` (remembered in a cookie), else the cookie, else
    ``Accept-Language``. Every browser gets a random device id in an HttpOnly cookie; it
    binds form tokens (CSRF) and recognises a repeated answer from the same phone.
    """

    def __init__(self, app: ASGIApp, *, secure_cookies: bool) -> None:
        self.app = app
        self.secure_cookies = secure_cookies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        cookies: dict[str, str] = {}
        if raw := headers.get("cookie"):
            parsed = SimpleCookie()
            with suppress(CookieError):  # a mangled cookie header counts as no cookies
                parsed.load(raw)
            cookies = {key: morsel.value for key, morsel in parsed.items()}
        set_cookies: list[str] = []

        requested = QueryParams(scope.get("query_string", b"")).get("lang")
        locale = i18n.normalise_locale(requested) if requested else None
        if locale is not None:
            if cookies.get(LANG_COOKIE) != locale:
                set_cookies.append(
                    _cookie(LANG_COOKIE, locale, max_age=LANG_COOKIE_MAX_AGE, secure=False)
                )
        else:
            locale = i18n.normalise_locale(cookies.get(LANG_COOKIE, "")) or i18n.negotiate_locale(
                headers.get("accept-language")
            )

        device_id = cookies.get(DEVICE_COOKIE, "")
        if not (
            16 <= len(device_id) <= 64 and device_id.replace("-", "").replace("_", "").isalnum()
        ):
            device_id = secrets.token_urlsafe(18)
            set_cookies.append(
                _cookie(
                    DEVICE_COOKIE,
                    device_id,
                    max_age=DEVICE_COOKIE_MAX_AGE,
                    secure=self.secure_cookies,
                )
            )
        state = scope.setdefault("state", {})
        state["locale"] = locale
        state["device_id"] = device_id
        state["cookies"] = cookies

        if not set_cookies:
            await self.app(scope, receive, send)
            return

        async def send_with_cookies(message: Message) -> None:
            if message["type"] == "http.response.start":
                response_headers = MutableHeaders(scope=message)
                for value in set_cookies:
                    response_headers.append("set-cookie", value)
            await send(message)

        await self.app(scope, receive, send_with_cookies)
