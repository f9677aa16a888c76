"""``/admin/import``: halls, counters and clerks from a CSV or XLSX table. The upload is
kept under its content hash and shown as a preview (new, changed, unchanged, and every
problem with its line and column); nothing is stored until the administrator confirms, and
then all of it or nothing."""

import hashlib
import re
from pathlib import Path

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import RedirectResponse, Response

from api.admin.scope import CurrentAdmin, chosen_organisation
from api.deps import NowDep, SessionDep
from api.forms import PostedFormDep, UploadFormDep, check_csrf
from api.settings import settings_of
from api.templating import render, translate_error
from survey.accounts import Account
from survey.errors import N_, FieldError, NotFound
from survey.imports.places_file import (
    COLUMNS,
    PlacesFileError,
    PlacesImportPlan,
    Problem,
    apply_places_import,
    plan_places_import,
    read_places_file,
)
from survey.places.changes import committed

router = APIRouter()
UPLOADS = "imports"
SHA256 = re.compile(r"[0-9a-f]{64}")
CHOOSE_A_FILE = N_("Choose a CSV or XLSX file.")
KEPT_UPLOADS = 20
"""Previewed tables waiting for confirmation; older ones are removed (previewed again)."""


def _upload_dir(request: Request) -> Path:
    return settings_of(request).data_dir / UPLOADS


def _page(
    request: Request,
    account: Account,
    organisation_id: int,
    *,
    plan: PlacesImportPlan | None = None,
    problems: tuple[Problem, ...] = (),
    upload: str = "",
    filename: str = "",
) -> Response:
    return render(
        request,
        "admin/import.html",
        {
            "account": account,
            "organisation_id": organisation_id,
            "columns": COLUMNS,
            "plan": plan,
            "problems": [(p.line, p.column, translate_error(request, p.error)) for p in problems],
            "upload": upload,
            "filename": filename,
        },
        status_code=422 if problems else 200,
    )


@router.get("/admin/import")
def show_import(request: Request, account: CurrentAdmin) -> Response:
    """The upload form, with the columns a table may have."""
    organisation_id = chosen_organisation(account, request.query_params.get("organisation"))
    return _page(request, account, organisation_id)


def _plan(
    session: Session, organisation_id: int, data: bytes, filename: str
) -> tuple[PlacesImportPlan | None, tuple[Problem, ...]]:
    try:
        rows = read_places_file(data, filename=filename)
    except PlacesFileError as error:
        return None, error.found
    plan = plan_places_import(session, organisation_id=organisation_id, rows=rows)
    return plan, plan.problems


@router.post("/admin/import")
def submit_import_preview(
    request: Request, form: UploadFormDep, account: CurrentAdmin, session: SessionDep
) -> Response:
    """Read the table and show what importing it would do; store nothing yet."""
    check_csrf(request, form)
    organisation_id = chosen_organisation(account, form.get("organisation") or "0")
    files = form.files_of("table")
    if form.too_large or not files or files[0].truncated or not files[0].data:
        problem = Problem(0, "", FieldError(CHOOSE_A_FILE))
        return _page(request, account, organisation_id, problems=(problem,))
    upload = files[0]
    plan, problems = _plan(session, organisation_id, upload.data, upload.filename)
    if problems:
        return _page(request, account, organisation_id, plan=plan, problems=problems)
    digest = hashlib.sha256(upload.data).hexdigest()
    folder = _upload_dir(request)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / digest).write_bytes(upload.data)
    _keep_newest(folder, KEPT_UPLOADS)
    return _page(
        request,
        account,
        organisation_id,
        plan=plan,
        upload=digest,
        filename=Path(upload.filename).name[:200],
    )


def _keep_newest(folder: Path, keep: int) -> None:
    """Remove all but the ``keep`` most recently written uploads."""
    uploads = sorted(folder.iterdir(), key=lambda path: path.stat().st_mtime, reverse=True)
    for stale in uploads[keep:]:
        stale.unlink(missing_ok=True)


@router.post("/admin/import/apply")
def submit_import(
    request: Request, form: PostedFormDep, account: CurrentAdmin, session: SessionDep, now: NowDep
) -> Response:
    """Store what the confirmed preview showed, all or nothing (planned again, so a change
    made meanwhile is taken into account)."""
    check_csrf(request, form)
    organisation_id = chosen_organisation(account, form.get("organisation") or "0")
    digest = form.get("upload")
    path = _upload_dir(request) / digest
    if not SHA256.fullmatch(digest) or not path.is_file():
        raise NotFound("upload")
    plan, problems = _plan(session, organisation_id, path.read_bytes(), form.get("filename"))
    if plan is None or problems:
        return _page(request, account, organisation_id, plan=plan, problems=problems)
    committed(session, apply_places_import, plan, now=now)
    path.unlink(missing_ok=True)
    return RedirectResponse(f"/admin?organisation={organisation_id}&saved=import", status_code=303)
