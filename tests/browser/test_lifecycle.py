"""The demo manager's weekly walk through the lifecycle on a desktop and a tablet: the
services and which targets hold, the online hall's week that the year hides, its frozen
review, the form
for its agreement's next version (prefilled from the one in force), the action
that week opened and whether it worked, then planning the action still waiting. Every
page passes axe's WCAG 2.1 A/AA checks and fits the screen's width; screenshots go to
tests/browser/screenshots."""

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import Engine
from sqlmodel import Session

from api.settings import Settings
from survey.accounts import DEMO_PASSWORD
from survey.cases.worktime import SHANGHAI
from survey.demo.seed import DemoSummary
from tests.browser.conftest import LiveServer
from tests.browser.test_accessibility import violations
from tests.browser.test_dashboard import DESKTOP, TABLET
from tests.seeded_demo import seeded_demo

pytestmark = pytest.mark.browser


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Demo mode: the demo accounts' shared password is accepted."""
    return settings.model_copy(update={"demo_mode": True})


@pytest.fixture
def demo(engine: Engine, now: datetime) -> DemoSummary:
    """The same demo as the dashboard's browser tests, so a test process copies it back
    instead of seeding it again."""
    with Session(engine, expire_on_commit=False) as session:
        return seeded_demo(session, now=now, n_responses=600, salt="salt", evaluation=False)


@pytest.fixture(params=[DESKTOP, TABLET], ids=["desktop", "tablet"])
def screen(request: pytest.FixtureRequest, browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=request.param, locale="en-US")
    context.set_default_timeout(10_000)
    yield context
    context.close()


def looked_at(page: Page, screenshots: Path, name: str) -> None:
    """The page passes axe, is no wider than the screen, and is screenshotted."""
    size = page.viewport_size
    assert size is not None
    assert violations(page) == [], name
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= size["width"], f"{name} is {width}px wide on a {size['width']}px screen"
    page.screenshot(
        path=str(screenshots / f"lifecycle-{name}-{size['width']}x{size['height']}.png"),
        full_page=True,
    )


def test_the_manager_follows_a_missed_week_to_its_action_and_plans_the_next(
    screen: BrowserContext,
    live_server: LiveServer,
    demo: DemoSummary,
    screenshots: Path,
    now: datetime,
) -> None:
    page = screen.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/login?lang=en")
    page.fill("input[name=username]", "manager")
    page.fill("input[name=password]", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")

    page.goto(f"{live_server.url}/manager")
    page.get_by_role("link", name="Services and agreements").click()
    expect(page.locator("tbody tr")).to_have_count(2)
    looked_at(page, screenshots, "services")

    page.get_by_role("link", name="Online business hall").click()
    expect(page.locator("h1")).to_contain_text("Online business hall")
    year = page.locator("table", has=page.locator("caption", has_text="Availability: Year"))
    expect(year.locator("tbody tr").first).to_contain_text("Met")
    week = page.locator("table", has=page.locator("caption", has_text="Availability: Week"))
    expect(week.locator("tbody tr", has_text="Missed")).to_have_count(1)
    looked_at(page, screenshots, "service")
    page.locator("#reviews + ul a").first.click()
    expect(page.locator("h1")).to_contain_text("Review of")
    expect(page.get_by_role("heading", name="Penalties incurred")).to_be_visible()
    looked_at(page, screenshots, "review")
    page.go_back()
    page.get_by_role("link", name="Write the next version").click()
    expect(page.locator("#m0-code")).to_have_value("availability")
    expect(page.locator("input[name=metrics-0-window-week]")).to_be_checked()
    looked_at(page, screenshots, "agreement-form")
    page.go_back()

    actions = page.locator("table", has=page.locator("caption", has_text="missed targets"))
    actions.locator("a", has_text="Availability").click()
    expect(page.locator("h1")).to_contain_text("Availability")
    expect(page.get_by_text("Closed: it worked").first).to_be_visible()
    expect(page.get_by_role("heading", name="Effect measured after the due date")).to_be_visible()
    looked_at(page, screenshots, "action-effective")

    page.goto(f"{live_server.url}/manager/actions")
    waiting = page.locator("tbody tr", has_text="nobody yet")
    expect(waiting).to_have_count(1)
    waiting.locator("a").click()
    page.select_option("#plan-owner", label="Manager")
    page.fill("#plan-cause", "Evening peak understaffed")
    page.fill("#plan-plan", "Two more agents from 17:00")
    due = (now.astimezone(SHANGHAI).date() + timedelta(days=21)).isoformat()
    page.fill("#plan-due_on", due)
    with page.expect_navigation():
        page.get_by_role("button", name="Save the plan").click()
    expect(page.get_by_role("status")).to_have_text("The plan is saved.")
    expect(page.locator("#plan-due_on")).to_have_value(due)
    looked_at(page, screenshots, "action-planned")

    page.locator("nav.lang a[lang=zh-Hans]").click()
    expect(page.get_by_role("heading", name="计划")).to_be_visible()
    assert errors == []
