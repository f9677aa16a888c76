"""Corrective actions: opened by what the data show, planned by a manager, and judged by
measuring the same thing again after their due date.

Three triggers open an action, each **once per signal** (a key per signal; re-running the
sweep opens nothing twice):

- **breach**: a target of the agreement in force missed in a window that has ended;
- **control signal**: the monthly trend of a campaign's index or of a dimension falls out
  of control (the dashboard's run rules) in one of the last three months, downwards;
- **gap widening**: a dimension's gap in the last complete month is significantly worse
  than over the three months before (Welch's test, 95 %, both periods above the minimum n).

After the due date the effect is measured (:func:`measure_effect`): for a breach, the
metric in the windows that ended after the due date (effective when every one judged met
the target); for survey signals, the same series over the whole months after the due date
against the month that signalled (effective when significantly better). An effective
action is closed; any other result reopens it for a new plan.
"""

import json
import math
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Any

from scipy import stats
from sqlmodel import Session, col, select

from analytics.control import period_label
from analytics.effects import Difference, welch_difference
from analytics.intervals import DEFAULT_MIN_N, MeanEstimate
from analytics.report import ServqualReport
from survey.errors import N_, FieldError, InvalidAnswer, NotFound
from survey.lifecycle.agreements import agreement_in_force, metrics_of
from survey.lifecycle.measurement import metric_status, service_status
from survey.models import (
    ActionState,
    ActionTrigger,
    Campaign,
    CorrectiveAction,
    Organisation,
    Role,
    Service,
    User,
    UserOrganisation,
)
from survey.stats.dashboard import (
    Period,
    add_months,
    default_period,
    overview,
    period_report,
    resolve_places,
)
from survey.stats.reports import Scope
from survey.stats.stat_rows import month_of

SIGNAL_MONTHS = 3
"""How far back a control-chart signal still opens an action."""
BASELINE_MONTHS = 3
"""The months a widening gap is compared against."""


@dataclass(frozen=True)
class ActionDraft:
    """An action the data call for, before it is known whether it is already open."""

    trigger: ActionTrigger
    key: str
    title: str
    grain: str
    window_start: date
    evidence: dict[str, Any]
    service_id: int | None = None
    metric_code: str = ""
    campaign_id: int | None = None
    site_id: int | None = None
    series: str = ""


def breach_drafts(
    session: Session, service: Service, *, now: datetime, timezone: tzinfo
) -> list[ActionDraft]:
    """One draft per ended window in which a target of the agreement in force was missed."""
    status = service_status(session, service, now=now, timezone=timezone)
    if status is None:
        return []
    drafts = []
    for metric in status.metrics:
        for grain, figures in metric.by_grain.items():
            for figure in figures:
                if figure.met is not False or figure.so_far:
                    continue
                drafts.append(
                    ActionDraft(
                        trigger=ActionTrigger.breach,
                        key=f"breach:{service.id}:{metric.metric.code}:{grain}:{figure.window.label}",
                        title=f"{metric.metric.name} · {figure.window.label}",
                        grain=grain,
                        window_start=figure.window.first_day,
                        evidence={
                            "value": figure.value,
                            "target": metric.metric.target,
                            "comparison": metric.metric.comparison,
                            "unit": metric.metric.unit,
                            "agreement_version": status.agreement.version,
                            "exempt_hours": figure.exempt_hours,
                        },
                        service_id=service.id,
                        metric_code=metric.metric.code,
                        campaign_id=service.campaign_id,
                        site_id=service.site_id,
                    )
                )
    return drafts


def _own_campaigns(session: Session, organisation_id: int) -> list[Campaign]:
    return list(
        session.exec(
            select(Campaign).where(
                Campaign.organisation_id == organisation_id,
                col(Campaign.evaluation_id).is_(None),
            )
        ).all()
    )


def signal_key(campaign_id: int, series: str, label: str) -> str:
    """The key of a control-chart signal's action: one per campaign, series and month."""
    return f"signal:{campaign_id}:{series}:{label}"


def signal_drafts(
    session: Session, campaign: Campaign, *, today: date, min_n: int = DEFAULT_MIN_N
) -> list[ActionDraft]:
    """One draft per downward control-chart signal of the campaign's monthly index or a
    dimension in the last :data:`SIGNAL_MONTHS` months (one per series and month, whatever
    rules fired)."""
    assert campaign.id is not None
    scope = Scope(campaign_id=campaign.id, organisation_ids=(campaign.organisation_id,))
    scope, places = resolve_places(session, scope)
    period = default_period(today, SIGNAL_MONTHS)
    found = overview(session, scope, places, period, min_n=min_n, today=today)
    drafts: dict[str, ActionDraft] = {}
    for alert in found.alerts:
        signal = alert.signal
        if signal.direction != "below":
            continue
        key = signal_key(campaign.id, alert.series, signal.label)
        month = date.fromisoformat(f"{signal.label}-01")
        drafts.setdefault(
            key,
            ActionDraft(
                trigger=ActionTrigger.control_signal,
                key=key,
                title=f"{campaign.name} · {alert.series} · {signal.label}",
                grain="month",
                window_start=month,
                evidence={"rule": signal.rule, "value": signal.value, "series": alert.series},
                campaign_id=campaign.id,
                series=alert.series,
            ),
        )
    return list(drafts.values())


def _gap(report: ServqualReport, dimension: str) -> MeanEstimate | None:
    estimate = report.dimension(dimension).scores.get("G")
    return estimate if estimate is not None and estimate.sufficient else None


def gap_drafts(
    session: Session, campaign: Campaign, *, today: date, min_n: int = DEFAULT_MIN_N
) -> list[ActionDraft]:
    """One draft per dimension whose gap in the last complete month is significantly worse
    than over the :data:`BASELINE_MONTHS` months before it."""
    assert campaign.id is not None
    scope = Scope(campaign_id=campaign.id, organisation_ids=(campaign.organisation_id,))
    last = add_months(month_of(today), -1)
    after = period_report(session, scope, Period(last, month_of(today)), min_n=min_n)
    before = period_report(
        session, scope, Period(add_months(last, -BASELINE_MONTHS), last), min_n=min_n
    )
    drafts = []
    for dimension in after.dimensions:
        now_gap, then_gap = _gap(after, dimension.code), _gap(before, dimension.code)
        if now_gap is None or then_gap is None:
            continue
        difference = _difference(then_gap, now_gap)
        if difference.difference >= 0 or not difference.significant:
            continue
        label = period_label(last, "month")
        drafts.append(
            ActionDraft(
                trigger=ActionTrigger.gap_widening,
                key=f"gap:{campaign.id}:{dimension.code}:{label}",
                title=f"{campaign.name} · {dimension.code} · {label}",
                grain="month",
                window_start=last,
                evidence=_difference_json(difference),
                campaign_id=campaign.id,
                series=dimension.code,
            )
        )
    return drafts


def _difference(before: MeanEstimate, after: MeanEstimate) -> Difference:
    return welch_difference(before.n, before.mean, before.sd, after.n, after.mean, after.sd)


def _difference_json(difference: Difference) -> dict[str, Any]:
    return {
        "before": difference.before,
        "after": difference.after,
        "difference": difference.difference,
        "ci": list(difference.ci),
        "p_value": difference.p_value,
        "n_before": difference.n_before,
        "n_after": difference.n_after,
    }


def open_corrective_actions(
    session: Session, organisation_id: int, *, now: datetime, timezone: tzinfo
) -> list[CorrectiveAction]:
    """Open an action for every signal in the organisation's data that has none yet.
    Flushes; returns the new actions."""
    today = now.astimezone(timezone).date()
    drafts: list[ActionDraft] = []
    services = session.exec(select(Service).where(Service.organisation_id == organisation_id))
    for service in services.all():
        drafts.extend(breach_drafts(session, service, now=now, timezone=timezone))
    for campaign in _own_campaigns(session, organisation_id):
        drafts.extend(signal_drafts(session, campaign, today=today))
        drafts.extend(gap_drafts(session, campaign, today=today))
    known = set(
        session.exec(
            select(CorrectiveAction.trigger_key).where(
                CorrectiveAction.organisation_id == organisation_id
            )
        ).all()
    )
    opened = []
    for draft in drafts:
        if draft.key in known:
            continue
        known.add(draft.key)
        action = CorrectiveAction(
            organisation_id=organisation_id,
            trigger=draft.trigger,
            trigger_key=draft.key,
            title=draft.title[:300],
            service_id=draft.service_id,
            metric_code=draft.metric_code,
            campaign_id=draft.campaign_id,
            site_id=draft.site_id,
            series=draft.series,
            grain=draft.grain,
            window_start=draft.window_start,
            evidence=json.dumps(draft.evidence, allow_nan=False, default=_finite),
            opened_at=now,
            updated_at=now,
        )
        session.add(action)
        opened.append(action)
    session.flush()
    return opened


def _finite(value: object) -> object:
    return None if isinstance(value, float) and not math.isfinite(value) else str(value)


def plan_action(
    session: Session,
    action: CorrectiveAction,
    *,
    owner_id: int | None,
    cause: str,
    plan: str,
    due_on: date | None,
    today: date,
    now: datetime,
) -> CorrectiveAction:
    """Give an open (or reopened) action its owner, the cause found with the customer, the
    plan and a due date. A closed action is final. Flushes."""
    errors: dict[str, FieldError] = {}
    if action.state == ActionState.effective:
        errors["plan"] = FieldError(N_("This action is closed: its effect was measured."))
    if owner_id is not None and owner_id not in manager_ids(session, action.organisation_id):
        errors["owner"] = FieldError(N_("Choose one of the organisation's managers."))
    if not plan.strip():
        errors["plan"] = FieldError(N_("Please write what will be done."))
    if due_on is None:
        errors["due_on"] = FieldError(N_("Please give a due date."))
    elif due_on < today:
        errors["due_on"] = FieldError(N_("The due date cannot be in the past."))
    if errors:
        raise InvalidAnswer(errors)
    action.owner_id = owner_id
    action.cause = cause.strip()[:2000]
    action.plan = plan.strip()[:2000]
    action.due_on = due_on
    if action.state == ActionState.reopened:
        action.state = ActionState.open
    action.updated_at = now
    session.add(action)
    session.flush()
    return action


def manager_ids(session: Session, organisation_id: int) -> dict[int, str]:
    """The organisation's managers and admins who can own an action, by id → name."""
    rows = session.exec(
        select(User.id, User.display_name)
        .join(UserOrganisation, col(UserOrganisation.user_id) == User.id)
        .where(
            UserOrganisation.organisation_id == organisation_id,
            col(User.role).in_([Role.manager, Role.admin]),
            col(User.active),
        )
        .order_by(col(User.display_name))
    ).all()
    return {int(user_id): name for user_id, name in rows if user_id is not None}


@dataclass(frozen=True)
class Effect:
    """What measuring an action's effect found: ``effective`` is None while there is
    nothing after the due date to measure yet."""

    effective: bool | None
    details: dict[str, Any] = field(default_factory=dict)


def _breach_effect(
    session: Session, action: CorrectiveAction, *, now: datetime, timezone: tzinfo
) -> Effect:
    assert action.due_on is not None and action.service_id is not None
    service = session.get(Service, action.service_id)
    agreement = agreement_in_force(session, action.service_id, now.astimezone(timezone).date())
    if service is None or agreement is None or agreement.id is None:
        return Effect(None)
    metric = next(
        (m for m in metrics_of(session, agreement.id) if m.code == action.metric_code), None
    )
    if metric is None:
        return Effect(None)
    status = metric_status(session, service, agreement, metric, now=now, timezone=timezone)
    after = [
        f
        for f in status.by_grain.get(action.grain, ())
        if not f.so_far and f.window.first_day >= action.due_on and f.met is not None
    ]
    if not after:
        return Effect(None)
    evidence = json.loads(action.evidence or "{}")
    details = {
        "before": evidence.get("value"),
        "after": [[f.window.label, f.value] for f in after],
        "target": metric.target,
        "unit": metric.unit,
    }
    return Effect(all(f.met for f in after), details)


def _index_estimate(report: ServqualReport) -> MeanEstimate | None:
    """The index as a mean with its sd, recovered from its t interval (half-width =
    t₀.₉₇₅,ₙ₋₁ · sd / √n), so the index can be compared like a dimension's gap."""
    index = report.index
    if index.n < 2 or math.isnan(index.value):
        return None
    half = (index.ci95[1] - index.ci95[0]) / 2
    sd = half / float(stats.t.ppf(0.975, index.n - 1)) * math.sqrt(index.n)
    return MeanEstimate(index.value, index.ci95, index.n, sd, index.n >= DEFAULT_MIN_N)


def _series_estimate(report: ServqualReport, series: str) -> MeanEstimate | None:
    if series == "index":
        return _index_estimate(report)
    if series not in {d.code for d in report.dimensions}:
        return None
    estimate = report.dimension(series).scores.get("G") or report.dimension(series).scores.get("P")
    return estimate if estimate is not None and estimate.sufficient else None


def _survey_effect(session: Session, action: CorrectiveAction, *, today: date) -> Effect:
    assert action.due_on is not None and action.campaign_id is not None
    campaign = session.get(Campaign, action.campaign_id)
    if campaign is None:
        return Effect(None)
    first_after = month_of(action.due_on)
    if first_after < action.due_on:
        first_after = add_months(first_after, 1)
    until = month_of(today)
    if first_after >= until:
        return Effect(None)
    scope = Scope(
        campaign_id=campaign.id or 0,
        organisation_ids=(campaign.organisation_id,),
        site_id=action.site_id,
    )
    month = action.window_start
    before = _series_estimate(
        period_report(session, scope, Period(month, add_months(month, 1))), action.series
    )
    after = _series_estimate(
        period_report(session, scope, Period(first_after, until)), action.series
    )
    if before is None or after is None:
        return Effect(None)
    difference = _difference(before, after)
    return Effect(
        difference.difference > 0 and difference.significant, _difference_json(difference)
    )


def measure_effect(
    session: Session, action: CorrectiveAction, *, now: datetime, timezone: tzinfo
) -> Effect:
    """Measure an open action whose due date has passed; record the result (effective:
    closed; not effective: reopened). Nothing changes while there is nothing to measure.
    Flushes."""
    today = now.astimezone(timezone).date()
    if action.state != ActionState.open or action.due_on is None or action.due_on > today:
        return Effect(None)
    if action.trigger == ActionTrigger.breach:
        effect = _breach_effect(session, action, now=now, timezone=timezone)
    else:
        effect = _survey_effect(session, action, today=today)
    if effect.effective is None:
        return effect
    action.effect = json.dumps(effect.details, allow_nan=False, default=_finite)
    action.updated_at = now
    if effect.effective:
        action.state = ActionState.effective
        action.closed_at = now
    else:
        action.state = ActionState.reopened
        action.due_on = None
    session.add(action)
    session.flush()
    return effect


def sweep_actions(session: Session, *, now: datetime, timezone: tzinfo) -> tuple[int, int]:
    """For every organisation: open the actions its data call for, and measure those past
    their due date. Commits; returns (opened, measured)."""
    opened = measured = 0
    for organisation_id in session.exec(select(Organisation.id)).all():
        assert organisation_id is not None
        opened += len(open_corrective_actions(session, organisation_id, now=now, timezone=timezone))
        due = session.exec(
            select(CorrectiveAction).where(
                CorrectiveAction.organisation_id == organisation_id,
                CorrectiveAction.state == ActionState.open,
                col(CorrectiveAction.due_on).is_not(None),
            )
        ).all()
        for action in due:
            if measure_effect(session, action, now=now, timezone=timezone).effective is not None:
                measured += 1
        session.commit()
    return opened, measured


def actions_of(
    session: Session, organisation_ids: Collection[int], *, service_id: int | None = None
) -> list[CorrectiveAction]:
    """The organisations' actions: open and reopened first (earliest due first), then the
    closed ones, newest first."""
    query = select(CorrectiveAction).where(
        col(CorrectiveAction.organisation_id).in_(organisation_ids)
    )
    if service_id is not None:
        query = query.where(CorrectiveAction.service_id == service_id)
    actions = list(session.exec(query).all())
    closed = [a for a in actions if a.state == ActionState.effective]
    running = [a for a in actions if a.state != ActionState.effective]
    running.sort(key=lambda a: (a.due_on or date.max, a.opened_at))
    closed.sort(key=lambda a: a.closed_at or a.opened_at, reverse=True)
    return running + closed


def action_of(
    session: Session, action_id: int, organisation_ids: Collection[int]
) -> CorrectiveAction:
    action = session.get(CorrectiveAction, action_id)
    if action is None or action.organisation_id not in organisation_ids:
        raise NotFound(f"action {action_id}")
    return action


def campaign_actions(session: Session, campaign_id: int) -> list[CorrectiveAction]:
    """The actions a campaign's data opened (signals and gaps), for its dashboard."""
    return list(
        session.exec(
            select(CorrectiveAction)
            .where(CorrectiveAction.campaign_id == campaign_id)
            .order_by(col(CorrectiveAction.id))
        ).all()
    )
