"""Supervision and complaints end to end, in headless Chromium, as the issue tells it.

A supervisor files a secret check with a photo on a phone-sized screen; a customer files a
complaint from the link behind the QR poster; the manager acknowledges it and answers in
time; the customer sees the answer and confirms. A second case, received days ago with a
one-hour limit, shows as escalated once the manager reads the case list. Every page a
person looks at passes axe's WCAG 2.1 A/AA checks and is screenshotted.
"""

import io
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import Engine
from sqlmodel import Session, select

from api.background import sweep_case_clocks
from api.settings import Settings
from survey.accounts import DEMO_PASSWORD
from survey.cases.handling import file_feedback, history
from survey.cases.rules import CaseState, Severity
from survey.demo.seed import DemoSummary
from survey.models import (
    Case,
    CaseEventKind,
    EvidencePhoto,
    FeedbackKind,
    FeedbackSource,
    Inspection,
    Site,
    SupervisorCredential,
    User,
)
from tests.browser.conftest import LiveServer
from tests.browser.test_accessibility import violations
from tests.factories import FixedClock
from tests.seeded_demo import seeded_demo

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1366, "height": 768}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Demo mode: the demo accounts' shared password is accepted."""
    return settings.model_copy(update={"demo_mode": True})


@pytest.fixture
def demo(engine: Engine, now: datetime) -> DemoSummary:
    with Session(engine, expire_on_commit=False) as session:
        return seeded_demo(session, now=now, n_responses=0, salt="salt", evaluation=False)


def phone(browser: Browser) -> BrowserContext:
    context = browser.new_context(
        viewport=PHONE, locale="en-US", is_mobile=True, has_touch=True, device_scale_factor=2
    )
    context.set_default_timeout(10_000)
    return context


def log_in(page: Page, server: LiveServer, username: str, then: str) -> None:
    page.goto(f"{server.url}/login?next={then}&lang=en")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")


def look(page: Page, screenshots: Path, name: str) -> None:
    """What a person would check: no WCAG findings, nothing wider than the screen."""
    assert violations(page) == [], name
    size = page.viewport_size
    assert size is not None
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= size["width"], f"{name} is {width}px wide on a {size['width']}px screen"
    page.screenshot(path=str(screenshots / f"flow-{name}.png"), full_page=True)


def photo_with_location(path: Path) -> Path:
    """A JPEG carrying GPS coordinates in its EXIF, as a phone camera writes it."""
    image = Image.new("RGB", (1200, 900), (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (23.0, 7.0, 30.0)  # latitude
    gps[3], gps[4] = "E", (113.0, 19.0, 12.0)  # longitude
    image.save(path, "JPEG", exif=exif.tobytes())
    with Image.open(path) as saved:
        assert saved.getexif().get_ifd(0x8825)
    return path


def test_secret_check_complaint_answer_confirm_and_escalation(
    browser: Browser,
    live_server: LiveServer,
    demo: DemoSummary,
    engine: Engine,
    screenshots: Path,
    tmp_path: Path,
    settings: Settings,
    now: datetime,
) -> None:
    with Session(engine, expire_on_commit=False) as session:
        supervisor = session.exec(select(User).where(User.username == "supervisor")).one()
        credential = session.get(SupervisorCredential, supervisor.id)
        own_site = credential.member_site_id if credential else None
        site = next(
            s
            for s in session.exec(select(Site).order_by(Site.id)).all()  # type: ignore[arg-type]
            if s.organisation_id == demo.organisation_id and s.id != own_site
        )

    # 1. The supervisor's secret check with a photo, on a phone.
    context = phone(browser)
    page = context.new_page()
    log_in(page, live_server, "supervisor", "/supervisor")
    expect(page.get_by_role("heading", name="Your credential")).to_be_visible()
    look(page, screenshots, "supervisor-home")
    page.get_by_role("link", name="New inspection").click()
    page.get_by_label("Secret check").check()
    page.get_by_label("Hall inspected").select_option(str(site.id))
    items = page.locator("#checklist fieldset")
    assert items.count() >= 10
    for i in range(items.count()):
        items.nth(i).get_by_label("Pass").check()
    items.nth(0).get_by_label("Fail").check()
    items.nth(0).get_by_label("Note (optional)").fill("No greeting at the counter")
    page.get_by_label("Photos (optional)").set_input_files(
        str(photo_with_location(tmp_path / "IMG_0001.jpg"))
    )
    look(page, screenshots, "supervisor-inspection-form")
    with page.expect_navigation():
        page.get_by_role("button", name="File the inspection").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Inspection")
    expect(page.locator("img.evidence")).to_have_count(1)
    look(page, screenshots, "supervisor-inspection")
    context.close()
    with Session(engine) as session:
        inspection = session.exec(select(Inspection).order_by(Inspection.id.desc())).first()  # type: ignore[union-attr]
        assert inspection is not None and inspection.kind == "secret_check"
        stored = session.exec(
            select(EvidencePhoto).where(EvidencePhoto.inspection_id == inspection.id)
        ).one()
        data = (settings.data_dir / stored.path).read_bytes()
        with Image.open(io.BytesIO(data)) as cleaned:
            assert not cleaned.getexif()
        assert b"Exif" not in data and b"PhoneMaker" not in data

    # 2. A customer complains through the poster's link, on a phone.
    context = phone(browser)
    page = context.new_page()
    page.goto(f"{live_server.url}/s/{demo.poster_tokens[0]}?lang=en")
    page.get_by_role("link", name=re.compile("Praise, suggestion or complaint")).click()
    page.get_by_label(re.compile("^Complaint")).check()
    page.get_by_label("Waiting and speed").check()
    page.get_by_label("Your message").fill("Only one window open, I waited fifty minutes.")
    look(page, screenshots, "customer-feedback-form")
    with page.expect_navigation():
        page.get_by_role("button", name="Send my message").click()
    expect(page).to_have_url(re.compile(r"/c/[\w-]+"))
    case_url = page.url.split("?")[0]
    look(page, screenshots, "customer-case-filed")
    token = case_url.rsplit("/", 1)[1]
    with Session(engine) as session:
        case = session.exec(select(Case).where(Case.public_token == token)).one()
        case_id = case.id
        assert case.state == CaseState.received and case.owner_user_id is None

    # 3. The manager acknowledges and answers within the limit.
    manager = browser.new_context(viewport=DESKTOP, locale="en-US")
    manager.set_default_timeout(10_000)
    desk = manager.new_page()
    log_in(desk, live_server, "manager", f"/manager/cases/{case_id}")
    expect(desk.locator("#case-stage")).to_contain_text("On time")
    desk.get_by_role("button", name="Acknowledge").click()
    expect(desk.locator("#case-owner")).to_have_text("Manager")
    desk.get_by_label("Answer to the complainant").fill(
        "We opened two more windows at peak hours. Thank you for telling us."
    )
    desk.get_by_role("button", name="Send the answer").click()
    expect(desk.locator("#case-state")).to_have_text("Answered")
    look(desk, screenshots, "manager-case-answered")
    with Session(engine) as session:
        answered = [
            e for e in history(session, case_id or 0) if e.to_state == CaseState.answered.value
        ]
        assert len(answered) == 1
        assert not [e for e in history(session, case_id or 0) if e.kind == CaseEventKind.escalation]

    # 4. The customer reads the answer and confirms.
    page.goto(case_url)
    expect(page.get_by_text("We opened two more windows at peak hours.")).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("button", name="I am satisfied, close the case").click()
    with Session(engine) as session:
        closed = session.get(Case, case_id)
        assert closed is not None and closed.state == CaseState.closed
        assert closed.owner_user_id is not None  # first-ask: the manager who acknowledged it
    look(page, screenshots, "customer-case-closed")
    context.close()

    # 5. A second case passed its one-hour limit days ago: the list shows it overdue, and
    # once the server's scheduled sweep has run, escalated.
    with Session(engine, expire_on_commit=False) as session:
        late = file_feedback(
            session,
            organisation_id=demo.organisation_id,
            kind=FeedbackKind.complaint,
            source=FeedbackSource.hotline,
            text="Nobody answered the hall's phone all morning.",
            now=now - timedelta(days=12),
            site_id=site.id,
            severity=Severity.simple,
        ).case
        assert late is not None and late.state == CaseState.received
    desk.goto(f"{live_server.url}/manager/cases")
    row = desk.locator("tr", has=desk.locator(f'a[href="/manager/cases/{late.id}"]'))
    expect(row).to_contain_text("Overdue")
    expect(row).not_to_contain_text("Escalated")  # reading the list recorded nothing
    assert sweep_case_clocks(engine, FixedClock(now)) > 0
    desk.reload()
    expect(row).to_contain_text("Escalated")
    look(desk, screenshots, "manager-cases")
    with Session(engine) as session:
        kinds = [e.kind for e in history(session, late.id or 0)]
        assert CaseEventKind.escalation in kinds
    manager.close()


@pytest.mark.parametrize("lang", ["en", "zh_Hant"])
def test_the_managers_case_and_supervision_pages_are_accessible(
    browser: Browser, live_server: LiveServer, demo: DemoSummary, screenshots: Path, lang: str
) -> None:
    """Every new manager page, with the demo's cases, passes axe at 1366x768 and fits it."""
    context = browser.new_context(viewport=DESKTOP, locale="en-US")
    context.set_default_timeout(10_000)
    page = context.new_page()
    log_in(page, live_server, "manager", "/manager")
    pages = {
        "cases": "/manager/cases",
        "cases-finished": "/manager/cases?view=finished",
        "case": None,
        "on-time": "/manager/cases-on-time",
        "case-settings": "/manager/case-settings",
        "feedback": "/manager/feedback",
        "supervisors": "/manager/supervisors",
        "inspections": "/manager/inspections?level=staff",
        "checklist": "/manager/checklist",
    }
    for name, path in pages.items():
        if path is None:
            page.goto(f"{live_server.url}/manager/cases?lang={lang}")
            with page.expect_navigation():
                page.locator("#cases tbody a").first.click()
        else:
            page.goto(f"{live_server.url}{path}{'&' if '?' in path else '?'}lang={lang}")
        assert page.title(), name
        look(page, screenshots, f"manager-{name}-{lang}")
    context.close()
