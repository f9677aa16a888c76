"""The counter display: a screen at the counter showing the clerk on duty and a QR code.

For a rotating link the code changes every rotation period; the page reloads itself when
the window ends (a meta refresh, so it works without JavaScript on any old tablet).
"""

from fastapi import APIRouter, Request
from sqlmodel import select
from starlette.responses import Response

from api.deps import NowDep, SessionDep, SettingsDep
from api.printing.posters import qr_matrix_svg
from api.settings import public_address
from api.templating import render
from survey.errors import LinkNotFound
from survey.models import Counter, Organisation, QrLink, Site, StaffMember
from survey.places.duty import clerk_on_duty
from survey.places.links import current_code, get_link_or_raise, rotation_window

router = APIRouter()


@router.get("/display/{display_token}")
def show_counter_display(
    request: Request, display_token: str, session: SessionDep, now: NowDep, settings: SettingsDep
) -> Response:
    link = session.exec(select(QrLink).where(QrLink.display_token == display_token[:64])).first()
    if link is None:
        raise LinkNotFound(display_token)
    link = get_link_or_raise(session, link.token, now=now)
    url = f"{public_address(session, settings)}/s/{link.token}"
    refresh_seconds = 600
    if link.rotating:
        code = current_code(
            link.token,
            now=now,
            period_seconds=settings.rotation_seconds,
            secret=settings.resolved_secret_key(),
        )
        url += f"?w={code.window}&sig={code.signature}"
        next_window_start = (rotation_window(now, period_seconds=settings.rotation_seconds) + 1) * (
            settings.rotation_seconds
        )
        refresh_seconds = max(1, next_window_start - int(now.timestamp()))
    counter = session.get(Counter, link.counter_id)
    assert counter is not None and counter.id is not None
    site = session.get(Site, counter.site_id)
    assert site is not None
    staff = (
        session.get(StaffMember, link.staff_member_id)
        if link.staff_member_id
        else clerk_on_duty(session, counter_id=counter.id, at=now)
    )
    response: Response = render(
        request,
        "customer/display.html",
        {
            "organisation": session.get(Organisation, site.organisation_id),
            "site": site,
            "counter": counter,
            "staff": staff,
            "qr_svg": qr_matrix_svg(url, size_px=360),
            "survey_url": url,
            "refresh_seconds": refresh_seconds,
            "hotline": settings.supervision_hotline,
        },
    )
    response.headers["Cache-Control"] = "no-store"
    return response
