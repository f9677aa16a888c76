"""Reading posted forms safely: a size limit, strict UTF-8, and CSRF tokens.

Form bodies are parsed here rather than by Starlette so that a body with bytes that are
not UTF-8 gives the customer their form back with a message, instead of silently turning
their comment into replacement characters (or failing with a 400 they cannot act on).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated
from urllib.parse import unquote_to_bytes

from fastapi import Depends, Request
from itsdangerous import BadSignature, URLSafeTimedSerializer

CSRF_MAX_AGE_SECONDS = 12 * 3600
CSRF_FIELD = "csrf_token"


class RequestTooLarge(Exception):
    """The body is larger than the configured limit (413)."""


class UnsupportedForm(Exception):
    """The body is not a URL-encoded or multipart form (415)."""


class CsrfFailed(Exception):
    """The form's token is missing, forged, expired or from another browser (403)."""


@dataclass(frozen=True)
class PostedForm:
    """Fields of a posted form; ``undecodable`` names fields whose bytes were not UTF-8."""

    fields: Mapping[str, str]
    undecodable: frozenset[str] = field(default_factory=frozenset)

    def get(self, name: str, default: str = "") -> str:
        return self.fields.get(name, default)


def parse_urlencoded(body: bytes) -> PostedForm:
    """Parse ``application/x-www-form-urlencoded`` bytes; later duplicates of a name win.

    A value that is not valid UTF-8 is kept with replacement characters (so the customer
    sees what arrived) and its name is listed in ``undecodable``.
    """
    fields: dict[str, str] = {}
    bad: set[str] = set()
    for pair in body.split(b"&"):
        if not pair:
            continue
        raw_name, _, raw_value = pair.partition(b"=")
        name = unquote_to_bytes(raw_name.replace(b"+", b" ")).decode("utf-8", "replace")
        value_bytes = unquote_to_bytes(raw_value.replace(b"+", b" "))
        try:
            value = value_bytes.decode("utf-8")
        except UnicodeDecodeError:
            value = value_bytes.decode("utf-8", "replace")
            bad.add(name)
        fields[name] = value
    return PostedForm(fields=fields, undecodable=frozenset(bad))


async def read_posted_form(request: Request) -> PostedForm:
    """Read the request body within the size limit and parse it as a form."""
    limit: int = request.app.state.settings.max_body_bytes
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise RequestTooLarge()
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        form = await request.form(max_files=0, max_fields=400, max_part_size=limit)
        return PostedForm(fields={k: v for k, v in form.items() if isinstance(v, str)})
    if content_type not in ("application/x-www-form-urlencoded", ""):
        raise UnsupportedForm()
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise RequestTooLarge()
        chunks.append(chunk)
    return parse_urlencoded(b"".join(chunks))


PostedFormDep = Annotated[PostedForm, Depends(read_posted_form)]


def csrf_serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="manyi-csrf")


def csrf_token_for(request: Request) -> str:
    """The CSRF token for forms shown in reply to ``request``."""
    return make_csrf_token(
        request.app.state.settings.resolved_secret_key(), request.state.device_id
    )


def check_csrf(request: Request, form: PostedForm) -> None:
    """Raise :class:`CsrfFailed` unless the posted form carries this browser's token."""
    check_csrf_token(
        request.app.state.settings.resolved_secret_key(),
        request.state.device_id,
        form.get(CSRF_FIELD),
    )


def make_csrf_token(secret: str, device_id: str) -> str:
    """A token for forms shown to this browser (bound to its device cookie)."""
    return csrf_serializer(secret).dumps(device_id)


def check_csrf_token(secret: str, device_id: str, token: str) -> None:
    """Raise :class:`CsrfFailed` unless ``token`` was made for this browser recently."""
    try:
        bound_to = csrf_serializer(secret).loads(token, max_age=CSRF_MAX_AGE_SECONDS)
    except BadSignature as error:
        raise CsrfFailed() from error
    if bound_to != device_id:
        raise CsrfFailed()
