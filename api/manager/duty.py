"""``/manager/sites/{id}/duty``: a hall's duty roster, so answers are credited to the clerk
on duty (see :mod:`survey.places.duty`). Open to hall managers for their own halls.

A manager sees who is on duty at each counter now and the shifts of the next seven days,
puts a clerk on duty now (optionally until a time today), puts every clerk on duty at
their usual counter for the rest of the day in one step, plans shifts ahead, ends a
running shift and withdraws a planned one. Times are the hall's local times.
"""

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from fastapi import APIRouter, Request
from sqlmodel import Session, col, select
from starlette.responses import RedirectResponse, Response

from api.deps import HallManager, NowDep, SessionDep, zone_of
from api.forms import PostedForm, PostedFormDep, check_csrf, chosen_id
from api.refused import Refused, form_day
from api.templating import render, translate_errors
from survey.accounts import Account
from survey.errors import N_, FieldError, InvalidAnswer, NotFound
from survey.models import Counter, Site, StaffMember
from survey.places.duty import (
    clerk_on_duty,
    end_shift,
    plan_shift,
    site_roster,
    start_duty,
    usual_counters_on_duty,
)

router = APIRouter()
ROSTER_DAYS = 7


def own_hall(session: Session, account: Account, site_id: int) -> Site:
    """A hall of the account's organisations (and of a hall manager's halls); 404 else."""
    site = session.get(Site, site_id)
    if site is None or site.organisation_id not in account.organisation_ids:
        raise NotFound(f"site {site_id}")
    if account.site_ids is not None and site_id not in account.site_ids:
        raise NotFound(f"site {site_id}")
    return site


def _clock_time(value: str, field: str) -> time:
    """A time typed as ``HH:MM`` (what a time input sends); InvalidAnswer on ``field``."""
    try:
        return time.fromisoformat(value.strip()[:5])
    except ValueError:
        raise InvalidAnswer({field: FieldError(N_("Give a time as HH:MM."))}) from None


def _counter_of(session: Session, site: Site, value: str) -> int:
    counter_id = chosen_id(value)
    counter = session.get(Counter, counter_id)
    if counter is None or counter.site_id != site.id:
        raise InvalidAnswer({"counter": FieldError(N_("Choose one from the list."))})
    return counter_id


def _roster_page(
    request: Request,
    session: Session,
    account: Account,
    site: Site,
    now: datetime,
    refused: Refused | None = None,
) -> Response:
    assert site.id is not None
    zone = zone_of(request)
    local = now.astimezone(zone)
    counters = session.exec(
        select(Counter).where(Counter.site_id == site.id).order_by(col(Counter.code))
    ).all()
    clerks = session.exec(
        select(StaffMember)
        .where(StaffMember.site_id == site.id, col(StaffMember.left_on).is_(None))
        .order_by(col(StaffMember.job_number))
    ).all()
    on_duty = {c.id: clerk_on_duty(session, counter_id=c.id or 0, at=now) for c in counters}
    rows = site_roster(session, site_id=site.id, since=now, until=now + timedelta(days=ROSTER_DAYS))
    return render(
        request,
        "manager/duty.html",
        {
            "account": account,
            "site": site,
            "counters": counters,
            "counter_options": [(c.id, f"{c.code} {c.name}") for c in counters],
            "clerk_options": [(s.id, f"{s.display_name} ({s.job_number})") for s in clerks],
            "on_duty": on_duty,
            "rows": rows,
            "now": now,
            "zone": zone,
            "today": local.date().isoformat(),
            "refused": refused,
            "saved": request.query_params.get("saved", ""),
        },
        status_code=422 if refused else 200,
    )


@router.get("/manager/sites/{site_id}/duty")
def show_duty_roster(
    site_id: int, request: Request, account: HallManager, session: SessionDep, now: NowDep
) -> Response:
    """Who is on duty at each counter of the hall now, and the shifts of the next week."""
    site = own_hall(session, account, site_id)
    return _roster_page(request, session, account, site, now)


def _roster_change(
    request: Request,
    form: PostedForm,
    account: Account,
    session: Session,
    now: datetime,
    site_id: int,
    form_id: str,
    change: Callable[[Site, dict[str, str]], Any],
) -> Response:
    """Check the form, make ``change``; refused: the roster again with the form as typed."""
    check_csrf(request, form)
    site = own_hall(session, account, site_id)
    values = {
        name: form.get(name) for name in ("counter", "staff", "until", "day", "starts", "ends")
    }
    try:
        change(site, values)
    except InvalidAnswer as invalid:
        session.rollback()
        refused = Refused(form_id, values, translate_errors(request, invalid.errors))
        return _roster_page(request, session, account, site, now, refused)
    return RedirectResponse(f"/manager/sites/{site_id}/duty?saved={form_id}", status_code=303)


@router.post("/manager/sites/{site_id}/duty/start")
def submit_start_duty(
    site_id: int,
    request: Request,
    form: PostedFormDep,
    account: HallManager,
    session: SessionDep,
    now: NowDep,
) -> Response:
    """Put a clerk on duty at a counter now, until a time today or until further notice."""
    zone = zone_of(request)

    def change(site: Site, values: dict[str, str]) -> None:
        counter_id = _counter_of(session, site, values["counter"])
        staff_id = chosen_id(values["staff"])
        until = None
        if values["until"].strip():
            local = now.astimezone(zone)
            until = datetime.combine(local.date(), _clock_time(values["until"], "until"), zone)
        start_duty(
            session,
            counter_id=counter_id,
            staff_member_id=staff_id,
            now=now,
            until=until,
            by_user_id=account.id,
        )

    return _roster_change(request, form, account, session, now, site_id, "start", change)


@router.post("/manager/sites/{site_id}/duty/usual")
def submit_usual_counters(
    site_id: int,
    request: Request,
    form: PostedFormDep,
    account: HallManager,
    session: SessionDep,
    now: NowDep,
) -> Response:
    """Every clerk with a usual counter on duty there until the end of today, where the
    counter has nobody on duty yet."""
    zone = zone_of(request)

    def change(site: Site, values: dict[str, str]) -> None:
        local = now.astimezone(zone)
        end_of_day = datetime.combine(local.date() + timedelta(days=1), time.min, zone)
        usual_counters_on_duty(
            session, site_id=site.id or 0, now=now, until=end_of_day, by_user_id=account.id
        )

    return _roster_change(request, form, account, session, now, site_id, "usual", change)


@router.post("/manager/sites/{site_id}/duty/plan")
def submit_planned_shift(
    site_id: int,
    request: Request,
    form: PostedFormDep,
    account: HallManager,
    session: SessionDep,
    now: NowDep,
) -> Response:
    """Plan a shift: a day, a start and an end time (an end before the start is the next
    morning's)."""
    zone = zone_of(request)

    def change(site: Site, values: dict[str, str]) -> None:
        counter_id = _counter_of(session, site, values["counter"])
        staff_id = chosen_id(values["staff"])
        day: date = form_day(values["day"], "day")
        starts = datetime.combine(day, _clock_time(values["starts"], "starts"), zone)
        ends = datetime.combine(day, _clock_time(values["ends"], "ends"), zone)
        if ends <= starts:
            ends += timedelta(days=1)
        plan_shift(
            session,
            counter_id=counter_id,
            staff_member_id=staff_id,
            starts_at=starts,
            ends_at=ends,
            now=now,
            by_user_id=account.id,
        )

    return _roster_change(request, form, account, session, now, site_id, "plan", change)


@router.post("/manager/sites/{site_id}/duty/{shift_id}/end")
def submit_end_shift(
    site_id: int,
    shift_id: int,
    request: Request,
    form: PostedFormDep,
    account: HallManager,
    session: SessionDep,
    now: NowDep,
) -> Response:
    """End a running shift now, or withdraw a planned one."""
    check_csrf(request, form)
    own_hall(session, account, site_id)
    end_shift(session, shift_id=shift_id, site_id=site_id, now=now)
    return RedirectResponse(f"/manager/sites/{site_id}/duty?saved=end", status_code=303)
