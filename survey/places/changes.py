"""What an administrator changes in an organisation's places and campaigns, each change one
use case that commits once (or rolls back and raises, leaving nothing half done).

The builders in ``organisations.py`` and ``campaigns.py`` check and stage a change without
committing, so ``manyi init``, the demo seed and the CLI can compose several in one
transaction; the admin pages call these instead, one change per form.
"""

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import TypeVar

from sqlmodel import Session

from survey.db import begin_write
from survey.models import (
    Campaign,
    CampaignMode,
    CampaignStatus,
    Counter,
    QrLink,
    Region,
    Site,
    StaffMember,
)
from survey.places import campaigns, links, organisations

T = TypeVar("T")


def _committed(session: Session, change: Callable[[], T]) -> T:
    begin_write(session)
    try:
        result = change()
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return result


def add_region(session: Session, *, organisation_id: int, code: str, name: str) -> Region:
    return _committed(
        session,
        lambda: organisations.create_region(
            session, organisation_id=organisation_id, code=code, name=name
        ),
    )


def add_site(
    session: Session,
    *,
    organisation_id: int,
    code: str,
    name: str,
    region_code: str,
    address: str,
    opening_hours: str,
) -> Site:
    return _committed(
        session,
        lambda: organisations.create_site(
            session,
            organisation_id=organisation_id,
            code=code,
            name=name,
            region_code=region_code,
            address=address,
            opening_hours=opening_hours,
        ),
    )


def change_site(
    session: Session,
    *,
    site_id: int,
    code: str,
    name: str,
    region_code: str,
    address: str,
    opening_hours: str,
) -> Site:
    return _committed(
        session,
        lambda: organisations.update_site(
            session,
            site_id=site_id,
            code=code,
            name=name,
            region_code=region_code,
            address=address,
            opening_hours=opening_hours,
        ),
    )


def add_counter(
    session: Session, *, site_id: int, code: str, name: str, service_type: str
) -> Counter:
    return _committed(
        session,
        lambda: organisations.create_counter(
            session, site_id=site_id, code=code, name=name, service_type=service_type
        ),
    )


def change_counter(
    session: Session, *, counter_id: int, code: str, name: str, service_type: str
) -> Counter:
    return _committed(
        session,
        lambda: organisations.update_counter(
            session, counter_id=counter_id, code=code, name=name, service_type=service_type
        ),
    )


def add_staff_member(
    session: Session, *, site_id: int, job_number: str, display_name: str, counter_id: int | None
) -> StaffMember:
    return _committed(
        session,
        lambda: organisations.create_staff_member(
            session,
            site_id=site_id,
            job_number=job_number,
            display_name=display_name,
            counter_id=counter_id,
        ),
    )


def change_staff_member(
    session: Session, *, staff_id: int, display_name: str, counter_id: int | None
) -> StaffMember:
    return _committed(
        session,
        lambda: organisations.update_staff_member(
            session, staff_id=staff_id, display_name=display_name, counter_id=counter_id
        ),
    )


def staff_member_leaves(session: Session, *, staff_id: int, on: date, now: datetime) -> StaffMember:
    return _committed(
        session,
        lambda: organisations.staff_member_leaves(session, staff_id=staff_id, on=on, now=now),
    )


def add_campaign(
    session: Session,
    *,
    organisation_id: int,
    instrument_id: int,
    name: str,
    starts_on: date,
    ends_on: date,
    mode: CampaignMode,
    items_per_dimension: int | None,
    per_staff: bool,
    ask_importance: bool,
    site_ids: Sequence[int] = (),
) -> Campaign:
    """A new campaign, as a draft: it takes answers once started."""
    return _committed(
        session,
        lambda: campaigns.create_campaign(
            session,
            organisation_id=organisation_id,
            instrument_id=instrument_id,
            name=name,
            starts_on=starts_on,
            ends_on=ends_on,
            mode=mode,
            items_per_dimension=items_per_dimension,
            per_staff=per_staff,
            ask_importance=ask_importance,
            status=CampaignStatus.draft,
            site_ids=site_ids,
        ),
    )


def move_campaign(session: Session, *, campaign_id: int, to: CampaignStatus) -> Campaign:
    return _committed(
        session, lambda: campaigns.move_campaign(session, campaign_id=campaign_id, to=to)
    )


def add_campaign_links(
    session: Session, *, campaign_id: int, rotating: bool, now: datetime
) -> list[QrLink]:
    """The campaign's missing links (per counter, or per counter and clerk)."""
    return _committed(
        session,
        lambda: links.ensure_campaign_links(
            session, campaign_id=campaign_id, rotating=rotating, now=now
        ),
    )


def revoke_link(session: Session, *, token: str, now: datetime) -> None:
    _committed(session, lambda: links.revoke_link(session, token=token, now=now))
