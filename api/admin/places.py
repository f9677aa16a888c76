"""``/admin`` and ``/admin/sites/{id}``: an organisation's regions and halls, a hall's
counters and clerks. Each form posts to its own route; a refused form comes back (422)
with what was typed and a message next to the field at fault."""

from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import RedirectResponse, Response

from api.admin.scope import (
    AdminReader,
    CurrentAdmin,
    chosen_organisation,
    own_counter,
    own_site,
    own_staff,
)
from api.deps import NowDep, SessionDep
from api.forms import PostedFormDep, UploadFormDep, check_csrf
from api.refused import Refused, form_round_trip
from api.settings import public_address, settings_of
from api.templating import render, translate_errors
from survey.accounts import Account
from survey.errors import N_, FieldError, InvalidAnswer, NotFound
from survey.evidence.clerk_photos import set_clerk_photo
from survey.models import Region, Role
from survey.places.changes import committed
from survey.places.organisations import (
    create_counter,
    create_region,
    create_site,
    create_staff_member,
    staff_member_leaves,
    update_counter,
    update_site,
    update_staff_member,
)
from survey.places.queries import organisation_places, site_places

router = APIRouter()

REGION_FIELDS = ("code", "name")
SITE_FIELDS = ("code", "name", "region", "address", "opening_hours")
COUNTER_FIELDS = ("code", "name", "service_type")
STAFF_FIELDS = ("job_number", "name", "counter")


def _counter_choice(value: str) -> int | None:
    if not value:
        return None
    if not value.isdecimal() or len(value) > 12:
        raise InvalidAnswer({"counter": "Please choose a counter."})
    return int(value)


def _region_options(regions: Sequence[Region]) -> list[tuple[str, str]]:
    return [(region.code, f"{region.code} {region.name}") for region in regions]


def _organisation_page(
    request: Request,
    session: Session,
    account: Account,
    organisation_id: int,
    refused: Refused | None = None,
) -> Response:
    places = organisation_places(session, organisation_id)
    return render(
        request,
        "admin/organisation.html",
        {
            "account": account,
            "can_change": account.role == Role.admin,
            "organisation_ids": sorted(account.organisation_ids),
            "places": places,
            "region_options": _region_options(places.regions),
            "public_address": public_address(session, settings_of(request)),
            "refused": refused,
            "saved": request.query_params.get("saved", ""),
        },
        status_code=422 if refused else 200,
    )


@router.get("/admin")
def show_admin(request: Request, account: AdminReader, session: SessionDep) -> Response:
    """The organisation's regions and halls, with the forms that add them."""
    organisation_id = chosen_organisation(account, request.query_params.get("organisation"))
    return _organisation_page(request, session, account, organisation_id)


@router.post("/admin/regions")
def submit_region(
    request: Request, form: PostedFormDep, account: CurrentAdmin, session: SessionDep
) -> Response:
    check_csrf(request, form)
    organisation_id = chosen_organisation(account, form.get("organisation") or "0")
    return form_round_trip(
        request,
        form,
        form_id="region",
        fields=REGION_FIELDS,
        change=lambda v: committed(
            session, create_region, organisation_id=organisation_id, code=v["code"], name=v["name"]
        ),
        page=lambda refused: _organisation_page(
            request, session, account, organisation_id, refused
        ),
        done=lambda _: f"/admin?organisation={organisation_id}&saved=region#regions",
    )


@router.post("/admin/sites")
def submit_site(
    request: Request, form: PostedFormDep, account: CurrentAdmin, session: SessionDep
) -> Response:
    check_csrf(request, form)
    organisation_id = chosen_organisation(account, form.get("organisation") or "0")
    return form_round_trip(
        request,
        form,
        form_id="site",
        fields=SITE_FIELDS,
        change=lambda v: committed(
            session, create_site, organisation_id=organisation_id, **_site_fields(v)
        ),
        page=lambda refused: _organisation_page(
            request, session, account, organisation_id, refused
        ),
        done=lambda site: f"/admin/sites/{site.id}?saved=site",
    )


def _site_fields(values: dict[str, str]) -> dict[str, str]:
    return {
        "code": values["code"],
        "name": values["name"],
        "region_code": values["region"],
        "address": values["address"],
        "opening_hours": values["opening_hours"],
    }


def _site_page(
    request: Request,
    session: Session,
    account: Account,
    site_id: int,
    refused: Refused | None = None,
) -> Response:
    places = site_places(session, site_id)
    context: dict[str, Any] = {
        "account": account,
        "can_change": account.role == Role.admin,
        "places": places,
        "region_options": _region_options(places.regions),
        "counter_options": [(c.id, f"{c.code} {c.name}") for c in places.counters],
        "public_address": public_address(session, settings_of(request)),
        "refused": refused,
        "saved": request.query_params.get("saved", ""),
    }
    return render(request, "admin/site.html", context, status_code=422 if refused else 200)


@router.get("/admin/sites/{site_id}")
def show_site(
    request: Request, site_id: int, account: AdminReader, session: SessionDep
) -> Response:
    """A hall: its details, counters, clerks, and the links and posters of its counters."""
    own_site(session, account, site_id)
    return _site_page(request, session, account, site_id)


@router.post("/admin/sites/{site_id}")
def submit_site_change(
    request: Request, site_id: int, form: PostedFormDep, account: CurrentAdmin, session: SessionDep
) -> Response:
    check_csrf(request, form)
    own_site(session, account, site_id)
    return form_round_trip(
        request,
        form,
        form_id="site",
        fields=SITE_FIELDS,
        change=lambda v: committed(session, update_site, site_id=site_id, **_site_fields(v)),
        page=lambda refused: _site_page(request, session, account, site_id, refused),
        done=lambda _: f"/admin/sites/{site_id}?saved=site",
    )


@router.post("/admin/sites/{site_id}/counters")
def submit_counter(
    request: Request, site_id: int, form: PostedFormDep, account: CurrentAdmin, session: SessionDep
) -> Response:
    check_csrf(request, form)
    own_site(session, account, site_id)
    return form_round_trip(
        request,
        form,
        form_id="counter",
        fields=COUNTER_FIELDS,
        change=lambda v: committed(session, create_counter, site_id=site_id, **v),
        page=lambda refused: _site_page(request, session, account, site_id, refused),
        done=lambda _: f"/admin/sites/{site_id}?saved=counter#counters",
    )


@router.post("/admin/counters/{counter_id}")
def submit_counter_change(
    request: Request,
    counter_id: int,
    form: PostedFormDep,
    account: CurrentAdmin,
    session: SessionDep,
) -> Response:
    check_csrf(request, form)
    site_id = own_counter(session, account, counter_id).site_id
    return form_round_trip(
        request,
        form,
        form_id=f"counter-{counter_id}",
        fields=COUNTER_FIELDS,
        change=lambda v: committed(session, update_counter, counter_id=counter_id, **v),
        page=lambda refused: _site_page(request, session, account, site_id, refused),
        done=lambda _: f"/admin/sites/{site_id}?saved=counter#counters",
    )


@router.post("/admin/sites/{site_id}/staff")
def submit_staff(
    request: Request, site_id: int, form: PostedFormDep, account: CurrentAdmin, session: SessionDep
) -> Response:
    check_csrf(request, form)
    own_site(session, account, site_id)
    return form_round_trip(
        request,
        form,
        form_id="staff",
        fields=STAFF_FIELDS,
        change=lambda v: committed(
            session,
            create_staff_member,
            site_id=site_id,
            job_number=v["job_number"],
            display_name=v["name"],
            counter_id=_counter_choice(v["counter"]),
        ),
        page=lambda refused: _site_page(request, session, account, site_id, refused),
        done=lambda _: f"/admin/sites/{site_id}?saved=staff#clerks",
    )


@router.post("/admin/staff/{staff_id}")
def submit_staff_change(
    request: Request, staff_id: int, form: PostedFormDep, account: CurrentAdmin, session: SessionDep
) -> Response:
    check_csrf(request, form)
    site_id = own_staff(session, account, staff_id).site_id
    return form_round_trip(
        request,
        form,
        form_id=f"staff-{staff_id}",
        fields=STAFF_FIELDS,
        change=lambda v: committed(
            session,
            update_staff_member,
            staff_id=staff_id,
            display_name=v["name"],
            counter_id=_counter_choice(v["counter"]),
        ),
        page=lambda refused: _site_page(request, session, account, site_id, refused),
        done=lambda _: f"/admin/sites/{site_id}?saved=staff#clerks",
    )


@router.post("/admin/staff/{staff_id}/leave")
def submit_staff_leaves(
    request: Request,
    staff_id: int,
    form: PostedFormDep,
    account: CurrentAdmin,
    session: SessionDep,
    now: NowDep,
) -> Response:
    """The clerk has left: off every counter from today, kept with their history."""
    check_csrf(request, form)
    staff = own_staff(session, account, staff_id)
    if staff.left_on is not None:
        raise NotFound(f"staff {staff_id} present")
    committed(session, staff_member_leaves, staff_id=staff_id, on=now.date(), now=now)
    return RedirectResponse(f"/admin/sites/{staff.site_id}?saved=left#clerks", status_code=303)


@router.post("/admin/staff/{staff_id}/photo")
def submit_staff_photo(
    request: Request, staff_id: int, form: UploadFormDep, account: CurrentAdmin, session: SessionDep
) -> Response:
    """The clerk's photo for the survey page: JPEG or PNG, cleaned of all metadata."""
    check_csrf(request, form)
    site_id = own_staff(session, account, staff_id).site_id
    files = form.files_of("photo")
    try:
        if form.too_large or not files or files[0].truncated:
            raise InvalidAnswer(
                {"photo": FieldError(N_("Please choose a photo in JPEG or PNG format."))}
            )
        set_clerk_photo(
            session,
            staff_id=staff_id,
            data=files[0].data,
            data_dir=settings_of(request).data_dir,
            max_bytes=settings_of(request).max_upload_bytes,
        )
    except InvalidAnswer as invalid:
        refused = Refused(f"photo-{staff_id}", {}, translate_errors(request, invalid.errors))
        return _site_page(request, session, account, site_id, refused)
    return RedirectResponse(f"/admin/sites/{site_id}?saved=photo#clerks", status_code=303)
