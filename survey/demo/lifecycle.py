"""The demo's services and their quality agreements.

Two services, each with a signed agreement valid over the year before and the year after
the demo's day:

- the **counter service** of the first hall, measured by the demo campaign (satisfaction
  index per month and year), with the queueing system's availability and an opening-hours
  clause; an outage of the queueing system during a typhoon falls in an agreed exemption,
  so every target holds;
- the **online business hall**, whose availability target (98 %) holds for the year but
  not for one week: an outage of up to five days that the yearly figure hides. It is
  placed where the week history shows it: six weeks back, or in the last full week of the
  previous year early in a year; its length is at most 1.5 % of the year's hours so far
  (five days from mid-year on), so the year still meets 98 % whatever the demo's day.
"""

from datetime import date, datetime, time, timedelta, tzinfo

from sqlmodel import Session

from survey.lifecycle.actions import measure_effect, open_corrective_actions, plan_action
from survey.lifecycle.agreements import (
    ExemptionInput,
    MetricInput,
    create_agreement,
    sign_agreement,
)
from survey.lifecycle.design import add_need, add_promise
from survey.lifecycle.observations import record_outage
from survey.lifecycle.reviews import Findings, default_review_period, freeze_review
from survey.lifecycle.services import create_service
from survey.models import (
    CustomerSide,
    MetricFigure,
    MetricKind,
    MetricSource,
    Service,
    ServiceKind,
)
from survey.stats.dashboard import add_months

PROVIDER = "示范电信 Demo Telecom"
AVAILABILITY = "availability"
ANSWERED = "answered_in_20s"


def _at(day: date, hour: int, timezone: tzinfo) -> datetime:
    return datetime.combine(day, time(hour), timezone)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def hidden_outage(today: date, timezone: tzinfo) -> tuple[datetime, datetime]:
    """The online hall's long outage: a week the yearly figure hides (see the module)."""
    monday = _monday(today - timedelta(weeks=6))
    if monday.year != today.year or (today - date(today.year, 1, 1)).days < 70:
        monday = _monday(date(today.year - 1, 12, 24))
        hours_so_far = 365 * 24
    else:
        hours_so_far = (today - date(today.year, 1, 1)).days * 24
    hours = min(120, int(hours_so_far * 0.015))
    start = _at(monday, 8, timezone)
    return start, start + timedelta(hours=hours)


def _design(session: Session, service: Service, *, now: datetime) -> None:
    """The counter service's design stage: two needs, one promise the analysis supports
    and one it does not (too dear, and too likely to be missed)."""
    add_need(
        session,
        service,
        dimension_code="responsiveness",
        text="晚高峰等候时间短 Short waits at the evening peak",
        now=now,
    )
    add_need(
        session,
        service,
        dimension_code="assurance",
        text="资费解释清楚 Fees explained clearly",
        now=now,
    )
    add_promise(
        session,
        service,
        text="晚高峰 15 分钟内办理 Served within 15 minutes at the evening peak",
        yearly_cost=120_000,
        yearly_benefit=200_000,
        cost_note="两名弹性坐席 Two flexible agents at the peak",
        delivery=(3, 3),
        compensation=(2, 3),
        now=now,
    )
    add_promise(
        session,
        service,
        text="任何时段 5 分钟内办理 Served within 5 minutes at any time",
        yearly_cost=800_000,
        yearly_benefit=300_000,
        cost_note="每厅增设三个窗口 Three more counters in every hall",
        delivery=(4, 4),
        compensation=(3, 3),
        now=now,
    )


def seed_demo_lifecycle(
    session: Session,
    *,
    organisation_id: int,
    campaign_id: int,
    site_id: int,
    manager_id: int,
    now: datetime,
    timezone: tzinfo,
) -> None:
    """Create the two services, their signed agreements, outages and entered figures."""
    today = now.astimezone(timezone).date()
    valid_from = date(today.year - 1, 1, 1)
    valid_to = date(today.year + 1, 12, 31)
    signed = now - timedelta(days=400)

    counter = create_service(
        session,
        organisation_id=organisation_id,
        name="天河营业厅柜台服务 Counter service, Tianhe hall",
        kind=ServiceKind.counter,
        customer_side=CustomerSide.public,
        customer_name="到厅客户 Customers at the hall",
        site_id=site_id,
        campaign_id=campaign_id,
        now=signed,
    )
    assert counter.id is not None
    _design(session, counter, now=signed)
    typhoon_day = _monday(today - timedelta(weeks=3)) + timedelta(days=2)
    typhoon = ExemptionInput(
        _at(typhoon_day, 6, timezone),
        _at(typhoon_day, 20, timezone),
        "台风红色预警停业 Typhoon red warning: hall closed by order",
    )
    agreement = create_agreement(
        session,
        service=counter,
        provider_party=PROVIDER,
        customer_party="天河区消费者委员会 Tianhe Consumer Council",
        valid_from=valid_from,
        valid_to=valid_to,
        metrics=[
            MetricInput(
                code="satisfaction",
                name="满意度指数 Satisfaction index",
                kind=MetricKind.frequency_based,
                source=MetricSource.survey_index,
                comparison="at_least",
                target=60,
                unit="/100",
                windows=("month", "year"),
                penalty="季度服务之星评选取消 No service-star awards that quarter",
            ),
            MetricInput(
                code="queue_system",
                name="排队叫号系统可用率 Queueing system availability",
                kind=MetricKind.time_based,
                source=MetricSource.availability,
                comparison="at_least",
                target=99,
                unit="%",
                windows=("week", "year"),
                penalty="每周未达标扣当月服务费 2 % 2 % of the month's fee per week missed",
            ),
            MetricInput(
                code="opening_hours",
                name="按公示时间营业 Opening hours kept (1 = yes)",
                kind=MetricKind.clause_based,
                source=MetricSource.entered,
                comparison="at_least",
                target=1,
                windows=("month",),
            ),
        ],
        exemptions=[typhoon],
        negotiation=(
            "质量争议由双方服务质量小组在 10 个工作日内协商；不成则提请消费者委员会调解。 "
            "Quality disputes go to both sides' service-quality team within 10 working "
            "days, then to the Consumer Council's mediation."
        ),
        glossary=(
            "可用率 Availability: share of the agreed time the system serves customers.\n"
            "不可抗力 Force majeure: events neither party could foresee or prevent."
        ),
        now=signed,
    )
    sign_agreement(
        session, agreement, party="provider", signed_by="王经理 Manager Wang", now=signed
    )
    sign_agreement(
        session, agreement, party="customer", signed_by="陈主任 Director Chen", now=signed
    )
    record_outage(
        session,
        counter,
        starts_at=_at(typhoon_day, 9, timezone),
        ends_at=_at(typhoon_day, 17, timezone),
        note="停电 Power cut during the typhoon",
        recorded_by=manager_id,
        now=now,
    )
    month = date(today.year, today.month, 1)
    for _ in range(6):
        session.add(
            MetricFigure(
                service_id=counter.id,
                metric_code="opening_hours",
                grain="month",
                period_start=month,
                value=1,
                evidence="门禁记录 Door log",
                entered_by=manager_id,
                entered_at=now,
            )
        )
        month = date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)

    online = create_service(
        session,
        organisation_id=organisation_id,
        name="网上营业厅 Online business hall",
        kind=ServiceKind.availability,
        customer_side=CustomerSide.public,
        customer_name="网上办理业务的用户 Customers served online",
        now=signed,
    )
    assert online.id is not None
    agreement = create_agreement(
        session,
        service=online,
        provider_party=PROVIDER,
        customer_party="示范省通信管理局 Demo Communications Administration",
        valid_from=valid_from,
        valid_to=valid_to,
        metrics=[
            MetricInput(
                code=AVAILABILITY,
                name="网上营业厅可用率 Availability",
                kind=MetricKind.time_based,
                source=MetricSource.availability,
                comparison="at_least",
                target=98,
                unit="%",
                windows=("week", "year"),
                penalty="每周未达标赔付当月服务费 5 % 5 % of the month's fee per week missed",
            ),
            MetricInput(
                code=ANSWERED,
                name="客服热线 20 秒接通率 Hotline calls answered within 20 s",
                kind=MetricKind.count_based,
                source=MetricSource.entered,
                comparison="at_least",
                target=80,
                unit="%",
                windows=("month",),
                penalty="服务积分扣 1 分 One service-credit point",
            ),
        ],
        now=signed,
    )
    sign_agreement(
        session, agreement, party="provider", signed_by="王经理 Manager Wang", now=signed
    )
    sign_agreement(
        session, agreement, party="customer", signed_by="李处长 Division Chief Li", now=signed
    )
    start, end = hidden_outage(today, timezone)
    record_outage(
        session,
        online,
        starts_at=start,
        ends_at=end,
        note="数据中心迁移失败，回退 A data-centre move failed and was rolled back",
        recorded_by=manager_id,
        now=now,
    )
    this_month = date(today.year, today.month, 1)
    for months_back, share in ((6, 86.0), (5, 84.5), (4, 88.0), (3, 83.0), (2, 71.5), (1, 76.0)):
        session.add(
            MetricFigure(
                service_id=online.id,
                metric_code=ANSWERED,
                grain="month",
                period_start=add_months(this_month, -months_back),
                value=share,
                evidence="话务系统月报 The call system's monthly report",
                entered_by=manager_id,
                entered_at=now,
            )
        )
    session.flush()
    _plan_and_judge(session, organisation_id, manager_id, now=now, timezone=timezone)
    first, last = default_review_period(today)
    freeze_review(
        session,
        online,
        first=first,
        last=last,
        findings=Findings(
            shortfalls=(
                "一周可用率未达标（数据中心迁移失败）；热线接通率连续两个月未达标。 "
                "One week's availability missed (a failed data-centre move); the hotline "
                "missed its target two months running."
            ),
            changes=(
                "迁移须演练；晚高峰增派坐席后仍未达标，需重新分析。 Moves are rehearsed; the "
                "hotline still missed after more evening agents, so its cause is looked at again."
            ),
            told=(
                "网络部、客服中心、管理局 The network department, the call centre and "
                "the administration"
            ),
        ),
        frozen_by=manager_id,
        now=now,
        timezone=timezone,
    )
    session.flush()


def _plan_and_judge(
    session: Session, organisation_id: int, manager_id: int, *, now: datetime, timezone: tzinfo
) -> None:
    """Open the actions the demo's data call for, plan two of them back when they were
    opened, and judge those past their due date: the outage's week is followed by weeks at
    target (effective); the hotline's month two months back is followed by another month
    under target (reopened); last month's miss is left open, waiting for a plan."""
    today = now.astimezone(timezone).date()
    for action in open_corrective_actions(session, organisation_id, now=now, timezone=timezone):
        if action.metric_code == AVAILABILITY:
            due = action.window_start + timedelta(days=7)
            cause = "迁移前未演练回退 The rollback was never rehearsed before the move"
            plan = "迁移须经演练并设回退窗口 Moves are rehearsed, with a rollback window"
        elif action.window_start == add_months(date(today.year, today.month, 1), -2):
            due = add_months(action.window_start, 1)
            cause = "晚高峰坐席不足 Too few agents at the evening peak"
            plan = "晚高峰增加两名坐席 Two more agents at the evening peak"
        else:
            continue
        opened = datetime.combine(action.window_start, time(9), timezone) + timedelta(days=7)
        plan_action(
            session,
            action,
            owner_id=manager_id,
            cause=cause,
            plan=plan,
            due_on=due,
            today=min(due, opened.date()),
            now=opened,
        )
        measure_effect(session, action, now=now, timezone=timezone)
    session.flush()
