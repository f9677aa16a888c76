"""The demo regulator's walk on a desktop and a tablet: it lands on its authority's page,
opens the running evaluation, sees the operators side by side with the chart drawn and
the small operator greyed, opens an operator's halls, and changes the language keeping
the filters. Every page passes axe's WCAG 2.1 A/AA checks and fits the screen's width;
screenshots at 1366x768 and 768x1024 go to tests/browser/screenshots."""

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, expect
from sqlalchemy import Engine
from sqlmodel import Session

from api.settings import Settings
from survey.accounts import DEMO_PASSWORD
from survey.demo.seed import DemoSummary
from tests.browser.conftest import LiveServer
from tests.browser.test_accessibility import violations
from tests.browser.test_dashboard import DESKTOP, TABLET, assert_charts_drawn
from tests.seeded_demo import seeded_demo

pytestmark = pytest.mark.browser


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Demo mode: the demo accounts' shared password is accepted."""
    return settings.model_copy(update={"demo_mode": True})


@pytest.fixture
def demo(engine: Engine, now: datetime) -> DemoSummary:
    with Session(engine, expire_on_commit=False) as session:
        return seeded_demo(session, now=now, n_responses=600, salt="salt")


@pytest.fixture(params=[DESKTOP, TABLET], ids=["desktop", "tablet"])
def screen(request: pytest.FixtureRequest, browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=request.param, locale="en-US")
    context.set_default_timeout(10_000)
    yield context
    context.close()


def test_the_regulator_compares_its_operators(
    screen: BrowserContext, live_server: LiveServer, demo: DemoSummary, screenshots: Path
) -> None:
    page = screen.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    size = page.viewport_size
    assert size is not None
    suffix = f"{size['width']}x{size['height']}"

    page.goto(f"{live_server.url}/login?lang=en")
    page.fill("input[name=username]", "regulator")
    page.fill("input[name=password]", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    expect(page).to_have_url(f"{live_server.url}/regulator")
    expect(page.locator("h1")).to_contain_text("Demo Communications Administration")
    expect(page.locator("#operators-title + ul li")).to_have_count(3)
    assert violations(page) == []
    page.screenshot(path=str(screenshots / f"regulator-home-{suffix}.png"), full_page=True)

    page.get_by_role("link", name="User satisfaction evaluation").click()
    assert assert_charts_drawn(page) == 1
    rows = page.locator("#table-operators tbody tr")
    expect(rows).to_have_count(3)
    # 600 × 0.15 answers from two operators, 6 from the third: two ranked, one greyed.
    expect(rows.nth(0).locator("td").first).to_have_text("1")
    expect(rows.nth(1).locator("td").first).to_have_text("2")
    expect(rows.nth(2)).to_have_class("muted-row ")
    expect(rows.nth(2)).to_contain_text("Nanxing")
    expect(page.locator("#chart-operators .chart-canvas svg")).to_have_count(1)
    nanxing = page.locator("details", has=page.locator("summary", has_text="Nanxing"))
    expect(nanxing.locator("table")).to_be_hidden()
    nanxing.locator("summary").click()
    expect(nanxing.locator("table")).to_be_visible()
    expect(nanxing.locator("tbody tr")).to_have_count(1)  # its one hall
    assert violations(page) == []
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= size["width"], f"the comparison is {width}px wide on {size['width']}px"
    page.screenshot(path=str(screenshots / f"regulator-evaluation-{suffix}.png"), full_page=True)

    page.fill("#f-min-n", "5")
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")
    expect(page.locator("#table-operators tbody tr.muted-row")).to_have_count(0)
    page.locator("nav.lang a[lang=zh-Hans]").click()
    expect(page.locator("#f-min-n")).to_have_value("5")
    expect(page.locator("h2").first).to_have_text("运营者对比")
    assert errors == []


def test_a_published_notice_reads_well_in_public_and_for_the_regulator(
    browser: Browser, live_server: LiveServer, demo: DemoSummary, screenshots: Path
) -> None:
    """The demo's notices: the public list, a corrected quarter's version 1 pointing to
    version 2, and version 2 saying why; the regulator's list and a version's page. All
    axe clean, and no wider than a tablet."""
    context = browser.new_context(viewport=TABLET, locale="en-US")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/notices?lang=en")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(3)  # two quarters, the older one in two versions
    assert violations(page) == []
    rows.nth(2).locator("a").click()  # latest quarter first, versions newest first: Q-1 v1
    expect(page.locator("p.notice")).to_contain_text("This notice has been corrected.")
    expect(page.locator("#table-notice-operators tbody tr")).to_have_count(3)
    assert violations(page) == []
    page.screenshot(path=str(screenshots / "notice-768x1024.png"), full_page=True)
    page.get_by_role("link", name="Read version 2").click()
    expect(page.locator("p.notice")).to_contain_text("This version corrects version 1.")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= TABLET["width"]

    page.goto(f"{live_server.url}/login?lang=en")
    page.fill("input[name=username]", "regulator")
    page.fill("input[name=password]", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    page.goto(f"{live_server.url}/regulator/publications")
    expect(page.locator("tbody tr")).to_have_count(3)
    assert violations(page) == []
    page.locator("tbody tr a").first.click()
    expect(page.locator("h1")).to_contain_text("Version 1")
    expect(page.locator("#correct-title")).to_be_visible()
    assert violations(page) == []
    page.screenshot(path=str(screenshots / "regulator-publication-768x1024.png"), full_page=True)
    for tab in ("complaints", "tokens"):
        page.goto(f"{live_server.url}/regulator/{tab}")
        expect(page.locator("nav.tabs a[aria-current=page]")).to_have_count(1)
        assert violations(page) == [], tab
    page.fill("#token-name", "statistics system")
    page.check("input[name=scope-indices]")
    page.click("form.settings button[type=submit]")
    expect(page.locator("code.secret")).to_contain_text("mny_")
    assert violations(page) == []
    context.close()
