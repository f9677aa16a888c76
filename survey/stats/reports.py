"""Reports of stored responses: a scope's power sums → an analytics report.

A scope is a campaign, optionally narrowed to a site, counter or staff member, to the
customers' language and to a range of local days, always within the organisations the
reader may see. Reports add up the daily and monthly aggregates (:mod:`survey.stats.aggregation`);
:func:`scope_answers` reads the raw answers instead, for exports and for the tests that
compare the two.
"""

import csv
import io
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, tzinfo
from typing import Any

import numpy as np
from sqlalchemy import ColumnElement
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from analytics.control import period_label, period_range
from analytics.intervals import DEFAULT_MIN_N
from analytics.power_sums import AnswerMatrix, Layout, PowerSums
from analytics.rankings import Ranking, index_ranking
from analytics.report import ServqualReport, servqual_report
from analytics.trends import trend_keys, trend_report
from survey.errors import NotFound
from survey.models import (
    Campaign,
    CampaignMode,
    ResponseAnswer,
    ResponseImportance,
    StatGrain,
    SurveyResponse,
)
from survey.stats.analysis import RANKED_COLUMNS, Analysis
from survey.stats.layouts import instrument_layout
from survey.stats.stat_rows import fetch_plain
from survey.stats.sums import StatQuery, read_stat_sums, read_stat_table

FIELD_COLUMNS = {"E": "expectation", "P": "perception", "MIN": "minimum", "DES": "desired"}
MODE_FIELDS = {
    CampaignMode.paired: ("E", "P"),
    CampaignMode.perception_only: ("P",),
    CampaignMode.three_column: ("MIN", "DES", "P"),
}


@dataclass(frozen=True)
class Scope:
    """Which responses a report covers; ``None`` means 'all' for that criterion.

    ``since`` and ``until`` are first days of local months (``until`` excluded): reports
    cover whole months, as the aggregates keep cross-products per month.
    """

    campaign_id: int
    organisation_ids: tuple[int, ...]
    site_id: int | None = None
    counter_id: int | None = None
    staff_member_id: int | None = None
    since: date | None = None
    until: date | None = None
    locale: str | None = None


@dataclass(frozen=True)
class ScopeAnswers:
    """The answers of a scope with the response ids and their places, row by row."""

    campaign: Campaign
    answers: AnswerMatrix
    response_ids: list[int]
    places: list[tuple[int, int, int | None, datetime]]
    locales: list[str]


def get_campaign_in_scope(session: Session, scope: Scope) -> Campaign:
    """The scope's campaign; NotFound when it does not exist or belongs to an organisation
    outside ``scope.organisation_ids`` (no hint that it exists)."""
    campaign = session.get(Campaign, scope.campaign_id)
    if campaign is None or campaign.organisation_id not in scope.organisation_ids:
        raise NotFound(f"campaign {scope.campaign_id}")
    return campaign


def scope_conditions(scope: Scope, timezone: tzinfo = UTC) -> list[ColumnElement[bool]]:
    """The WHERE terms that keep a response in ``scope``; months are local to ``timezone``."""
    conditions: list[ColumnElement[bool]] = [col(SurveyResponse.campaign_id) == scope.campaign_id]
    if scope.site_id is not None:
        conditions.append(col(SurveyResponse.site_id) == scope.site_id)
    if scope.counter_id is not None:
        conditions.append(col(SurveyResponse.counter_id) == scope.counter_id)
    if scope.staff_member_id is not None:
        conditions.append(col(SurveyResponse.staff_member_id) == scope.staff_member_id)
    if scope.locale is not None:
        conditions.append(col(SurveyResponse.locale) == scope.locale)
    if scope.since is not None:
        start = datetime.combine(scope.since, time.min, tzinfo=timezone)
        conditions.append(col(SurveyResponse.submitted_at) >= start.astimezone(UTC))
    if scope.until is not None:
        end = datetime.combine(scope.until, time.min, tzinfo=timezone)
        conditions.append(col(SurveyResponse.submitted_at) < end.astimezone(UTC))
    return conditions


def scope_answers(
    session: Session, scope: Scope, *, timezone: tzinfo = UTC, latest: int | None = None
) -> ScopeAnswers:
    """Read the answers of every response in ``scope`` into an :class:`AnswerMatrix`
    (or of its ``latest`` stored responses only, newest first, for checks that need raw
    answers but not all of them).

    ``since``/``until`` are local days in ``timezone``. Raises NotFound for a campaign
    outside the reader's organisations.
    """
    campaign = get_campaign_in_scope(session, scope)
    instrument = instrument_layout(session, campaign.instrument_id)
    layout = instrument.layout
    fields = MODE_FIELDS[campaign.mode]

    conditions = scope_conditions(scope, timezone)

    statement = sa_select(
        col(SurveyResponse.id),
        col(SurveyResponse.overall),
        col(SurveyResponse.site_id),
        col(SurveyResponse.counter_id),
        col(SurveyResponse.staff_member_id),
        col(SurveyResponse.submitted_at),
        col(SurveyResponse.locale),
    ).where(*conditions)
    if latest is None:
        statement = statement.order_by(col(SurveyResponse.id))
    else:
        # The most recently stored, by id: the primary key walks there without a sort.
        statement = statement.order_by(col(SurveyResponse.id).desc()).limit(latest)
    responses = session.execute(statement).all()
    row_of = {int(r[0]): i for i, r in enumerate(responses)}
    n, k = len(responses), len(layout.items)
    column_of = instrument.column_of_item
    values = {f: np.full((n, k), np.nan) for f in fields}
    overall = np.array([np.nan if r[1] is None else float(r[1]) for r in responses])

    chosen: Any = sa_select(col(SurveyResponse.id)).where(*conditions)
    if latest is not None:
        chosen = list(row_of)
    response_filter = col(ResponseAnswer.response_id).in_(chosen)
    answer_rows = fetch_plain(
        session.connection(),
        sa_select(
            col(ResponseAnswer.response_id),
            col(ResponseAnswer.item_id),
            col(ResponseAnswer.expectation),
            col(ResponseAnswer.perception),
            col(ResponseAnswer.minimum),
            col(ResponseAnswer.desired),
        ).where(response_filter),
    )
    if answer_rows:
        # Vectorised: None becomes NaN; rows of unknown responses or items are dropped.
        table = np.array(answer_rows, dtype=np.float64)
        rows = _positions(table[:, 0].astype(np.int64), row_of)
        columns = _positions(table[:, 1].astype(np.int64), column_of)
        keep = (rows >= 0) & (columns >= 0)
        positions = {"E": 2, "P": 3, "MIN": 4, "DES": 5}
        for f in fields:
            values[f][rows[keep], columns[keep]] = table[keep, positions[f]]

    importance = None
    if campaign.ask_importance:
        importance = np.full((n, len(layout.dimension_codes)), np.nan)
        dimension_of = {code: i for i, code in enumerate(layout.dimension_codes)}
        importance_rows = fetch_plain(
            session.connection(),
            sa_select(
                col(ResponseImportance.response_id),
                col(ResponseImportance.dimension_code),
                col(ResponseImportance.points),
            ).where(col(ResponseImportance.response_id).in_(chosen)),
        )
        for response_id, code, points in importance_rows:
            r = row_of.get(int(response_id))
            if r is not None and code in dimension_of:
                importance[r, dimension_of[code]] = float(points)

    return ScopeAnswers(
        campaign=campaign,
        answers=AnswerMatrix(layout, values, overall=overall, importance=importance),
        response_ids=[int(r[0]) for r in responses],
        places=[(int(r[2]), int(r[3]), r[4], r[5]) for r in responses],
        locales=[str(r[6]) for r in responses],
    )


def _positions(ids: np.ndarray, position_of: dict[int, int]) -> np.ndarray:
    """The position of each id in ``position_of``, -1 for an id not in it."""
    known = np.array(sorted(position_of), dtype=np.int64)
    if not len(known):
        return np.full(len(ids), -1, dtype=np.int64)
    lookup = np.array([position_of[int(i)] for i in known], dtype=np.int64)
    at = np.clip(np.searchsorted(known, ids), 0, len(known) - 1)
    return np.where(known[at] == ids, lookup[at], -1)


def scope_query(scope: Scope, *, group_by: tuple[str, ...] = ()) -> StatQuery:
    """The aggregate rows of a scope: site rows (every family) for a campaign or a site,
    counter/clerk/language rows (light families) when the scope names a counter, a clerk or
    a language."""
    place_level = (
        scope.counter_id is not None
        or scope.staff_member_id is not None
        or scope.locale is not None
    )
    return StatQuery(
        campaign_id=scope.campaign_id,
        level="place" if place_level or any(g in PLACE_GROUPS for g in group_by) else "site",
        site_id=scope.site_id,
        counter_id=scope.counter_id,
        staff_id=scope.staff_member_id,
        locale=scope.locale,
        since=scope.since,
        until=scope.until,
        group_by=group_by,
    )


PLACE_GROUPS = ("counter", "staff", "locale")
REPORT_GROUPS = ("site", "counter", "staff", "locale", "month", "quarter")


def scope_report(
    session: Session, scope: Scope, *, min_n: int = DEFAULT_MIN_N, missing: str = "listwise"
) -> ServqualReport:
    """The SERVQUAL report of the responses in ``scope``, from the aggregates.

    A counter's or clerk's report has no Cronbach's alpha and no derived importance: their
    cross-products are kept per site only.
    """
    campaign = get_campaign_in_scope(session, scope)
    layout = instrument_layout(session, campaign.instrument_id).layout
    sums = read_stat_sums(session, scope_query(scope), layout).get((), PowerSums())
    return servqual_report(
        sums, layout, min_n=min_n, missing=missing, mode=CampaignMode(campaign.mode).value
    )


def scope_analysis(
    session: Session,
    scope: Scope,
    *,
    by: tuple[str, ...] = (),
    trend: str | None = "month",
    min_n: int = DEFAULT_MIN_N,
    missing: str = "listwise",
) -> Analysis:
    """A scope's report with its trend per ``trend`` period (day, week, month, quarter) and
    one report per site, counter, clerk, language, month or quarter named in ``by``.

    Group keys are ids as text (``"12"``; ``"0"`` is 'no clerk'), language codes and
    period labels. The scope's month rows are read once, grouped by site and month; the
    whole, the sites, the months and the monthly trend are added up from that one read.
    """
    for column in by:
        if column not in REPORT_GROUPS:
            raise ValueError(f"cannot break down by {column!r}")
    campaign = get_campaign_in_scope(session, scope)
    layout = instrument_layout(session, campaign.instrument_id).layout
    mode = CampaignMode(campaign.mode).value

    def analysed(sums: PowerSums) -> Analysis:
        report = servqual_report(sums, layout, min_n=min_n, missing=missing, mode=mode)
        return Analysis(report=report, trend=None)

    base = scope_query(scope, group_by=("site", "period"))
    if base.level == "place":
        base = scope_query(scope, group_by=("period",))
    table = read_stat_table(session, base, layout)
    by_month: dict[date, PowerSums] = table.by("period") if table.groups else {}
    groups: dict[str, dict[str, Analysis]] = {}
    rankings: dict[str, Ranking] = {}
    for column in by:
        if column in ("month", "quarter"):
            parts = {label: sums for label, sums in period_series(by_month, column) if len(sums)}
        elif column == "site" and "site" in base.group_by:
            parts = {str(site): sums for site, sums in table.by("site").items()}
        else:
            rows = read_stat_sums(session, scope_query(scope, group_by=(column,)), layout)
            parts = {str(key[0]): sums for key, sums in rows.items()}
        groups[column] = {value: analysed(sums) for value, sums in sorted(parts.items())}
        if column in RANKED_COLUMNS:
            rankings[column] = index_ranking(parts, scale=layout.scale, min_n=min_n)
    trend_report_ = None
    if trend in ("month", "quarter"):
        trend_report_ = trend_report(period_series(by_month, trend), layout, mode=mode)
    elif trend is not None:
        trend_report_ = trend_report(
            period_sums(session, scope, layout, grain=trend, mode=mode), layout, mode=mode
        )
    return Analysis(
        report=analysed(table.total()).report,
        trend=trend_report_,
        groups=groups,
        rankings=rankings,
    )


def period_sums(
    session: Session, scope: Scope, layout: Layout, *, grain: str, mode: str = "paired"
) -> list[tuple[str, PowerSums]]:
    """Power sums per period label in time order, empty periods included (they chart as
    gaps): month and quarter from month rows, day and week from the sites' day rows (a
    counter or clerk has monthly rows only: ValueError). Only what a trend of a ``mode``
    campaign reads (:func:`analytics.trends.trend_keys`)."""
    query = replace(scope_query(scope, group_by=("period",)), keys=trend_keys(mode))
    if grain in ("day", "week"):
        query = replace(query, grain=StatGrain.day)
    rows = read_stat_sums(session, query, layout)
    return period_series({period: sums for (period,), sums in rows.items()}, grain)


def period_series(by_period: dict[date, PowerSums], grain: str) -> list[tuple[str, PowerSums]]:
    """Stored periods (days or months) gathered into ``grain`` periods, in time order, with
    the empty periods in between."""
    if not by_period:
        return []
    by_label: dict[str, PowerSums] = {}
    for period, sums in by_period.items():
        label = period_label(period, grain)
        by_label[label] = by_label.get(label, PowerSums()) + sums
    labels = [
        period_label(start, grain) for start in period_range(min(by_period), max(by_period), grain)
    ]
    return [(label, by_label.get(label, PowerSums())) for label in labels]


def responses_csv(
    data: ScopeAnswers, *, timezone: tzinfo = UTC, period_grain: str = "month"
) -> str:
    """The responses as a wide CSV that ``manyi analyze`` reads back (one row each).

    Items are numbered by their position in the instrument (column ``P3`` is the third
    item), which is what an ``--instrument`` map for this instrument refers to. ``date`` is
    the local day of the answer and ``period`` its month (or ``period_grain``: day, week,
    quarter) in ``timezone``, so ``manyi analyze`` draws the trend per month and ``manyi
    import`` can load the file into another campaign.
    """
    layout = data.answers.layout
    prefixes = {"E": "E", "P": "P", "MIN": "MIN", "DES": "DES"}
    fields = [f for f in ("MIN", "DES", "E", "P") if f in data.answers.values]
    numbers = {code: i + 1 for i, code in enumerate(layout.items)}
    header = ["respondent_id", "site", "counter", "staff", "date", "period", "language"]
    header += [f"{prefixes[f]}{numbers[code]}" for f in fields for code in layout.items]
    if data.answers.importance is not None:
        header += [f"W_{code}" for code in layout.dimension_codes]
    header.append("overall")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)

    def cell(value: float) -> str:
        return "" if np.isnan(value) else str(int(value))

    for i, response_id in enumerate(data.response_ids):
        site, counter, staff, submitted = data.places[i]
        day = submitted.astimezone(timezone).date()
        row = [str(response_id), str(site), str(counter), "" if staff is None else str(staff)]
        row += [day.isoformat(), period_label(day, period_grain), data.locales[i]]
        row += [cell(v) for f in fields for v in data.answers.values[f][i]]
        if data.answers.importance is not None:
            row += [cell(v) for v in data.answers.importance[i]]
        row.append(cell(data.answers.overall[i]))
        writer.writerow(row)
    return buffer.getvalue()
