"""One place that turns errors into statuses: a friendly page for people, JSON for programs.

Each domain error maps to exactly one status and one message; the message is translated
into the request's language.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlmodel import Session
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, RedirectResponse, Response

from api.forms import CsrfFailed, RequestTooLarge, UnsupportedForm
from api.templating import render, translate
from survey import errors as domain
from survey.cases.rules import TransitionNotAllowed
from survey.errors import N_


class NotAuthenticated(Exception):
    """No valid login session (people are sent to the login page, programs get 401)."""


@dataclass(frozen=True)
class ErrorKind:
    status: int
    code: str
    title: str
    message: str


_KINDS: list[tuple[type[Exception], ErrorKind]] = [
    (
        domain.LinkNotFound,
        ErrorKind(
            404,
            "link_not_found",
            N_("This code is not valid"),
            N_("We could not find this survey. Please scan the code at the counter again."),
        ),
    ),
    (
        domain.LinkRevoked,
        ErrorKind(
            410,
            "link_revoked",
            N_("This survey has been withdrawn"),
            N_(
                "This code is no longer in use. "
                "Please scan the code currently shown at the counter."
            ),
        ),
    ),
    (
        domain.LinkExpired,
        ErrorKind(
            410,
            "link_expired",
            N_("This code has expired"),
            N_(
                "This code is no longer valid. Please scan the code currently shown at the counter."
            ),
        ),
    ),
    (
        domain.CampaignNotRunning,
        ErrorKind(
            409,
            "survey_not_open",
            N_("This survey is not open"),
            N_(
                "This survey is not taking answers at the moment. "
                "Thank you for wanting to tell us how we did."
            ),
        ),
    ),
    (
        domain.CampaignStateConflict,
        ErrorKind(
            409,
            "campaign_state_conflict",
            N_("Not possible in this state"),
            N_("The campaign has moved on since this page was opened. Reload it to see its state."),
        ),
    ),
    (
        domain.PublicationStateConflict,
        ErrorKind(
            409,
            "publication_state_conflict",
            N_("Not possible in this state"),
            N_(
                "The publication has moved on since this page was opened. Reload it to see "
                "its state; a published notice is corrected by a new version."
            ),
        ),
    ),
    (
        domain.AgreementStateConflict,
        ErrorKind(
            409,
            "agreement_state_conflict",
            N_("Not possible in this state"),
            N_(
                "The agreement has moved on since this page was opened. Reload it to see "
                "its state; a signed agreement is changed by a new version."
            ),
        ),
    ),
    (
        domain.DuplicateSubmission,
        ErrorKind(
            409,
            "duplicate_submission",
            N_("We already have your answer"),
            N_(
                "Thank you: you answered at this counter a few minutes ago, "
                "so we counted that answer."
            ),
        ),
    ),
    (
        domain.CaseLinkNotFound,
        ErrorKind(
            404,
            "case_not_found",
            N_("This case link is not valid"),
            N_(
                "We could not find a case behind this link. Check that the whole link was "
                "copied, or call the service hotline."
            ),
        ),
    ),
    (
        TransitionNotAllowed,
        ErrorKind(
            409,
            "transition_not_allowed",
            N_("Not possible in this state"),
            N_("The case has moved on since this page was opened. Reload it to see its state."),
        ),
    ),
    (
        domain.CaseActionNotAllowed,
        ErrorKind(
            409,
            "case_action_not_allowed",
            N_("Not possible in this state"),
            N_("This cannot be done to the case as it stands now. Reload it to see its state."),
        ),
    ),
    (
        domain.AccountLinkNotValid,
        ErrorKind(
            410,
            "account_link_not_valid",
            N_("This link no longer works"),
            N_(
                "This link has been used already or has expired. "
                "Ask your administrator for a new one."
            ),
        ),
    ),
    (
        domain.CredentialNotValid,
        ErrorKind(
            403,
            "credential_not_valid",
            N_("Your credential is not valid"),
            N_(
                "Your supervisor credential has expired or is not valid yet. Ask the "
                "organisation that appointed you to renew it."
            ),
        ),
    ),
    (
        domain.NotFound,
        ErrorKind(
            404,
            "not_found",
            N_("Not found"),
            N_("The page you asked for does not exist or is not yours to see."),
        ),
    ),
    (
        domain.TooManyFilings,
        ErrorKind(
            429,
            "too_many_filings",
            N_("We have your messages"),
            N_(
                "You have sent several messages at this counter in the last hour, and we "
                "have every one of them. If something is urgent, please call the "
                "supervision hotline."
            ),
        ),
    ),
    (
        domain.NotForHallManagers,
        ErrorKind(
            403,
            "not_for_hall_managers",
            N_("Not allowed"),
            N_(
                "This page covers every hall of the organisation; "
                "your account is limited to some halls."
            ),
        ),
    ),
    (
        domain.Forbidden,
        ErrorKind(
            403,
            "forbidden",
            N_("Not allowed"),
            N_("Your account does not have the right role for this page."),
        ),
    ),
    (
        domain.InvalidAnswer,
        ErrorKind(
            422, "invalid", N_("Please check your input"), N_("Some of what was sent is not valid.")
        ),
    ),
    (
        domain.FontMissing,
        ErrorKind(
            503,
            "font_missing",
            N_("Posters are unavailable"),
            N_("No CJK font is installed on the server; install Debian's fonts-noto-cjk."),
        ),
    ),
    (
        RequestTooLarge,
        ErrorKind(
            413,
            "too_large",
            N_("Too much data"),
            N_("What was sent is larger than this form accepts."),
        ),
    ),
    (
        UnsupportedForm,
        ErrorKind(
            415,
            "unsupported_form",
            N_("Unsupported form"),
            N_("Send the form as URL-encoded or multipart data."),
        ),
    ),
    (
        CsrfFailed,
        ErrorKind(
            403,
            "csrf_failed",
            N_("Please open the form again"),
            N_("The form was open too long or came from another page. Open it again and resend."),
        ),
    ),
]
_HTTP_KINDS = {
    400: ErrorKind(
        400,
        "bad_request",
        N_("Please check your input"),
        N_("Some of what was sent is not valid."),
    ),
    404: ErrorKind(
        404,
        "not_found",
        N_("Not found"),
        N_("The page you asked for does not exist or is not yours to see."),
    ),
    405: ErrorKind(
        405,
        "method_not_allowed",
        N_("Not allowed"),
        N_("This address does not accept that kind of request."),
    ),
}
_VALIDATION = ErrorKind(
    422, "invalid", N_("Please check your input"), N_("Some of what was sent is not valid.")
)


def kind_of(error: Exception) -> ErrorKind | None:
    for error_type, kind in _KINDS:
        if isinstance(error, error_type):
            return kind
    return None


def wants_page(request: Request) -> bool:
    """Whether the caller is a browser (a page in reply) rather than a program (JSON)."""
    return "text/html" in request.headers.get("accept", "")


RefusedAction = TransitionNotAllowed | domain.CaseActionNotAllowed
"""What the case rules raise when an action is not possible in the case's state."""


def refusable(
    request: Request,
    session: Session,
    action: Callable[[], Response],
    *,
    page: Callable[[RefusedAction], Response],
) -> Response:
    """Run a case action. When the rules refuse it, roll back what it began and answer
    409: a program gets the JSON error of the handlers (with the allowed states), a person
    ``page(refused)``, the page again with the reason in their words."""
    try:
        return action()
    except (TransitionNotAllowed, domain.CaseActionNotAllowed) as refused:
        session.rollback()
        if not wants_page(request):
            raise
        return page(refused)


def error_response(request: Request, kind: ErrorKind, *, detail: Any = None) -> Response:
    """A page in the request's language for browsers, a JSON body for programs."""
    if wants_page(request):
        return render(
            request,
            "errors/error.html",
            {
                "title": translate(request, kind.title),
                "message": translate(request, kind.message),
                "status": kind.status,
            },
            status_code=kind.status,
        )
    body: dict[str, Any] = {"error": kind.code, "message": kind.message}
    if detail is not None:
        body["detail"] = detail
    return JSONResponse(body, status_code=kind.status)


def install_error_handlers(app: FastAPI) -> None:
    """Register the mapping on the app."""

    async def on_known_error(request: Request, error: Exception) -> Response:
        kind = kind_of(error)
        assert kind is not None
        detail: dict[str, Any] | None = None
        if isinstance(error, domain.InvalidAnswer):
            detail = {key: value.render() for key, value in error.errors.items()}
        elif isinstance(error, TransitionNotAllowed):
            detail = {
                "state": error.current.value,
                "wanted": error.wanted.value,
                "allowed": [state.value for state in error.allowed],
            }
        return error_response(request, kind, detail=detail)

    for error_type, _kind in _KINDS:
        app.add_exception_handler(error_type, on_known_error)

    async def on_not_authenticated(request: Request, _error: Exception) -> Response:
        if wants_page(request):
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        return JSONResponse(
            {"error": "not_authenticated", "message": "Log in first."}, status_code=401
        )

    app.add_exception_handler(NotAuthenticated, on_not_authenticated)

    async def on_http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, StarletteHTTPException)
        kind = _HTTP_KINDS.get(error.status_code)
        if kind is None:
            return JSONResponse(
                {"error": "http_error", "message": str(error.detail)},
                status_code=error.status_code,
                headers=error.headers,
            )
        return error_response(request, kind)

    app.add_exception_handler(StarletteHTTPException, on_http_error)

    async def on_validation_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)
        detail = [
            {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", ""))} for e in error.errors()
        ]
        return error_response(request, _VALIDATION, detail=detail)

    app.add_exception_handler(RequestValidationError, on_validation_error)
