"""Demo inspections: the demo supervisor's credential and a dozen inspections of the two
halls over the last five months, with a few findings, so that compliance rates per
section, hall and clerk are worth looking at.

The second hall fails more often (it is also the one whose satisfaction slips in the demo
answers); the phone greeting is often not applicable (no phone rang during the visit).
"""

import random
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path

from sqlmodel import Session, col, select

from survey.accounts import Account
from survey.db import begin_write
from survey.models import (
    CheckOutcome,
    Counter,
    InspectionKind,
    Role,
    StaffMember,
    SupervisorCredential,
    User,
)
from survey.supervision.checklists import current_checklist, ensure_default_checklist
from survey.supervision.inspections import ItemResult, file_inspection

DEMO_CREDENTIAL_SERIAL = "0017"
N_INSPECTIONS = 12
_NOTES = {
    "L1": "没有使用“您好”，直接问办什么业务。",
    "P2": "未佩戴工号牌。",
    "D2": "客户等候时工作人员在看手机。",
    "Q2": "一笔简单业务办了二十分钟。",
    "A1": "客户第二次询问时语气不耐烦。",
}


def seed_demo_inspections(
    session: Session,
    *,
    organisation_id: int,
    site_ids: list[int],
    supervisor_id: int,
    manager_id: int,
    now: datetime,
    timezone: tzinfo,
    seed: int = 11,
) -> None:
    """Give the demo supervisor a credential valid this year (from the start of the year
    of the first inspection), add the built-in checklist and file the inspections: most
    are the supervisor's secret checks, one a self-check and one a mutual check filed by
    the manager. Commits.
    """
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not a secret
    first_day = (now - timedelta(days=150)).astimezone(timezone).date()
    begin_write(session)
    ensure_default_checklist(session, now=now)
    session.add(
        SupervisorCredential(
            user_id=supervisor_id,
            number=f"JD-{now.year}-{DEMO_CREDENTIAL_SERIAL}",
            valid_from=date(first_day.year, 1, 1),
            valid_until=date(now.year, 12, 31),
        )
    )
    session.commit()
    checklist = current_checklist(session, organisation_id)
    supervisor = _account(session, supervisor_id, organisation_id)
    manager = _account(session, manager_id, organisation_id)
    places = _places(session, site_ids)
    for number in range(N_INSPECTIONS):
        site_index = number % len(site_ids)
        site_id = site_ids[site_index]
        counter_id, staff_id = rng.choice(places[site_id])
        day = first_day + timedelta(days=round(number * 150 / N_INSPECTIONS) + rng.randint(0, 5))
        inspected_at = datetime.combine(
            day, time(rng.randint(9, 15), rng.choice((0, 15, 30, 45))), tzinfo=timezone
        )
        if inspected_at >= now:
            inspected_at = now - timedelta(hours=2)
        kind = InspectionKind.secret_check
        account = supervisor
        inspecting_site_id = None
        if number == 4:
            kind, account = InspectionKind.self_check, manager
        elif number == 7:
            kind, account = InspectionKind.mutual_check, manager
            inspecting_site_id = site_ids[(site_index + 1) % len(site_ids)]
        fail_rate = 0.06 if site_index == 0 else 0.16
        results: dict[int, ItemResult] = {}
        for item in checklist.items:
            draw = rng.random()
            if item.code in ("L2", "A3") and draw < 0.5:
                results[item.id] = ItemResult(CheckOutcome.not_applicable)
            elif draw > 1 - fail_rate:
                results[item.id] = ItemResult(CheckOutcome.failed, _NOTES.get(item.code, ""))
            else:
                results[item.id] = ItemResult(CheckOutcome.passed)
        file_inspection(
            session,
            account=account,
            organisation_id=organisation_id,
            kind=kind,
            site_id=site_id,
            counter_id=counter_id,
            staff_member_id=staff_id,
            inspecting_site_id=inspecting_site_id,
            inspected_at=inspected_at,
            results=results,
            note="",
            submission_key=f"demo-inspection-{number}",
            photos=[],
            data_dir=Path(),  # no photos, nothing written
            now=inspected_at + timedelta(hours=1),
            checklist_id=checklist.id,
            max_photo_bytes=0,
        )


def _account(session: Session, user_id: int, organisation_id: int) -> Account:
    user = session.get(User, user_id)
    assert user is not None
    return Account(
        id=user_id,
        username=user.username,
        display_name=user.display_name,
        role=Role(user.role),
        organisation_ids=frozenset({organisation_id}),
    )


def _places(session: Session, site_ids: list[int]) -> dict[int, list[tuple[int, int | None]]]:
    """Per hall, its counters with the clerk on duty there (if any)."""
    counters = session.exec(
        select(Counter).where(col(Counter.site_id).in_(site_ids)).order_by(col(Counter.id))
    ).all()
    on_duty = {
        member.counter_id: member.id
        for member in session.exec(
            select(StaffMember).where(col(StaffMember.site_id).in_(site_ids))
        ).all()
        if member.counter_id is not None
    }
    places: dict[int, list[tuple[int, int | None]]] = {site_id: [] for site_id in site_ids}
    for counter in counters:
        assert counter.id is not None
        places[counter.site_id].append((counter.id, on_duty.get(counter.id)))
    return places
