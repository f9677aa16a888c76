"""Filing inspections: a place checked against one checklist version, with photos.

An inspection is a self-check by the hall itself, a mutual check by another hall of the
organisation, or a secret check by a conduct supervisor posing as a customer. Every item of
the checklist version gets exactly one outcome (pass, fail, not applicable) and may get a
note; the scores per section and overall are computed from the results when read, never
stored (:func:`inspection_scores`).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Final

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from analytics.compliance import ComplianceScores, section_scores_of_counts
from survey.accounts import Account
from survey.db import begin_write, lock_key
from survey.errors import N_, FieldError, Forbidden, InvalidAnswer, PlaceNotFound
from survey.evidence.photos import DEFAULT_MAX_PIXELS, CleanPhoto, clean_photos, store_photo
from survey.models import (
    ChecklistItem,
    ChecklistSection,
    CheckOutcome,
    Inspection,
    InspectionKind,
    InspectionResult,
    Role,
    Site,
)
from survey.places.checks import place_errors
from survey.supervision.checklists import ChecklistSpec, checklist_for
from survey.supervision.supervisors import check_credential

MAX_NOTE: Final = 2000
MAX_ITEM_NOTE: Final = 1000
SUBMISSION_KEY_MAX: Final = 64
DEFAULT_MAX_PHOTOS: Final = 4
CLOCK_SKEW: Final = timedelta(minutes=5)
"""How far in the future an inspection time may lie (a phone's clock running ahead)."""
MAX_AGE: Final = timedelta(days=366)
"""How long after an inspection it may be filed: a credential and the supervisors' report
run for a year, and an older date is almost always a typing mistake."""
FILING_ROLES: Final = (Role.supervisor, Role.manager, Role.admin)

STALE_FORM: Final = N_("The form is incomplete; please open it again.")
CHOOSE_OUTCOME: Final = N_("Choose pass, fail or not applicable.")


@dataclass(frozen=True)
class ItemResult:
    """What the inspector found for one checklist item."""

    outcome: CheckOutcome
    note: str = ""


def file_inspection(
    session: Session,
    *,
    account: Account,
    organisation_id: int,
    kind: InspectionKind,
    site_id: int | None,
    counter_id: int | None,
    staff_member_id: int | None,
    inspected_at: datetime | None,
    results: Mapping[int, ItemResult],
    note: str,
    submission_key: str,
    photos: Sequence[bytes],
    data_dir: Path,
    now: datetime,
    checklist_id: int | None = None,
    inspecting_site_id: int | None = None,
    max_photo_bytes: int,
    max_photos: int = DEFAULT_MAX_PHOTOS,
    max_photo_pixels: int = DEFAULT_MAX_PIXELS,
) -> Inspection:
    """Check and store an inspection with its results and photos. Commits.

    ``results`` maps each checklist item id to its outcome; ``checklist_id`` is the version
    the form showed (default: the organisation's current one). ``inspected_at`` is None
    when the form's date or time could not be read. ``now`` is an aware time
    whose date is the local day (the credential's validity is counted in local days).

    Refused, with nothing stored:

    - a regulator's account (Forbidden); a supervisor whose credential is not valid today
      (CredentialNotValid);
    - an organisation that is not the account's, a site, counter or staff member that is
      not the organisation's (PlaceNotFound, a 404);
    - InvalidAnswer naming each field: no site chosen; a counter of another hall of the
      organisation; a supervisor inspecting the hall they belong to; a mutual check without
      a different inspecting hall; no time, a time in the future or over a year ago; an
      item without an outcome (each is named, and ``checklist`` lists their codes); notes
      too long; a photo that is not a JPEG or PNG, too large or unreadable, or too many.

    Photos are cleaned (:func:`survey.evidence.photos.clean_photo`) before anything is written. A
    ``submission_key`` seen before returns the inspection it filed (a double-tapped
    submit files once).
    """
    if not submission_key or len(submission_key) > SUBMISSION_KEY_MAX:
        raise InvalidAnswer({"form": STALE_FORM})
    earlier = _filed_before(session, submission_key, account)
    if earlier is not None:
        return earlier
    if account.role not in FILING_ROLES:
        raise Forbidden(account.username)
    member_site_id = None
    if account.role == Role.supervisor:
        member_site_id = check_credential(session, account.id, now.date()).member_site_id
    if organisation_id not in account.organisation_ids:
        raise PlaceNotFound("organisation", organisation_id)
    errors = place_errors(
        session,
        organisation_id=organisation_id,
        site_id=site_id,
        counter_id=counter_id,
        staff_member_id=staff_member_id,
    )
    if site_id is not None and site_id == member_site_id:
        errors["site"] = FieldError(
            N_("You belong to this hall, so you may not inspect it. Please choose another hall.")
        )
    if kind == InspectionKind.mutual_check:
        _check_inspecting_site(session, errors, organisation_id, site_id, inspecting_site_id)
    else:
        inspecting_site_id = None
    if inspected_at is None:
        errors["inspected_at"] = FieldError(N_("Please enter the date and time of the inspection."))
    elif inspected_at.tzinfo is None:
        raise ValueError("inspected_at must be an aware datetime")
    elif inspected_at > now + CLOCK_SKEW:
        errors["inspected_at"] = FieldError(N_("The time of the inspection is in the future."))
    elif inspected_at < now - MAX_AGE:
        errors["inspected_at"] = FieldError(
            N_("The inspection was more than a year ago; please check the date.")
        )
    checklist = checklist_for(session, organisation_id=organisation_id, checklist_id=checklist_id)
    _check_results(errors, checklist, results)
    if len(note) > MAX_NOTE:
        errors["note"] = FieldError(
            N_("Please keep the note within %(limit)s characters."), {"limit": MAX_NOTE}
        )
    cleaned = clean_photos(
        errors,
        photos,
        max_photos=max_photos,
        max_bytes=max_photo_bytes,
        max_pixels=max_photo_pixels,
    )
    if errors:
        raise InvalidAnswer(errors)
    assert site_id is not None and inspected_at is not None
    inspection = Inspection(
        organisation_id=organisation_id,
        checklist_id=checklist.id,
        kind=kind,
        site_id=site_id,
        counter_id=counter_id,
        staff_member_id=staff_member_id,
        inspecting_site_id=inspecting_site_id,
        inspected_at=inspected_at,
        filed_at=now,
        filed_by_user_id=account.id,
        note=note.strip(),
        submission_key=submission_key,
    )
    return _store(session, inspection, results, cleaned, account=account, data_dir=data_dir)


def _filed_before(session: Session, submission_key: str, account: Account) -> Inspection | None:
    """The inspection this account filed under the key; another account's key is a stale
    (or forged) form."""
    earlier = session.exec(
        select(Inspection).where(Inspection.submission_key == submission_key)
    ).first()
    if earlier is not None and earlier.filed_by_user_id != account.id:
        raise InvalidAnswer({"form": STALE_FORM})
    return earlier


def _check_inspecting_site(
    session: Session,
    errors: dict[str, FieldError],
    organisation_id: int,
    site_id: int | None,
    inspecting_site_id: int | None,
) -> None:
    """A mutual check is made by another hall of the same organisation."""
    if inspecting_site_id is None:
        errors["inspecting_site"] = FieldError(
            N_("Please choose the hall that made this mutual check.")
        )
        return
    inspecting = session.get(Site, inspecting_site_id)
    if inspecting is None or inspecting.organisation_id != organisation_id:
        raise PlaceNotFound("inspecting_site", inspecting_site_id)
    if inspecting_site_id == site_id:
        errors["inspecting_site"] = FieldError(
            N_("In a mutual check another hall inspects; choose a different hall.")
        )


def _check_results(
    errors: dict[str, FieldError], checklist: ChecklistSpec, results: Mapping[int, ItemResult]
) -> None:
    """Exactly one outcome for every item of the version, and nothing else."""
    known = {item.id for item in checklist.items}
    if set(results) - known:
        errors["form"] = FieldError(STALE_FORM)
    missing = [item for item in checklist.items if item.id not in results]
    for item in missing:
        errors[f"item-{item.id}"] = FieldError(CHOOSE_OUTCOME)
    codes = ", ".join(item.code for item in missing)
    if len(missing) == 1:
        errors["checklist"] = FieldError(N_("Item %(codes)s has no outcome yet."), {"codes": codes})
    elif missing:
        errors["checklist"] = FieldError(
            N_("%(count)s items have no outcome yet: %(codes)s."),
            {"count": len(missing), "codes": codes},
        )
    for item_id, result in results.items():
        if len(result.note) > MAX_ITEM_NOTE:
            errors[f"note-{item_id}"] = FieldError(
                N_("Please keep the note within %(limit)s characters."), {"limit": MAX_ITEM_NOTE}
            )


def _store(
    session: Session,
    inspection: Inspection,
    results: Mapping[int, ItemResult],
    photos: list[CleanPhoto],
    *,
    account: Account,
    data_dir: Path,
) -> Inspection:
    """Insert the inspection, its results and photos in one transaction. Files written for
    it are removed again if the transaction fails (a file that was there before stays:
    another row may use the same photo)."""
    begin_write(session)
    lock_key(session, inspection.organisation_id)
    earlier = _filed_before(session, inspection.submission_key, account)
    if earlier is not None:
        session.rollback()
        return earlier
    new_files = [
        data_dir / photo.relative_path
        for photo in photos
        if not (data_dir / photo.relative_path).exists()
    ]
    try:
        session.add(inspection)
        session.flush()
        assert inspection.id is not None
        for item_id, result in results.items():
            session.add(
                InspectionResult(
                    inspection_id=inspection.id,
                    item_id=item_id,
                    outcome=result.outcome,
                    note=result.note.strip(),
                )
            )
        for photo in photos:
            store_photo(
                session,
                photo,
                data_dir=data_dir,
                now=inspection.filed_at,
                inspection_id=inspection.id,
            )
        session.commit()
    except IntegrityError:
        # The same submission raced in on another connection (PostgreSQL); it is stored.
        session.rollback()
        _remove(new_files)
        earlier = _filed_before(session, inspection.submission_key, account)
        if earlier is None:
            raise
        return earlier
    except BaseException:
        session.rollback()
        _remove(new_files)
        raise
    return inspection


def _remove(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def inspection_scores(session: Session, inspection_id: int) -> ComplianceScores:
    """The compliance rate per checklist section and overall of one inspection: passes /
    (passes + fails), not-applicable items left out (:mod:`analytics.compliance`)."""
    rows = session.exec(
        select(ChecklistItem.section, InspectionResult.outcome, func.count())
        .join(ChecklistItem, col(ChecklistItem.id) == InspectionResult.item_id)
        .where(InspectionResult.inspection_id == inspection_id)
        .group_by(col(ChecklistItem.section), col(InspectionResult.outcome))
    ).all()
    order = list(ChecklistSection)
    counted = sorted(
        (ChecklistSection(section), CheckOutcome(outcome), int(count))
        for section, outcome, count in rows
    )
    counted.sort(key=lambda row: order.index(row[0]))
    return section_scores_of_counts(
        (section.value, outcome.value, count) for section, outcome, count in counted
    )
