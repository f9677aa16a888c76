"""The customers' comments of a scope, newest first, for the managers' comments page.

A page is read with keyset pagination on ``(submitted_at, id)`` descending: the page after
a given one starts strictly below the last comment shown, so it costs the same however deep
the reader goes, and a comment that arrives meanwhile neither repeats nor hides another one.
Nothing counts the whole scope: a campaign may hold a million responses, and the page reads
only as many rows as it shows (plus one, to know whether an older page exists).

The "low score" rule the page shows and filters by is spelled out in
:func:`customer_comments`.
"""

import base64
import binascii
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Final

from sqlalchemy import ColumnElement, func, literal_column
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from survey.models import (
    Counter,
    InstrumentItem,
    ResponseAnswer,
    Site,
    StaffMember,
    SurveyResponse,
)
from survey.stats.layouts import InstrumentLayout, instrument_layout
from survey.stats.reports import Scope, get_campaign_in_scope, scope_conditions

MAX_PAGE_SIZE: Final = 200
"""The largest ``limit`` a page may ask for."""

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_CURSOR_TEXT: Final = re.compile(r"([0-9]{1,19})\.([0-9]{1,19})")
_MAX_CURSOR_LENGTH: Final = 64


class InvalidCursor(ValueError):
    """A ``before`` cursor that this module did not make (mistyped, truncated or forged)."""


class UnknownDimension(ValueError):
    """A ``low_dimension`` that is not a dimension code of the campaign's instrument."""


@dataclass(frozen=True)
class CustomerComment:
    """One customer's comment with where, when and how they answered.

    ``low_dimensions`` are the dimension codes, in the instrument's order, on which this
    respondent's perception was low (see :func:`customer_comments` for the rule).
    ``staff_member_id`` and ``staff_name`` are ``None`` for a link without a clerk.
    """

    response_id: int
    submitted_at: datetime
    site_id: int
    site_name: str
    counter_id: int
    counter_name: str
    staff_member_id: int | None
    staff_name: str | None
    locale: str
    overall: int | None
    comment: str
    low_dimensions: tuple[str, ...]


@dataclass(frozen=True)
class CommentPage:
    """A page of comments, newest first.

    ``next_before`` is the opaque cursor to pass as ``before`` for the next (older) page;
    ``None`` when this page holds the oldest comment of the scope.
    """

    comments: tuple[CustomerComment, ...]
    next_before: str | None


def encode_cursor(submitted_at: datetime, response_id: int) -> str:
    """The cursor of a comment: "older than this one" for the next page.

    Exact to the microsecond (both databases keep microseconds), URL-safe, and opaque to
    callers: only :func:`decode_cursor` reads it.
    """
    micros = (submitted_at - _EPOCH) // timedelta(microseconds=1)
    raw = f"{micros}.{response_id}".encode("ascii")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """The ``(submitted_at, response_id)`` a cursor stands for; InvalidCursor if malformed.

    Any text may arrive here from a query string, so every way of being wrong (bad base64,
    not ASCII, wrong shape, a date out of range) becomes one clear :class:`InvalidCursor`.
    """
    if not cursor or len(cursor) > _MAX_CURSOR_LENGTH:
        raise InvalidCursor("invalid page cursor; start again from the first page")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        match = _CURSOR_TEXT.fullmatch(raw.decode("ascii"))
        if match is None:
            raise ValueError(cursor)
        submitted_at = _EPOCH + timedelta(microseconds=int(match.group(1)))
        response_id = int(match.group(2))
    except (binascii.Error, UnicodeDecodeError, ValueError, OverflowError) as error:
        raise InvalidCursor("invalid page cursor; start again from the first page") from error
    return submitted_at, response_id


def customer_comments(
    session: Session,
    scope: Scope,
    *,
    search: str | None = None,
    low_dimension: str | None = None,
    before: str | None = None,
    limit: int = 25,
    timezone: tzinfo = UTC,
) -> CommentPage:
    """A page of the non-empty customer comments in ``scope``, newest first.

    A respondent's score on a dimension is **low** when the mean of their perception
    answers on that dimension's items is below the midpoint of the answer scale,
    ``(scale_min + scale_max) / 2``: below 4 on a 1–7 scale, so perceptions 3 and 4
    (mean 3.5) are low and 4 and 4 are not. Blank answers and items not asked are left
    out of the mean; a dimension with no perception answer at all is not low. Expectations
    (and, in three-column campaigns, the minimum and desired levels) play no part: the
    rule reads what the customer experienced. The comparison is exact (in integers), so
    a mean exactly at the midpoint is never low.

    Parameters
    ----------
    search
        Keeps comments containing this text, ignoring case (surrounding spaces are
        dropped; empty means no search). ``%``, ``_`` and every other character match
        themselves. Case is ignored for ASCII letters on SQLite and for all letters on
        PostgreSQL; Chinese has no case and matches as typed.
    low_dimension
        Keeps comments whose respondent scored low on this dimension (a code of the
        campaign's instrument, else :class:`UnknownDimension`).
    before
        ``next_before`` of the previous page; ``None`` for the newest page. A cursor this
        module did not make raises :class:`InvalidCursor`.
    limit
        Comments per page, 1 to :data:`MAX_PAGE_SIZE`.
    timezone
        The zone in which ``scope.since``/``scope.until`` (first days of local months,
        ``until`` excluded) are read.

    Raises
    ------
    NotFound
        The campaign does not exist or belongs to an organisation outside the scope.
    UnknownDimension, InvalidCursor, ValueError
        A bad ``low_dimension``, ``before`` or ``limit``.
    """
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValueError(f"limit must be between 1 and {MAX_PAGE_SIZE}")
    position = decode_cursor(before) if before is not None else None
    campaign = get_campaign_in_scope(session, scope)
    instrument = instrument_layout(session, campaign.instrument_id)
    layout = instrument.layout
    if low_dimension is not None and low_dimension not in layout.dimension_codes:
        raise UnknownDimension(f"unknown dimension {low_dimension!r}")

    response = SurveyResponse
    conditions = scope_conditions(scope, timezone)
    # A literal, not a bound parameter, so that a partial index "WHERE comment <> ''" can
    # serve the query (neither database matches a parameter against an index predicate).
    conditions.append(col(response.comment) != literal_column("''"))
    if search is not None and search.strip():
        conditions.append(col(response.comment).icontains(search.strip(), autoescape=True))
    if position is not None:
        at, response_id = position
        conditions.append(col(response.submitted_at) <= at)
        conditions.append((col(response.submitted_at) < at) | (col(response.id) < response_id))
    if low_dimension is not None:
        conditions.append(_is_low(instrument, low_dimension))

    rows = session.execute(
        sa_select(
            col(response.id),
            col(response.submitted_at),
            col(response.site_id),
            col(Site.name),
            col(response.counter_id),
            col(Counter.name),
            col(response.staff_member_id),
            col(StaffMember.display_name),
            col(response.locale),
            col(response.overall),
            col(response.comment),
        )
        .join(Site, col(Site.id) == col(response.site_id))
        .join(Counter, col(Counter.id) == col(response.counter_id))
        .outerjoin(StaffMember, col(StaffMember.id) == col(response.staff_member_id))
        .where(*conditions)
        .order_by(col(response.submitted_at).desc(), col(response.id).desc())
        .limit(limit + 1)
    ).all()
    shown = rows[:limit]
    low = _low_dimensions(session, instrument, [int(row[0]) for row in shown])
    comments = tuple(
        CustomerComment(
            response_id=int(row[0]),
            submitted_at=row[1],
            site_id=int(row[2]),
            site_name=str(row[3]),
            counter_id=int(row[4]),
            counter_name=str(row[5]),
            staff_member_id=None if row[6] is None else int(row[6]),
            staff_name=None if row[7] is None else str(row[7]),
            locale=str(row[8]),
            overall=None if row[9] is None else int(row[9]),
            comment=str(row[10]),
            low_dimensions=low.get(int(row[0]), ()),
        )
        for row in shown
    )
    next_before = None
    if len(rows) > limit:
        last = comments[-1]
        next_before = encode_cursor(last.submitted_at, last.response_id)
    return CommentPage(comments=comments, next_before=next_before)


def _twice_midpoint(instrument: InstrumentLayout) -> int:
    """``scale_min + scale_max``: twice the scale's midpoint, kept whole for exact tests."""
    low, high = instrument.layout.scale
    return low + high


def _is_low(instrument: InstrumentLayout, dimension_code: str) -> ColumnElement[bool]:
    """A correlated test: the response's mean perception on the dimension is low.

    ``mean < (min + max) / 2`` is tested as ``2·sum − (min + max)·count < 0`` so that no
    database rounds it; with no perception answered the sum is NULL and the test false.
    The dimension's item ids come from the instrument, so each response costs a few
    primary-key lookups in ``response_answers`` and no join.
    """
    layout = instrument.layout
    codes = set(layout.dimension(dimension_code).items)
    item_ids = sorted(
        item_id
        for item_id, column in instrument.column_of_item.items()
        if layout.items[column] in codes
    )
    perception = col(ResponseAnswer.perception)
    margin = (
        sa_select(2 * func.sum(perception) - _twice_midpoint(instrument) * func.count(perception))
        .where(
            col(ResponseAnswer.response_id) == col(SurveyResponse.id),
            col(ResponseAnswer.item_id).in_(item_ids),
        )
        .correlate(SurveyResponse)
        .scalar_subquery()
    )
    return margin < 0


def _low_dimensions(
    session: Session, instrument: InstrumentLayout, response_ids: Sequence[int]
) -> dict[int, tuple[str, ...]]:
    """The low dimensions of each response, in instrument order (one grouped query)."""
    if not response_ids:
        return {}
    perception = col(ResponseAnswer.perception)
    rows = session.execute(
        sa_select(
            col(ResponseAnswer.response_id),
            col(InstrumentItem.dimension_code),
            func.sum(perception),
            func.count(perception),
        )
        .join(InstrumentItem, col(InstrumentItem.id) == col(ResponseAnswer.item_id))
        .where(col(ResponseAnswer.response_id).in_(response_ids))
        .group_by(col(ResponseAnswer.response_id), col(InstrumentItem.dimension_code))
    ).all()
    twice_midpoint = _twice_midpoint(instrument)
    low: dict[int, set[str]] = {}
    for response_id, code, total, count in rows:
        if count and 2 * int(total) < twice_midpoint * int(count):
            low.setdefault(int(response_id), set()).add(str(code))
    order = instrument.layout.dimension_codes
    return {
        response_id: tuple(code for code in order if code in codes)
        for response_id, codes in low.items()
    }
