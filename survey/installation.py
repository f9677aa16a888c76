"""What is set once for the whole install: its public address.

Posters, counter displays and the links sent to complainants carry the address customers'
phones reach the app at. It is stored (``installation`` table), not taken from wherever the
app was first started, so changing it changes every poster printed and every display shown
after the change.
"""

from datetime import datetime
from urllib.parse import SplitResult, urlsplit

from sqlmodel import Session, select

from survey.errors import N_, FieldError, InvalidAnswer
from survey.models import Installation, User

MAX_URL_LENGTH = 300


def checked_public_url(text: str, *, field: str = "public_url") -> str:
    """``text`` as a public base URL: ``http(s)://host[:port][/path]``, without a trailing
    slash. InvalidAnswer (on ``field``) for anything else: another scheme, no host, a user
    name or password, a query or a fragment (a poster's link is the base plus ``/s/TOKEN``,
    so none of these could survive), or more than 300 characters.

    >>> checked_public_url(" https://survey.example.cn/manyi/ ")
    'https://survey.example.cn/manyi'
    """
    url = text.strip()
    parts = _split(url)
    problem = None
    if not url or len(url) > MAX_URL_LENGTH:
        problem = N_("A public address has 1 to %(limit)s characters.")
    elif (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or any(ch.isspace() for ch in url)
    ):
        problem = N_("Give the address as https://host (or http://host for a test).")
    elif parts.username is not None or parts.password is not None:
        problem = N_("A public address carries no user name or password.")
    elif parts.query or parts.fragment or url.endswith(("?", "#")):
        problem = N_("A public address has no ? or # part.")
    if problem is not None:
        raise InvalidAnswer({field: FieldError(problem, {"limit": MAX_URL_LENGTH})})
    return url.rstrip("/")


def _split(url: str) -> SplitResult | None:
    """The URL's parts, or None when it cannot be read (a port that is not a number)."""
    try:
        parts = urlsplit(url)
        _ = parts.port  # reading the port is what checks it
    except ValueError:
        return None
    return parts


def public_base_url(session: Session) -> str | None:
    """The stored public address, or None before ``manyi init`` has stored one."""
    installation = session.get(Installation, 1)
    return installation.public_base_url if installation else None


def set_public_base_url(session: Session, url: str, *, now: datetime) -> str:
    """Store the public address (checked as :func:`checked_public_url` says) and return it.
    Does not commit."""
    checked = checked_public_url(url)
    installation = session.get(Installation, 1)
    if installation is None:
        session.add(Installation(id=1, public_base_url=checked, changed_at=now))
    else:
        installation.public_base_url = checked
        installation.changed_at = now
        session.add(installation)
    session.flush()
    return checked


def has_accounts(session: Session) -> bool:
    """Whether anybody could sign in: an empty install has no accounts at all."""
    return session.exec(select(User.id).limit(1)).first() is not None
