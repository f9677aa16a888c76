"""The conduct supervisors' portal, made for a phone in a business hall.

A supervisor signs in, sees their credential, files inspections (the checklist with
pass / fail / not applicable, notes and photos) and feedback (praise, suggestions,
criticism, complaints) about the places of their organisations. Every form comes back
with the entered values and a message next to each field it cannot accept.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import partial
from typing import Any, Protocol

from babel.dates import format_date
from babel.numbers import format_percent
from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import RedirectResponse, Response

from analytics.compliance import Compliance
from api.case_labels import CATEGORY_LABELS, KIND_LABELS
from api.deps import (
    CurrentSupervisor,
    NowDep,
    SessionDep,
    SettingsDep,
    SupervisorAccount,
    get_settings,
    zone_of,
)
from api.forms import PostedForm, UploadFormDep, check_csrf
from api.inspection_labels import INSPECTION_KIND_LABELS, OUTCOME_LABELS, SECTION_LABELS
from api.settings import Settings, public_address
from api.templating import render, translate_errors
from survey.accounts import Account
from survey.errors import N_, FieldError, InvalidAnswer, PlaceNotFound
from survey.evidence.photos import megabytes
from survey.models import (
    CheckOutcome,
    FeedbackCategory,
    FeedbackKind,
    InspectionKind,
    Role,
)
from survey.places.links import new_token
from survey.stats.counts import organisation_names
from survey.supervision.checklists import ChecklistSpec, checklist_for
from survey.supervision.inspections import ItemResult, file_inspection
from survey.supervision.queries import (
    OrganisationPlaces,
    inspection_detail,
    place_choices,
    recent_inspections,
)
from survey.supervision.supervisors import (
    credential_is_valid,
    feedback_filed_by,
    file_supervisor_feedback,
    get_credential,
)

router = APIRouter()

STALE_FORM = N_("The form is incomplete; please open it again.")
PLACE_NOT_YOURS = N_(
    "This place is not one of your organisations' places. Please choose one from the list."
)
TOO_LARGE_IN_TOTAL = N_(
    "The photos were larger than %(limit)s MB together, so the form could not be read. "
    "Please fill it in again with fewer or smaller photos."
)
MIN_YEAR = 2000
ERROR_ANCHORS = {"inspected_at": "inspected_date", "photo": "photos", "form": "problems"}
"""Error keys whose field has another id on the page."""


LABELS = {
    "kind_labels": INSPECTION_KIND_LABELS,
    "section_labels": SECTION_LABELS,
    "outcome_labels": OUTCOME_LABELS,
    "feedback_kind_labels": KIND_LABELS,
    "category_labels": CATEGORY_LABELS,
}
"""The words for enum values, translated in the templates."""


def _page(
    request: Request, name: str, context: dict[str, Any], *, status_code: int = 200
) -> Response:
    """A supervisor page with the label tables every one of them may use."""
    return render(request, name, {**LABELS, **context}, status_code=status_code)


def _own_organisation(account: Account, value: str | None) -> int | None:
    """The organisation a form is for: the one asked for, or the account's only one."""
    if value:
        known = value.isdecimal() and len(value) <= 12
        if not known or int(value) not in account.organisation_ids:
            raise PlaceNotFound("organisation", int(value) if known else None)
        return int(value)
    if len(account.organisation_ids) == 1:
        return next(iter(account.organisation_ids))
    return None


def _form_id(value: str) -> int | None:
    """An optional id from a select ("" is none); anything else than digits is a forged
    or broken form."""
    if not value:
        return None
    if not value.isdecimal() or len(value) > 12:
        raise InvalidAnswer({"form": STALE_FORM})
    return int(value)


def _summary(errors: dict[str, str]) -> list[tuple[str, str]]:
    """The error list at the top of a form: (anchor id, message)."""
    return [
        (ERROR_ANCHORS.get(key, key), message)
        for key, message in errors.items()
        if not key.startswith("item-")
    ]


def _day(value: date, locale: str) -> str:
    return format_date(value, format="long", locale=locale)


def _percent(rate: float, locale: str) -> str:
    """A rate as a whole percentage in the reader's language; a dash when there is none."""
    return "—" if math.isnan(rate) else format_percent(rate, "#,##0%", locale=locale)


def _choose_organisation(
    request: Request, session: Session, account: Account, target: str
) -> Response:
    places = place_choices(session, account.organisation_ids)
    return _page(
        request,
        "supervisor/choose_organisation.html",
        {"account": account, "organisations": places, "target": target},
    )


@router.get("/supervisor")
def show_supervisor_home(
    request: Request, account: SupervisorAccount, session: SessionDep, now: NowDep
) -> Response:
    """The supervisor's credential, what they can do, and their recent inspections. A
    credential not valid today gets a page saying so (403) instead."""
    credential = get_credential(session, account.id)
    locale = str(request.state.locale)
    context: dict[str, Any] = {
        "account": account,
        "credential": credential,
        "organisations": organisation_names(session, organisation_ids=account.organisation_ids),
        "valid_from": _day(credential.valid_from, locale) if credential else "",
        "valid_until": _day(credential.valid_until, locale) if credential else "",
    }
    if account.role == Role.supervisor and (
        credential is None or not credential_is_valid(credential, now.date())
    ):
        context["expired"] = credential is not None and credential.valid_until < now.date()
        return _page(request, "supervisor/credential.html", context, status_code=403)
    context["recent"] = recent_inspections(session, filed_by_user_id=account.id)
    context["percent"] = partial(_percent, locale=locale)
    return _page(request, "supervisor/home.html", context)


@dataclass(frozen=True)
class PhotoLimits:
    """What the photo field of a form says it accepts."""

    count: int
    megabytes: str


def _photo_limits(settings: Settings) -> PhotoLimits:
    return PhotoLimits(settings.max_upload_files, megabytes(settings.max_upload_bytes))


def _too_large_in_total(settings: Settings) -> dict[str, FieldError]:
    """The message of a form whose body was over the limit and was not read."""
    limit = megabytes(settings.max_upload_files * settings.max_upload_bytes)
    return {"photo": FieldError(TOO_LARGE_IN_TOTAL, {"limit": limit})}


# --- inspections -----------------------------------------------------------------------


def _inspection_form(
    request: Request,
    session: Session,
    account: Account,
    *,
    organisation_id: int,
    values: dict[str, str],
    errors: dict[str, FieldError],
    status: int = 200,
    photos_sent: bool = False,
) -> Response:
    settings = get_settings(request)
    checklist_id = values.get("checklist_id", "")
    checklist = checklist_for(
        session,
        organisation_id=organisation_id,
        checklist_id=int(checklist_id)
        if checklist_id.isdecimal() and len(checklist_id) <= 12
        else None,
    )
    places = place_choices(session, [organisation_id])[0]
    shown = translate_errors(request, errors)
    return _page(
        request,
        "supervisor/inspection_form.html",
        {
            "account": account,
            "places": places,
            "several_organisations": len(account.organisation_ids) > 1,
            "checklist": checklist,
            "kinds": list(InspectionKind),
            "outcomes": list(CheckOutcome),
            "values": values,
            "errors": shown,
            "summary": _summary(shown),
            "photos_sent": photos_sent,
            "photo_limits": _photo_limits(settings),
        },
        status_code=status,
    )


@router.get("/supervisor/inspections/new")
def show_inspection_form(
    request: Request, account: CurrentSupervisor, session: SessionDep, now: NowDep
) -> Response:
    """The inspection form: place, kind, time, the checklist by section, notes, photos.
    An account with several organisations first chooses one (``?organisation=``)."""
    organisation_id = _own_organisation(account, request.query_params.get("organisation"))
    if organisation_id is None:
        return _choose_organisation(request, session, account, "/supervisor/inspections/new")
    values = {
        "organisation": str(organisation_id),
        "kind": InspectionKind.secret_check.value,
        "inspected_date": now.date().isoformat(),
        "inspected_time": now.strftime("%H:%M"),
        "submission_key": new_token(),
        "checklist_id": "",
    }
    return _inspection_form(
        request, session, account, organisation_id=organisation_id, values=values, errors={}
    )


def _inspected_at(form: PostedForm, zone: Any) -> datetime | None:
    """The local date and time of the form as an aware datetime; None if unreadable."""
    try:
        day = date.fromisoformat(form.get("inspected_date").strip())
        clock = time.fromisoformat(form.get("inspected_time").strip())
    except ValueError:
        return None
    if day.year < MIN_YEAR:  # year 1 in a zone east of UTC cannot even be turned into UTC
        return None
    return datetime.combine(day, clock.replace(second=0, microsecond=0, tzinfo=None), zone)


def _results(form: PostedForm, checklist: ChecklistSpec) -> dict[int, ItemResult]:
    """The outcome and note of each item that has an outcome (a missing one is reported
    by the use case, next to its item)."""
    known = {outcome.value for outcome in CheckOutcome}
    results: dict[int, ItemResult] = {}
    for item in checklist.items:
        outcome = form.get(f"item-{item.id}")
        if outcome in known:
            results[item.id] = ItemResult(CheckOutcome(outcome), form.get(f"note-{item.id}"))
    return results


class FormView(Protocol):
    """Shows one of the portal's photo forms: ``_inspection_form`` or ``_feedback_form``."""

    def __call__(
        self,
        request: Request,
        session: Session,
        account: Account,
        *,
        organisation_id: int,
        values: dict[str, str],
        errors: dict[str, FieldError],
        status: int = 200,
        photos_sent: bool = False,
    ) -> Response: ...


def _submit_photo_form(
    request: Request,
    form: PostedForm,
    account: Account,
    session: Session,
    settings: Settings,
    *,
    path: str,
    show_form: FormView,
    fresh_values: dict[str, str],
    file: Callable[[int, list[bytes]], str],
) -> Response:
    """What both photo forms do with a post: find the organisation (or ask for it), refuse
    a body too large (413 and a fresh form), check the token, then ``file`` it and go to the
    path it returns. A refusal gives the form back with every value, a message per field
    and a word that the photos were not kept: 422, or 404 for a place not theirs."""
    organisation_id = _own_organisation(
        account, form.get("organisation") or request.query_params.get("organisation")
    )
    if organisation_id is None:
        return _choose_organisation(request, session, account, path)
    if form.too_large:
        return show_form(
            request,
            session,
            account,
            organisation_id=organisation_id,
            values={"submission_key": new_token(), **fresh_values},
            errors=_too_large_in_total(settings),
            status=413,
        )
    check_csrf(request, form)
    values = {key: value for key, value in form.fields.items() if key != "csrf_token"}
    photos = [photo.data for photo in form.files_of("photos")]
    errors: dict[str, FieldError]
    try:
        return RedirectResponse(file(organisation_id, photos), status_code=303)
    except InvalidAnswer as invalid:
        errors, status = invalid.errors, 422
    except PlaceNotFound as missing:
        if missing.field == "organisation":
            raise
        errors, status = {missing.field: FieldError(PLACE_NOT_YOURS)}, 404
    return show_form(
        request,
        session,
        account,
        organisation_id=organisation_id,
        values=values,
        errors=errors,
        status=status,
        photos_sent=bool(photos),
    )


@router.post("/supervisor/inspections/new")
def submit_inspection(
    request: Request,
    form: UploadFormDep,
    account: CurrentSupervisor,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
) -> Response:
    """Check and file the inspection, then show it (post/redirect/get); the form again
    with every value but the photos and a message per field when something is wrong."""

    def file(organisation_id: int, photos: list[bytes]) -> str:
        checklist_id = _form_id(form.get("checklist_id"))
        checklist = checklist_for(
            session, organisation_id=organisation_id, checklist_id=checklist_id
        )
        kind = form.get("kind")
        if kind not in {k.value for k in InspectionKind}:
            raise InvalidAnswer({"kind": N_("Please choose the kind of inspection.")})
        inspection = file_inspection(
            session,
            account=account,
            organisation_id=organisation_id,
            kind=InspectionKind(kind),
            site_id=_form_id(form.get("site")),
            counter_id=_form_id(form.get("counter")),
            staff_member_id=_form_id(form.get("staff")),
            inspecting_site_id=_form_id(form.get("inspecting_site")),
            inspected_at=_inspected_at(form, zone_of(request)),
            results=_results(form, checklist),
            note=form.get("note"),
            submission_key=form.get("submission_key"),
            photos=photos,
            data_dir=settings.data_dir,
            now=now,
            checklist_id=checklist.id,
            max_photo_bytes=settings.max_upload_bytes,
            max_photos=settings.max_upload_files,
        )
        return f"/supervisor/inspections/{inspection.id}"

    return _submit_photo_form(
        request,
        form,
        account,
        session,
        settings,
        path="/supervisor/inspections/new",
        show_form=_inspection_form,
        fresh_values={"checklist_id": ""},
        file=file,
    )


@dataclass(frozen=True)
class ScoreRow:
    """A line of the scores table."""

    section: str
    rate: str
    n_pass: int
    n_fail: int
    n_not_applicable: int


def _score_row(section: str, scores: Compliance, locale: str) -> ScoreRow:
    return ScoreRow(
        section,
        _percent(scores.rate, locale),
        scores.n_pass,
        scores.n_fail,
        scores.n_not_applicable,
    )


@router.get("/supervisor/inspections/{inspection_id}")
def show_inspection(
    request: Request, inspection_id: int, account: CurrentSupervisor, session: SessionDep
) -> Response:
    """One inspection: where and when, the scores per section and overall, every item's
    outcome and note, and the photos. A supervisor sees only their own inspections."""
    detail = inspection_detail(
        session,
        inspection_id,
        organisation_ids=account.organisation_ids,
        filed_by_user_id=account.id if account.role == Role.supervisor else None,
    )
    locale = str(request.state.locale)
    return _page(
        request,
        "supervisor/inspection.html",
        {
            "account": account,
            "detail": detail,
            "score_rows": [
                _score_row(section, scores, locale)
                for section, scores in detail.scores.sections.items()
            ],
            "overall": _score_row("overall", detail.scores.overall, locale),
        },
    )


# --- feedback --------------------------------------------------------------------------


def _feedback_form(
    request: Request,
    session: Session,
    account: Account,
    *,
    organisation_id: int,
    values: dict[str, str],
    errors: dict[str, FieldError],
    status: int = 200,
    photos_sent: bool = False,
) -> Response:
    shown = translate_errors(request, errors)
    places: OrganisationPlaces = place_choices(session, [organisation_id])[0]
    settings = get_settings(request)
    return _page(
        request,
        "supervisor/feedback_form.html",
        {
            "photos_sent": photos_sent,
            "photo_limits": _photo_limits(settings),
            "account": account,
            "places": places,
            "several_organisations": len(account.organisation_ids) > 1,
            "kinds": list(FeedbackKind),
            "categories": list(FeedbackCategory),
            "values": values,
            "errors": shown,
            "summary": _summary(shown),
        },
        status_code=status,
    )


@router.get("/supervisor/feedback/new")
def show_feedback_form(
    request: Request, account: CurrentSupervisor, session: SessionDep
) -> Response:
    """Praise, a suggestion, criticism or a complaint about a place."""
    organisation_id = _own_organisation(account, request.query_params.get("organisation"))
    if organisation_id is None:
        return _choose_organisation(request, session, account, "/supervisor/feedback/new")
    values = {
        "organisation": str(organisation_id),
        "kind": FeedbackKind.suggestion.value,
        "category": FeedbackCategory.other.value,
        "submission_key": new_token(),
    }
    return _feedback_form(
        request, session, account, organisation_id=organisation_id, values=values, errors={}
    )


@router.post("/supervisor/feedback/new")
def submit_feedback(
    request: Request,
    form: UploadFormDep,
    account: CurrentSupervisor,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
) -> Response:
    """File the feedback with its photos (criticism and complaints open a case the
    supervisor owns), then show the confirmation with the case's link."""

    def file(organisation_id: int, photos: list[bytes]) -> str:
        kind, category = form.get("kind"), form.get("category")
        errors: dict[str, FieldError | str] = {}
        if kind not in {k.value for k in FeedbackKind}:
            errors["kind"] = N_("Please choose what kind of feedback this is.")
        if category not in {c.value for c in FeedbackCategory}:
            errors["category"] = N_("Please choose a category.")
        if errors:
            raise InvalidAnswer(errors)
        filed = file_supervisor_feedback(
            session,
            account=account,
            organisation_id=organisation_id,
            kind=FeedbackKind(kind),
            category=FeedbackCategory(category),
            site_id=_form_id(form.get("site")),
            counter_id=_form_id(form.get("counter")),
            staff_member_id=_form_id(form.get("staff")),
            text=form.get("text"),
            submission_key=form.get("submission_key"),
            now=now,
            photos=photos,
            data_dir=settings.data_dir,
            max_photo_bytes=settings.max_upload_bytes,
            max_photos=settings.max_upload_files,
        )
        return f"/supervisor/feedback/{filed.feedback.id}"

    return _submit_photo_form(
        request,
        form,
        account,
        session,
        settings,
        path="/supervisor/feedback/new",
        show_form=_feedback_form,
        fresh_values={},
        file=file,
    )


@router.get("/supervisor/feedback/{feedback_id}")
def show_feedback(
    request: Request,
    feedback_id: int,
    account: CurrentSupervisor,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    """The confirmation of filed feedback; for criticism and complaints the case that was
    opened, with the link to follow it."""
    filed = feedback_filed_by(session, feedback_id, user_id=account.id)
    case_path = f"/c/{filed.case.public_token}" if filed.case else ""
    return _page(
        request,
        "supervisor/feedback_filed.html",
        {
            "account": account,
            "feedback": filed.feedback,
            "case": filed.case,
            "case_path": case_path,
            "case_url": public_address(session, settings) + case_path if case_path else "",
        },
    )
