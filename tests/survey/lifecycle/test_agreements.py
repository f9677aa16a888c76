"""Services, agreement versions, signatures, and targets measured per window."""

import math
import random
from datetime import date, datetime, timedelta

import pytest
from sqlmodel import Session

from survey.cases.worktime import SHANGHAI
from survey.errors import AgreementStateConflict, InvalidAnswer, NotFound
from survey.lifecycle.agreements import (
    ExemptionInput,
    MetricInput,
    agreement_in_force,
    create_agreement,
    metric_changes,
    metrics_of,
    sign_agreement,
)
from survey.lifecycle.measurement import service_status
from survey.lifecycle.observations import record_outage
from survey.lifecycle.services import create_service, service_of
from survey.models import (
    CustomerSide,
    MetricFigure,
    MetricKind,
    MetricSource,
    Service,
    ServiceKind,
)
from survey.stats.aggregation import rebuild_stat_sums
from survey.stats.dashboard import Period, period_report
from survey.stats.reports import Scope
from tests.factories import Place, answer_randomly, at, make_place

AVAILABILITY = MetricInput(
    code="availability",
    name="Availability",
    kind=MetricKind.time_based,
    source=MetricSource.availability,
    comparison="at_least",
    target=98,
    unit="%",
    windows=("week", "year"),
)


NOW = at("2026-12-02", "10:30")
"""The hand-worked figures below are for this moment (a Wednesday), not the suite's day."""


@pytest.fixture
def place(session: Session) -> Place:
    return make_place(session, now=NOW - timedelta(days=90))


def service_at(session: Session, place: Place, now: datetime, **fields: object) -> Service:
    assert place.organisation.id is not None
    service = create_service(
        session,
        organisation_id=place.organisation.id,
        name="Online hall",
        kind=ServiceKind.availability,
        customer_side=CustomerSide.public,
        now=now,
        **fields,  # type: ignore[arg-type]
    )
    session.commit()
    return service


def down(session: Session, service: Service, start: datetime, end: datetime) -> None:
    """Record an outage through the real use case, and commit."""
    record_outage(
        session, service, starts_at=start, ends_at=end, note="", recorded_by=None, now=NOW
    )
    session.commit()


def signed(
    session: Session,
    service: Service,
    now: datetime,
    metrics: list[MetricInput],
    *,
    valid_from: date = date(2026, 1, 1),
    valid_to: date = date(2027, 12, 31),
    exemptions: list[ExemptionInput] | None = None,
) -> int:
    agreement = create_agreement(
        session,
        service=service,
        provider_party="Provider",
        customer_party="Customer",
        valid_from=valid_from,
        valid_to=valid_to,
        metrics=metrics,
        exemptions=exemptions or [],
        now=now,
    )
    sign_agreement(session, agreement, party="provider", signed_by="Wang", now=now)
    sign_agreement(session, agreement, party="customer", signed_by="Chen", now=now)
    session.commit()
    assert agreement.id is not None
    return agreement.id


def test_a_service_measured_at_another_organisations_hall_is_not_found(
    session: Session, now: datetime, place: Place
) -> None:
    other = make_place(session, now=now, slug="org-b")
    with pytest.raises(NotFound):
        service_at(session, place, now, site_id=other.site.id)
    with pytest.raises(NotFound):
        service_at(session, place, now, campaign_id=other.campaign.id)
    service = service_at(session, place, now, site_id=place.site.id)
    assert service.id is not None and other.organisation.id is not None
    with pytest.raises(NotFound):
        service_of(session, service.id, [other.organisation.id])


def test_every_bad_field_is_reported_at_once_and_nothing_is_written(
    session: Session, now: datetime, place: Place
) -> None:
    service = service_at(session, place, now)
    weekly_survey = MetricInput(
        code="Index!",
        name=" ",
        kind=MetricKind.frequency_based,
        source=MetricSource.survey_index,
        comparison="above",
        target=80,
        windows=("week",),
    )
    with pytest.raises(InvalidAnswer) as raised:
        create_agreement(
            session,
            service=service,
            provider_party="",
            customer_party="Customer",
            valid_from=date(2026, 12, 1),
            valid_to=date(2026, 1, 1),
            metrics=[weekly_survey],
            exemptions=[ExemptionInput(at("2026-05-02"), at("2026-05-01"), "storm")],
            now=now,
        )
    assert set(raised.value.errors) == {
        "provider_party",
        "valid_to",
        "metrics.0.code",
        "metrics.0.name",
        "metrics.0.comparison",
        "metrics.0.windows",
        "exemptions.0",
    }
    session.rollback()
    assert service.id is not None
    assert agreement_in_force(session, service.id, now.date()) is None


def test_a_party_signs_once_and_only_a_version_signed_by_both_is_in_force(
    session: Session, now: datetime, place: Place
) -> None:
    service = service_at(session, place, now)
    assert service.id is not None
    agreement = create_agreement(
        session,
        service=service,
        provider_party="P",
        customer_party="C",
        valid_from=date(2026, 1, 1),
        valid_to=date(2027, 12, 31),
        metrics=[AVAILABILITY],
        now=now,
    )
    sign_agreement(session, agreement, party="provider", signed_by="Wang", now=now)
    assert agreement_in_force(session, service.id, date(2026, 6, 1)) is None
    with pytest.raises(AgreementStateConflict):
        sign_agreement(session, agreement, party="provider", signed_by="Wang", now=now)
    sign_agreement(session, agreement, party="customer", signed_by="Chen", now=now)
    assert agreement_in_force(session, service.id, date(2026, 6, 1)) == agreement
    assert agreement_in_force(session, service.id, date(2028, 1, 1)) is None


def test_a_new_version_shows_what_it_changed_and_takes_over_from_its_start(
    session: Session, now: datetime, place: Place
) -> None:
    service = service_at(session, place, now)
    assert service.id is not None
    first = signed(session, service, now, [AVAILABILITY])
    stricter = MetricInput(**{**AVAILABILITY.__dict__, "target": 99.5})
    downtime = MetricInput(
        code="downtime",
        name="Downtime",
        kind=MetricKind.time_based,
        source=MetricSource.downtime,
        comparison="at_most",
        target=1,
        unit="h",
    )
    second = signed(session, service, now, [stricter, downtime], valid_from=date(2027, 1, 1))
    assert agreement_in_force(session, service.id, date(2026, 12, 31)).id == first  # type: ignore[union-attr]
    assert agreement_in_force(session, service.id, date(2027, 1, 1)).id == second  # type: ignore[union-attr]
    changes = metric_changes(metrics_of(session, first), metrics_of(session, second))
    assert [(c.code, c.change, c.fields) for c in changes] == [
        ("availability", "changed", (("target", "98.0", "99.5"),)),
        ("downtime", "added", ()),
    ]


def test_the_weekly_window_shows_the_outage_the_year_hides(session: Session, place: Place) -> None:
    """Hand-worked: on Wednesday 2 December 2026 at 10:30 (Shanghai), 2026 so far has
    335 days and 10.5 hours = 8,050.5 hours. A 120-hour outage from Monday 2 November 08:00
    leaves (8,050.5 − 120) / 8,050.5 = 98.51 % for the year so far: met (≥ 98 %). Its week
    (2026-W45, 168 hours) has (168 − 120) / 168 = 28.57 %: missed. The current week
    (2026-W49) is measured so far: Monday 00:00 to Wednesday 10:30 = 58.5 hours, all up."""
    now = NOW
    service = service_at(session, place, now)
    signed(session, service, now, [AVAILABILITY])
    down(session, service, at("2026-11-02", "08:00"), at("2026-11-07", "08:00"))
    status = service_status(session, service, now=now, timezone=SHANGHAI)
    assert status is not None
    (metric,) = status.metrics
    year = metric.current("year")
    assert year is not None and year.window.label == "2026" and year.so_far
    assert year.value == pytest.approx(100 * (8050.5 - 120) / 8050.5)
    assert year.met is True
    weeks = {figure.window.label: figure for figure in metric.by_grain["week"]}
    assert len(weeks) == 12
    assert weeks["2026-W45"].value == pytest.approx(100 * 48 / 168)
    assert weeks["2026-W45"].met is False
    assert [label for label, f in weeks.items() if f.met is False] == ["2026-W45"]
    current = metric.current("week")
    assert current is not None and current.window.label == "2026-W49"
    assert current.measured.seconds == 58.5 * 3600 and current.value == 100
    assert metric.holds_now is True


def test_an_exemption_takes_the_outage_out_of_the_week(session: Session, place: Place) -> None:
    """The same outage under an agreed exemption covering its first 100 hours: the week
    measures 168 − 100 = 68 hours, 20 of them down: (68 − 20) / 68 = 70.59 %."""
    now = NOW
    service = service_at(session, place, now)
    storm = ExemptionInput(at("2026-11-02", "08:00"), at("2026-11-06", "12:00"), "Typhoon")
    signed(session, service, now, [AVAILABILITY], exemptions=[storm])
    down(session, service, at("2026-11-02", "08:00"), at("2026-11-07", "08:00"))
    status = service_status(session, service, now=now, timezone=SHANGHAI)
    assert status is not None
    week = {f.window.label: f for f in status.metrics[0].by_grain["week"]}["2026-W45"]
    assert week.exempt_hours == 100
    assert week.value == pytest.approx(100 * 48 / 68)


def test_entered_figures_and_the_survey_index_are_judged_per_window(
    session: Session, place: Place
) -> None:
    """An entered figure counts for its window only; a window without one is not judged.
    The survey index of a month equals the dashboard's index of the same month."""
    now = NOW
    service = service_at(session, place, now, campaign_id=place.campaign.id)
    clause = MetricInput(
        code="training",
        name="Training sessions",
        kind=MetricKind.clause_based,
        source=MetricSource.entered,
        comparison="at_least",
        target=1,
        windows=("month",),
    )
    index = MetricInput(
        code="index",
        name="Index",
        kind=MetricKind.frequency_based,
        source=MetricSource.survey_index,
        comparison="at_least",
        target=0,
        windows=("month",),
    )
    signed(session, service, now, [clause, index], valid_from=date(2026, 9, 1))
    session.add(
        MetricFigure(
            service_id=service.id,
            metric_code="training",
            grain="month",
            period_start=date(2026, 10, 1),
            value=0,
            entered_at=now,
        )
    )
    session.add(
        MetricFigure(
            service_id=service.id,
            metric_code="training",
            grain="month",
            period_start=date(2026, 11, 1),
            value=2,
            entered_at=now,
        )
    )
    rng = random.Random(3)
    for day in range(40):
        answer_randomly(session, place, rng, now=at("2026-11-01") + timedelta(hours=17 * day))
    session.commit()
    rebuild_stat_sums(session, timezone=SHANGHAI, campaign_ids=[place.campaign.id])
    status = service_status(session, service, now=now, timezone=SHANGHAI)
    assert status is not None
    training, survey = status.metrics
    months = {f.window.label: f.met for f in training.by_grain["month"]}
    assert months == {"2026-09": None, "2026-10": False, "2026-11": True, "2026-12": None}
    figures = {f.window.label: f for f in survey.by_grain["month"]}
    assert math.isnan(figures["2026-10"].value) and figures["2026-10"].met is None
    dashboard = period_report(
        session,
        Scope(campaign_id=place.campaign.id, organisation_ids=(place.organisation.id,)),
        Period(since=date(2026, 11, 1), until=date(2026, 12, 1)),
    ).index
    assert dashboard.n == 40
    assert figures["2026-11"].value == dashboard.value
    assert figures["2026-11"].met is True
