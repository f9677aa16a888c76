"""A regulator's periodic notice, frozen: the operators' satisfaction indices (with their
intervals and n, fair ranks and dimension gaps) on its evaluation and their complaint
statistics for one period, with the instrument and method versions, as canonical JSON
and its SHA-256.

The way out is draft → review → published, each step recorded with who and when. A
published notice never changes (the database refuses it); a correction is the next
version of the same period, computed afresh, naming the version it corrects and why, and
the old one stays readable. ``manyi publication verify FILE`` recomputes the hash of a
downloaded notice.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from typing import Any

from sqlmodel import Session, col, func, select

from analytics.intervals import DEFAULT_MIN_N
from survey.errors import N_, FieldError, InvalidAnswer, NotFound, PublicationStateConflict
from survey.frozen import canonical, content_hash
from survey.models import Authority, Evaluation, Publication, PublicationStatus, User
from survey.regulation.authorities import operators
from survey.regulation.comparison import number, operator_comparison, operator_figures
from survey.regulation.complaints import operator_complaints
from survey.stats.dashboard import add_months

FORMAT = "manyi-publication/1"
"""The shape of ``content``; a reader checks it before trusting the fields."""

STEPS: dict[PublicationStatus, PublicationStatus] = {
    PublicationStatus.draft: PublicationStatus.review,
    PublicationStatus.review: PublicationStatus.published,
}


def notice_file(publication: Publication) -> dict[str, Any]:
    """What a notice's JSON download holds: its frozen content and that content's hash."""
    return {"content": json.loads(publication.content), "sha256": publication.content_hash}


def verify_notice(document: Any) -> bool:
    """Whether a downloaded notice's content still has the hash it carries."""
    if not isinstance(document, dict) or not isinstance(document.get("content"), dict):
        return False
    return content_hash(canonical(document["content"])) == document.get("sha256")


def quarter(label: str) -> tuple[date, date]:
    """``2026-Q4`` → (2026-10-01, 2027-01-01); InvalidAnswer on ``period`` otherwise."""
    year, _, q = label.partition("-Q")
    if not (year.isdecimal() and len(year) == 4 and q in {"1", "2", "3", "4"}):
        raise InvalidAnswer({"period": FieldError(N_("Write a quarter as 2026-Q4."))})
    since = date(int(year), 3 * int(q) - 2, 1)
    return since, add_months(since, 3)


def quarter_label(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def snapshot(
    session: Session,
    evaluation: Evaluation,
    *,
    period: str,
    now: datetime,
    timezone: tzinfo,
    min_n: int = DEFAULT_MIN_N,
) -> dict[str, Any]:
    """The figures of ``period`` as they stand at ``now``: what a notice freezes."""
    since, until = quarter(period)
    authority = session.get(Authority, evaluation.authority_id)
    assert authority is not None and authority.id is not None
    comparison = operator_comparison(session, evaluation, since=since, until=until, min_n=min_n)
    complaints = operator_complaints(
        session,
        organisations=operators(session, authority.id),
        since=datetime.combine(since, time(), tzinfo=timezone),
        until=datetime.combine(until, time(), tzinfo=timezone),
        now=now,
    )
    return {
        "format": FORMAT,
        "authority": authority.name,
        "period": period,
        "since": since.isoformat(),
        "until": until.isoformat(),
        "evaluation": evaluation.name,
        "instrument": comparison.instrument,
        "method": comparison.method,
        "min_n": min_n,
        "dimensions": list(comparison.dimension_codes),
        "computed_at": now.isoformat(),
        "operators": operator_figures(comparison),
        "complaints": [
            {
                "name": row.name,
                "received": row.received,
                "answered_in_time": row.on_time,
                "late": row.late,
                "still_running": row.pending,
                "on_time_rate": number(row.rate.share),
                "on_time_ci95": [number(row.rate.low), number(row.rate.high)],
                "by_category": dict(sorted(row.by_category.items())),
            }
            for row in complaints
        ],
    }


def freeze(
    session: Session,
    *,
    authority_id: int,
    evaluation_id: int,
    period: str,
    user_id: int | None,
    now: datetime,
    timezone: tzinfo,
    corrects: Publication | None = None,
    reason: str = "",
) -> Publication:
    """A new draft: the period's figures now, as the next version of the period. Does
    not commit."""
    evaluation = session.get(Evaluation, evaluation_id)
    if evaluation is None or evaluation.authority_id != authority_id:
        raise InvalidAnswer({"evaluation": FieldError(N_("There is no such evaluation."))})
    since, until = quarter(period)
    latest = session.exec(
        select(func.max(Publication.version)).where(
            Publication.authority_id == authority_id, Publication.period == period
        )
    ).one()
    version = (latest or 0) + 1
    figures = snapshot(session, evaluation, period=period, now=now, timezone=timezone)
    figures |= {
        "version": version,
        "corrects_version": corrects.version if corrects else None,
        "correction_reason": reason,
    }
    content = canonical(figures)
    publication = Publication(
        authority_id=authority_id,
        evaluation_id=evaluation_id,
        period=period,
        since=since,
        until=until,
        version=version,
        content=content,
        content_hash=content_hash(content),
        corrects_id=corrects.id if corrects else None,
        correction_reason=reason,
        created_by=user_id,
        created_at=now,
    )
    session.add(publication)
    session.flush()
    return publication


def publication_of(session: Session, authority_id: int, publication_id: int) -> Publication:
    """The authority's publication; NotFound for another's (no hint that it exists)."""
    publication = session.get(Publication, publication_id)
    if publication is None or publication.authority_id != authority_id:
        raise NotFound(f"publication {publication_id}")
    return publication


def advance(session: Session, publication: Publication, *, user_id: int, now: datetime) -> None:
    """The next step: a draft goes to review, a reviewed one is published. Does not
    commit. PublicationStateConflict for a published one."""
    step = STEPS.get(publication.status)
    if step is None:
        raise PublicationStateConflict(publication.status.value, "advanced")
    if step == PublicationStatus.review:
        publication.reviewed_by, publication.reviewed_at = user_id, now
    else:
        publication.published_by, publication.published_at = user_id, now
    publication.status = step
    session.add(publication)
    session.flush()


def discard(session: Session, publication: Publication) -> None:
    """Throw away a draft or a version in review. Does not commit."""
    if publication.status == PublicationStatus.published:
        raise PublicationStateConflict(publication.status.value, "discarded")
    session.delete(publication)
    session.flush()


def correct(
    session: Session,
    publication: Publication,
    *,
    reason: str,
    user_id: int,
    now: datetime,
    timezone: tzinfo,
) -> Publication:
    """A new draft of a published notice's period, computed afresh, saying why. Does not
    commit."""
    if publication.status != PublicationStatus.published:
        raise PublicationStateConflict(publication.status.value, "corrected")
    reason = reason.strip()
    if not reason or len(reason) > 1000:
        raise InvalidAnswer({"reason": FieldError(N_("Say why the notice is corrected."))})
    return freeze(
        session,
        authority_id=publication.authority_id,
        evaluation_id=publication.evaluation_id,
        period=publication.period,
        user_id=user_id,
        now=now,
        timezone=timezone,
        corrects=publication,
        reason=reason,
    )


def publications_of(session: Session, authority_id: int) -> Sequence[Publication]:
    """The authority's publications, the latest period and version first."""
    return session.exec(
        select(Publication)
        .where(Publication.authority_id == authority_id)
        .order_by(col(Publication.since).desc(), col(Publication.version).desc())
    ).all()


def published(session: Session) -> Sequence[Publication]:
    """Every published notice of every authority (the public list)."""
    return session.exec(
        select(Publication)
        .where(Publication.status == PublicationStatus.published)
        .order_by(
            col(Publication.since).desc(),
            col(Publication.authority_id),
            col(Publication.version).desc(),
        )
    ).all()


@dataclass(frozen=True)
class Change:
    """One figure that differs between a notice and the version it corrects."""

    operator: str
    figure: str
    before: Any
    after: Any


def changes(before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    """What a correction changed, figure by figure, per operator (by name)."""
    found = []
    for section in ("operators", "complaints"):
        old = {row["name"]: row for row in before.get(section, [])}
        for row in after.get(section, []):
            previous = old.get(row["name"], {})
            for key in sorted(set(row) | set(previous)):
                if key != "name" and row.get(key) != previous.get(key):
                    found.append(
                        Change(row["name"], f"{section}.{key}", previous.get(key), row.get(key))
                    )
    return found


def people(session: Session, publication: Publication) -> dict[str, str]:
    """Who made, reviewed and published the version (display names)."""
    names = {}
    for step, user_id in (
        ("created", publication.created_by),
        ("reviewed", publication.reviewed_by),
        ("published", publication.published_by),
    ):
        user = session.get(User, user_id) if user_id else None
        names[step] = user.display_name if user else ""
    return names
