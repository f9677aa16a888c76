"""The managers' comments page: order, keyset pages, search, scope and the low-score rule."""

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, col, select

from survey.errors import NotFound
from survey.models import (
    CampaignMode,
    Instrument,
    InstrumentItem,
    ResponseAnswer,
    SurveyResponse,
)
from survey.places.organisations import create_counter, create_site, create_staff_member
from survey.stats.comments import (
    CommentPage,
    InvalidCursor,
    UnknownDimension,
    customer_comments,
    decode_cursor,
    encode_cursor,
)
from survey.stats.reports import Scope
from tests.factories import FixedClock, Place, make_place

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)

Answers = Mapping[str, Sequence[int | None]]
"""Perceptions per dimension code, given to the dimension's first items (others not asked)."""


@dataclass
class Writer:
    """Adds hand-made responses to one place's campaign."""

    session: Session
    place: Place
    items: dict[str, list[int]]
    serial: int = 0

    def add(
        self,
        *,
        at: datetime,
        comment: str = "",
        perceptions: Answers | None = None,
        expectation: int | None = None,
        minimum: int | None = None,
        desired: int | None = None,
        site_id: int | None = None,
        counter_id: int | None = None,
        staff_member_id: int | None = None,
        without_clerk: bool = False,
        locale: str = "zh_Hans",
        overall: int | None = 4,
    ) -> int:
        """Store one response; every dimension not in ``perceptions`` is answered 6 (not low).

        The clerk is the place's unless ``staff_member_id`` names another or ``without_clerk``.
        """
        place = self.place
        self.serial += 1
        assert place.campaign.id is not None and place.staff.id is not None
        assert place.link.id is not None and place.organisation.id is not None
        assert place.site.id is not None and place.counter.id is not None
        response = SurveyResponse(
            submission_key=f"key-{place.campaign.id}-{self.serial}",
            link_id=place.link.id,
            campaign_id=place.campaign.id,
            instrument_id=place.campaign.instrument_id,
            organisation_id=place.organisation.id,
            site_id=site_id if site_id is not None else place.site.id,
            counter_id=counter_id if counter_id is not None else place.counter.id,
            staff_member_id=None if without_clerk else staff_member_id or place.staff.id,
            submitted_at=at,
            locale=locale,
            overall=overall,
            comment=comment,
            device_hash=f"device-{self.serial}",
            client_hash=f"client-{self.serial}",
        )
        self.session.add(response)
        self.session.flush()
        assert response.id is not None
        given = dict(perceptions or {})
        for code, item_ids in self.items.items():
            values = given.get(code, [6] * len(item_ids))
            for item_id, perception in zip(item_ids, values, strict=False):
                self.session.add(
                    ResponseAnswer(
                        response_id=response.id,
                        item_id=item_id,
                        expectation=expectation,
                        perception=perception,
                        minimum=minimum,
                        desired=desired,
                    )
                )
        self.session.commit()
        return response.id


def writer_for(session: Session, place: Place) -> Writer:
    items: dict[str, list[int]] = {}
    for item_id, dimension in session.exec(
        select(InstrumentItem.id, InstrumentItem.dimension_code)
        .where(InstrumentItem.instrument_id == place.campaign.instrument_id)
        .order_by(col(InstrumentItem.position))
    ).all():
        assert item_id is not None
        items.setdefault(dimension, []).append(item_id)
    return Writer(session, place, items)


def scope_of(place: Place, **narrowing: Any) -> Scope:
    assert place.campaign.id is not None and place.organisation.id is not None
    return Scope(place.campaign.id, (place.organisation.id,), **narrowing)


def ids(page: CommentPage) -> list[int]:
    return [c.response_id for c in page.comments]


@pytest.fixture
def place(session: Session, clock: FixedClock) -> Place:
    return make_place(session, now=clock())


@pytest.fixture
def writer(session: Session, place: Place) -> Writer:
    return writer_for(session, place)


def test_comments_come_newest_first_without_empty_comments(
    session: Session, place: Place, writer: Writer
) -> None:
    """Only responses with a comment are listed, the most recent first, with their place."""
    oldest = writer.add(at=T0, comment="排队时间有点长。", overall=2)
    writer.add(at=T0 + timedelta(hours=1), comment="")
    newest = writer.add(at=T0 + timedelta(hours=3), comment="Very helpful", locale="en")
    middle = writer.add(at=T0 + timedelta(hours=2), comment="OK", without_clerk=True)
    writer.add(at=T0 + timedelta(hours=4))

    page = customer_comments(session, scope_of(place))

    assert ids(page) == [newest, middle, oldest]
    assert page.next_before is None
    first = page.comments[0]
    assert first.submitted_at == T0 + timedelta(hours=3)
    assert first.submitted_at.tzinfo is not None
    assert (first.site_id, first.site_name) == (place.site.id, "Hall org-a")
    assert (first.counter_id, first.counter_name) == (place.counter.id, "Window A1")
    assert (first.staff_member_id, first.staff_name) == (place.staff.id, "李娜")
    assert (first.locale, first.overall, first.comment) == ("en", 4, "Very helpful")
    assert page.comments[1].staff_member_id is None
    assert page.comments[1].staff_name is None
    assert page.comments[2].overall == 2


def test_keyset_pages_cover_every_comment_once_when_times_tie(
    session: Session, place: Place, writer: Writer
) -> None:
    """Paging by cursor lists each comment exactly once, in (time, id) order, even when
    responses share a timestamp and a new comment arrives while the reader pages."""
    tied = T0 + timedelta(minutes=5)
    times = [T0, tied, tied, tied, T0 + timedelta(minutes=1), T0 + timedelta(minutes=9), T0]
    written = [writer.add(at=at, comment=f"comment {i}") for i, at in enumerate(times)]
    expected = [i for _, i in sorted(zip(times, written, strict=True), reverse=True)]

    seen: list[int] = []
    before: str | None = None
    for page_number in range(10):
        page = customer_comments(session, scope_of(place), before=before, limit=2)
        assert 1 <= len(page.comments) <= 2
        seen += ids(page)
        if page_number == 0:  # a newer comment must not shift the pages already cut
            writer.add(at=T0 + timedelta(hours=1), comment="arrived while paging")
        if page.next_before is None:
            break
        before = page.next_before
    assert seen == expected
    assert len(set(seen)) == len(seen)


def test_the_last_full_page_offers_no_empty_next_page(
    session: Session, place: Place, writer: Writer
) -> None:
    """With exactly two pages of comments, the second has no 'older' cursor."""
    for minute in range(4):
        writer.add(at=T0 + timedelta(minutes=minute), comment=f"c{minute}")
    first = customer_comments(session, scope_of(place), limit=2)
    assert first.next_before is not None
    second = customer_comments(session, scope_of(place), limit=2, before=first.next_before)
    assert len(second.comments) == 2
    assert second.next_before is None


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("long", ["Queue was LONG", "long wait"]),
        ("  LONG  ", ["Queue was LONG", "long wait"]),
        ("100%", ["100% happy"]),
        ("a_b", ["a_b"]),
        ("_", ["a_b"]),
        ("排队", ["排队时间有点长。"]),
        ("服務", ["服務態度很好"]),
        ("\\", ["back\\slash"]),
        ("/", ["path/x"]),
        ("nothing like this", []),
    ],
)
def test_search_ignores_case_and_takes_wildcards_literally(
    session: Session, place: Place, writer: Writer, search: str, expected: list[str]
) -> None:
    """The manager's text is searched as typed: ``%``, ``_`` and escape characters are
    plain characters, letters match in either case, Chinese matches."""
    comments = [
        "Queue was LONG",
        "long wait",
        "100% happy",
        "1000 happy",
        "a_b",
        "axb",
        "排队时间有点长。",
        "服務態度很好",
        "back\\slash",
        "path/x",
        "pathx",
    ]
    for minute, text in enumerate(comments):
        writer.add(at=T0 - timedelta(minutes=minute), comment=text)

    page = customer_comments(session, scope_of(place), search=search)

    assert [c.comment for c in page.comments] == expected


def test_a_blank_search_lists_everything(session: Session, place: Place, writer: Writer) -> None:
    writer.add(at=T0, comment="one")
    writer.add(at=T0 + timedelta(seconds=1), comment="two")
    assert len(customer_comments(session, scope_of(place), search="   ").comments) == 2


def test_scope_narrows_by_site_counter_clerk_and_language(
    session: Session, clock: FixedClock, place: Place, writer: Writer
) -> None:
    """Each narrowing keeps just the comments given there; another campaign never shows."""
    assert place.organisation.id is not None and place.site.id is not None
    other_site = create_site(
        session,
        organisation_id=place.organisation.id,
        code="two",
        name="Hall two",
        region_code="440103",
    )
    assert other_site.id is not None
    other_counter = create_counter(session, site_id=other_site.id, code="B1", name="Window B1")
    second_counter = create_counter(session, site_id=place.site.id, code="A2", name="Window A2")
    other_staff = create_staff_member(
        session, site_id=other_site.id, job_number="org-a-002", display_name="王伟"
    )
    session.commit()
    at_a1 = writer.add(at=T0, comment="at A1", locale="zh_Hans")
    at_a2 = writer.add(
        at=T0 + timedelta(minutes=1),
        comment="at A2",
        counter_id=second_counter.id,
        without_clerk=True,
        locale="zh_Hant",
    )
    at_b1 = writer.add(
        at=T0 + timedelta(minutes=2),
        comment="at B1",
        site_id=other_site.id,
        counter_id=other_counter.id,
        staff_member_id=other_staff.id,
        locale="en",
    )
    other_place = make_place(session, now=clock(), slug="org-b")
    writer_for(session, other_place).add(at=T0 + timedelta(minutes=3), comment="elsewhere")

    def listed(**narrowing: Any) -> set[int]:
        return set(ids(customer_comments(session, scope_of(place, **narrowing))))

    assert listed() == {at_a1, at_a2, at_b1}
    assert listed(site_id=place.site.id) == {at_a1, at_a2}
    assert listed(site_id=other_site.id) == {at_b1}
    assert listed(counter_id=second_counter.id) == {at_a2}
    assert listed(staff_member_id=place.staff.id) == {at_a1}
    assert listed(staff_member_id=other_staff.id) == {at_b1}
    assert listed(locale="zh_Hant") == {at_a2}
    assert listed(locale="en") == {at_b1}
    assert listed(site_id=place.site.id, locale="en") == set()


def test_months_are_local_months(session: Session, place: Place, writer: Writer) -> None:
    """Month bounds are local midnights: 1 November begins at 16:00 UTC on 31 October in
    Shanghai, and 1 December at 16:00 UTC on 30 November."""
    last_of_october = writer.add(
        at=datetime(2026, 10, 31, 15, 59, 59, 999999, tzinfo=UTC), comment="31 Oct 23:59 local"
    )
    first_of_november = writer.add(
        at=datetime(2026, 10, 31, 16, 0, tzinfo=UTC), comment="1 Nov 00:00 local"
    )
    last_of_november = writer.add(
        at=datetime(2026, 11, 30, 15, 59, tzinfo=UTC), comment="30 Nov 23:59 local"
    )
    first_of_december = writer.add(
        at=datetime(2026, 11, 30, 16, 0, tzinfo=UTC), comment="1 Dec 00:00 local"
    )
    november = scope_of(place, since=date(2026, 11, 1), until=date(2026, 12, 1))
    october = scope_of(place, since=date(2026, 10, 1), until=date(2026, 11, 1))
    from_december = scope_of(place, since=date(2026, 12, 1))

    def listed(scope: Scope, timezone: ZoneInfo = SHANGHAI) -> set[int]:
        return set(ids(customer_comments(session, scope, timezone=timezone)))

    assert listed(november) == {first_of_november, last_of_november}
    assert listed(october) == {last_of_october}
    assert listed(from_december) == {first_of_december}
    assert listed(november, ZoneInfo("UTC")) == {last_of_november, first_of_december}


def test_low_dimensions_follow_the_midpoint_rule(
    session: Session, place: Place, writer: Writer
) -> None:
    """On a 1–7 scale a dimension is low below a mean perception of 4: 3 and 4 (3.5) are
    low, 4 and 4 are not, a dimension left blank is not, one low answer alone is."""
    mixed = writer.add(
        at=T0,
        comment="mixed",
        perceptions={
            "tangibles": [3, 4],
            "reliability": [4, 4],
            "responsiveness": [None, None, None, None],
            "assurance": [1],
            "empathy": [7, 7, 7, 7, 7],
        },
    )
    content = writer.add(at=T0 + timedelta(minutes=1), comment="content")
    blank_but_low = writer.add(
        at=T0 + timedelta(minutes=2),
        comment="one low answer among blanks",
        perceptions={"empathy": [None, 2, None]},
    )

    page = customer_comments(session, scope_of(place))
    low = {c.response_id: c.low_dimensions for c in page.comments}

    assert low == {
        mixed: ("tangibles", "assurance"),  # instrument order, not the order answered
        content: (),
        blank_but_low: ("empathy",),
    }


@pytest.mark.parametrize(
    ("dimension", "expected"),
    [
        ("tangibles", {"mixed"}),
        ("reliability", set()),
        ("responsiveness", set()),
        ("assurance", {"mixed", "assurance only"}),
    ],
)
def test_low_dimension_filter_keeps_respondents_low_on_it(
    session: Session, place: Place, writer: Writer, dimension: str, expected: set[str]
) -> None:
    writer.add(
        at=T0,
        comment="mixed",
        perceptions={
            "tangibles": [3, 4],
            "reliability": [4, 4],
            "responsiveness": [None, None],
            "assurance": [2, 5],
        },
    )
    writer.add(
        at=T0 + timedelta(minutes=1), comment="assurance only", perceptions={"assurance": [1]}
    )
    writer.add(at=T0 + timedelta(minutes=2), comment="content")
    writer.add(at=T0 + timedelta(minutes=3), perceptions={"tangibles": [1, 1]})  # no comment
    writer.add(  # blanks are left out of the mean, not counted as zeros
        at=T0 + timedelta(minutes=4),
        comment="good among blanks",
        perceptions={"reliability": [None, 5, None, None, None]},
    )

    page = customer_comments(session, scope_of(place), low_dimension=dimension)

    assert {c.comment for c in page.comments} == expected
    assert all(dimension in c.low_dimensions for c in page.comments)


def test_low_dimension_filter_pages_by_cursor(
    session: Session, place: Place, writer: Writer
) -> None:
    """Filtered pages still cover every matching comment once, newest first."""
    low = [
        writer.add(
            at=T0 + timedelta(minutes=2 * i), comment=f"low {i}", perceptions={"empathy": [2]}
        )
        for i in range(5)
    ]
    for i in range(5):
        writer.add(at=T0 + timedelta(minutes=2 * i + 1), comment=f"fine {i}")
    seen: list[int] = []
    before: str | None = None
    while True:
        page = customer_comments(
            session, scope_of(place), low_dimension="empathy", limit=2, before=before
        )
        seen += ids(page)
        if page.next_before is None:
            break
        before = page.next_before
    assert seen == low[::-1]


def test_only_perception_decides_in_a_three_column_campaign(
    session: Session, clock: FixedClock
) -> None:
    """Minimum and desired levels do not make a score low; a low perception does."""
    place = make_place(session, now=clock(), mode=CampaignMode.three_column)
    writer = writer_for(session, place)
    modest = writer.add(at=T0, comment="modest", minimum=1, desired=1, expectation=None)
    demanding = writer.add(
        at=T0 + timedelta(minutes=1),
        comment="demanding",
        minimum=7,
        desired=7,
        perceptions={"reliability": [3, 3, 3, 3, 3]},
    )
    page = customer_comments(session, scope_of(place))
    low = {c.response_id: c.low_dimensions for c in page.comments}
    assert low == {modest: (), demanding: ("reliability",)}


def test_midpoint_follows_the_instrument_scale(
    session: Session, place: Place, writer: Writer
) -> None:
    """On a 1–5 scale the midpoint is 3: a mean of 3.5 is not low there, 2.5 is."""
    instrument = session.get(Instrument, place.campaign.instrument_id)
    assert instrument is not None
    instrument.scale_max = 5
    session.add(instrument)
    session.commit()
    not_low = writer.add(at=T0, comment="3.5", perceptions={"tangibles": [3, 4]})
    low = writer.add(at=T0 + timedelta(minutes=1), comment="2.5", perceptions={"tangibles": [2, 3]})
    on_midpoint = writer.add(
        at=T0 + timedelta(minutes=2), comment="3.0", perceptions={"tangibles": [3, 3]}
    )

    page = customer_comments(session, scope_of(place))
    assert {c.response_id: c.low_dimensions for c in page.comments} == {
        not_low: (),
        low: ("tangibles",),
        on_midpoint: (),
    }
    filtered = customer_comments(session, scope_of(place), low_dimension="tangibles")
    assert ids(filtered) == [low]


def test_an_unknown_dimension_is_refused(session: Session, place: Place) -> None:
    with pytest.raises(UnknownDimension, match="courtesy"):
        customer_comments(session, scope_of(place), low_dimension="courtesy")
    assert issubclass(UnknownDimension, ValueError)


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "not a cursor",
        "%%%",
        "5Lit5paH",  # valid base64 of Chinese text
        _b64("abc.def"),
        _b64("1.2.3"),
        _b64("-5.3"),
        _b64("١٢.٣"),  # Arabic-Indic digits, which int() would accept
        _b64("1_000.2"),
        _b64("999999999999999999.7"),  # beyond datetime's range
        "A" * 200,
    ],
)
def test_a_malformed_cursor_is_refused_clearly(
    session: Session, place: Place, writer: Writer, cursor: str
) -> None:
    writer.add(at=T0, comment="x")
    with pytest.raises(InvalidCursor, match="invalid page cursor"):
        customer_comments(session, scope_of(place), before=cursor)
    assert issubclass(InvalidCursor, ValueError)


def test_a_cursor_round_trips_to_the_microsecond() -> None:
    at = datetime(2026, 11, 24, 2, 30, 15, 123457, tzinfo=UTC)
    assert decode_cursor(encode_cursor(at, 98765)) == (at, 98765)


@pytest.mark.parametrize("limit", [0, -1, 201])
def test_a_page_size_out_of_range_is_refused(session: Session, place: Place, limit: int) -> None:
    with pytest.raises(ValueError, match="limit"):
        customer_comments(session, scope_of(place), limit=limit)


def test_a_campaign_of_another_organisation_is_not_found(
    session: Session, clock: FixedClock, place: Place, writer: Writer
) -> None:
    """A reader of organisation B cannot read organisation A's comments (NotFound → 404)."""
    writer.add(at=T0, comment="private")
    other = make_place(session, now=clock(), slug="org-b")
    assert place.campaign.id is not None and other.organisation.id is not None
    with pytest.raises(NotFound):
        customer_comments(session, Scope(place.campaign.id, (other.organisation.id,)))
