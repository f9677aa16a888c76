"""API tokens: how a regulator's own programs read ``/api/v1``.

A token is shown once, when it is made; the table keeps only its SHA-256, so a copy of the
database opens nothing. It reads only what its scopes allow, of its own authority's
operators, until it expires or is revoked; its last use is recorded (at most once a
minute, so a busy program does not write on every read).
"""

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from survey.accounts import token_hash
from survey.db import begin_write
from survey.errors import N_, FieldError, InvalidAnswer, NotFound
from survey.models import ApiToken
from survey.places.organisations import checked_text

SCOPES = ("indices", "complaints")
"""What a token may read: satisfaction indices (and published notices), complaint
statistics."""
PREFIX = "mny_"
MAX_DAYS = 730
LAST_USE_EVERY = timedelta(minutes=1)


class TokenRefused(Exception):
    """A token that is missing, unknown, revoked or expired (401), or lacks the scope
    asked for (403)."""

    def __init__(self, status: int, reason: str) -> None:
        self.status = status
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class MadeToken:
    token: ApiToken
    secret: str
    """The token itself: shown once, never stored."""


def create_token(
    session: Session,
    *,
    authority_id: int,
    name: str,
    scopes: Sequence[str],
    days: int,
    user_id: int | None,
    now: datetime,
) -> MadeToken:
    """A new token of the authority. Does not commit."""
    errors: dict[str, FieldError | str] = {}
    name = checked_text(errors, "name", name, 120, required=True)
    chosen = sorted(set(scopes))
    if not chosen or any(scope not in SCOPES for scope in chosen):
        errors["scopes"] = FieldError(N_("Choose what the token may read."))
    if not 1 <= days <= MAX_DAYS:
        errors["days"] = FieldError(
            N_("A token is valid for 1 to %(limit)s days."), {"limit": MAX_DAYS}
        )
    if errors:
        raise InvalidAnswer(errors)
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        authority_id=authority_id,
        name=name,
        token_hash=token_hash(secret),
        scopes=",".join(chosen),
        created_by=user_id,
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    session.add(token)
    session.flush()
    return MadeToken(token, secret)


def tokens_of(session: Session, authority_id: int) -> Sequence[ApiToken]:
    return session.exec(
        select(ApiToken)
        .where(ApiToken.authority_id == authority_id)
        .order_by(col(ApiToken.created_at).desc(), col(ApiToken.id).desc())
    ).all()


def revoke_token(session: Session, *, authority_id: int, token_id: int, now: datetime) -> None:
    """Revoke the authority's token (NotFound for another's); revoking twice keeps the
    first time. Does not commit."""
    token = session.get(ApiToken, token_id)
    if token is None or token.authority_id != authority_id:
        raise NotFound(f"token {token_id}")
    if token.revoked_at is None:
        token.revoked_at = now
        session.add(token)
        session.flush()


def token_for(session: Session, *, secret: str, scope: str, now: datetime) -> ApiToken:
    """The token ``secret`` names, if it may read ``scope`` now; TokenRefused otherwise.
    Records its use (committed) at most once a minute."""
    if not secret.startswith(PREFIX) or len(secret) > 100:
        raise TokenRefused(401, "unknown token")
    token = session.exec(select(ApiToken).where(ApiToken.token_hash == token_hash(secret))).first()
    if token is None:
        raise TokenRefused(401, "unknown token")
    if token.revoked_at is not None:
        raise TokenRefused(401, "revoked token")
    if token.expires_at <= now:
        raise TokenRefused(401, "expired token")
    if scope not in token.scopes.split(","):
        raise TokenRefused(403, f"this token may not read {scope}")
    if token.last_used_at is None or now - token.last_used_at >= LAST_USE_EVERY:
        begin_write(session)
        token.last_used_at = now
        session.add(token)
        session.commit()
    return token
