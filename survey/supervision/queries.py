"""What inspectors and managers read about inspections: the places to choose from, one
inspection in full, a supervisor's recent inspections, who may see a photo, and the
compliance rate per place and period that the dashboard and the staff stars read.
"""

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from typing import Literal

from sqlalchemy import func
from sqlmodel import Session, col, select

from analytics.compliance import ComplianceScores, compliance_rates
from survey.errors import NotFound
from survey.models import (
    ChecklistItem,
    ChecklistSection,
    CheckOutcome,
    Counter,
    EvidencePhoto,
    Feedback,
    Inspection,
    InspectionKind,
    InspectionResult,
    Organisation,
    Site,
    StaffMember,
    User,
)
from survey.supervision.checklists import CheckItem, load_checklist
from survey.supervision.inspections import inspection_scores

Level = Literal["site", "counter", "staff"]
PeriodGrain = Literal["month", "quarter", "year", "all"]
ALL_PERIODS = "all"


@dataclass(frozen=True)
class PlaceOption:
    """A site, counter or clerk as a form offers it; ``site_id`` groups counters and
    clerks under their hall."""

    id: int
    label: str
    site_id: int | None = None


@dataclass(frozen=True)
class OrganisationPlaces:
    """An organisation with its halls, counters and clerks, for the inspection form."""

    id: int
    name: str
    sites: tuple[PlaceOption, ...]
    counters: tuple[PlaceOption, ...]
    staff: tuple[PlaceOption, ...]


def place_choices(session: Session, organisation_ids: Collection[int]) -> list[OrganisationPlaces]:
    """The account's organisations with their places, by name, for choosing on a form."""
    ids = sorted(organisation_ids)
    organisations = session.exec(
        select(Organisation).where(col(Organisation.id).in_(ids)).order_by(col(Organisation.name))
    ).all()
    sites = session.exec(
        select(Site).where(col(Site.organisation_id).in_(ids)).order_by(col(Site.name))
    ).all()
    site_org = {site.id: site.organisation_id for site in sites}
    counters = session.exec(
        select(Counter)
        .where(col(Counter.site_id).in_(list(site_org)))
        .order_by(col(Counter.site_id), col(Counter.code))
    ).all()
    staff = session.exec(
        select(StaffMember)
        .where(col(StaffMember.organisation_id).in_(ids))
        .order_by(col(StaffMember.job_number))
    ).all()
    result = []
    for organisation in organisations:
        assert organisation.id is not None
        own_sites = [site for site in sites if site.organisation_id == organisation.id]
        result.append(
            OrganisationPlaces(
                id=organisation.id,
                name=organisation.name,
                sites=tuple(PlaceOption(s.id, s.name) for s in own_sites if s.id is not None),
                counters=tuple(
                    PlaceOption(c.id, counter_label(c), c.site_id)
                    for c in counters
                    if c.id is not None and site_org.get(c.site_id) == organisation.id
                ),
                staff=tuple(
                    PlaceOption(m.id, staff_label(m), m.site_id)
                    for m in staff
                    if m.id is not None and m.organisation_id == organisation.id
                ),
            )
        )
    return result


def counter_label(counter: Counter) -> str:
    """``A1 · Window A1`` (the name alone when it already holds the code)."""
    return counter.name if counter.code in counter.name else f"{counter.code} · {counter.name}"


def staff_label(staff: StaffMember) -> str:
    """``李娜 (GZ1001)``: the clerk's name with the public job number."""
    return f"{staff.display_name} ({staff.job_number})"


@dataclass(frozen=True)
class ResultRow:
    """One checklist item of an inspection with what was found."""

    item: CheckItem
    outcome: CheckOutcome
    note: str


@dataclass(frozen=True)
class InspectionDetail:
    """One inspection with everything its page shows."""

    inspection: Inspection
    organisation_name: str
    site_name: str
    counter_label: str
    staff_label: str
    inspecting_site_name: str
    filed_by_name: str
    checklist_version: int
    sections: tuple[tuple[ChecklistSection, tuple[ResultRow, ...]], ...]
    scores: ComplianceScores
    photos: tuple[EvidencePhoto, ...]


def inspection_detail(
    session: Session,
    inspection_id: int,
    *,
    organisation_ids: Collection[int],
    filed_by_user_id: int | None = None,
) -> InspectionDetail:
    """One inspection with its places, results by section, scores and photos; NotFound
    when it does not exist, belongs to an organisation the reader may not see, or (with
    ``filed_by_user_id``, for a supervisor) was filed by someone else."""
    inspection = session.get(Inspection, inspection_id)
    if (
        inspection is None
        or inspection.organisation_id not in organisation_ids
        or filed_by_user_id not in (None, inspection.filed_by_user_id)
    ):
        raise NotFound(f"inspection {inspection_id}")
    checklist = load_checklist(session, inspection.checklist_id)
    found = {
        result.item_id: result
        for result in session.exec(
            select(InspectionResult).where(InspectionResult.inspection_id == inspection_id)
        ).all()
    }
    sections = tuple(
        (
            section,
            tuple(
                ResultRow(item, CheckOutcome(found[item.id].outcome), found[item.id].note)
                for item in items
                if item.id in found
            ),
        )
        for section, items in checklist.sections()
    )
    organisation = session.get(Organisation, inspection.organisation_id)
    site = session.get(Site, inspection.site_id)
    counter = session.get(Counter, inspection.counter_id) if inspection.counter_id else None
    staff = (
        session.get(StaffMember, inspection.staff_member_id) if inspection.staff_member_id else None
    )
    inspecting = (
        session.get(Site, inspection.inspecting_site_id) if inspection.inspecting_site_id else None
    )
    filer = session.get(User, inspection.filed_by_user_id)
    photos = session.exec(
        select(EvidencePhoto)
        .where(EvidencePhoto.inspection_id == inspection_id)
        .order_by(col(EvidencePhoto.id))
    ).all()
    assert inspection.id is not None
    return InspectionDetail(
        inspection=inspection,
        organisation_name=organisation.name if organisation else "",
        site_name=site.name if site else "",
        counter_label=counter_label(counter) if counter else "",
        staff_label=staff_label(staff) if staff else "",
        inspecting_site_name=inspecting.name if inspecting else "",
        filed_by_name=filer.display_name if filer else "",
        checklist_version=checklist.version,
        sections=sections,
        scores=inspection_scores(session, inspection.id),
        photos=tuple(photos),
    )


@dataclass(frozen=True)
class InspectionSummary:
    """An inspection in a list: when, what kind, where, and its overall rate."""

    id: int
    kind: InspectionKind
    inspected_at: datetime
    site_name: str
    counter_label: str
    staff_label: str
    n_fail: int
    overall_rate: float


def recent_inspections(
    session: Session, *, filed_by_user_id: int, limit: int = 10
) -> list[InspectionSummary]:
    """The account's most recent inspections, newest first."""
    inspections = session.exec(
        select(Inspection)
        .where(Inspection.filed_by_user_id == filed_by_user_id)
        .order_by(col(Inspection.inspected_at).desc(), col(Inspection.id).desc())
        .limit(limit)
    ).all()
    ids = [i.id for i in inspections if i.id is not None]
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for inspection_id, outcome, count in session.exec(
        select(InspectionResult.inspection_id, InspectionResult.outcome, func.count())
        .where(col(InspectionResult.inspection_id).in_(ids))
        .group_by(col(InspectionResult.inspection_id), col(InspectionResult.outcome))
    ).all():
        counts[inspection_id][CheckOutcome(outcome).value] = int(count)
    sites = {
        s.id: s.name
        for s in session.exec(
            select(Site).where(col(Site.id).in_({i.site_id for i in inspections}))
        ).all()
    }
    counters = {
        c.id: counter_label(c)
        for c in session.exec(
            select(Counter).where(col(Counter.id).in_({i.counter_id for i in inspections}))
        ).all()
    }
    staff = {
        m.id: staff_label(m)
        for m in session.exec(
            select(StaffMember).where(
                col(StaffMember.id).in_({i.staff_member_id for i in inspections})
            )
        ).all()
    }
    summaries = []
    for inspection in inspections:
        assert inspection.id is not None
        own = counts[inspection.id]
        passed = own.get(CheckOutcome.passed.value, 0)
        failed = own.get(CheckOutcome.failed.value, 0)
        summaries.append(
            InspectionSummary(
                id=inspection.id,
                kind=InspectionKind(inspection.kind),
                inspected_at=inspection.inspected_at,
                site_name=sites.get(inspection.site_id, ""),
                counter_label=counters.get(inspection.counter_id, ""),
                staff_label=staff.get(inspection.staff_member_id, ""),
                n_fail=failed,
                overall_rate=passed / (passed + failed) if passed + failed else float("nan"),
            )
        )
    return summaries


def photo_for_viewer(
    session: Session,
    photo_id: int,
    *,
    organisation_ids: Collection[int],
    filed_by_user_id: int | None = None,
    site_ids: Collection[int] | None = None,
) -> EvidencePhoto:
    """A stored photo if it belongs to an inspection or feedback of one of the viewer's
    organisations (of a hall manager's ``site_ids``) and, with ``filed_by_user_id`` (a
    supervisor), only if that account filed it: a supervisor must not see customers'
    complaint photos or other supervisors' secret checks. NotFound otherwise (the same
    answer whether it exists or not)."""
    photo = session.get(EvidencePhoto, photo_id)
    if photo is None:
        raise NotFound(f"photo {photo_id}")
    organisation_id: int | None = None
    site_id: int | None = None
    filer: int | None = None
    if photo.inspection_id is not None:
        inspection = session.get(Inspection, photo.inspection_id)
        if inspection is not None:
            organisation_id, filer = inspection.organisation_id, inspection.filed_by_user_id
            site_id = inspection.site_id
    elif photo.feedback_id is not None:
        feedback = session.get(Feedback, photo.feedback_id)
        if feedback is not None:
            organisation_id, filer = feedback.organisation_id, feedback.submitted_by_user_id
            site_id = feedback.site_id
    if organisation_id not in organisation_ids or filed_by_user_id not in (None, filer):
        raise NotFound(f"photo {photo_id}")
    if site_ids is not None and site_id not in site_ids:
        raise NotFound(f"photo {photo_id}")
    return photo


@dataclass(frozen=True)
class PlaceCompliance:
    """The compliance of one place in one period: rates per section and overall, and the
    number of inspections they come from."""

    place_id: int
    period: str
    n_inspections: int
    scores: ComplianceScores

    @property
    def rate(self) -> float:
        """The overall compliance rate in [0, 1] (NaN when nothing could be checked)."""
        return self.scores.overall.rate


def compliance_by_place(
    session: Session,
    *,
    organisation_ids: Collection[int],
    since: date,
    until: date,
    timezone: tzinfo,
    level: Level = "site",
    period: PeriodGrain = "month",
    site_id: int | None = None,
) -> dict[tuple[int, str], PlaceCompliance]:
    """Compliance rates of the inspections made from ``since`` to ``until`` (local days,
    ``until`` excluded), per place and period.

    ``level`` is the place the rates belong to: the hall (``site``), the counter or the
    clerk (``staff``); inspections that did not name a counter or clerk count only at the
    levels they name. ``period`` groups by local month (``"2026-11"``), quarter
    (``"2026-Q4"``), year (``"2026"``) or not at all (``"all"``). ``site_id`` narrows to one
    hall. Every checklist version counts: the rates are per section, which all versions
    share. Rates follow :func:`analytics.compliance.compliance_rates`: passes / (passes +
    fails) pooled over the items of the cell's inspections, not applicable left out.

    Returns ``(place_id, period)`` → :class:`PlaceCompliance`; places without inspections
    are absent.
    """
    if since >= until:
        raise ValueError("since must be before until")
    place_column = {
        "site": col(Inspection.site_id),
        "counter": col(Inspection.counter_id),
        "staff": col(Inspection.staff_member_id),
    }[level]
    start = datetime.combine(since, time(), tzinfo=timezone)
    end = datetime.combine(until, time(), tzinfo=timezone)
    query = (
        select(Inspection.id, place_column, Inspection.inspected_at)
        .where(col(Inspection.organisation_id).in_(sorted(organisation_ids)))
        .where(col(Inspection.inspected_at) >= start, col(Inspection.inspected_at) < end)
        .where(place_column.is_not(None))
    )
    if site_id is not None:
        query = query.where(Inspection.site_id == site_id)
    cell_of: dict[int, tuple[int, str]] = {}
    for inspection_id, place_id, inspected_at in session.exec(query).all():
        assert inspection_id is not None and place_id is not None
        cell_of[inspection_id] = (place_id, _period_label(inspected_at, timezone, period))
    if not cell_of:
        return {}
    counted = session.exec(
        select(
            InspectionResult.inspection_id,
            ChecklistItem.section,
            InspectionResult.outcome,
            func.count(),
        )
        .join(ChecklistItem, col(ChecklistItem.id) == InspectionResult.item_id)
        .where(col(InspectionResult.inspection_id).in_(list(cell_of)))
        .group_by(
            col(InspectionResult.inspection_id),
            col(ChecklistItem.section),
            col(InspectionResult.outcome),
        )
    ).all()
    order = {section.value: index for index, section in enumerate(ChecklistSection)}
    rows = sorted(
        (
            (
                *cell_of[inspection_id],
                ChecklistSection(section).value,
                CheckOutcome(outcome).value,
                int(count),
            )
            for inspection_id, section, outcome, count in counted
        ),
        key=lambda row: (row[0], row[1], order[row[2]]),
    )
    n_inspections: dict[tuple[int, str], int] = defaultdict(int)
    for cell in cell_of.values():
        n_inspections[cell] += 1
    return {
        cell: PlaceCompliance(cell[0], cell[1], n_inspections[cell], scores)
        for cell, scores in compliance_rates(rows).items()
    }


def _period_label(moment: datetime, timezone: tzinfo, grain: PeriodGrain) -> str:
    local = moment.astimezone(timezone)
    if grain == "month":
        return f"{local.year}-{local.month:02d}"
    if grain == "quarter":
        return f"{local.year}-Q{(local.month - 1) // 3 + 1}"
    if grain == "year":
        return str(local.year)
    return ALL_PERIODS
