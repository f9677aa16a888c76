"""The customer's questionnaire: showing it, storing answers, refusing bad input."""

import gzip
import re
from datetime import timedelta
from urllib.parse import urlencode

from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import Session, col, select

from survey.models import (
    CampaignMode,
    InstrumentItem,
    ResponseAnswer,
    ResponseImportance,
    SurveyResponse,
)
from survey.places.links import current_code, revoke_link
from tests.factories import FixedClock, Place, make_place
from tests.web import hidden

ITEM_CODES = [f"q{i}" for i in range(1, 23)]


def full_answers(page_html: str, **overrides: str) -> dict[str, str]:
    """A complete, valid paired response to the page (perception 5, expectation 6)."""
    form = {
        "csrf_token": hidden(page_html, "csrf_token"),
        "submission_key": hidden(page_html, "submission_key"),
        "overall": "4",
        "comment": "排队有点久，但服务很好。",
        "w.tangibles": "10",
        "w.reliability": "30",
        "w.responsiveness": "20",
        "w.assurance": "20",
        "w.empathy": "20",
    }
    if 'name="pass"' in page_html:  # a rotating code's page: its pass goes with the form
        form["pass"] = hidden(page_html, "pass")
    for code in ITEM_CODES:
        form[f"e.{code}"] = "6"
        form[f"p.{code}"] = "5"
    form.update(overrides)
    return form


def count_responses(session: Session) -> int:
    session.rollback()  # end the test's own read snapshot so the app's commits are visible
    return session.exec(select(func.count()).select_from(SurveyResponse)).one()


def open_survey(client: TestClient, place: Place, **headers: str) -> str:
    page = client.get(f"/s/{place.link.token}", headers=headers)
    assert page.status_code == 200
    return page.text


def test_survey_page_defaults_to_simplified_chinese_with_all_22_items(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    place = make_place(session, now=clock())
    html = open_survey(client, place)
    assert '<html lang="zh-Hans">' in html
    assert "营业厅干净、明亮、舒适。" in html
    assert len(re.findall(r'name="p\.q\d+" value="7"', html)) == 22
    assert len(re.findall(r'name="e\.q\d+" value="1"', html)) == 22
    assert "李娜" in html and "org-a-001" in html


def test_survey_page_follows_accept_language_and_the_switch(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    place = make_place(session, now=clock())
    english = open_survey(client, place, **{"accept-language": "en-GB,en;q=0.9"})
    assert "The hall is clean, bright and comfortable." in english
    assert "Send my answers" in english
    traditional = client.get(f"/s/{place.link.token}?lang=zh-TW").text
    assert '<html lang="zh-Hant">' in traditional
    assert "營業廳乾淨、明亮、舒適。" in traditional
    # The choice is remembered in a cookie for the next page.
    again = client.get(f"/s/{place.link.token}", headers={"accept-language": "en"}).text
    assert '<html lang="zh-Hant">' in again


def test_survey_page_is_small_on_the_wire(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    """The first response must fit a weak network: at most 14 KB gzip with CSS inline."""
    place = make_place(session, now=clock())
    page = client.get(f"/s/{place.link.token}", headers={"accept-encoding": "gzip"})
    assert page.headers["content-encoding"] == "gzip"
    assert "<style>" in page.text and "<link" not in page.text
    compressed = len(gzip.compress(page.content, compresslevel=9))
    assert compressed <= 14 * 1024, compressed


def test_valid_submission_is_stored_with_its_place_and_redirects_to_thanks(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    place = make_place(session, now=clock())
    form = full_answers(open_survey(client, place))
    response = client.post(f"/s/{place.link.token}", data=form, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/s/{place.link.token}/thanks"
    assert "Thank you" in client.get(response.headers["location"] + "?lang=en").text

    stored = session.exec(select(SurveyResponse)).one()
    assert (stored.organisation_id, stored.site_id, stored.counter_id, stored.staff_member_id) == (
        place.organisation.id,
        place.site.id,
        place.counter.id,
        place.staff.id,  # the clerk on duty, whom the page named
    )
    assert stored.campaign_id == place.campaign.id
    assert stored.overall == 4
    assert stored.comment == "排队有点久，但服务很好。"
    assert stored.submitted_at == clock()
    answers = session.exec(
        select(ResponseAnswer.expectation, ResponseAnswer.perception, InstrumentItem.code)
        .join(InstrumentItem, col(InstrumentItem.id) == ResponseAnswer.item_id)
        .where(ResponseAnswer.response_id == stored.id)
    ).all()
    assert sorted(code for _e, _p, code in answers) == sorted(ITEM_CODES)
    assert {(e, p) for e, p, _code in answers} == {(6, 5)}
    points = dict(
        session.exec(
            select(ResponseImportance.dimension_code, ResponseImportance.points).where(
                ResponseImportance.response_id == stored.id
            )
        ).all()
    )
    assert points == {
        "tangibles": 10,
        "reliability": 30,
        "responsiveness": 20,
        "assurance": 20,
        "empathy": 20,
    }


def test_blank_items_are_stored_as_blank_not_refused(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    place = make_place(session, now=clock())
    form = full_answers(open_survey(client, place), **{"e.q3": "", "p.q3": ""})
    for key in [k for k in form if k.startswith("w.")]:
        form[key] = ""
    assert (
        client.post(f"/s/{place.link.token}", data=form, follow_redirects=False).status_code == 303
    )
    blank = session.exec(
        select(ResponseAnswer)
        .join(InstrumentItem, col(InstrumentItem.id) == ResponseAnswer.item_id)
        .where(InstrumentItem.code == "q3")
    ).one()
    assert blank.expectation is None and blank.perception is None
    assert session.exec(select(func.count()).select_from(ResponseImportance)).one() == 0


def test_raw_ip_address_is_never_stored(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    place = make_place(session, now=clock())
    client.post(f"/s/{place.link.token}", data=full_answers(open_survey(client, place)))
    stored = session.exec(select(SurveyResponse)).one()
    values = [str(v) for v in stored.model_dump().values()]
    assert not any("testclient" in v or "127.0.0.1" in v for v in values)
    assert re.fullmatch(r"[0-9a-f]{64}", stored.client_hash)


def test_forged_token_gets_a_friendly_404_page_in_the_customers_language(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    make_place(session, now=clock())
    page = client.get("/s/not-a-real-token-at-all", headers={"accept-language": "en"})
    assert page.status_code == 404
    assert "This code is not valid" in page.text
    chinese = client.get("/s/not-a-real-token-at-all", headers={"accept-language": "zh-CN"})
    assert chinese.status_code == 404
    assert "二维码无效" in chinese.text


def test_forged_token_gets_json_for_a_program(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    page = client.get("/s/forged", headers={"accept": "application/json"})
    assert page.status_code == 404
    assert page.json()["error"] == "link_not_found"


def test_revoked_link_answers_410_and_keeps_earlier_responses(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    place = make_place(session, now=clock())
    client.post(f"/s/{place.link.token}", data=full_answers(open_survey(client, place)))
    revoke_link(session, token=place.link.token, now=clock())
    session.commit()
    page = client.get(f"/s/{place.link.token}", headers={"accept-language": "en"})
    assert page.status_code == 410
    assert "withdrawn" in page.text
    assert count_responses(session) == 1


def test_link_expires_after_the_campaign_ends(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    place = make_place(session, now=clock())
    form = full_answers(open_survey(client, place))
    clock.now = clock.now.replace(year=clock.now.year + 2)
    response = client.post(f"/s/{place.link.token}", data=form, headers={"accept-language": "en"})
    assert response.status_code == 410
    assert "expired" in response.text
    assert count_responses(session) == 0


def test_out_of_range_answer_returns_the_form_with_everything_entered(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    place = make_place(session, now=clock())
    form = full_answers(open_survey(client, place), **{"p.q5": "9", "e.q7": "abc"})
    response = client.post(f"/s/{place.link.token}?lang=en", data=form)
    assert response.status_code == 422
    assert "Choose a whole number from 1 to 7." in response.text
    # What the customer entered comes back: the comment, the points and the valid choices.
    assert "排队有点久，但服务很好。" in response.text
    assert 'name="w.reliability" value="30"' in response.text
    assert 'name="p.q6" value="5" checked' in response.text
    assert count_responses(session) == 0


def test_importance_points_must_total_100(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    place = make_place(session, now=clock())
    form = full_answers(open_survey(client, place), **{"w.empathy": "25"})
    response = client.post(f"/s/{place.link.token}?lang=en", data=form)
    assert response.status_code == 422
    assert "The points must add up to 100 (now 105)." in response.text
    assert count_responses(session) == 0


def test_comment_over_2000_characters_is_refused_and_kept(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    place = make_place(session, now=clock())
    long_comment = "很" * 2001
    form = full_answers(open_survey(client, place), comment=long_comment)
    response = client.post(f"/s/{place.link.token}?lang=en", data=form)
    assert response.status_code == 422
    assert "within 2000 characters" in response.text
    assert long_comment in response.text
    assert count_responses(session) == 0


def test_control_characters_in_a_comment_are_dropped_not_a_server_error(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    """PostgreSQL refuses NUL in text; a comment with one was a 500 there. Control
    characters (other than line breaks and tabs) are dropped when the form is read."""
    place = make_place(session, now=clock())
    form = full_answers(open_survey(client, place), comment="等了\x00很久\x1b\n窗口少")
    response = client.post(f"/s/{place.link.token}?lang=en", data=form, follow_redirects=False)
    assert response.status_code == 303
    stored = session.exec(select(SurveyResponse)).one()
    assert stored.comment == "等了很久\n窗口少"


def test_empty_submission_is_refused(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    place = make_place(session, now=clock())
    html = open_survey(client, place)
    form = {
        "csrf_token": hidden(html, "csrf_token"),
        "submission_key": hidden(html, "submission_key"),
    }
    response = client.post(f"/s/{place.link.token}?lang=en", data=form)
    assert response.status_code == 422
    assert "Please answer at least one question." in response.text


def test_non_utf8_body_gets_a_message_and_the_rest_of_the_form(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    place = make_place(session, now=clock())
    form = full_answers(open_survey(client, place))
    del form["comment"]
    from urllib.parse import urlencode

    body = urlencode(form).encode() + b"&comment=%C5%C5%B6%D3"  # GBK bytes, not UTF-8
    response = client.post(
        f"/s/{place.link.token}?lang=en",
        content=body,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 422
    assert "encoding we cannot read" in response.text
    assert 'name="p.q1" value="5" checked' in response.text
    assert count_responses(session) == 0


def test_missing_or_forged_csrf_token_is_refused(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    place = make_place(session, now=clock())
    form = full_answers(open_survey(client, place))
    form["csrf_token"] = "forged"
    response = client.post(f"/s/{place.link.token}", data=form, headers={"accept-language": "en"})
    assert response.status_code == 403
    assert "open the form again" in response.text.lower()
    assert count_responses(session) == 0


def test_csrf_token_of_another_browser_is_refused(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    place = make_place(session, now=clock())
    form = full_answers(open_survey(client, place))
    client.cookies.clear()
    response = client.post(f"/s/{place.link.token}", data=form)
    assert response.status_code == 403
    assert count_responses(session) == 0


def test_oversized_body_is_refused_with_413(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    place = make_place(session, now=clock())
    form = full_answers(open_survey(client, place), comment="x" * 100_000)
    response = client.post(f"/s/{place.link.token}", data=form)
    assert response.status_code == 413
    assert count_responses(session) == 0


def test_unsupported_content_type_is_refused_with_415(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    place = make_place(session, now=clock())
    response = client.post(f"/s/{place.link.token}", json={"p.q1": 5})
    assert response.status_code == 415


def test_double_tap_of_the_same_form_is_stored_once(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    place = make_place(session, now=clock())
    form = full_answers(open_survey(client, place))
    first = client.post(f"/s/{place.link.token}", data=form, follow_redirects=False)
    second = client.post(f"/s/{place.link.token}", data=form, follow_redirects=False)
    assert first.status_code == second.status_code == 303
    assert count_responses(session) == 1


def test_second_answer_from_the_same_phone_within_the_window_is_not_counted(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    place = make_place(session, now=clock())
    client.post(f"/s/{place.link.token}", data=full_answers(open_survey(client, place)))
    clock.advance(minutes=5)
    again = client.post(
        f"/s/{place.link.token}",
        data=full_answers(open_survey(client, place)),
        headers={"accept-language": "en"},
    )
    assert again.status_code == 409
    assert "We already have your answer" in again.text
    assert count_responses(session) == 1
    clock.advance(minutes=6)
    later = client.post(
        f"/s/{place.link.token}",
        data=full_answers(open_survey(client, place)),
        follow_redirects=False,
    )
    assert later.status_code == 303
    assert count_responses(session) == 2


def test_other_phones_on_the_same_wifi_are_counted_up_to_the_spam_brake(
    client: TestClient, session: Session, clock: FixedClock, settings: object
) -> None:
    """Several customers behind one hall Wi-Fi address are honest; a flood is not."""
    place = make_place(session, now=clock())
    statuses = []
    for _ in range(6):
        client.cookies.clear()  # a new phone: new device cookie, same address and browser
        response = client.post(
            f"/s/{place.link.token}",
            data=full_answers(open_survey(client, place)),
            follow_redirects=False,
        )
        statuses.append(response.status_code)
    assert statuses == [303] * 5 + [409]
    assert count_responses(session) == 5


def test_rotating_link_refuses_the_bare_token_and_old_codes(
    client: TestClient, session: Session, clock: FixedClock, settings: object
) -> None:
    place = make_place(session, now=clock(), rotating=True)
    token = place.link.token
    assert client.get(f"/s/{token}").status_code == 404
    code = current_code(token, now=clock(), period_seconds=180, secret="test-secret-key")
    url = f"/s/{token}?w={code.window}&sig={code.signature}"
    assert client.get(url).status_code == 200
    forged = f"/s/{token}?w={code.window}&sig={'0' * 16}"
    assert client.get(forged).status_code == 404
    clock.advance(seconds=180)  # one window later: still within the grace period
    assert client.get(url).status_code == 200
    clock.advance(seconds=360)  # a photo taken home: expired
    assert client.get(url, headers={"accept-language": "en"}).status_code == 410


def test_rotating_code_form_may_be_sent_after_its_window_within_the_submit_grace(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    place = make_place(session, now=clock(), rotating=True)
    token = place.link.token
    code = current_code(token, now=clock(), period_seconds=180, secret="test-secret-key")
    html = client.get(f"/s/{token}?w={code.window}&sig={code.signature}").text
    assert hidden(html, "w") == str(code.window)
    clock.advance(minutes=12)  # a slow customer
    response = client.post(
        f"/s/{token}",
        data={**full_answers(html), "w": str(code.window), "sig": code.signature},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert count_responses(session) == 1


def test_a_photographed_code_sends_no_form_after_its_page_grace(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    """The submit check is the page check (issue 17, defect 3): a form of a rotating link
    needs the pass its page was given while the code was fresh. An old code with a token
    from any page, a forged pass or another form's pass is a 404; the page's own pass sends
    its one form (a repeat stores nothing more) within 30 minutes of the page, and not
    after (410)."""
    place = make_place(session, now=clock(), rotating=True)
    token = place.link.token
    code = current_code(token, now=clock(), period_seconds=180, secret="test-secret-key")
    url = f"/s/{token}?w={code.window}&sig={code.signature}"
    shown = client.get(url).text
    kept = client.get(url).text  # a second page, kept for later
    clock.advance(seconds=3 * 180)  # the code is three windows old: the page refuses it
    assert client.get(url).status_code == 410
    old = {"w": str(code.window), "sig": code.signature}
    bare = {**full_answers(shown), **old}
    del bare["pass"]
    assert client.post(f"/s/{token}", data=bare, follow_redirects=False).status_code == 404
    forged = {**full_answers(shown), **old, "pass": hidden(shown, "pass")[:-4] + "0000"}
    assert client.post(f"/s/{token}", data=forged, follow_redirects=False).status_code == 404
    swapped = {**full_answers(shown), **old, "pass": hidden(kept, "pass")}
    assert client.post(f"/s/{token}", data=swapped, follow_redirects=False).status_code == 404
    assert count_responses(session) == 0

    form = {**full_answers(shown), **old}
    for _ in range(2):
        sent = client.post(f"/s/{token}", data=form, follow_redirects=False)
        assert sent.status_code == 303
    assert count_responses(session) == 1
    clock.advance(minutes=30)
    late = client.post(f"/s/{token}", data={**full_answers(kept), **old}, follow_redirects=False)
    assert late.status_code == 410
    assert count_responses(session) == 1


def test_counter_display_shows_the_clerk_and_a_current_code(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    place = make_place(session, now=clock(), rotating=True)
    page = client.get(f"/display/{place.link.display_token}")
    assert page.status_code == 200
    assert "李娜" in page.text and "<svg" in page.text
    code = current_code(place.link.token, now=clock(), period_seconds=180, secret="test-secret-key")
    assert f"w={code.window}&amp;sig={code.signature}" in page.text
    refresh = re.search(r'http-equiv="refresh" content="(\d+)"', page.text)
    reload_ms = re.search(r"location.reload\(\)},(\d+)\)", page.text)
    assert refresh and reload_ms and int(reload_ms.group(1)) == 1000 * int(refresh.group(1))
    assert refresh and 1 <= int(refresh.group(1)) <= 180
    assert client.get("/display/unknown").status_code == 404


def test_item_sampling_asks_k_items_per_dimension_and_stores_only_those(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    place = make_place(session, now=clock(), items_per_dimension=2)
    html = open_survey(client, place)
    asked = sorted(set(re.findall(r'name="p\.(q\d+)"', html)))
    assert len(asked) == 10
    form = full_answers(html)
    assert (
        client.post(f"/s/{place.link.token}", data=form, follow_redirects=False).status_code == 303
    )
    stored_codes = session.exec(
        select(InstrumentItem.code).join(
            ResponseAnswer, col(ResponseAnswer.item_id) == InstrumentItem.id
        )
    ).all()
    assert sorted(stored_codes) == asked


def test_perception_only_campaign_stores_perceptions_alone(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    place = make_place(session, now=clock(), mode=CampaignMode.perception_only)
    html = open_survey(client, place)
    assert 'name="e.q1"' not in html and 'name="p.q1"' in html
    client.post(f"/s/{place.link.token}", data=full_answers(html))
    rows = session.exec(select(ResponseAnswer)).all()
    assert len(rows) == 22
    assert all(r.expectation is None and r.perception == 5 for r in rows)


def test_three_column_campaign_stores_minimum_desired_and_perceived(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    place = make_place(session, now=clock(), mode=CampaignMode.three_column)
    html = open_survey(client, place)
    assert 'name="min.q1"' in html and 'name="des.q1"' in html
    form = full_answers(html)
    for code in ITEM_CODES:
        form[f"min.{code}"] = "3"
        form[f"des.{code}"] = "7"
    client.post(f"/s/{place.link.token}", data=form)
    rows = session.exec(select(ResponseAnswer)).all()
    assert {(r.minimum, r.desired, r.perception, r.expectation) for r in rows} == {(3, 7, 5, None)}


def test_a_link_after_its_own_expiry_is_gone(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    place = make_place(session, now=clock())
    place.link.expires_at = clock() + timedelta(hours=1)
    session.add(place.link)
    session.commit()
    assert client.get(f"/s/{place.link.token}").status_code == 200
    clock.advance(hours=2)
    assert client.get(f"/s/{place.link.token}").status_code == 410


def test_each_visitor_gets_their_own_tokens_from_the_cached_page(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    place = make_place(session, now=clock(), rotating=True)
    code = current_code(place.link.token, now=clock(), period_seconds=180, secret="test-secret-key")
    url = f"/s/{place.link.token}?w={code.window}&sig={code.signature}"
    first = client.get(url).text
    client.cookies.clear()
    second = client.get(url).text
    assert "MANYIPLACEHOLDER" not in first + second
    assert hidden(first, "submission_key") != hidden(second, "submission_key")
    assert hidden(first, "csrf_token") != hidden(second, "csrf_token")
    assert hidden(second, "w") == str(code.window)
    assert hidden(second, "sig") == code.signature
    form_pass = hidden(second, "pass")
    assert form_pass != hidden(first, "pass")  # each form its own pass
    carried = urlencode({"w": code.window, "sig": code.signature, "pass": form_pass})
    assert f"{carried.replace('&', '&amp;')}&amp;lang=en" in second
    # The second, cached page still submits.
    response = client.post(
        f"/s/{place.link.token}",
        data={**full_answers(second), "w": str(code.window), "sig": code.signature},
        follow_redirects=False,
    )
    assert response.status_code == 303


def test_rotating_code_with_a_non_ascii_signature_is_a_404_not_a_500(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    place = make_place(session, now=clock(), rotating=True)
    response = client.get(f"/s/{place.link.token}?w=1&sig=%C3%A9%E4%BD%A0")
    assert response.status_code == 404


def test_multipart_form_with_a_file_is_refused_and_nothing_stored(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    place = make_place(session, now=clock())
    form = full_answers(open_survey(client, place))
    response = client.post(
        f"/s/{place.link.token}", data=form, files={"photo": ("x.jpg", b"\xff\xd8", "image/jpeg")}
    )
    assert 400 <= response.status_code < 500
    assert count_responses(session) == 0


def test_multipart_form_without_files_is_accepted(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    place = make_place(session, now=clock())
    form = full_answers(open_survey(client, place))
    response = client.post(
        f"/s/{place.link.token}",
        files={name: (None, value) for name, value in form.items()},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert count_responses(session) == 1


def test_raw_non_ascii_bytes_in_a_form_body_are_a_422_not_a_500(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    place = make_place(session, now=clock())
    form = full_answers(open_survey(client, place))
    del form["comment"]
    from urllib.parse import urlencode

    body = urlencode(form).encode() + b"&comment=\xff\xfe&\xff=1"
    response = client.post(
        f"/s/{place.link.token}?lang=en",
        content=body,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 422
    assert count_responses(session) == 0


def test_campaign_closes_at_the_end_of_its_last_local_day(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    """Asia/Shanghai is UTC+8: 16:30 UTC on the last day is already the next day there."""
    place = make_place(session, now=clock())
    last_day = place.campaign.ends_on
    from datetime import UTC, datetime

    clock.now = datetime.combine(last_day, datetime.min.time(), tzinfo=UTC).replace(hour=15)
    assert client.get(f"/s/{place.link.token}").status_code == 200  # 23:00 in Shanghai
    clock.now = clock.now.replace(hour=16, minute=30)
    assert client.get(f"/s/{place.link.token}").status_code == 410  # 00:30 the next day
