"""The manager's checklist editor: add, remove and reword the items the organisation's
inspections check. Saving makes a new version; inspections keep the version they used."""

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import RedirectResponse, Response

from api.deps import CurrentManager, NowDep, SessionDep
from api.forms import PostedForm, PostedFormDep, check_csrf
from api.inspection_labels import SECTION_LABELS
from api.templating import render, translate, translate_error
from survey.accounts import Account
from survey.errors import N_, InvalidAnswer, NotFound
from survey.models import ChecklistSection
from survey.supervision.checklists import (
    LOCALES,
    ChecklistSpec,
    ItemDraft,
    current_checklist,
    revise_checklist,
)
from survey.supervision.queries import place_choices

router = APIRouter()
NEW_ROWS = 3
"""Empty rows offered for new items each time the page is shown."""
MAX_ROWS = 200


def _organisation(account: Account, value: str | None) -> int | None:
    if value:
        if not value.isdecimal() or len(value) > 12 or int(value) not in account.organisation_ids:
            raise NotFound(f"organisation {value}")
        return int(value)
    if len(account.organisation_ids) == 1:
        return next(iter(account.organisation_ids))
    return None


def _rows_of(checklist: ChecklistSpec) -> list[dict[str, str]]:
    rows = [
        {"code": item.code, "section": item.section.value}
        | {locale: item.texts.get(locale, "") for locale in LOCALES}
        for item in checklist.items
    ]
    return rows + [
        {"code": "", "section": ChecklistSection.quality.value} | dict.fromkeys(LOCALES, "")
        for _ in range(NEW_ROWS)
    ]


def _page(
    request: Request,
    session: Session,
    account: Account,
    *,
    organisation_id: int,
    rows: list[dict[str, str]],
    removed: set[int],
    errors: dict[int | str, str],
    status: int = 200,
) -> Response:
    checklist = current_checklist(session, organisation_id)
    organisation = place_choices(session, [organisation_id])[0]
    return render(
        request,
        "manager/checklist.html",
        {
            "account": account,
            "organisation": organisation,
            "checklist": checklist,
            "rows": rows,
            "removed": removed,
            "errors": errors,
            "sections": list(ChecklistSection),
            "section_labels": SECTION_LABELS,
            "locales": LOCALES,
            "saved": request.query_params.get("saved", ""),
        },
        status_code=status,
    )


@router.get("/manager/checklist")
def show_checklist(request: Request, account: CurrentManager, session: SessionDep) -> Response:
    """The organisation's current checklist as an editable form (its own newest version,
    else the built-in one), with empty rows for new items."""
    organisation_id = _organisation(account, request.query_params.get("organisation"))
    if organisation_id is None:
        return render(
            request,
            "supervisor/choose_organisation.html",
            {
                "account": account,
                "organisations": place_choices(session, account.organisation_ids),
                "target": "/manager/checklist",
            },
        )
    checklist = current_checklist(session, organisation_id)
    return _page(
        request,
        session,
        account,
        organisation_id=organisation_id,
        rows=_rows_of(checklist),
        removed=set(),
        errors={},
    )


def _posted_rows(form: PostedForm) -> tuple[list[dict[str, str]], set[int]]:
    count = form.get("rows")
    if not count.isdecimal() or len(count) > 6 or not 0 < int(count) <= MAX_ROWS:
        raise InvalidAnswer({"form": N_("The form is incomplete; please open it again.")})
    rows: list[dict[str, str]] = []
    removed: set[int] = set()
    for index in range(int(count)):
        row = {"code": form.get(f"code-{index}"), "section": form.get(f"section-{index}")}
        row |= {locale: form.get(f"{locale}-{index}") for locale in LOCALES}
        rows.append(row)
        if form.get(f"remove-{index}"):
            removed.add(index)
    return rows, removed


@router.post("/manager/checklist")
def submit_checklist(
    request: Request,
    form: PostedFormDep,
    account: CurrentManager,
    session: SessionDep,
    now: NowDep,
) -> Response:
    """Save the edited items as the organisation's next checklist version."""
    check_csrf(request, form)
    organisation_id = _organisation(account, form.get("organisation"))
    if organisation_id is None:
        raise NotFound("organisation")
    rows, removed = _posted_rows(form)
    drafts: list[ItemDraft] = []
    row_of_draft: list[int] = []
    errors: dict[int | str, str] = {}
    sections = {section.value for section in ChecklistSection}
    for index, row in enumerate(rows):
        texts = {locale: row[locale] for locale in LOCALES}
        if index in removed or (not row["code"] and not any(t.strip() for t in texts.values())):
            continue
        if row["section"] not in sections:
            errors[index] = translate(request, N_("Please choose a section."))
            continue
        drafts.append(ItemDraft(ChecklistSection(row["section"]), texts, row["code"]))
        row_of_draft.append(index)
    try:
        if errors:
            raise InvalidAnswer({})
        revised = revise_checklist(session, organisation_id=organisation_id, items=drafts, now=now)
    except InvalidAnswer as invalid:
        for key, error in invalid.errors.items():
            errors[_row_key(key, row_of_draft)] = translate_error(request, error)
        return _page(
            request,
            session,
            account,
            organisation_id=organisation_id,
            rows=rows,
            removed=removed,
            errors=errors,
            status=422,
        )
    return RedirectResponse(
        f"/manager/checklist?organisation={organisation_id}&saved={revised.version}",
        status_code=303,
    )


def _row_key(key: str, row_of_draft: list[int]) -> int | str:
    """``item-2`` (the third kept item) → the index of its row on the form."""
    index = key[5:]
    if (
        key.startswith("item-")
        and index.isdecimal()
        and len(index) <= 6
        and int(index) < len(row_of_draft)
    ):
        return row_of_draft[int(key[5:])]
    return key
