"""Signing in and out."""

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from api.deps import SESSION_COOKIE, NowDep, SessionDep, SettingsDep
from api.forms import PostedFormDep, check_csrf
from api.templating import render, translate
from survey.accounts import SESSION_LIFETIME, account_for_session, log_in, log_out
from survey.errors import N_, AccountLocked, AuthenticationFailed, SignInThrottled
from survey.models import Role
from survey.questionnaires.responses import network_of, salted_hash

router = APIRouter()

HOME_BY_ROLE = {
    Role.manager: "/manager",
    Role.admin: "/admin",
    Role.regulator: "/regulator",
    Role.supervisor: "/supervisor",
}


def _safe_next(target: str) -> str:
    """Only local paths are followed after login (no open redirect)."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return ""


def _login_page(
    request: Request,
    settings: SettingsDep,
    *,
    error: str = "",
    status: int = 200,
    username: str = "",
    next_path: str = "",
    password_set: bool = False,
) -> Response:
    return render(
        request,
        "accounts/login.html",
        {
            "error": error,
            "username": username,
            "next_path": next_path,
            "demo_mode": settings.demo_mode,
            "password_set": password_set,
        },
        status_code=status,
    )


@router.get("/login")
def show_login(request: Request, settings: SettingsDep) -> Response:
    return _login_page(
        request,
        settings,
        next_path=_safe_next(request.query_params.get("next", "")),
        username=request.query_params.get("username", "")[:80],
        password_set=request.query_params.get("password") == "set",
    )


@router.post("/login")
def submit_login(
    request: Request, form: PostedFormDep, session: SessionDep, now: NowDep, settings: SettingsDep
) -> Response:
    check_csrf(request, form)
    username = form.get("username")[:80]
    next_path = _safe_next(form.get("next"))
    address = request.client.host if request.client else ""
    try:
        token = log_in(
            session,
            username=username,
            password=form.get("password")[:200],
            now=now,
            allow_demo_password=settings.demo_mode,
            network_hash=salted_hash(settings.resolved_secret_key(), "login", network_of(address)),
        )
    except AuthenticationFailed:
        message = translate(request, N_("Wrong username or password."))
        return _login_page(
            request, settings, error=message, status=401, username=username, next_path=next_path
        )
    except SignInThrottled as throttled:
        message = translate(
            request,
            N_("Too many failed sign-ins. Please wait %(seconds)s seconds and try again."),
        ) % {"seconds": throttled.retry_after}
        response = _login_page(
            request, settings, error=message, status=429, username=username, next_path=next_path
        )
        response.headers["Retry-After"] = str(throttled.retry_after)
        return response
    except AccountLocked:
        message = translate(
            request,
            N_(
                "This account is locked after too many failed sign-ins. "
                "An administrator of your organisation can unlock it."
            ),
        )
        return _login_page(
            request, settings, error=message, status=423, username=username, next_path=next_path
        )
    account = account_for_session(session, token=token, now=now)
    home = HOME_BY_ROLE[account.role] if account else "/"
    response = RedirectResponse(next_path or home, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )
    return response


@router.post("/logout")
def submit_logout(
    request: Request, form: PostedFormDep, session: SessionDep, settings: SettingsDep
) -> Response:
    check_csrf(request, form)
    token = request.state.cookies.get(SESSION_COOKIE, "")
    if token:
        log_out(session, token=token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
