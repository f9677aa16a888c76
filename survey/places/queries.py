"""What the set-up pages read: an organisation's regions and sites with their sizes, one
site's counters and clerks, and its campaigns with their links and latest answers."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from survey.models import (
    Campaign,
    CampaignSite,
    Counter,
    Organisation,
    QrLink,
    Region,
    Site,
    StaffMember,
    SurveyResponse,
)
from survey.places.organisations import counters_of, regions_of, sites_of


@dataclass(frozen=True)
class SiteRow:
    site: Site
    region_name: str
    counters: int
    clerks: int


@dataclass(frozen=True)
class OrganisationPlaces:
    organisation: Organisation
    regions: Sequence[Region]
    sites: list[SiteRow]


def organisation_places(session: Session, organisation_id: int) -> OrganisationPlaces:
    """The organisation's regions, and its sites with how many counters and present
    clerks each has."""
    organisation = session.get(Organisation, organisation_id)
    assert organisation is not None
    regions = regions_of(session, organisation_id)
    region_names = {region.code: region.name for region in regions}
    counters = dict(
        session.exec(
            select(Counter.site_id, func.count())
            .join(Site, col(Site.id) == Counter.site_id)
            .where(Site.organisation_id == organisation_id)
            .group_by(col(Counter.site_id))
        ).all()
    )
    clerks = dict(
        session.exec(
            select(StaffMember.site_id, func.count())
            .where(
                StaffMember.organisation_id == organisation_id,
                col(StaffMember.left_on).is_(None),
            )
            .group_by(col(StaffMember.site_id))
        ).all()
    )
    rows = [
        SiteRow(
            site=site,
            region_name=region_names.get(site.region_code, site.region_code),
            counters=counters.get(site.id or 0, 0),
            clerks=clerks.get(site.id or 0, 0),
        )
        for site in sites_of(session, organisation_id)
    ]
    return OrganisationPlaces(organisation=organisation, regions=regions, sites=rows)


@dataclass(frozen=True)
class LinkRow:
    link: QrLink
    campaign: str
    counter: str
    staff: str | None
    answers: int
    last_answer_at: datetime | None


@dataclass(frozen=True)
class SitePlaces:
    site: Site
    regions: Sequence[Region]
    counters: Sequence[Counter]
    clerks: Sequence[StaffMember]
    links: list[LinkRow]


def site_places(session: Session, site_id: int) -> SitePlaces:
    """One site: its counters, its clerks (present first, then those who left), and the
    links of its counters with how many answers each brought and when the last came (a
    poster that stops bringing answers has probably fallen off the wall)."""
    site = session.get(Site, site_id)
    assert site is not None
    counters = counters_of(session, site_id)
    clerks = session.exec(
        select(StaffMember)
        .where(StaffMember.site_id == site_id)
        .order_by(col(StaffMember.left_on).is_not(None), col(StaffMember.job_number))
    ).all()
    answers = (
        select(
            SurveyResponse.link_id,
            func.count().label("n"),
            func.max(SurveyResponse.submitted_at).label("last"),
        )
        .group_by(col(SurveyResponse.link_id))
        .subquery()
    )
    found = session.execute(
        sa_select(
            QrLink,
            col(Campaign.name),
            col(Counter.name),
            col(StaffMember.display_name),
            answers.c.n,
            answers.c.last,
        )
        .join(Counter, col(Counter.id) == QrLink.counter_id)
        .join(Campaign, col(Campaign.id) == QrLink.campaign_id)
        .outerjoin(StaffMember, col(StaffMember.id) == QrLink.staff_member_id)
        .outerjoin(answers, answers.c.link_id == QrLink.id)
        .where(col(Counter.site_id) == site_id)
        .order_by(col(Campaign.id).desc(), col(Counter.code), col(QrLink.id))
    ).all()
    links = [
        LinkRow(
            link=link,
            campaign=campaign,
            counter=counter,
            staff=staff,
            answers=int(n or 0),
            last_answer_at=last,
        )
        for link, campaign, counter, staff, n, last in found
    ]
    return SitePlaces(
        site=site,
        regions=regions_of(session, site.organisation_id),
        counters=counters,
        clerks=clerks,
        links=links,
    )


@dataclass(frozen=True)
class CampaignRow:
    campaign: Campaign
    links: int
    answers: int
    halls: list[str]
    """The names of the halls it is run in; empty when it is run in all of them."""


def organisation_campaigns(session: Session, organisation_id: int) -> list[CampaignRow]:
    """The organisation's campaigns, newest first, with their live links and answers."""
    links = dict(
        session.exec(
            select(QrLink.campaign_id, func.count())
            .where(col(QrLink.revoked_at).is_(None))
            .group_by(col(QrLink.campaign_id))
        ).all()
    )
    answers = dict(
        session.exec(
            select(SurveyResponse.campaign_id, func.count())
            .join(Campaign, col(Campaign.id) == SurveyResponse.campaign_id)
            .where(Campaign.organisation_id == organisation_id)
            .group_by(col(SurveyResponse.campaign_id))
        ).all()
    )
    campaigns = session.exec(
        select(Campaign)
        .where(Campaign.organisation_id == organisation_id)
        .order_by(col(Campaign.id).desc())
    ).all()
    halls: dict[int, list[str]] = {}
    for campaign_id, name in session.exec(
        select(CampaignSite.campaign_id, Site.name)
        .join(Site, col(Site.id) == CampaignSite.site_id)
        .where(Site.organisation_id == organisation_id)
        .order_by(col(Site.code))
    ).all():
        halls.setdefault(campaign_id, []).append(name)
    return [
        CampaignRow(
            campaign=c,
            links=links.get(c.id or 0, 0),
            answers=answers.get(c.id or 0, 0),
            halls=halls.get(c.id or 0, []),
        )
        for c in campaigns
    ]
