"""The customer's own voice beyond the questionnaire: praise, a suggestion, criticism or a
complaint, sent from a counter's QR link.

The form hangs off the survey link (``/s/{token}/feedback``), so the place (site, counter,
clerk) comes from the link and a forged, revoked or expired link is refused exactly like
the questionnaire. Praise and suggestions are stored; criticism and complaints open a case
(:func:`survey.cases.handling.file_feedback`), and the customer is sent to the case's own page
(:mod:`api.customer.case`).
"""

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import RedirectResponse, Response

from api import case_labels
from api.customer.survey import (
    CodeFields,
    admitted_at,
    check_submitted_pass,
    new_pass,
    rotating_code_from,
)
from api.deps import NowDep, SessionDep, SettingsDep, get_now
from api.forms import PostedForm, PostedFormDep, check_csrf, without_controls
from api.settings import Settings
from api.templating import render, translate_errors
from survey.cases.handling import Filed, file_feedback
from survey.errors import N_, FieldError, InvalidAnswer
from survey.models import (
    Counter,
    FeedbackCategory,
    FeedbackKind,
    FeedbackSource,
    Organisation,
    QrLink,
    Site,
    StaffMember,
)
from survey.places.duty import clerk_on_duty
from survey.places.links import get_link_or_raise, new_token
from survey.questionnaires.responses import network_of, salted_hash

router = APIRouter()

MESSAGE_MAX = 4000
"""Characters a message may have (the column's size)."""
CONTACT_MAX = 200
SUBMISSION_KEY = re.compile(r"[A-Za-z0-9_-]{1,64}")

NO_STORE = {"Cache-Control": "no-store"}
CASE_PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
}
"""The case link is a secret: no cache may keep the page, no link on it may pass the
address on as a referrer, and no search engine may list it."""

KIND_HINTS: dict[str, str] = {
    FeedbackKind.praise: N_("Someone or something here was good."),
    FeedbackKind.suggestion: N_("An idea to make the service better."),
    FeedbackKind.criticism: N_("Something was not right. We look into it and answer you."),
    FeedbackKind.complaint: N_("You want a problem put right. We must answer within a time limit."),
}
"""One plain sentence under each kind's name, so a customer knows which to choose."""


@dataclass(frozen=True)
class FeedbackEntry:
    """What a customer entered in the feedback form, checked and cleaned."""

    kind: FeedbackKind
    category: FeedbackCategory
    message: str
    contact: str


@dataclass(frozen=True)
class LinkPlace:
    """Where a survey link stands: the organisation, site, counter and the clerk shown (the
    link's own staff member, else the one on duty at the counter)."""

    organisation: Organisation
    site: Site
    counter: Counter
    staff: StaffMember | None


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PHONE = re.compile(r"\+?[0-9][0-9 ()\-]*")


def clean_text(value: str) -> str:
    """Text as typed, without control characters (PostgreSQL refuses NUL) and with one
    kind of line break, stripped at both ends."""
    return without_controls(value.replace("\r\n", "\n").replace("\r", "\n")).strip()


def _contact_problem(contact: str) -> FieldError | None:
    """Why ``contact`` (not empty, NFKC-normalised) is neither a phone number nor an
    e-mail address, or ``None`` when it is one of them."""
    if len(contact) > CONTACT_MAX:
        return FieldError(
            N_("Please keep the phone number or e-mail address within %(max)s characters."),
            {"max": CONTACT_MAX},
        )
    digits = sum(char.isdecimal() for char in contact)
    if _EMAIL.fullmatch(contact) or (_PHONE.fullmatch(contact) and 5 <= digits <= 20):
        return None
    return FieldError(N_("Please give a phone number or an e-mail address, or leave this empty."))


def read_feedback_form(form: PostedForm) -> FeedbackEntry:
    """The checked entry, or InvalidAnswer naming each field that is wrong.

    The message is required and at most :data:`MESSAGE_MAX` characters; the category is
    optional ("other"); the contact is optional (an anonymous customer leaves it empty) and,
    when given, must look like a phone number or an e-mail address, so that the hall can
    actually call back. Full-width digits and letters typed on a Chinese keyboard are
    read as their ASCII forms.
    """
    errors: dict[str, FieldError | str] = {}
    for name in form.undecodable & {"message", "contact"}:
        errors[name] = N_("This text arrived in an encoding we cannot read; please retype it.")
    kind = form.get("kind")
    if kind not in {k.value for k in FeedbackKind}:
        errors["kind"] = N_("Please choose what kind of message this is.")
    category = form.get("category") or FeedbackCategory.other.value
    if category not in {c.value for c in FeedbackCategory}:
        errors["category"] = N_("Please choose what your message is about.")
    message = clean_text(form.get("message"))
    if "message" not in errors:
        if not message:
            errors["message"] = N_("Please write your message.")
        elif len(message) > MESSAGE_MAX:
            errors["message"] = FieldError(
                N_("Please shorten your message to %(max)s characters; it has %(length)s."),
                {"max": MESSAGE_MAX, "length": len(message)},
            )
    contact = unicodedata.normalize("NFKC", clean_text(form.get("contact")))
    if contact and "contact" not in errors and (problem := _contact_problem(contact)):
        errors["contact"] = problem
    if errors:
        raise InvalidAnswer(errors)
    return FeedbackEntry(FeedbackKind(kind), FeedbackCategory(category), message, contact)


def submission_key_of(form: PostedForm) -> str | None:
    """The form's submission key when it is one we could have made (``None`` for a forged
    or missing one: the feedback is then stored without double-tap protection)."""
    key = form.get("submission_key")
    return key if SUBMISSION_KEY.fullmatch(key) else None


def link_place(session: Session, link: QrLink, now: datetime) -> LinkPlace:
    """The place a survey link belongs to (the link's foreign keys guarantee it exists),
    with the link's clerk or the counter's clerk on duty ``now``."""
    counter = session.get(Counter, link.counter_id)
    assert counter is not None and counter.id is not None
    site = session.get(Site, counter.site_id)
    assert site is not None
    organisation = session.get(Organisation, site.organisation_id)
    assert organisation is not None
    staff = (
        session.get(StaffMember, link.staff_member_id)
        if link.staff_member_id
        else clerk_on_duty(session, counter_id=counter.id, at=now)
    )
    return LinkPlace(organisation, site, counter, staff)


def _form_page(
    request: Request,
    session: Session,
    link: QrLink,
    settings: Settings,
    *,
    values: Mapping[str, str],
    errors: Mapping[str, FieldError],
    submission_key: str,
    code: CodeFields | None,
    status_code: int = 200,
) -> Response:
    large_text = request.query_params.get("text") == "large" or values.get("text") == "large"
    response = render(
        request,
        "customer/feedback.html",
        {
            "link": link,
            "place": link_place(session, link, get_now(request)),
            "values": values,
            "errors": translate_errors(request, errors),
            "submission_key": submission_key,
            "rotating_code": code,
            "large_text": large_text,
            "kinds": list(FeedbackKind),
            "kind_labels": case_labels.KIND_LABELS,
            "kind_hints": KIND_HINTS,
            "categories": list(FeedbackCategory),
            "category_labels": case_labels.CATEGORY_LABELS,
            "message_max": MESSAGE_MAX,
            "hotline": settings.supervision_hotline,
        },
        status_code=status_code,
    )
    response.headers.update(NO_STORE)
    return response


@router.get("/s/{token}/feedback")
def show_feedback_form(
    request: Request, token: str, session: SessionDep, now: NowDep, settings: SettingsDep
) -> Response:
    """The form for praise, a suggestion, criticism or a complaint about this counter.

    Of a rotating link, the form opens with a fresh code or with the pass of the survey
    page the visitor came from (the thanks page carries it), within the pass's lifetime
    from when that page was shown: minutes after the scan, never from an old photo.
    """
    link = get_link_or_raise(session, token, now=now)
    code = rotating_code_from(request.query_params)
    admitted = admitted_at(link, code, request.query_params.get("pass", ""), settings, now)
    submission_key = new_token()
    return _form_page(
        request,
        session,
        link,
        settings,
        values={},
        errors={},
        submission_key=submission_key,
        code=CodeFields.of(code, new_pass(link, code, submission_key, admitted, settings)),
    )


@router.post("/s/{token}/feedback")
def submit_feedback(
    request: Request,
    token: str,
    form: PostedFormDep,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
) -> Response:
    """Store the feedback. Praise and suggestions go to a thank-you page; criticism and a
    complaint open a case, and the customer lands on its page with the link to keep.
    Invalid input gives the form back (422) with everything typed and the messages."""
    link = get_link_or_raise(session, token, now=now)
    code = rotating_code_from(form)
    submission_key = submission_key_of(form)
    check_submitted_pass(link, code, form, submission_key, settings, now)
    check_csrf(request, form)
    try:
        entry = read_feedback_form(form)
    except InvalidAnswer as invalid:
        return _form_page(
            request,
            session,
            link,
            settings,
            values=form.fields,
            errors=invalid.errors,
            submission_key=submission_key or new_token(),
            code=CodeFields.of(code, form.get("pass")),
            status_code=422,
        )
    place = link_place(session, link, now)
    secret = settings.resolved_secret_key()
    address = request.client.host if request.client else ""
    filed = _file(
        session,
        place,
        entry,
        submission_key=submission_key,
        now=now,
        device_hash=salted_hash(secret, "device", request.state.device_id),
        network_hash=salted_hash(secret, "network", network_of(address)),
    )
    if filed.case is None:
        return RedirectResponse(f"/s/{token}/feedback/thanks", status_code=303, headers=NO_STORE)
    return RedirectResponse(
        f"/c/{filed.case.public_token}?filed=1", status_code=303, headers=CASE_PAGE_HEADERS
    )


def _file(
    session: Session,
    place: LinkPlace,
    entry: FeedbackEntry,
    *,
    submission_key: str | None,
    now: datetime,
    device_hash: str,
    network_hash: str,
) -> Filed:
    """File the customer's feedback at the link's place; a double tap files once
    (:func:`file_feedback` is idempotent on the submission key, races included), and a
    client past the filing brake is refused (TooManyFilings, a 429 page)."""
    assert place.organisation.id is not None
    return file_feedback(
        session,
        organisation_id=place.organisation.id,
        kind=entry.kind,
        source=FeedbackSource.customer,
        category=entry.category,
        text=entry.message,
        contact=entry.contact,
        submission_key=submission_key,
        site_id=place.site.id,
        counter_id=place.counter.id,
        staff_member_id=place.staff.id if place.staff else None,
        now=now,
        device_hash=device_hash,
        network_hash=network_hash,
    )


@router.get("/s/{token}/feedback/thanks")
def show_feedback_thanks(request: Request, token: str, settings: SettingsDep) -> Response:
    """Thanks for praise or a suggestion, which get no individual answer (so the page says
    where an answer can be had)."""
    return render(
        request,
        "customer/feedback_thanks.html",
        {"token": token, "hotline": settings.supervision_hotline},
    )
