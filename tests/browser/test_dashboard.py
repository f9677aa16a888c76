"""The managers' dashboard as a hall manager uses it: a desktop and a tablet in Chromium.

The demo manager logs in, opens every page, and each chart must be drawn as SVG with one
primary mark per datum (``data-marks`` is what the server expects from the chart's rows).
Then the drill-down to a clerk, a change of language that keeps the filters, and a CSV
download. Every page passes axe's WCAG 2.1 A/AA checks with its charts drawn. Screenshots of
every page at 1366x768 and 768x1024 go to tests/browser/screenshots.
"""

import csv
import io
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import Engine
from sqlmodel import Session

from api.charts import PRIMARY_SELECTOR
from api.manager.dashboard.context import PAGES
from api.settings import Settings
from survey.accounts import DEMO_PASSWORD
from survey.demo.seed import DemoSummary
from tests.browser.conftest import LiveServer
from tests.browser.test_accessibility import violations
from tests.seeded_demo import seeded_demo

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1366, "height": 768}
TABLET = {"width": 768, "height": 1024}
ALL_DRAWN = (
    "() => [...document.querySelectorAll('figure[data-chart]')]"
    ".every(f => f.dataset.rendered === 'true')"
)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Demo mode: the demo accounts' shared password is accepted."""
    return settings.model_copy(update={"demo_mode": True})


@pytest.fixture
def demo(engine: Engine, now: datetime) -> DemoSummary:
    with Session(engine, expire_on_commit=False) as session:
        return seeded_demo(session, now=now, n_responses=600, salt="salt", evaluation=False)


@pytest.fixture(params=[DESKTOP, TABLET], ids=["desktop", "tablet"])
def screen(request: pytest.FixtureRequest, browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=request.param, locale="en-US")
    context.set_default_timeout(10_000)
    yield context
    context.close()


def log_in(page: Page, server: LiveServer) -> None:
    """Log in as the demo manager; the login page sends them on to the dashboard."""
    page.goto(f"{server.url}/login?next=/manager/dashboard&lang=en")
    page.fill("input[name=username]", "manager")
    page.fill("input[name=password]", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")


def assert_charts_drawn(page: Page) -> int:
    """Wait until every figure is drawn; each SVG has exactly its expected primary marks."""
    page.wait_for_function(ALL_DRAWN)
    figures = page.locator("figure[data-chart]")
    for i in range(figures.count()):
        figure = figures.nth(i)
        expected = int(figure.get_attribute("data-marks") or "-1")
        assert figure.locator(".chart-canvas svg").count() == 1
        drawn = figure.locator(f".chart-canvas svg {PRIMARY_SELECTOR}").count()
        assert drawn == expected, (figure.get_attribute("id"), drawn, expected)
        # The table stays as the text alternative, folded once the chart is there.
        assert figure.locator("details.chart-data table").count() == 1
    return figures.count()


def test_every_page_draws_its_charts(
    screen: BrowserContext, live_server: LiveServer, demo: DemoSummary, screenshots: Path
) -> None:
    page = screen.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, live_server)
    expect(page).to_have_url(f"{live_server.url}/manager/campaigns/{demo.campaign_id}")
    size = page.viewport_size
    assert size is not None
    charts_seen = 0
    for name in PAGES:
        page.locator("nav.tabs a").nth(PAGES.index(name)).click()
        expect(page.locator("nav.tabs a[aria-current=page]")).to_have_count(1)
        charts_seen += assert_charts_drawn(page)
        assert page.title()
        assert violations(page) == [], name
        page.screenshot(
            path=str(screenshots / f"dashboard-{name}-{size['width']}x{size['height']}.png"),
            full_page=True,
        )
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= size["width"], f"{name} is {width}px wide on a {size['width']}px screen"
    assert charts_seen >= 12
    assert errors == []


@pytest.mark.parametrize("name", ["overview", "items", "rankings"])
def test_greyed_rows_meet_aa_contrast(
    browser: Browser, live_server: LiveServer, demo: DemoSummary, name: str
) -> None:
    """Rows under the minimum n are greyed, and greyed text still meets WCAG AA (4.5:1) on
    its background. The minimum n is set above every unit's count, so every ranked row is
    greyed whatever day the suite runs on."""
    context = browser.new_context(viewport=DESKTOP, locale="en-US")
    context.set_default_timeout(10_000)
    page = context.new_page()
    log_in(page, live_server)
    path = "" if name == "overview" else f"/{name}"
    page.goto(f"{live_server.url}/manager/campaigns/{demo.campaign_id}{path}?min_n=100000")
    assert_charts_drawn(page)
    expect(page.locator("tr.muted-row").first).to_be_attached()
    assert violations(page) == []
    context.close()


def test_drill_down_to_a_clerk_then_switch_language_and_download(
    browser: Browser, live_server: LiveServer, demo: DemoSummary, screenshots: Path, tmp_path: Path
) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="en-US", accept_downloads=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    log_in(page, live_server)
    page.goto(f"{live_server.url}/manager/campaigns/{demo.campaign_id}?lang=en")
    for column in ("site", "counter", "staff"):
        rows = page.locator(f"#table-ranking-{column} tbody tr a")
        expect(rows.first).to_be_visible()
        rows.first.click()
        assert f"{column}=" in page.url
        assert_charts_drawn(page)
    # A clerk's page covers all their answers, at any counter: organisation › site › clerk.
    crumbs = page.locator("nav.crumbs li")
    expect(crumbs).to_have_count(3)
    expect(crumbs.last.locator("a")).to_have_attribute("aria-current", "page")
    expect(page.locator("#staff-stars")).to_contain_text("Star rating")
    page.screenshot(path=str(screenshots / "dashboard-clerk-1366x768.png"), full_page=True)

    page.locator("nav.lang a[lang=zh-Hans]").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    assert "staff=" in page.url
    expect(page.locator("nav.tabs a").first).not_to_have_text("Overview")
    assert_charts_drawn(page)

    with page.expect_download() as download_info:
        page.locator("#chart-gaps .downloads a", has_text="CSV").click()
    path = tmp_path / "gaps.csv"
    download_info.value.save_as(path)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert len(rows) == 6  # heading + five dimensions
    assert all(len(row) == len(rows[0]) for row in rows)
    context.close()
