"""``/regulator/publications``: freeze a quarter of an evaluation into a notice, send it
for review, publish it, correct a published one by a new version, discard a draft; each
version's frozen figures and its JSON download."""

from datetime import date, datetime

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import RedirectResponse, Response

from api.deps import NowDep, SessionDep, zone_of
from api.forms import PostedFormDep, check_csrf, chosen_id
from api.notices import correction_changes, notice_json, notice_pdf, notice_view
from api.refused import Refused, form_round_trip
from api.regulator.complaints import quarter_of
from api.regulator.scope import RegulatorAccount, authority_of
from api.templating import render
from survey.accounts import Account
from survey.models import Publication
from survey.places.changes import committed
from survey.regulation.evaluations import evaluations_of
from survey.regulation.publications import (
    advance,
    correct,
    discard,
    freeze,
    people,
    publication_of,
    publications_of,
    quarter_label,
)
from survey.stats.dashboard import add_months

router = APIRouter()
QUARTERS_OFFERED = 8


def _today(request: Request, now: datetime) -> date:
    return now.astimezone(zone_of(request)).date()


def _list_page(
    request: Request,
    session: Session,
    account: Account,
    today: date,
    refused: Refused | None = None,
) -> Response:
    authority_id = authority_of(account)
    first, _ = quarter_of(today)
    quarters = [quarter_label(add_months(first, -3 * back)) for back in range(QUARTERS_OFFERED)]
    return render(
        request,
        "regulator/publications.html",
        {
            "account": account,
            "publications": publications_of(session, authority_id),
            "evaluations": [(e.id, e.name) for e in evaluations_of(session, authority_id)],
            "quarters": [(q, q) for q in quarters],
            "default_quarter": quarters[1],
            "refused": refused,
        },
        status_code=422 if refused else 200,
    )


@router.get("/regulator/publications")
def show_publications(
    request: Request, account: RegulatorAccount, session: SessionDep, now: NowDep
) -> Response:
    """Every version of every notice, and a form to freeze a quarter."""
    return _list_page(request, session, account, _today(request, now))


@router.post("/regulator/publications")
def submit_publication(
    request: Request,
    form: PostedFormDep,
    account: RegulatorAccount,
    session: SessionDep,
    now: NowDep,
) -> Response:
    """Freeze the quarter's figures of an evaluation into a draft notice."""
    check_csrf(request, form)

    def make(values: dict[str, str]) -> Publication:
        evaluation = values["evaluation"]
        return committed(
            session,
            freeze,
            authority_id=authority_of(account),
            evaluation_id=chosen_id(evaluation),
            period=values["period"].strip(),
            user_id=account.id,
            now=now,
            timezone=zone_of(request),
        )

    return form_round_trip(
        request,
        form,
        form_id="publication",
        fields=("evaluation", "period"),
        change=make,
        page=lambda refused: _list_page(request, session, account, _today(request, now), refused),
        done=lambda publication: f"/regulator/publications/{publication.id}",
    )


def _page(
    request: Request,
    session: Session,
    account: Account,
    publication: Publication,
    refused: Refused | None = None,
) -> Response:
    return render(
        request,
        "regulator/publication.html",
        {
            "account": account,
            "publication": publication,
            "notice": notice_view(request, session, publication),
            "changes": correction_changes(session, publication),
            "people": people(session, publication),
            "refused": refused,
        },
        status_code=422 if refused else 200,
    )


@router.get("/regulator/publications/{publication_id}")
def show_publication(
    request: Request, publication_id: int, account: RegulatorAccount, session: SessionDep
) -> Response:
    """One version: its frozen figures, where it stands, who took each step."""
    publication = publication_of(session, authority_of(account), publication_id)
    return _page(request, session, account, publication)


@router.get("/regulator/publications/{publication_id}/notice.json")
def download_publication(
    publication_id: int, account: RegulatorAccount, session: SessionDep
) -> Response:
    """The version's content and its SHA-256, as ``manyi publication verify`` reads it."""
    return notice_json(publication_of(session, authority_of(account), publication_id))


@router.get("/regulator/publications/{publication_id}/notice.pdf")
def download_publication_pdf(
    request: Request, publication_id: int, account: RegulatorAccount, session: SessionDep
) -> Response:
    """The version as an A4 PDF (a draft too, for the review)."""
    return notice_pdf(
        request, session, publication_of(session, authority_of(account), publication_id)
    )


@router.post("/regulator/publications/{publication_id}/advance")
def submit_advance(
    request: Request,
    publication_id: int,
    form: PostedFormDep,
    account: RegulatorAccount,
    session: SessionDep,
    now: NowDep,
) -> Response:
    """Send a draft for review, or publish a reviewed version (409 for a published one)."""
    check_csrf(request, form)
    publication = publication_of(session, authority_of(account), publication_id)
    committed(session, advance, publication, user_id=account.id, now=now)
    return RedirectResponse(f"/regulator/publications/{publication_id}", status_code=303)


@router.post("/regulator/publications/{publication_id}/discard")
def submit_discard(
    request: Request,
    publication_id: int,
    form: PostedFormDep,
    account: RegulatorAccount,
    session: SessionDep,
) -> Response:
    """Throw away a version not yet published (409 for a published one)."""
    check_csrf(request, form)
    publication = publication_of(session, authority_of(account), publication_id)
    committed(session, discard, publication)
    return RedirectResponse("/regulator/publications", status_code=303)


@router.post("/regulator/publications/{publication_id}/correct")
def submit_correction(
    request: Request,
    publication_id: int,
    form: PostedFormDep,
    account: RegulatorAccount,
    session: SessionDep,
    now: NowDep,
) -> Response:
    """Start the next version of a published notice, computed afresh, saying why."""
    check_csrf(request, form)
    publication = publication_of(session, authority_of(account), publication_id)
    return form_round_trip(
        request,
        form,
        form_id="correction",
        fields=("reason",),
        change=lambda values: committed(
            session,
            correct,
            publication,
            reason=values["reason"],
            user_id=account.id,
            now=now,
            timezone=zone_of(request),
        ),
        page=lambda refused: _page(request, session, account, publication, refused),
        done=lambda made: f"/regulator/publications/{made.id}",
    )
