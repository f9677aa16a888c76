"""Demo feedback and complaint cases: one of each situation a manager meets (answered in
time and confirmed, waiting for the complainant, reopened, paused, overdue and escalated),
at times counted back from now on the working calendar."""

from datetime import date, datetime, time, timedelta

from sqlmodel import Session

from survey.cases.handling import (
    answer_case,
    change_state,
    confirm_answer,
    file_feedback,
    pause_clock,
    reopen_by_complainant,
    sweep_all,
)
from survey.cases.rules import CaseState, Severity
from survey.cases.settings import calendar_for
from survey.cases.worktime import WorkCalendar
from survey.models import FeedbackCategory, FeedbackKind, FeedbackSource
from survey.supervision.annual_report import mark_adopted


def _working_days_back(calendar: WorkCalendar, today: date, n: int) -> date:
    day = today
    while n > 0:
        day -= timedelta(days=1)
        if calendar.is_working_day(day):
            n -= 1
    return day


def seed_demo_cases(
    session: Session,
    *,
    organisation_id: int,
    site_ids: list[int],
    manager_id: int,
    supervisor_id: int,
    now: datetime,
) -> None:
    """File the demo's feedback and cases and sweep them. Commits."""
    calendar = calendar_for(session, organisation_id)
    today = now.astimezone(calendar.timezone).date()

    def at(days_back: int, hour: int, minute: int = 0) -> datetime:
        day = _working_days_back(calendar, today, days_back)
        return datetime.combine(day, time(hour, minute), tzinfo=calendar.timezone)

    def file(
        kind: FeedbackKind,
        text: str,
        when: datetime,
        *,
        site: int = 0,
        source: FeedbackSource = FeedbackSource.customer,
        category: FeedbackCategory = FeedbackCategory.other,
        severity: Severity = Severity.general,
        by: int | None = None,
        contact: str = "",
    ) -> tuple[int, int, str]:
        filed = file_feedback(
            session,
            organisation_id=organisation_id,
            kind=kind,
            source=source,
            category=category,
            text=text,
            now=when,
            site_id=site_ids[site % len(site_ids)],
            severity=severity,
            received_by_user_id=by,
            contact=contact,
        )
        case = filed.case
        return (
            filed.feedback.id or 0,
            case.id if case and case.id else 0,
            case.public_token if case else "",
        )

    _, done, done_token = file(
        FeedbackKind.complaint,
        "办理携号转网等了五十分钟，只开了一个窗口。",
        at(3, 10),
        category=FeedbackCategory.efficiency,
        contact="138****2211",
    )
    change_state(session, done, CaseState.acknowledged, now=at(3, 10, 20), user_id=manager_id)
    answer_case(
        session,
        done,
        text="您好，高峰时段已增开两个窗口并启用预约取号，感谢您的监督。",
        now=at(3, 14),
        user_id=manager_id,
    )
    confirm_answer(session, done_token, now=at(2, 9, 30))

    _, waiting, _ = file(
        FeedbackKind.criticism,
        "暗访时 B2 窗口工作人员未使用标准问候语，低头玩手机。",
        at(1, 9, 10),
        site=1,
        source=FeedbackSource.supervisor,
        category=FeedbackCategory.attitude,
        severity=Severity.simple,
        by=supervisor_id,
    )
    answer_case(
        session,
        waiting,
        text="已对当事员工进行谈话提醒，并在班前会上重申服务规范。",
        now=at(1, 9, 50),
        user_id=manager_id,
    )

    _, reopened, reopened_token = file(
        FeedbackKind.complaint,
        "套餐资费说明不清，多扣了 30 元。",
        at(4, 11),
        category=FeedbackCategory.fees,
        severity=Severity.complex,
        contact="zhang@example.com",
    )
    change_state(session, reopened, CaseState.in_progress, now=at(4, 11, 30), user_id=manager_id)
    answer_case(
        session, reopened, text="经核查扣费无误，详见账单。", now=at(2, 16), user_id=manager_id
    )
    reopen_by_complainant(
        session, reopened_token, reason="账单上没有这 30 元的说明，请重新核查。", now=at(1, 10)
    )

    _, paused, _ = file(
        FeedbackKind.complaint,
        "宽带报装两周无人上门。",
        at(2, 15),
        category=FeedbackCategory.accuracy,
        severity=Severity.complex,
        contact="139****8765",
    )
    change_state(session, paused, CaseState.acknowledged, now=at(2, 15, 30), user_id=manager_id)
    pause_clock(
        session,
        paused,
        now=at(1, 9),
        reason="等待客户确认上门时间。",
        user_id=manager_id,
    )

    file(
        FeedbackKind.complaint,
        "热线反映：营业厅自助机坏了三天没人修。",
        at(2, 15),
        source=FeedbackSource.hotline,
        category=FeedbackCategory.environment,
        severity=Severity.simple,
    )
    file(
        FeedbackKind.complaint,
        "工作人员解释业务时很不耐烦。",
        at(0, 9) if calendar.is_working_day(today) and now > at(0, 9) else at(1, 16),
        site=1,
        category=FeedbackCategory.attitude,
    )

    file(
        FeedbackKind.praise,
        "李娜耐心帮老人设置手机，点赞！",
        at(4, 10),
        source=FeedbackSource.customer,
    )
    adopted, _, _ = file(
        FeedbackKind.suggestion,
        "建议在老年人窗口配备老花镜和放大镜。",
        at(6, 10),
        source=FeedbackSource.supervisor,
        by=supervisor_id,
    )
    file(
        FeedbackKind.suggestion,
        "建议周末延长营业时间到晚上七点。",
        at(5, 10),
        site=1,
        source=FeedbackSource.supervisor,
        by=supervisor_id,
    )
    mark_adopted(session, adopted, organisation_ids={organisation_id}, now=at(4, 11))
    sweep_all(session, now=now, organisation_ids=[organisation_id])
