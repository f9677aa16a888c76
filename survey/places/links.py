"""QR survey links: unguessable tokens, revocation, expiry and rotating counter codes.

A printed poster carries a fixed token. A counter display shows a *rotating* code instead:
the token plus a time-window number and an HMAC of both, so a photo of the screen taken
home stops working once its window and a short grace period have passed.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from survey.errors import CampaignNotRunning, LinkExpired, LinkNotFound, LinkRevoked, NotFound
from survey.models import (
    Campaign,
    CampaignSite,
    CampaignStatus,
    Counter,
    Organisation,
    QrLink,
    Site,
    StaffMember,
)

TOKEN_BYTES = 16


def new_token() -> str:
    """128 random bits, URL-safe: not guessable, not sequential.

    Never starts with ``-``: ``manyi links revoke -2x…`` would read the token as an option
    (a flaky test found it; one token in 64 began so). Redrawing keeps the bits uniform.
    """
    while True:
        token = secrets.token_urlsafe(TOKEN_BYTES)
        if not token.startswith("-"):
            return token


def create_link(
    session: Session,
    *,
    campaign_id: int,
    counter_id: int,
    staff_member_id: int | None = None,
    rotating: bool = False,
    expires_at: datetime | None = None,
    now: datetime,
) -> QrLink:
    """Create a survey link for a counter of the campaign's organisation. Does not commit."""
    campaign = session.get(Campaign, campaign_id)
    counter = session.get(Counter, counter_id)
    if campaign is None or counter is None:
        raise NotFound("campaign or counter")
    site = session.get(Site, counter.site_id)
    if site is None or site.organisation_id != campaign.organisation_id:
        raise NotFound("counter of another organisation")
    if staff_member_id is not None:
        staff = session.get(StaffMember, staff_member_id)
        if staff is None or staff.organisation_id != campaign.organisation_id:
            raise NotFound("staff member")
    link = QrLink(
        token=new_token(),
        display_token=new_token(),
        campaign_id=campaign_id,
        counter_id=counter_id,
        staff_member_id=staff_member_id,
        rotating=rotating,
        created_at=now,
        expires_at=expires_at,
    )
    session.add(link)
    session.flush()
    return link


def revoke_link(session: Session, *, token: str, now: datetime) -> QrLink:
    """Withdraw a link; it answers 410 from now on. Does not commit."""
    link = session.exec(select(QrLink).where(QrLink.token == token)).first()
    if link is None:
        raise LinkNotFound(token)
    if link.revoked_at is None:
        link.revoked_at = now
        session.add(link)
    return link


@dataclass(frozen=True)
class RotatingCode:
    """The time window a rotating code belongs to and its signature."""

    window: int
    signature: str


def rotation_window(now: datetime, *, period_seconds: int) -> int:
    """The number of the ``period_seconds``-long window that contains ``now``."""
    return int(now.timestamp()) // period_seconds


def sign_window(token: str, window: int, *, secret: str) -> str:
    """HMAC-SHA256 of the token and window, shortened to 64 bits (hex)."""
    message = f"{token}:{window}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:16]


def current_code(token: str, *, now: datetime, period_seconds: int, secret: str) -> RotatingCode:
    """The rotating code a counter display shows at ``now``."""
    window = rotation_window(now, period_seconds=period_seconds)
    return RotatingCode(window=window, signature=sign_window(token, window, secret=secret))


@dataclass(frozen=True)
class FormPass:
    """Proof that a rotating code's page was shown while the code was fresh: when
    (``issued_at``, seconds since the epoch) and for which form (``submission_key``)."""

    issued_at: int
    submission_key: str


def _pass_signature(token: str, window: int, issued_at: int, key: str, *, secret: str) -> str:
    message = f"pass:{token}:{window}:{issued_at}:{key}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]


def issue_form_pass(
    token: str, code: RotatingCode, submission_key: str, *, issued_at: int, secret: str
) -> str:
    """The pass a rotating code's form carries (``issued~key~signature``): signed over the
    link, the code's window, the moment the page was shown and the form's one submission
    key, so it serves one form of one link, once."""
    signature = _pass_signature(token, code.window, issued_at, submission_key, secret=secret)
    return f"{issued_at}~{submission_key}~{signature}"


def check_form_pass(
    token: str,
    code: RotatingCode | None,
    form_pass: str,
    *,
    now: datetime,
    period_seconds: int,
    grace_windows: int,
    lifetime_seconds: int,
    secret: str,
) -> FormPass:
    """Accept a form of a rotating link only with a genuine pass for its code (404
    otherwise), issued when the code passed the page's own check (the same grace as the
    page, so an old photo of the screen opens no form) and at most ``lifetime_seconds``
    ago (410 after: the customer was too slow, or the pass was kept)."""
    parts = form_pass.split("~")
    if code is None or len(parts) != 3 or not all(part.isascii() for part in parts):
        raise LinkNotFound(token)
    issued_text, key, signature = parts
    if not issued_text.isdecimal() or len(issued_text) > 12:
        raise LinkNotFound(token)
    issued_at = int(issued_text)
    expected = _pass_signature(token, code.window, issued_at, key, secret=secret)
    if not hmac.compare_digest(signature, expected) or issued_at > now.timestamp() + 1:
        raise LinkNotFound(token)
    if now.timestamp() - issued_at > lifetime_seconds:
        raise LinkExpired(token)
    check_rotating_code(
        token,
        code,
        now=datetime.fromtimestamp(issued_at, UTC),
        period_seconds=period_seconds,
        grace_windows=grace_windows,
        secret=secret,
    )
    return FormPass(issued_at, key)


def check_rotating_code(
    token: str,
    code: RotatingCode | None,
    *,
    now: datetime,
    period_seconds: int,
    grace_windows: int,
    secret: str,
) -> None:
    """Accept a code for the current window or up to ``grace_windows`` before it.

    A missing or forged signature is treated like an unknown link (404): it proves nothing.
    A genuine but old code is expired (410).
    """
    if (
        code is None
        or not code.signature.isascii()
        or not hmac.compare_digest(code.signature, sign_window(token, code.window, secret=secret))
    ):
        raise LinkNotFound(token)
    current = rotation_window(now, period_seconds=period_seconds)
    if code.window > current:
        raise LinkNotFound(token)
    if code.window < current - grace_windows:
        raise LinkExpired(token)


def withdraw_clerk_links(
    session: Session, *, staff_id: int, now: datetime, site_id: int | None = None
) -> None:
    """Withdraw a clerk's own live links (per-clerk posters) at ``now``, all of them or only
    those at the counters of ``site_id``, so no new answer is filed under the clerk there.
    Does not commit."""
    query = select(QrLink).where(
        QrLink.staff_member_id == staff_id, col(QrLink.revoked_at).is_(None)
    )
    if site_id is not None:
        query = query.where(
            col(QrLink.counter_id).in_(select(Counter.id).where(Counter.site_id == site_id))
        )
    for link in session.exec(query).all():
        link.revoked_at = now
        session.add(link)


def get_link(session: Session, token: str) -> QrLink | None:
    """The link with this token, whatever its state."""
    if not token or len(token) > 64:
        return None
    return session.exec(select(QrLink).where(QrLink.token == token)).first()


def get_link_or_raise(session: Session, token: str, *, now: datetime) -> QrLink:
    """The link with this token if it may be answered now.

    Raises :class:`LinkNotFound` (no such token), :class:`LinkRevoked`,
    :class:`LinkExpired` (the link's own expiry or its campaign's last day has passed, or
    the campaign was ended; the day is judged in the time zone of ``now``, so pass the local
    time) or :class:`CampaignNotRunning` (a campaign not started yet, or paused).
    """
    link = get_link(session, token)
    if link is None:
        raise LinkNotFound(token)
    if link.revoked_at is not None:
        raise LinkRevoked(token)
    if link.expires_at is not None and link.expires_at <= now:
        raise LinkExpired(token)
    campaign = session.get(Campaign, link.campaign_id)
    if campaign is None:
        raise LinkNotFound(token)
    if now.date() > campaign.ends_on or campaign.status == CampaignStatus.ended:
        raise LinkExpired(token)
    if campaign.status != CampaignStatus.running:
        raise CampaignNotRunning(token)
    return link


@dataclass(frozen=True)
class PosterPlace:
    """What a poster shows besides its QR code."""

    token: str
    organisation: str
    hotline: str
    site_id: int
    site: str
    counter_code: str
    counter: str
    staff_name: str | None
    job_number: str | None
    staff_photo_path: str | None = None
    """The clerk's photo as stored (see survey.evidence.clerk_photos), shown on the poster
    as halls show it."""


def poster_places(
    session: Session, *, now: datetime, site_id: int | None = None, campaign_id: int | None = None
) -> list[PosterPlace]:
    """Every printable link (usable now, not rotating), optionally of one site or one
    campaign (a hall taking part in a regulator's evaluation has a poster for each).

    A clerk's own link names the clerk; a counter's names nobody, as the poster stays
    while clerks change shifts (the survey page names the clerk on duty).
    """
    query = (
        select(QrLink, Counter, Site, Organisation)
        .join(Counter, col(Counter.id) == QrLink.counter_id)
        .join(Site, col(Site.id) == Counter.site_id)
        .join(Organisation, col(Organisation.id) == Site.organisation_id)
        .where(col(QrLink.revoked_at).is_(None), col(QrLink.rotating).is_(False))
        .order_by(col(Site.id), col(Counter.code), col(QrLink.id))
    )
    if site_id is not None:
        query = query.where(Site.id == site_id)
    if campaign_id is not None:
        query = query.where(QrLink.campaign_id == campaign_id)
    places = []
    for link, counter, site, organisation in session.exec(query).all():
        if link.expires_at is not None and link.expires_at <= now:
            continue
        staff = session.get(StaffMember, link.staff_member_id) if link.staff_member_id else None
        assert site.id is not None
        places.append(
            PosterPlace(
                token=link.token,
                organisation=organisation.name,
                hotline=organisation.hotline,
                site_id=site.id,
                site=site.name,
                counter_code=counter.code,
                counter=counter.name,
                staff_name=staff.display_name if staff else None,
                job_number=staff.job_number if staff else None,
                staff_photo_path=staff.photo_path if staff else None,
            )
        )
    return places


def ensure_campaign_links(
    session: Session, *, campaign_id: int, rotating: bool = False, now: datetime
) -> list[QrLink]:
    """Create the missing links of a campaign: one per counter of its halls (all of its
    organisation's when it names none), or, when the campaign rates clerks
    (``per_staff``), one per counter and present clerk of its site.

    Existing usable links are kept, so running it again after adding a counter only adds
    that counter's links. Returns the links created. Does not commit.
    """
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound(f"campaign {campaign_id}")
    query = (
        select(Counter)
        .join(Site, col(Site.id) == Counter.site_id)
        .where(Site.organisation_id == campaign.organisation_id)
        .order_by(col(Counter.site_id), col(Counter.code))
    )
    halls = select(CampaignSite.site_id).where(CampaignSite.campaign_id == campaign_id)
    if session.exec(halls.limit(1)).first() is not None:
        query = query.where(col(Counter.site_id).in_(halls))
    counters = session.exec(query).all()
    existing = {
        (link.counter_id, link.staff_member_id)
        for link in session.exec(
            select(QrLink).where(
                QrLink.campaign_id == campaign_id,
                col(QrLink.revoked_at).is_(None),
                col(QrLink.rotating).is_(rotating),
            )
        ).all()
        if link.expires_at is None or link.expires_at > now
    }
    wanted: list[tuple[int, int | None]] = []
    for counter in counters:
        assert counter.id is not None
        if campaign.per_staff:
            staff_ids = session.exec(
                select(StaffMember.id)
                .where(StaffMember.site_id == counter.site_id, col(StaffMember.left_on).is_(None))
                .order_by(col(StaffMember.job_number))
            ).all()
            wanted += [(counter.id, staff_id) for staff_id in staff_ids if staff_id is not None]
        else:
            wanted.append((counter.id, None))
    created = [
        create_link(
            session,
            campaign_id=campaign_id,
            counter_id=counter_id,
            staff_member_id=staff_id,
            rotating=rotating,
            now=now,
        )
        for counter_id, staff_id in wanted
        if (counter_id, staff_id) not in existing
    ]
    return created
