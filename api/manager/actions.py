"""The manager's corrective actions: what opened each (with its numbers), the plan, and
whether it worked once its due date passed."""

import json
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import Response

from api.deps import CurrentManager, NowDep, SessionDep
from api.forms import PostedFormDep, check_csrf, chosen_id
from api.refused import Refused, form_day, form_round_trip
from api.templating import render
from survey.accounts import Account
from survey.errors import N_
from survey.lifecycle.actions import action_of, actions_of, manager_ids, plan_action
from survey.models import ActionState, ActionTrigger, CorrectiveAction, Service

router = APIRouter()
PLAN_FIELDS = ("owner", "cause", "plan", "due_on")
TRIGGER_LABELS: dict[str, str] = {
    ActionTrigger.breach: N_("Target missed"),
    ActionTrigger.control_signal: N_("Control-chart signal"),
    ActionTrigger.gap_widening: N_("Gap widened significantly"),
}
STATE_LABELS: dict[str, str] = {
    ActionState.open: N_("In progress"),
    ActionState.effective: N_("Closed: it worked"),
    ActionState.reopened: N_("Reopened: it did not work"),
}


def action_labels() -> dict[str, Any]:
    """The words for an action's trigger and state, for the templates."""
    return {"triggers": TRIGGER_LABELS, "states": STATE_LABELS}


@router.get("/manager/actions")
def actions_page(request: Request, account: CurrentManager, session: SessionDep) -> Response:
    actions = actions_of(session, account.organisation_ids)
    owners = {
        user_id: name
        for organisation_id in account.organisation_ids
        for user_id, name in manager_ids(session, organisation_id).items()
    }
    services = {
        action.service_id: session.get(Service, action.service_id)
        for action in actions
        if action.service_id is not None
    }
    return render(
        request,
        "manager/actions.html",
        {
            "account": account,
            "actions": actions,
            "owners": owners,
            "services": services,
            "labels": action_labels(),
        },
    )


def _action_page(
    request: Request,
    session: Session,
    account: Account,
    action: CorrectiveAction,
    today: date,
    *,
    refused: Refused | None = None,
    status_code: int = 200,
) -> Response:
    owners = manager_ids(session, action.organisation_id)
    service = session.get(Service, action.service_id) if action.service_id else None
    return render(
        request,
        "manager/action.html",
        {
            "account": account,
            "action": action,
            "service": service,
            "evidence": json.loads(action.evidence or "{}"),
            "effect": json.loads(action.effect) if action.effect else None,
            "owners": owners,
            "labels": action_labels(),
            "today": today.isoformat(),
            "refused": refused,
            "saved": request.query_params.get("saved") == "1",
        },
        status_code=status_code,
    )


@router.get("/manager/actions/{action_id}")
def action_page(
    request: Request, action_id: int, account: CurrentManager, session: SessionDep, now: NowDep
) -> Response:
    action = action_of(session, action_id, account.organisation_ids)
    return _action_page(request, session, account, action, now.date())


@router.post("/manager/actions/{action_id}/plan")
def plan_route(
    request: Request,
    action_id: int,
    account: CurrentManager,
    session: SessionDep,
    now: NowDep,
    form: PostedFormDep,
) -> Response:
    check_csrf(request, form)
    action = action_of(session, action_id, account.organisation_ids)

    def change(values: dict[str, str]) -> int:
        due_on = form_day(values["due_on"], "due_on") if values["due_on"].strip() else None
        owner = chosen_id(values["owner"]) if values["owner"].strip() else None
        plan_action(
            session,
            action,
            owner_id=owner,
            cause=values["cause"],
            plan=values["plan"],
            due_on=due_on,
            today=now.date(),
            now=now,
        )
        session.commit()
        return action_id

    def page(refused: Refused) -> Response:
        session.rollback()
        return _action_page(
            request, session, account, action, now.date(), refused=refused, status_code=422
        )

    return form_round_trip(
        request,
        form,
        form_id="plan",
        fields=PLAN_FIELDS,
        change=change,
        page=page,
        done=lambda _id: f"/manager/actions/{action_id}?saved=1",
    )
