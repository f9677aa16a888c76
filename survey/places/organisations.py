"""Organisations and their places: sites, counters, staff members; and campaigns."""

from datetime import date

from sqlmodel import Session, col, select

from survey.errors import InvalidAnswer, NotFound
from survey.models import Campaign, CampaignMode, Counter, Organisation, Site, StaffMember


def create_organisation(
    session: Session, *, name: str, slug: str, hotline: str = ""
) -> Organisation:
    """Add an organisation. Does not commit."""
    organisation = Organisation(name=name, slug=slug, hotline=hotline)
    session.add(organisation)
    session.flush()
    return organisation


def create_site(
    session: Session, *, organisation_id: int, name: str, region_code: str, address: str = ""
) -> Site:
    """Add a site (business hall, branch) to an organisation. Does not commit."""
    site = Site(
        organisation_id=organisation_id, name=name, region_code=region_code, address=address
    )
    session.add(site)
    session.flush()
    return site


def create_counter(session: Session, *, site_id: int, code: str, name: str) -> Counter:
    """Add a counter (service window or touchpoint) to a site. Does not commit."""
    counter = Counter(site_id=site_id, code=code, name=name)
    session.add(counter)
    session.flush()
    return counter


def create_staff_member(
    session: Session,
    *,
    site_id: int,
    job_number: str,
    display_name: str,
    counter_id: int | None = None,
) -> StaffMember:
    """Add a clerk to a site, optionally on duty at a counter. Does not commit."""
    site = session.get(Site, site_id)
    if site is None:
        raise NotFound(f"site {site_id}")
    staff = StaffMember(
        organisation_id=site.organisation_id,
        site_id=site_id,
        job_number=job_number,
        display_name=display_name,
        counter_id=counter_id,
    )
    session.add(staff)
    session.flush()
    return staff


def create_campaign(
    session: Session,
    *,
    organisation_id: int,
    instrument_id: int,
    name: str,
    starts_on: date,
    ends_on: date,
    mode: CampaignMode = CampaignMode.paired,
    items_per_dimension: int | None = None,
    per_staff: bool = False,
    ask_importance: bool = True,
) -> Campaign:
    """Add a campaign: an instrument run in one mode over a date range. Does not commit."""
    if ends_on < starts_on:
        raise InvalidAnswer({"ends_on": "The campaign ends before it starts."})
    if items_per_dimension is not None and items_per_dimension < 1:
        raise InvalidAnswer({"items_per_dimension": "Ask at least one item per dimension."})
    campaign = Campaign(
        organisation_id=organisation_id,
        instrument_id=instrument_id,
        name=name,
        mode=mode,
        items_per_dimension=items_per_dimension,
        starts_on=starts_on,
        ends_on=ends_on,
        per_staff=per_staff,
        ask_importance=ask_importance,
    )
    session.add(campaign)
    session.flush()
    return campaign


def staff_on_duty(session: Session, *, counter_id: int) -> StaffMember | None:
    """The staff member whose current counter this is, if any."""
    return session.exec(
        select(StaffMember)
        .where(StaffMember.counter_id == counter_id)
        .order_by(col(StaffMember.id))
    ).first()
