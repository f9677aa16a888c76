"""How many responses each site and counter has collected, for the manager's home page."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from survey.models import Counter, Organisation, Site, SurveyResponse


@dataclass(frozen=True)
class CounterCount:
    counter_id: int
    code: str
    name: str
    n_responses: int
    last_response_at: datetime | None


@dataclass(frozen=True)
class SiteCount:
    site_id: int
    organisation_name: str
    name: str
    region_code: str
    n_responses: int
    counters: tuple[CounterCount, ...]


def response_counts(session: Session, *, organisation_ids: Iterable[int]) -> list[SiteCount]:
    """Responses per counter, grouped by site, for the given organisations only.

    Counters without responses are listed with zero, so a silent counter stands out.
    """
    org_ids = list(organisation_ids)
    if not org_ids:
        return []
    per_counter = (
        select(
            SurveyResponse.counter_id,
            func.count().label("n"),
            func.max(SurveyResponse.submitted_at).label("last"),
        )
        .where(col(SurveyResponse.organisation_id).in_(org_ids))
        .group_by(col(SurveyResponse.counter_id))
        .subquery()
    )
    rows = session.execute(
        sa_select(col(Organisation.name), Site, Counter, per_counter.c.n, per_counter.c.last)
        .join(Site, col(Site.organisation_id) == Organisation.id)
        .join(Counter, col(Counter.site_id) == Site.id)
        .outerjoin(per_counter, per_counter.c.counter_id == Counter.id)
        .where(col(Organisation.id).in_(org_ids))
        .order_by(col(Organisation.name), col(Site.name), col(Counter.code))
    ).all()
    sites: dict[int, tuple[str, Site, list[CounterCount]]] = {}
    for org_name, site, counter, n, last in rows:
        assert site.id is not None and counter.id is not None
        entry = sites.setdefault(site.id, (org_name, site, []))
        entry[2].append(
            CounterCount(
                counter_id=counter.id,
                code=counter.code,
                name=counter.name,
                n_responses=int(n or 0),
                last_response_at=_as_utc(last),
            )
        )
    return [
        SiteCount(
            site_id=site_id,
            organisation_name=org_name,
            name=site.name,
            region_code=site.region_code,
            n_responses=sum(c.n_responses for c in counters),
            counters=tuple(counters),
        )
        for site_id, (org_name, site, counters) in sites.items()
    ]


def _as_utc(value: object) -> datetime | None:
    """Aggregates bypass the column type, so SQLite hands back text or naive values."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def organisation_names(session: Session, *, organisation_ids: Iterable[int]) -> list[str]:
    """Names of the given organisations, sorted."""
    ids = list(organisation_ids)
    if not ids:
        return []
    return list(
        session.exec(
            select(Organisation.name)
            .where(col(Organisation.id).in_(ids))
            .order_by(col(Organisation.name))
        ).all()
    )
