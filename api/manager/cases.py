"""The managers' case pages: every case with its clock (overdue first), one case with its
history and the actions on it, and the on-time rate per site and month.

Reading never writes: the clocks' stages shown here are computed from each case's history
at the time of reading, and the warnings and escalations are recorded by the sweep that
``manyi serve`` runs on a schedule (:mod:`api.background`) or ``manyi cases sweep``.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from sqlmodel import Session
from starlette.responses import RedirectResponse, Response

from api import case_labels
from api.deps import CurrentManager, HallManager, NowDep, SessionDep, zone_of
from api.errors import RefusedAction, refusable
from api.exports.tables import TABLE_TYPES, Column, Table, table_download
from api.forms import PostedForm, PostedFormDep, check_csrf
from api.templating import render, translate, translate_errors
from survey.accounts import Account
from survey.cases.handling import (
    answer_case,
    change_state,
    pause_clock,
    resume_clock,
    set_severity,
)
from survey.cases.queries import case_detail, finished_cases, on_time_rates, open_cases
from survey.cases.rules import OVERDUE_STAGES, CaseState, Severity, TransitionNotAllowed
from survey.cases.settings import (
    calendar_overrides,
    case_settings,
    remove_calendar_day,
    save_case_settings,
    set_calendar_day,
)
from survey.errors import (
    N_,
    CaseActionNotAllowed,
    FieldError,
    InvalidAnswer,
    NotFound,
    Refusal,
)
from survey.models import Organisation

router = APIRouter()
MANUAL_STATES = (CaseState.acknowledged, CaseState.in_progress, CaseState.escalated)
"""What a manager moves a case to by hand; ``answered`` comes with the answer's text,
closing and reopening are the complainant's."""


def _labels() -> dict[str, Any]:
    return {
        "state_labels": case_labels.STATE_LABELS,
        "stage_labels": case_labels.STAGE_LABELS,
        "kind_labels": case_labels.KIND_LABELS,
        "category_labels": case_labels.CATEGORY_LABELS,
        "severity_labels": case_labels.SEVERITY_LABELS,
        "event_labels": case_labels.EVENT_LABELS,
        "action_labels": case_labels.STATE_ACTIONS,
    }


@router.get("/manager/cases")
def show_cases(
    request: Request,
    account: HallManager,
    session: SessionDep,
    now: NowDep,
    view: Annotated[str, Query(pattern="^(open|finished)$")] = "open",
    before: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    """Open cases, the most urgent first, or answered and closed ones page by page, each
    with where its clock stands now (the banner counts the cases past their limit)."""
    context: dict[str, Any] = {"account": account, "view": view, "now": now, **_labels()}
    if view == "open":
        rows = open_cases(
            session, organisation_ids=account.organisation_ids, now=now, site_ids=account.site_ids
        )
        context["rows"] = rows
        context["escalated"] = sum(1 for row in rows if row.stage in OVERDUE_STAGES)
        context["next_before"] = None
    else:
        page = finished_cases(
            session,
            organisation_ids=account.organisation_ids,
            now=now,
            before=before,
            site_ids=account.site_ids,
        )
        context["rows"], context["next_before"] = page.rows, page.next_before
    return render(request, "manager/cases/list.html", context)


def _detail_page(
    request: Request,
    account: Account,
    session: SessionDep,
    now: datetime,
    case_id: int,
    *,
    error: str = "",
    status_code: int = 200,
) -> Response:
    detail = case_detail(
        session,
        case_id,
        organisation_ids=account.organisation_ids,
        now=now,
        site_ids=account.site_ids,
    )
    return render(
        request,
        "manager/cases/detail.html",
        {
            "account": account,
            "detail": detail,
            "manual_states": [s for s in detail.next_states if s in MANUAL_STATES],
            "can_answer": CaseState.answered in detail.next_states,
            "severities": [s for s in Severity if s != Severity.regulator],
            "error": error,
            "now": now,
            **_labels(),
        },
        status_code=status_code,
    )


@router.get("/manager/cases/{case_id}")
def show_case(
    case_id: int, request: Request, account: HallManager, session: SessionDep, now: NowDep
) -> Response:
    """One case: the complaint, the place, the owner, the clock and the whole history."""
    return _detail_page(request, account, session, now, case_id)


@dataclass(frozen=True)
class CaseAction:
    """A manager's action on one case: the request, its form and what every action needs."""

    case_id: int
    request: Request
    form: PostedForm
    account: Account
    session: Session
    now: datetime

    def run(self, act: Callable[[str], object]) -> Response:
        """Check the form and the case (404 outside the manager's organisations), then
        ``act(reason)`` and show the case again. A change the case does not allow is a
        409: for a browser the case page again with the reason and the allowed changes,
        for a program the JSON error with the allowed states."""
        request, session, case_id = self.request, self.session, self.case_id
        check_csrf(request, self.form)
        case_detail(
            session,
            case_id,
            organisation_ids=self.account.organisation_ids,
            now=self.now,
            site_ids=self.account.site_ids,
        )
        reason = self.form.get("reason").strip()[:4000]

        def done() -> Response:
            act(reason)
            return RedirectResponse(f"/manager/cases/{case_id}", status_code=303)

        def refused_page(refused: RefusedAction) -> Response:
            error = _refusal(request, refused)
            return _detail_page(
                request, self.account, session, self.now, case_id, error=error, status_code=409
            )

        return refusable(request, session, done, page=refused_page)


def _case_action(
    case_id: int,
    request: Request,
    form: PostedFormDep,
    account: HallManager,
    session: SessionDep,
    now: NowDep,
) -> CaseAction:
    return CaseAction(case_id, request, form, account, session, now)


CaseActionDep = Annotated[CaseAction, Depends(_case_action)]


@router.post("/manager/cases/{case_id}/state")
def change_case_state(action: CaseActionDep) -> Response:
    """Move the case by hand to the state in field ``to`` (optional ``reason``)."""

    def act(reason: str) -> None:
        wanted = action.form.get("to")
        if wanted not in {state.value for state in MANUAL_STATES}:
            raise CaseActionNotAllowed(Refusal.not_by_hand, repr(wanted))
        change_state(
            action.session,
            action.case_id,
            CaseState(wanted),
            now=action.now,
            reason=reason,
            user_id=action.account.id,
        )

    return action.run(act)


@router.post("/manager/cases/{case_id}/answer")
def answer_the_case(action: CaseActionDep) -> Response:
    """Record the answer given to the complainant (field ``text``)."""

    def act(reason: str) -> None:
        answer_case(
            action.session,
            action.case_id,
            text=action.form.get("text")[:4000],
            now=action.now,
            user_id=action.account.id,
        )

    return action.run(act)


@router.post("/manager/cases/{case_id}/severity")
def change_case_severity(action: CaseActionDep) -> Response:
    """Grade the case (field ``severity``, optional ``reason``); a regulator's referral is
    not a grade a manager gives."""

    def act(reason: str) -> None:
        wanted = action.form.get("severity")
        if wanted not in {s.value for s in Severity if s != Severity.regulator}:
            raise CaseActionNotAllowed(Refusal.unknown_severity, repr(wanted))
        set_severity(
            action.session,
            action.case_id,
            Severity(wanted),
            now=action.now,
            user_id=action.account.id,
            reason=reason,
        )

    return action.run(act)


@router.post("/manager/cases/{case_id}/pause")
def pause_case_clock(action: CaseActionDep) -> Response:
    """Stop the case's clock (field ``reason``, required): waiting on the complainant."""

    def act(reason: str) -> None:
        if not reason:
            raise CaseActionNotAllowed(Refusal.reason_needed, "pausing")
        pause_clock(
            action.session, action.case_id, now=action.now, reason=reason, user_id=action.account.id
        )

    return action.run(act)


@router.post("/manager/cases/{case_id}/resume")
def resume_case_clock(action: CaseActionDep) -> Response:
    """Start the case's clock again (field ``reason``, required)."""

    def act(reason: str) -> None:
        if not reason:
            raise CaseActionNotAllowed(Refusal.reason_needed, "resuming")
        resume_clock(
            action.session, action.case_id, now=action.now, reason=reason, user_id=action.account.id
        )

    return action.run(act)


REFUSAL_MESSAGES = {
    Refusal.reason_needed: N_("Please give a reason."),
    Refusal.answer_needs_text: N_("Please write the answer."),
}
"""The refusals a manager fixes on the form; the others get the general message."""


def _refusal(request: Request, refused: RefusedAction) -> str:
    if isinstance(refused, TransitionNotAllowed):
        allowed = ", ".join(
            translate(request, case_labels.STATE_LABELS[s]) for s in refused.allowed
        )
        return translate(
            request,
            N_("This is not possible for a case in the state “%(state)s”. Possible: %(allowed)s."),
        ) % {
            "state": translate(request, case_labels.STATE_LABELS[refused.current]),
            "allowed": allowed,
        }
    if isinstance(refused, CaseActionNotAllowed) and refused.reason in REFUSAL_MESSAGES:
        return translate(request, REFUSAL_MESSAGES[refused.reason])
    return translate(request, N_("This cannot be done to the case as it stands now."))


def _on_time_table(
    request: Request, account: Account, session: SessionDep, now: datetime, year: int
) -> Table:
    zone = zone_of(request)
    since = datetime(year, 1, 1, tzinfo=zone)
    until = datetime(year + 1, 1, 1, tzinfo=zone)
    rows = on_time_rates(
        session, organisation_ids=account.organisation_ids, since=since, until=until, now=now
    )
    return Table(
        name="on-time",
        title=translate(request, N_("Cases answered in time, per site and month")),
        columns=(
            Column("site", translate(request, N_("Site"))),
            Column("month", translate(request, N_("Month"))),
            Column("received", translate(request, N_("Cases")), "int"),
            Column("on_time", translate(request, N_("Answered in time")), "int"),
            Column("late", translate(request, N_("Late")), "int"),
            Column("pending", translate(request, N_("Still running")), "int"),
            Column("rate", translate(request, N_("On-time rate %")), "number", 1),
            Column("low", translate(request, N_("95 % CI low")), "number", 1),
            Column("high", translate(request, N_("95 % CI high")), "number", 1),
        ),
        rows=[
            {
                "site": row.site_name or translate(request, N_("No site")),
                "month": row.month.strftime("%Y-%m"),
                "received": row.received,
                "on_time": row.on_time,
                "late": row.late,
                "pending": row.pending,
                "rate": 100 * row.rate.share,
                "low": 100 * row.rate.low,
                "high": 100 * row.rate.high,
            }
            for row in rows
        ],
        note=translate(
            request,
            N_(
                "On time: first answered within the limit. Late: answered after it, or still "
                "unanswered past it. Cases still within their limit are not counted yet. The "
                "interval is Wilson's."
            ),
        ),
    )


@router.get("/manager/cases-on-time")
def show_on_time(
    request: Request,
    account: CurrentManager,
    session: SessionDep,
    now: NowDep,
    year: Annotated[int | None, Query(ge=2000, le=2200)] = None,
) -> Response:
    """The on-time rate per site and month of one year (this year by default)."""
    chosen = year or now.year
    return render(
        request,
        "manager/cases/on_time.html",
        {
            "account": account,
            "year": chosen,
            "table": _on_time_table(request, account, session, now, chosen),
        },
    )


@router.get("/manager/cases-on-time/{year}.{extension}")
def export_on_time(
    year: int,
    extension: str,
    request: Request,
    account: CurrentManager,
    session: SessionDep,
    now: NowDep,
) -> Response:
    """The on-time table of a year as CSV or XLSX."""
    if extension not in TABLE_TYPES or not 2000 <= year <= 2200:
        raise NotFound(f"on-time export {year}.{extension}")
    table = _on_time_table(request, account, session, now, year)
    body, media_type, disposition = table_download(table, extension, f"cases-on-time-{year}")
    return Response(body, media_type=media_type, headers={"content-disposition": disposition})


def _settings_organisation(account: Account, organisation: int | None) -> int:
    """The organisation whose settings are shown: the one asked for (404 if not the
    account's), or the account's first."""
    if organisation is None:
        if not account.organisation_ids:
            raise NotFound("organisation")
        return min(account.organisation_ids)
    if organisation not in account.organisation_ids:
        raise NotFound(f"organisation {organisation}")
    return organisation


def _settings_page(
    request: Request,
    account: Account,
    session: SessionDep,
    organisation_id: int,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, FieldError] | None = None,
    status_code: int = 200,
) -> Response:
    current = case_settings(session, organisation_id)
    shown = values or {
        "simple_hours": str(current.simple_hours),
        "general_days": str(current.general_days),
        "complex_days": str(current.complex_days),
        "working_hours": current.working_hours,
        "retention_days": str(current.retention_days),
    }
    return render(
        request,
        "manager/cases/settings.html",
        {
            "account": account,
            "organisation_id": organisation_id,
            "organisations": [
                (org.id, org.name)
                for org_id in sorted(account.organisation_ids)
                if (org := session.get(Organisation, org_id)) is not None
            ],
            "values": shown,
            "errors": translate_errors(request, errors or {}),
            "days": calendar_overrides(session, organisation_id),
        },
        status_code=status_code,
    )


@router.get("/manager/case-settings")
def show_case_settings(
    request: Request,
    account: CurrentManager,
    session: SessionDep,
    organisation: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    """An organisation's time limits, working hours, retention and local calendar days."""
    organisation_id = _settings_organisation(account, organisation)
    return _settings_page(request, account, session, organisation_id)


@router.post("/manager/case-settings")
def save_settings(
    request: Request,
    form: PostedFormDep,
    account: CurrentManager,
    session: SessionDep,
    organisation: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    """Store the limits, hours and retention; a bad value brings the form back (422) with
    everything typed and a message by the field."""
    check_csrf(request, form)
    organisation_id = _settings_organisation(account, organisation)
    names = ("simple_hours", "general_days", "complex_days", "working_hours", "retention_days")
    values = {name: form.get(name)[:100] for name in names}
    try:
        save_case_settings(session, organisation_id, **values)
    except InvalidAnswer as invalid:
        session.rollback()
        return _settings_page(
            request,
            account,
            session,
            organisation_id,
            values=values,
            errors=invalid.errors,
            status_code=422,
        )
    return RedirectResponse(
        f"/manager/case-settings?organisation={organisation_id}&saved=1", status_code=303
    )


@router.post("/manager/case-settings/days")
def add_calendar_day(
    request: Request,
    form: PostedFormDep,
    account: CurrentManager,
    session: SessionDep,
    organisation: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    """Declare a local day off or extra working day."""
    check_csrf(request, form)
    organisation_id = _settings_organisation(account, organisation)
    try:
        set_calendar_day(
            session,
            organisation_id,
            day=form.get("day"),
            working=form.get("working") == "1",
            note=form.get("note"),
        )
    except InvalidAnswer as invalid:
        session.rollback()
        return _settings_page(
            request, account, session, organisation_id, errors=invalid.errors, status_code=422
        )
    return RedirectResponse(
        f"/manager/case-settings?organisation={organisation_id}", status_code=303
    )


@router.post("/manager/case-settings/days/{day}/remove")
def remove_day(
    day: date,
    request: Request,
    form: PostedFormDep,
    account: CurrentManager,
    session: SessionDep,
    organisation: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    """Withdraw a local decision on one day."""
    check_csrf(request, form)
    organisation_id = _settings_organisation(account, organisation)
    remove_calendar_day(session, organisation_id, day)
    return RedirectResponse(
        f"/manager/case-settings?organisation={organisation_id}", status_code=303
    )
