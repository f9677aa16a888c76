"""``manyi import``: paper answers typed into a spreadsheet, loaded into a campaign.

The file is the wide CSV of ``manyi analyze`` (and of the answer export), plus the place
and the day of each answer: ``site`` (id or name), ``counter`` (id or code within the
site), optionally ``staff`` (id or job number), ``date`` (``YYYY-MM-DD``, or a full ISO
time; ``period`` is read when there is no ``date``) and ``language``. Item ``i`` is the
``i``-th item of the campaign's questionnaire, as in the export.

Everything is checked first and every bad line reported with its number; then all rows
are stored in one transaction, with their aggregates, or none is. Each row's submission key
is derived from the file's content and the line, so importing the same file twice is
refused instead of counting its answers twice.
"""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo

import numpy as np
from sqlalchemy import insert
from sqlmodel import Session, col, select

from analytics.power_sums import AnswerMatrix, Dimension, Layout
from survey.db import begin_write
from survey.errors import NotFound
from survey.imports.wide_csv import WideCsvError, item_code, read_wide_csv
from survey.models import (
    SITE_WIDE,
    Campaign,
    CampaignMode,
    Counter,
    ResponseAnswer,
    ResponseImportance,
    Site,
    StaffMember,
    SurveyResponse,
)
from survey.places.links import create_link
from survey.stats.aggregation import MODE_FIELDS, add_many_to_aggregates
from survey.stats.layouts import instrument_layout

IMPORT_HASH = "import"
"""Device and network hash of imported rows: paper answers have neither."""
LANGUAGES = ("zh_Hans", "zh_Hant", "en")
LOCAL_NOON = time(12, 0)


@dataclass(frozen=True)
class ImportSummary:
    """What an import stored."""

    responses: int
    aggregate_rows: int
    first_day: date | None
    last_day: date | None


def numbered_layout(layout: Layout) -> Layout:
    """The layout with items renamed ``q1..qN`` by position, as the export numbers them."""
    number = iter(range(1, len(layout.items) + 1))
    return Layout(
        tuple(
            Dimension(d.code, tuple(item_code(next(number)) for _ in d.items))
            for d in layout.dimensions
        ),
        scale=layout.scale,
        overall_scale=layout.overall_scale,
    )


def import_wide_csv(
    session: Session,
    *,
    campaign_id: int,
    text: str,
    timezone: tzinfo,
    default_language: str = "zh_Hans",
    now: datetime,
) -> ImportSummary:
    """Check and store every row of ``text`` as a response of the campaign; commit.

    Raises NotFound for an unknown campaign and :class:`WideCsvError` listing every bad
    line (nothing is stored then).
    """
    campaign = session.get(Campaign, campaign_id)
    if campaign is None or campaign.id is None:
        raise NotFound(f"campaign {campaign_id}")
    instrument = instrument_layout(session, campaign.instrument_id)
    table = read_wide_csv(text, numbered_layout(instrument.layout))
    mode = CampaignMode(campaign.mode)
    if table.mode != mode.value:
        raise WideCsvError(
            [(1, "", f"the file has {table.mode} answers but the campaign asks {mode.value}")]
        )
    problems: list[tuple[int, str, str]] = []
    places = _Places(session, campaign.organisation_id)
    n = table.answers.n
    sites: list[int] = []
    counters: list[int] = []
    staff: list[int] = []
    days: list[date] = []
    moments: list[datetime] = []
    languages: list[str] = []
    segments = table.segments
    for r, line in enumerate(table.line_numbers):
        site = places.site(segments.get("site", [""] * n)[r])
        if site is None:
            problems.append((line, "site", "no such site in the campaign's organisation"))
            continue
        counter = places.counter(site, segments.get("counter", [""] * n)[r])
        if counter is None:
            problems.append((line, "counter", "no such counter at that site"))
            continue
        clerk_text = segments.get("staff", [""] * n)[r]
        clerk = places.staff(clerk_text) if clerk_text else SITE_WIDE
        if clerk is None:
            problems.append((line, "staff", "no such staff member in the organisation"))
            continue
        moment = _moment(segments.get("date") or segments.get("period") or [""] * n, r, timezone)
        if moment is None:
            problems.append((line, "date", "give the day as YYYY-MM-DD"))
            continue
        day = moment.astimezone(timezone).date()
        if not campaign.starts_on <= day <= campaign.ends_on:
            problems.append(
                (
                    line,
                    "date",
                    f"{day} is outside the campaign ({campaign.starts_on} to {campaign.ends_on})",
                )
            )
            continue
        language = segments.get("language", [""] * n)[r] or default_language
        if language not in LANGUAGES:
            problems.append((line, "language", f"use one of {', '.join(LANGUAGES)}"))
            continue
        if not _has_answer(table.answers, r):
            problems.append((line, "", "the row has no answer"))
            continue
        sites.append(site)
        counters.append(counter)
        staff.append(clerk)
        days.append(day)
        moments.append(moment)
        languages.append(language)
    if problems:
        raise WideCsvError(problems)

    digest = hashlib.sha256(text.encode()).hexdigest()[:40]
    keys = [f"import-{digest}-{line}" for line in table.line_numbers]
    already = session.exec(
        select(SurveyResponse.submission_key).where(
            col(SurveyResponse.submission_key).in_(keys[:1])
        )
    ).first()
    if already is not None:
        raise WideCsvError([(1, "", "this file has already been imported into a campaign")])

    begin_write(session)
    links: dict[tuple[int, int], int] = {}
    for counter, clerk in sorted(set(zip(counters, staff, strict=True))):
        link = create_link(
            session,
            campaign_id=campaign.id,
            counter_id=counter,
            staff_member_id=clerk or None,
            now=now,
        )
        link.revoked_at = now  # a marker for paper answers, never printed or answerable
        session.flush()
        assert link.id is not None
        links[(counter, clerk)] = link.id
    answers = table.answers
    rows = [
        {
            "submission_key": keys[r],
            "link_id": links[(counters[r], staff[r])],
            "campaign_id": campaign.id,
            "instrument_id": campaign.instrument_id,
            "organisation_id": campaign.organisation_id,
            "site_id": sites[r],
            "counter_id": counters[r],
            "staff_member_id": staff[r] or None,
            "submitted_at": moments[r],
            "locale": languages[r],
            "overall": None if np.isnan(answers.overall[r]) else int(answers.overall[r]),
            "comment": "",
            "device_hash": IMPORT_HASH,
            "client_hash": IMPORT_HASH,
        }
        for r in range(n)
    ]
    ids = [
        int(i)
        for i in session.execute(
            insert(SurveyResponse).returning(col(SurveyResponse.id), sort_by_parameter_order=True),
            rows,
        ).scalars()
    ]
    item_ids = sorted(instrument.column_of_item, key=instrument.column_of_item.__getitem__)
    fields = MODE_FIELDS[mode]
    columns = {"E": "expectation", "P": "perception", "MIN": "minimum", "DES": "desired"}
    answer_rows = []
    for r, response_id in enumerate(ids):
        for column, item_id in enumerate(item_ids):
            values = {
                columns[f]: None
                if np.isnan(answers.values[f][r, column])
                else int(answers.values[f][r, column])
                for f in fields
            }
            if any(v is not None for v in values.values()):
                answer_rows.append({"response_id": response_id, "item_id": item_id, **values})
    if answer_rows:
        session.execute(insert(ResponseAnswer), answer_rows)
    if answers.importance is not None:
        importance_rows = [
            {"response_id": response_id, "dimension_code": code, "points": int(points)}
            for r, response_id in enumerate(ids)
            for code, points in zip(
                instrument.layout.dimension_codes, answers.importance[r], strict=True
            )
            if not np.isnan(answers.importance[r]).any()
        ]
        if importance_rows:
            session.execute(insert(ResponseImportance), importance_rows)
    touched = add_many_to_aggregates(
        session,
        campaign_id=campaign.id,
        answers=AnswerMatrix(
            instrument.layout,
            answers.values,
            overall=answers.overall,
            importance=answers.importance,
        ),
        site=sites,
        counter=counters,
        staff=staff,
        locale=languages,
        day=days,
    )
    session.commit()
    return ImportSummary(
        responses=n,
        aggregate_rows=touched,
        first_day=min(days) if days else None,
        last_day=max(days) if days else None,
    )


def _has_answer(answers: AnswerMatrix, r: int) -> bool:
    if not np.isnan(answers.overall[r]):
        return True
    return any(not np.isnan(m[r]).all() for m in answers.values.values())


def _moment(values: list[str], r: int, timezone: tzinfo) -> datetime | None:
    """The time of an answer: a date means local noon of that day."""
    text = values[r].strip()
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), LOCAL_NOON, tzinfo=timezone)
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone)


class _Places:
    """Looks up sites, counters and clerks of one organisation by id, name or code."""

    def __init__(self, session: Session, organisation_id: int) -> None:
        sites = list(session.exec(select(Site).where(Site.organisation_id == organisation_id)))
        self._sites = {str(site.id): site.id for site in sites} | {s.name: s.id for s in sites}
        counters = session.exec(
            select(Counter).where(col(Counter.site_id).in_([site.id for site in sites]))
        )
        self._counters: dict[tuple[int | None, str], int | None] = {}
        for counter in counters:
            self._counters[(counter.site_id, str(counter.id))] = counter.id
            self._counters[(counter.site_id, counter.code)] = counter.id
        clerks = session.exec(
            select(StaffMember).where(StaffMember.organisation_id == organisation_id)
        )
        self._staff: dict[str, int | None] = {}
        for clerk in clerks:
            self._staff[str(clerk.id)] = clerk.id
            self._staff[clerk.job_number] = clerk.id

    def site(self, text: str) -> int | None:
        return self._sites.get(text.strip())

    def counter(self, site_id: int, text: str) -> int | None:
        return self._counters.get((site_id, text.strip()))

    def staff(self, text: str) -> int | None:
        return self._staff.get(text.strip())
