"""The supervisors' portal: credential, inspections with photos, feedback; every bad input
a 4xx with a clear message, the form given back with what was entered, nothing stored."""

import html
import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from api.app import create_app
from api.settings import Settings
from survey.models import (
    Case,
    EvidencePhoto,
    Feedback,
    Inspection,
    InspectionResult,
    Role,
)
from survey.places.organisations import create_site
from survey.supervision.checklists import current_checklist, ensure_default_checklist
from survey.supervision.supervisors import create_supervisor
from tests.factories import (
    FixedClock,
    Place,
    at,
    jpeg_with_location,
    local_day,
    long_date,
    make_place,
)
from tests.web import add_user, csrf_of, log_in

# The app's clock stands at 10:30 in Shanghai on the tests' today (tests/conftest.py).


@dataclass
class Portal:
    """A place, a second hall of its organisation, the checklist, and the supervisor zhou
    (signed in) of that organisation."""

    place: Place
    other_site_id: int
    item_ids: dict[str, int]
    now: datetime


def add_supervisor(
    session: Session,
    clock: FixedClock,
    organisation_id: int,
    *,
    username: str = "zhou",
    number: str = "JD-2026-0017",
    valid_from: date | None = None,
    valid_until: date | None = None,
    member_site_id: int | None = None,
) -> None:
    """A supervisor whose credential runs through the clock's year unless given dates."""
    year = local_day(clock()).year
    create_supervisor(
        session,
        username=username,
        password="s3cret-pass-2026",
        organisation_ids=[organisation_id],
        number=number,
        valid_from=valid_from or date(year, 1, 1),
        valid_until=valid_until or date(year, 12, 31),
        display_name="周监督员",
        member_site_id=member_site_id,
        now=clock(),
    )
    session.commit()


def make_portal(session: Session, clock: FixedClock, **supervisor: object) -> Portal:
    place = make_place(session, now=clock())
    assert place.organisation.id is not None
    other = create_site(
        session,
        organisation_id=place.organisation.id,
        code="second",
        name="Second hall",
        region_code="440103",
    )
    ensure_default_checklist(session, now=clock())
    session.commit()
    add_supervisor(session, clock, place.organisation.id, **supervisor)  # type: ignore[arg-type]
    checklist = current_checklist(session, place.organisation.id)
    session.commit()  # end the read, so that later writes see what the app wrote
    assert other.id is not None
    return Portal(place, other.id, {item.code: item.id for item in checklist.items}, clock())


@pytest.fixture
def portal(client: TestClient, session: Session, clock: FixedClock) -> Portal:
    portal = make_portal(session, clock)
    assert log_in(client, "zhou") == 303
    return portal


def form_values(client: TestClient, url: str = "/supervisor/inspections/new") -> dict[str, str]:
    page = client.get(url)
    assert page.status_code == 200, page.text
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    return {key: html.unescape(value) for key, value in hidden.items()}


def inspection_form(
    client: TestClient, portal: Portal, *, fail: tuple[str, ...] = (), skip: tuple[str, ...] = ()
) -> dict[str, str]:
    """A complete inspection form as the browser sends it: every item passed but those
    failed or skipped (by code)."""
    data = form_values(client)
    data |= {
        "kind": "secret_check",
        "site": str(portal.place.site.id),
        "counter": str(portal.place.counter.id),
        "staff": str(portal.place.staff.id),
        "inspecting_site": "",
        "inspected_date": local_day(portal.now).isoformat(),
        "inspected_time": "09:45",
        "note": "窗口 A1 的检查",
    }
    for code, item_id in portal.item_ids.items():
        if code not in skip:
            data[f"item-{item_id}"] = "fail" if code in fail else "pass"
            data[f"note-{item_id}"] = ""
    return data


def count(session: Session, model: type) -> int:
    session.commit()  # a fresh read: see what the app wrote
    return int(session.exec(select(func.count()).select_from(model)).one())


def stored_files(settings: Settings) -> list[Path]:
    folder = settings.data_dir / "evidence"
    return sorted(folder.iterdir()) if folder.exists() else []


def noisy_jpeg(side: int = 120) -> bytes:
    """A JPEG that does not compress well (random pixels), for size limits."""
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, "JPEG")
    return out.getvalue()


def test_login_leads_a_supervisor_to_the_portal_with_the_credential(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    make_portal(session, clock)
    csrf = csrf_of(client.get("/login").text)
    response = client.post(
        "/login",
        data={"username": "zhou", "password": "s3cret-pass-2026", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/supervisor"
    home = client.get("/supervisor?lang=en")
    assert home.status_code == 200
    assert "周监督员" in home.text and "JD-2026-0017" in home.text
    year = local_day(clock()).year
    assert long_date(date(year, 1, 1)) in home.text
    assert long_date(date(year, 12, 31)) in home.text
    assert 'href="/supervisor/inspections/new"' in home.text
    assert 'href="/supervisor/feedback/new"' in home.text
    assert "You have not filed any inspection yet." in home.text


def test_an_expired_credential_gets_a_clear_403_everywhere(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    yesterday = local_day(clock()) - timedelta(days=1)
    make_portal(session, clock, valid_from=yesterday - timedelta(days=365), valid_until=yesterday)
    assert log_in(client, "zhou") == 303
    home = client.get("/supervisor?lang=en")
    assert home.status_code == 403
    expired = f"Your supervisor credential JD-2026-0017 expired on {long_date(yesterday)}."
    assert expired in home.text
    for url in ("/supervisor/inspections/new", "/supervisor/feedback/new"):
        page = client.get(url + "?lang=en")
        assert page.status_code == 403
        assert "Your supervisor credential has expired or is not valid yet" in page.text
    assert count(session, Inspection) == 0


def test_a_manager_gets_403_and_a_stranger_the_login_page(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    portal = make_portal(session, clock)
    assert (
        client.get("/supervisor", follow_redirects=False).headers["location"].startswith("/login")
    )
    assert portal.place.organisation.id is not None
    add_user(session, clock, "wang", Role.manager, [portal.place.organisation.id])
    assert log_in(client, "wang") == 303
    for url in ("/supervisor", "/supervisor/inspections/new", "/supervisor/feedback/new"):
        assert client.get(url).status_code == 403
    assert client.post("/supervisor/inspections/new", data={}).status_code == 403


def test_the_form_offers_the_organisations_places_and_the_checklist_with_labels(
    client: TestClient, portal: Portal
) -> None:
    page = client.get("/supervisor/inspections/new?lang=en")
    assert page.status_code == 200
    text = page.text
    for field in ("site", "counter", "staff", "inspected_date", "inspected_time", "note", "photos"):
        assert f'<label for="{field}">' in text or f'<label class="small" for="{field}">' in text
    assert f'value="{local_day(portal.now)}"' in text and 'value="10:30"' in text
    assert "Hall org-a" in text and "Second hall" in text
    assert 'accept="image/jpeg,image/png"' in text and 'enctype="multipart/form-data"' in text
    item = portal.item_ids["L1"]
    assert f'<fieldset class="card" id="item-{item}">' in text
    assert "Uses the standard polite words" in text
    assert text.count('value="na"') == len(portal.item_ids)
    zh = client.get("/supervisor/inspections/new?lang=zh_Hant").text
    assert "使用「請、您好、對不起、謝謝、再見」等規範文明用語。" in zh


def test_file_an_inspection_with_a_photo_and_read_its_scores(
    client: TestClient, session: Session, portal: Portal, settings: Settings
) -> None:
    data = inspection_form(client, portal, fail=("L1", "P2"))
    response = client.post(
        "/supervisor/inspections/new",
        data=data,
        files=[("photos", ("IMG_0001.JPG", jpeg_with_location(), "image/jpeg"))],
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    session.commit()
    inspection = session.exec(select(Inspection)).one()
    assert location == f"/supervisor/inspections/{inspection.id}"
    assert inspection.inspected_at == at(local_day(portal.now), "09:45")
    page = client.get(location + "?lang=en")
    assert page.status_code == 200
    # 15 of 17 items pass: 88%; language 3 of 4 (75%), appearance 1 of 2 (50%).
    assert "Inspection: 88%" in page.text
    assert re.search(r"Service language</th><td class=\"num\">75%", page.text)
    assert re.search(r"Appearance</th><td class=\"num\">50%", page.text)
    assert "窗口 A1 的检查" in page.text
    photo = session.exec(select(EvidencePhoto)).one()
    assert f'src="/evidence/{photo.id}"' in page.text
    image = client.get(f"/evidence/{photo.id}")
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/jpeg"
    assert b"Exif" not in image.content and b"SecretCam" not in image.content
    home = client.get("/supervisor?lang=en")
    assert location in home.text and "2 items failed" in home.text


def test_missing_items_give_the_form_back_with_every_value_and_a_message(
    client: TestClient, session: Session, portal: Portal
) -> None:
    data = inspection_form(client, portal, fail=("Q1",), skip=("L3", "D2"))
    q1 = portal.item_ids["Q1"]
    data[f"note-{q1}"] = "办理错了两次"
    response = client.post(
        "/supervisor/inspections/new?lang=en",
        data=data,
        files=[("photos", ("a.jpg", jpeg_with_location(), "image/jpeg"))],
    )
    assert response.status_code == 422
    text = response.text
    assert "2 items have no outcome yet: L3, D2." in text
    for code in ("L3", "D2"):
        assert f'<p class="err" id="err-item-{portal.item_ids[code]}">' in text
    assert f'name="item-{q1}" value="fail" checked' in text
    assert 'value="办理错了两次"' in text
    assert "窗口 A1 的检查</textarea>" in text
    assert f'<option value="{portal.place.site.id}" selected>' in text
    assert 'value="09:45"' in text
    assert f'name="submission_key" value="{data["submission_key"]}"' in text
    assert "Photos are not kept when the form comes back" in text
    assert count(session, Inspection) == 0 and count(session, EvidencePhoto) == 0


@pytest.mark.parametrize(
    ("day", "hour", "message"),
    [
        ("0001-01-01", "00:00", "Please enter the date and time of the inspection."),
        ("2026-13-01", "09:00", "Please enter the date and time of the inspection."),
        ("today", "25:00", "Please enter the date and time of the inspection."),
        ("tomorrow", "09:00", "The time of the inspection is in the future."),
    ],
)
def test_an_unreadable_or_future_time_is_a_message_not_an_error(
    client: TestClient, session: Session, portal: Portal, day: str, hour: str, message: str
) -> None:
    today = local_day(portal.now)
    relative = {"today": today, "tomorrow": today + timedelta(days=1)}
    day = str(relative.get(day, day))
    data = inspection_form(client, portal) | {"inspected_date": day, "inspected_time": hour}
    response = client.post("/supervisor/inspections/new?lang=en", data=data)
    assert response.status_code == 422
    assert f'<p class="err" id="err-inspected_at">{message}</p>' in response.text
    assert f'value="{day}"' in response.text
    assert count(session, Inspection) == 0


def test_another_organisations_site_is_404_with_a_clear_message(
    client: TestClient, session: Session, clock: FixedClock, portal: Portal
) -> None:
    stranger = make_place(session, now=clock(), slug="org-b")
    data = inspection_form(client, portal)
    data |= {"site": str(stranger.site.id), "counter": "", "staff": ""}
    response = client.post("/supervisor/inspections/new?lang=en", data=data)
    assert response.status_code == 404
    assert "This place is not one of your organisations&#39; places." in response.text
    assert 'id="err-site"' in response.text
    data |= {"site": str(portal.place.site.id), "staff": str(stranger.staff.id)}
    response = client.post("/supervisor/inspections/new?lang=en", data=data)
    assert response.status_code == 404 and 'id="err-staff"' in response.text
    other_org = client.get(
        f"/supervisor/inspections/new?organisation={stranger.organisation.id}&lang=en"
    )
    assert other_org.status_code == 404
    assert count(session, Inspection) == 0


def test_a_supervisor_may_not_inspect_the_hall_they_belong_to(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    place = make_place(session, now=clock())
    assert place.organisation.id is not None
    ensure_default_checklist(session, now=clock())
    session.commit()
    add_supervisor(session, clock, place.organisation.id, member_site_id=place.site.id)
    assert log_in(client, "zhou") == 303
    portal = Portal(
        place,
        0,
        {i.code: i.id for i in current_checklist(session, place.organisation.id).items},
        clock(),
    )
    response = client.post(
        "/supervisor/inspections/new?lang=en", data=inspection_form(client, portal)
    )
    assert response.status_code == 422
    assert "You belong to this hall, so you may not inspect it." in response.text
    assert count(session, Inspection) == 0


@pytest.mark.parametrize(
    ("filename", "content", "content_type"),
    [
        ("photo.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "image/gif"),
        ("photo.jpg", b"This is a text file renamed to .jpg", "image/jpeg"),
    ],
)
def test_a_wrong_type_upload_is_refused_and_nothing_is_stored(
    client: TestClient,
    session: Session,
    portal: Portal,
    settings: Settings,
    filename: str,
    content: bytes,
    content_type: str,
) -> None:
    response = client.post(
        "/supervisor/inspections/new?lang=en",
        data=inspection_form(client, portal),
        files=[
            ("photos", ("good.jpg", jpeg_with_location(), "image/jpeg")),
            ("photos", (filename, content, content_type)),
        ],
    )
    assert response.status_code == 422
    assert "Please choose a photo in JPEG or PNG format." in response.text
    assert 'id="err-photos"' in response.text
    assert count(session, Inspection) == 0
    assert count(session, InspectionResult) == 0
    assert count(session, EvidencePhoto) == 0
    assert stored_files(settings) == []


@pytest.fixture
def small_uploads(settings: Settings, engine: Engine, clock: FixedClock) -> Iterator[TestClient]:
    """An app that takes photos of at most 8 KB, two per form."""
    limited = settings.model_copy(update={"max_upload_bytes": 8 * 1024, "max_upload_files": 2})
    app = create_app(limited, engine=engine, clock=clock)
    with TestClient(app, headers={"accept": "text/html"}) as test_client:
        yield test_client


def test_an_oversized_photo_gets_a_message_on_the_kept_form(
    small_uploads: TestClient, session: Session, clock: FixedClock, settings: Settings
) -> None:
    client = small_uploads
    portal = make_portal(session, clock)
    assert log_in(client, "zhou") == 303
    photo = noisy_jpeg()
    assert len(photo) > 8 * 1024
    data = inspection_form(client, portal)
    response = client.post(
        "/supervisor/inspections/new?lang=en",
        data=data,
        files=[("photos", ("big.jpg", photo, "image/jpeg"))],
    )
    assert response.status_code == 422
    assert "The photo is larger than 0.0078 MB. Please choose a smaller one." in response.text
    assert "窗口 A1 的检查</textarea>" in response.text
    too_many = client.post(
        "/supervisor/inspections/new?lang=en",
        data=data,
        files=[("photos", (f"{n}.jpg", jpeg_with_location(), "image/jpeg")) for n in range(3)],
    )
    assert too_many.status_code == 422
    assert "Please attach at most 2 photos." in too_many.text
    assert count(session, Inspection) == 0 and stored_files(settings) == []


def test_a_body_too_large_in_total_gets_413_with_the_form_and_a_message(
    small_uploads: TestClient, session: Session, clock: FixedClock, settings: Settings
) -> None:
    client = small_uploads
    portal = make_portal(session, clock)
    assert log_in(client, "zhou") == 303
    response = client.post(
        f"/supervisor/inspections/new?lang=en&organisation={portal.place.organisation.id}",
        data=inspection_form(client, portal),
        files=[("photos", ("huge.jpg", bytes(200 * 1024), "image/jpeg"))],
    )
    assert response.status_code == 413
    assert "The photos were larger than" in response.text
    assert '<form method="post"' in response.text
    assert count(session, Inspection) == 0 and stored_files(settings) == []


def test_a_double_submit_stores_one_inspection(
    client: TestClient, session: Session, portal: Portal, settings: Settings
) -> None:
    data = inspection_form(client, portal)
    files = [("photos", ("a.jpg", jpeg_with_location(), "image/jpeg"))]
    first = client.post(
        "/supervisor/inspections/new", data=data, files=files, follow_redirects=False
    )
    second = client.post(
        "/supervisor/inspections/new", data=data, files=files, follow_redirects=False
    )
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert count(session, Inspection) == 1 and count(session, EvidencePhoto) == 1
    assert len(stored_files(settings)) == 1


def test_a_form_without_its_token_is_refused(
    client: TestClient, session: Session, portal: Portal
) -> None:
    data = inspection_form(client, portal)
    data["csrf_token"] = "forged"
    assert client.post("/supervisor/inspections/new", data=data).status_code == 403
    assert count(session, Inspection) == 0


def test_photos_are_shown_only_to_those_who_may_see_them(
    client: TestClient, session: Session, clock: FixedClock, portal: Portal
) -> None:
    response = client.post(
        "/supervisor/inspections/new",
        data=inspection_form(client, portal),
        files=[("photos", ("a.jpg", jpeg_with_location(), "image/jpeg"))],
        follow_redirects=False,
    )
    inspection_url = response.headers["location"]
    session.commit()
    photo = session.exec(select(EvidencePhoto)).one()
    organisation_id = portal.place.organisation.id
    assert organisation_id is not None
    stranger = make_place(session, now=clock(), slug="org-b")
    assert stranger.organisation.id is not None
    add_user(session, clock, "li", Role.manager, [stranger.organisation.id])
    add_user(session, clock, "wang", Role.manager, [organisation_id])
    add_supervisor(session, clock, organisation_id, username="sun", number="JD-2026-0018")
    for username, photo_status, page_status in (
        ("li", 404, 403),  # a manager of another organisation
        ("sun", 404, 404),  # another supervisor of the same organisation
        ("wang", 200, 403),  # the organisation's manager (the portal is not theirs)
    ):
        assert log_in(client, username) == 303
        assert client.get(f"/evidence/{photo.id}").status_code == photo_status, username
        assert client.get(inspection_url).status_code == page_status, username
    assert client.get("/evidence/999999").status_code == 404


def test_a_supervisors_complaint_opens_a_case_they_own_with_the_complainant_link(
    client: TestClient, session: Session, portal: Portal, settings: Settings
) -> None:
    data = form_values(client, "/supervisor/feedback/new")
    data |= {
        "kind": "complaint",
        "category": "attitude",
        "site": str(portal.place.site.id),
        "counter": str(portal.place.counter.id),
        "staff": "",
        "text": "A1 窗口工作人员玩手机，让客户等了十分钟。",
    }
    response = client.post("/supervisor/feedback/new", data=data, follow_redirects=False)
    assert response.status_code == 303
    again = client.post("/supervisor/feedback/new", data=data, follow_redirects=False)
    assert again.headers["location"] == response.headers["location"]
    session.commit()
    case = session.exec(select(Case)).one()
    feedback = session.exec(select(Feedback)).one()
    assert feedback.source == "supervisor" and feedback.category == "attitude"
    assert case.owner_user_id == feedback.submitted_by_user_id
    page = client.get(response.headers["location"] + "?lang=en")
    assert page.status_code == 200
    assert f'href="/c/{case.public_token}"' in page.text
    assert f"http://testserver/c/{case.public_token}" in page.text
    assert "you own it until it is answered" in page.text


def test_praise_opens_no_case(client: TestClient, session: Session, portal: Portal) -> None:
    data = form_values(client, "/supervisor/feedback/new")
    data |= {"kind": "praise", "category": "other", "site": str(portal.place.site.id)}
    data |= {"text": "李娜耐心地讲解了资费。"}
    response = client.post("/supervisor/feedback/new", data=data)
    assert response.status_code == 200
    assert "/c/" not in response.text
    assert count(session, Case) == 0 and count(session, Feedback) == 1


def test_feedback_form_errors_keep_the_text_and_another_organisation_is_404(
    client: TestClient, session: Session, clock: FixedClock, portal: Portal
) -> None:
    data = form_values(client, "/supervisor/feedback/new")
    data |= {"kind": "suggestion", "category": "fees", "site": "", "text": "周末多开窗口"}
    response = client.post("/supervisor/feedback/new?lang=en", data=data)
    assert response.status_code == 422
    assert "Please choose the hall." in response.text
    assert "周末多开窗口</textarea>" in response.text
    assert 'value="fees" selected' in response.text
    stranger = make_place(session, now=clock(), slug="org-b")
    data |= {"site": str(stranger.site.id)}
    response = client.post(
        "/supervisor/feedback/new?lang=en",
        data=data,
        files=[("photos", ("a.jpg", jpeg_with_location(), "image/jpeg"))],
    )
    assert response.status_code == 404
    assert "not one of your organisations" in response.text
    assert "Photos are not kept when the form comes back" in response.text
    assert count(session, Feedback) == 0
    someone_elses = client.get("/supervisor/feedback/999999")
    assert someone_elses.status_code == 404


def test_a_chunked_upload_without_a_length_is_cut_off_at_the_limit(
    small_uploads: TestClient, session: Session, clock: FixedClock, settings: Settings
) -> None:
    """No Content-Length to refuse up front: the reader stops once the limit is passed."""
    client = small_uploads
    portal = make_portal(session, clock)
    assert log_in(client, "zhou") == 303
    fields = inspection_form(client, portal)
    boundary = "manyi-test-boundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; filename="x.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n".encode()
    )

    def body() -> Iterator[bytes]:
        yield from parts
        for _ in range(40):  # 40 × 8 KB, far over the 2 × 8 KB + 64 KB limit
            yield b"\xff" * 8192
        yield f"\r\n--{boundary}--\r\n".encode()

    response = client.post(
        f"/supervisor/inspections/new?lang=en&organisation={portal.place.organisation.id}",
        content=body(),
        headers={"content-type": f"multipart/form-data; boundary={boundary}"},
    )
    assert response.status_code == 413
    assert "The photos were larger than" in response.text
    assert count(session, Inspection) == 0 and stored_files(settings) == []


def test_a_complaint_with_photo_evidence_the_manager_sees_without_location(
    client: TestClient, session: Session, portal: Portal, settings: Settings, clock: FixedClock
) -> None:
    """The supervisor's complaint carries a photo with GPS in its EXIF; what is stored has
    none, and the manager who handles the case sees it. A GIF instead of a photo brings the
    form back (422) with the text kept and nothing stored."""
    data = form_values(client, "/supervisor/feedback/new")
    data |= {
        "kind": "complaint",
        "category": "environment",
        "site": str(portal.place.site.id),
        "text": "自助机屏幕碎了，没有提示。",
    }
    gif = io.BytesIO()
    Image.new("RGB", (8, 8)).save(gif, "GIF")
    refused = client.post(
        "/supervisor/feedback/new?lang=en",
        data=data,
        files={"photos": ("broken.jpg", gif.getvalue(), "image/jpeg")},
    )
    assert refused.status_code == 422
    assert "JPEG or PNG" in refused.text and "自助机屏幕碎了，没有提示。</textarea>" in refused.text
    assert count(session, Feedback) == 0 and stored_files(settings) == []
    sent = client.post(
        "/supervisor/feedback/new",
        data=data,
        files={"photos": ("IMG_1.jpg", jpeg_with_location(), "image/jpeg")},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    session.commit()
    photo = session.exec(select(EvidencePhoto)).one()
    case = session.exec(select(Case)).one()
    assert photo.feedback_id == case.feedback_id
    (stored,) = stored_files(settings)
    with Image.open(stored) as image:
        assert not image.getexif()
    client.cookies.clear()
    add_user(session, clock, "wang", Role.manager, [portal.place.organisation.id or 0])
    assert log_in(client, "wang") == 303
    detail = client.get(f"/manager/cases/{case.id}")
    assert f'src="/evidence/{photo.id}"' in detail.text
    assert client.get(f"/evidence/{photo.id}").content == stored.read_bytes()
