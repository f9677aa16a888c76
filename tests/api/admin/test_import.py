"""Importing halls, counters and clerks on the set-up pages: a preview first (nothing is
stored), then all of it on confirmation; a bad file comes back with every problem's line
and column and stores nothing."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import Session, select

from api.admin.imports import KEPT_UPLOADS
from api.settings import Settings
from survey.models import Counter, Role, Site, StaffMember
from tests.factories import FixedClock, Place, make_place
from tests.web import add_user, csrf_of, log_in

TABLE = (
    "site_code,site_name,region_code,opening_hours,counter_code,counter_name,job_number,staff_name\n"
    "GZ-09,海珠营业厅,440103,09:00-18:00,C1,1号窗口,GZ9001,周杰\n"
    "GZ-09,,,,C2,2号窗口,GZ9002,吴芳\n"
)


@pytest.fixture
def place(session: Session, clock: FixedClock) -> Place:
    place = make_place(session, now=clock())
    add_user(session, clock, "ada", Role.admin, [place.organisation.id or 0])
    return place


def preview(client: TestClient, place: Place, table: str, name: str = "halls.csv") -> object:
    token = csrf_of(client.get("/admin/import").text)
    return client.post(
        "/admin/import?lang=en",
        data={"csrf_token": token, "organisation": str(place.organisation.id)},
        files={"table": (name, table.encode(), "text/csv")},
    )


def counts(session: Session) -> tuple[int, int, int]:
    session.rollback()
    return tuple(  # type: ignore[return-value]
        session.exec(select(func.count()).select_from(table)).one()
        for table in (Site, Counter, StaffMember)
    )


def test_a_table_is_previewed_then_imported_on_confirmation(
    client: TestClient, place: Place, session: Session
) -> None:
    log_in(client, "ada")
    before = counts(session)
    shown = preview(client, place, TABLE)
    assert shown.status_code == 200
    assert re.search(r"Halls</th><td class=\"num\">1</td>", shown.text)
    assert re.search(r"Counters</th><td class=\"num\">2</td>", shown.text)
    assert counts(session) == before  # the preview stores nothing
    upload = re.search(r'name="upload" value="([0-9a-f]{64})"', shown.text)
    assert upload
    done = client.post(
        "/admin/import/apply",
        data={
            "csrf_token": csrf_of(shown.text),
            "organisation": str(place.organisation.id),
            "upload": upload.group(1),
            "filename": "halls.csv",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert counts(session) == (before[0] + 1, before[1] + 2, before[2] + 2)
    clerk = session.exec(select(StaffMember).where(StaffMember.job_number == "GZ9002")).one()
    counter = session.get(Counter, clerk.counter_id)
    assert counter is not None and counter.code == "C2"
    again = preview(client, place, TABLE)  # the same file again changes nothing
    assert re.search(
        r"Halls</th><td class=\"num\">0</td><td class=\"num\">0</td><td class=\"num\">1</td>",
        again.text,
    )


def test_a_bad_table_lists_every_problem_and_stores_nothing(
    client: TestClient, place: Place, session: Session
) -> None:
    log_in(client, "ada")
    before = counts(session)
    bad = TABLE + "GZ-10,新厅,999999,18:00-09:00,,,,\n"
    shown = preview(client, place, bad)
    assert shown.status_code == 422
    assert "Nothing was stored" in shown.text
    assert re.search(r'<td class="num">4</td><td>region_code</td>', shown.text)
    assert re.search(r'<td class="num">4</td><td>opening_hours</td>', shown.text)
    assert 'name="upload"' not in shown.text
    assert counts(session) == before


def test_an_unknown_upload_is_not_found(client: TestClient, place: Place) -> None:
    log_in(client, "ada")
    token = csrf_of(client.get("/admin/import").text)
    response = client.post(
        "/admin/import/apply",
        data={"csrf_token": token, "organisation": str(place.organisation.id), "upload": "0" * 64},
    )
    assert response.status_code == 404
    traversal = client.post(
        "/admin/import/apply",
        data={"csrf_token": token, "organisation": str(place.organisation.id), "upload": "../../x"},
    )
    assert traversal.status_code == 404


def test_no_file_is_a_clear_message(client: TestClient, place: Place) -> None:
    log_in(client, "ada")
    token = csrf_of(client.get("/admin/import").text)
    response = client.post(
        "/admin/import?lang=en",
        data={"csrf_token": token, "organisation": str(place.organisation.id)},
        files={"table": ("empty.csv", b"", "text/csv")},
    )
    assert response.status_code == 422 and "Choose a CSV or XLSX file." in response.text


def test_previewed_tables_waiting_for_confirmation_are_capped(
    client: TestClient, place: Place, settings: Settings
) -> None:
    """A previewed table is kept until it is imported; past 20 waiting, the oldest go."""
    log_in(client, "ada")
    for number in range(KEPT_UPLOADS + 3):
        table = f"site_code,site_name,region_code\nH{number},Hall {number},440103\n"
        assert preview(client, place, table).status_code == 200
    assert len(list((settings.data_dir / "imports").iterdir())) == KEPT_UPLOADS
