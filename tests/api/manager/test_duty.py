"""The clerk on duty gets the credit (issue 16, part 1), from the roster page to the
stored answer and the clerk's figures."""

import csv
import io
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from survey.models import DutyShift, Role, SurveyResponse, UserSite
from survey.places.organisations import create_counter, create_site, create_staff_member
from survey.stats.reports import Scope, scope_report
from tests.api.customer.test_survey import full_answers
from tests.factories import FixedClock, Place, make_place
from tests.web import add_user, csrf_of, hidden, log_in


def _answer(client: TestClient, place: Place, html: str) -> None:
    form = full_answers(html)
    if 'name="staff"' in html:
        form["staff"] = hidden(html, "staff")
    response = client.post(f"/s/{place.link.token}", data=form, follow_redirects=False)
    assert response.status_code == 303, response.text[:500]


def _stored_clerks(session: Session) -> list[int | None]:
    session.rollback()
    return list(
        session.exec(select(SurveyResponse.staff_member_id).order_by(col(SurveyResponse.id)))
    )


def test_a_counter_answer_names_and_credits_the_clerk_on_duty(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    """With 李娜 on duty the page names her and her answer is stored with her id and counted
    on her page (the clerk's report); after her shift ends the page names nobody and the
    next answer is credited to nobody."""
    place = make_place(session, now=clock())
    page = client.get(f"/s/{place.link.token}", params={"lang": "en"}).text
    assert "李娜" in page and "job no." in page
    _answer(client, place, page)
    assert _stored_clerks(session) == [place.staff.id]
    clerk_scope = Scope(
        campaign_id=place.campaign.id or 0,
        organisation_ids=(place.organisation.id or 0,),
        staff_member_id=place.staff.id,
    )
    assert scope_report(session, clerk_scope).n_respondents == 1

    shift = session.exec(select(DutyShift)).one()
    shift.ends_at = clock() - timedelta(hours=1)
    session.add(shift)
    session.commit()
    client.cookies.clear()
    page = client.get(f"/s/{place.link.token}", params={"lang": "en"}).text
    assert "李娜" not in page and "job no." not in page
    _answer(client, place, page)
    assert _stored_clerks(session) == [place.staff.id, None]
    assert scope_report(session, clerk_scope).n_respondents == 1


def test_a_manager_puts_clerks_on_duty_on_the_roster_page(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    """From the roster page a manager puts 王芳 on duty at A1 (the survey page then names
    her), puts every clerk on duty at their usual counter, plans a shift for tomorrow and
    ends a shift; a clerk of another hall or an unreadable time is a 422 with the form and
    its message, and nothing is stored."""
    place = make_place(session, now=clock())
    site_id = place.site.id or 0
    b2 = create_counter(session, site_id=site_id, code="B2", name="Window B2")
    wang = create_staff_member(
        session, site_id=site_id, job_number="W-002", display_name="王芳", counter_id=b2.id
    )
    session.commit()
    add_user(session, clock, "mgr", Role.manager, [place.organisation.id or 0])
    log_in(client, "mgr")
    url = f"/manager/sites/{site_id}/duty"
    roster = client.get(url, params={"lang": "en"})
    assert roster.status_code == 200
    assert "李娜" in roster.text and "nobody" in roster.text  # A1 has her, B2 nobody
    csrf = csrf_of(roster.text)

    start = {"csrf_token": csrf, "counter": str(place.counter.id), "staff": str(wang.id)}
    assert client.post(f"{url}/start", data=start, follow_redirects=False).status_code == 303
    assert "王芳" in client.get(f"/s/{place.link.token}").text

    usual = client.post(f"{url}/usual", data={"csrf_token": csrf}, follow_redirects=False)
    assert usual.status_code == 303  # 李娜's usual A1 is taken by 王芳; B2 is 王芳's own

    other = make_place(session, now=clock(), slug="org-b")
    refused = client.post(
        f"{url}/start",
        data={**start, "staff": str(other.staff.id)},
        params={"lang": "en"},
    )
    assert refused.status_code == 422 and "Choose a clerk of this hall." in refused.text
    bad_time = client.post(
        f"{url}/plan",
        data={**start, "day": "2027-02-19", "starts": "9 o'clock", "ends": "18:00"},
        params={"lang": "en"},
    )
    assert bad_time.status_code == 422 and "Give a time as HH:MM." in bad_time.text
    assert 'value="9 o&#39;clock"' in bad_time.text or 'value="9 o\'clock"' in bad_time.text

    tomorrow = (clock() + timedelta(days=1)).astimezone(client.app.state.zone).date()  # type: ignore[attr-defined]
    plan = {**start, "day": tomorrow.isoformat(), "starts": "09:00", "ends": "13:00"}
    assert client.post(f"{url}/plan", data=plan, follow_redirects=False).status_code == 303
    session.rollback()
    shifts = session.exec(
        select(DutyShift)
        .where(col(DutyShift.staff_member_id).in_([place.staff.id, wang.id]))
        .order_by(col(DutyShift.id))
    ).all()
    assert len(shifts) == 3  # 李娜's (ended), 王芳's now, 王芳's tomorrow
    planned = shifts[-1]
    assert planned.ends_at is not None and planned.ends_at - planned.starts_at == timedelta(hours=4)
    running = shifts[1]
    end = client.post(f"{url}/{running.id}/end", data={"csrf_token": csrf}, follow_redirects=False)
    assert end.status_code == 303
    session.rollback()
    assert session.get(DutyShift, running.id).ends_at is not None  # type: ignore[union-attr]
    assert "job no." not in client.get(f"/s/{place.link.token}", params={"lang": "en"}).text


def test_the_roster_of_another_hall_is_404_for_hall_and_other_managers(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    """The manager home links each hall's roster; a manager of another organisation, and
    a hall manager limited to another hall of the same organisation, get 404 for the
    roster page and for ending its shift, which stays running."""
    place = make_place(session, now=clock())
    organisation_id = place.organisation.id or 0
    second = create_site(
        session, organisation_id=organisation_id, code="hall-2", name="Hall 2", region_code="440103"
    )
    other = make_place(session, now=clock(), slug="org-b")
    add_user(session, clock, "mgr", Role.manager, [organisation_id])
    add_user(session, clock, "stranger", Role.manager, [other.organisation.id or 0])
    hall_manager = add_user(session, clock, "hall2", Role.manager, [organisation_id])
    session.add(UserSite(user_id=hall_manager, site_id=second.id or 0))
    session.commit()
    log_in(client, "mgr")
    assert f'href="/manager/sites/{place.site.id}/duty"' in client.get("/manager").text
    url = f"/manager/sites/{place.site.id}/duty"
    shift = session.exec(select(DutyShift).where(DutyShift.counter_id == place.counter.id)).one()
    for username in ("stranger", "hall2"):
        log_in(client, username)
        assert client.get(url).status_code == 404, username
        csrf = csrf_of(client.get("/manager").text)
        ended = client.post(f"{url}/{shift.id}/end", data={"csrf_token": csrf})
        assert ended.status_code == 404, username
    assert client.get(f"/manager/sites/{second.id}/duty").status_code == 200
    session.rollback()
    assert session.get(DutyShift, shift.id).ends_at is None  # type: ignore[union-attr]


def test_a_clerk_nobody_rated_is_listed_greyed_in_the_rankings(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    """李娜 is rated through the counter's link; 王芳, a clerk of the hall nobody rated, is
    still in the hall's clerk ranking (and its download) with no answers and no rank,
    and a clerk who left is not."""
    place = make_place(session, now=clock())
    site_id = place.site.id or 0
    create_staff_member(session, site_id=site_id, job_number="W-002", display_name="王芳")
    gone = create_staff_member(session, site_id=site_id, job_number="W-003", display_name="赵六")
    gone.left_on = clock().date() - timedelta(days=40)
    session.add(gone)
    session.commit()
    for _ in range(3):
        client.cookies.clear()
        _answer(client, place, client.get(f"/s/{place.link.token}").text)
    add_user(session, clock, "mgr", Role.manager, [place.organisation.id or 0])
    log_in(client, "mgr")
    base = f"/manager/campaigns/{place.campaign.id}/rankings"
    page = client.get(base, params={"site": site_id, "lang": "en"}).text
    assert "李娜" in page and "王芳" in page and "赵六" not in page
    export = client.get(
        f"{base}/export/ranking-staff.csv", params={"site": site_id, "lang": "en"}
    ).text
    rows = {
        row["Staff members"]: row for row in csv.DictReader(io.StringIO(export.lstrip("\ufeff")))
    }
    silent = next(row for name, row in rows.items() if "王芳" in name)
    rated = next(row for name, row in rows.items() if "李娜" in name)
    assert (silent["Respondents"], silent["Rank"]) == ("0", "")
    assert rated["Respondents"] == "3"
