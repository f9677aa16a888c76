"""``/notices``: the regulators' published notices, for anyone (no login), in the three
languages: the list, one notice with its figures (and the version that corrects it, if
any), and its JSON and CSV downloads. Drafts and notices in review are not found here."""

from fastapi import APIRouter, Request
from sqlmodel import Session, select
from starlette.responses import Response

from api.deps import SessionDep
from api.exports.tables import table_download
from api.notices import correction_changes, notice_json, notice_pdf, notice_view
from api.templating import render
from survey.errors import NotFound
from survey.models import Authority, Publication, PublicationStatus
from survey.regulation.publications import published

router = APIRouter()


def _published(session: Session, publication_id: int) -> Publication:
    publication = session.get(Publication, publication_id)
    if publication is None or publication.status != PublicationStatus.published:
        raise NotFound(f"notice {publication_id}")
    return publication


@router.get("/notices")
def show_notices(request: Request, session: SessionDep) -> Response:
    """Every published notice, the latest period first."""
    names = {a.id: a.name for a in session.exec(select(Authority)).all()}
    return render(
        request,
        "public/notices.html",
        {"rows": [(names.get(p.authority_id, ""), p) for p in published(session)]},
    )


@router.get("/notices/{publication_id}")
def show_notice(request: Request, publication_id: int, session: SessionDep) -> Response:
    """One published notice; a later version that corrects it is linked from it."""
    publication = _published(session, publication_id)
    newer = session.exec(
        select(Publication).where(
            Publication.corrects_id == publication.id,
            Publication.status == PublicationStatus.published,
        )
    ).first()
    return render(
        request,
        "public/notice.html",
        {
            "publication": publication,
            "notice": notice_view(request, session, publication),
            "changes": correction_changes(session, publication),
            "newer": newer,
        },
    )


@router.get("/notices/{publication_id}/notice.json")
def download_notice_json(publication_id: int, session: SessionDep) -> Response:
    """The notice's content and its SHA-256."""
    return notice_json(_published(session, publication_id))


@router.get("/notices/{publication_id}/notice.pdf")
def download_notice_pdf(request: Request, publication_id: int, session: SessionDep) -> Response:
    """The notice as an A4 PDF, in the request's language."""
    return notice_pdf(request, session, _published(session, publication_id))


@router.get("/notices/{publication_id}/operators.csv")
def download_notice_csv(request: Request, publication_id: int, session: SessionDep) -> Response:
    """The operators' indices as CSV, in the request's language."""
    publication = _published(session, publication_id)
    table = notice_view(request, session, publication).operators
    name = f"notice-{publication.period}-v{publication.version}-operators"
    body, media_type, disposition = table_download(table, "csv", name)
    return Response(body, media_type=media_type, headers={"Content-Disposition": disposition})
