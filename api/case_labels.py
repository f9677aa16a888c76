"""Words for a case's states, clock stages, kinds, categories and severities, in every
language (marked here, translated when a page is rendered)."""

from survey.cases.rules import CaseState, Severity, Stage
from survey.errors import N_
from survey.models import FeedbackCategory, FeedbackKind

STATE_LABELS: dict[str, str] = {
    CaseState.received: N_("Received"),
    CaseState.acknowledged: N_("Acknowledged"),
    CaseState.in_progress: N_("In progress"),
    CaseState.answered: N_("Answered"),
    CaseState.closed: N_("Closed"),
    CaseState.reopened: N_("Reopened"),
    CaseState.escalated: N_("Escalated"),
}
STATE_ACTIONS: dict[str, str] = {
    CaseState.acknowledged: N_("Acknowledge"),
    CaseState.in_progress: N_("Start work"),
    CaseState.escalated: N_("Escalate"),
    CaseState.closed: N_("Close"),
    CaseState.reopened: N_("Reopen"),
}
"""Buttons for the state changes a manager makes by hand (answering has its own form)."""
STAGE_LABELS: dict[str, str] = {
    Stage.on_time: N_("On time"),
    Stage.half_used: N_("Half the time used"),
    Stage.nearly_due: N_("80 % of the time used"),
    Stage.overdue: N_("Overdue: site manager"),
    Stage.overdue_twice: N_("Overdue twice: organisation"),
}
KIND_LABELS: dict[str, str] = {
    FeedbackKind.praise: N_("Praise"),
    FeedbackKind.suggestion: N_("Suggestion"),
    FeedbackKind.criticism: N_("Criticism"),
    FeedbackKind.complaint: N_("Complaint"),
}
CATEGORY_LABELS: dict[str, str] = {
    FeedbackCategory.attitude: N_("Attitude"),
    FeedbackCategory.efficiency: N_("Waiting and speed"),
    FeedbackCategory.accuracy: N_("Business handled wrongly"),
    FeedbackCategory.fees: N_("Fees and charges"),
    FeedbackCategory.environment: N_("Hall and facilities"),
    FeedbackCategory.other: N_("Other"),
}
SEVERITY_LABELS: dict[str, str] = {
    Severity.simple: N_("Simple"),
    Severity.general: N_("General"),
    Severity.complex: N_("Complex"),
    Severity.regulator: N_("Forwarded by a regulator"),
}
EVENT_LABELS: dict[str, str] = {
    "opened": N_("Case opened"),
    "paused": N_("Clock paused"),
    "resumed": N_("Clock resumed"),
    "answer": N_("Answer sent"),
    "warning": N_("Warning"),
    "escalation": N_("Escalation"),
    "severity": N_("Severity changed"),
}
