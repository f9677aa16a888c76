"""The operators' comparison on a regulator's evaluation, checked against the raw answers.

Each operator's index is recomputed here from the answers themselves, independently of
the aggregates the comparison reads: I = (m̄ − 1) / (7 − 1) × 100, where m̄ is the mean
over respondents of each one's mean perception, with the 95 % interval m̄ ± t(0.975, n−1)
· s / √n rescaled the same way (Fornell 1992; GB/T 19038-2009); scipy gives the t
quantile.
"""

import math
import random
from datetime import timedelta

import numpy as np
import pytest
from scipy import stats
from sqlmodel import Session, select

from survey.errors import InvalidAnswer
from survey.models import Campaign, QrLink
from survey.places.changes import committed
from survey.questionnaires.instruments import ensure_default_instrument, load_instrument
from survey.regulation.authorities import create_authority, oversee
from survey.regulation.comparison import operator_comparison, operator_figures
from survey.regulation.evaluations import create_evaluation
from survey.stats.stat_rows import month_of, next_month
from tests.factories import FixedClock, Place, answer_through_link, local_day, make_place


def independent_index(rows: list[list[int | None]]) -> tuple[float, float, float]:
    """Index and 95 % interval from raw perceptions on 1..7 (blank items left out)."""
    means = np.array([np.mean([v for v in row if v is not None]) for row in rows])
    n = len(means)
    centre = means.mean()
    half = stats.t.ppf(0.975, n - 1) * means.std(ddof=1) / math.sqrt(n)

    def scale(value: float) -> float:
        return float((value - 1) / 6 * 100)

    return scale(centre), scale(centre - half), scale(centre + half)


@pytest.fixture
def operators(session: Session, clock: FixedClock) -> tuple[Place, Place, Place, int]:
    """Three operators under one authority, each with one hall and counter."""
    places = tuple(make_place(session, now=clock(), slug=slug) for slug in ("op-a", "op-b", "op-c"))
    authority = create_authority(session, name="Administration", now=clock())
    assert authority.id is not None
    for place in places:
        assert place.organisation.id is not None
        oversee(
            session,
            authority_id=authority.id,
            organisation_id=place.organisation.id,
            since=clock().date(),
        )
    session.commit()
    return (*places, authority.id)  # type: ignore[return-value]


def test_each_operators_index_matches_the_raw_answers_and_own_campaigns_stay_out(
    session: Session, clock: FixedClock, operators: tuple[Place, Place, Place, int]
) -> None:
    a, b, c, authority_id = operators
    now = clock()
    instrument = ensure_default_instrument(session, now=now)
    assert instrument.id is not None
    evaluation = committed(
        session,
        create_evaluation,
        authority_id=authority_id,
        name="Q4",
        instrument_id=instrument.id,
        starts_on=now.date() - timedelta(days=10),
        ends_on=now.date() + timedelta(days=60),
        answers_per_hall=40,
        now=now,
    )
    links = {
        campaign.organisation_id: session.exec(
            select(QrLink).where(QrLink.campaign_id == campaign.id)
        ).one()
        for campaign in session.exec(
            select(Campaign).where(Campaign.evaluation_id == evaluation.id)
        ).all()
    }
    assert set(links) == {a.organisation.id, b.organisation.id, c.organisation.id}
    rng = random.Random(5)
    given: dict[int, list[list[int | None]]] = {}
    for place, low, high, count in ((a, 4, 7, 45), (b, 2, 6, 38), (c, 1, 7, 6)):
        assert place.organisation.id is not None
        rows = [
            [None if rng.random() < 0.1 else rng.randint(low, high) for _ in range(22)]
            for _ in range(count)
        ]
        for i, row in enumerate(rows):
            if all(v is None for v in row):
                row[0] = low
            answer_through_link(
                session,
                links[place.organisation.id].token,
                row,
                now=now,
                key=f"e{place.organisation.id}-{i}",
            )
        given[place.organisation.id] = rows
    # The operators' own campaigns: very low answers, which must not reach the comparison.
    for place in (a, b):
        for i in range(20):
            answer_through_link(
                session, place.link.token, [1] * 22, now=now, key=f"own{place.organisation.id}-{i}"
            )

    since = month_of(local_day(now))  # every answer was given now
    comparison = operator_comparison(
        session, evaluation, since=since, until=next_month(since), min_n=30
    )

    for place in (a, b, c):
        result = comparison.result(place.organisation.id or 0)
        assert result.report is not None
        value, low, high = independent_index(given[place.organisation.id or 0])
        index = result.report.index
        assert index.n == len(given[place.organisation.id or 0])
        assert index.value == pytest.approx(value, abs=1e-9)
        assert index.ci95 == pytest.approx((low, high), abs=1e-9)
    ranks = {int(u.unit): u.rank for u in comparison.ranking.units}
    assert ranks[a.organisation.id or 0] == 1 and ranks[b.organisation.id or 0] == 2
    assert ranks[c.organisation.id or 0] is None  # 6 respondents, under the minimum of 30
    assert comparison.instrument == f"{instrument.key} v{instrument.version}"
    assert comparison.method == "mean_perception v1"
    halls = {h.name: h.n for h in comparison.result(a.organisation.id or 0).halls}
    assert halls == {a.site.name: 45}


def test_an_evaluation_needs_a_shared_questionnaire_days_in_order_and_operators(
    session: Session, clock: FixedClock, operators: tuple[Place, Place, Place, int]
) -> None:
    now = clock()
    lonely = create_authority(session, name="Nobody's", now=now)
    session.commit()
    instrument = ensure_default_instrument(session, now=now)
    assert instrument.id is not None and lonely.id is not None
    with pytest.raises(InvalidAnswer) as refused:
        committed(
            session,
            create_evaluation,
            authority_id=lonely.id,
            name=" ",
            instrument_id=instrument.id + 1000,
            starts_on=now.date(),
            ends_on=now.date() - timedelta(days=1),
            answers_per_hall=0,
            now=now,
        )
    assert set(refused.value.errors) == {
        "name",
        "instrument",
        "ends_on",
        "answers_per_hall",
        "authority",
    }
    assert session.exec(select(Campaign).where(Campaign.evaluation_id.is_not(None))).all() == []  # type: ignore[union-attr]


def test_a_dimension_under_the_minimum_publishes_no_gap(
    session: Session, clock: FixedClock, operators: tuple[Place, Place, Place, int]
) -> None:
    """35 respondents reach the minimum of 30 for the operator, but only 10 of them rated
    tangibles: that dimension's gap is left out of the published figures, the others
    stay."""
    a, _b, _c, authority_id = operators
    now = clock()
    instrument = ensure_default_instrument(session, now=now)
    evaluation = committed(
        session,
        create_evaluation,
        authority_id=authority_id,
        name="Q4",
        instrument_id=instrument.id or 0,
        starts_on=now.date() - timedelta(days=10),
        ends_on=now.date() + timedelta(days=60),
        now=now,
    )
    link = session.exec(
        select(QrLink)
        .join(Campaign, Campaign.id == QrLink.campaign_id)  # type: ignore[arg-type]
        .where(
            Campaign.evaluation_id == evaluation.id, Campaign.organisation_id == a.organisation.id
        )
    ).one()
    items = load_instrument(session, instrument.id or 0).items
    for i in range(35):
        rated = [None if item.dimension_code == "tangibles" and i >= 10 else 5 for item in items]
        answer_through_link(session, link.token, rated, now=now, key=f"t{i}")
    since = month_of(local_day(now))
    comparison = operator_comparison(
        session, evaluation, since=since, until=next_month(since), min_n=30
    )
    row = next(r for r in operator_figures(comparison) if r["id"] == a.organisation.id)
    assert row["n"] == 35 and row["index"] is not None
    assert set(row["gaps"]) == {"reliability", "responsiveness", "assurance", "empathy"}
