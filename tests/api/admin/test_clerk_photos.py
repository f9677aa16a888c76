"""A clerk's photo: uploaded by an administrator, cleaned of every metadata (a phone's GPS
position never reaches customers), shown on the survey page beside the clerk's name, and
no longer served once the clerk has left."""

import io

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlmodel import Session

from survey.models import Role, StaffMember
from tests.factories import FixedClock, Place, jpeg_with_location, make_place
from tests.web import add_user, csrf_of, log_in


@pytest.fixture
def place(session: Session, clock: FixedClock) -> Place:
    place = make_place(session, now=clock())
    add_user(session, clock, "ada", Role.admin, [place.organisation.id or 0])
    return place


def upload(client: TestClient, place: Place, data: bytes, name: str = "me.jpg") -> object:
    token = csrf_of(client.get(f"/admin/sites/{place.site.id}").text)
    return client.post(
        f"/admin/staff/{place.staff.id}/photo?lang=en",
        data={"csrf_token": token},
        files={"photo": (name, data, "image/jpeg")},
        follow_redirects=False,
    )


def test_a_clerks_photo_is_cleaned_and_shown_on_the_survey_page(
    client: TestClient, place: Place, session: Session
) -> None:
    log_in(client, "ada")
    assert upload(client, place, jpeg_with_location()).status_code == 303
    photo = client.get(f"/clerks/{place.staff.id}/photo")
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
    image = Image.open(io.BytesIO(photo.content))
    assert dict(image.getexif()) == {} and "icc_profile" not in image.info
    assert b"SecretCam" not in photo.content and b"where-i-live" not in photo.content
    survey = client.get(f"/s/{place.link.token}")
    assert f'src="/clerks/{place.staff.id}/photo"' in survey.text


def test_a_file_that_is_not_a_photo_is_refused_on_the_clerks_row(
    client: TestClient, place: Place, session: Session
) -> None:
    log_in(client, "ada")
    response = upload(client, place, b"GIF89a not a photo", name="x.gif")
    assert response.status_code == 422
    assert "Please choose a photo in JPEG or PNG format." in response.text
    session.rollback()
    staff = session.get(StaffMember, place.staff.id)
    assert staff is not None and staff.photo_path is None
    assert client.get(f"/clerks/{place.staff.id}/photo").status_code == 404


def test_the_photo_of_a_clerk_who_left_is_no_longer_served(
    client: TestClient, place: Place, session: Session, clock: FixedClock
) -> None:
    log_in(client, "ada")
    upload(client, place, jpeg_with_location())
    token = csrf_of(client.get(f"/admin/sites/{place.site.id}").text)
    client.post(f"/admin/staff/{place.staff.id}/leave", data={"csrf_token": token})
    assert client.get(f"/clerks/{place.staff.id}/photo").status_code == 404


def test_another_organisations_clerk_is_not_touched(
    client: TestClient, place: Place, session: Session, clock: FixedClock
) -> None:
    other = make_place(session, now=clock(), slug="other")
    log_in(client, "ada")
    token = csrf_of(client.get("/admin").text)
    response = client.post(
        f"/admin/staff/{other.staff.id}/photo",
        data={"csrf_token": token},
        files={"photo": ("me.jpg", jpeg_with_location(), "image/jpeg")},
    )
    assert response.status_code == 404
    session.rollback()
    staff = session.get(StaffMember, other.staff.id)
    assert staff is not None and staff.photo_path is None
