"""Checking that a chosen place is the organisation's: the hall, its counter, a clerk.

Forms that name a place (an inspection, a supervisor's feedback) send ids; an id of
another organisation's place is answered as not found (404), the same as an id that does
not exist, so that nobody learns what other organisations have. A counter of another hall
of the same organisation is a mistake on the form (422), not a secret.
"""

from sqlmodel import Session

from survey.errors import N_, FieldError, PlaceNotFound
from survey.models import Counter, Site, StaffMember


def place_errors(
    session: Session,
    *,
    organisation_id: int,
    site_id: int | None,
    counter_id: int | None,
    staff_member_id: int | None,
) -> dict[str, FieldError]:
    """The form errors of a chosen place (``site`` missing, ``counter`` not in the chosen
    hall); PlaceNotFound for a site, counter or clerk that is not the organisation's."""
    errors: dict[str, FieldError] = {}
    if site_id is None:
        errors["site"] = FieldError(N_("Please choose the hall."))
    else:
        site = session.get(Site, site_id)
        if site is None or site.organisation_id != organisation_id:
            raise PlaceNotFound("site", site_id)
    if counter_id is not None:
        counter = session.get(Counter, counter_id)
        counter_site = session.get(Site, counter.site_id) if counter else None
        if counter_site is None or counter_site.organisation_id != organisation_id:
            raise PlaceNotFound("counter", counter_id)
        if site_id is not None and counter_site.id != site_id:
            errors["counter"] = FieldError(N_("This counter is not in the chosen hall."))
    if staff_member_id is not None:
        staff = session.get(StaffMember, staff_member_id)
        if staff is None or staff.organisation_id != organisation_id:
            raise PlaceNotFound("staff", staff_member_id)
    return errors
