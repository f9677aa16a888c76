"""Writing a service's quality agreement: the next version (prefilled from the last, so a
change is a new version) and each party's signature."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import RedirectResponse, Response

from api.deps import CurrentManager, NowDep, SessionDep
from api.forms import PostedForm, PostedFormDep, check_csrf, chosen_id
from api.manager.services import (
    COMPARISON_LABELS,
    GRAIN_LABELS,
    SOURCE_LABELS,
    service_page_view,
)
from api.refused import Refused
from api.templating import render, translate, translate_errors
from survey.accounts import Account
from survey.errors import N_, FieldError, InvalidAnswer, NotFound
from survey.lifecycle.agreements import (
    WINDOW_GRAINS,
    ExemptionInput,
    MetricInput,
    agreements_of,
    create_agreement,
    exemptions_of,
    metrics_of,
    sign_agreement,
)
from survey.lifecycle.reviews import review_document, review_of
from survey.lifecycle.services import service_of
from survey.models import Agreement, MetricKind, MetricSource, Service

router = APIRouter()
BLANK_METRICS = 3
BLANK_EXEMPTIONS = 2
MAX_ROWS = 40
METRIC_FIELDS = ("code", "name", "kind", "source", "comparison", "target", "unit", "penalty")
KIND_LABELS: dict[str, str] = {
    MetricKind.time_based: N_("Time-based"),
    MetricKind.count_based: N_("Count-based"),
    MetricKind.frequency_based: N_("Frequency-based"),
    MetricKind.clause_based: N_("Clause-based"),
}


@dataclass
class AgreementForm:
    """The form as shown: its header fields, metric rows and exemption rows (strings)."""

    fields: dict[str, str]
    metrics: list[dict[str, Any]]
    exemptions: list[dict[str, str]]


def _blank_metric() -> dict[str, Any]:
    return dict.fromkeys(METRIC_FIELDS, "") | {
        "kind": MetricKind.time_based.value,
        "source": MetricSource.availability.value,
        "comparison": "at_least",
        "windows": [],
    }


def _blank_exemption() -> dict[str, str]:
    return {"starts": "", "ends": "", "reason": ""}


def _local(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return ""
    return moment.astimezone(now.tzinfo).strftime("%Y-%m-%dT%H:%M")


def _prefilled(session: Session, service: Service, now: datetime) -> AgreementForm:
    """The latest version as a starting point, or an empty form for this year."""
    assert service.id is not None
    versions = agreements_of(session, service.id)
    if not versions or versions[0].id is None:
        today = now.date()
        fields = {
            "provider_party": "",
            "customer_party": service.customer_name,
            "valid_from": date(today.year, 1, 1).isoformat(),
            "valid_to": date(today.year, 12, 31).isoformat(),
            "negotiation": "",
            "glossary": "",
        }
        return AgreementForm(
            fields,
            [_blank_metric() for _ in range(BLANK_METRICS)],
            [_blank_exemption() for _ in range(BLANK_EXEMPTIONS)],
        )
    last = versions[0]
    assert last.id is not None
    fields = {
        "provider_party": last.provider_party,
        "customer_party": last.customer_party,
        "valid_from": last.valid_from.isoformat(),
        "valid_to": last.valid_to.isoformat(),
        "negotiation": last.negotiation,
        "glossary": last.glossary,
    }
    metrics: list[dict[str, Any]] = [
        {
            "code": metric.code,
            "name": metric.name,
            "kind": metric.kind.value,
            "source": metric.source.value,
            "comparison": metric.comparison,
            "target": f"{metric.target:g}",
            "unit": metric.unit,
            "penalty": metric.penalty,
            "windows": metric.windows.split(","),
        }
        for metric in metrics_of(session, last.id)
    ]
    exemptions = [
        {
            "starts": _local(row.starts_at, now),
            "ends": _local(row.ends_at, now),
            "reason": row.reason,
        }
        for row in exemptions_of(session, last.id)
    ]
    return AgreementForm(
        fields,
        metrics + [_blank_metric() for _ in range(BLANK_METRICS)],
        exemptions + [_blank_exemption() for _ in range(BLANK_EXEMPTIONS)],
    )


def _posted(form: PostedForm) -> AgreementForm:
    """The form as typed, empty rows left out (the messages name rows in this order)."""
    fields = {
        name: form.get(name)[:8000]
        for name in (
            "provider_party",
            "customer_party",
            "valid_from",
            "valid_to",
            "negotiation",
            "glossary",
        )
    }
    metrics = []
    for index in range(MAX_ROWS):
        row: dict[str, Any] = {
            name: form.get(f"metrics-{index}-{name}")[:400] for name in METRIC_FIELDS
        }
        row["windows"] = [g for g in WINDOW_GRAINS if form.get(f"metrics-{index}-window-{g}")]
        if row["code"].strip() or row["name"].strip():
            metrics.append(row)
    exemptions = []
    for index in range(MAX_ROWS):
        exemption = {
            name: form.get(f"exemptions-{index}-{name}")[:400]
            for name in ("starts", "ends", "reason")
        }
        if any(value.strip() for value in exemption.values()):
            exemptions.append(exemption)
    return AgreementForm(fields, metrics, exemptions)


def _day(value: str, field: str, errors: dict[str, FieldError]) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        errors[field] = FieldError(N_("Give a day as YYYY-MM-DD."))
        return date.min


def _moment(value: str, field: str, now: datetime, errors: dict[str, FieldError]) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        errors[field] = FieldError(N_("Give a date and a time."))
        return now
    return parsed.replace(tzinfo=now.tzinfo) if parsed.tzinfo is None else parsed


def _inputs(
    typed: AgreementForm, now: datetime
) -> tuple[list[MetricInput], list[ExemptionInput], date, date]:
    """The typed form as the use case's inputs; every unreadable field is reported at once."""
    errors: dict[str, FieldError] = {}
    valid_from = _day(typed.fields["valid_from"], "valid_from", errors)
    valid_to = _day(typed.fields["valid_to"], "valid_to", errors)
    metrics = []
    for index, row in enumerate(typed.metrics):
        try:
            target = float(row["target"].strip().replace(",", "."))
        except ValueError:
            errors[f"metrics.{index}.target"] = FieldError(N_("The target is a number."))
            target = 0.0
        kind = row["kind"] if row["kind"] in set(MetricKind) else MetricKind.time_based
        source = row["source"] if row["source"] in set(MetricSource) else MetricSource.entered
        metrics.append(
            MetricInput(
                code=row["code"].strip(),
                name=row["name"],
                kind=MetricKind(kind),
                source=MetricSource(source),
                comparison=row["comparison"],
                target=target,
                unit=row["unit"],
                windows=tuple(row["windows"]),
                penalty=row["penalty"],
            )
        )
    exemptions = [
        ExemptionInput(
            _moment(row["starts"], f"exemptions.{index}", now, errors),
            _moment(row["ends"], f"exemptions.{index}", now, errors),
            row["reason"],
        )
        for index, row in enumerate(typed.exemptions)
    ]
    if errors:
        raise InvalidAnswer(errors)
    return metrics, exemptions, valid_from, valid_to


def _form_page(
    request: Request,
    account: Account,
    service: Service,
    typed: AgreementForm,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    from_review: dict[str, Any] | None = None,
) -> Response:
    return render(
        request,
        "manager/agreement_form.html",
        {
            "account": account,
            "service": service,
            "form": typed,
            "errors": errors or {},
            "from_review": from_review,
            "grains": [(g, translate(request, GRAIN_LABELS[g])) for g in WINDOW_GRAINS],
            "kinds": [(k, translate(request, label)) for k, label in KIND_LABELS.items()],
            "sources": [(k, translate(request, label)) for k, label in SOURCE_LABELS.items()],
            "comparisons": [
                (k, translate(request, label)) for k, label in COMPARISON_LABELS.items()
            ],
        },
        status_code=status_code,
    )


@router.get("/manager/services/{service_id}/agreements/new")
def new_agreement_page(
    request: Request, service_id: int, account: CurrentManager, session: SessionDep, now: NowDep
) -> Response:
    service = service_of(session, service_id, account.organisation_ids)
    from_review = None
    review_id = request.query_params.get("review", "")
    if review_id:
        review = review_of(session, chosen_id(review_id), account.organisation_ids)
        if review.service_id != service.id:
            raise NotFound(f"review {review_id}")
        from_review = review_document(review)
    return _form_page(
        request, account, service, _prefilled(session, service, now), from_review=from_review
    )


@router.post("/manager/services/{service_id}/agreements/new")
def write_agreement(
    request: Request,
    service_id: int,
    account: CurrentManager,
    session: SessionDep,
    now: NowDep,
    form: PostedFormDep,
) -> Response:
    """Write the service's next version, unsigned; the form comes back (422) with every
    message and what was typed."""
    check_csrf(request, form)
    service = service_of(session, service_id, account.organisation_ids)
    typed = _posted(form)
    try:
        metrics, exemptions, valid_from, valid_to = _inputs(typed, now)
        agreement = create_agreement(
            session,
            service=service,
            provider_party=typed.fields["provider_party"][:200],
            customer_party=typed.fields["customer_party"][:200],
            valid_from=valid_from,
            valid_to=valid_to,
            metrics=metrics,
            exemptions=exemptions,
            negotiation=typed.fields["negotiation"][:4000],
            glossary=typed.fields["glossary"],
            now=now,
        )
        session.commit()
    except InvalidAnswer as invalid:
        session.rollback()
        typed.metrics += [_blank_metric() for _ in range(BLANK_METRICS)]
        typed.exemptions += [_blank_exemption() for _ in range(BLANK_EXEMPTIONS)]
        return _form_page(
            request,
            account,
            service,
            typed,
            errors=translate_errors(request, invalid.errors),
            status_code=422,
        )
    return RedirectResponse(
        f"/manager/services/{service_id}?written={agreement.version}#versions", status_code=303
    )


@router.post("/manager/services/{service_id}/agreements/{agreement_id}/sign")
def sign(
    request: Request,
    service_id: int,
    agreement_id: int,
    account: CurrentManager,
    session: SessionDep,
    now: NowDep,
    form: PostedFormDep,
) -> Response:
    """One party's signature on an unsigned version; signing twice is a 409."""
    check_csrf(request, form)
    service = service_of(session, service_id, account.organisation_ids)
    agreement = session.get(Agreement, agreement_id)
    if agreement is None or agreement.service_id != service.id:
        raise NotFound(f"agreement {agreement_id}")
    party: Literal["provider", "customer"] = (
        "customer" if form.get("party") == "customer" else "provider"
    )
    signed_by = form.get("signed_by")[:120]
    try:
        sign_agreement(session, agreement, party=party, signed_by=signed_by, now=now)
    except InvalidAnswer as invalid:
        session.rollback()
        refused = Refused(
            f"sign-{agreement_id}-{party}",
            {"signed_by": signed_by},
            translate_errors(request, invalid.errors),
        )
        return service_page_view(
            request, session, account, service, now, refused=refused, status_code=422
        )
    session.commit()
    return RedirectResponse(f"/manager/services/{service_id}#versions", status_code=303)
