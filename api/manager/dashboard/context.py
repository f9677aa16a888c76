"""What every dashboard page shares: the request's context (scope, period, language),
the view a page becomes (figures and tables) and the list of pages."""

from dataclasses import dataclass, field, replace
from datetime import date, tzinfo
from typing import Any

from babel.dates import format_skeleton

from api import charts, i18n
from api.exports.tables import Table
from api.manager.dashboard.filters import Filters
from survey.questionnaires.instruments import InstrumentSpec
from survey.stats.dashboard import Period, ScopePlaces, add_months
from survey.stats.reports import Scope

PAGES = ("overview", "items", "importance", "trends", "rankings", "comments", "reliability")
DEFAULT_MONTHS = {"trends": 12}
"""Months shown when no period is chosen: three, but a year for the trends."""
TREND_GRAINS = ("week", "month", "quarter")


@dataclass(frozen=True)
class Figure:
    """A chart with its data as a table (the text alternative and the CSV download)."""

    name: str
    title: str
    spec: dict[str, Any]
    table: Table
    marks: int
    fold_table: bool = True
    """Fold the table once the chart is drawn; False where the table's links are the way
    on (rankings: each unit opens its own overview)."""


@dataclass
class PageView:
    page: str
    title: str
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def table(self, name: str) -> Table | None:
        for table in self.tables:
            if table.name == name:
                return table
        return next((f.table for f in self.figures if f.table.name == name), None)

    def figure(self, name: str) -> Figure | None:
        return next((f for f in self.figures if f.name == name), None)


@dataclass(frozen=True)
class PageContext:
    """Everything a page needs to know of its request: the data scope, the period, the
    questionnaire and the reader's language (no database session: presenters get results)."""

    filters: Filters
    scope: Scope
    places: ScopePlaces
    period: Period
    spec: InstrumentSpec
    locale: str
    today: date
    timezone: tzinfo
    options: dict[str, str] = field(default_factory=dict)
    export: bool = False
    """Building a download: lists hold every row that matches, not one page of them."""
    hall_manager: bool = False
    """The reader is limited to some halls: nothing beyond the scope's hall is shown."""

    def scope_in_period(self) -> Scope:
        return replace(self.scope, since=self.period.since, until=self.period.until)

    def _(self, message: str) -> str:
        return i18n.gettext(self.locale, message)

    def dimension_name(self, code: str) -> str:
        return self.spec.text(f"dimension.{code}", self.locale)

    def item_text(self, code: str) -> str:
        return self.spec.text(f"item.{code}", self.locale)

    def period_name(self, label: str) -> str:
        """``2026-09`` → ``2026年9月`` / ``Sep 2026``; weeks and quarters as they are."""
        if len(label) == 7 and label[4] == "-" and label[5:].isdigit():
            month = date(int(label[:4]), int(label[5:]), 1)
            return format_skeleton("yMMM", month, locale=self.locale)
        return label

    def path(self, page: str = "overview") -> str:
        base = f"/manager/campaigns/{self.filters.campaign_id}"
        return base if page == "overview" else f"{base}/{page}"

    def url(self, page: str = "overview", **changes: Any) -> str:
        """A dashboard page with the current filters (and ``changes`` to them)."""
        return self.path(page) + self.filters.query(**changes)

    def export_url(self, page: str, name: str, extension: str) -> str:
        """The download of a table or chart, with the filters and the page's options."""
        options = {k: v for k, v in self.options.items() if k != "before"}
        base = f"/manager/campaigns/{self.filters.campaign_id}/{page}/export"
        return f"{base}/{name}.{extension}" + self.filters.query(options)

    def period_last_month(self) -> str:
        return add_months(self.period.until, -1).strftime("%Y-%m")

    def period_text(self) -> str:
        first = self.period_name(self.period.since.strftime("%Y-%m"))
        last = self.period_name(self.period_last_month())
        return first if first == last else f"{first} – {last}"

    def place_name(self) -> str:
        places = self.places
        for place in (places.staff, places.counter, places.site, places.organisation):
            if place is not None:
                return place.name
        return ""

    def chart_text(self) -> charts.ChartText:
        """The charts' words in the reader's language."""
        return charts.translated_chart_text(self._)
