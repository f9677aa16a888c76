"""The design stage: the customers' quality needs (with the gap the survey shows for each
now) and the candidate promises, each weighed on cost, benefit and its two risks before
it is negotiated (:mod:`analytics.risk`)."""

import math
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from analytics.risk import PromiseCase, promise_case
from survey.errors import N_, FieldError, InvalidAnswer
from survey.models import Campaign, Service, ServiceNeed, ServicePromise
from survey.questionnaires import default_instrument
from survey.questionnaires.instruments import load_instrument
from survey.stats.dashboard import default_period, period_report
from survey.stats.reports import Scope

GAP_MONTHS = 3
"""The months a need's current gap is measured over (this one included)."""
SERVQUAL_DIMENSIONS = tuple(row[0] for row in default_instrument.DIMENSIONS)


def dimension_codes(session: Session, service: Service) -> tuple[str, ...]:
    """The dimensions of the service's questionnaire, or SERVQUAL's five without one."""
    if service.campaign_id is not None:
        campaign = session.get(Campaign, service.campaign_id)
        if campaign is not None:
            return tuple(load_instrument(session, campaign.instrument_id).dimension_codes)
    return SERVQUAL_DIMENSIONS


def dimension_names(session: Session, service: Service, locale: str) -> dict[str, str]:
    """The dimensions' names as the service's questionnaire words them in ``locale``, or
    as the built-in SERVQUAL questionnaire does for a service without a campaign."""
    campaign = session.get(Campaign, service.campaign_id) if service.campaign_id else None
    if campaign is None:
        column = {"zh_Hans": 1, "zh_Hant": 2}.get(locale, 3)
        return {row[0]: row[column] for row in default_instrument.DIMENSIONS}
    spec = load_instrument(session, campaign.instrument_id)
    return {code: spec.text(f"dimension.{code}", locale) for code in spec.dimension_codes}


def add_need(
    session: Session, service: Service, *, dimension_code: str, text: str, now: datetime
) -> ServiceNeed:
    """Record a need against one of the service's dimensions. Flushes."""
    errors: dict[str, FieldError] = {}
    if dimension_code not in dimension_codes(session, service):
        errors["dimension"] = FieldError(N_("Choose one of the questionnaire's dimensions."))
    if not text.strip():
        errors["text"] = FieldError(N_("Please describe the need."))
    if errors:
        raise InvalidAnswer(errors)
    assert service.id is not None
    need = ServiceNeed(
        service_id=service.id, dimension_code=dimension_code, text=text.strip(), created_at=now
    )
    session.add(need)
    session.flush()
    return need


def add_promise(
    session: Session,
    service: Service,
    *,
    text: str,
    yearly_cost: float,
    yearly_benefit: float,
    cost_note: str,
    delivery: tuple[int, int],
    compensation: tuple[int, int],
    now: datetime,
) -> ServicePromise:
    """Record a candidate promise with its estimates. Flushes."""
    errors: dict[str, FieldError] = {}
    if not text.strip():
        errors["text"] = FieldError(N_("Please write the promise."))
    for name, value in (("yearly_cost", yearly_cost), ("yearly_benefit", yearly_benefit)):
        if not math.isfinite(value) or value < 0:
            errors[name] = FieldError(N_("Give an amount of 0 or more."))
    for name, pair in (("delivery", delivery), ("compensation", compensation)):
        if not all(1 <= value <= 5 for value in pair):
            errors[name] = FieldError(N_("Likelihood and impact are each from 1 to 5."))
    if errors:
        raise InvalidAnswer(errors)
    assert service.id is not None
    promise = ServicePromise(
        service_id=service.id,
        text=text.strip(),
        yearly_cost=yearly_cost,
        yearly_benefit=yearly_benefit,
        cost_note=cost_note.strip(),
        delivery_likelihood=delivery[0],
        delivery_impact=delivery[1],
        compensation_likelihood=compensation[0],
        compensation_impact=compensation[1],
        created_at=now,
    )
    session.add(promise)
    session.flush()
    return promise


@dataclass(frozen=True)
class NeedRow:
    """A need with its dimension's gap over the last :data:`GAP_MONTHS` months (NaN
    without a campaign or below the minimum n)."""

    need: ServiceNeed
    gap: float
    n: int


@dataclass(frozen=True)
class PromiseRow:
    promise: ServicePromise
    case: PromiseCase


def needs_of(session: Session, service: Service, *, today: date) -> list[NeedRow]:
    assert service.id is not None
    needs = session.exec(
        select(ServiceNeed)
        .where(ServiceNeed.service_id == service.id)
        .order_by(col(ServiceNeed.id))
    ).all()
    gaps: dict[str, tuple[float, int]] = {}
    if needs and service.campaign_id is not None:
        scope = Scope(
            campaign_id=service.campaign_id,
            organisation_ids=(service.organisation_id,),
            site_id=service.site_id,
        )
        report = period_report(session, scope, default_period(today, GAP_MONTHS))
        for dimension in report.dimensions:
            gap = dimension.scores.get("G")
            if gap is not None:
                gaps[dimension.code] = (gap.mean if gap.sufficient else math.nan, gap.n)
    return [NeedRow(need, *gaps.get(need.dimension_code, (math.nan, 0))) for need in needs]


def promises_of(session: Session, service_id: int) -> list[PromiseRow]:
    promises = session.exec(
        select(ServicePromise)
        .where(ServicePromise.service_id == service_id)
        .order_by(col(ServicePromise.id))
    ).all()
    return [
        PromiseRow(
            promise,
            promise_case(
                yearly_cost=promise.yearly_cost,
                yearly_benefit=promise.yearly_benefit,
                delivery=(promise.delivery_likelihood, promise.delivery_impact),
                compensation=(promise.compensation_likelihood, promise.compensation_impact),
            ),
        )
        for promise in promises
    ]
