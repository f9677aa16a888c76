"""Customers' feedback from a counter's link, and the complainant's case page.

The app's clock in these tests: Tue 24 Nov 2026 10:30 in Shanghai (a working day), so a
general complaint filed now is due at 17:00 the same day.
"""

import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, update
from sqlmodel import Session, col, select

from survey.cases.handling import answer_case, change_state, history, pause_clock, resume_clock
from survey.cases.rules import CaseState
from survey.models import (
    Case,
    CaseEventKind,
    Feedback,
    FeedbackCategory,
    FeedbackKind,
    FeedbackSource,
    Role,
    User,
)
from survey.places.links import current_code, revoke_link
from tests.factories import FixedClock, Place, at, make_place
from tests.web import add_user, hidden

EN = {"accept-language": "en"}
JSON = {"accept": "application/json", "accept-language": "en"}
COMPLAINT = "窗口只开了一个，排队一个小时，工作人员还玩手机。"


@pytest.fixture
def clock() -> FixedClock:
    """The deadlines and dates here are worked by hand on one calendar (the module's
    docstring), whatever day the suite runs on."""
    return FixedClock(at("2026-11-24", "10:30"))


@pytest.fixture
def place(session: Session, clock: FixedClock) -> Place:
    return make_place(session, now=clock())


def open_form(client: TestClient, place: Place, query: str = "") -> str:
    page = client.get(f"/s/{place.link.token}/feedback{query}", headers=EN)
    assert page.status_code == 200, page.text
    return page.text


def form_of(page_html: str, **fields: str) -> dict[str, str]:
    """The form's hidden fields and a complaint, with ``fields`` on top."""
    form = {
        "csrf_token": hidden(page_html, "csrf_token"),
        "submission_key": hidden(page_html, "submission_key"),
        "kind": "complaint",
        "category": "attitude",
        "message": COMPLAINT,
        "contact": "",
    }
    form.update(fields)
    return form


def send(client: TestClient, place: Place, form: dict[str, str], **headers: str) -> Response:
    return client.post(
        f"/s/{place.link.token}/feedback",
        data=form,
        headers={**EN, **headers},
        follow_redirects=False,
    )


def file_complaint(client: TestClient, place: Place, **fields: str) -> str:
    """File a complaint through the form; the case's public token."""
    response = send(client, place, form_of(open_form(client, place), **fields))
    assert response.status_code == 303, response.text
    match = re.fullmatch(r"/c/([A-Za-z0-9_-]+)\?filed=1", response.headers["location"])
    assert match, response.headers["location"]
    return match.group(1)


def stored_case(session: Session, public_token: str) -> Case:
    session.rollback()  # end the test's read snapshot so the app's commits are visible
    return session.exec(select(Case).where(Case.public_token == public_token)).one()


def count(session: Session, model: type[Feedback] | type[Case]) -> int:
    session.rollback()
    return session.exec(select(func.count()).select_from(model)).one()


def manager(session: Session, clock: FixedClock, place: Place) -> int:
    """The id of the organisation's manager ``wang`` (added on first call)."""
    assert place.organisation.id is not None
    session.rollback()
    user = session.exec(select(User).where(User.username == "wang")).first()
    if user is None:
        add_user(session, clock, "wang", Role.manager, [place.organisation.id])
        user = session.exec(select(User).where(User.username == "wang")).one()
    assert user.id is not None
    return user.id


def answer(session: Session, clock: FixedClock, place: Place, public_token: str) -> None:
    """The manager ``wang`` answers the case an hour after it came in."""
    user_id = manager(session, clock, place)
    case = stored_case(session, public_token)
    assert case.id is not None
    clock.advance(hours=1)
    answer_case(
        session,
        case.id,
        text="已增开两个窗口，并对当班人员进行了批评教育。",
        now=clock(),
        user_id=user_id,
    )


def case_page(client: TestClient, public_token: str, **headers: str) -> str:
    page = client.get(f"/c/{public_token}", headers={**EN, **headers})
    assert page.status_code == 200, page.text
    return page.text


# --- filing ------------------------------------------------------------------------------


def test_complaint_from_the_link_opens_a_case_and_lands_on_its_page(
    client: TestClient, session: Session, place: Place, clock: FixedClock
) -> None:
    token = file_complaint(client, place)

    case = stored_case(session, token)
    feedback = session.get(Feedback, case.feedback_id)
    assert feedback is not None
    assert (feedback.kind, feedback.source, feedback.category) == (
        FeedbackKind.complaint,
        FeedbackSource.customer,
        FeedbackCategory.attitude,
    )
    assert (feedback.site_id, feedback.counter_id, feedback.staff_member_id) == (
        place.site.id,
        place.counter.id,
        place.staff.id,  # the clerk on duty at the counter
    )
    assert feedback.text == COMPLAINT
    assert case.state == CaseState.received
    assert case.owner_user_id is None  # the first manager to acknowledge it owns it

    page = client.get(f"/c/{token}?filed=1", headers=EN).text
    assert "Keep this link" in page
    assert f'href="http://testserver/c/{token}">http://testserver/c/{token}</a>' in page
    assert "only way to follow the case without an account" in page
    assert COMPLAINT in page
    assert "Hall org-a · Window A1" in page
    # 17:00 in Shanghai, whatever space Babel puts before "PM".
    assert re.search(r"An answer is due by Nov 24, 2026, 5:00:00\WPM\.", page)
    # The notice is for the moment of filing; the page itself only reminds.
    assert "Keep this link" not in case_page(client, token)


def test_criticism_opens_a_case_too(client: TestClient, session: Session, place: Place) -> None:
    token = file_complaint(client, place, kind="criticism")
    assert stored_case(session, token).state == CaseState.received


@pytest.mark.parametrize("kind", ["praise", "suggestion"])
def test_praise_and_suggestions_open_no_case_and_thank_the_customer(
    client: TestClient, session: Session, place: Place, kind: str
) -> None:
    form = form_of(open_form(client, place), kind=kind, message="李娜服务很耐心。")
    response = send(client, place, form)
    assert response.status_code == 303
    assert response.headers["location"] == f"/s/{place.link.token}/feedback/thanks"
    thanks = client.get(response.headers["location"], headers=EN)
    assert thanks.status_code == 200
    assert "Thank you for your message" in thanks.text
    assert count(session, Case) == 0
    stored = session.exec(select(Feedback)).one()
    assert stored.kind == kind and stored.text == "李娜服务很耐心。"


def test_anonymous_complaint_is_allowed_and_the_form_says_so(
    client: TestClient, session: Session, place: Place
) -> None:
    assert "You may stay anonymous" in open_form(client, place)
    token = file_complaint(client, place, contact="")
    feedback = session.get(Feedback, stored_case(session, token).feedback_id)
    assert feedback is not None and feedback.contact == ""
    assert "you stayed anonymous" in case_page(client, token)


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("138 0013 8000", "138 0013 8000"),
        ("１３８００１３８０００", "13800138000"),  # a full-width keyboard's digits
        ("li.na@example.cn", "li.na@example.cn"),
    ],
)
def test_contact_is_kept(
    client: TestClient, session: Session, place: Place, typed: str, kept: str
) -> None:
    token = file_complaint(client, place, contact=typed)
    feedback = session.get(Feedback, stored_case(session, token).feedback_id)
    assert feedback is not None and feedback.contact == kept
    page = case_page(client, token)
    assert kept not in page  # the page says a contact was left, not which one


def test_category_is_optional(client: TestClient, session: Session, place: Place) -> None:
    token = file_complaint(client, place, category="")
    feedback = session.get(Feedback, stored_case(session, token).feedback_id)
    assert feedback is not None and feedback.category == FeedbackCategory.other


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"message": "   "}, "message", "Please write your message."),
        (
            {"message": "长" * 4001},
            "message",
            "Please shorten your message to 4000 characters; it has 4001.",
        ),
        ({"kind": ""}, "kind", "Please choose what kind of message this is."),
        ({"kind": "bribe"}, "kind", "Please choose what kind of message this is."),
        ({"category": "weather"}, "category", "Please choose what your message is about."),
        (
            {"contact": "call me maybe"},
            "contact",
            "Please give a phone number or an e-mail address, or leave this empty.",
        ),
        (
            {"contact": "1" * 201},
            "contact",
            "Please keep the phone number or e-mail address within 200 characters.",
        ),
    ],
)
def test_bad_input_gives_the_form_back_with_what_was_typed(
    client: TestClient,
    session: Session,
    place: Place,
    fields: dict[str, str],
    field: str,
    message: str,
) -> None:
    typed = {"message": COMPLAINT, "contact": "13800138000", **fields}
    response = send(client, place, form_of(open_form(client, place), **typed))
    assert response.status_code == 422
    html = response.text
    assert f'<p class="err" id="err-{field}">{message}</p>' in html
    assert f">{typed['message']}</textarea>" in html
    assert f'value="{typed["contact"]}"' in html
    if field != "kind":
        assert 'name="kind" value="complaint" checked' in html
    assert count(session, Feedback) == 0


def test_the_message_limit_counts_characters_not_bytes(
    client: TestClient, session: Session, place: Place
) -> None:
    token = file_complaint(client, place, message="长" * 4000)
    feedback = session.get(Feedback, stored_case(session, token).feedback_id)
    assert feedback is not None and len(feedback.text) == 4000


def test_control_characters_are_dropped_not_a_500(
    client: TestClient, session: Session, place: Place
) -> None:
    """PostgreSQL refuses NUL in text; the customer meant none of these characters."""
    token = file_complaint(client, place, message="排队\x00太久\x07\r\n第二行")
    feedback = session.get(Feedback, stored_case(session, token).feedback_id)
    assert feedback is not None and feedback.text == "排队太久\n第二行"


def test_non_utf8_message_gets_a_message_not_a_500(
    client: TestClient, session: Session, place: Place
) -> None:
    page = open_form(client, place)
    body = (
        f"csrf_token={hidden(page, 'csrf_token')}&submission_key={hidden(page, 'submission_key')}"
        "&kind=complaint&message=%C5%C5%B6%D3"  # GBK bytes
    ).encode()
    response = client.post(
        f"/s/{place.link.token}/feedback",
        content=body,
        headers={**EN, "content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 422
    assert "encoding we cannot read" in response.text
    assert count(session, Feedback) == 0


def test_double_submit_of_the_same_form_stores_one(
    client: TestClient, session: Session, place: Place
) -> None:
    form = form_of(open_form(client, place))
    first, second = send(client, place, form), send(client, place, form)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert count(session, Feedback) == 1
    assert count(session, Case) == 1


def test_missing_csrf_token_is_refused(client: TestClient, session: Session, place: Place) -> None:
    form = form_of(open_form(client, place))
    del form["csrf_token"]
    assert send(client, place, form).status_code == 403
    assert count(session, Feedback) == 0


# --- the link behind the form --------------------------------------------------------------


def test_forged_survey_token_gets_the_friendly_404(client: TestClient, place: Place) -> None:
    page = client.get("/s/forged-token/feedback", headers=EN)
    assert page.status_code == 404
    assert "This code is not valid" in page.text
    posted = client.post("/s/forged-token/feedback", data={"message": "x"}, headers=EN)
    assert posted.status_code == 404


def test_revoked_link_gets_410_and_stores_nothing(
    client: TestClient, session: Session, place: Place, clock: FixedClock
) -> None:
    form = form_of(open_form(client, place))
    revoke_link(session, token=place.link.token, now=clock())
    session.commit()
    page = client.get(f"/s/{place.link.token}/feedback", headers=EN)
    assert page.status_code == 410
    assert "This survey has been withdrawn" in page.text
    assert send(client, place, form).status_code == 410
    assert count(session, Feedback) == 0


def test_rotating_link_needs_its_code_and_the_thanks_page_carries_its_pass(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    """The form of a rotating link opens with a fresh code, or minutes later with the pass
    of the survey page the customer came from (its thanks page carries it on); the bare
    code alone no longer opens it once the page's grace is over, and the pass stops
    working once its lifetime since the survey page was shown is over."""
    place = make_place(session, now=clock(), rotating=True)
    token = place.link.token
    assert client.get(f"/s/{token}/feedback").status_code == 404
    code = current_code(token, now=clock(), period_seconds=180, secret="test-secret-key")
    query = f"?w={code.window}&sig={code.signature}"
    assert client.get(f"/s/{token}/feedback?w={code.window}&sig=0000").status_code == 404
    survey = client.get(f"/s/{token}{query}").text
    survey_pass = hidden(survey, "pass")
    carried = f"?{urlencode({'w': code.window, 'sig': code.signature, 'pass': survey_pass})}"
    assert f'href="/s/{token}/feedback{carried.replace("&", "&amp;")}"' in survey
    thanks = client.get(f"/s/{token}/thanks{carried}").text
    assert f'href="/s/{token}/feedback{carried.replace("&", "&amp;")}"' in thanks
    clock.advance(minutes=12)  # after the questionnaire
    assert client.get(f"/s/{token}/feedback{query}").status_code == 410  # the bare code
    page = open_form(client, place, carried)
    assert f'name="sig" value="{code.signature}"' in page
    form = form_of(page, w=str(code.window), sig=code.signature, **{"pass": hidden(page, "pass")})
    assert send(client, place, form).status_code == 303
    clock.advance(hours=2)
    assert client.get(f"/s/{token}/feedback{carried}").status_code == 410


def test_thanks_page_and_survey_page_link_to_the_form(client: TestClient, place: Place) -> None:
    token = place.link.token
    text = "Something to tell us? Praise, suggestion or complaint"
    thanks = client.get(f"/s/{token}/thanks", headers=EN).text
    assert f'<a href="/s/{token}/feedback">{text}</a>' in thanks
    survey = client.get(f"/s/{token}", headers=EN).text
    assert f'<a href="/s/{token}/feedback">{text}</a>' in survey


def test_form_is_labelled_for_people_and_screen_readers(client: TestClient, place: Place) -> None:
    html = open_form(client, place)
    assert "<legend>What would you like to tell us?</legend>" in html
    assert re.search(r'<label class="choice"><input type="radio" name="kind" value="praise">', html)
    assert '<label for="message">' in html and 'id="message"' in html
    assert '<label for="contact">' in html and 'id="contact"' in html
    assert "李娜" in html and "org-a-001" in html  # the clerk on duty, as on the survey


# --- the complainant's case page -----------------------------------------------------------


def test_unknown_case_link_gets_the_friendly_404_page_or_json(client: TestClient) -> None:
    page = client.get("/c/no-such-case", headers=EN)
    assert page.status_code == 404
    assert "This case link is not valid" in page.text
    program = client.get("/c/no-such-case", headers=JSON)
    assert program.status_code == 404
    assert program.json()["error"] == "case_not_found"
    assert client.get("/c/" + "x" * 300, headers=JSON).status_code == 404
    posted = client.post("/c/no-such-case/confirm", headers=JSON)
    assert posted.status_code == 404


def test_case_pages_keep_the_link_secret(
    client: TestClient, session: Session, place: Place
) -> None:
    token = file_complaint(client, place)
    for response in (
        client.get(f"/c/{token}", headers=EN),
        client.get(f"/c/{token}?filed=1", headers=EN),
    ):
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert '<meta name="robots" content="noindex">' in response.text


def test_confirm_before_an_answer_is_refused_and_changes_nothing(
    client: TestClient, session: Session, place: Place
) -> None:
    token = file_complaint(client, place)
    page = case_page(client, token)
    assert "I am satisfied, close the case" not in page
    csrf = hidden(open_form(client, place), "csrf_token")
    refused = client.post(f"/c/{token}/confirm", data={"csrf_token": csrf}, headers=EN)
    assert refused.status_code == 409
    assert "You can close the case only after the service hall has answered." in refused.text
    # The language switch of the page sent back for the POST leads to the case page.
    assert f'href="/c/{token}?lang=zh_Hant"' in refused.text
    assert refused.headers["cache-control"] == "no-store"
    program = client.post(f"/c/{token}/confirm", data={"csrf_token": csrf}, headers=JSON)
    assert program.status_code == 409
    assert program.json()["detail"]["state"] == "received"
    assert stored_case(session, token).state == CaseState.received


def test_answered_case_shows_the_answer_and_closes_when_confirmed(
    client: TestClient, session: Session, place: Place, clock: FixedClock
) -> None:
    token = file_complaint(client, place)
    answer(session, clock, place, token)
    page = case_page(client, token)
    assert "已增开两个窗口" in page
    assert "Answered. Please read the answer" in page
    assert "I am satisfied, close the case" in page
    assert "Not resolved, reopen" in page
    assert '<label for="reason">' in page
    csrf = hidden(page, "csrf_token")

    confirmed = client.post(
        f"/c/{token}/confirm", data={"csrf_token": csrf}, headers=EN, follow_redirects=False
    )
    assert confirmed.status_code == 303
    assert confirmed.headers["location"] == f"/c/{token}"
    assert confirmed.headers["referrer-policy"] == "no-referrer"
    assert stored_case(session, token).state == CaseState.closed
    closed = case_page(client, token)
    assert "Closed on Nov 24, 2026" in closed
    assert "I am satisfied, close the case" not in closed
    again = client.post(f"/c/{token}/confirm", data={"csrf_token": csrf}, headers=EN)
    assert again.status_code == 409
    assert "The case is already closed." in again.text


def test_reopen_needs_a_reason_and_keeps_the_state_without_one(
    client: TestClient, session: Session, place: Place, clock: FixedClock
) -> None:
    token = file_complaint(client, place)
    answer(session, clock, place, token)
    csrf = hidden(case_page(client, token), "csrf_token")
    for reason in ("", "   "):
        refused = client.post(
            f"/c/{token}/reopen", data={"csrf_token": csrf, "reason": reason}, headers=EN
        )
        assert refused.status_code == 422
        assert "Please tell us why the problem is not solved." in refused.text
        assert 'id="reason" name="reason" rows="4" aria-invalid="true"' in refused.text
    program = client.post(f"/c/{token}/reopen", data={"csrf_token": csrf}, headers=JSON)
    assert program.status_code == 422
    assert "reason" in program.json()["detail"]
    long = client.post(
        f"/c/{token}/reopen", data={"csrf_token": csrf, "reason": "长" * 4001}, headers=EN
    )
    assert long.status_code == 422
    assert ">" + "长" * 4001 + "</textarea>" in long.text
    assert stored_case(session, token).state == CaseState.answered


def test_reopen_before_an_answer_is_refused(
    client: TestClient, session: Session, place: Place
) -> None:
    token = file_complaint(client, place)
    assert "Not resolved, reopen" not in case_page(client, token)
    csrf = hidden(open_form(client, place), "csrf_token")  # the same browser's token
    refused = client.post(
        f"/c/{token}/reopen", data={"csrf_token": csrf, "reason": "没解决"}, headers=EN
    )
    assert refused.status_code == 409
    assert "You can reopen the case only after the service hall has answered." in refused.text
    assert stored_case(session, token).state == CaseState.received


def test_reopened_case_shows_the_reason_in_its_history(
    client: TestClient, session: Session, place: Place, clock: FixedClock
) -> None:
    token = file_complaint(client, place)
    answer(session, clock, place, token)
    csrf = hidden(case_page(client, token), "csrf_token")
    reason = "还是只开一个窗口。"
    reopened = client.post(
        f"/c/{token}/reopen",
        data={"csrf_token": csrf, "reason": reason},
        headers=EN,
        follow_redirects=False,
    )
    assert reopened.status_code == 303
    case = stored_case(session, token)
    assert case.state == CaseState.reopened
    assert case.id is not None
    last = history(session, case.id)[-1]
    assert (last.kind, last.to_state, last.actor, last.text) == (
        CaseEventKind.state,
        "reopened",
        "complainant",
        reason,
    )
    page = case_page(client, token)
    assert "Reopened. The service hall is working on it again." in page
    steps = page[page.index('id="case-history"') :]
    assert "<strong>Reopened</strong> · you" in steps
    assert f"<blockquote>{reason}</blockquote>" in steps
    assert "<strong>Answered</strong> · the service hall" in steps
    # The clock runs again from where the answer stopped it.
    assert "An answer is due by" in page


def test_page_never_shows_a_staff_account_name(
    client: TestClient, session: Session, place: Place, clock: FixedClock
) -> None:
    token = file_complaint(client, place)
    case = stored_case(session, token)
    assert case.id is not None
    wang = manager(session, clock, place)
    change_state(
        session, case.id, CaseState.acknowledged, now=clock(), reason="wang 受理", user_id=wang
    )
    pause_clock(session, case.id, now=clock(), reason="wang 等客户补材料", user_id=wang)
    resume_clock(session, case.id, now=clock(), reason="wang 收到材料", user_id=wang)
    answer(session, clock, place, token)
    for headers in (EN, {}):
        page = case_page(client, token, **headers)
        assert "wang" not in page.replace(token, "")  # the random link could hold it


def test_paused_clock_says_it_waits_for_the_complainant(
    client: TestClient, session: Session, place: Place, clock: FixedClock
) -> None:
    token = file_complaint(client, place)
    case = stored_case(session, token)
    assert case.id is not None
    clock.advance(minutes=30)
    pause_clock(session, case.id, now=clock(), reason="需要客户提供票据", user_id=None)
    page = case_page(client, token)
    assert "Paused while waiting for you." in page
    assert "An answer is due by" not in page
    assert "Time limit paused while waiting for you" in page
    assert "需要客户提供票据" not in page  # staff notes stay internal


def test_text_removed_after_the_retention_period_is_said_so(
    client: TestClient, session: Session, place: Place, clock: FixedClock
) -> None:
    token = file_complaint(client, place, contact="13800138000")
    case = stored_case(session, token)
    session.exec(  # type: ignore[call-overload]
        update(Feedback)
        .where(col(Feedback.id) == case.feedback_id)
        .values(text="", contact="", redacted_at=clock() + timedelta(days=200))
    )
    session.commit()
    page = case_page(client, token)
    assert "The text was removed after the retention period." in page
    assert COMPLAINT not in page


def test_case_page_follows_the_language_switch(
    client: TestClient, session: Session, place: Place
) -> None:
    token = file_complaint(client, place)
    traditional = client.get(f"/c/{token}?lang=zh-TW")
    assert traditional.status_code == 200
    assert '<html lang="zh-Hant">' in traditional.text
    assert f'href="/c/{token}?lang=en"' in traditional.text
    # Dates are written for the reader's language, in the organisation's time zone.
    assert "2026年11月24日" in traditional.text
    form = client.get(f"/s/{place.link.token}/feedback?lang=zh_Hant")
    assert form.status_code == 200
    assert '<html lang="zh-Hant">' in form.text
    assert 'href="?lang=zh_Hans"' in form.text


def test_a_closed_case_can_still_be_reopened_with_a_reason(
    client: TestClient, session: Session, place: Place, clock: FixedClock
) -> None:
    token = file_complaint(client, place)
    answer(session, clock, place, token)
    csrf = hidden(case_page(client, token), "csrf_token")
    client.post(f"/c/{token}/confirm", data={"csrf_token": csrf}, headers=EN)
    closed = case_page(client, token)
    assert "Still not solved?" in closed and "Not resolved, reopen" in closed
    reopened = client.post(
        f"/c/{token}/reopen",
        data={"csrf_token": csrf, "reason": "第二天又是这样。"},
        headers=EN,
        follow_redirects=False,
    )
    assert reopened.status_code == 303
    assert stored_case(session, token).state == CaseState.reopened


def test_one_client_cannot_flood_a_counter_with_complaints(
    client: TestClient, session: Session, clock: FixedClock, place: Place
) -> None:
    """Issue 17, defect 4: ten complaints in a row opened ten cases. One phone files three
    at a counter in an hour, the fourth gets a friendly 429 and opens nothing; dropping
    the device cookie and changing the browser name does not help past ten from one
    network; an hour later the phone may file again."""
    for _ in range(3):
        file_complaint(client, place)
    refused = send(client, place, form_of(open_form(client, place)))
    assert refused.status_code == 429 and "hotline" in refused.text
    assert count(session, Case) == 3
    for i in range(7):
        client.cookies.clear()  # a script drops its cookie and changes its browser name
        file_complaint(client, place, message=f"{COMPLAINT} {i}")
    client.cookies.clear()
    form = form_of(open_form(client, place))
    assert send(client, place, form, **{"user-agent": "bot/2"}).status_code == 429
    assert count(session, Case) == 10
    clock.advance(hours=1, minutes=1)
    client.cookies.clear()
    file_complaint(client, place)
    assert count(session, Case) == 11
