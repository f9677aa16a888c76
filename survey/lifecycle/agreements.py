"""Service quality agreements: versions with metrics, exemptions and clauses, signed by
both parties.

A version is written whole (its metrics and exemptions with it) and is final once both
parties have signed; a later change is the next version, and :func:`metric_changes` shows
what it changed. The version **in force** on a day is the newest version signed by both
whose validity covers that day: every measurement uses it.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from sqlmodel import Session, col, func, select

from analytics.control import GRAINS
from survey.errors import N_, AgreementStateConflict, FieldError, InvalidAnswer
from survey.models import (
    Agreement,
    AgreementExemption,
    AgreementMetric,
    MetricKind,
    MetricSource,
    Service,
)

COMPARISONS = ("at_least", "at_most")
WINDOW_GRAINS = tuple(grain for grain in GRAINS if grain != "day")
"""The windows a target can hold in: week, month, quarter, year."""
SURVEY_GRAINS = ("month", "quarter", "year")
"""A survey index is kept per month, so its windows are whole months or longer."""
_CODE = re.compile(r"^[a-z0-9_]{1,40}$")


@dataclass(frozen=True)
class MetricInput:
    """One target as written in the agreement."""

    code: str
    name: str
    kind: MetricKind
    source: MetricSource
    comparison: str
    target: float
    unit: str = ""
    windows: tuple[str, ...] = ("year",)
    penalty: str = ""


@dataclass(frozen=True)
class ExemptionInput:
    starts_at: datetime
    ends_at: datetime
    reason: str


def _metric_errors(index: int, metric: MetricInput) -> dict[str, FieldError]:
    errors: dict[str, FieldError] = {}
    field = f"metrics.{index}"
    if not _CODE.match(metric.code):
        errors[f"{field}.code"] = FieldError(
            N_("A metric's code is 1 to 40 lower-case letters, digits or underscores.")
        )
    if not metric.name.strip():
        errors[f"{field}.name"] = FieldError(N_("Please name the metric."))
    if metric.comparison not in COMPARISONS:
        errors[f"{field}.comparison"] = FieldError(N_("Choose at least or at most."))
    if not metric.windows or any(grain not in WINDOW_GRAINS for grain in metric.windows):
        errors[f"{field}.windows"] = FieldError(
            N_("Windows are one or more of week, month, quarter and year.")
        )
    elif metric.source == MetricSource.survey_index and any(
        grain not in SURVEY_GRAINS for grain in metric.windows
    ):
        errors[f"{field}.windows"] = FieldError(
            N_("A survey index is measured per month, quarter or year, not per week.")
        )
    if metric.source == MetricSource.availability and not 0 <= metric.target <= 100:
        errors[f"{field}.target"] = FieldError(N_("An availability target is a percentage."))
    return errors


def create_agreement(
    session: Session,
    *,
    service: Service,
    provider_party: str,
    customer_party: str,
    valid_from: date,
    valid_to: date,
    metrics: Sequence[MetricInput],
    now: datetime,
    exemptions: Sequence[ExemptionInput] = (),
    negotiation: str = "",
    glossary: str = "",
) -> Agreement:
    """Write the service's next agreement version, unsigned. Every bad field is reported
    at once (InvalidAnswer) and nothing is written. Flushes."""
    errors: dict[str, FieldError] = {}
    if not provider_party.strip():
        errors["provider_party"] = FieldError(N_("Please name the provider."))
    if not customer_party.strip():
        errors["customer_party"] = FieldError(N_("Please name the customer."))
    if valid_to < valid_from:
        errors["valid_to"] = FieldError(N_("The agreement must end after it starts."))
    if not metrics:
        errors["metrics"] = FieldError(N_("An agreement needs at least one measurable target."))
    codes = [metric.code for metric in metrics]
    if len(set(codes)) != len(codes):
        errors["metrics"] = FieldError(N_("Each metric needs its own code."))
    for index, metric in enumerate(metrics):
        errors.update(_metric_errors(index, metric))
    for index, exemption in enumerate(exemptions):
        if exemption.ends_at <= exemption.starts_at:
            errors[f"exemptions.{index}"] = FieldError(N_("An exemption must end after it starts."))
        elif not exemption.reason.strip():
            errors[f"exemptions.{index}"] = FieldError(N_("Please give the exemption's reason."))
    if errors:
        raise InvalidAnswer(errors)
    assert service.id is not None
    version = (
        session.exec(
            select(func.max(Agreement.version)).where(Agreement.service_id == service.id)
        ).one()
        or 0
    ) + 1
    agreement = Agreement(
        service_id=service.id,
        version=version,
        provider_party=provider_party.strip(),
        customer_party=customer_party.strip(),
        valid_from=valid_from,
        valid_to=valid_to,
        negotiation=negotiation.strip(),
        glossary=glossary.strip(),
        created_at=now,
    )
    session.add(agreement)
    session.flush()
    assert agreement.id is not None
    for position, metric in enumerate(metrics):
        session.add(
            AgreementMetric(
                agreement_id=agreement.id,
                position=position,
                code=metric.code,
                name=metric.name.strip(),
                kind=metric.kind,
                source=metric.source,
                comparison=metric.comparison,
                target=metric.target,
                unit=metric.unit.strip(),
                windows=",".join(metric.windows),
                penalty=metric.penalty.strip(),
            )
        )
    for exemption in exemptions:
        session.add(
            AgreementExemption(
                agreement_id=agreement.id,
                starts_at=exemption.starts_at,
                ends_at=exemption.ends_at,
                reason=exemption.reason.strip(),
            )
        )
    session.flush()
    return agreement


def sign_agreement(
    session: Session,
    agreement: Agreement,
    *,
    party: Literal["provider", "customer"],
    signed_by: str,
    now: datetime,
) -> Agreement:
    """Record one party's signature (who, when). A party signs once. Flushes."""
    if not signed_by.strip():
        raise InvalidAnswer({"signed_by": FieldError(N_("Please give the signatory's name."))})
    if party == "provider":
        if agreement.provider_signed_at is not None:
            raise AgreementStateConflict("signed twice by the provider")
        agreement.provider_signed_by = signed_by.strip()
        agreement.provider_signed_at = now
    else:
        if agreement.customer_signed_at is not None:
            raise AgreementStateConflict("signed twice by the customer")
        agreement.customer_signed_by = signed_by.strip()
        agreement.customer_signed_at = now
    session.add(agreement)
    session.flush()
    return agreement


def is_signed(agreement: Agreement) -> bool:
    """Signed by both parties: final, and a candidate for being in force."""
    return agreement.provider_signed_at is not None and agreement.customer_signed_at is not None


def agreements_of(session: Session, service_id: int) -> list[Agreement]:
    """Every version of the service's agreement, newest first."""
    return list(
        session.exec(
            select(Agreement)
            .where(Agreement.service_id == service_id)
            .order_by(col(Agreement.version).desc())
        ).all()
    )


def agreement_in_force(session: Session, service_id: int, day: date) -> Agreement | None:
    """The newest version signed by both parties whose validity covers ``day``."""
    for agreement in agreements_of(session, service_id):
        if is_signed(agreement) and agreement.valid_from <= day <= agreement.valid_to:
            return agreement
    return None


def metrics_of(session: Session, agreement_id: int) -> list[AgreementMetric]:
    return list(
        session.exec(
            select(AgreementMetric)
            .where(AgreementMetric.agreement_id == agreement_id)
            .order_by(col(AgreementMetric.position))
        ).all()
    )


def exemptions_of(session: Session, agreement_id: int) -> list[AgreementExemption]:
    return list(
        session.exec(
            select(AgreementExemption)
            .where(AgreementExemption.agreement_id == agreement_id)
            .order_by(col(AgreementExemption.starts_at))
        ).all()
    )


@dataclass(frozen=True)
class MetricChange:
    """How a metric differs between two versions: ``added``, ``removed`` or ``changed``
    (with the fields that changed, as ``(field, before, after)``)."""

    code: str
    change: str
    fields: tuple[tuple[str, str, str], ...] = ()


_COMPARED = ("name", "comparison", "target", "unit", "windows", "penalty", "source", "kind")


def metric_changes(
    before: Sequence[AgreementMetric], after: Sequence[AgreementMetric]
) -> list[MetricChange]:
    """What a new version changed in the metrics, matched by code, in the new order."""
    old = {metric.code: metric for metric in before}
    new = {metric.code: metric for metric in after}
    changes: list[MetricChange] = []
    for code, metric in new.items():
        previous = old.get(code)
        if previous is None:
            changes.append(MetricChange(code, "added"))
            continue
        fields = tuple(
            (name, str(getattr(previous, name)), str(getattr(metric, name)))
            for name in _COMPARED
            if getattr(previous, name) != getattr(metric, name)
        )
        if fields:
            changes.append(MetricChange(code, "changed", fields))
    changes.extend(MetricChange(code, "removed") for code in old if code not in new)
    return changes
