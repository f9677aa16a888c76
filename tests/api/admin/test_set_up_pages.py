"""The administrators' set-up pages: an organisation's regions, halls, counters, clerks and
campaigns made in the browser; a refused form comes back with what was typed and the
message next to the field; managers read but do not change; nobody touches another
organisation's places."""

import html
import io
import re

import pytest
import zxingcpp
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import func
from sqlmodel import Session, select

from survey.models import Campaign, CampaignStatus, Counter, QrLink, Role, Site, StaffMember
from tests.factories import FixedClock, Place, make_place
from tests.web import add_user, csrf_of, log_in

# The test's session reads in a transaction of its own: ``session.rollback()`` ends it, so
# the next read sees what the app committed meanwhile.


@pytest.fixture
def place(session: Session, clock: FixedClock) -> Place:
    """An organisation (with a hall in region 440103) whose admin is ``ada`` and manager
    ``wang``."""
    place = make_place(session, now=clock())
    assert place.organisation.id is not None
    add_user(session, clock, "ada", Role.admin, [place.organisation.id])
    add_user(session, clock, "wang", Role.manager, [place.organisation.id])
    return place


def post(client: TestClient, page: str, action: str, data: dict[str, str]) -> object:
    token = csrf_of(client.get(page).text)
    return client.post(action, data={"csrf_token": token, **data}, follow_redirects=False)


def test_an_admin_lands_on_the_set_up_page(client: TestClient, place: Place) -> None:
    token = csrf_of(client.get("/login").text)
    signed_in = client.post(
        "/login",
        data={"username": "ada", "password": "s3cret-pass-2026", "csrf_token": token},
        follow_redirects=False,
    )
    assert signed_in.headers["location"] == "/admin"
    home = client.get("/admin?lang=en")
    assert home.status_code == 200
    assert place.site.name in home.text and "Add a hall" in home.text


def test_an_admin_builds_a_hall_with_counters_and_clerks(
    client: TestClient, place: Place, session: Session
) -> None:
    log_in(client, "ada")
    org = str(place.organisation.id)
    response = post(
        client,
        "/admin",
        "/admin/regions",
        {"organisation": org, "code": "440106", "name": "天河区"},
    )
    assert response.status_code == 303
    response = post(
        client,
        "/admin",
        "/admin/sites",
        {
            "organisation": org,
            "code": "GZ-02",
            "name": "高新区营业厅",
            "region": "440106",
            "address": "天河路 1 号",
            "opening_hours": "09:00-12:00,13:00-18:00",
        },
    )
    assert response.status_code == 303
    session.rollback()
    site = session.exec(select(Site).where(Site.code == "GZ-02")).one()
    page = f"/admin/sites/{site.id}"
    assert response.headers["location"].startswith(page)
    for code in ("B1", "B2"):
        assert (
            post(
                client,
                page,
                f"{page}/counters",
                {"code": code, "name": f"{code} 窗口", "service_type": ""},
            ).status_code
            == 303
        )
    session.rollback()
    b1 = session.exec(select(Counter).where(Counter.site_id == site.id, Counter.code == "B1")).one()
    assert (
        post(
            client,
            page,
            f"{page}/staff",
            {"job_number": "GZ2001", "name": "王伟", "counter": str(b1.id)},
        ).status_code
        == 303
    )
    session.rollback()
    clerk = session.exec(select(StaffMember).where(StaffMember.job_number == "GZ2001")).one()
    assert (clerk.site_id, clerk.counter_id) == (site.id, b1.id)
    shown = client.get(f"{page}?lang=en").text
    assert "B1 窗口" in shown and "B2 窗口" in shown and "GZ2001" in shown

    assert (
        post(
            client,
            page,
            f"/admin/counters/{b1.id}",
            {"code": "B1", "name": "一号窗口", "service_type": "宽带"},
        ).status_code
        == 303
    )
    session.rollback()
    session.refresh(b1)
    assert (b1.name, b1.service_type) == ("一号窗口", "宽带")
    assert post(client, page, f"/admin/staff/{clerk.id}/leave", {}).status_code == 303
    session.rollback()
    session.refresh(clerk)
    assert clerk.left_on is not None and clerk.counter_id is None


def test_a_refused_form_keeps_what_was_typed_and_says_what_is_wrong(
    client: TestClient, place: Place, session: Session
) -> None:
    log_in(client, "ada")
    session.rollback()
    before = session.exec(select(func.count()).select_from(Site)).one()
    response = post(
        client,
        "/admin?lang=en",
        "/admin/sites?lang=en",
        {
            "organisation": str(place.organisation.id),
            "code": "has space",
            "name": "My new hall",
            "region": "440103",
            "address": "",
            "opening_hours": "18:00-09:00",
        },
    )
    assert response.status_code == 422
    text = html.unescape(response.text)
    assert 'value="has space"' in text and 'value="My new hall"' in text
    assert "A code is 1 to 40 letters" in text
    assert "Write opening hours like" in text
    assert 'id="site-code" name="code" value="has space"' in text
    session.rollback()
    assert session.exec(select(func.count()).select_from(Site)).one() == before


def test_a_duplicate_counter_code_is_refused_in_chinese_too(
    client: TestClient, place: Place, session: Session
) -> None:
    log_in(client, "ada")
    page = f"/admin/sites/{place.site.id}"
    response = post(
        client,
        page,
        f"{page}/counters?lang=zh_Hans",
        {"code": "A1", "name": "x", "service_type": ""},
    )
    assert response.status_code == 422
    assert "本营业厅已有使用此代码的窗口。" in response.text
    session.rollback()
    assert session.exec(select(func.count()).select_from(Counter)).one() == 1


def test_a_manager_reads_the_set_up_but_cannot_change_it(
    client: TestClient, place: Place, session: Session
) -> None:
    log_in(client, "wang")
    page = client.get("/admin?lang=en")
    assert page.status_code == 200
    assert "an administrator changes it" in page.text and "Add a hall" not in page.text
    response = post(
        client,
        f"/admin/sites/{place.site.id}",
        f"/admin/sites/{place.site.id}/counters",
        {"code": "Z9", "name": "x", "service_type": ""},
    )
    assert response.status_code == 403
    session.rollback()
    assert session.exec(select(func.count()).select_from(Counter)).one() == 1


def test_an_admin_of_one_organisation_cannot_touch_another(
    client: TestClient, place: Place, session: Session, clock: FixedClock
) -> None:
    other = make_place(session, now=clock(), slug="other")
    log_in(client, "ada")
    assert client.get(f"/admin/sites/{other.site.id}").status_code == 404
    assert client.get(f"/admin?organisation={other.organisation.id}").status_code == 404
    token = csrf_of(client.get("/admin").text)
    attempts = [
        (f"/admin/sites/{other.site.id}/counters", {"code": "X1", "name": "x", "service_type": ""}),
        (f"/admin/counters/{other.counter.id}", {"code": "X1", "name": "x", "service_type": ""}),
        (f"/admin/staff/{other.staff.id}/leave", {}),
        ("/admin/regions", {"organisation": str(other.organisation.id), "code": "9", "name": "x"}),
        (f"/admin/campaigns/{other.campaign.id}/end", {}),
    ]
    for action, data in attempts:
        response = client.post(action, data={"csrf_token": token, **data}, follow_redirects=False)
        assert response.status_code == 404, action
    session.rollback()
    session.refresh(other.counter)
    session.refresh(other.staff)
    session.refresh(other.campaign)
    assert other.counter.code == "A1" and other.staff.left_on is None
    assert other.campaign.status == CampaignStatus.running


def test_changes_need_the_form_token(client: TestClient, place: Place, session: Session) -> None:
    log_in(client, "ada")
    response = client.post(
        "/admin/regions",
        data={"organisation": str(place.organisation.id), "code": "9", "name": "x"},
        follow_redirects=False,
    )
    assert response.status_code in (400, 403)
    assert (
        post(
            client,
            "/admin",
            "/admin/regions",
            {"organisation": str(place.organisation.id), "code": "9", "name": "x"},
        ).status_code
        == 303
    )


def test_a_campaign_from_draft_to_a_printed_poster_that_takes_answers(
    client: TestClient, place: Place, session: Session
) -> None:
    """Create (a draft takes no answers), make its links, start it, print the hall's
    posters: the PDF's QR codes open the survey; an ended campaign cannot restart."""
    log_in(client, "ada")
    org = str(place.organisation.id)
    response = post(
        client,
        "/admin/campaigns",
        "/admin/campaigns",
        {
            "organisation": org,
            "name": "2027 柜台",
            "instrument": str(place.campaign.instrument_id),
            "mode": "paired",
            "starts_on": "2026-11-01",
            "ends_on": "2027-10-31",
            "items_per_dimension": "1",
            "ask_importance": "1",
        },
    )
    assert response.status_code == 303
    session.rollback()
    campaign = session.exec(select(Campaign).where(Campaign.name == "2027 柜台")).one()
    assert campaign.status == CampaignStatus.draft and campaign.items_per_dimension == 1
    assert (
        post(client, "/admin/campaigns", f"/admin/campaigns/{campaign.id}/links", {}).status_code
        == 303
    )
    session.rollback()
    link = session.exec(select(QrLink).where(QrLink.campaign_id == campaign.id)).one()
    assert client.get(f"/s/{link.token}").status_code == 409
    assert (
        post(client, "/admin/campaigns", f"/admin/campaigns/{campaign.id}/start", {}).status_code
        == 303
    )
    assert client.get(f"/s/{link.token}").status_code == 200

    pdf = client.get(f"/admin/sites/{place.site.id}/posters.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    # Pillow embeds each page as one JPEG stream: every printed page must scan to its link.
    pages = re.findall(rb"\xff\xd8\xff.*?\xff\xd9", pdf.content, flags=re.DOTALL)
    urls = {
        code.text for page in pages for code in zxingcpp.read_barcodes(Image.open(io.BytesIO(page)))
    }
    assert f"http://testserver/s/{link.token}" in urls

    assert (
        post(client, "/admin/campaigns", f"/admin/campaigns/{campaign.id}/end", {}).status_code
        == 303
    )
    again = post(client, "/admin/campaigns", f"/admin/campaigns/{campaign.id}/start", {})
    assert again.status_code == 409
    session.rollback()
    session.refresh(campaign)
    assert campaign.status == CampaignStatus.ended


def test_a_campaign_form_with_bad_days_comes_back(
    client: TestClient, place: Place, session: Session
) -> None:
    log_in(client, "ada")
    response = post(
        client,
        "/admin/campaigns?lang=en",
        "/admin/campaigns?lang=en",
        {
            "organisation": str(place.organisation.id),
            "name": "Kept name",
            "instrument": str(place.campaign.instrument_id),
            "mode": "paired",
            "starts_on": "2027-03-01",
            "ends_on": "2027-02-01",
        },
    )
    assert response.status_code == 422
    assert "The campaign ends before it starts." in response.text
    assert 'value="Kept name"' in response.text
    session.rollback()
    assert session.exec(select(func.count()).select_from(Campaign)).one() == 1


def test_withdrawing_a_link_from_the_hall_page(
    client: TestClient, place: Place, session: Session
) -> None:
    log_in(client, "ada")
    page = f"/admin/sites/{place.site.id}"
    assert place.link.token in client.get(page).text
    assert post(client, page, f"/admin/links/{place.link.id}/revoke", {}).status_code == 303
    assert client.get(f"/s/{place.link.token}").status_code == 410


def test_a_campaign_in_some_halls_gets_links_there_only(
    client: TestClient, place: Place, session: Session
) -> None:
    log_in(client, "ada")
    org = str(place.organisation.id)
    post(
        client,
        "/admin",
        "/admin/sites",
        {
            "organisation": org,
            "code": "H2",
            "name": "Hall two",
            "region": "440103",
            "address": "",
            "opening_hours": "",
        },
    )
    session.rollback()
    second = session.exec(select(Site).where(Site.code == "H2")).one()
    page = f"/admin/sites/{second.id}"
    post(client, page, f"{page}/counters", {"code": "B1", "name": "B1", "service_type": ""})
    response = post(
        client,
        "/admin/campaigns",
        "/admin/campaigns",
        {
            "organisation": org,
            "name": "Hall two only",
            "instrument": str(place.campaign.instrument_id),
            "mode": "perception_only",
            "starts_on": "2026-11-01",
            "ends_on": "2027-10-31",
            f"site-{second.id}": "1",
        },
    )
    assert response.status_code == 303
    session.rollback()
    campaign = session.exec(select(Campaign).where(Campaign.name == "Hall two only")).one()
    post(client, "/admin/campaigns", f"/admin/campaigns/{campaign.id}/links", {})
    session.rollback()
    counters = session.exec(
        select(QrLink.counter_id).where(QrLink.campaign_id == campaign.id)
    ).all()
    b1 = session.exec(select(Counter).where(Counter.site_id == second.id)).one()
    assert counters == [b1.id]
    assert "Hall two" in client.get("/admin/campaigns?lang=en").text
