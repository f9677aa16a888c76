"""The customer's pages: the questionnaire behind a QR code, and its thanks page."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import HTMLResponse, RedirectResponse, Response

from api.deps import NowDep, SessionDep, SettingsDep, get_settings, instrument_spec, page_cache_of
from api.forms import PostedForm, PostedFormDep, check_csrf, csrf_token_for
from api.page_cache import fill, placeholder
from api.settings import Settings
from api.survey_form import SurveyPlace, survey_form_context
from api.templating import render, templates_of, translate_errors
from survey.errors import N_, FieldError, InvalidAnswer, LinkNotFound
from survey.models import Campaign, Counter, Organisation, QrLink, Site, StaffMember
from survey.places.duty import credited_clerk
from survey.places.links import (
    FormPass,
    RotatingCode,
    check_form_pass,
    check_rotating_code,
    get_link_or_raise,
    issue_form_pass,
    new_token,
)
from survey.questionnaires.responses import (
    DuplicatePolicy,
    asked_items,
    read_answers,
    submit_response,
)

router = APIRouter()


@dataclass(frozen=True)
class CodeFields:
    """A rotating code as the page carries it on (hidden fields, language links), with the
    visitor's pass (see :func:`survey.places.links.issue_form_pass`)."""

    window: str
    signature: str
    form_pass: str = ""

    @classmethod
    def of(cls, code: RotatingCode | None, form_pass: str = "") -> "CodeFields | None":
        return cls(str(code.window), code.signature, form_pass) if code else None

    def query(self) -> str:
        """``w=…&sig=…&pass=…`` for a link to the next page."""
        return urlencode({"w": self.window, "sig": self.signature, "pass": self.form_pass})


def rotating_code_from(form_or_query: Any) -> RotatingCode | None:
    """The rotating code a query string or form carries (``w`` and ``sig``), if any."""
    window, signature = form_or_query.get("w", ""), form_or_query.get("sig", "")
    if not window or not signature or not str(window).isdecimal() or len(str(window)) > 12:
        return None
    return RotatingCode(window=int(window), signature=str(signature))


def _checked_pass(
    link: QrLink, code: RotatingCode | None, form_pass: str, settings: Settings, now: datetime
) -> FormPass:
    return check_form_pass(
        link.token,
        code,
        form_pass,
        now=now,
        period_seconds=settings.rotation_seconds,
        grace_windows=settings.rotation_grace_windows,
        lifetime_seconds=settings.rotating_submit_minutes * 60,
        secret=settings.resolved_secret_key(),
    )


def admitted_at(
    link: QrLink, code: RotatingCode | None, form_pass: str, settings: Settings, now: datetime
) -> int | None:
    """When a visitor of a rotating link was let in: the moment a page of theirs was shown
    while the code was fresh, from the pass they carry, or, without one, now once the code
    passes the page's check (404 forged, 410 too old). ``None`` for a fixed link.

    Every page a visitor opens afterwards (another language, the feedback form) carries
    this moment on, so the time a photographed code stays usable never grows."""
    if not link.rotating:
        return None
    if form_pass:
        return _checked_pass(link, code, form_pass, settings, now).issued_at
    check_rotating_code(
        link.token,
        code,
        now=now,
        period_seconds=settings.rotation_seconds,
        grace_windows=settings.rotation_grace_windows,
        secret=settings.resolved_secret_key(),
    )
    return int(now.timestamp())


def check_submitted_pass(
    link: QrLink,
    code: RotatingCode | None,
    form: PostedForm,
    submission_key: str | None,
    settings: Settings,
    now: datetime,
) -> None:
    """A form of a rotating link is accepted only with the pass its page was given: the
    same check as the page's, for this form's submission key (404 otherwise), within
    ``rotating_submit_minutes`` of the page being shown (410 after)."""
    if not link.rotating:
        return
    checked = _checked_pass(link, code, form.get("pass"), settings, now)
    if checked.submission_key != submission_key:
        raise LinkNotFound(link.token)


def new_pass(
    link: QrLink,
    code: RotatingCode | None,
    submission_key: str,
    admitted: int | None,
    settings: Settings,
) -> str:
    """The pass of a new form of a rotating link (empty for a fixed link)."""
    if code is None or admitted is None:
        return ""
    return issue_form_pass(
        link.token,
        code,
        submission_key,
        issued_at=admitted,
        secret=settings.resolved_secret_key(),
    )


def _clerk_shown(
    session: Session, link: QrLink, now: datetime, shown_staff_id: int | None = None
) -> StaffMember | None:
    """The clerk the page names: the link's own, or the counter's clerk on duty (the one
    an answer sent now is credited to, see :func:`survey.places.duty.credited_clerk`)."""
    if link.staff_member_id:
        return session.get(StaffMember, link.staff_member_id)
    staff_id = credited_clerk(
        session, counter_id=link.counter_id, shown_staff_id=shown_staff_id, now=now
    )
    return session.get(StaffMember, staff_id) if staff_id else None


def _page_context(
    request: Request,
    session: SessionDep,
    link: QrLink,
    staff: StaffMember | None,
    *,
    submission_key: str,
    values: dict[str, str],
    errors: dict[str, FieldError],
    code: CodeFields | None,
) -> dict[str, Any]:
    campaign = session.get(Campaign, link.campaign_id)
    counter = session.get(Counter, link.counter_id)
    assert campaign is not None and counter is not None
    site = session.get(Site, counter.site_id)
    assert site is not None
    organisation = session.get(Organisation, site.organisation_id)
    assert organisation is not None
    return survey_form_context(
        SurveyPlace(link, campaign, counter, site, organisation, staff),
        instrument_spec(request, session, campaign.instrument_id),
        submission_key=submission_key,
        values=values,
        errors=translate_errors(request, errors),
        code=code,
        large_text=request.query_params.get("text") == "large" or values.get("text") == "large",
        hotline=get_settings(request).supervision_hotline,
    )


@router.get("/s/{token}")
def show_survey(
    request: Request, token: str, session: SessionDep, now: NowDep, settings: SettingsDep
) -> Response:
    """The questionnaire for the counter this QR code belongs to.

    Without item sampling every visitor of a link sees the same page but for a few tokens,
    so the rendered page is cached (see :mod:`api.page_cache`) and the tokens filled in.
    """
    link = get_link_or_raise(session, token, now=now)
    code = rotating_code_from(request.query_params)
    admitted = admitted_at(link, code, request.query_params.get("pass", ""), settings, now)
    submission_key = new_token()
    tokens = {
        "csrf": csrf_token_for(request),
        "submission_key": submission_key,
        "window": str(code.window) if code else "",
        "signature": code.signature if code else "",
        "form_pass": new_pass(link, code, submission_key, admitted, settings),
    }
    campaign = session.get(Campaign, link.campaign_id)
    cacheable = campaign is not None and not campaign.items_per_dimension
    staff = _clerk_shown(session, link, now)
    large = request.query_params.get("text") == "large"
    key = (link.id, request.state.locale, large, bool(code), staff.id if staff else None)
    cache = page_cache_of(request)
    html = cache.get(key) if cacheable else None
    if html is None:
        marked = (
            CodeFields(placeholder("window"), placeholder("signature"), placeholder("form_pass"))
            if code
            else None
        )
        context = _page_context(
            request,
            session,
            link,
            staff,
            submission_key=placeholder("submission_key") if cacheable else tokens["submission_key"],
            values={},
            errors={},
            code=marked,
        )
        context["csrf_token"] = placeholder("csrf")
        html = templates_of(request).render_html(request, "customer/survey.html", context)
        if cacheable:
            cache.put(key, html)
    return HTMLResponse(fill(html, tokens), headers={"Cache-Control": "no-store"})


@router.post("/s/{token}")
def submit_survey(
    request: Request,
    token: str,
    form: PostedFormDep,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
) -> Response:
    """Validate and store the answers, then redirect to the thanks page (post/redirect/get)."""
    link = get_link_or_raise(session, token, now=now)
    code = rotating_code_from(form)
    submission_key = form.get("submission_key")
    check_submitted_pass(link, code, form, submission_key, settings, now)
    secret = settings.resolved_secret_key()
    check_csrf(request, form)
    campaign = session.get(Campaign, link.campaign_id)
    assert campaign is not None
    spec = instrument_spec(request, session, campaign.instrument_id)
    values = dict(form.fields)
    shown = form.get("staff")
    shown_staff_id = (
        int(shown) if shown.isascii() and shown.isdecimal() and len(shown) < 10 else None
    )
    try:
        if form.undecodable:
            raise InvalidAnswer(
                {
                    name: N_("This text arrived in an encoding we cannot read; please retype it.")
                    for name in form.undecodable
                }
            )
        items = asked_items(
            spec,
            items_per_dimension=campaign.items_per_dimension,
            submission_key=submission_key,
        )
        answers = read_answers(
            form.fields,
            spec=spec,
            mode=campaign.mode,
            items=items,
            ask_importance=campaign.ask_importance,
        )
        submit_response(
            session,
            token=token,
            submission_key=submission_key,
            answers=answers,
            locale=request.state.locale,
            device_id=request.state.device_id,
            client_address=request.client.host if request.client else "",
            user_agent=request.headers.get("user-agent", "")[:300],
            salt=secret,
            policy=DuplicatePolicy(
                window=timedelta(minutes=settings.duplicate_window_minutes),
                max_per_client=settings.max_responses_per_client,
            ),
            now=now,
            shown_staff_id=shown_staff_id,
        )
    except InvalidAnswer as invalid:
        context = _page_context(
            request,
            session,
            link,
            _clerk_shown(session, link, now, shown_staff_id),
            submission_key=submission_key or new_token(),
            values=values,
            errors=invalid.errors,
            code=CodeFields.of(code, form.get("pass")),
        )
        return render(request, "customer/survey.html", context, status_code=422)
    # A rotating code and its pass ride along, so the thanks page links to the feedback form.
    fields = CodeFields.of(code, form.get("pass"))
    after = f"?{fields.query()}" if fields else ""
    return RedirectResponse(f"/s/{token}/thanks{after}", status_code=303)


@router.get("/s/{token}/thanks")
def show_thanks(request: Request, token: str, settings: SettingsDep) -> Response:
    """Thanks, with a link to the feedback form (praise, suggestion or complaint) and the
    supervision hotline for anything that needs an answer."""
    fields = CodeFields.of(
        rotating_code_from(request.query_params), request.query_params.get("pass", "")
    )
    after = f"?{fields.query()}" if fields else ""
    return render(
        request,
        "customer/thanks.html",
        {
            "token": token,
            "hotline": settings.supervision_hotline,
            "feedback_url": f"/s/{quote(token, safe='')}/feedback{after}",
        },
    )
