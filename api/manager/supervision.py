"""The managers' view of supervision: the annual supervisor report (page, CSV, XLSX) and
the feedback received, where a suggestion is marked adopted."""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import RedirectResponse, Response

from api import case_labels
from api.deps import CurrentManager, NowDep, SessionDep, zone_of
from api.exports.tables import TABLE_TYPES, Column, Table, table_download
from api.forms import PostedFormDep, check_csrf
from api.inspection_labels import SECTION_LABELS
from api.templating import render, translate
from survey.accounts import Account
from survey.errors import N_, NotFound
from survey.models import ChecklistSection, Counter, FeedbackKind, InspectionKind, Site, StaffMember
from survey.supervision.annual_report import feedback_list, mark_adopted, supervisor_report
from survey.supervision.queries import compliance_by_place, counter_label, staff_label

router = APIRouter()


def _report_table(request: Request, account: Account, session: SessionDep, year: int) -> Table:
    rows = supervisor_report(
        session, organisation_ids=account.organisation_ids, year=year, zone=zone_of(request)
    )

    def t(message: str) -> str:
        return translate(request, message)

    return Table(
        name="supervisors",
        title=t(N_("Supervisors' year")) + f" {year}",
        columns=(
            Column("name", t(N_("Supervisor"))),
            Column("credential", t(N_("Credential number"))),
            Column("secret", t(N_("Secret checks")), "int"),
            Column("other", t(N_("Other inspections")), "int"),
            Column("findings", t(N_("Findings")), "int"),
            Column("praise", t(N_("Praise")), "int"),
            Column("suggestions", t(N_("Suggestions")), "int"),
            Column("adopted", t(N_("Suggestions adopted")), "int"),
            Column("criticism", t(N_("Criticism")), "int"),
            Column("complaints", t(N_("Complaints")), "int"),
        ),
        rows=[
            {
                "name": row.name,
                "credential": row.credential,
                "secret": row.inspections.get(InspectionKind.secret_check, 0),
                "other": row.inspections_total
                - row.inspections.get(InspectionKind.secret_check, 0),
                "findings": row.findings,
                "praise": row.praise,
                "suggestions": row.suggestions,
                "adopted": row.adopted,
                "criticism": row.criticism,
                "complaints": row.complaints,
            }
            for row in rows
        ],
        note=t(
            N_(
                "Findings are checklist items an inspection found failed. Feedback counts "
                "what each supervisor filed through the portal in the year."
            )
        ),
    )


@router.get("/manager/supervisors")
def show_supervisor_report(
    request: Request,
    account: CurrentManager,
    session: SessionDep,
    now: NowDep,
    year: Annotated[int | None, Query(ge=2000, le=2200)] = None,
) -> Response:
    """The annual supervisor report of one year (this year by default)."""
    chosen = year or now.year
    return render(
        request,
        "manager/supervisors.html",
        {
            "account": account,
            "year": chosen,
            "table": _report_table(request, account, session, chosen),
        },
    )


@router.get("/manager/supervisors/{year}.{extension}")
def export_supervisor_report(
    year: int, extension: str, request: Request, account: CurrentManager, session: SessionDep
) -> Response:
    """The annual supervisor report as CSV or XLSX."""
    if extension not in TABLE_TYPES or not 2000 <= year <= 2200:
        raise NotFound(f"supervisor report {year}.{extension}")
    table = _report_table(request, account, session, year)
    body, media_type, disposition = table_download(table, extension, f"supervisors-{year}")
    return Response(body, media_type=media_type, headers={"content-disposition": disposition})


@router.get("/manager/feedback")
def show_feedback(
    request: Request,
    account: CurrentManager,
    session: SessionDep,
    kind: FeedbackKind | None = None,
    before: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    """Feedback received, newest first, by kind; suggestions can be marked adopted."""
    page = feedback_list(
        session, organisation_ids=account.organisation_ids, kind=kind, before=before
    )
    context: dict[str, Any] = {
        "account": account,
        "kind": kind.value if kind else "",
        "page": page,
        "kinds": list(FeedbackKind),
        "kind_labels": case_labels.KIND_LABELS,
        "category_labels": case_labels.CATEGORY_LABELS,
    }
    return render(request, "manager/feedback.html", context)


@router.post("/manager/feedback/{feedback_id}/adopt")
def adopt_suggestion(
    feedback_id: int,
    request: Request,
    form: PostedFormDep,
    account: CurrentManager,
    session: SessionDep,
    now: NowDep,
) -> Response:
    """Mark a suggestion adopted (the year-end meeting rewards adopted suggestions)."""
    check_csrf(request, form)
    mark_adopted(session, feedback_id, organisation_ids=account.organisation_ids, now=now)
    return RedirectResponse("/manager/feedback?kind=suggestion", status_code=303)


LEVELS = ("site", "counter", "staff")


def _place_names(session: SessionDep, level: str, ids: list[int]) -> dict[int, str]:
    """Display names of halls, counters or clerks by id."""
    names: dict[int, str] = {}
    for place_id in ids:
        if level == "site" and (site := session.get(Site, place_id)):
            names[place_id] = site.name
        elif level == "counter" and (counter := session.get(Counter, place_id)):
            names[place_id] = counter_label(counter)
        elif level == "staff" and (staff := session.get(StaffMember, place_id)):
            names[place_id] = staff_label(staff)
    return names


def _compliance_table(
    request: Request, account: Account, session: SessionDep, year: int, level: str
) -> Table:
    rates = compliance_by_place(
        session,
        organisation_ids=account.organisation_ids,
        since=date(year, 1, 1),
        until=date(year + 1, 1, 1),
        timezone=zone_of(request),
        level=level,  # type: ignore[arg-type]
        period="all",
    )
    names = _place_names(session, level, sorted({place for place, _ in rates}))

    def t(message: str) -> str:
        return translate(request, message)

    def percent(rate: float) -> float:
        return 100 * rate

    rows = []
    for (place_id, _period), cell in sorted(
        rates.items(), key=lambda item: names.get(item[0][0], "")
    ):
        row: dict[str, Any] = {
            "place": names.get(place_id, str(place_id)),
            "inspections": cell.n_inspections,
            "overall": percent(cell.rate),
            "checked": cell.scores.overall.n_checked,
        }
        for section in ChecklistSection:
            found = cell.scores.sections.get(section.value)
            row[section.value] = percent(found.rate) if found is not None else None
        rows.append(row)
    place_title = {"site": N_("Hall"), "counter": N_("Counter"), "staff": N_("Staff member")}[level]
    return Table(
        name=f"compliance-{level}",
        title=t(N_("Compliance with the service rules")) + f" {year}",
        columns=(
            Column("place", t(place_title)),
            Column("inspections", t(N_("Inspections")), "int"),
            *(
                Column(section.value, t(SECTION_LABELS[section]) + " %", "number", 0)
                for section in ChecklistSection
            ),
            Column("overall", t(N_("Overall %")), "number", 0),
            Column("checked", t(N_("Items checked")), "int"),
        ),
        rows=rows,
        note=t(
            N_(
                "Share of the checked items that passed, per section and overall; items "
                "marked not applicable count for neither. Every kind of inspection counts."
            )
        ),
    )


@router.get("/manager/inspections")
def show_compliance(
    request: Request,
    account: CurrentManager,
    session: SessionDep,
    now: NowDep,
    year: Annotated[int | None, Query(ge=2000, le=2200)] = None,
    level: Annotated[str, Query(pattern="^(site|counter|staff)$")] = "site",
) -> Response:
    """Compliance rates of the year's inspections per hall, counter or clerk and section."""
    chosen = year or now.year
    return render(
        request,
        "manager/compliance.html",
        {
            "account": account,
            "year": chosen,
            "level": level,
            "levels": LEVELS,
            "table": _compliance_table(request, account, session, chosen, level),
        },
    )


@router.get("/manager/inspections/{year}-{level}.{extension}")
def export_compliance(
    year: int,
    level: str,
    extension: str,
    request: Request,
    account: CurrentManager,
    session: SessionDep,
) -> Response:
    """The compliance table as CSV or XLSX."""
    if extension not in TABLE_TYPES or level not in LEVELS or not 2000 <= year <= 2200:
        raise NotFound(f"compliance {year}-{level}.{extension}")
    table = _compliance_table(request, account, session, year, level)
    body, media_type, disposition = table_download(table, extension, f"compliance-{year}-{level}")
    return Response(body, media_type=media_type, headers={"content-disposition": disposition})
