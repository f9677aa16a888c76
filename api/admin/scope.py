"""Which organisation an admin page is about, and the checks every change shares: the
account may only read or change its own organisations' places (404 otherwise, so another
organisation's ids reveal nothing)."""

from typing import Annotated

from fastapi import Depends
from sqlmodel import Session

from api.deps import require_role
from survey.accounts import Account
from survey.errors import NotFound
from survey.models import Campaign, Counter, Role, Site, StaffMember

CurrentAdmin = Annotated[Account, Depends(require_role(Role.admin))]
"""An administrator: the only role that changes set-up."""
AdminReader = Annotated[Account, Depends(require_role(Role.admin, Role.manager))]
"""An administrator or a manager: managers see the set-up pages without their forms."""


def chosen_organisation(account: Account, value: str | None) -> int:
    """The organisation named by ``value`` if it is the account's, else its first one."""
    if value:
        if not value.isdecimal() or len(value) > 12 or int(value) not in account.organisation_ids:
            raise NotFound(f"organisation {value}")
        return int(value)
    if not account.organisation_ids:
        raise NotFound("organisation")
    return min(account.organisation_ids)


def own_site(session: Session, account: Account, site_id: int) -> Site:
    site = session.get(Site, site_id)
    if site is None or site.organisation_id not in account.organisation_ids:
        raise NotFound(f"site {site_id}")
    return site


def own_counter(session: Session, account: Account, counter_id: int) -> Counter:
    counter = session.get(Counter, counter_id)
    if counter is None:
        raise NotFound(f"counter {counter_id}")
    own_site(session, account, counter.site_id)
    return counter


def own_staff(session: Session, account: Account, staff_id: int) -> StaffMember:
    staff = session.get(StaffMember, staff_id)
    if staff is None or staff.organisation_id not in account.organisation_ids:
        raise NotFound(f"staff {staff_id}")
    return staff


def own_campaign(session: Session, account: Account, campaign_id: int) -> Campaign:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None or campaign.organisation_id not in account.organisation_ids:
        raise NotFound(f"campaign {campaign_id}")
    return campaign
