"""The year of each supervisor, for the annual meeting that rewards active supervisors and
adopted suggestions: inspections filed, what they found, and what they told the
organisation. Also marking a suggestion adopted, and the feedback list managers read."""

from collections import Counter as Tally
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, func, select

from survey.db import begin_write
from survey.errors import InvalidAnswer, NotFound
from survey.models import (
    CheckOutcome,
    Feedback,
    FeedbackKind,
    FeedbackSource,
    Inspection,
    InspectionKind,
    InspectionResult,
    Role,
    SupervisorCredential,
    User,
    UserOrganisation,
)


@dataclass(frozen=True)
class SupervisorYear:
    """One supervisor's year in the reader's organisations."""

    user_id: int
    name: str
    credential: str
    inspections: dict[InspectionKind, int]
    findings: int
    """Checklist items found failed in their inspections."""
    praise: int
    suggestions: int
    adopted: int
    criticism: int
    complaints: int

    @property
    def inspections_total(self) -> int:
        return sum(self.inspections.values())


def supervisor_report(
    session: Session, *, organisation_ids: Collection[int], year: int, zone: ZoneInfo
) -> list[SupervisorYear]:
    """Every supervisor of the organisations, with what they filed in ``year`` (local
    time), the most active first; supervisors who filed nothing are listed too."""
    since = datetime(year, 1, 1, tzinfo=zone)
    until = datetime(year + 1, 1, 1, tzinfo=zone)
    orgs = sorted(organisation_ids)
    supervisors = session.exec(
        select(User.id, User.display_name, SupervisorCredential.number)
        .join(UserOrganisation, col(UserOrganisation.user_id) == User.id)
        .join(SupervisorCredential, col(SupervisorCredential.user_id) == User.id, isouter=True)
        .where(User.role == Role.supervisor)
        .where(col(UserOrganisation.organisation_id).in_(orgs))
        .distinct()
    ).all()
    inspections: dict[int, Tally[InspectionKind]] = {}
    for user_id, kind, n in session.exec(
        select(Inspection.filed_by_user_id, Inspection.kind, func.count())
        .where(col(Inspection.organisation_id).in_(orgs))
        .where(col(Inspection.inspected_at) >= since, col(Inspection.inspected_at) < until)
        .group_by(col(Inspection.filed_by_user_id), col(Inspection.kind))
    ).all():
        inspections.setdefault(user_id, Tally())[InspectionKind(kind)] += n
    findings = dict(
        session.exec(
            select(Inspection.filed_by_user_id, func.count())
            .join(InspectionResult, col(InspectionResult.inspection_id) == Inspection.id)
            .where(col(Inspection.organisation_id).in_(orgs))
            .where(col(Inspection.inspected_at) >= since, col(Inspection.inspected_at) < until)
            .where(InspectionResult.outcome == CheckOutcome.failed)
            .group_by(col(Inspection.filed_by_user_id))
        ).all()
    )
    told: dict[int | None, Tally[str]] = {}
    for sender_id, kind, adopted, n in session.exec(
        select(
            Feedback.submitted_by_user_id,
            Feedback.kind,
            col(Feedback.adopted_at).is_not(None),
            func.count(),
        )
        .where(col(Feedback.organisation_id).in_(orgs))
        .where(Feedback.source == FeedbackSource.supervisor)
        .where(col(Feedback.received_at) >= since, col(Feedback.received_at) < until)
        .group_by(
            col(Feedback.submitted_by_user_id),
            col(Feedback.kind),
            col(Feedback.adopted_at).is_not(None),
        )
    ).all():
        tally = told.setdefault(sender_id, Tally())
        tally[str(kind)] += n
        if adopted:
            tally["adopted"] += n
    rows = []
    for supervisor_id, name, number in supervisors:
        assert supervisor_id is not None
        tally = told.get(supervisor_id, Tally())
        rows.append(
            SupervisorYear(
                user_id=supervisor_id,
                name=name,
                credential=number or "",
                inspections=dict(inspections.get(supervisor_id, Tally())),
                findings=int(findings.get(supervisor_id, 0)),
                praise=tally[FeedbackKind.praise.value],
                suggestions=tally[FeedbackKind.suggestion.value],
                adopted=tally["adopted"],
                criticism=tally[FeedbackKind.criticism.value],
                complaints=tally[FeedbackKind.complaint.value],
            )
        )
    return sorted(rows, key=lambda r: (-(r.inspections_total + r.suggestions), r.name))


def mark_adopted(
    session: Session, feedback_id: int, *, organisation_ids: Collection[int], now: datetime
) -> Feedback:
    """Mark a suggestion adopted (once; the first date stays). Commits. NotFound outside
    the reader's organisations; only suggestions can be adopted."""
    begin_write(session)
    feedback = session.get(Feedback, feedback_id)
    if feedback is None or feedback.organisation_id not in organisation_ids:
        raise NotFound(f"feedback {feedback_id}")
    if feedback.kind != FeedbackKind.suggestion:
        raise InvalidAnswer({"kind": "Only a suggestion can be adopted."})
    if feedback.adopted_at is None:
        feedback.adopted_at = now
        session.add(feedback)
    session.commit()
    return feedback


@dataclass(frozen=True)
class FeedbackPage:
    items: list[Feedback]
    next_before: int | None


def feedback_list(
    session: Session,
    *,
    organisation_ids: Collection[int],
    kind: FeedbackKind | None = None,
    before: int | None = None,
    limit: int = 50,
) -> FeedbackPage:
    """Feedback of the organisations, newest first, ``limit`` per page (keyset on id)."""
    query = (
        select(Feedback)
        .where(col(Feedback.organisation_id).in_(sorted(organisation_ids)))
        .order_by(col(Feedback.id).desc())
        .limit(limit + 1)
    )
    if kind is not None:
        query = query.where(Feedback.kind == kind)
    if before is not None:
        query = query.where(col(Feedback.id) < before)
    items = list(session.exec(query).all())
    more = len(items) > limit
    items = items[:limit]
    return FeedbackPage(items, items[-1].id if more and items else None)
