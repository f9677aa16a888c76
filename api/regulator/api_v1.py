"""``/api/v1``: the same numbers as the regulator's pages, for its own programs.

A program sends ``Authorization: Bearer mny_…`` (a token made on ``/regulator/tokens``):
no token, an unknown, revoked or expired one is a 401; a token without the scope a route
needs is a 403; another authority's operator, evaluation or notice is a 404. Every answer
carries an ``ETag`` (``If-None-Match`` gives 304); ``Accept: text/csv`` gives the rows as
CSV; lists are paged (``page``, ``per_page``, with a ``Link`` to the next page).
"""

import csv
import hashlib
import io
import json
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session
from starlette.exceptions import HTTPException
from starlette.responses import Response

from api.deps import NowDep, SessionDep, zone_of
from api.exports.cells import csv_cell
from api.regulator.complaints import month_range
from api.regulator.evaluations import evaluation_months, min_n_of
from survey.errors import NotFound
from survey.regulation.authorities import operators
from survey.regulation.comparison import number, operator_comparison, operator_figures
from survey.regulation.complaints import operator_complaints
from survey.regulation.evaluations import evaluation_of, evaluations_of
from survey.regulation.publications import notice_file, publication_of, publications_of
from survey.regulation.tokens import TokenRefused, token_for

router = APIRouter(prefix="/api/v1", tags=["regulators"])
bearer = HTTPBearer(auto_error=False, description="An API token made on /regulator/tokens")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
MAX_PER_PAGE = 200


def _authority(scope: str) -> Callable[..., int]:
    def check(credentials: Credentials, session: SessionDep, now: NowDep) -> int:
        try:
            if credentials is None:
                raise TokenRefused(401, "send Authorization: Bearer <token>")
            token = token_for(session, secret=credentials.credentials, scope=scope, now=now)
        except TokenRefused as refused:
            headers = (
                {"WWW-Authenticate": 'Bearer realm="manyi"'} if refused.status == 401 else None
            )
            raise HTTPException(refused.status, refused.reason, headers=headers) from None
        return token.authority_id

    return check


IndicesReader = Annotated[int, Depends(_authority("indices"))]
ComplaintsReader = Annotated[int, Depends(_authority("complaints"))]


def _reply(request: Request, data: dict[str, Any], rows: list[dict[str, Any]]) -> Response:
    """JSON (or, when the program accepts ``text/csv`` first, ``rows`` as CSV) with an
    ETag of the body; 304 when the program already holds it."""
    if request.headers.get("accept", "").startswith("text/csv"):
        out = io.StringIO()
        columns = list(dict.fromkeys(key for row in rows for key in row))
        writer = csv.DictWriter(out, columns, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow(
                {
                    k: json.dumps(v) if isinstance(v, list | dict) else csv_cell(v)
                    for k, v in row.items()
                }
            )
        body, media_type = out.getvalue(), "text/csv; charset=utf-8"
    else:
        body, media_type = json.dumps(data, ensure_ascii=False), "application/json"
    etag = '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers={"ETag": etag})
    return Response(body, media_type=media_type, headers={"ETag": etag})


def _page(request: Request, items: list[Any]) -> tuple[list[Any], dict[str, str]]:
    def whole(name: str, default: int, high: int) -> int:
        value = request.query_params.get(name, str(default))
        if not value.isdecimal() or not 1 <= int(value) <= high:
            raise HTTPException(422, f"{name} must be a whole number from 1 to {high}")
        return int(value)

    page = whole("page", 1, 1_000_000)
    per_page = whole("per_page", 50, MAX_PER_PAGE)
    start = (page - 1) * per_page
    headers = {}
    if start + per_page < len(items):
        headers["Link"] = f'<{request.url.include_query_params(page=page + 1)}>; rel="next"'
    return items[start : start + per_page], headers


def _operator_filter(request: Request, session: Session, authority_id: int) -> int | None:
    value = request.query_params.get("operator", "").strip()
    if not value:
        return None
    if not value.isdecimal() or int(value) not in {o.id for o in operators(session, authority_id)}:
        raise NotFound(f"operator {value}")
    return int(value)


@router.get("/operators")
def list_operators(request: Request, authority_id: IndicesReader, session: SessionDep) -> Response:
    """The operators the token's authority oversees."""
    rows = [{"id": o.id, "name": o.name} for o in operators(session, authority_id)]
    return _reply(request, {"operators": rows}, rows)


@router.get("/evaluations")
def list_evaluations(
    request: Request, authority_id: IndicesReader, session: SessionDep
) -> Response:
    """The authority's evaluations, the latest first."""
    rows = [
        {
            "id": e.id,
            "name": e.name,
            "starts_on": e.starts_on.isoformat(),
            "ends_on": e.ends_on.isoformat(),
            "mode": e.mode.value,
            "answers_per_hall": e.answers_per_hall,
        }
        for e in evaluations_of(session, authority_id)
    ]
    return _reply(request, {"evaluations": rows}, rows)


@router.get("/evaluations/{evaluation_id}/indices")
def read_indices(
    request: Request,
    evaluation_id: int,
    authority_id: IndicesReader,
    session: SessionDep,
    now: NowDep,
) -> Response:
    """Each operator's satisfaction index with its 95 % interval and n, fair rank and
    dimension gaps, as on the evaluation's page (``first_month``, ``last_month``,
    ``min_n``, ``operator``)."""
    evaluation = evaluation_of(session, authority_id, evaluation_id)
    since, until = evaluation_months(request, evaluation, now.astimezone(zone_of(request)).date())
    chosen = _operator_filter(request, session, authority_id)
    comparison = operator_comparison(
        session, evaluation, since=since, until=until, min_n=min_n_of(request)
    )
    rows = [row for row in operator_figures(comparison) if chosen in (None, row["id"])]
    data = {
        "evaluation": evaluation.id,
        "since": since.isoformat(),
        "until": until.isoformat(),
        "instrument": comparison.instrument,
        "method": comparison.method,
        "min_n": comparison.min_n,
        "operators": rows,
    }
    return _reply(request, data, rows)


@router.get("/complaints")
def read_complaints(
    request: Request, authority_id: ComplaintsReader, session: SessionDep, now: NowDep
) -> Response:
    """Per operator the cases received, answered in time, late and running, the on-time
    rate with its Wilson interval and the complaints per category (``first_month``,
    ``last_month``: this quarter by default; ``operator``)."""
    zone = zone_of(request)
    since, until = month_range(request, now.astimezone(zone).date())
    chosen = _operator_filter(request, session, authority_id)
    rows = [
        {
            "id": row.organisation_id,
            "name": row.name,
            "received": row.received,
            "answered_in_time": row.on_time,
            "late": row.late,
            "still_running": row.pending,
            "on_time_rate": number(row.rate.share),
            "on_time_ci95": [number(row.rate.low), number(row.rate.high)],
            "by_category": row.by_category,
        }
        for row in operator_complaints(
            session,
            organisations=operators(session, authority_id),
            since=datetime.combine(since, datetime.min.time(), tzinfo=zone),
            until=datetime.combine(until, datetime.min.time(), tzinfo=zone),
            now=now,
        )
        if chosen in (None, row.organisation_id)
    ]
    data = {"since": since.isoformat(), "until": until.isoformat(), "operators": rows}
    return _reply(request, data, rows)


@router.get("/publications")
def list_publications(
    request: Request, authority_id: IndicesReader, session: SessionDep
) -> Response:
    """The authority's published notices, the latest first, paged."""
    published = [
        {
            "id": p.id,
            "period": p.period,
            "version": p.version,
            "corrects": p.corrects_id,
            "sha256": p.content_hash,
            "published_at": p.published_at.isoformat() if p.published_at else None,
        }
        for p in publications_of(session, authority_id)
        if p.status.value == "published"
    ]
    rows, headers = _page(request, published)
    response = _reply(request, {"publications": rows, "total": len(published)}, rows)
    response.headers.update(headers)
    return response


@router.get("/publications/{publication_id}")
def read_publication(
    request: Request, publication_id: int, authority_id: IndicesReader, session: SessionDep
) -> Response:
    """A published notice: its content and that content's SHA-256."""
    publication = publication_of(session, authority_id, publication_id)
    if publication.status.value != "published":
        raise NotFound(f"publication {publication_id}")
    document = notice_file(publication)
    return _reply(request, document, document["content"]["operators"])
