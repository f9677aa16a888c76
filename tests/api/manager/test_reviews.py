"""Review reports on the demo: written from the service page, read, downloaded as JSON and
PDF (read back), and the start of the next agreement version."""

import hashlib
import io
import json
import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from pypdf import PdfReader
from sqlmodel import Session, col, select

from survey.models import Review, Role, Service
from tests.factories import FixedClock, local_day, make_place
from tests.web import add_user, csrf_of, demo_with_manager, log_in


@pytest.fixture
def online(client: TestClient, session: Session, clock: FixedClock) -> Service:
    demo_with_manager(session, clock)
    assert log_in(client, "wang") == 303
    return session.exec(select(Service).where(col(Service.name).contains("Online"))).one()


def write(client: TestClient, service: Service, clock: FixedClock, **fields: str) -> Response:
    page = client.get(f"/manager/services/{service.id}?lang=en").text
    today = local_day(clock())
    data = {
        "csrf_token": csrf_of(page),
        "first": (today - timedelta(days=84)).isoformat(),
        "last": (today - timedelta(days=1)).isoformat(),
        "shortfalls": "One week down",
        "changes": "Rehearse moves",
        "told": "The board",
    } | fields
    return client.post(f"/manager/services/{service.id}/reviews", data=data, follow_redirects=False)


def test_a_written_review_is_frozen_and_reads_back_in_every_format(
    client: TestClient, session: Session, online: Service, clock: FixedClock
) -> None:
    response = write(client, online, clock)
    assert response.status_code == 303
    location = response.headers["location"]
    match = re.fullmatch(r"/manager/reviews/(\d+)", location)
    assert match
    review_id = int(match.group(1))
    html = client.get(f"{location}?lang=en").text
    assert "Penalties incurred" in html and "5 % of the month" in html
    assert "One week down" in html
    session.rollback()
    review = session.get(Review, review_id)
    assert review is not None
    document = client.get(f"/manager/reviews/{review_id}.json").json()
    assert document["sha256"] == review.content_hash
    text = json.dumps(
        document["content"], sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    assert hashlib.sha256(text.encode()).hexdigest() == review.content_hash
    pdf = client.get(f"/manager/reviews/{review_id}.pdf?lang=en")
    assert pdf.headers["content-type"] == "application/pdf"
    words = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Targets, window by window" in words
    assert "Availability" in words and review.content_hash[:16] in words.replace("\n", "")
    start = client.get(
        f"/manager/services/{online.id}/agreements/new?review={review_id}&lang=en"
    ).text
    assert "From the review of" in start and "Rehearse moves" in start


def test_a_bad_review_comes_back_with_its_message_and_nothing_is_frozen(
    client: TestClient, session: Session, online: Service, clock: FixedClock
) -> None:
    today = local_day(clock())
    before = len(session.exec(select(Review)).all())
    for fields, message in (
        (
            {"last": (today + timedelta(days=3)).isoformat()},
            "A period is reviewed once it has ended.",
        ),
        ({"first": "yesterday"}, "Give a day as YYYY-MM-DD."),
        ({"shortfalls": "  "}, "Say what fell short, or that nothing did."),
    ):
        response = write(client, online, clock, **fields)
        assert response.status_code == 422, fields
        assert message in response.text
        assert "Rehearse moves" in response.text
    session.rollback()
    assert len(session.exec(select(Review)).all()) == before


def test_another_organisations_review_is_not_found(
    client: TestClient, session: Session, online: Service, clock: FixedClock
) -> None:
    session.rollback()
    (demo_review,) = session.exec(select(Review)).all()
    other = make_place(session, now=clock(), slug="org-b")
    assert other.organisation.id is not None
    add_user(session, clock, "zhao", Role.manager, [other.organisation.id])
    client.cookies.clear()
    assert log_in(client, "zhao") == 303
    for suffix in ("", ".json", ".pdf"):
        assert client.get(f"/manager/reviews/{demo_review.id}{suffix}").status_code == 404
    page = client.get("/manager/services").text
    response = client.post(
        f"/manager/services/{online.id}/reviews",
        data={"csrf_token": csrf_of(page), "first": "2026-01-01", "last": "2026-02-01"},
    )
    assert response.status_code == 404
