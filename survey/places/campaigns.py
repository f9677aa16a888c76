"""Campaigns: an instrument asked at an organisation's counters over dates, and its life.

A campaign set up by hand starts as a ``draft``; ``start`` opens it to answers, ``pause``
stops it for a while, ``end`` closes it for good. Links of a campaign that is not running
take no answers (:class:`CampaignNotRunning`); an ended campaign's links are expired.
"""

from collections.abc import Sequence
from datetime import date

from sqlmodel import Session, col, select

from survey.errors import N_, CampaignStateConflict, FieldError, InvalidAnswer
from survey.models import Campaign, CampaignMode, CampaignSite, CampaignStatus, Instrument, Site

ALLOWED_MOVES: dict[CampaignStatus, frozenset[CampaignStatus]] = {
    CampaignStatus.draft: frozenset({CampaignStatus.running, CampaignStatus.ended}),
    CampaignStatus.running: frozenset({CampaignStatus.paused, CampaignStatus.ended}),
    CampaignStatus.paused: frozenset({CampaignStatus.running, CampaignStatus.ended}),
    CampaignStatus.ended: frozenset(),
}
"""From each status, the statuses a campaign may move to; ``ended`` is final."""


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
    status: CampaignStatus = CampaignStatus.running,
    site_ids: Sequence[int] = (),
    evaluation_id: int | None = None,
) -> Campaign:
    """Add a campaign: an instrument run in one mode over a date range, in the halls
    ``site_ids`` names (none: all of the organisation's halls); ``evaluation_id`` makes it
    the organisation's share of a regulator's evaluation. Does not commit."""
    errors: dict[str, FieldError | str] = {}
    name = name.strip()
    if not name or len(name) > 200:
        errors["name"] = FieldError(N_("Write 1 to %(limit)s characters."), {"limit": 200})
    if ends_on < starts_on:
        errors["ends_on"] = FieldError(N_("The campaign ends before it starts."))
    if items_per_dimension is not None and items_per_dimension < 1:
        errors["items_per_dimension"] = FieldError(N_("Ask at least one item per dimension."))
    instrument = session.get(Instrument, instrument_id)
    if instrument is None or instrument.organisation_id not in (None, organisation_id):
        errors["instrument"] = FieldError(N_("There is no such questionnaire."))
    sites = sorted(set(site_ids))
    if sites:
        found = session.exec(
            select(Site.id).where(col(Site.id).in_(sites), Site.organisation_id == organisation_id)
        ).all()
        if len(found) != len(sites):
            errors["sites"] = FieldError(N_("Choose halls of the campaign's organisation."))
    if errors:
        raise InvalidAnswer(errors)
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
        status=status,
        evaluation_id=evaluation_id,
    )
    session.add(campaign)
    session.flush()
    assert campaign.id is not None
    session.add_all(CampaignSite(campaign_id=campaign.id, site_id=site) for site in sites)
    session.flush()
    return campaign


def campaign_site_ids(session: Session, campaign_id: int) -> list[int]:
    """The halls the campaign is run in; empty when it is run in all of them."""
    return list(
        session.exec(
            select(CampaignSite.site_id)
            .where(CampaignSite.campaign_id == campaign_id)
            .order_by(col(CampaignSite.site_id))
        ).all()
    )


def get_campaign(session: Session, campaign_id: int) -> Campaign:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise InvalidAnswer({"campaign": FieldError(N_("There is no such campaign."))})
    return campaign


def move_campaign(session: Session, *, campaign_id: int, to: CampaignStatus) -> Campaign:
    """Start, pause, resume or end a campaign, as :data:`ALLOWED_MOVES` allows;
    :class:`CampaignStateConflict` for any other move (resuming an ended one). Does not
    commit."""
    campaign = get_campaign(session, campaign_id)
    if to not in ALLOWED_MOVES[campaign.status]:
        raise CampaignStateConflict(campaign.status, to)
    campaign.status = to
    session.add(campaign)
    session.flush()
    return campaign


def campaigns_of(session: Session, organisation_id: int) -> list[Campaign]:
    return list(
        session.exec(
            select(Campaign)
            .where(Campaign.organisation_id == organisation_id)
            .order_by(col(Campaign.id))
        ).all()
    )
