"""Corrective actions: opened once per signal by each trigger, planned, and judged by
their measured effect."""

import json
from datetime import date, datetime, timedelta

import numpy as np
import pytest
from scipy import stats
from sqlmodel import Session, select

from survey.cases.worktime import SHANGHAI
from survey.errors import InvalidAnswer
from survey.lifecycle.actions import (
    measure_effect,
    open_corrective_actions,
    plan_action,
    sweep_actions,
)
from survey.lifecycle.agreements import MetricInput
from survey.models import (
    ActionState,
    ActionTrigger,
    CorrectiveAction,
    MetricKind,
    MetricSource,
    Role,
)
from survey.questionnaires.instruments import load_instrument
from tests.factories import FixedClock, Place, answer_through_link, at, make_place
from tests.survey.lifecycle.test_agreements import NOW, down, service_at, signed

__all__ = ["NOW", "answer_month"]
from tests.web import add_user

WEEKLY = MetricInput(
    code="availability",
    name="Availability",
    kind=MetricKind.time_based,
    source=MetricSource.availability,
    comparison="at_least",
    target=98,
    unit="%",
    windows=("week",),
)


@pytest.fixture
def place(session: Session) -> Place:
    return make_place(session, now=NOW - timedelta(days=150))


def actions(session: Session) -> list[CorrectiveAction]:
    return list(session.exec(select(CorrectiveAction).order_by(CorrectiveAction.id)).all())


def test_a_missed_week_opens_one_action_and_a_second_run_opens_none(
    session: Session, place: Place
) -> None:
    service = service_at(session, place, NOW)
    signed(session, service, NOW, [WEEKLY])
    down(session, service, at("2026-11-02", "08:00"), at("2026-11-03", "08:00"))
    assert place.organisation.id is not None
    opened = open_corrective_actions(session, place.organisation.id, now=NOW, timezone=SHANGHAI)
    session.commit()
    assert [(a.trigger, a.trigger_key) for a in opened] == [
        (ActionTrigger.breach, f"breach:{service.id}:availability:week:2026-W45")
    ]
    evidence = json.loads(opened[0].evidence)
    assert evidence["value"] == pytest.approx(100 * 144 / 168)
    assert evidence["target"] == 98 and evidence["agreement_version"] == 1
    again = open_corrective_actions(session, place.organisation.id, now=NOW, timezone=SHANGHAI)
    assert again == []
    assert len(actions(session)) == 1


def test_a_plan_needs_an_owner_of_the_organisation_a_plan_and_a_future_due_date(
    session: Session, place: Place
) -> None:
    service = service_at(session, place, NOW)
    signed(session, service, NOW, [WEEKLY])
    down(session, service, at("2026-11-02", "08:00"), at("2026-11-03", "08:00"))
    assert place.organisation.id is not None
    (action,) = open_corrective_actions(session, place.organisation.id, now=NOW, timezone=SHANGHAI)
    other = make_place(session, now=NOW, slug="org-b")
    assert other.organisation.id is not None
    clock = FixedClock(NOW)
    stranger = add_user(session, clock, "stranger", Role.manager, [other.organisation.id])
    with pytest.raises(InvalidAnswer) as raised:
        plan_action(
            session,
            action,
            owner_id=stranger,
            cause="",
            plan=" ",
            due_on=date(2026, 11, 1),
            today=NOW.date(),
            now=NOW,
        )
    assert set(raised.value.errors) == {"owner", "plan", "due_on"}


def test_the_effect_of_a_breach_is_the_windows_after_the_due_date(
    session: Session, place: Place
) -> None:
    """Due on 9 November: the three whole weeks after it (W46-W48) are all up, so on
    2 December the action is effective and closed; with an outage in W47 it is reopened."""
    service = service_at(session, place, NOW)
    signed(session, service, NOW, [WEEKLY])
    down(session, service, at("2026-11-02", "08:00"), at("2026-11-03", "08:00"))
    assert place.organisation.id is not None
    (action,) = open_corrective_actions(
        session, place.organisation.id, now=at("2026-11-09", "10:00"), timezone=SHANGHAI
    )
    clock = FixedClock(NOW)
    owner = add_user(session, clock, "owner", Role.manager, [place.organisation.id])
    plan_action(
        session,
        action,
        owner_id=owner,
        cause="Power supply of the server room",
        plan="A second power feed",
        due_on=date(2026, 11, 16),
        today=date(2026, 11, 9),
        now=at("2026-11-09", "10:00"),
    )
    early = measure_effect(session, action, now=at("2026-11-16", "09:00"), timezone=SHANGHAI)
    assert early.effective is None and action.state == ActionState.open
    effect = measure_effect(session, action, now=NOW, timezone=SHANGHAI)
    assert effect.effective is True
    assert action.state == ActionState.effective and action.closed_at == NOW
    assert [label for label, _value in effect.details["after"]] == ["2026-W47", "2026-W48"]


def test_an_action_that_did_not_work_is_reopened_for_a_new_plan(
    session: Session, place: Place
) -> None:
    service = service_at(session, place, NOW)
    signed(session, service, NOW, [WEEKLY])
    for day in ("2026-11-02", "2026-11-24"):
        down(session, service, at(day, "08:00"), at(day, "08:00") + timedelta(days=1))
    assert place.organisation.id is not None
    first_run = at("2026-11-09", "10:00")
    (action,) = open_corrective_actions(
        session, place.organisation.id, now=first_run, timezone=SHANGHAI
    )
    plan_action(
        session,
        action,
        owner_id=None,
        cause="",
        plan="Fix it",
        due_on=date(2026, 11, 16),
        today=first_run.date(),
        now=first_run,
    )
    effect = measure_effect(session, action, now=NOW, timezone=SHANGHAI)
    assert effect.effective is False
    assert action.state == ActionState.reopened and action.due_on is None
    assert action.closed_at is None


def answer_month(
    session: Session, place: Place, month: date, tangibles: list[int], others: list[int]
) -> list[float]:
    """Thirty customers in ``month`` (expectation 6 throughout); returns each one's
    tangibles gap (the mean of their four tangibles item gaps), computed here by hand."""
    spec = load_instrument(session, place.campaign.instrument_id)
    gaps = []
    for i in range(30):
        values = [
            tangibles[(i + j) % len(tangibles)]
            if item.dimension_code == "tangibles"
            else others[(i + j) % len(others)]
            for j, item in enumerate(spec.items)
        ]
        day = datetime.combine(month + timedelta(days=i % 25), datetime.min.time(), SHANGHAI)
        answer_through_link(
            session,
            place.link.token,
            list(values),
            now=day + timedelta(hours=10),
            key=f"{month}-{i}",
        )
        own = [
            v - 6
            for v, item in zip(values, spec.items, strict=True)
            if item.dimension_code == "tangibles"
        ]
        gaps.append(sum(own) / len(own))
    return gaps


def test_a_widening_gap_and_a_falling_index_each_open_an_action_once(
    session: Session, place: Place
) -> None:
    """Four steady months (tangibles perceived 5-7), then a November of 2-4: the tangibles
    gap of November against August-October is significantly worse (Welch, checked against
    scipy on the customers' own gaps), and the monthly trend signals below its limits."""
    baseline: list[float] = []
    for month in (date(2026, 7, 1), date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1)):
        gaps = answer_month(session, place, month, [5, 6, 7], [5, 6, 7])
        if month >= date(2026, 8, 1):
            baseline += gaps
    november = answer_month(session, place, date(2026, 11, 1), [2, 3, 4], [5, 6, 7])
    session.commit()
    assert place.organisation.id is not None
    opened = open_corrective_actions(session, place.organisation.id, now=NOW, timezone=SHANGHAI)
    session.commit()
    by_key = {a.trigger_key: a for a in opened}
    gap = by_key[f"gap:{place.campaign.id}:tangibles:2026-11"]
    assert gap.trigger == ActionTrigger.gap_widening
    evidence = json.loads(gap.evidence)
    expected = stats.ttest_ind(november, baseline, equal_var=False)
    assert evidence["p_value"] == pytest.approx(expected.pvalue, rel=1e-6)
    assert evidence["difference"] == pytest.approx(np.mean(november) - np.mean(baseline))
    signals = [a for a in opened if a.trigger == ActionTrigger.control_signal]
    assert f"signal:{place.campaign.id}:tangibles:2026-11" in {a.trigger_key for a in signals}
    assert sweep_actions(session, now=NOW, timezone=SHANGHAI) == (0, 0)
