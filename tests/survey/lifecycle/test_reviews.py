"""Review reports: compliance per window with exemptions, penalties, frozen with a hash
the database keeps."""

from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from survey.cases.worktime import SHANGHAI
from survey.errors import InvalidAnswer
from survey.frozen import canonical, content_hash
from survey.lifecycle.agreements import ExemptionInput, MetricInput
from survey.lifecycle.reviews import Findings, freeze_review, review_document
from survey.models import MetricKind, MetricSource
from tests.factories import Place, at
from tests.survey.lifecycle.test_agreements import NOW, down, place, service_at, signed

__all__ = ["place"]

AVAILABILITY = MetricInput(
    code="availability",
    name="Availability",
    kind=MetricKind.time_based,
    source=MetricSource.availability,
    comparison="at_least",
    target=98,
    unit="%",
    windows=("week", "year"),
    penalty="5 % of the month's fee",
)
FINDINGS = Findings("The data-centre move", "Rehearse moves", "The board")


def test_the_year_meets_98_percent_and_the_review_names_the_week_and_its_penalty(
    session: Session, place: Place
) -> None:
    """Review of 2 March to 29 November 2026 (39 whole ISO weeks, W10 to W48): a 144-hour
    outage in W10 (Monday 08:00 to Sunday 08:00) of which 24 hours fall in an exemption.
    W10 measures 168 − 24 = 144 hours, 144 − 24 = 120 of them down:
    (144 − 120) / 144 = 16.67 %, missed; the 38 other weeks are met. The year 2026 so far
    (8,050.5 hours to 2 December 10:30, 24 exempt) has 120 hours down: 98.5 %, met. One
    penalty is incurred."""
    service = service_at(session, place, NOW)
    storm = ExemptionInput(at("2026-03-03", "08:00"), at("2026-03-04", "08:00"), "Storm")
    signed(session, service, NOW, [AVAILABILITY], exemptions=[storm])
    down(session, service, at("2026-03-02", "08:00"), at("2026-03-08", "08:00"))
    review = freeze_review(
        session,
        service,
        first=date(2026, 3, 2),
        last=date(2026, 11, 29),
        findings=FINDINGS,
        frozen_by=None,
        now=NOW,
        timezone=SHANGHAI,
    )
    session.commit()
    content = review_document(review)
    (metric,) = content["metrics"]
    weeks = metric["grains"]["week"]
    assert (weeks["met"], weeks["judged"]) == (38, 39)
    label, value, met, exempt_hours, _so_far = weeks["windows"][0]
    assert (label, met, exempt_hours) == ("2026-W10", False, 24)
    assert value == pytest.approx(100 * 24 / 144, abs=1e-4)
    ((year, yearly, year_met, *_),) = metric["grains"]["year"]["windows"]
    assert (year, year_met) == ("2026", True)
    assert yearly == pytest.approx(100 * (8026.5 - 120) / 8026.5, abs=1e-4)
    assert content["penalties"] == [
        {"metric": "Availability", "window": "2026-W10", "penalty": "5 % of the month's fee"}
    ]
    assert content["exemptions"] == [["2026-03-03T08:00+08:00", "2026-03-04T08:00+08:00", "Storm"]]
    assert content["findings"]["changes"] == "Rehearse moves"
    assert review.content == canonical(content)
    assert review.content_hash == content_hash(review.content)


def test_the_database_refuses_to_change_or_delete_a_review(session: Session, place: Place) -> None:
    service = service_at(session, place, NOW)
    signed(session, service, NOW, [AVAILABILITY])
    review = freeze_review(
        session,
        service,
        first=date(2026, 1, 1),
        last=date(2026, 11, 30),
        findings=FINDINGS,
        frozen_by=None,
        now=NOW,
        timezone=SHANGHAI,
    )
    session.commit()
    for statement in (
        "UPDATE reviews SET content_hash = 'x' WHERE id = :id",
        "DELETE FROM reviews WHERE id = :id",
    ):
        with pytest.raises(DBAPIError, match="frozen"):
            session.execute(text(statement), {"id": review.id})
        session.rollback()


def test_a_period_not_over_or_without_an_agreement_is_refused(
    session: Session, place: Place
) -> None:
    service = service_at(session, place, NOW)
    signed(session, service, NOW, [AVAILABILITY], valid_from=date(2026, 6, 1))
    for first, last, field in (
        (date(2026, 6, 1), date(2026, 12, 31), "last"),
        (date(2026, 6, 1), date(2026, 5, 1), "last"),
        (date(2025, 1, 1), date(2025, 12, 31), "last"),
    ):
        with pytest.raises(InvalidAnswer) as raised:
            freeze_review(
                session,
                service,
                first=first,
                last=last,
                findings=FINDINGS,
                frozen_by=None,
                now=NOW,
                timezone=SHANGHAI,
            )
        assert set(raised.value.errors) == {field}
    with pytest.raises(InvalidAnswer) as raised:
        freeze_review(
            session,
            service,
            first=date(2026, 6, 1),
            last=date(2026, 11, 30),
            findings=Findings(" ", "", ""),
            frozen_by=None,
            now=NOW,
            timezone=SHANGHAI,
        )
    assert set(raised.value.errors) == {"shortfalls"}
