"""What the provider records against its agreements: outages, and figures it measures
itself (count-, frequency- and clause-based metrics) with their evidence."""

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from survey.errors import N_, FieldError, InvalidAnswer
from survey.models import Service, ServiceOutage

LONGEST_OUTAGE = timedelta(days=366)


def record_outage(
    session: Session,
    service: Service,
    *,
    starts_at: datetime,
    ends_at: datetime,
    note: str,
    recorded_by: int | None,
    now: datetime,
) -> ServiceOutage:
    """Record a time the service was down. An outage has ended (an ongoing one is recorded
    when it ends), ends after it starts and lasts at most a year. Flushes."""
    errors: dict[str, FieldError] = {}
    if ends_at <= starts_at:
        errors["ends"] = FieldError(N_("The outage must end after it starts."))
    elif ends_at - starts_at > LONGEST_OUTAGE:
        errors["ends"] = FieldError(N_("An outage is recorded for at most a year at a time."))
    if ends_at > now:
        errors["ends"] = FieldError(N_("Record the outage once it has ended."))
    if errors:
        raise InvalidAnswer(errors)
    assert service.id is not None
    outage = ServiceOutage(
        service_id=service.id,
        starts_at=starts_at,
        ends_at=ends_at,
        note=note.strip()[:400],
        recorded_by=recorded_by,
        recorded_at=now,
    )
    session.add(outage)
    session.flush()
    return outage


def outages_of(session: Session, service_id: int, *, limit: int = 20) -> list[ServiceOutage]:
    """The service's latest outages, newest first."""
    return list(
        session.exec(
            select(ServiceOutage)
            .where(ServiceOutage.service_id == service_id)
            .order_by(col(ServiceOutage.starts_at).desc())
            .limit(limit)
        ).all()
    )
