"""The complainant's page of their case (``/c/{public_token}``), and their two actions on
it: confirm the answer (the case closes) or reopen it with a reason.

The link is unguessable and is the complainant's only key without an account, so the
page is never cached, never sent on as a referrer and never indexed; and it shows no
staff account names: "the service hall" acts, not a person. Dates are shown in the
organisation's time zone, the one its working calendar counts the time limit in.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import RedirectResponse, Response

from api import case_labels, i18n
from api.customer.feedback import CASE_PAGE_HEADERS, clean_text
from api.deps import NowDep, SessionDep, SettingsDep
from api.errors import RefusedAction, refusable, wants_page
from api.forms import PostedFormDep, check_csrf
from api.settings import Settings, public_address
from api.templating import render, translate, translate_error
from survey.cases.handling import (
    OPEN_STATES,
    case_answer,
    case_by_token,
    clock_from_history,
    confirm_answer,
    history,
    reopen_by_complainant,
)
from survey.cases.rules import CaseState, Stage, TransitionNotAllowed
from survey.cases.settings import calendar_for
from survey.errors import N_, FieldError, InvalidAnswer
from survey.models import Case, CaseEvent, CaseEventKind, Counter, Feedback, Organisation, Site

router = APIRouter()

REASON_MAX = 4000
"""Characters a reason for reopening may have (the history's text column)."""

CASE_STATE_TEXTS: dict[str, str] = {
    CaseState.received: N_("Received. The service hall has not taken it up yet."),
    CaseState.acknowledged: N_("Taken up by the service hall."),
    CaseState.in_progress: N_("The service hall is working on it."),
    CaseState.answered: N_(
        "Answered. Please read the answer and tell us whether your problem is solved."
    ),
    CaseState.closed: N_("Closed."),
    CaseState.reopened: N_("Reopened. The service hall is working on it again."),
    CaseState.escalated: N_("Passed to higher management, who must now answer it."),
}
"""A case's state as the complainant reads it (managers see :data:`case_labels.STATE_LABELS`)."""

ACTOR_NAMES: dict[str, str] = {
    "user": N_("the service hall"),
    "complainant": N_("you"),
    "system": N_("system"),
}
"""Who did a step, as the complainant sees it: never a staff member's account."""

ESCALATION_TEXTS: dict[str, str] = {
    Stage.overdue: N_("Time limit passed: sent to the site manager"),
    Stage.overdue_twice: N_("Second time limit passed: sent to the organisation's management"),
}


@dataclass(frozen=True)
class HistoryLine:
    """One step of the case as the complainant reads it: when, what (a message to
    translate), who (likewise), and their own words when the step was theirs."""

    at: datetime
    what: str
    who: str
    text: str = ""


@dataclass(frozen=True)
class ComplainantView:
    """Everything the complainant's page shows about one case."""

    case: Case
    feedback: Feedback
    organisation_name: str
    place: str
    answer: CaseEvent | None
    deadline: datetime | None
    """When the time limit runs out (``None`` while paused or once answered)."""
    paused: bool
    clock_running: bool
    """The case waits for an answer (its clock runs or is paused)."""
    history: list[HistoryLine]
    timezone: str
    """The organisation's time zone, in which every date is shown."""

    @property
    def can_confirm(self) -> bool:
        return self.case.state == CaseState.answered

    @property
    def can_reopen(self) -> bool:
        return self.case.state in (CaseState.answered, CaseState.closed)


def _history_line(event: CaseEvent) -> HistoryLine | None:
    """The step as the complainant sees it; ``None`` for the internal warnings, and for
    the answer itself (its state change is listed, and its text has its own place)."""
    who = ACTOR_NAMES.get(event.actor, ACTOR_NAMES["user"])
    if event.kind == CaseEventKind.opened:
        what = case_labels.EVENT_LABELS["opened"]
    elif event.kind == CaseEventKind.state:
        what = case_labels.STATE_LABELS.get(event.to_state, event.to_state)
    elif event.kind == CaseEventKind.paused:
        what = N_("Time limit paused while waiting for you")
    elif event.kind == CaseEventKind.resumed:
        what = N_("Time limit running again")
    elif event.kind == CaseEventKind.escalation:
        what = ESCALATION_TEXTS.get(event.text, case_labels.EVENT_LABELS["escalation"])
    else:
        return None
    # Only the complainant's own words are repeated: what staff write with a step is a
    # note for colleagues (the answer has its own place on the page).
    text = event.text if event.actor == "complainant" else ""
    return HistoryLine(event.at, what, who, text)


def complainant_view(session: Session, case: Case, *, now: datetime) -> ComplainantView:
    """Read one case for its complainant: the feedback, the place, the clock in the
    organisation's calendar, the answer and the history."""
    assert case.id is not None
    feedback = session.get(Feedback, case.feedback_id)
    assert feedback is not None
    organisation = session.get(Organisation, case.organisation_id)
    site = session.get(Site, feedback.site_id) if feedback.site_id else None
    counter = session.get(Counter, feedback.counter_id) if feedback.counter_id else None
    events = history(session, case.id)
    calendar = calendar_for(session, case.organisation_id)
    clock = clock_from_history(events, case, calendar)
    clock_running = CaseState(case.state) in OPEN_STATES
    lines = [line for line in map(_history_line, events) if line is not None]
    return ComplainantView(
        case=case,
        feedback=feedback,
        organisation_name=organisation.name if organisation else "",
        place=" · ".join(part for part in (site and site.name, counter and counter.name) if part),
        answer=case_answer(events),
        deadline=clock.deadline(now) if clock_running else None,
        paused=clock_running and clock.paused,
        clock_running=clock_running,
        history=lines,
        timezone=calendar.timezone.key,
    )


def _case_page(
    request: Request,
    session: Session,
    settings: Settings,
    public_token: str,
    *,
    now: datetime,
    filed: bool = False,
    error: str = "",
    reason: str = "",
    reason_error: str = "",
    status_code: int = 200,
) -> Response:
    view = complainant_view(session, case_by_token(session, public_token), now=now)
    local_time: Callable[[datetime | None], str] = partial(
        i18n.format_when, locale=request.state.locale, timezone=view.timezone
    )
    response = render(
        request,
        "customer/case.html",
        {
            "view": view,
            "token": public_token,
            "case_url": f"{public_address(session, settings)}/c/{public_token}",
            "filed": filed,
            "error": error,
            "reason": reason,
            "reason_error": reason_error,
            "now": now,
            "local_time": local_time,
            "state_texts": CASE_STATE_TEXTS,
            "kind_labels": case_labels.KIND_LABELS,
            "category_labels": case_labels.CATEGORY_LABELS,
            "hotline": settings.supervision_hotline,
        },
        status_code=status_code,
    )
    response.headers.update(CASE_PAGE_HEADERS)
    return response


@router.get("/c/{public_token}")
def show_case(
    request: Request, public_token: str, session: SessionDep, now: NowDep, settings: SettingsDep
) -> Response:
    """The complainant's page of their case: what they sent, where it stands and by when it
    must be answered, the answer, and every step so far. An unknown link is a 404."""
    filed = request.query_params.get("filed") == "1"
    return _case_page(request, session, settings, public_token, now=now, filed=filed)


def _refusal(request: Request, refused: RefusedAction, *, action: str) -> str:
    """Why the complainant's action was refused, in their words and language."""
    if not isinstance(refused, TransitionNotAllowed):
        return translate(request, N_("This cannot be done to the case as it stands now."))
    if action == "confirm" and refused.current == CaseState.closed:
        return translate(request, N_("The case is already closed."))
    if action == "confirm":
        message = N_(
            "You can close the case only after the service hall has answered. "
            "The case is now: %(state)s."
        )
    else:
        message = N_(
            "You can reopen the case only after the service hall has answered. "
            "The case is now: %(state)s."
        )
    state = translate(request, case_labels.STATE_LABELS[refused.current])
    return translate(request, message) % {"state": state}


def _after_action(public_token: str) -> Response:
    return RedirectResponse(f"/c/{public_token}", status_code=303, headers=CASE_PAGE_HEADERS)


@router.post("/c/{public_token}/confirm")
def confirm_case(
    request: Request,
    public_token: str,
    form: PostedFormDep,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
) -> Response:
    """The complainant is satisfied with the answer: the case closes. Before an answer (or
    after closing) it is a 409: for a browser the case page with the reason."""
    case_by_token(session, public_token)
    check_csrf(request, form)

    def confirm() -> Response:
        confirm_answer(session, public_token, now=now)
        return _after_action(public_token)

    def refused_page(refused: RefusedAction) -> Response:
        error = _refusal(request, refused, action="confirm")
        return _case_page(
            request, session, settings, public_token, now=now, error=error, status_code=409
        )

    return refusable(request, session, confirm, page=refused_page)


@router.post("/c/{public_token}/reopen")
def reopen_case(
    request: Request,
    public_token: str,
    form: PostedFormDep,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
) -> Response:
    """The complainant is not satisfied: the case reopens with their reason (required, at
    most :data:`REASON_MAX` characters; without one, 422 and the page again). Before an
    answer it is a 409, like :func:`confirm_case`."""
    case_by_token(session, public_token)
    check_csrf(request, form)
    reason = clean_text(form.get("reason"))
    problem: FieldError | None = None
    if "reason" in form.undecodable:
        problem = FieldError(
            N_("This text arrived in an encoding we cannot read; please retype it.")
        )
    elif not reason:
        problem = FieldError(N_("Please tell us why the problem is not solved."))
    elif len(reason) > REASON_MAX:
        problem = FieldError(
            N_("Please shorten the reason to %(max)s characters."), {"max": REASON_MAX}
        )
    if problem is not None:
        if not wants_page(request):
            raise InvalidAnswer({"reason": problem})
        return _case_page(
            request,
            session,
            settings,
            public_token,
            now=now,
            reason=form.get("reason"),
            reason_error=translate_error(request, problem),
            status_code=422,
        )

    def reopen() -> Response:
        reopen_by_complainant(session, public_token, reason=reason, now=now)
        return _after_action(public_token)

    def refused_page(refused: RefusedAction) -> Response:
        error = _refusal(request, refused, action="reopen")
        return _case_page(
            request,
            session,
            settings,
            public_token,
            now=now,
            error=error,
            reason=reason,
            status_code=409,
        )

    return refusable(request, session, reopen, page=refused_page)
