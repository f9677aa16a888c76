"""The questionnaire as a customer meets it: a phone that scanned the counter's QR code.

Headless Chromium opens ``/s/{token}`` on the real app (uvicorn on a scratch database),
answers by tapping the visible scale labels, and the stored response is read back.
"""

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from survey.models import InstrumentItem, ResponseAnswer, ResponseImportance, SurveyResponse
from tests.browser.conftest import LiveServer
from tests.factories import Place, make_place

pytestmark = pytest.mark.browser

PHONE_WIDTH = 390
PHONE: dict[str, Any] = {
    "viewport": {"width": PHONE_WIDTH, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
ITEM_CODES = [f"q{i}" for i in range(1, 23)]
# Varied answers, so that a column or item mix-up would show in the stored rows.
EXPECTATIONS = {code: (i % 7) + 1 for i, code in enumerate(ITEM_CODES)}
PERCEPTIONS = {code: ((i + 3) % 7) + 1 for i, code in enumerate(ITEM_CODES)}
POINTS = {"tangibles": 15, "reliability": 30, "responsiveness": 25, "assurance": 20, "empathy": 10}
OVERALL = 4
COMMENT = "窗口的工作人员很耐心，就是排队时间有点长。"


@pytest.fixture
def place(engine: Engine, now: datetime) -> Place:
    with Session(engine, expire_on_commit=False) as session:
        return make_place(session, now=now)


@pytest.fixture
def phone(browser: Browser) -> Iterator[BrowserContext]:
    """A Simplified-Chinese phone, fresh cookies."""
    context = browser.new_context(**PHONE, locale="zh-CN")
    context.set_default_timeout(5_000)
    yield context
    context.close()


def tap_choice(page: Page, name: str, value: int, *, touch: bool = True) -> None:
    """Tap the visible label of one radio (the input itself is transparent over the label)."""
    label = page.locator(f'label:has(> input[type=radio][name="{name}"][value="{value}"])')
    if touch:
        label.tap()
    else:
        label.click()


def checked_values(page: Page) -> dict[str, str]:
    values: dict[str, str] = page.evaluate(
        "() => Object.fromEntries([...document.querySelectorAll('input[type=radio]:checked')]"
        ".map(i => [i.name, i.value]))"
    )
    return values


def assert_no_horizontal_scroll(page: Page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"page is {width}px wide on a {PHONE_WIDTH}px phone"


def stored_responses(engine: Engine) -> list[SurveyResponse]:
    with Session(engine, expire_on_commit=False) as session:
        return list(session.exec(select(SurveyResponse)).all())


def stored_answers(engine: Engine, response_id: int | None) -> dict[str, tuple[Any, Any]]:
    with Session(engine) as session:
        rows = session.exec(
            select(InstrumentItem.code, ResponseAnswer.expectation, ResponseAnswer.perception)
            .join(InstrumentItem, col(InstrumentItem.id) == ResponseAnswer.item_id)
            .where(ResponseAnswer.response_id == response_id)
        ).all()
    return {code: (expectation, perception) for code, expectation, perception in rows}


def stored_points(engine: Engine, response_id: int | None) -> dict[str, int]:
    with Session(engine) as session:
        rows = session.exec(
            select(ResponseImportance.dimension_code, ResponseImportance.points).where(
                ResponseImportance.response_id == response_id
            )
        ).all()
    return dict(rows)


def test_customer_answers_everything_on_a_phone_in_simplified_chinese(
    live_server: LiveServer, place: Place, phone: BrowserContext, engine: Engine, screenshots: Path
) -> None:
    page = phone.new_page()
    survey_url = f"{live_server.url}/s/{place.link.token}"
    response = page.goto(survey_url)
    assert response is not None and response.status == 200
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.locator("legend", has_text="营业厅干净、明亮、舒适。")).to_be_visible()
    assert_no_horizontal_scroll(page)

    for code in ITEM_CODES:
        tap_choice(page, f"e.{code}", EXPECTATIONS[code])
        tap_choice(page, f"p.{code}", PERCEPTIONS[code])
    tap_choice(page, "overall", OVERALL)
    expected_choices = {f"e.{code}": str(v) for code, v in EXPECTATIONS.items()}
    expected_choices |= {f"p.{code}": str(v) for code, v in PERCEPTIONS.items()}
    expected_choices["overall"] = str(OVERALL)
    assert checked_values(page) == expected_choices
    # The chosen box is drawn filled, not just checked underneath.
    chosen = page.locator('label:has(> input[name="p.q1"]:checked) > span')
    expect(chosen).to_have_css("background-color", "rgb(11, 92, 173)")

    total = page.locator("#points-total")
    for dimension, points in POINTS.items():
        field = page.locator(f"#w-{dimension}")
        field.tap()
        field.fill(str(points))
    expect(total).to_be_visible()
    expect(total).to_have_text("100")
    page.locator("#comment").tap()
    page.locator("#comment").fill(COMMENT)
    assert_no_horizontal_scroll(page)
    page.screenshot(path=screenshots / "survey-phone-filled.png", full_page=True)

    with page.expect_navigation():
        page.get_by_role("button", name="提交评价").tap()
    assert page.url == f"{survey_url}/thanks"
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.get_by_role("heading", name="感谢您的评价")).to_be_visible()
    assert_no_horizontal_scroll(page)
    page.screenshot(path=screenshots / "survey-phone-thanks.png", full_page=True)

    [stored] = stored_responses(engine)
    assert stored.link_id == place.link.id
    assert stored.locale == "zh_Hans"
    assert stored.overall == OVERALL
    assert stored.comment == COMMENT
    assert stored_answers(engine, stored.id) == {
        code: (EXPECTATIONS[code], PERCEPTIONS[code]) for code in ITEM_CODES
    }
    assert stored_points(engine, stored.id) == POINTS


def test_language_switch_shows_the_questions_in_english(
    live_server: LiveServer, place: Place, phone: BrowserContext
) -> None:
    page = phone.new_page()
    survey_url = f"{live_server.url}/s/{place.link.token}"
    page.goto(survey_url)
    expect(page.locator("legend", has_text="营业厅干净、明亮、舒适。")).to_be_visible()

    switch = page.locator("nav.tools").get_by_role("link", name="English")
    expect(switch).to_be_visible()
    with page.expect_navigation():
        switch.tap()
    assert page.url.split("?")[0] == survey_url
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(
        page.locator("legend", has_text="The hall is clean, bright and comfortable.")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Send my answers")).to_be_visible()
    expect(page.get_by_text("营业厅干净、明亮、舒适。")).to_have_count(0)
    assert_no_horizontal_scroll(page)


def test_form_submits_without_javascript(
    live_server: LiveServer, place: Place, browser: Browser, engine: Engine
) -> None:
    context = browser.new_context(**PHONE, locale="zh-CN", java_script_enabled=False)
    context.set_default_timeout(5_000)
    try:
        page = context.new_page()
        survey_url = f"{live_server.url}/s/{place.link.token}"
        page.goto(survey_url)
        for code in ITEM_CODES[:3]:
            tap_choice(page, f"e.{code}", 6)
            tap_choice(page, f"p.{code}", 5)
        tap_choice(page, "overall", 5)
        for dimension in POINTS:
            page.locator(f"#w-{dimension}").fill("20")
        # Without the script the running total is never written.
        expect(page.locator("#points-total")).to_have_text("")
        page.locator("#comment").fill("没有脚本也能提交。")

        with page.expect_navigation() as navigation:
            page.get_by_role("button", name="提交评价").tap()
        final = navigation.value
        assert final is not None and final.status == 200
        assert final.request.method == "GET" and page.url == f"{survey_url}/thanks"
        post = final.request.redirected_from
        assert post is not None and post.method == "POST" and post.url == survey_url
        post_response = post.response()
        assert post_response is not None and post_response.status == 303
        expect(page.get_by_role("heading", name="感谢您的评价")).to_be_visible()
    finally:
        context.close()

    [stored] = stored_responses(engine)
    assert stored.overall == 5
    assert stored.comment == "没有脚本也能提交。"
    answers = stored_answers(engine, stored.id)
    assert len(answers) == 22
    assert {code: answers[code] for code in ITEM_CODES[:3]} == {
        code: (6, 5) for code in ITEM_CODES[:3]
    }
    assert all(answers[code] == (None, None) for code in ITEM_CODES[3:])
    assert stored_points(engine, stored.id) == dict.fromkeys(POINTS, 20)


@pytest.mark.parametrize(
    ("browser_locale", "html_lang", "title"),
    [("zh-CN", "zh-Hans", "二维码无效"), ("en-GB", "en", "This code is not valid")],
    ids=["zh-CN", "en-GB"],
)
def test_forged_token_shows_the_friendly_error_page_in_the_browser_language(
    live_server: LiveServer,
    place: Place,
    browser: Browser,
    browser_locale: str,
    html_lang: str,
    title: str,
) -> None:
    context = browser.new_context(**PHONE, locale=browser_locale)
    context.set_default_timeout(5_000)
    try:
        page = context.new_page()
        response = page.goto(f"{live_server.url}/s/not-a-real-token-at-all")
        assert response is not None and response.status == 404
        assert "text/html" in response.headers["content-type"]
        expect(page.locator("html")).to_have_attribute("lang", html_lang)
        expect(page.get_by_role("heading", name=title)).to_be_visible()
        assert_no_horizontal_scroll(page)
    finally:
        context.close()
