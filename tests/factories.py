"""Small typed builders for tests: places, campaigns and links with sensible defaults."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlmodel import Session

from survey.cases.worktime import SHANGHAI
from survey.models import Campaign, CampaignMode, Counter, Organisation, QrLink, Site, StaffMember
from survey.places.links import create_link
from survey.places.organisations import (
    create_campaign,
    create_counter,
    create_organisation,
    create_site,
    create_staff_member,
)
from survey.questionnaires.instruments import ensure_default_instrument


def at(day: str | date, clock: str = "09:00") -> datetime:
    """A moment in Shanghai local time: ``at("2026-10-09", "16:00")``."""
    hour, minute = (int(part) for part in clock.split(":"))
    when = day if isinstance(day, date) else date.fromisoformat(day)
    return datetime.combine(when, time(hour, minute), tzinfo=SHANGHAI)


def local_day(moment: datetime) -> date:
    """The Shanghai calendar day of ``moment`` (the app's default time zone)."""
    return moment.astimezone(SHANGHAI).date()


def long_date(day: date) -> str:
    """``November 23, 2026``: how the English pages write a date (Babel's long format)."""
    return f"{day:%B} {day.day}, {day.year}"


class FixedClock:
    """A clock that stands still until a test moves it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Place:
    """An organisation with one site, counter, clerk on duty, campaign and link."""

    organisation: Organisation
    site: Site
    counter: Counter
    staff: StaffMember
    campaign: Campaign
    link: QrLink


def make_place(
    session: Session,
    *,
    now: datetime,
    slug: str = "org-a",
    mode: CampaignMode = CampaignMode.paired,
    items_per_dimension: int | None = None,
    rotating: bool = False,
    ask_importance: bool = True,
) -> Place:
    """Build and commit a complete place answering the default instrument."""
    instrument = ensure_default_instrument(session, now=now)
    organisation = create_organisation(session, name=f"Org {slug}", slug=slug)
    assert organisation.id is not None and instrument.id is not None
    site = create_site(
        session, organisation_id=organisation.id, name=f"Hall {slug}", region_code="440103"
    )
    assert site.id is not None
    counter = create_counter(session, site_id=site.id, code="A1", name="Window A1")
    assert counter.id is not None
    staff = create_staff_member(
        session,
        site_id=site.id,
        job_number=f"{slug}-001",
        display_name="李娜",
        counter_id=counter.id,
    )
    campaign = create_campaign(
        session,
        organisation_id=organisation.id,
        instrument_id=instrument.id,
        name="Campaign",
        starts_on=now.date() - timedelta(days=30),
        ends_on=date(now.year + 1, 12, 31),
        mode=mode,
        items_per_dimension=items_per_dimension,
        ask_importance=ask_importance,
    )
    assert campaign.id is not None
    link = create_link(
        session, campaign_id=campaign.id, counter_id=counter.id, rotating=rotating, now=now
    )
    session.commit()
    return Place(organisation, site, counter, staff, campaign, link)
