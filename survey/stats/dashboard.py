"""What the managers' dashboard shows, read from the daily and monthly aggregates.

Every page works on a :class:`~survey.stats.reports.Scope` (a campaign narrowed to a site,
counter or clerk and to the customers' language) and a :class:`Period` of whole local
months. Functions here turn the stored power sums into analytics results; the web layer
only formats them. Each page reads the aggregates once or twice with ``GROUP BY`` in the
database, never the raw answers (except the factor check, which reads a bounded sample).
"""

import math
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import UTC, date, tzinfo
from typing import Any

import numpy as np
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from analytics.control import Signal, period_label
from analytics.factors import ACCEPTABLE_SHARE_OK, FactorStructure, factor_structure
from analytics.indices import SatisfactionIndex, satisfaction_index
from analytics.intervals import DEFAULT_MIN_N
from analytics.power_sums import Layout, PowerSums
from analytics.rankings import Ranking, index_ranking, ranking_keys
from analytics.reliability import ACCEPTABLE_ALPHA
from analytics.report import ServqualReport, servqual_report
from analytics.segment import index_moments
from analytics.stars import COMPLIANCE_FLOOR, StarRating, star_rating
from analytics.trends import TrendReport, trend_keys, trend_report
from survey.errors import NotFound
from survey.models import Campaign, CampaignMode, Counter, Organisation, Site, StaffMember
from survey.places.campaigns import campaign_site_ids
from survey.stats.layouts import instrument_layout
from survey.stats.reports import (
    Scope,
    get_campaign_in_scope,
    period_series,
    period_sums,
    scope_answers,
    scope_query,
)
from survey.stats.stat_rows import month_of, next_month
from survey.stats.sums import read_stat_sums, read_stat_table
from survey.supervision.queries import ALL_PERIODS, compliance_by_place

LEVELS = ("organisation", "site", "counter", "staff")
CHILD_COLUMNS = {
    "organisation": ("site", "counter", "staff"),
    "site": ("counter", "staff"),
    "counter": ("staff",),
    "staff": (),
}
"""Which units each level ranks below itself, nearest first (the drill-down goes to the
first)."""

NO_CLERK = "0"
"""The unit of answers given with no clerk recorded: kept out of the clerks' ranking."""

FACTOR_SAMPLE = 2000
"""How many of the latest responses the factor-structure check reads."""


@dataclass(frozen=True)
class Period:
    """Whole local months from ``since`` to ``until`` (first days; ``until`` excluded)."""

    since: date
    until: date

    def __post_init__(self) -> None:
        if self.since.day != 1 or self.until.day != 1:
            raise ValueError("a period runs from the first day of a month")
        if self.since >= self.until:
            raise ValueError("a period must end after it starts")

    @property
    def months(self) -> int:
        return (self.until.year - self.since.year) * 12 + self.until.month - self.since.month

    def previous(self) -> "Period":
        """The period of the same length just before this one."""
        return Period(add_months(self.since, -self.months), self.since)

    def month_starts(self) -> list[date]:
        starts, month = [], self.since
        while month < self.until:
            starts.append(month)
            month = next_month(month)
        return starts

    def month_labels(self) -> set[str]:
        """The labels of its months (``2026-09``), as the monthly trend names them."""
        return {period_label(month, "month") for month in self.month_starts()}


def add_months(month: date, count: int) -> date:
    """The first day of the month ``count`` months after (or before) ``month``'s.

    >>> add_months(date(2026, 11, 1), -3), add_months(date(2026, 11, 1), 2)
    (datetime.date(2026, 8, 1), datetime.date(2027, 1, 1))
    """
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def default_period(today: date, months: int) -> Period:
    """The ``months`` whole months ending with the current one (today's month included)."""
    until = next_month(month_of(today))
    return Period(add_months(until, -months), until)


@dataclass(frozen=True)
class NamedPlace:
    id: int
    name: str


@dataclass(frozen=True)
class ScopePlaces:
    """The scope's organisation, site, counter and clerk with their names (the breadcrumb)."""

    campaign: Campaign
    organisation: NamedPlace
    site: NamedPlace | None = None
    counter: NamedPlace | None = None
    staff: NamedPlace | None = None

    @property
    def level(self) -> str:
        """``organisation``, ``site``, ``counter`` or ``staff``: the narrowest place named."""
        if self.staff is not None:
            return "staff"
        if self.counter is not None:
            return "counter"
        return "site" if self.site is not None else "organisation"


def resolve_places(
    session: Session, scope: Scope, *, site_ids: Collection[int] | None = None
) -> tuple[Scope, ScopePlaces]:
    """Check that the scope's places belong to its campaign's organisation and name them.

    Raises NotFound (no hint that the place exists) for a campaign outside the reader's
    organisations, a site, counter or clerk of another organisation, or a counter that is
    not in the named site. A counter without a site gets its site filled in.

    ``site_ids`` are the halls of a reader limited to some halls (``None``: every hall):
    a scope naming no place is narrowed to the first of them in the campaign's
    organisation, and a place in another hall is NotFound, so such a reader never sees a
    figure of a hall, or of the whole organisation, beyond theirs.
    """
    campaign = get_campaign_in_scope(session, scope)
    if site_ids is not None:
        scope = _within_halls(session, scope, campaign, site_ids)
    organisation = session.get(Organisation, campaign.organisation_id)
    assert organisation is not None and organisation.id is not None
    places = ScopePlaces(campaign, NamedPlace(organisation.id, organisation.name))
    site_id = scope.site_id
    if scope.counter_id is not None:
        counter = session.get(Counter, scope.counter_id)
        if counter is None or (site_id is not None and counter.site_id != site_id):
            raise NotFound(f"counter {scope.counter_id}")
        site_id = counter.site_id
        places = replace(places, counter=NamedPlace(scope.counter_id, counter_label(counter)))
    if scope.staff_member_id is not None:
        staff = session.get(StaffMember, scope.staff_member_id)
        if staff is None or staff.organisation_id != campaign.organisation_id:
            raise NotFound(f"staff member {scope.staff_member_id}")
        if site_id is None:
            site_id = staff.site_id
        places = replace(places, staff=NamedPlace(scope.staff_member_id, staff_label(staff)))
    if site_id is not None:
        site = session.get(Site, site_id)
        if site is None or site.organisation_id != campaign.organisation_id:
            raise NotFound(f"site {site_id}")
        places = replace(places, site=NamedPlace(site_id, site.name))
    if site_ids is not None and site_id not in site_ids:
        raise NotFound(f"site {site_id}")
    return replace(scope, site_id=site_id), places


def _within_halls(
    session: Session, scope: Scope, campaign: Campaign, site_ids: Collection[int]
) -> Scope:
    """A scope that names no place, narrowed to the reader's first hall of the campaign's
    organisation; NotFound when none of their halls is."""
    if any(v is not None for v in (scope.site_id, scope.counter_id, scope.staff_member_id)):
        return scope
    first = session.exec(
        select(Site.id)
        .where(col(Site.id).in_(sorted(site_ids)))
        .where(Site.organisation_id == campaign.organisation_id)
        .order_by(col(Site.id))
    ).first()
    if first is None:
        raise NotFound(f"campaign {campaign.id}")
    return replace(scope, site_id=first)


def counter_label(counter: Counter) -> str:
    return _counter_text(counter.code, counter.name)


def staff_label(staff: StaffMember) -> str:
    return _staff_text(staff.display_name, staff.job_number)


def _counter_text(code: str, name: str) -> str:
    """``A1 号窗口``: the name, with the code in front unless the name already has it."""
    return name if code in name else f"{code} {name}"


def _staff_text(display_name: str, job_number: str) -> str:
    return f"{display_name} ({job_number})"


def campaign_layout(session: Session, campaign: Campaign) -> Layout:
    return instrument_layout(session, campaign.instrument_id).layout


def campaign_mode(campaign: Campaign) -> str:
    return CampaignMode(campaign.mode).value


def period_report(
    session: Session,
    scope: Scope,
    period: Period,
    *,
    min_n: int = DEFAULT_MIN_N,
    ipa_importance: str = "stated",
) -> ServqualReport:
    """The SERVQUAL report of the scope over the period."""
    campaign = get_campaign_in_scope(session, scope)
    layout = campaign_layout(session, campaign)
    narrowed = replace(scope, since=period.since, until=period.until)
    sums = read_stat_sums(session, scope_query(narrowed), layout).get((), PowerSums())
    return servqual_report(
        sums, layout, min_n=min_n, ipa_importance=ipa_importance, mode=campaign_mode(campaign)
    )


@dataclass(frozen=True)
class Alert:
    """A control-chart signal inside the period: ``series`` is ``index`` or a dimension."""

    series: str
    signal: Signal


@dataclass(frozen=True)
class Breakdown:
    """A fair ranking of the units of one kind below the scope, with their names, and the
    units of the scope with no answer in the period (``unrated``: id → name), listed
    greyed so a silent counter or a clerk nobody rated stands out instead of vanishing."""

    column: str
    ranking: Ranking
    names: dict[str, str]
    unrated: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Overview:
    """The overview page: the period's report, the index of the period before, the monthly
    trend up to the period's end with the signals inside the period, and the units one
    level down."""

    report: ServqualReport
    previous_index: SatisfactionIndex | None
    trend: TrendReport | None
    alerts: tuple[Alert, ...]
    children: Breakdown | None


def overview(
    session: Session,
    scope: Scope,
    places: ScopePlaces,
    period: Period,
    *,
    min_n: int,
    today: date,
) -> Overview:
    """Everything on the overview page: the period's sums (every family), each month's
    index and charted scores up to the period's end (for the trend and the period before;
    grouped by month in the database) and the units one level down.

    ``today``'s month is still running: on fewer than ``min_n`` answers it is drawn but not
    judged, so it raises no alert (see :func:`analytics.trends.trend_report`)."""
    campaign = places.campaign
    layout = campaign_layout(session, campaign)
    mode = campaign_mode(campaign)
    months = scope_query(replace(scope, since=None, until=period.until), group_by=("period",))
    months = replace(months, keys=trend_keys(mode))
    by_month = {month: sums for (month,), sums in read_stat_sums(session, months, layout).items()}
    narrowed = scope_query(replace(scope, since=period.since, until=period.until))
    current = read_stat_sums(session, narrowed, layout).get((), PowerSums())
    before = period.previous()
    earlier = [s for m, s in by_month.items() if before.since <= m < before.until]
    report = servqual_report(current, layout, min_n=min_n, mode=mode)
    previous_index = None
    if earlier:
        previous = index_moments(PowerSums.total(earlier))
        previous_index = satisfaction_index(previous, scale=layout.scale)
    trend = None
    if by_month:
        monthly = period_series(by_month, "month")
        running = period_label(today, "month")
        trend = trend_report(monthly, layout, mode=mode, running=running, min_n=min_n)
    alerts: list[Alert] = []
    if trend is not None:
        inside = period.month_labels()
        series = [("index", trend.index), *trend.dimensions.items()]
        alerts = [
            Alert(name, signal)
            for name, chart in series
            for signal in chart.signals
            if signal.label in inside
        ]
    columns = CHILD_COLUMNS[places.level]
    children = breakdown(session, scope, period, columns[0], min_n=min_n) if columns else None
    return Overview(report, previous_index, trend, tuple(alerts), children)


def breakdown(
    session: Session, scope: Scope, period: Period, column: str, *, min_n: int
) -> Breakdown:
    """Rank the sites, counters or clerks within the scope over the period by shrunken
    index (answers without a clerk are not a clerk and stay out of the clerks' ranking)."""
    return rankings_of(session, scope, period, (column,), min_n=min_n)[0]


def rankings_of(
    session: Session, scope: Scope, period: Period, columns: tuple[str, ...], *, min_n: int
) -> list[Breakdown]:
    """The rankings of ``columns`` (``site``, ``counter``, ``staff``) within the scope.

    Counters and clerks come from the same counter/clerk rows, so when both are asked for
    those rows are read once, grouped by both, and added up each way in memory.
    """
    campaign = get_campaign_in_scope(session, scope)
    layout = campaign_layout(session, campaign)
    narrowed = replace(scope, since=period.since, until=period.until)
    together = tuple(c for c in columns if c in ("counter", "staff"))
    shared: dict[str, dict[Any, PowerSums]] = {}
    if len(together) > 1:
        query = replace(scope_query(narrowed, group_by=together), keys=ranking_keys)
        table = read_stat_table(session, query, layout)
        shared = {column: table.by(column) if table.groups else {} for column in together}
    result = []
    for column in columns:
        if column in shared:
            rows = shared[column]
        else:
            query = replace(scope_query(narrowed, group_by=(column,)), keys=ranking_keys)
            rows = {key[0]: sums for key, sums in read_stat_sums(session, query, layout).items()}
        parts = {str(key): sums for key, sums in rows.items()}
        if column == "staff":
            parts.pop(NO_CLERK, None)
        ranking = index_ranking(parts, scale=layout.scale, min_n=min_n)
        names = unit_names(session, column, [int(u) for u in parts])
        silent = _units_without_answers(session, campaign, scope, column, set(parts))
        result.append(Breakdown(column, ranking, names, silent))
    return result


def _units_without_answers(
    session: Session, campaign: Campaign, scope: Scope, column: str, answered: set[str]
) -> dict[str, str]:
    """The halls, counters or present clerks of the scope (the campaign's halls, or the
    scope's hall) that no answer in the period names: id → display name. Only for a scope
    of a whole organisation or hall, where every such unit belongs below it."""
    if scope.counter_id is not None or scope.staff_member_id is not None:
        return {}
    halls = (
        [scope.site_id]
        if scope.site_id is not None
        else campaign_site_ids(session, campaign.id or 0)
    )
    if not halls:
        rows_of_halls = session.execute(
            sa_select(col(Site.id)).where(col(Site.organisation_id) == campaign.organisation_id)
        )
        halls = [int(row[0]) for row in rows_of_halls]
    if column == "site":
        rows = session.exec(select(Site.id, Site.name).where(col(Site.id).in_(halls))).all()
        found = {str(i): name for i, name in rows}
    elif column == "counter":
        counters = session.exec(select(Counter).where(col(Counter.site_id).in_(halls))).all()
        found = {str(c.id): _counter_text(c.code, c.name) for c in counters}
    else:
        clerks = session.exec(
            select(StaffMember)
            .where(col(StaffMember.site_id).in_(halls))
            .where(col(StaffMember.left_on).is_(None))
        ).all()
        found = {str(c.id): _staff_text(c.display_name, c.job_number) for c in clerks}
    return dict(sorted((k, v) for k, v in found.items() if k not in answered))


def rankings(
    session: Session, scope: Scope, places: ScopePlaces, period: Period, *, min_n: int
) -> list[Breakdown]:
    """The rankings of every kind of unit below the scope's level."""
    return rankings_of(session, scope, period, CHILD_COLUMNS[places.level], min_n=min_n)


def unit_names(session: Session, column: str, ids: list[int]) -> dict[str, str]:
    """Display names of sites, counters or clerks by id (as text), read as plain columns."""
    if not ids:
        return {}
    if column == "site":
        rows = session.execute(sa_select(col(Site.id), col(Site.name)).where(col(Site.id).in_(ids)))
        return {str(id_): name for id_, name in rows}
    if column == "counter":
        rows = session.execute(
            sa_select(col(Counter.id), col(Counter.code), col(Counter.name)).where(
                col(Counter.id).in_(ids)
            )
        )
        return {str(id_): _counter_text(code, name) for id_, code, name in rows}
    if column == "staff":
        rows = session.execute(
            sa_select(
                col(StaffMember.id), col(StaffMember.display_name), col(StaffMember.job_number)
            ).where(col(StaffMember.id).in_(ids))
        )
        return {str(id_): _staff_text(name, number) for id_, name, number in rows}
    raise ValueError(f"no names for {column!r}")


def trend(
    session: Session,
    scope: Scope,
    places: ScopePlaces,
    period: Period,
    grain: str,
    *,
    today: date,
    min_n: int = DEFAULT_MIN_N,
) -> TrendReport | None:
    """Control charts per week, month or quarter over the period (weeks need the daily
    rows, which exist for whole sites only: ValueError for a counter, clerk or language).
    The week, month or quarter of ``today`` is still running and judged only once it has
    ``min_n`` answers."""
    campaign = places.campaign
    layout = campaign_layout(session, campaign)
    narrowed = replace(scope, since=period.since, until=period.until)
    series = period_sums(session, narrowed, layout, grain=grain, mode=campaign_mode(campaign))
    if not series:
        return None
    running = period_label(today, grain)
    return trend_report(series, layout, mode=campaign_mode(campaign), running=running, min_n=min_n)


@dataclass(frozen=True)
class Reliability:
    """Cronbach's alpha per dimension (in the report) and the factor check of a sample."""

    report: ServqualReport
    factors: FactorStructure | None
    sample_size: int

    @property
    def weak_dimensions(self) -> list[tuple[str, float]]:
        """The dimensions whose perception items do not hold together: (code, alpha) for
        each alpha below :data:`~analytics.reliability.ACCEPTABLE_ALPHA`."""
        weak = []
        for dimension in self.report.dimensions:
            alpha = dimension.alpha.get("P")
            if alpha is not None and math.isfinite(alpha.alpha) and alpha.alpha < ACCEPTABLE_ALPHA:
                weak.append((dimension.code, alpha.alpha))
        return weak

    @property
    def structure_questioned(self) -> bool:
        """True when too few items load on their own dimension (see
        :data:`~analytics.factors.ACCEPTABLE_SHARE_OK`)."""
        factors = self.factors
        return (
            factors is not None
            and not factors.insufficient
            and factors.share_ok < ACCEPTABLE_SHARE_OK
        )


def reliability(
    session: Session,
    scope: Scope,
    places: ScopePlaces,
    period: Period,
    *,
    min_n: int,
    sample: int = FACTOR_SAMPLE,
    timezone: tzinfo = UTC,
) -> Reliability:
    """Alpha from the aggregates (whole sites only: counters, clerks and languages keep no
    cross-products) and the factor-structure check of the perception items on the latest
    ``sample`` responses of the scope and period, whose months are local to ``timezone``
    (the check needs every item's covariance with every other, which the aggregates do
    not keep)."""
    report = period_report(session, scope, period, min_n=min_n)
    narrowed = replace(scope, since=period.since, until=period.until)
    data = scope_answers(session, narrowed, latest=sample, timezone=timezone)
    perceptions = data.answers.values.get("P")
    factors = None
    if perceptions is not None and len(data.response_ids):
        layout = data.answers.layout
        item_dimensions = [d.code for d in layout.dimensions for _ in d.items]
        factors = factor_structure(perceptions, item_dimensions)
    return Reliability(report, factors, len(data.response_ids))


@dataclass(frozen=True)
class StaffCard:
    """A clerk's star rating and where it comes from: the clerks' ranking it was read off."""

    rating: StarRating | None
    ranking: Ranking
    rank: int | None
    ranked_count: int
    compliance_floor: float = COMPLIANCE_FLOOR


def staff_card(
    session: Session,
    scope: Scope,
    places: ScopePlaces,
    period: Period,
    *,
    min_n: int,
    timezone: tzinfo,
) -> StaffCard:
    """The clerk's stars, from the ranking of all the organisation's clerks in the campaign
    over the period (and the scope's language, if any), and from the inspections of the
    clerk in the same months."""
    if places.staff is None:
        raise ValueError("a staff card needs a clerk")
    everyone = Scope(
        campaign_id=scope.campaign_id,
        organisation_ids=scope.organisation_ids,
        locale=scope.locale,
    )
    clerks = breakdown(session, everyone, period, "staff", min_n=min_n)
    unit = next((u for u in clerks.ranking.units if u.unit == str(places.staff.id)), None)
    ranked = sum(1 for u in clerks.ranking.units if u.rank is not None)
    inspected = compliance_by_place(
        session,
        organisation_ids=scope.organisation_ids,
        since=period.since,
        until=period.until,
        timezone=timezone,
        level="staff",
        period="all",
    ).get((places.staff.id or 0, ALL_PERIODS))
    compliance = None if inspected is None else inspected.scores.overall
    rating = None if unit is None else star_rating(unit, clerks.ranking, compliance=compliance)
    return StaffCard(rating, clerks.ranking, None if unit is None else unit.rank, ranked)


def weakest_dimension(report: ServqualReport) -> tuple[str, float] | None:
    """The dimension with the lowest gap (paired), adequacy gap (three-column) or
    perception (perception-only), with that value; None without data."""
    field = {"paired": "G", "three_column": "ADQ"}.get(report.mode, "P")
    values = [
        (dimension.code, dimension.scores[field].mean)
        for dimension in report.dimensions
        if field in dimension.scores and np.isfinite(dimension.scores[field].mean)
    ]
    return min(values, key=lambda pair: pair[1]) if values else None
