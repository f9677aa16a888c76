"""Automated WCAG 2.1 A/AA checks (axe-core, bundled by axe-playwright-python) on the pages
customers and staff see. axe finds about half of real accessibility problems; the rest
(focus order, meaningful labels) is covered by the phone tests and by reading the pages.
"""

from datetime import datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page
from sqlalchemy import Engine
from sqlmodel import Session

from survey.accounts import create_user
from survey.models import CampaignMode, Role
from tests.browser.conftest import LiveServer
from tests.factories import Place, make_place

pytestmark = pytest.mark.browser

WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def violations(page: Page) -> list[str]:
    results = Axe().run(page, options=WCAG_AA)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]


def make(engine: Engine, now: datetime, mode: CampaignMode = CampaignMode.paired) -> Place:
    with Session(engine, expire_on_commit=False) as session:
        return make_place(session, now=now, mode=mode)


@pytest.mark.parametrize(
    ("locale", "mode", "text_size"),
    [
        ("zh-CN", CampaignMode.paired, "normal"),
        ("zh-CN", CampaignMode.paired, "large"),
        ("en-US", CampaignMode.perception_only, "normal"),
        ("en-US", CampaignMode.three_column, "normal"),
    ],
)
def test_survey_page_has_no_wcag_violations(
    browser: Browser,
    live_server: LiveServer,
    engine: Engine,
    now: datetime,
    locale: str,
    mode: CampaignMode,
    text_size: str,
) -> None:
    place = make(engine, now, mode)
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale=locale)
    page = context.new_page()
    page.goto(f"{live_server.url}/s/{place.link.token}?text={text_size}")
    assert violations(page) == []
    context.close()


def test_error_thanks_and_staff_pages_have_no_wcag_violations(
    browser: Browser, live_server: LiveServer, engine: Engine, now: datetime
) -> None:
    place = make(engine, now)
    with Session(engine) as session:
        assert place.organisation.id is not None
        create_user(
            session,
            username="wang",
            password="s3cret-pass-2026",
            role=Role.manager,
            organisation_ids=[place.organisation.id],
            now=now,
        )
        session.commit()
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    for path in (
        "/",
        "/s/forged-token",
        f"/s/{place.link.token}/thanks",
        f"/display/{place.link.display_token}",
        "/login",
    ):
        page.goto(live_server.url + path)
        assert violations(page) == [], path
    page.fill("#username", "wang")
    page.fill("#password", "s3cret-pass-2026")
    page.click("button[type=submit]")
    page.wait_for_url("**/manager")
    assert violations(page) == []
    context.close()


def test_invalid_form_with_messages_has_no_wcag_violations(
    browser: Browser, live_server: LiveServer, engine: Engine, now: datetime
) -> None:
    place = make(engine, now)
    # JavaScript stays on: axe itself runs as a script in the page.
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    page = context.new_page()
    page.goto(f"{live_server.url}/s/{place.link.token}")
    page.fill("#w-empathy", "50")
    page.click("button[type=submit]")
    assert "100" in page.inner_text("body")
    assert violations(page) == []
    context.close()
