"""Filing inspections: who may, where, every item once, photos cleaned before anything is
stored, one inspection per submission; versioned checklists; compliance per place."""

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, func, select

from survey.accounts import Account
from survey.errors import CredentialNotValid, Forbidden, InvalidAnswer, PlaceNotFound
from survey.models import (
    Checklist,
    ChecklistSection,
    CheckOutcome,
    EvidencePhoto,
    Inspection,
    InspectionKind,
    InspectionResult,
    Role,
    Site,
)
from survey.places.organisations import create_counter, create_site, create_staff_member
from survey.supervision.checklists import (
    DEFAULT_ITEMS,
    ChecklistSpec,
    ItemDraft,
    current_checklist,
    ensure_default_checklist,
    load_checklist,
    revise_checklist,
)
from survey.supervision.inspections import ItemResult, file_inspection, inspection_scores
from survey.supervision.queries import (
    Level,
    PeriodGrain,
    PlaceCompliance,
    compliance_by_place,
    inspection_detail,
)
from survey.supervision.supervisors import check_credential, create_supervisor
from tests.factories import Place, at, jpeg_with_location, make_place

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = at("2026-11-24", "10:30")
MB = 1 << 20


@dataclass
class Setting:
    """A place, a second hall of the same organisation, and a supervisor of it."""

    place: Place
    other_site: Site
    supervisor: Account
    checklist: ChecklistSpec
    data_dir: Path


def account_of(session: Session, user_id: int, role: Role, org_ids: set[int]) -> Account:
    return Account(
        id=user_id,
        username=f"user{user_id}",
        display_name="",
        role=role,
        organisation_ids=frozenset(org_ids),
    )


def make_setting(
    session: Session,
    tmp_path: Path,
    *,
    valid_until: date = date(2026, 12, 31),
    member_of_place: bool = False,
) -> Setting:
    place = make_place(session, now=NOW)
    assert place.organisation.id is not None and place.site.id is not None
    other = create_site(
        session,
        organisation_id=place.organisation.id,
        code="second",
        name="Second hall",
        region_code="440103",
    )
    create_counter(session, site_id=other.id or 0, code="B1", name="Window B1")
    ensure_default_checklist(session, now=NOW)
    user = create_supervisor(
        session,
        username="zhou",
        password="s3cret-pass-2026",
        organisation_ids=[place.organisation.id],
        number="JD-2026-0017",
        valid_from=date(2026, 1, 1),
        valid_until=valid_until,
        member_site_id=place.site.id if member_of_place else None,
        now=NOW,
    )
    session.commit()
    assert user.id is not None
    return Setting(
        place=place,
        other_site=other,
        supervisor=account_of(session, user.id, Role.supervisor, {place.organisation.id}),
        checklist=current_checklist(session, place.organisation.id),
        data_dir=tmp_path,
    )


def all_pass(checklist: ChecklistSpec, **changes: CheckOutcome) -> dict[int, ItemResult]:
    """Every item passed but those named by code (``L1=CheckOutcome.failed``)."""
    return {
        item.id: ItemResult(changes.get(item.code, CheckOutcome.passed), "")
        for item in checklist.items
    }


def file(setting: Setting, session: Session, **overrides: object) -> Inspection:
    arguments: dict[str, object] = {
        "account": setting.supervisor,
        "organisation_id": setting.place.organisation.id,
        "kind": InspectionKind.secret_check,
        "site_id": setting.place.site.id,
        "counter_id": setting.place.counter.id,
        "staff_member_id": setting.place.staff.id,
        "inspected_at": NOW - timedelta(hours=1),
        "results": all_pass(setting.checklist),
        "note": "",
        "submission_key": "key-1",
        "photos": [],
        "data_dir": setting.data_dir,
        "now": NOW,
        "max_photo_bytes": MB,
    }
    arguments.update(overrides)
    return file_inspection(session, **arguments)  # type: ignore[arg-type]


def count(session: Session, model: type) -> int:
    session.rollback()
    return int(session.exec(select(func.count()).select_from(model)).one())


def test_default_checklist_has_every_section_in_three_languages(session: Session) -> None:
    ensure_default_checklist(session, now=NOW)
    again = ensure_default_checklist(session, now=NOW)
    session.commit()
    assert count(session, Checklist) == 1
    assert again.id is not None
    spec = load_checklist(session, again.id)
    assert [section for section, _ in spec.sections()] == list(ChecklistSection)
    assert len(spec.items) == len(DEFAULT_ITEMS)
    for item in spec.items:
        assert set(item.texts) == {"zh_Hans", "zh_Hant", "en"}
        assert all(item.texts.values())
    codes = {item.code for item in spec.items}
    assert {"L1", "P2", "D2", "Q1", "Q2"} <= codes


def test_file_inspection_stores_results_and_scores_worked_by_hand(
    session: Session, tmp_path: Path
) -> None:
    setting = make_setting(session, tmp_path)
    results = all_pass(
        setting.checklist,
        L1=CheckOutcome.failed,
        L2=CheckOutcome.not_applicable,
        P2=CheckOutcome.failed,
    )
    inspection = file(setting, session, results=results, note="  Badge missing.  ")
    assert inspection.id is not None
    assert inspection.note == "Badge missing."
    assert inspection.checklist_id == setting.checklist.id
    assert count(session, InspectionResult) == len(DEFAULT_ITEMS)
    scores = inspection_scores(session, inspection.id)
    # language: L1 fail, L2 n/a, L3 and L4 pass → 2 / 3; appearance: P1 pass, P2 fail →
    # 1 / 2; attitude all 4 pass → 1; overall 14 passes out of 16 checked → 0.875.
    assert scores.sections["language"].rate == pytest.approx(2 / 3)
    assert scores.sections["appearance"].rate == 0.5
    assert scores.sections["attitude"].rate == 1.0
    assert scores.overall.rate == 0.875
    assert list(scores.sections) == [section.value for section in ChecklistSection]


def test_expired_or_not_yet_valid_credential_is_refused(session: Session, tmp_path: Path) -> None:
    setting = make_setting(session, tmp_path, valid_until=date(2026, 11, 23))
    with pytest.raises(CredentialNotValid):
        file(setting, session)
    assert count(session, Inspection) == 0
    assert check_credential(session, setting.supervisor.id, date(2026, 11, 23)).number == (
        "JD-2026-0017"
    )
    with pytest.raises(CredentialNotValid):
        check_credential(session, setting.supervisor.id, date(2025, 12, 31))
    with pytest.raises(CredentialNotValid):
        check_credential(session, setting.supervisor.id + 1000, date(2026, 6, 1))


def test_another_organisations_places_are_not_found(session: Session, tmp_path: Path) -> None:
    setting = make_setting(session, tmp_path)
    stranger = make_place(session, now=NOW, slug="org-b")
    with pytest.raises(PlaceNotFound) as error:
        file(setting, session, organisation_id=stranger.organisation.id)
    assert error.value.field == "organisation"
    for field, overrides in (
        ("site", {"site_id": stranger.site.id, "counter_id": None, "staff_member_id": None}),
        ("counter", {"counter_id": stranger.counter.id}),
        ("staff", {"staff_member_id": stranger.staff.id}),
        ("site", {"site_id": 999_999}),
    ):
        with pytest.raises(PlaceNotFound) as error:
            file(setting, session, **overrides)
        assert error.value.field == field
    assert count(session, Inspection) == 0


def test_a_counter_of_another_hall_is_a_form_error(session: Session, tmp_path: Path) -> None:
    setting = make_setting(session, tmp_path)
    with pytest.raises(InvalidAnswer) as error:
        file(setting, session, site_id=setting.other_site.id)
    assert error.value.errors["counter"].render() == "This counter is not in the chosen hall."


def test_a_supervisor_may_not_inspect_their_own_hall(session: Session, tmp_path: Path) -> None:
    setting = make_setting(session, tmp_path, member_of_place=True)
    with pytest.raises(InvalidAnswer) as error:
        file(setting, session)
    assert "You belong to this hall" in error.value.errors["site"].render()
    assert count(session, Inspection) == 0
    inspection = file(setting, session, site_id=setting.other_site.id, counter_id=None)
    assert inspection.site_id == setting.other_site.id


def test_every_item_needs_an_outcome_and_the_missing_ones_are_named(
    session: Session, tmp_path: Path
) -> None:
    setting = make_setting(session, tmp_path)
    by_code = {item.code: item.id for item in setting.checklist.items}
    results = all_pass(setting.checklist)
    del results[by_code["L3"]], results[by_code["Q2"]]
    with pytest.raises(InvalidAnswer) as error:
        file(setting, session, results=results)
    errors = error.value.errors
    assert set(errors) == {f"item-{by_code['L3']}", f"item-{by_code['Q2']}", "checklist"}
    assert errors["checklist"].render() == "2 items have no outcome yet: L3, Q2."
    results[by_code["L3"]] = ItemResult(CheckOutcome.passed)
    with pytest.raises(InvalidAnswer) as error:
        file(setting, session, results=results)
    assert error.value.errors["checklist"].render() == "Item Q2 has no outcome yet."
    assert count(session, Inspection) == 0


def test_an_item_of_another_checklist_is_a_stale_form(session: Session, tmp_path: Path) -> None:
    setting = make_setting(session, tmp_path)
    results = all_pass(setting.checklist)
    results[10_000_000] = ItemResult(CheckOutcome.passed)
    with pytest.raises(InvalidAnswer) as error:
        file(setting, session, results=results)
    assert "form" in error.value.errors


def test_the_inspection_time_may_not_lie_in_the_future(session: Session, tmp_path: Path) -> None:
    setting = make_setting(session, tmp_path)
    with pytest.raises(InvalidAnswer) as error:
        file(setting, session, inspected_at=NOW + timedelta(hours=1))
    assert set(error.value.errors) == {"inspected_at"}
    with pytest.raises(InvalidAnswer) as error:
        file(setting, session, inspected_at=None)
    assert set(error.value.errors) == {"inspected_at"}
    with pytest.raises(InvalidAnswer) as error:
        file(setting, session, inspected_at=NOW - timedelta(days=367))
    assert "more than a year ago" in error.value.errors["inspected_at"].render()
    assert file(setting, session, inspected_at=NOW + timedelta(minutes=2)).id is not None


def test_a_double_submit_stores_one_inspection(session: Session, tmp_path: Path) -> None:
    setting = make_setting(session, tmp_path)
    photo = jpeg_with_location()
    first = file(setting, session, photos=[photo])
    second = file(setting, session, photos=[photo])
    assert first.id == second.id
    assert count(session, Inspection) == 1
    assert count(session, EvidencePhoto) == 1
    assert len(list((tmp_path / "evidence").iterdir())) == 1


def test_another_accounts_submission_key_is_a_stale_form(session: Session, tmp_path: Path) -> None:
    setting = make_setting(session, tmp_path)
    file(setting, session)
    other = account_of(session, 12345, Role.admin, set(setting.supervisor.organisation_ids))
    with pytest.raises(InvalidAnswer):
        file(setting, session, account=other)


def test_photos_are_stored_cleaned(session: Session, tmp_path: Path) -> None:
    setting = make_setting(session, tmp_path)
    inspection = file(setting, session, photos=[jpeg_with_location()])
    assert inspection.id is not None
    detail = inspection_detail(
        session, inspection.id, organisation_ids=setting.supervisor.organisation_ids
    )
    (photo,) = detail.photos
    stored = (tmp_path / photo.path).read_bytes()
    assert b"Exif" not in stored and b"SecretCam" not in stored
    assert photo.content_type == "image/jpeg" and photo.size_bytes == len(stored)


def test_a_bad_photo_refuses_the_whole_inspection_and_stores_nothing(
    session: Session, tmp_path: Path
) -> None:
    setting = make_setting(session, tmp_path)
    for bad in (b"GIF89a" + bytes(100), b"plain text named photo.jpg"):
        with pytest.raises(InvalidAnswer) as error:
            file(setting, session, photos=[jpeg_with_location(), bad])
        assert "JPEG or PNG" in error.value.errors["photo"].render()
    with pytest.raises(InvalidAnswer) as error:
        file(setting, session, photos=[jpeg_with_location()], max_photo_bytes=100)
    assert "larger than" in error.value.errors["photo"].render()
    with pytest.raises(InvalidAnswer) as error:
        file(setting, session, photos=[jpeg_with_location()] * 5, max_photos=4)
    assert "at most 4 photos" in error.value.errors["photo"].render()
    assert count(session, Inspection) == 0
    assert count(session, InspectionResult) == 0
    assert count(session, EvidencePhoto) == 0
    assert not (tmp_path / "evidence").exists()


def test_a_mutual_check_is_made_by_another_hall(session: Session, tmp_path: Path) -> None:
    setting = make_setting(session, tmp_path)
    mutual = {"kind": InspectionKind.mutual_check}
    with pytest.raises(InvalidAnswer) as error:
        file(setting, session, **mutual)
    assert set(error.value.errors) == {"inspecting_site"}
    with pytest.raises(InvalidAnswer):
        file(setting, session, inspecting_site_id=setting.place.site.id, **mutual)
    inspection = file(setting, session, inspecting_site_id=setting.other_site.id, **mutual)
    assert inspection.inspecting_site_id == setting.other_site.id


def test_a_secret_check_forgets_an_inspecting_hall(session: Session, tmp_path: Path) -> None:
    setting = make_setting(session, tmp_path)
    inspection = file(setting, session, inspecting_site_id=setting.other_site.id)
    assert inspection.inspecting_site_id is None


def test_a_regulator_files_no_inspection(session: Session, tmp_path: Path) -> None:
    setting = make_setting(session, tmp_path)
    regulator = account_of(session, 999, Role.regulator, set(setting.supervisor.organisation_ids))
    with pytest.raises(Forbidden):
        file(setting, session, account=regulator)


def test_a_revised_checklist_is_a_new_version_and_old_inspections_keep_theirs(
    session: Session, tmp_path: Path
) -> None:
    setting = make_setting(session, tmp_path)
    old = file(setting, session)
    organisation_id = setting.place.organisation.id
    assert organisation_id is not None and old.id is not None
    drafts = [
        ItemDraft(item.section, dict(item.texts), item.code)
        for item in setting.checklist.items
        if item.code != "L2"  # this hall has no phone
    ]
    drafts[0] = ItemDraft(drafts[0].section, {"en": "Greets every customer first."}, "L1")
    drafts.append(ItemDraft(ChecklistSection.quality, {"zh_Hans": "主动告知办理进度。"}))
    revised = revise_checklist(session, organisation_id=organisation_id, items=drafts, now=NOW)
    assert (revised.version, revised.organisation_id) == (2, organisation_id)
    session.rollback()
    stored = session.get(Checklist, revised.id)
    assert stored is not None and stored.parent_id == setting.checklist.id
    codes = [item.code for item in revised.items]
    assert "L2" not in codes and codes[-1] == "Q4"
    assert revised.items[0].text("en") == "Greets every customer first."
    assert revised.items[-1].text("en") == "主动告知办理进度。"  # falls back to Chinese
    assert current_checklist(session, organisation_id).id == revised.id
    # Another organisation still inspects with the built-in one.
    stranger = make_place(session, now=NOW, slug="org-b")
    assert stranger.organisation.id is not None
    assert current_checklist(session, stranger.organisation.id).id == setting.checklist.id
    # The old inspection keeps version 1 and its 17 results.
    detail = inspection_detail(session, old.id, organisation_ids={organisation_id})
    assert detail.checklist_version == 1
    assert sum(len(rows) for _, rows in detail.sections) == len(DEFAULT_ITEMS)
    # A new inspection must answer the new version, and may still answer the one it showed.
    with pytest.raises(InvalidAnswer):
        file(setting, session, submission_key="key-2")
    new = file(setting, session, submission_key="key-2", results=all_pass(revised))
    assert new.checklist_id == revised.id
    again = revise_checklist(session, organisation_id=organisation_id, items=drafts, now=NOW)
    assert again.version == 3


def test_revise_checklist_refuses_empty_or_unknown_items(session: Session, tmp_path: Path) -> None:
    setting = make_setting(session, tmp_path)
    organisation_id = setting.place.organisation.id
    assert organisation_id is not None
    with pytest.raises(InvalidAnswer) as error:
        revise_checklist(session, organisation_id=organisation_id, items=[], now=NOW)
    assert "items" in error.value.errors
    bad = [
        ItemDraft(ChecklistSection.language, {"en": "  "}),
        ItemDraft(ChecklistSection.language, {"fr": "Bonjour"}),
        ItemDraft(ChecklistSection.language, {"en": "x" * 301}),
        ItemDraft(ChecklistSection.language, {"en": "Fine"}, "Z9"),
    ]
    with pytest.raises(InvalidAnswer) as error:
        revise_checklist(session, organisation_id=organisation_id, items=bad, now=NOW)
    assert set(error.value.errors) == {"item-0", "item-1", "item-2", "item-3"}
    assert count(session, Checklist) == 1


def test_compliance_by_place_per_level_and_month_worked_by_hand(
    session: Session, tmp_path: Path
) -> None:
    setting = make_setting(session, tmp_path)
    place = setting.place
    assert place.organisation.id is not None and place.site.id is not None
    second_clerk = create_staff_member(
        session, site_id=place.site.id, job_number="org-a-002", display_name="王伟"
    )
    session.commit()
    # October: the clerk on duty fails L1 and P2 (15 of 17 pass); November: all pass, and
    # the second clerk fails D2 with Q3 not applicable (15 of 16 pass). A hall-wide
    # inspection of the second hall in November fails everything in quality (14 of 17).
    file(
        setting,
        session,
        submission_key="oct",
        inspected_at=at("2026-10-31", "23:30"),  # Shanghai time: still October
        results=all_pass(setting.checklist, L1=CheckOutcome.failed, P2=CheckOutcome.failed),
    )
    file(setting, session, submission_key="nov-1", inspected_at=at("2026-11-02", "09:00"))
    file(
        setting,
        session,
        submission_key="nov-2",
        inspected_at=at("2026-11-03", "09:00"),
        staff_member_id=second_clerk.id,
        counter_id=None,
        results=all_pass(setting.checklist, D2=CheckOutcome.failed, Q3=CheckOutcome.not_applicable),
    )
    file(
        setting,
        session,
        submission_key="nov-3",
        inspected_at=at("2026-11-04", "09:00"),
        site_id=setting.other_site.id,
        counter_id=None,
        staff_member_id=None,
        results=all_pass(
            setting.checklist,
            Q1=CheckOutcome.failed,
            Q2=CheckOutcome.failed,
            Q3=CheckOutcome.failed,
        ),
    )

    def rates(
        level: Level, period: PeriodGrain = "month", site_id: int | None = None
    ) -> dict[tuple[int, str], PlaceCompliance]:
        assert place.organisation.id is not None
        return compliance_by_place(
            session,
            organisation_ids={place.organisation.id},
            since=date(2026, 10, 1),
            until=date(2026, 12, 1),
            timezone=SHANGHAI,
            level=level,
            period=period,
            site_id=site_id,
        )

    sites = rates("site")
    assert set(sites) == {
        (place.site.id, "2026-10"),
        (place.site.id, "2026-11"),
        (setting.other_site.id, "2026-11"),
    }
    assert sites[(place.site.id, "2026-10")].rate == pytest.approx(15 / 17)
    november = sites[(place.site.id, "2026-11")]
    # 17 + 15 passes out of 17 + 16 checked; discipline (4 + 3) / (4 + 4) = 7 / 8.
    assert november.n_inspections == 2
    assert november.rate == pytest.approx(32 / 33)
    assert november.scores.sections["discipline"].rate == pytest.approx(7 / 8)
    assert sites[(setting.other_site.id, "2026-11")].scores.sections["quality"].rate == 0.0

    staff = rates("staff", "all")
    assert set(staff) == {(place.staff.id, "all"), (second_clerk.id, "all")}
    assert staff[(place.staff.id, "all")].rate == pytest.approx(32 / 34)
    assert staff[(place.staff.id, "all")].n_inspections == 2
    assert staff[(second_clerk.id, "all")].rate == pytest.approx(15 / 16)

    counters = rates("counter", "quarter")
    assert set(counters) == {(place.counter.id, "2026-Q4")}

    narrowed = rates("site", "year", site_id=setting.other_site.id)
    assert set(narrowed) == {(setting.other_site.id, "2026")}
    assert (
        compliance_by_place(
            session,
            level="site",
            organisation_ids={place.organisation.id},
            since=date(2026, 12, 1),
            until=date(2027, 1, 1),
            timezone=SHANGHAI,
        )
        == {}
    )
