"""Complaint statistics per operator, as a regulator publishes them: complaints received
in a period, how many were first answered within their limit, late or still running,
the on-time rate with its Wilson interval, and the counts per category. Counts only:
never a complaint's text, its complainant or its contact."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from analytics.proportions import Proportion, wilson_proportion
from survey.cases.queries import feedback_counts, on_time_rates
from survey.models import FeedbackKind, Organisation


@dataclass(frozen=True)
class OperatorComplaints:
    """One operator's complaints in the period."""

    organisation_id: int
    name: str
    received: int
    on_time: int
    late: int
    pending: int
    rate: Proportion
    by_category: dict[str, int]


def operator_complaints(
    session: Session,
    *,
    organisations: Iterable[Organisation],
    since: datetime,
    until: datetime,
    now: datetime,
) -> list[OperatorComplaints]:
    """Per operator, the cases received in ``[since, until)`` and how they were answered
    (see :func:`survey.cases.queries.on_time_rates`), with the complaints per category."""
    result = []
    for organisation in organisations:
        assert organisation.id is not None
        rows = on_time_rates(
            session, organisation_ids=[organisation.id], since=since, until=until, now=now
        )
        categories: dict[str, int] = defaultdict(int)
        for count in feedback_counts(
            session, organisation_ids=[organisation.id], since=since, until=until
        ):
            if count.kind == FeedbackKind.complaint.value:
                categories[count.category] += count.n
        on_time = sum(row.on_time for row in rows)
        late = sum(row.late for row in rows)
        result.append(
            OperatorComplaints(
                organisation_id=organisation.id,
                name=organisation.name,
                received=sum(row.received for row in rows),
                on_time=on_time,
                late=late,
                pending=sum(row.pending for row in rows),
                rate=wilson_proportion(on_time, on_time + late),
                by_category=dict(categories),
            )
        )
    return result
