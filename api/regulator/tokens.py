"""``/regulator/tokens``: the authority's API tokens: make one (its secret shown on this
one page only), see each one's scopes, expiry and last use, revoke one."""

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import RedirectResponse, Response

from api.deps import NowDep, SessionDep
from api.forms import PostedFormDep, check_csrf
from api.refused import Refused
from api.regulator.scope import RegulatorAccount, authority_of
from api.templating import render, translate_errors
from survey.accounts import Account
from survey.errors import N_, FieldError, InvalidAnswer
from survey.places.changes import committed
from survey.regulation.tokens import SCOPES, MadeToken, create_token, revoke_token, tokens_of

router = APIRouter()
TOKEN_FIELDS = ("name", "days", *(f"scope-{scope}" for scope in SCOPES))


def _page(
    request: Request,
    session: Session,
    account: Account,
    *,
    made: MadeToken | None = None,
    refused: Refused | None = None,
) -> Response:
    response = render(
        request,
        "regulator/tokens.html",
        {
            "account": account,
            "tokens": tokens_of(session, authority_of(account)),
            "scopes": SCOPES,
            "made": made,
            "refused": refused,
        },
        status_code=422 if refused else 200,
    )
    if made is not None:
        response.headers["Cache-Control"] = "no-store"  # the secret is on this page
    return response


@router.get("/regulator/tokens")
def show_tokens(request: Request, account: RegulatorAccount, session: SessionDep) -> Response:
    """The authority's tokens and a form to make one."""
    return _page(request, session, account)


@router.post("/regulator/tokens")
def submit_token(
    request: Request,
    form: PostedFormDep,
    account: RegulatorAccount,
    session: SessionDep,
    now: NowDep,
) -> Response:
    """Make a token and show its secret, once."""
    check_csrf(request, form)
    values = {name: form.get(name) for name in TOKEN_FIELDS}
    try:
        days = values["days"].strip()
        if not days.isdecimal() or len(days) > 4:
            raise InvalidAnswer({"days": FieldError(N_("Give a whole number of days."))})
        made = committed(
            session,
            create_token,
            authority_id=authority_of(account),
            name=values["name"],
            scopes=[scope for scope in SCOPES if values[f"scope-{scope}"]],
            days=int(days),
            user_id=account.id,
            now=now,
        )
    except InvalidAnswer as invalid:
        refused = Refused("token", values, translate_errors(request, invalid.errors))
        return _page(request, session, account, refused=refused)
    return _page(request, session, account, made=made)


@router.post("/regulator/tokens/{token_id}/revoke")
def submit_revoke(
    request: Request,
    token_id: int,
    form: PostedFormDep,
    account: RegulatorAccount,
    session: SessionDep,
    now: NowDep,
) -> Response:
    """Revoke a token: programs using it get 401 from now on."""
    check_csrf(request, form)
    committed(session, revoke_token, authority_id=authority_of(account), token_id=token_id, now=now)
    return RedirectResponse("/regulator/tokens", status_code=303)
