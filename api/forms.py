"""Reading posted forms safely: a size limit, strict UTF-8, and CSRF tokens.

Form bodies are parsed here rather than by Starlette so that a body with bytes that are
not UTF-8 gives the customer their form back with a message, instead of silently turning
their comment into replacement characters (or failing with a 400 they cannot act on).
"""

import re
from collections.abc import AsyncGenerator, AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Annotated
from urllib.parse import unquote_to_bytes

from fastapi import Depends, HTTPException, Request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from api.settings import settings_of

CSRF_MAX_AGE_SECONDS = 12 * 3600
CSRF_FIELD = "csrf_token"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def without_controls(value: str) -> str:
    r"""Text without control characters other than tab and line breaks: nobody types them,
    and PostgreSQL refuses NUL in text (the insert would fail where SQLite stored it).

    >>> without_controls("窗口\x00只开一个\n\tA1\x1b")
    '窗口只开一个\n\tA1'
    """
    return _CONTROL.sub("", value)


LARGEST_ID = 2**31 - 1
"""The largest value of a PostgreSQL ``integer``, the type of every id column."""


def chosen_id(value: str) -> int:
    """The id a ``<select>`` sent, or 0 (which matches nothing, so the use case refuses it
    on its field) when the value is not a plausible id: not ASCII digits, or beyond the
    database's 32-bit id columns (which PostgreSQL would refuse with an error)."""
    value = value.strip()
    if not (value.isascii() and value.isdecimal() and len(value) < 12):
        return 0
    number = int(value)
    return number if number <= LARGEST_ID else 0


class RequestTooLarge(Exception):
    """The body is larger than the configured limit (413)."""


class UnsupportedForm(Exception):
    """The body is not a URL-encoded or multipart form (415)."""


class CsrfFailed(Exception):
    """The form's token is missing, forged, expired or from another browser (403)."""


@dataclass(frozen=True)
class UploadedFile:
    """A file of a multipart form, read into memory up to the route's per-file limit.

    ``truncated`` says the file was larger than the limit: ``data`` then holds only its
    first ``limit + 1`` bytes, enough for a size check to refuse it with a message. The
    browser's ``filename`` and ``content_type`` are kept for display only; never trust them.
    """

    filename: str
    content_type: str
    data: bytes
    truncated: bool = False


@dataclass(frozen=True)
class PostedForm:
    """Fields of a posted form; ``undecodable`` names fields whose bytes were not UTF-8.

    ``files`` holds the uploaded files by field name and ``too_large`` says the body was
    over the limit and not read (both only for forms read with :func:`read_upload_form`);
    a file input left empty is not listed.
    """

    fields: Mapping[str, str]
    undecodable: frozenset[str] = field(default_factory=frozenset)
    files: Mapping[str, tuple[UploadedFile, ...]] = field(default_factory=dict)
    too_large: bool = False

    def get(self, name: str, default: str = "") -> str:
        return self.fields.get(name, default)

    def files_of(self, name: str) -> tuple[UploadedFile, ...]:
        return tuple(self.files.get(name, ()))


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
        fields[name] = without_controls(value)
    return PostedForm(fields=fields, undecodable=frozenset(bad))


async def read_posted_form(request: Request) -> PostedForm:
    """Read the request body within the size limit and parse it as a form (no files)."""
    limit: int = settings_of(request).max_body_bytes
    return await _read_form(request, limit=limit, max_files=0, max_file_bytes=0)


async def read_upload_form(request: Request) -> PostedForm:
    """Like :func:`read_posted_form`, for forms with photos: files of up to
    ``max_upload_bytes`` each besides the fields, ``max_upload_files`` of them at their
    largest.

    A file over the per-file limit is kept truncated (see :class:`UploadedFile`), so the
    route gives the form back with a message next to the photo and every other value kept.
    A body over the whole limit (the fields plus every file at its largest) is not read
    further: the form comes back empty with ``too_large`` set, so the route can still show
    its form with a message (the fields are lost then, as the body was not read). How many
    files are too many is the route's rule (a few more parts than allowed are read, so it
    can say so on the form).
    """
    settings = settings_of(request)
    files: int = settings.max_upload_files
    per_file: int = settings.max_upload_bytes
    limit = settings.max_body_bytes + files * per_file
    try:
        return await _read_form(
            request, limit=limit, max_files=max(files, 20), max_file_bytes=per_file
        )
    except RequestTooLarge:
        return PostedForm(fields={}, too_large=True)


async def _read_form(
    request: Request, *, limit: int, max_files: int, max_file_bytes: int
) -> PostedForm:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdecimal() and int(declared) > limit:
        raise RequestTooLarge()
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        return await _read_multipart(
            request,
            limit=limit,
            max_files=max_files,
            max_file_bytes=max_file_bytes,
            max_part_size=settings_of(request).max_body_bytes,
        )
    if content_type not in ("application/x-www-form-urlencoded", ""):
        raise UnsupportedForm()
    chunks: list[bytes] = []
    async for chunk in _limited(request.stream(), limit):
        chunks.append(chunk)
    return parse_urlencoded(b"".join(chunks))


async def _limited(stream: AsyncIterator[bytes], limit: int) -> AsyncGenerator[bytes, None]:
    """The body's chunks, refusing it as soon as more than ``limit`` bytes arrived (also
    when no Content-Length was declared, as with a chunked upload)."""
    size = 0
    async for chunk in stream:
        size += len(chunk)
        if size > limit:
            raise RequestTooLarge()
        yield chunk


async def _read_multipart(
    request: Request, *, limit: int, max_files: int, max_file_bytes: int, max_part_size: int
) -> PostedForm:
    parser = MultiPartParser(
        request.headers,
        _limited(request.stream(), limit),
        max_files=max_files,
        max_fields=400,
        max_part_size=max_part_size,
    )
    try:
        form = await parser.parse()
    except MultiPartException as error:
        raise HTTPException(400, error.message) from error
    fields: dict[str, str] = {}
    files: dict[str, list[UploadedFile]] = {}
    try:
        for name, value in form.multi_items():
            if isinstance(value, str):
                fields[name] = without_controls(value)
                continue
            uploaded = await _read_upload(value, max_file_bytes)
            if uploaded is not None:
                files.setdefault(name, []).append(uploaded)
    finally:
        await form.close()
    return PostedForm(fields=fields, files={name: tuple(found) for name, found in files.items()})


async def _read_upload(upload: UploadFile, max_bytes: int) -> UploadedFile | None:
    """An uploaded file's bytes (at most ``max_bytes + 1``), or None for an empty file
    input (browsers send one with no name and no bytes)."""
    data = await upload.read(max_bytes + 1)
    if not data and not upload.filename:
        return None
    return UploadedFile(
        filename=(upload.filename or "")[:200],
        content_type=(upload.content_type or "")[:100],
        data=data[: max_bytes + 1],
        truncated=len(data) > max_bytes,
    )


PostedFormDep = Annotated[PostedForm, Depends(read_posted_form)]
UploadFormDep = Annotated[PostedForm, Depends(read_upload_form)]


def csrf_serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="manyi-csrf")


def csrf_token_for(request: Request) -> str:
    """The CSRF token for forms shown in reply to ``request``."""
    return make_csrf_token(settings_of(request).resolved_secret_key(), request.state.device_id)


def check_csrf(request: Request, form: PostedForm) -> None:
    """Raise :class:`CsrfFailed` unless the posted form carries this browser's token."""
    check_csrf_token(
        settings_of(request).resolved_secret_key(),
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
