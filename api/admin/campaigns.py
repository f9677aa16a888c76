"""``/admin/campaigns``: create a campaign, start, pause or end it, create its links; a
hall's posters as one PDF sheet; withdraw a link."""

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import RedirectResponse, Response

from api.admin.scope import (
    AdminReader,
    CurrentAdmin,
    chosen_organisation,
    own_campaign,
    own_counter,
    own_site,
)
from api.deps import NowDep, SessionDep
from api.forms import PostedFormDep, check_csrf, chosen_id
from api.printing.posters import poster_info, site_sheet_pdf
from api.refused import Refused, form_day, form_round_trip
from api.settings import public_address, settings_of
from api.templating import render
from survey.accounts import Account
from survey.errors import N_, FieldError, InvalidAnswer, NotFound
from survey.models import Campaign, CampaignMode, CampaignStatus, QrLink, Role
from survey.places.campaigns import ALLOWED_MOVES, create_campaign, move_campaign
from survey.places.changes import committed
from survey.places.links import ensure_campaign_links, poster_places, revoke_link
from survey.places.organisations import sites_of
from survey.places.queries import organisation_campaigns
from survey.questionnaires.instruments import instrument_choices

router = APIRouter()
CAMPAIGN_FIELDS = (
    "name",
    "instrument",
    "mode",
    "starts_on",
    "ends_on",
    "items_per_dimension",
    "per_staff",
    "ask_importance",
)
PDF = "application/pdf"


def _campaigns_page(
    request: Request,
    session: Session,
    account: Account,
    organisation_id: int,
    refused: Refused | None = None,
) -> Response:
    return render(
        request,
        "admin/campaigns.html",
        {
            "account": account,
            "can_change": account.role == Role.admin,
            "organisation_id": organisation_id,
            "rows": organisation_campaigns(session, organisation_id),
            "halls": sites_of(session, organisation_id),
            "instruments": [
                (i.id, f"{i.key} v{i.version}")
                for i in instrument_choices(session, organisation_id)
            ],
            "moves": {
                status.value: {to.value for to in allowed}
                for status, allowed in ALLOWED_MOVES.items()
            },
            "refused": refused,
            "saved": request.query_params.get("saved", ""),
        },
        status_code=422 if refused else 200,
    )


@router.get("/admin/campaigns")
def show_campaigns(request: Request, account: AdminReader, session: SessionDep) -> Response:
    """The organisation's campaigns with their status, links and answers."""
    organisation_id = chosen_organisation(account, request.query_params.get("organisation"))
    return _campaigns_page(request, session, account, organisation_id)


def _count(value: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not value.isdecimal() or len(value) > 3:
        raise InvalidAnswer(
            {"items_per_dimension": FieldError(N_("Ask at least one item per dimension."))}
        )
    return int(value)


@router.post("/admin/campaigns")
def submit_campaign(
    request: Request, form: PostedFormDep, account: CurrentAdmin, session: SessionDep
) -> Response:
    """Create a campaign as a draft."""
    check_csrf(request, form)
    organisation_id = chosen_organisation(account, form.get("organisation") or "0")
    halls = sites_of(session, organisation_id)
    fields = CAMPAIGN_FIELDS + tuple(f"site-{site.id}" for site in halls)

    def create(values: dict[str, str]) -> Campaign:
        instrument = values["instrument"]
        if values["mode"] not in {mode.value for mode in CampaignMode}:
            raise InvalidAnswer({"mode": FieldError(N_("Please choose how items are asked."))})
        return committed(
            session,
            create_campaign,
            organisation_id=organisation_id,
            instrument_id=chosen_id(instrument),
            name=values["name"],
            starts_on=form_day(values["starts_on"], "starts_on"),
            ends_on=form_day(values["ends_on"], "ends_on"),
            mode=CampaignMode(values["mode"]),
            items_per_dimension=_count(values["items_per_dimension"]),
            per_staff=bool(values["per_staff"]),
            ask_importance=bool(values["ask_importance"]),
            status=CampaignStatus.draft,
            site_ids=[site.id for site in halls if site.id and values[f"site-{site.id}"]],
        )

    return form_round_trip(
        request,
        form,
        form_id="campaign",
        fields=fields,
        change=create,
        page=lambda refused: _campaigns_page(request, session, account, organisation_id, refused),
        done=lambda _: f"/admin/campaigns?organisation={organisation_id}&saved=campaign",
    )


def _move(
    request: Request,
    campaign_id: int,
    form: PostedFormDep,
    account: Account,
    session: Session,
    to: CampaignStatus,
) -> Response:
    check_csrf(request, form)
    campaign = own_campaign(session, account, campaign_id)
    committed(session, move_campaign, campaign_id=campaign_id, to=to)
    return RedirectResponse(
        f"/admin/campaigns?organisation={campaign.organisation_id}&saved={to.value}",
        status_code=303,
    )


@router.post("/admin/campaigns/{campaign_id}/start")
def submit_campaign_start(
    request: Request,
    campaign_id: int,
    form: PostedFormDep,
    account: CurrentAdmin,
    session: SessionDep,
) -> Response:
    """Open a draft or paused campaign to answers (409 for an ended one)."""
    return _move(request, campaign_id, form, account, session, CampaignStatus.running)


@router.post("/admin/campaigns/{campaign_id}/pause")
def submit_campaign_pause(
    request: Request,
    campaign_id: int,
    form: PostedFormDep,
    account: CurrentAdmin,
    session: SessionDep,
) -> Response:
    return _move(request, campaign_id, form, account, session, CampaignStatus.paused)


@router.post("/admin/campaigns/{campaign_id}/end")
def submit_campaign_end(
    request: Request,
    campaign_id: int,
    form: PostedFormDep,
    account: CurrentAdmin,
    session: SessionDep,
) -> Response:
    return _move(request, campaign_id, form, account, session, CampaignStatus.ended)


@router.post("/admin/campaigns/{campaign_id}/links")
def submit_campaign_links(
    request: Request,
    campaign_id: int,
    form: PostedFormDep,
    account: CurrentAdmin,
    session: SessionDep,
    now: NowDep,
) -> Response:
    """Create the campaign's missing links: printed posters, or counter displays."""
    check_csrf(request, form)
    campaign = own_campaign(session, account, campaign_id)
    created = committed(
        session,
        ensure_campaign_links,
        campaign_id=campaign_id,
        rotating=form.get("rotating") == "1",
        now=now,
    )
    return RedirectResponse(
        f"/admin/campaigns?organisation={campaign.organisation_id}&saved=links-{len(created)}",
        status_code=303,
    )


@router.post("/admin/links/{link_id}/revoke")
def submit_link_revoke(
    request: Request,
    link_id: int,
    form: PostedFormDep,
    account: CurrentAdmin,
    session: SessionDep,
    now: NowDep,
) -> Response:
    """Withdraw one link (a stolen or misplaced poster): it answers 410 from now on."""
    check_csrf(request, form)
    link = session.get(QrLink, link_id)
    if link is None or link.revoked_at is not None:
        raise NotFound(f"link {link_id}")
    counter = own_counter(session, account, link.counter_id)
    committed(session, revoke_link, token=link.token, now=now)
    return RedirectResponse(f"/admin/sites/{counter.site_id}?saved=revoked#links", status_code=303)


@router.get("/admin/sites/{site_id}/posters.pdf")
def show_site_posters(
    request: Request, site_id: int, account: AdminReader, session: SessionDep, now: NowDep
) -> Response:
    """One A4 sheet per printable link of the hall, carrying the stored public address."""
    own_site(session, account, site_id)
    settings = settings_of(request)
    base_url = public_address(session, settings)
    places = poster_places(session, now=now, site_id=site_id)
    if not places:
        raise NotFound(f"posters of site {site_id}")
    pdf = site_sheet_pdf(
        [
            poster_info(
                place,
                base_url=base_url,
                hotline=settings.supervision_hotline,
                data_dir=settings.data_dir,
            )
            for place in places
        ]
    )
    return Response(
        pdf,
        media_type=PDF,
        headers={"Content-Disposition": f'attachment; filename="site-{site_id}-posters.pdf"'},
    )
