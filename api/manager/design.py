"""The design stage's forms on a service's page: a customers' need against a dimension,
and a candidate promise with its cost, benefit and two risks."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from api.deps import CurrentManager, NowDep, SessionDep
from api.forms import PostedFormDep, check_csrf
from api.manager.services import on_service_page
from survey.errors import N_, FieldError, InvalidAnswer
from survey.lifecycle.design import add_need, add_promise
from survey.lifecycle.services import service_of

router = APIRouter()
NEED_FIELDS = ("dimension", "text")
PROMISE_FIELDS = (
    "text",
    "yearly_cost",
    "yearly_benefit",
    "cost_note",
    "delivery_likelihood",
    "delivery_impact",
    "compensation_likelihood",
    "compensation_impact",
)


@router.post("/manager/services/{service_id}/needs")
def add_need_route(
    request: Request,
    service_id: int,
    account: CurrentManager,
    session: SessionDep,
    now: NowDep,
    form: PostedFormDep,
) -> Response:
    """Record a customers' need of the design stage against a dimension."""
    check_csrf(request, form)
    service = service_of(session, service_id, account.organisation_ids)

    def change(values: dict[str, str]) -> int:
        need = add_need(
            session,
            service,
            dimension_code=values["dimension"],
            text=values["text"][:1000],
            now=now,
        )
        session.commit()
        assert need.id is not None
        return need.id

    return on_service_page(
        request,
        session,
        account,
        service,
        now,
        form,
        form_id="need",
        fields=NEED_FIELDS,
        change=change,
        done=lambda _id: f"/manager/services/{service_id}#design",
    )


def _amount(value: str, field: str, errors: dict[str, FieldError]) -> float:
    try:
        amount = float(value.strip().replace(",", ""))
    except ValueError:
        errors[field] = FieldError(N_("Give an amount of 0 or more."))
        return 0.0
    return amount


def _scale(value: str) -> int:
    value = value.strip()
    return int(value) if value.isdecimal() and len(value) == 1 else 0


@router.post("/manager/services/{service_id}/promises")
def add_promise_route(
    request: Request,
    service_id: int,
    account: CurrentManager,
    session: SessionDep,
    now: NowDep,
    form: PostedFormDep,
) -> Response:
    """Record a candidate promise with its cost, benefit and two risks."""
    check_csrf(request, form)
    service = service_of(session, service_id, account.organisation_ids)

    def change(values: dict[str, str]) -> int:
        errors: dict[str, FieldError] = {}
        cost = _amount(values["yearly_cost"], "yearly_cost", errors)
        benefit = _amount(values["yearly_benefit"], "yearly_benefit", errors)
        if errors:
            raise InvalidAnswer(errors)
        promise = add_promise(
            session,
            service,
            text=values["text"][:1000],
            yearly_cost=cost,
            yearly_benefit=benefit,
            cost_note=values["cost_note"][:1000],
            delivery=(_scale(values["delivery_likelihood"]), _scale(values["delivery_impact"])),
            compensation=(
                _scale(values["compensation_likelihood"]),
                _scale(values["compensation_impact"]),
            ),
            now=now,
        )
        session.commit()
        assert promise.id is not None
        return promise.id

    return on_service_page(
        request,
        session,
        account,
        service,
        now,
        form,
        form_id="promise",
        fields=PROMISE_FIELDS,
        change=change,
        done=lambda _id: f"/manager/services/{service_id}#design",
    )
