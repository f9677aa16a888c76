"""The manager's services: each service's agreement in force and whether its targets hold
this week and this year, window by window, with outages recorded on the same page."""

from collections.abc import Callable
from datetime import date, datetime, time, tzinfo
from itertools import pairwise
from typing import Any

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import Response

from api.deps import CurrentManager, NowDep, SessionDep
from api.forms import PostedForm, PostedFormDep, check_csrf, chosen_id
from api.manager.actions import action_labels
from api.refused import Refused, form_round_trip
from api.templating import render, translate
from survey.accounts import Account
from survey.errors import N_, FieldError, InvalidAnswer, NotFound
from survey.lifecycle.actions import actions_of, manager_ids
from survey.lifecycle.agreements import agreements_of, metric_changes, metrics_of
from survey.lifecycle.design import (
    dimension_codes,
    dimension_names,
    needs_of,
    promises_of,
)
from survey.lifecycle.measurement import ServiceStatus, WindowFigure, service_status
from survey.lifecycle.observations import outages_of, record_outage
from survey.lifecycle.reviews import default_review_period, reviews_of
from survey.lifecycle.services import (
    create_service,
    measured_by_choices,
    organisation_names,
    service_of,
    services_of,
)
from survey.models import AgreementMetric, CustomerSide, MetricSource, Service, ServiceKind

router = APIRouter()
OUTAGE_FIELDS = ("starts_on", "starts_time", "ends_on", "ends_time", "note")

KIND_LABELS: dict[str, str] = {
    ServiceKind.counter: N_("Counter service"),
    ServiceKind.help_desk: N_("Help desk"),
    ServiceKind.service_level: N_("Service level management"),
    ServiceKind.availability: N_("Availability management"),
    ServiceKind.capacity: N_("Capacity management"),
    ServiceKind.continuity: N_("Continuity management"),
    ServiceKind.cost: N_("Cost management"),
    ServiceKind.problem: N_("Problem management"),
    ServiceKind.change: N_("Change management"),
    ServiceKind.configuration: N_("Configuration management"),
    ServiceKind.release: N_("Release management"),
}
CUSTOMER_LABELS: dict[str, str] = {
    CustomerSide.public: N_("The public"),
    CustomerSide.business_unit: N_("A business unit"),
    CustomerSide.client: N_("A contracting client"),
}
SOURCE_LABELS: dict[str, str] = {
    MetricSource.availability: N_("Availability from recorded outages"),
    MetricSource.downtime: N_("Hours of outage recorded"),
    MetricSource.survey_index: N_("Satisfaction index of the campaign"),
    MetricSource.entered: N_("Figure entered by the provider"),
}
GRAIN_LABELS: dict[str, str] = {
    "week": N_("Week"),
    "month": N_("Month"),
    "quarter": N_("Quarter"),
    "year": N_("Year"),
}
COMPARISON_LABELS: dict[str, str] = {"at_least": N_("at least"), "at_most": N_("at most")}
RISK_LABELS: dict[str, str] = {"low": N_("low"), "medium": N_("medium"), "high": N_("high")}
REASON_LABELS: dict[str, str] = {
    "cost": N_("the benefit does not cover the cost"),
    "delivery_risk": N_("the risk of not delivering is high"),
    "compensation_risk": N_("the risk of compensating the customer is high"),
}
LABELS: dict[str, Any] = {
    "risks": RISK_LABELS,
    "reasons": REASON_LABELS,
    "kinds": KIND_LABELS,
    "customers": CUSTOMER_LABELS,
    "sources": SOURCE_LABELS,
    "grains": GRAIN_LABELS,
    "comparisons": COMPARISON_LABELS,
}


def app_zone(now: datetime) -> tzinfo:
    """The app's time zone, which ``NowDep`` gives its reading in."""
    assert now.tzinfo is not None
    return now.tzinfo


def _digits(unit: str) -> int:
    return 2 if unit == "%" else 1


SERVICE_FIELDS = (
    "organisation",
    "name",
    "kind",
    "customer_side",
    "customer_name",
    "site",
    "campaign",
)


def _services_page(
    request: Request,
    session: Session,
    account: Account,
    now: datetime,
    *,
    refused: Refused | None = None,
    status_code: int = 200,
) -> Response:
    rows = []
    for service in services_of(session, account.organisation_ids):
        status = service_status(session, service, now=now, timezone=app_zone(now))
        rows.append({"service": service, "status": status, "summary": _summary(status)})
    sites, campaigns = measured_by_choices(session, account.organisation_ids)
    return render(
        request,
        "manager/services.html",
        {
            "account": account,
            "rows": rows,
            "labels": LABELS,
            "organisations": organisation_names(session, account.organisation_ids),
            "kind_options": [
                (kind, translate(request, label)) for kind, label in KIND_LABELS.items()
            ],
            "customer_options": [
                (side, translate(request, label)) for side, label in CUSTOMER_LABELS.items()
            ],
            "site_options": [(site_id, name) for site_id, name, _org in sites],
            "campaign_options": [(campaign_id, name) for campaign_id, name, _org in campaigns],
            "refused": refused,
        },
        status_code=status_code,
    )


@router.get("/manager/services")
def services_page(
    request: Request, account: CurrentManager, session: SessionDep, now: NowDep
) -> Response:
    return _services_page(request, session, account, now)


def _optional_id(value: str) -> int | None:
    return chosen_id(value) if value.strip() else None


@router.post("/manager/services")
def declare_service(
    request: Request,
    account: CurrentManager,
    session: SessionDep,
    now: NowDep,
    form: PostedFormDep,
) -> Response:
    """Declare a service; a hall or campaign of another organisation is a 404."""
    check_csrf(request, form)

    def change(values: dict[str, str]) -> int:
        organisation_id = _chosen_organisation(account, values["organisation"])
        errors: dict[str, FieldError] = {}
        if values["kind"] not in set(ServiceKind):
            errors["kind"] = FieldError(N_("Choose what kind of service it is."))
        if values["customer_side"] not in set(CustomerSide):
            errors["customer_side"] = FieldError(N_("Choose who the customer is."))
        if organisation_id is None:
            errors["organisation"] = FieldError(N_("Choose the organisation."))
        if errors:
            raise InvalidAnswer(errors)
        assert organisation_id is not None
        service = create_service(
            session,
            organisation_id=organisation_id,
            name=values["name"][:200],
            kind=ServiceKind(values["kind"]),
            customer_side=CustomerSide(values["customer_side"]),
            customer_name=values["customer_name"][:200],
            site_id=_optional_id(values["site"]),
            campaign_id=_optional_id(values["campaign"]),
            now=now,
        )
        session.commit()
        assert service.id is not None
        return service.id

    return form_round_trip(
        request,
        form,
        form_id="service",
        fields=SERVICE_FIELDS,
        change=change,
        page=lambda refused: _services_page(
            request, session, account, now, refused=refused, status_code=422
        ),
        done=lambda service_id: f"/manager/services/{service_id}",
    )


def _chosen_organisation(account: Account, value: str) -> int | None:
    """The organisation a form chose: the account's only one, or the one named (another
    organisation's id is a 404)."""
    if value.strip():
        chosen = chosen_id(value)
        if chosen not in account.organisation_ids:
            raise NotFound(f"organisation {value}")
        return chosen
    if len(account.organisation_ids) == 1:
        return next(iter(account.organisation_ids))
    return None


def _summary(status: ServiceStatus | None) -> dict[str, int]:
    """How many targets hold now, and how many recent windows were missed."""
    if status is None:
        return {"targets": 0, "holding": 0, "missed": 0}
    return {
        "targets": len(status.metrics),
        "holding": sum(1 for metric in status.metrics if metric.holds_now is not False),
        "missed": sum(
            1
            for metric in status.metrics
            for figures in metric.by_grain.values()
            for figure in figures
            if figure.met is False
        ),
    }


def _missed(status: ServiceStatus | None) -> list[tuple[AgreementMetric, WindowFigure]]:
    """Every recent window in which a target was missed, newest first, with its metric."""
    if status is None:
        return []
    missed = [
        (metric.metric, figure)
        for metric in status.metrics
        for figures in metric.by_grain.values()
        for figure in figures
        if figure.met is False
    ]
    return sorted(missed, key=lambda pair: pair[1].window.span.start, reverse=True)


def service_page_view(
    request: Request,
    session: Session,
    account: Account,
    service: Service,
    now: datetime,
    *,
    refused: Refused | None = None,
    status_code: int = 200,
) -> Response:
    """The service's page; a refused form on it comes back here (422) with its messages."""
    assert service.id is not None
    status = service_status(session, service, now=now, timezone=app_zone(now))
    versions = agreements_of(session, service.id)
    changes = {}
    for newer, older in pairwise(versions):
        assert newer.id is not None and older.id is not None
        changes[newer.id] = metric_changes(
            metrics_of(session, older.id), metrics_of(session, newer.id)
        )
    return render(
        request,
        "manager/service.html",
        {
            "account": account,
            "service": service,
            "status": status,
            "summary": _summary(status),
            "missed": _missed(status),
            "versions": versions,
            "changes": changes,
            "outages": outages_of(session, service.id),
            "actions": actions_of(session, [service.organisation_id], service_id=service.id),
            "reviews": reviews_of(session, service.id),
            "needs": needs_of(session, service, today=now.date()),
            "promises": promises_of(session, service.id),
            "dimensions": _dimension_options(request, session, service),
            "review_period": default_review_period(now.date()),
            "owners": manager_ids(session, service.organisation_id),
            "action_labels": action_labels(),
            "labels": LABELS,
            "digits": _digits,
            "today": now.date().isoformat(),
            "refused": refused,
            "recorded": request.query_params.get("recorded") == "1",
            "written": request.query_params.get("written", ""),
        },
        status_code=status_code,
    )


def on_service_page(
    request: Request,
    session: Session,
    account: Account,
    service: Service,
    now: datetime,
    form: PostedForm,
    *,
    form_id: str,
    fields: tuple[str, ...],
    change: Callable[[dict[str, str]], int],
    done: Callable[[int], str],
) -> Response:
    """A form posted from the service's page: the change made and the browser sent to
    ``done``, or, refused, the service's page back (422) with the form as typed."""
    return form_round_trip(
        request,
        form,
        form_id=form_id,
        fields=fields,
        change=change,
        page=lambda refused: service_page_view(
            request, session, account, service, now, refused=refused, status_code=422
        ),
        done=done,
    )


@router.get("/manager/services/{service_id}")
def service_page(
    request: Request, service_id: int, account: CurrentManager, session: SessionDep, now: NowDep
) -> Response:
    service = service_of(session, service_id, account.organisation_ids)
    return service_page_view(request, session, account, service, now)


def _moment(day: str, clock: str, now: datetime) -> datetime:
    """A local date and time from the form, in the app's time zone; ValueError if bad."""
    parsed_day = date.fromisoformat(day.strip())
    parsed_time = time.fromisoformat(clock.strip()) if clock.strip() else time()
    return datetime.combine(parsed_day, parsed_time, now.tzinfo)


@router.post("/manager/services/{service_id}/outages")
def record_outage_route(
    request: Request,
    service_id: int,
    account: CurrentManager,
    session: SessionDep,
    now: NowDep,
    form: PostedFormDep,
) -> Response:
    check_csrf(request, form)
    service = service_of(session, service_id, account.organisation_ids)

    def change(values: dict[str, str]) -> int:
        errors: dict[str, FieldError] = {}
        moments: dict[str, datetime] = {}
        for prefix in ("starts", "ends"):
            try:
                moments[prefix] = _moment(values[f"{prefix}_on"], values[f"{prefix}_time"], now)
            except ValueError:
                errors[prefix] = FieldError(N_("Please give a date and a time like 14:30."))
        if errors:
            raise InvalidAnswer(errors)
        outage = record_outage(
            session,
            service,
            starts_at=moments["starts"],
            ends_at=moments["ends"],
            note=values["note"],
            recorded_by=account.id,
            now=now,
        )
        session.commit()
        assert outage.id is not None
        return outage.id

    return on_service_page(
        request,
        session,
        account,
        service,
        now,
        form,
        form_id="outage",
        fields=OUTAGE_FIELDS,
        change=change,
        done=lambda _id: f"/manager/services/{service_id}?recorded=1#outages",
    )


def _dimension_options(
    request: Request, session: Session, service: Service
) -> list[tuple[str, str]]:
    names = dimension_names(session, service, str(request.state.locale))
    return [(code, names.get(code, code)) for code in dimension_codes(session, service)]
