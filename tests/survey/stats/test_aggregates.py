"""Daily and monthly aggregates equal the power sums of the raw answers, however made."""

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from sqlalchemy import select, text
from sqlmodel import Session

from analytics.control import period_label
from analytics.power_sums import (
    LIGHT_FAMILIES,
    AnswerMatrix,
    PowerSums,
    StatKey,
    grouped_power_sums,
    power_sums,
)
from analytics.report import servqual_report
from survey.models import Campaign, CampaignMode, StatGrain
from survey.stats.aggregation import rebuild_stat_sums
from survey.stats.layouts import instrument_layout
from survey.stats.reports import Scope, ScopeAnswers, period_sums, scope_answers
from survey.stats.stat_rows import STAT_SUMS
from survey.stats.sums import StatQuery, aggregates_missing, read_stat_sums
from tests.factories import Place, answer_randomly, make_place

SHANGHAI = ZoneInfo("Asia/Shanghai")


def read_stat(session: Session, query: StatQuery) -> dict[tuple[object, ...], PowerSums]:
    """Aggregate sums of a query, keys read back with the campaign's own layout."""
    campaign = session.get(Campaign, query.campaign_id)
    assert campaign is not None
    return read_stat_sums(session, query, instrument_layout(session, campaign.instrument_id).layout)


def stored_rows(session: Session) -> list[tuple[object, ...]]:
    """Every aggregate row, in key order."""
    return [
        tuple(row)
        for row in session.connection().execute(
            select(STAT_SUMS).order_by(*STAT_SUMS.primary_key.columns)
        )
    ]


@pytest.fixture
def answered(session: Session) -> Place:
    """A paired campaign with 60 responses, one every 31 hours from 20 September to
    6 December (Asia/Shanghai): four local months."""
    start = datetime(2026, 9, 20, 1, 0, tzinfo=UTC)
    place = make_place(session, now=start)
    rng = random.Random(5)
    for i in range(60):
        moment = (start + timedelta(hours=31 * i)).astimezone(SHANGHAI)
        answer_randomly(session, place, rng, now=moment)
    return place


def raw_sums(session: Session, place: Place) -> tuple[PowerSums, ScopeAnswers]:
    data = scope_answers(session, Scope(place.campaign.id or 0, (place.organisation.id or 0,)))
    return power_sums(data.answers), data


def test_submissions_keep_the_aggregates_equal_to_the_raw_answers(
    session: Session, answered: Place
) -> None:
    """After each submission the site rows add up to the power sums of every stored answer
    (all families, exactly), and the place rows to the light families per language."""
    campaign_id = answered.campaign.id or 0
    expected, data = raw_sums(session, answered)
    from_rows = read_stat(session, StatQuery(campaign_id=campaign_id))[()]
    assert from_rows == expected
    assert expected[("respondents", "", "", "", "")][0] == 60

    order = [
        row[0]
        for row in session.connection().execute(
            text("SELECT locale FROM survey_responses ORDER BY id")
        )
    ]
    locales = sorted(set(order))
    per_locale = read_stat(
        session, StatQuery(campaign_id=campaign_id, level="place", group_by=("locale",))
    )
    groups = np.array([locales.index(locale) for locale in order])
    grouped = grouped_power_sums(data.answers, groups, len(locales), families=LIGHT_FAMILIES)
    for index, locale in enumerate(locales):
        assert per_locale[(locale,)] == grouped.group(index)


def test_rebuild_reproduces_the_rows_the_submissions_wrote(
    session: Session, answered: Place
) -> None:
    """``manyi stats rebuild`` recomputes exactly the rows kept incrementally, day and month."""
    before = stored_rows(session)
    assert before
    summary = rebuild_stat_sums(session, timezone=SHANGHAI)
    assert summary.responses == 60
    assert stored_rows(session) == before


def subset_of(data: ScopeAnswers, rows: np.ndarray) -> AnswerMatrix:
    """The answers of some rows of a scope."""
    return data.answers.rows(rows)


def test_month_ranges_and_day_rows_add_up_to_the_answers_of_those_local_days(
    session: Session, answered: Place
) -> None:
    """Month rows for October–November hold exactly the answers of those local months
    (every family); the sites' day rows hold, per local day, the light families."""
    campaign_id = answered.campaign.id or 0
    data = scope_answers(session, Scope(campaign_id, (answered.organisation.id or 0,)))
    days = np.array([place[3].astimezone(SHANGHAI).date() for place in data.places])
    since, until = date(2026, 10, 1), date(2026, 12, 1)
    rows = (days >= since) & (days < until)
    assert 0 < rows.sum() < 60
    months = read_stat(session, StatQuery(campaign_id=campaign_id, since=since, until=until))
    assert months[()] == power_sums(subset_of(data, rows))

    per_day = read_stat(
        session,
        StatQuery(campaign_id=campaign_id, grain=StatGrain.day, group_by=("period",)),
    )
    assert set(per_day) == {(day,) for day in days}
    for (day,), sums in per_day.items():
        assert sums == grouped_power_sums(
            subset_of(data, days == day),
            np.zeros((days == day).sum(), dtype=int),
            1,
            families=LIGHT_FAMILIES,
        ).group(0)
    by_month = read_stat(session, StatQuery(campaign_id=campaign_id, group_by=("period",)))
    assert sorted(by_month) == [(date(2026, month, 1),) for month in (9, 10, 11, 12)]
    with pytest.raises(ValueError, match="first days of months"):
        StatQuery(campaign_id=campaign_id, since=date(2026, 10, 5))


def test_a_response_late_in_the_utc_day_counts_on_the_next_local_day(
    session: Session,
) -> None:
    """16:30 UTC on 31 January is 00:30 on 1 February in Shanghai: a February answer."""
    moment = datetime(2026, 1, 31, 16, 30, tzinfo=UTC)
    place = make_place(session, now=moment - timedelta(days=1))
    answer_randomly(session, place, random.Random(1), now=moment.astimezone(SHANGHAI))
    days = read_stat(
        session,
        StatQuery(campaign_id=place.campaign.id or 0, group_by=("period",), grain=StatGrain.day),
    )
    assert list(days) == [(date(2026, 2, 1),)]
    rebuild_stat_sums(session, timezone=SHANGHAI)
    again = read_stat(
        session,
        StatQuery(campaign_id=place.campaign.id or 0, group_by=("period",), grain=StatGrain.day),
    )
    assert again == days


def test_item_sampling_and_three_column_campaigns_aggregate_exactly(session: Session) -> None:
    """Under item sampling nobody answers every item (pairwise families carry the data);
    three-column answers add MIN, DES, ADQ and SUP. Both equal the raw answers."""
    start = datetime(2026, 10, 1, 2, 0, tzinfo=UTC)
    for slug, mode, sampling in (
        ("sampled", CampaignMode.paired, 2),
        ("three", CampaignMode.three_column, None),
    ):
        place = make_place(session, now=start, slug=slug, mode=mode, items_per_dimension=sampling)
        rng = random.Random(slug)
        for i in range(25):
            answer_randomly(session, place, rng, now=start + timedelta(hours=7 * i))
        expected, _ = raw_sums(session, place)
        got = read_stat(session, StatQuery(campaign_id=place.campaign.id or 0))[()]
        assert got == expected, slug
        report = servqual_report(
            got,
            scope_answers(
                session, Scope(place.campaign.id or 0, (place.organisation.id or 0,))
            ).answers.layout,
            missing="pairwise",
        )
        assert report.n_respondents == 25


def test_a_database_from_before_the_aggregates_is_recognised(
    session: Session, answered: Place
) -> None:
    """Responses without aggregate rows (an upgraded database) ask for a rebuild."""
    assert not aggregates_missing(session)
    session.connection().execute(STAT_SUMS.delete())
    session.commit()
    assert aggregates_missing(session)
    rebuild_stat_sums(session, timezone=SHANGHAI)
    assert not aggregates_missing(session)


def test_a_response_stored_at_local_midnight_counts_once_on_its_day(
    session: Session, answered: Place
) -> None:
    """A response at exactly local midnight of 1 November (16:00:00 UTC on 31 October),
    stored without fractions of a second, and another later that day: both belong to
    November only. Rebuilding must not put the first in October's pass as well, which
    wrote 1 November's rows twice (SQLite compares timestamps as text)."""
    ids = [
        row[0]
        for row in session.connection().execute(
            text("SELECT id FROM survey_responses ORDER BY id LIMIT 2")
        )
    ]
    sqlite = session.get_bind().dialect.name == "sqlite"
    for response_id, stamp in zip(ids, ("2026-10-31 16:00:00", "2026-10-31 18:00:00"), strict=True):
        session.connection().execute(
            text("UPDATE survey_responses SET submitted_at = :stamp WHERE id = :id"),
            {"stamp": stamp if sqlite else stamp + "+00", "id": response_id},
        )
    session.commit()
    rebuild_stat_sums(session, timezone=SHANGHAI)
    campaign_id = answered.campaign.id or 0
    days = read_stat(
        session,
        StatQuery(campaign_id=campaign_id, grain=StatGrain.day, group_by=("period",)),
    )
    total = PowerSums.total(days.values())
    assert total[StatKey("respondents")][0] == 60
    assert days[(date(2026, 11, 1),)][StatKey("respondents")][0] >= 2


def test_weeks_added_up_in_the_database_equal_their_days(session: Session, answered: Place) -> None:
    """Weekly sums are the day rows added up per ISO week: each week equals its days,
    labelled by ISO week (``2026-W39``, weeks starting on Monday), in time order."""
    scope = Scope(answered.campaign.id or 0, (answered.organisation.id or 0,))
    layout = instrument_layout(session, answered.campaign.instrument_id).layout
    weeks = period_sums(session, scope, layout, grain="week")
    days = period_sums(session, scope, layout, grain="day")
    by_week: dict[str, PowerSums] = {}
    for label, sums in days:
        week = period_label(date.fromisoformat(label), "week")
        by_week[week] = by_week.get(week, PowerSums()) + sums
    assert [label for label, _ in weeks] == sorted(by_week)
    assert len(weeks) == 12  # 20 September (W38) to 6 December (W49) 2026
    for label, sums in weeks:
        assert sums == by_week[label], label
    assert sum(1 for _, sums in weeks if len(sums)) == len(weeks)
