"""``/welcome/{token}``: the one-time link an administrator gave someone, where they set the
password of their new account (or a new one after a reset), then sign in."""

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from api.deps import NowDep, SessionDep
from api.forms import PostedFormDep, check_csrf
from api.templating import render, translate_errors
from survey.errors import InvalidAnswer
from survey.invitations import link_holder, set_password_by_link
from survey.passwords import MIN_LENGTH

router = APIRouter()


@router.get("/welcome/{token}")
def show_welcome(request: Request, token: str, session: SessionDep, now: NowDep) -> Response:
    """The form that sets the password; a used or expired link is a 410 page that says to
    ask the administrator for a new one."""
    user = link_holder(session, token, now=now)
    return render(
        request,
        "accounts/set_password.html",
        {"user": user, "token": token, "errors": {}, "min_length": MIN_LENGTH},
    )


@router.post("/welcome/{token}")
def submit_welcome(
    request: Request, token: str, form: PostedFormDep, session: SessionDep, now: NowDep
) -> Response:
    check_csrf(request, form)
    try:
        user = set_password_by_link(
            session,
            token=token,
            password=form.get("password"),
            repeated=form.get("repeated"),
            now=now,
        )
    except InvalidAnswer as invalid:
        return render(
            request,
            "accounts/set_password.html",
            {
                "user": link_holder(session, token, now=now),
                "token": token,
                "errors": translate_errors(request, invalid.errors),
                "min_length": MIN_LENGTH,
            },
            status_code=422,
        )
    return RedirectResponse(f"/login?password=set&username={user.username}", status_code=303)
