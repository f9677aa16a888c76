"""Each target of the agreement in force, measured in each of its windows.

A window is a local calendar period (a week, a month, a quarter, a year) cut to the
agreement's validity and, for the current window, to now ("so far"). Figures come from:

- ``availability`` and ``downtime``: the service's recorded outages, with the agreement's
  exemptions taken out of both the measured and the down time
  (:func:`analytics.service_levels.availability`);
- ``survey_index``: the satisfaction index (0-100) of the service's campaign, at its hall
  when the service names one, over the window's whole months (added up from one grouped
  read of the monthly sums, :class:`MonthlyIndex`); no figure under the minimum n;
- ``entered``: the figure the provider entered for the window, with its evidence.

A window without a figure is not judged (neither met nor missed).
"""

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from sqlmodel import Session, col, select

from analytics.indices import satisfaction_index
from analytics.intervals import DEFAULT_MIN_N
from analytics.power_sums import PowerSums
from analytics.segment import index_moments
from analytics.service_levels import Comparison, Span, Window, availability, meets, windows
from survey.lifecycle.agreements import agreement_in_force, exemptions_of, metrics_of
from survey.models import (
    Agreement,
    AgreementExemption,
    AgreementMetric,
    Campaign,
    MetricFigure,
    MetricSource,
    Service,
    ServiceOutage,
)
from survey.stats.dashboard import campaign_layout
from survey.stats.reports import Scope, scope_query
from survey.stats.sums import read_stat_sums

HISTORY: dict[str, int] = {"week": 12, "month": 12, "quarter": 4, "year": 2}
"""How many windows of each grain a status shows, the current one included."""


@dataclass(frozen=True)
class WindowFigure:
    """A metric's figure in one window: ``value`` is NaN without a figure; ``so_far`` marks
    the current window, measured up to now; ``exempt_hours`` is the agreed exempt time
    taken out of a time-based figure (exemptions do not apply to survey and entered ones)."""

    window: Window
    measured: Span
    value: float
    met: bool | None
    exempt_hours: float
    so_far: bool


@dataclass(frozen=True)
class MetricStatus:
    """A metric with its figures per grain, oldest window first."""

    metric: AgreementMetric
    by_grain: dict[str, tuple[WindowFigure, ...]]

    @property
    def grains(self) -> tuple[str, ...]:
        return tuple(self.by_grain)

    def current(self, grain: str) -> WindowFigure | None:
        figures = self.by_grain.get(grain, ())
        return figures[-1] if figures else None

    @property
    def holds_now(self) -> bool | None:
        """Met in the current window of every grain (None: nothing judged yet)."""
        results = [figure.met for figure in map(self.current, self.grains) if figure is not None]
        judged = [result for result in results if result is not None]
        return all(judged) if judged else None


@dataclass(frozen=True)
class ServiceStatus:
    """The agreement in force for a service today, and each of its targets measured."""

    agreement: Agreement
    metrics: tuple[MetricStatus, ...]
    exemptions: tuple[AgreementExemption, ...]


def _midnight(day: date, timezone: tzinfo) -> datetime:
    return datetime.combine(day, time(), timezone)


def _measured_span(
    window: Window, agreement: Agreement, now: datetime, timezone: tzinfo
) -> Span | None:
    start = max(window.span.start, _midnight(agreement.valid_from, timezone))
    end = min(
        window.span.end,
        _midnight(agreement.valid_to + timedelta(days=1), timezone),
        now.astimezone(timezone),
    )
    return Span(start, end) if end > start else None


def _outages(session: Session, service_id: int, span: Span) -> list[Span]:
    rows = session.exec(
        select(ServiceOutage).where(
            ServiceOutage.service_id == service_id,
            col(ServiceOutage.starts_at) < span.end,
            col(ServiceOutage.ends_at) > span.start,
        )
    ).all()
    return [Span(row.starts_at, row.ends_at) for row in rows]


class MonthlyIndex:
    """The service's campaign answers summed per month (one grouped read, on first use),
    so every window's satisfaction index is added up from its months instead of read
    again: the same sums, hence the same index, as the dashboard's report of the window."""

    def __init__(self, session: Session, service: Service) -> None:
        self.session = session
        self.service = service
        self._months: dict[date, PowerSums] | None = None
        self._scale: tuple[int, int] = (1, 7)

    def _read(self) -> dict[date, PowerSums]:
        if self._months is None:
            self._months = {}
            campaign = self.session.get(Campaign, self.service.campaign_id)
            if campaign is not None and campaign.id is not None:
                layout = campaign_layout(self.session, campaign)
                self._scale = layout.scale
                scope = Scope(
                    campaign_id=campaign.id,
                    organisation_ids=(self.service.organisation_id,),
                    site_id=self.service.site_id,
                )
                query = scope_query(scope, group_by=("period",))
                rows = read_stat_sums(self.session, query, layout)
                self._months = {month: sums for (month,), sums in rows.items()}
        return self._months

    def value(self, window: Window) -> float:
        """The index (0-100) over the window's whole months; NaN under the minimum n."""
        if self.service.campaign_id is None:
            return math.nan
        until = window.span.end.date()
        months = [sums for month, sums in self._read().items() if window.first_day <= month < until]
        if not months:
            return math.nan
        index = satisfaction_index(index_moments(PowerSums.total(months)), scale=self._scale)
        if index.n < DEFAULT_MIN_N or math.isnan(index.value):
            return math.nan
        return index.value


def _entered(session: Session, service: Service, metric: AgreementMetric, window: Window) -> float:
    figure = session.exec(
        select(MetricFigure).where(
            MetricFigure.service_id == service.id,
            MetricFigure.metric_code == metric.code,
            MetricFigure.grain == window.grain,
            MetricFigure.period_start == window.first_day,
        )
    ).first()
    return figure.value if figure is not None else math.nan


def metric_status(
    session: Session,
    service: Service,
    agreement: Agreement,
    metric: AgreementMetric,
    *,
    now: datetime,
    timezone: tzinfo,
    exemptions: list[Span] | None = None,
    period: tuple[date, date] | None = None,
    monthly_index: MonthlyIndex | None = None,
) -> MetricStatus:
    """The metric's figures in its recent windows (:data:`HISTORY`) up to ``now``; with a
    ``period`` (first and last day), every window that overlaps it instead."""
    assert service.id is not None and agreement.id is not None
    if exemptions is None:
        exemptions = [
            Span(row.starts_at, row.ends_at) for row in exemptions_of(session, agreement.id)
        ]
    if monthly_index is None:
        monthly_index = MonthlyIndex(session, service)
    today = now.astimezone(timezone).date()
    last = min(today, agreement.valid_to)
    by_grain: dict[str, tuple[WindowFigure, ...]] = {}
    for grain in metric.windows.split(","):
        every = windows(agreement.valid_from, last, grain, timezone)
        if period is None:
            recent = every[-HISTORY.get(grain, 12) :]
        else:
            first, last_day = period
            recent = tuple(
                w for w in every if w.first_day <= last_day and w.span.end.date() > first
            )
        figures: list[WindowFigure] = []
        for window in recent:
            measured = _measured_span(window, agreement, now, timezone)
            if measured is None:
                continue
            exempt_hours = 0.0
            if metric.source in (MetricSource.availability, MetricSource.downtime):
                outages = _outages(session, service.id, measured)
                figure = availability(measured, outages, exemptions)
                exempt_hours = figure.exempt_seconds / 3600
                is_rate = metric.source == MetricSource.availability
                value = figure.rate * 100 if is_rate else figure.down_hours
            elif metric.source == MetricSource.survey_index:
                value = monthly_index.value(window)
            else:
                value = _entered(session, service, metric, window)
            comparison: Comparison = "at_most" if metric.comparison == "at_most" else "at_least"
            figures.append(
                WindowFigure(
                    window=window,
                    measured=measured,
                    value=value,
                    met=meets(value, comparison, metric.target),
                    exempt_hours=exempt_hours,
                    so_far=measured.end < window.span.end,
                )
            )
        by_grain[grain] = tuple(figures)
    return MetricStatus(metric=metric, by_grain=by_grain)


def service_status(
    session: Session, service: Service, *, now: datetime, timezone: tzinfo
) -> ServiceStatus | None:
    """Every target of the agreement in force today, measured; None without one."""
    assert service.id is not None
    today = now.astimezone(timezone).date()
    agreement = agreement_in_force(session, service.id, today)
    if agreement is None or agreement.id is None:
        return None
    rows = exemptions_of(session, agreement.id)
    spans = [Span(row.starts_at, row.ends_at) for row in rows]
    monthly_index = MonthlyIndex(session, service)
    statuses = tuple(
        metric_status(
            session,
            service,
            agreement,
            metric,
            now=now,
            timezone=timezone,
            exemptions=spans,
            monthly_index=monthly_index,
        )
        for metric in metrics_of(session, agreement.id)
    )
    return ServiceStatus(agreement=agreement, metrics=statuses, exemptions=tuple(rows))
