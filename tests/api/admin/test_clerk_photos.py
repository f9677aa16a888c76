"""A clerk's photo: uploaded by an administrator, cleaned of every metadata (a phone's GPS
position never reaches customers), shown on the survey page beside the clerk's name, and
no longer served once the clerk has left."""

import io
import re

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlmodel import Session

from survey.models import Role, StaffMember
from survey.places.links import create_link
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


def test_the_halls_poster_sheet_shows_the_clerks_photo(
    client: TestClient, place: Place, session: Session, clock: FixedClock
) -> None:
    """The printed poster of a clerk's own link shows the photo above the clerk's name, as
    the survey page does: the sheet's page holds the photo's colour only once a photo is
    uploaded. (A counter's poster names nobody: clerks change shifts, the poster stays.)"""
    place.link.revoked_at = clock()
    session.add(place.link)
    create_link(
        session,
        campaign_id=place.campaign.id or 0,
        counter_id=place.counter.id or 0,
        staff_member_id=place.staff.id,
        now=clock(),
    )
    session.commit()
    orange = (230, 120, 20)
    buffer = io.BytesIO()
    Image.new("RGB", (300, 400), orange).save(buffer, format="JPEG", quality=95)
    log_in(client, "ada")

    def orange_pixels() -> int:
        sheet = client.get(f"/admin/sites/{place.site.id}/posters.pdf")
        assert sheet.status_code == 200
        pages = re.findall(rb"\xff\xd8\xff.*?\xff\xd9", sheet.content, flags=re.DOTALL)
        assert len(pages) == 1
        image = Image.open(io.BytesIO(pages[0])).convert("RGB")
        return sum(
            count
            for count, pixel in image.getcolors(maxcolors=1 << 20) or []
            if all(abs(a - b) <= 16 for a, b in zip(pixel, orange, strict=True))
        )

    assert orange_pixels() == 0
    assert upload(client, place, buffer.getvalue()).status_code == 303
    # The sheet is printed at 150 dpi: the 192 x 240 px portrait becomes about 96 x 120.
    assert orange_pixels() >= 0.8 * 96 * 120
