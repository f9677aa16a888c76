"""From an empty install to a first answer, in the browser alone: the first administrator
(made as ``manyi init`` makes it) builds a region, a hall, two counters and two clerks (one
from a CSV table), adapts the questionnaire's wording and publishes it, starts a campaign
asking it, prints the hall's posters; a customer scans the printed code on a phone and
answers; the answer shows on the managers' pages; an invited manager sets a password
through the one-time link. Every set-up page is checked with axe; screenshots are kept."""

import io
import re
from datetime import datetime
from pathlib import Path

import pytest
import zxingcpp
from axe_playwright_python.sync_playwright import Axe
from PIL import Image
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine
from sqlmodel import Session, select

from survey.accounts import create_user
from survey.installation import set_public_base_url
from survey.models import Role, SurveyResponse
from survey.places.organisations import create_organisation
from survey.questionnaires.instruments import ensure_default_instrument
from tests.browser.conftest import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.every_database]

WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def violations(page: Page) -> list[str]:
    results = Axe().run(page, options=WCAG_AA)
    return [f"{v['id']}: {v['help']}" for v in results.response["violations"]]


def first_run(engine: Engine, now: datetime, public_url: str) -> None:
    """What ``manyi init`` stores on an empty database (its own test is in tests/api/cli)."""
    with Session(engine) as session:
        organisation = create_organisation(session, name="广州电信 GZ Telecom", slug="gz")
        assert organisation.id is not None
        create_user(
            session,
            username="alice",
            password="first-admin-pass",
            role=Role.admin,
            organisation_ids=[organisation.id],
            now=now,
        )
        set_public_base_url(session, public_url, now=now)
        ensure_default_instrument(session, now=now)
        session.commit()


def test_an_empty_install_to_a_first_answer_in_the_browser(
    browser: Browser, live_server: LiveServer, engine: Engine, now: datetime, screenshots: Path
) -> None:
    first_run(engine, now, live_server.url)
    desk = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    desk.set_default_timeout(10_000)
    page = desk.new_page()
    page.goto(f"{live_server.url}/login?lang=en")
    page.fill("#username", "alice")
    page.fill("#password", "first-admin-pass")
    page.click("button[type=submit]")
    page.wait_for_url("**/admin")
    assert violations(page) == []

    page.fill("#region-code", "440103")
    page.fill("#region-name", "荔湾区")
    page.click("form[action='/admin/regions'] button")
    page.fill("#site-code", "GZ 01")  # a space: refused, the form comes back as typed
    page.fill("#site-name", "城东营业厅")
    page.fill("#site-opening_hours", "09:00-18:00")
    page.click("form[action='/admin/sites'] button")
    expect(page.locator("#site-code-error")).to_be_visible()
    expect(page.locator("#site-name")).to_have_value("城东营业厅")
    assert violations(page) == []
    page.screenshot(path=str(screenshots / "admin-refused-hall.png"), full_page=True)
    page.fill("#site-code", "GZ-01")
    page.click("form[action='/admin/sites'] button")
    page.wait_for_url(re.compile(r".*/admin/sites/\d+\?saved=site"))

    for code, name in (("A1", "1号窗口"), ("A2", "2号窗口")):
        page.fill("#counter-code", code)
        page.fill("#counter-name", name)
        page.click("form[action$='/counters'] button")
    page.fill("#staff-job_number", "GZ1001")
    page.fill("#staff-name", "李娜")
    page.select_option("#staff-counter", label="A1 1号窗口")
    page.click("form[action$='/staff'] button")
    site_page = page.url.split("?")[0]

    # The second clerk comes from a table, as an operator's IT person would send it.
    page.goto(f"{live_server.url}/admin/import?lang=en")
    table = "site_code,counter_code,job_number,staff_name\nGZ-01,A2,GZ1002,王伟\n"
    page.set_input_files(
        "#table",
        files=[{"name": "clerks.csv", "mimeType": "text/csv", "buffer": table.encode()}],
    )
    page.click("text=Show what would change")
    expect(page.locator("table").first).to_contain_text("Clerks")
    assert violations(page) == []
    page.screenshot(path=str(screenshots / "admin-import-preview.png"), full_page=True)
    page.click("text=Import all of it")
    page.goto(f"{site_page}?lang=en")
    expect(page.locator("#clerks")).to_contain_text("GZ1002")
    assert violations(page) == []
    page.screenshot(path=str(screenshots / "admin-hall.png"), full_page=True)

    # The clerks go on duty at their counters, so answers name and credit them.
    page.goto(f"{live_server.url}/manager/sites/{site_page.rsplit('/', 1)[1]}/duty?lang=en")
    page.click("text=Put every clerk on duty at their usual counter until the end of today")
    expect(page.locator("table").first).to_contain_text("李娜")
    assert violations(page) == []
    page.screenshot(path=str(screenshots / "manager-duty-roster.png"), full_page=True)

    page.goto(f"{live_server.url}/admin/questionnaires?lang=en")
    page.click("text=Edit as the next version")
    page.fill("textarea[name='text:item.q1:zh_Hans']", "营业厅的叫号和自助设备好用。")
    page.fill("textarea[name='text:title:zh_Hans']", "请为城东营业厅打分")
    page.click("text=Publish as the next version")
    expect(page.locator("table")).to_contain_text("v2")
    assert violations(page) == []
    page.locator("tr", has_text="v2").locator("a", has_text="简体中文").click()
    expect(page.locator("body")).to_contain_text("营业厅的叫号和自助设备好用。")
    assert violations(page) == []
    page.screenshot(path=str(screenshots / "admin-questionnaire-preview.png"), full_page=True)

    page.goto(f"{live_server.url}/admin/campaigns?lang=en")
    page.select_option("#campaign-instrument", label="servqual-counter v2")
    page.fill("#campaign-name", "2027 柜台满意度")
    page.select_option("#campaign-mode", "perception_only")
    page.fill("#campaign-starts_on", now.date().replace(day=1).isoformat())
    page.fill("#campaign-ends_on", now.date().replace(year=now.year + 1).isoformat())
    page.fill("#campaign-items_per_dimension", "1")
    page.uncheck("input[name=ask_importance]")
    page.click("form[action='/admin/campaigns'] button[type=submit]")
    page.click("text=Create poster links")
    page.click("button:text-is('Start')")
    expect(page.locator("table")).to_contain_text("Running")
    assert violations(page) == []
    page.screenshot(path=str(screenshots / "admin-campaigns.png"), full_page=True)

    poster = page.request.get(f"{site_page}/posters.pdf")
    assert poster.status == 200
    sheets = re.findall(rb"\xff\xd8\xff.*?\xff\xd9", poster.body(), flags=re.DOTALL)
    assert len(sheets) == 2  # one poster per counter
    url = zxingcpp.read_barcodes(Image.open(io.BytesIO(sheets[0])))[0].text
    assert url.startswith(f"{live_server.url}/s/")

    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    customer = phone.new_page()
    customer.goto(url)
    expect(customer.locator("body")).to_contain_text("李娜")
    expect(customer.locator("h1")).to_have_text("请为城东营业厅打分")
    names = customer.eval_on_selector_all(
        "input[type=radio]", "inputs => [...new Set(inputs.map(i => i.name))]"
    )
    assert len(names) == 6  # one item per dimension, perception only, and the overall rating
    for name in names:
        value = "4" if name == "overall" else "6"
        customer.locator(f'label:has(> input[name="{name}"][value="{value}"])').tap()
    customer.fill("#comment", "服务很好")
    customer.click("button[type=submit]")
    expect(customer.locator("h1")).to_be_visible()
    phone.close()

    with Session(engine) as session:
        (response,) = session.exec(select(SurveyResponse)).all()
        assert response.comment == "服务很好"
    page.goto(f"{live_server.url}/manager?lang=en")
    expect(page.locator("body")).to_contain_text("城东营业厅")
    assert "1" in page.locator("tfoot").first.inner_text()
    page.goto(f"{live_server.url}/manager/dashboard?lang=en")
    expect(page.locator("h1")).to_contain_text("广州电信")

    page.goto(f"{live_server.url}/admin/accounts?lang=en")
    assert violations(page) == []
    page.fill("#invite-username", "wang")
    page.fill("#invite-display_name", "王经理")
    page.click("form[action='/admin/accounts'] button[type=submit]")
    link = page.locator("#one-time-link").inner_text()
    assert violations(page) == []
    newcomer = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    welcome = newcomer.new_page()
    welcome.goto(link)
    assert violations(welcome) == []
    welcome.fill("#password", "wang-long-password")
    welcome.fill("#repeated", "wang-long-password")
    welcome.click("button[type=submit]")
    expect(welcome.locator("#username")).to_have_value("wang")
    welcome.fill("#password", "wang-long-password")
    welcome.click("button[type=submit]")
    welcome.wait_for_url("**/manager")
    newcomer.close()
    desk.close()
