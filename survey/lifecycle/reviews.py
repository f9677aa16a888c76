"""The review stage: for a service, its agreement and a period, whether the agreed quality
was met and the customer satisfied, and the provider's audit findings, frozen.

The figures are those of the agreement in force on the period's last day: each target's
windows that overlap the period with exemptions applied and the share met, the penalties
the missed windows incur, the campaign's satisfaction index and dimension gaps over the
period's whole months with the monthly index, the complaints at the service's hall
(answered within their limit; a service without a hall counts none) and its inspections'
compliance, and the corrective actions
opened in the period with how they ended. The findings say what fell short, what to change
and who is told. The whole is frozen as canonical JSON with its SHA-256 (the database
refuses to change or delete it); a new agreement version can start from it.
"""

import json
import math
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlmodel import Session, col, select

from analytics.control import period_label
from survey.cases.queries import on_time_rates
from survey.errors import N_, FieldError, InvalidAnswer, NotFound
from survey.frozen import canonical, content_hash
from survey.lifecycle.agreements import agreement_in_force, exemptions_of, metrics_of
from survey.lifecycle.measurement import metric_status
from survey.models import Campaign, CorrectiveAction, Review, Service
from survey.questionnaires.default_instrument import LOCALES
from survey.questionnaires.instruments import load_instrument
from survey.stats.dashboard import Period, add_months, period_report
from survey.stats.reports import Scope
from survey.stats.stat_rows import month_of
from survey.supervision.queries import compliance_by_place

METHOD_VERSION = "1"
"""Bumped when what a review counts changes, so an old review says how it was made."""


@dataclass(frozen=True)
class Findings:
    """The provider's audit: what fell short, what to change, who is told."""

    shortfalls: str
    changes: str
    told: str


def default_review_period(today: date) -> tuple[date, date]:
    """The review a manager most often writes: the year so far, up to yesterday (on the
    1st of January, last year)."""
    yesterday = today - timedelta(days=1)
    return date(yesterday.year, 1, 1), yesterday


def _number(value: float) -> float | None:
    return None if math.isnan(value) else round(value, 4)


def _survey(session: Session, service: Service, first: date, last: date) -> dict[str, Any] | None:
    if service.campaign_id is None:
        return None
    scope = Scope(
        campaign_id=service.campaign_id,
        organisation_ids=(service.organisation_id,),
        site_id=service.site_id,
    )
    since, until = month_of(first), add_months(month_of(last), 1)
    report = period_report(session, scope, Period(since, until))
    months = []
    month = since
    while month < until:
        index = period_report(session, scope, Period(month, add_months(month, 1))).index
        months.append([period_label(month, "month"), _number(index.value), index.n])
        month = add_months(month, 1)
    campaign = session.get(Campaign, service.campaign_id)
    assert campaign is not None
    spec = load_instrument(session, campaign.instrument_id)
    return {
        "months": [period_label(since, "month"), period_label(add_months(until, -1), "month")],
        "index": _number(report.index.value),
        "index_ci": [_number(report.index.ci95[0]), _number(report.index.ci95[1])],
        "n": report.index.n,
        "dimensions": [
            {
                "code": d.code,
                "names": {loc: spec.text(f"dimension.{d.code}", loc) for loc in LOCALES},
                "scores": {field: _number(score.mean) for field, score in d.scores.items()},
                "n": max((score.n for score in d.scores.values()), default=0),
            }
            for d in report.dimensions
        ],
        "monthly_index": months,
    }


def _complaints(
    session: Session, service: Service, first: date, last: date, timezone: tzinfo, now: datetime
) -> dict[str, Any] | None:
    """The complaints received at the service's hall; None for a service without one (the
    organisation's complaints are not this service's)."""
    if service.site_id is None:
        return None
    rows = on_time_rates(
        session,
        organisation_ids=[service.organisation_id],
        since=datetime.combine(first, time(), timezone),
        until=datetime.combine(last + timedelta(days=1), time(), timezone),
        now=now,
    )
    mine = [r for r in rows if r.site_id == service.site_id]
    on_time, late = sum(r.on_time for r in mine), sum(r.late for r in mine)
    return {
        "received": sum(r.received for r in mine),
        "on_time": on_time,
        "late": late,
        "pending": sum(r.pending for r in mine),
        "on_time_rate": _number(on_time / (on_time + late)) if on_time + late else None,
    }


def _inspections(
    session: Session, service: Service, first: date, last: date, timezone: tzinfo
) -> dict[str, Any] | None:
    if service.site_id is None:
        return None
    found = compliance_by_place(
        session,
        organisation_ids=[service.organisation_id],
        since=first,
        until=last + timedelta(days=1),
        timezone=timezone,
        period="all",
        site_id=service.site_id,
    )
    cell = next(iter(found.values()), None)
    if cell is None:
        return {"inspections": 0, "compliance": None}
    return {"inspections": cell.n_inspections, "compliance": _number(cell.rate)}


def review_content(
    session: Session,
    service: Service,
    *,
    first: date,
    last: date,
    findings: Findings,
    now: datetime,
    timezone: tzinfo,
) -> dict[str, Any]:
    """The review as it will be frozen. InvalidAnswer for a bad period or no agreement."""
    assert service.id is not None
    today = now.astimezone(timezone).date()
    errors: dict[str, FieldError] = {}
    if last < first:
        errors["last"] = FieldError(N_("The period must end after it starts."))
    elif last > today:
        errors["last"] = FieldError(N_("A period is reviewed once it has ended."))
    agreement = agreement_in_force(session, service.id, last) if not errors else None
    if not errors and (agreement is None or agreement.id is None):
        errors["last"] = FieldError(
            N_("No signed agreement was in force on the period's last day.")
        )
    if not findings.shortfalls.strip():
        errors["shortfalls"] = FieldError(N_("Say what fell short, or that nothing did."))
    if errors:
        raise InvalidAnswer(errors)
    assert agreement is not None and agreement.id is not None
    exemptions = exemptions_of(session, agreement.id)
    metrics: list[dict[str, Any]] = []
    penalties: list[dict[str, Any]] = []
    for metric in metrics_of(session, agreement.id):
        status = metric_status(
            session, service, agreement, metric, now=now, timezone=timezone, period=(first, last)
        )
        grains = {}
        for grain, figures in status.by_grain.items():
            judged = [f.met for f in figures if f.met is not None]
            grains[grain] = {
                "windows": [
                    [f.window.label, _number(f.value), f.met, round(f.exempt_hours, 2), f.so_far]
                    for f in figures
                ],
                "met": sum(judged),
                "judged": len(judged),
            }
            penalties += [
                {"metric": metric.name, "window": f.window.label, "penalty": metric.penalty}
                for f in figures
                if f.met is False and metric.penalty
            ]
        metrics.append(
            {
                "code": metric.code,
                "name": metric.name,
                "kind": metric.kind.value,
                "source": metric.source.value,
                "comparison": metric.comparison,
                "target": metric.target,
                "unit": metric.unit,
                "penalty": metric.penalty,
                "grains": grains,
            }
        )
    actions = session.exec(
        select(CorrectiveAction)
        .where(
            CorrectiveAction.service_id == service.id,
            col(CorrectiveAction.window_start) >= first,
            col(CorrectiveAction.window_start) <= last,
        )
        .order_by(col(CorrectiveAction.id))
    ).all()
    return {
        "method_version": METHOD_VERSION,
        "service": {"id": service.id, "name": service.name, "kind": service.kind.value},
        "agreement": {
            "version": agreement.version,
            "provider": agreement.provider_party,
            "customer": agreement.customer_party,
            "valid_from": agreement.valid_from.isoformat(),
            "valid_to": agreement.valid_to.isoformat(),
        },
        "period": [first.isoformat(), last.isoformat()],
        "metrics": metrics,
        "penalties": penalties,
        "exemptions": [
            [
                e.starts_at.astimezone(timezone).isoformat(timespec="minutes"),
                e.ends_at.astimezone(timezone).isoformat(timespec="minutes"),
                e.reason,
            ]
            for e in exemptions
            if e.starts_at.astimezone(timezone).date() <= last
            and e.ends_at.astimezone(timezone).date() >= first
        ],
        "survey": _survey(session, service, first, last),
        "complaints": _complaints(session, service, first, last, timezone, now),
        "inspections": _inspections(session, service, first, last, timezone),
        "actions": [
            {"id": a.id, "title": a.title, "state": a.state.value, "effect": a.effect or None}
            for a in actions
        ],
        "findings": {
            "shortfalls": findings.shortfalls.strip(),
            "changes": findings.changes.strip(),
            "told": findings.told.strip(),
        },
    }


def freeze_review(
    session: Session,
    service: Service,
    *,
    first: date,
    last: date,
    findings: Findings,
    frozen_by: int | None,
    now: datetime,
    timezone: tzinfo,
) -> Review:
    """Compute the review and freeze it with its hash. Flushes."""
    content = review_content(
        session, service, first=first, last=last, findings=findings, now=now, timezone=timezone
    )
    text = canonical(content)
    assert service.id is not None
    agreement = agreement_in_force(session, service.id, last)
    assert agreement is not None and agreement.id is not None
    review = Review(
        service_id=service.id,
        agreement_id=agreement.id,
        period_start=first,
        period_end=last,
        content=text,
        content_hash=content_hash(text),
        frozen_by=frozen_by,
        frozen_at=now,
    )
    session.add(review)
    session.flush()
    return review


def reviews_of(session: Session, service_id: int) -> list[Review]:
    """The service's reviews, newest period first."""
    return list(
        session.exec(
            select(Review)
            .where(Review.service_id == service_id)
            .order_by(col(Review.period_end).desc(), col(Review.id).desc())
        ).all()
    )


def review_of(session: Session, review_id: int, organisation_ids: Collection[int]) -> Review:
    """The review if its service is one of the organisations'; NotFound otherwise."""
    review = session.get(Review, review_id)
    service = session.get(Service, review.service_id) if review is not None else None
    if review is None or service is None or service.organisation_id not in organisation_ids:
        raise NotFound(f"review {review_id}")
    return review


def review_document(review: Review) -> dict[str, Any]:
    """The frozen content, after checking it still has its hash (a copy altered outside
    the app would not)."""
    if content_hash(review.content) != review.content_hash:
        raise ValueError(f"review {review.id} does not match its hash")
    content: dict[str, Any] = json.loads(review.content)
    return content
