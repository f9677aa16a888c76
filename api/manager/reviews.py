"""The review stage's pages: write a service's review for a period (the figures are
computed, the manager adds the audit findings, and it is frozen), read it, download it as
JSON or an A4 PDF with the gap chart drawn, and start the agreement's next version from it."""

import json
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from api import charts, i18n
from api.deps import CurrentManager, NowDep, SessionDep
from api.forms import PostedFormDep, check_csrf
from api.manager.actions import STATE_LABELS
from api.manager.services import GRAIN_LABELS, app_zone, on_service_page
from api.printing.notice_pdf import html_to_pdf
from api.refused import form_day
from api.templating import render, templates_of
from survey.accounts import Account
from survey.errors import FieldError, InvalidAnswer
from survey.lifecycle.reviews import Findings, freeze_review, review_document, review_of
from survey.lifecycle.services import service_of
from survey.models import Review, Service

router = APIRouter()
REVIEW_FIELDS = ("first", "last", "shortfalls", "changes", "told")


@router.post("/manager/services/{service_id}/reviews")
def write_review(
    request: Request,
    service_id: int,
    account: CurrentManager,
    session: SessionDep,
    now: NowDep,
    form: PostedFormDep,
) -> Response:
    """Freeze the service's review of the period; the page comes back (422) on bad input."""
    check_csrf(request, form)
    service = service_of(session, service_id, account.organisation_ids)
    timezone = app_zone(now)

    def change(values: dict[str, str]) -> int:
        errors: dict[str, FieldError] = {}
        days = {}
        for name in ("first", "last"):
            try:
                days[name] = form_day(values[name], name)
            except InvalidAnswer as invalid:
                errors.update(invalid.errors)
        if errors:
            raise InvalidAnswer(errors)
        review = freeze_review(
            session,
            service,
            first=days["first"],
            last=days["last"],
            findings=Findings(
                values["shortfalls"][:4000], values["changes"][:4000], values["told"][:1000]
            ),
            frozen_by=account.id,
            now=now,
            timezone=timezone,
        )
        session.commit()
        assert review.id is not None
        return review.id

    return on_service_page(
        request,
        session,
        account,
        service,
        now,
        form,
        form_id="review",
        fields=REVIEW_FIELDS,
        change=change,
        done=lambda review_id: f"/manager/reviews/{review_id}",
    )


def _context(
    request: Request, account: Account, review: Review, service: Service
) -> dict[str, Any]:
    content = review_document(review)
    locale = str(request.state.locale)
    return {
        "account": account,
        "review": review,
        "service": service,
        "content": content,
        "dimension_names": {
            d["code"]: d["names"].get(locale, d["code"])
            for d in (content["survey"] or {}).get("dimensions", [])
        },
        "grain_labels": GRAIN_LABELS,
        "state_labels": STATE_LABELS,
    }


def _review_and_service(
    session: SessionDep, review_id: int, account: Account
) -> tuple[Review, Service]:
    review = review_of(session, review_id, account.organisation_ids)
    service = session.get(Service, review.service_id)
    assert service is not None
    return review, service


@router.get("/manager/reviews/{review_id}.json")
def review_json(review_id: int, account: CurrentManager, session: SessionDep) -> Response:
    """The frozen review as a file: its content and the content's SHA-256."""
    review, _service = _review_and_service(session, review_id, account)
    body = json.dumps(
        {"content": review_document(review), "sha256": review.content_hash},
        ensure_ascii=False,
        indent=2,
    )
    return Response(
        body,
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="review-{review_id}.json"'},
    )


def gap_chart_svg(content: dict[str, Any], names: dict[str, str], locale: str) -> str | None:
    """The period's gap chart (the dashboard's spec) as a static SVG, from the frozen
    figures; None without a survey or without perceptions."""
    survey = content.get("survey")
    if not survey:
        return None
    rows = [
        charts.GapRow(
            names.get(d["code"], d["code"]),
            d["scores"].get("E"),
            d["scores"]["P"],
            d["scores"].get("G"),
        )
        for d in survey["dimensions"]
        if d["scores"].get("P") is not None
    ]
    if not rows:
        return None
    text = charts.translated_chart_text(lambda message: i18n.gettext(locale, message))
    return charts.chart_svg(charts.gap_chart(rows, text))


@router.get("/manager/reviews/{review_id}.pdf")
def review_pdf(
    request: Request, review_id: int, account: CurrentManager, session: SessionDep
) -> Response:
    """The review as an A4 PDF in the request's language: the gap chart drawn as SVG and
    the CJK font embedded; nothing is fetched while rendering."""
    review, service = _review_and_service(session, review_id, account)
    context = _context(request, account, review, service)
    locale = str(request.state.locale)
    context |= {
        "lang": locale.replace("_", "-"),
        "chart_svg": gap_chart_svg(context["content"], context["dimension_names"], locale),
    }
    html = templates_of(request).render_html(request, "print/review.html", context)
    return Response(
        html_to_pdf(html),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="review-{review_id}.pdf"'},
    )


# Declared after the .json and .pdf routes, which its integer id would otherwise refuse.
@router.get("/manager/reviews/{review_id}")
def review_page(
    request: Request, review_id: int, account: CurrentManager, session: SessionDep
) -> Response:
    review, service = _review_and_service(session, review_id, account)
    return render(request, "manager/review.html", _context(request, account, review, service))
