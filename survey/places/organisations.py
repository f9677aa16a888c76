"""Organisations and their places: regions, sites (halls), counters and clerks.

Each ``create_*`` checks what it is given and raises :class:`InvalidAnswer` naming the
field at fault (``name``, ``code``, ``region``, ...), so a command line or a form can say
which one. They do not commit: ``manyi init``, a CLI command, the demo seed or an admin
page composes them into one transaction.
"""

import re
from collections.abc import Sequence
from datetime import date, datetime

from sqlmodel import Session, col, select

from survey.errors import N_, FieldError, InvalidAnswer, NotFound
from survey.models import Counter, Organisation, Region, Site, StaffMember
from survey.places.hours import parse_daily_hours
from survey.places.links import withdraw_clerk_links

SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,79}")
CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def checked_text(
    errors: dict[str, FieldError | str], field: str, value: str, limit: int, *, required: bool
) -> str:
    """``value`` stripped, or an error on ``field`` when it is empty (and required) or
    longer than ``limit`` characters."""
    value = value.strip()
    if (required and not value) or len(value) > limit:
        errors[field] = FieldError(
            N_("Write 1 to %(limit)s characters.")
            if required
            else N_("Write at most %(limit)s characters."),
            {"limit": limit},
        )
    return value


def checked_code(errors: dict[str, FieldError | str], field: str, value: str, limit: int) -> str:
    """A code people type and files carry: letters, digits, ``_ . -``, at most ``limit``."""
    value = value.strip()
    if not CODE.fullmatch(value) or len(value) > limit:
        errors[field] = FieldError(
            N_("A code is 1 to %(limit)s letters, digits, '_', '.' or '-'."), {"limit": limit}
        )
    return value


def create_organisation(
    session: Session, *, name: str, slug: str, hotline: str = ""
) -> Organisation:
    """Add an organisation. ``slug`` is its short name in addresses and files (lower-case
    letters, digits and '-', unique). Does not commit."""
    errors: dict[str, FieldError | str] = {}
    name = checked_text(errors, "name", name, 200, required=True)
    slug = slug.strip()
    if not SLUG.fullmatch(slug):
        errors["slug"] = FieldError(
            N_("A short name is 1 to 80 lower-case letters, digits or '-'.")
        )
    elif session.exec(select(Organisation.id).where(Organisation.slug == slug)).first():
        errors["slug"] = FieldError(N_("This short name is taken."))
    hotline = checked_text(errors, "hotline", hotline, 40, required=False)
    if errors:
        raise InvalidAnswer(errors)
    organisation = Organisation(name=name, slug=slug, hotline=hotline)
    session.add(organisation)
    session.flush()
    return organisation


def get_organisation(session: Session, organisation_id: int) -> Organisation:
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise InvalidAnswer({"organisation": FieldError(N_("There is no such organisation."))})
    return organisation


def create_region(session: Session, *, organisation_id: int, code: str, name: str) -> Region:
    """Add a region (a city, a district) that sites are grouped by. Does not commit."""
    get_organisation(session, organisation_id)
    errors: dict[str, FieldError | str] = {}
    code = checked_code(errors, "code", code, 12)
    name = checked_text(errors, "name", name, 200, required=True)
    if "code" not in errors and _region(session, organisation_id, code) is not None:
        errors["code"] = FieldError(N_("This organisation already has a region with this code."))
    if errors:
        raise InvalidAnswer(errors)
    region = Region(organisation_id=organisation_id, code=code, name=name)
    session.add(region)
    session.flush()
    return region


def _region(session: Session, organisation_id: int, code: str) -> Region | None:
    return session.exec(
        select(Region).where(Region.organisation_id == organisation_id, Region.code == code)
    ).first()


def create_site(
    session: Session,
    *,
    organisation_id: int,
    code: str,
    name: str,
    region_code: str,
    address: str = "",
    opening_hours: str = "",
) -> Site:
    """Add a site (business hall, branch) in one of the organisation's regions. ``code`` is
    the organisation's own code for it (unique within the organisation); ``opening_hours``
    are written ``09:00-12:00,13:00-17:00`` or left empty. Does not commit."""
    get_organisation(session, organisation_id)
    site = Site(organisation_id=organisation_id, code="", name="", region_code="")
    _fill_site(session, site, code, name, region_code, address, opening_hours)
    session.add(site)
    session.flush()
    return site


def update_site(
    session: Session,
    *,
    site_id: int,
    code: str,
    name: str,
    region_code: str,
    address: str = "",
    opening_hours: str = "",
) -> Site:
    """Change a site, checked as :func:`create_site` checks a new one; its counters, clerks
    and answers stay with it. Does not commit."""
    site = get_site(session, site_id)
    _fill_site(session, site, code, name, region_code, address, opening_hours)
    session.add(site)
    session.flush()
    return site


def _fill_site(
    session: Session,
    site: Site,
    code: str,
    name: str,
    region_code: str,
    address: str,
    opening_hours: str,
) -> None:
    errors: dict[str, FieldError | str] = {}
    code = checked_code(errors, "code", code, 40)
    name = checked_text(errors, "name", name, 200, required=True)
    address = checked_text(errors, "address", address, 300, required=False)
    region_code = region_code.strip()
    if _region(session, site.organisation_id, region_code) is None:
        errors["region"] = FieldError(
            N_("The organisation has no region with the code %(code)s."), {"code": region_code}
        )
    opening_hours = checked_opening_hours(errors, opening_hours)
    if "code" not in errors:
        same_code = site_by_code(session, site.organisation_id, code)
        if same_code is not None and same_code.id != site.id:
            errors["code"] = FieldError(N_("This organisation already has a site with this code."))
    if errors:
        raise InvalidAnswer(errors)
    site.code, site.name, site.region_code = code, name, region_code
    site.address, site.opening_hours = address, opening_hours


def checked_opening_hours(errors: dict[str, FieldError | str], text: str) -> str:
    text = text.strip()
    if text:
        try:
            parse_daily_hours(text)
        except ValueError:
            errors["opening_hours"] = FieldError(
                N_("Write opening hours like 09:00-12:00,13:00-17:00: in order, not overlapping.")
            )
    return text


def site_by_code(session: Session, organisation_id: int, code: str) -> Site | None:
    return session.exec(
        select(Site).where(Site.organisation_id == organisation_id, Site.code == code)
    ).first()


def get_site(session: Session, site_id: int) -> Site:
    site = session.get(Site, site_id)
    if site is None:
        raise InvalidAnswer({"site": FieldError(N_("There is no such site."))})
    return site


def create_counter(
    session: Session, *, site_id: int, code: str, name: str, service_type: str = ""
) -> Counter:
    """Add a counter (service window or touchpoint) to a site; its code is unique within
    the site. Does not commit."""
    get_site(session, site_id)
    counter = Counter(site_id=site_id, code="", name="")
    _fill_counter(session, counter, code, name, service_type)
    session.add(counter)
    session.flush()
    return counter


def update_counter(
    session: Session, *, counter_id: int, code: str, name: str, service_type: str = ""
) -> Counter:
    """Change a counter's code, name or service type; its links and answers stay with it.
    Does not commit."""
    counter = session.get(Counter, counter_id)
    if counter is None:
        raise InvalidAnswer({"counter": FieldError(N_("There is no such counter."))})
    _fill_counter(session, counter, code, name, service_type)
    session.add(counter)
    session.flush()
    return counter


def _fill_counter(
    session: Session, counter: Counter, code: str, name: str, service_type: str
) -> None:
    errors: dict[str, FieldError | str] = {}
    code = checked_code(errors, "code", code, 20)
    name = checked_text(errors, "name", name, 200, required=True)
    service_type = checked_text(errors, "service_type", service_type, 100, required=False)
    if "code" not in errors:
        same_code = counter_by_code(session, counter.site_id, code)
        if same_code is not None and same_code.id != counter.id:
            errors["code"] = FieldError(N_("This site already has a counter with this code."))
    if errors:
        raise InvalidAnswer(errors)
    counter.code, counter.name, counter.service_type = code, name, service_type


def counter_by_code(session: Session, site_id: int, code: str) -> Counter | None:
    return session.exec(
        select(Counter).where(Counter.site_id == site_id, Counter.code == code)
    ).first()


def create_staff_member(
    session: Session,
    *,
    site_id: int,
    job_number: str,
    display_name: str,
    counter_id: int | None = None,
) -> StaffMember:
    """Add a clerk to a site, optionally at the counter they usually staff. The job number
    is unique within the organisation (halls show it on the counter). Does not commit."""
    site = session.get(Site, site_id)
    if site is None:
        raise NotFound(f"site {site_id}")
    errors: dict[str, FieldError | str] = {}
    job_number = checked_code(errors, "job_number", job_number, 20)
    display_name = checked_text(errors, "name", display_name, 100, required=True)
    if counter_id is not None:
        counter = session.get(Counter, counter_id)
        if counter is None or counter.site_id != site_id:
            errors["counter"] = FieldError(N_("The counter must be one of the clerk's site."))
    if "job_number" not in errors and (
        staff_by_job_number(session, site.organisation_id, job_number) is not None
    ):
        errors["job_number"] = FieldError(
            N_("This organisation already has a clerk with this job number.")
        )
    if errors:
        raise InvalidAnswer(errors)
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


def update_staff_member(
    session: Session, *, staff_id: int, display_name: str, counter_id: int | None
) -> StaffMember:
    """Change a clerk's shown name or usual counter (one of their site's); the job number
    stays, as answers and rankings are filed under it. Does not commit."""
    staff = session.get(StaffMember, staff_id)
    if staff is None:
        raise InvalidAnswer({"staff": FieldError(N_("There is no such clerk."))})
    errors: dict[str, FieldError | str] = {}
    display_name = checked_text(errors, "name", display_name, 100, required=True)
    if counter_id is not None:
        counter = session.get(Counter, counter_id)
        if counter is None or counter.site_id != staff.site_id:
            errors["counter"] = FieldError(N_("The counter must be one of the clerk's site."))
    if errors:
        raise InvalidAnswer(errors)
    staff.display_name, staff.counter_id = display_name, counter_id
    session.add(staff)
    session.flush()
    return staff


def staff_by_job_number(
    session: Session, organisation_id: int, job_number: str
) -> StaffMember | None:
    return session.exec(
        select(StaffMember).where(
            StaffMember.organisation_id == organisation_id, StaffMember.job_number == job_number
        )
    ).first()


def staff_member_leaves(session: Session, *, staff_id: int, on: date, now: datetime) -> StaffMember:
    """Mark a clerk as gone from ``on``: no longer on duty anywhere, their own links (a
    per-clerk poster) withdrawn at ``now`` so no new answer is filed under them, and kept
    with every answer about them (rankings and history still show them). Does not commit."""
    staff = session.get(StaffMember, staff_id)
    if staff is None:
        raise InvalidAnswer({"staff": FieldError(N_("There is no such clerk."))})
    staff.left_on = on
    staff.counter_id = None
    session.add(staff)
    withdraw_clerk_links(session, staff_id=staff_id, now=now)
    session.flush()
    return staff


def organisations(session: Session) -> Sequence[Organisation]:
    return session.exec(select(Organisation).order_by(col(Organisation.id))).all()


def regions_of(session: Session, organisation_id: int) -> Sequence[Region]:
    return session.exec(
        select(Region).where(Region.organisation_id == organisation_id).order_by(col(Region.code))
    ).all()


def sites_of(session: Session, organisation_id: int) -> Sequence[Site]:
    return session.exec(
        select(Site).where(Site.organisation_id == organisation_id).order_by(col(Site.code))
    ).all()


def counters_of(session: Session, site_id: int) -> Sequence[Counter]:
    return session.exec(
        select(Counter).where(Counter.site_id == site_id).order_by(col(Counter.code))
    ).all()


def staff_of(session: Session, organisation_id: int) -> Sequence[StaffMember]:
    return session.exec(
        select(StaffMember)
        .where(StaffMember.organisation_id == organisation_id)
        .order_by(col(StaffMember.job_number))
    ).all()
