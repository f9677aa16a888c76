"""Reading the aggregates: power sums added up in the database per group, for every report."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import func, literal
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from analytics.power_sums import (
    Layout,
    PowerSums,
    StatKey,
    possible_keys,
)
from survey.models import (
    SITE_WIDE,
    Campaign,
    Counter,
    Site,
    StatGrain,
    SurveyResponse,
)
from survey.stats.stat_rows import STAT_SUMS, VALUE_COLUMNS, fetch_plain

GROUP_COLUMNS = ("site", "counter", "staff", "locale", "period")


@dataclass(frozen=True)
class StatQuery:
    """Which aggregate rows a report adds up.

    ``level`` ``site`` reads the site rows (every family at month grain, the light ones at
    day grain); ``place`` the counter/clerk/language rows (light, months). ``since`` and
    ``until`` bound the period (``until`` excluded): first days of months at month grain,
    any days at day grain. ``group_by`` names columns to keep apart (``period`` is the
    month's first day or the day). ``keys`` reads only the keys it accepts (e.g.
    :func:`analytics.trends.trend_keys` for a trend, which needs no cross-products): the
    database then adds up a fraction of the rows.
    """

    campaign_id: int
    level: str = "site"
    site_id: int | None = None
    counter_id: int | None = None
    staff_id: int | None = None
    locale: str | None = None
    since: date | None = None
    until: date | None = None
    group_by: tuple[str, ...] = ()
    grain: StatGrain = StatGrain.month
    keys: Callable[[StatKey], bool] | None = None

    def __post_init__(self) -> None:
        if self.level not in ("site", "place"):
            raise ValueError("level must be 'site' or 'place'")
        if self.grain == StatGrain.day and self.level != "site":
            raise ValueError("day rows exist for sites only")
        if self.grain == StatGrain.month:
            for bound in (self.since, self.until):
                if bound is not None and bound.day != 1:
                    raise ValueError("month rows are bounded by first days of months")
        for name in self.group_by:
            if name not in GROUP_COLUMNS:
                raise ValueError(f"cannot group by {name!r}")


@dataclass(frozen=True)
class StatTable:
    """Aggregate rows added up per group, as a dense array: ``values[g, k]`` is the power
    sum of ``groups[g]`` (a tuple of the ``group_by`` values) under ``keys[k]``.

    Lets one query serve a whole report and its breakdowns: :meth:`total` and :meth:`by`
    add groups with numpy instead of asking the database again.
    """

    group_by: tuple[str, ...]
    groups: tuple[tuple[Any, ...], ...]
    keys: tuple[StatKey, ...]
    values: np.ndarray

    def total(self) -> PowerSums:
        """The power sums of every group together."""
        return PowerSums.from_arrays(self.keys, self.values.sum(axis=0))

    def by(self, name: str) -> dict[Any, PowerSums]:
        """The power sums per value of one ``group_by`` column, in sorted order."""
        position = self.group_by.index(name)
        labels = sorted({group[position] for group in self.groups})
        index = {label: i for i, label in enumerate(labels)}
        summed = np.zeros((len(labels), *self.values.shape[1:]), dtype=np.int64)
        np.add.at(summed, [index[group[position]] for group in self.groups], self.values)
        return {label: PowerSums.from_arrays(self.keys, summed[i]) for label, i in index.items()}


def read_stat_table(session: Session, query: StatQuery, layout: Layout) -> StatTable:
    """The rows of ``query`` grouped by its ``group_by`` columns, as a :class:`StatTable`.

    ``layout`` is the campaign's instrument layout: it turns key numbers back into keys.
    """
    known = possible_keys(layout)
    key_ids = None
    if query.keys is not None:
        key_ids = sorted(number for number, key in known.items() if query.keys(key))
    statement, width = _stat_statement(query, key_ids)
    rows = fetch_plain(session.connection(), statement)
    if not rows:
        return StatTable(query.group_by, (), (), np.zeros((0, 0, 4), dtype=np.int64))
    table = np.array(rows, dtype=object).reshape(len(rows), width + 5)
    group_index = np.zeros(len(rows), dtype=np.int64)
    labels: list[list[Any]] = []
    for position in range(width):
        column = table[:, position]
        as_keys = column.astype(np.int64) if isinstance(column[0], int) else column.astype(str)
        values, first, inverse = np.unique(as_keys, return_index=True, return_inverse=True)
        labels.append([_plain(column[i]) for i in first.tolist()])
        group_index = group_index * len(values) + inverse.reshape(-1)
    present, group_index = np.unique(group_index, return_inverse=True)
    groups_list: list[tuple[Any, ...]] = []
    for code in present.tolist():
        parts = []
        for position in reversed(range(width)):
            size = len(labels[position])
            parts.append(labels[position][code % size])
            code //= size
        groups_list.append(tuple(reversed(parts)))
    groups = {group: g for g, group in enumerate(groups_list)}
    table = table[:, width:]
    key_numbers, key_index = np.unique(table[:, 0].astype(np.int64), return_inverse=True)
    try:
        keys = tuple(known[int(number)] for number in key_numbers)
    except KeyError as error:
        raise LookupError(f"aggregate key {error} does not belong to the instrument") from error
    dense = np.zeros((len(groups), len(keys), 4), dtype=np.int64)
    dense[group_index.reshape(-1), key_index.reshape(-1)] = table[:, 1:5].astype(np.int64)
    return StatTable(group_by=query.group_by, groups=tuple(groups), keys=keys, values=dense)


def read_stat_sums(
    session: Session, query: StatQuery, layout: Layout
) -> dict[tuple[Any, ...], PowerSums]:
    """Power sums per group of the aggregate rows selected by ``query``.

    The keys of the result are tuples of the ``group_by`` values in that order (the empty
    tuple without grouping); ``layout`` turns key numbers back into keys.
    """
    table = read_stat_table(session, query, layout)
    return {
        group: PowerSums.from_arrays(table.keys, table.values[g])
        for g, group in enumerate(table.groups)
    }


def _campaign_counters(campaign_id: int, site_id: int | None) -> Any:
    """A subquery of the counters of the campaign's organisation (of one site, if given)."""
    statement = (
        sa_select(col(Counter.id))
        .join(Site, col(Site.id) == col(Counter.site_id))
        .join(Campaign, col(Campaign.organisation_id) == col(Site.organisation_id))
        .where(col(Campaign.id) == campaign_id)
    )
    if site_id is not None:
        statement = statement.where(col(Site.id) == site_id)
    return statement


def _stat_statement(query: StatQuery, key_ids: list[int] | None = None) -> tuple[Any, int]:
    """The SELECT of a query, and how many group columns lead its rows.

    Site rows at month grain are already one per site, month and key: grouped by both,
    they are read as they are, without the database sorting them for a GROUP BY.
    Place rows of no one counter are read counter by counter (``counter_id IN …``), so
    the period, which follows the counter in the clustered key, bounds each range.
    """
    group_columns = [
        STAT_SUMS.c[f"{name}_id" if name in ("site", "counter", "staff") else name]
        for name in query.group_by
    ]
    conditions = [
        STAT_SUMS.c.campaign_id == query.campaign_id,
        STAT_SUMS.c.grain == query.grain.value,
        STAT_SUMS.c.counter_id == SITE_WIDE
        if query.level == "site"
        else STAT_SUMS.c.counter_id != SITE_WIDE,
    ]
    if query.level == "place" and query.counter_id is None:
        counters = _campaign_counters(query.campaign_id, query.site_id)
        conditions.append(STAT_SUMS.c.counter_id.in_(counters))
    if key_ids is not None:
        conditions.append(STAT_SUMS.c.key_id.in_(key_ids))
    if query.since is not None:
        conditions.append(STAT_SUMS.c.period >= query.since)
    if query.until is not None:
        conditions.append(STAT_SUMS.c.period < query.until)
    for name, value in (
        ("site_id", query.site_id),
        ("counter_id", query.counter_id),
        ("staff_id", query.staff_id),
        ("locale", query.locale),
    ):
        if value is not None:
            conditions.append(STAT_SUMS.c[name] == value)
    if query.level == "site" and {"site", "period"} <= set(query.group_by):
        values = [STAT_SUMS.c[c] for c in ("key_id", *VALUE_COLUMNS)]
        return sa_select(*group_columns, *values).where(*conditions), len(group_columns)
    value_sums = [func.sum(STAT_SUMS.c[c]) for c in VALUE_COLUMNS]
    statement = (
        sa_select(*group_columns, STAT_SUMS.c.key_id, *value_sums)
        .where(*conditions)
        .group_by(*group_columns, STAT_SUMS.c.key_id)
    )
    return statement, len(group_columns)


def _plain(value: Any) -> Any:
    """Dates from SQLite come back as text."""
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    return value


def has_stat_sums(session: Session) -> bool:
    """Whether any aggregate row exists."""
    return (
        session.connection().execute(sa_select(literal(1)).select_from(STAT_SUMS).limit(1)).first()
        is not None
    )


def aggregates_missing(session: Session) -> bool:
    """Responses exist but no aggregates: a database from before the aggregates existed."""
    has_responses = session.exec(select(SurveyResponse.id).limit(1)).first() is not None
    return has_responses and not has_stat_sums(session)
