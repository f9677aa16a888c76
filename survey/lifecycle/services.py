"""The services an organisation declares, and where each is measured."""

from collections.abc import Collection
from datetime import datetime

from sqlmodel import Session, col, select

from survey.errors import N_, FieldError, InvalidAnswer, NotFound
from survey.models import Campaign, CustomerSide, Organisation, Service, ServiceKind, Site


def create_service(
    session: Session,
    *,
    organisation_id: int,
    name: str,
    kind: ServiceKind,
    customer_side: CustomerSide,
    now: datetime,
    customer_name: str = "",
    site_id: int | None = None,
    campaign_id: int | None = None,
) -> Service:
    """Declare a service; the hall and the campaign that measure it must be the
    organisation's (another organisation's is a 404, as if it did not exist). Flushes."""
    errors: dict[str, FieldError] = {}
    if not name.strip():
        errors["name"] = FieldError(N_("Please name the service."))
    if site_id is not None:
        site = session.get(Site, site_id)
        if site is None or site.organisation_id != organisation_id:
            raise NotFound(f"site {site_id}")
    if campaign_id is not None:
        campaign = session.get(Campaign, campaign_id)
        if campaign is None or campaign.organisation_id != organisation_id:
            raise NotFound(f"campaign {campaign_id}")
    if errors:
        raise InvalidAnswer(errors)
    service = Service(
        organisation_id=organisation_id,
        name=name.strip(),
        kind=kind,
        customer_side=customer_side,
        customer_name=customer_name.strip(),
        site_id=site_id,
        campaign_id=campaign_id,
        created_at=now,
    )
    session.add(service)
    session.flush()
    return service


def services_of(session: Session, organisation_ids: Collection[int]) -> list[Service]:
    """The organisations' services by name."""
    return list(
        session.exec(
            select(Service)
            .where(col(Service.organisation_id).in_(organisation_ids))
            .order_by(col(Service.name), col(Service.id))
        ).all()
    )


def service_of(session: Session, service_id: int, organisation_ids: Collection[int]) -> Service:
    """The service if it is one of the organisations'; NotFound otherwise."""
    service = session.get(Service, service_id)
    if service is None or service.organisation_id not in organisation_ids:
        raise NotFound(f"service {service_id}")
    return service


def measured_by_choices(
    session: Session, organisation_ids: Collection[int]
) -> tuple[list[tuple[int, str, int]], list[tuple[int, str, int]]]:
    """The halls and the organisations' own campaigns a service can be measured by, as
    ``(id, name, organisation_id)``, for a form's choices."""
    sites = session.exec(
        select(Site.id, Site.name, Site.organisation_id)
        .where(col(Site.organisation_id).in_(organisation_ids))
        .order_by(col(Site.name))
    ).all()
    campaigns = session.exec(
        select(Campaign.id, Campaign.name, Campaign.organisation_id)
        .where(
            col(Campaign.organisation_id).in_(organisation_ids),
            col(Campaign.evaluation_id).is_(None),
        )
        .order_by(col(Campaign.id).desc())
    ).all()
    return (
        [(int(i), name, org) for i, name, org in sites if i is not None],
        [(int(i), name, org) for i, name, org in campaigns if i is not None],
    )


def organisation_names(
    session: Session, organisation_ids: Collection[int]
) -> list[tuple[int, str]]:
    """The organisations as ``(id, name)`` by name, for a form's choice."""
    rows = session.exec(
        select(Organisation.id, Organisation.name)
        .where(col(Organisation.id).in_(organisation_ids))
        .order_by(col(Organisation.name))
    ).all()
    return [(int(i), name) for i, name in rows if i is not None]
