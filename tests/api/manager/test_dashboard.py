"""The managers' dashboard over HTTP: pages, drill-down, filters, exports and scoping."""

import csv
import io
import json
import random
import re
from datetime import date, timedelta
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import func
from sqlmodel import Session, select

from api.manager.dashboard.context import PAGES
from survey.models import (
    Campaign,
    CampaignMode,
    Counter,
    Role,
    Site,
    StaffMember,
    SurveyResponse,
)
from survey.stats.dashboard import Period, default_period
from survey.stats.reports import Scope, scope_report
from tests.factories import FixedClock, answer_randomly, at, local_day, make_place
from tests.web import add_user, demo_with_manager, log_in


class _Page(HTMLParser):
    """The bits of a dashboard page the tests read: title, chart specs, tables, links."""

    def __init__(self) -> None:
        super().__init__()
        self.title = ""
        self.specs: list[dict[str, object]] = []
        self.links: list[str] = []
        self.figures: list[dict[str, str]] = []
        self._in: str | None = None
        self._buffer = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "title" or (tag == "script" and values.get("type") == "application/json"):
            self._in, self._buffer = tag, ""
        if tag == "a" and values.get("href"):
            self.links.append(str(values["href"]))
        if tag == "figure" and "data-chart" in values:
            self.figures.append({k: v or "" for k, v in values.items()})

    def handle_data(self, data: str) -> None:
        if self._in:
            self._buffer += data

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in == "title":
            self.title = self._buffer.strip()
        elif tag == self._in == "script":
            self.specs.append(json.loads(self._buffer))
        if tag == self._in:
            self._in = None


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def page_url(campaign: Campaign, page: str) -> str:
    base = f"/manager/campaigns/{campaign.id}"
    return base if page == "overview" else f"{base}/{page}"


@pytest.fixture
def whole_demo(clock: FixedClock) -> dict[str, str]:
    """Filters for every month of the demo's answers (the six months up to the clock's)."""
    this_month = local_day(clock()).replace(day=1)
    first = (this_month - timedelta(days=200)).replace(day=1)
    return {"first_month": f"{first:%Y-%m}", "last_month": f"{this_month:%Y-%m}"}


@pytest.fixture
def demo(client: TestClient, session: Session, clock: FixedClock) -> Campaign:
    campaign = demo_with_manager(session, clock)
    assert log_in(client, "wang") == 303
    session.commit()  # end the read snapshot taken before the login wrote (SQLite WAL)
    return campaign


def test_every_page_renders_with_a_title_and_its_charts(client: TestClient, demo: Campaign) -> None:
    """Each page answers 200 with a title naming it and every figure carrying a Vega-Lite
    spec with data (the chart) and a data table (its text alternative)."""
    for page in PAGES:
        response = client.get(page_url(demo, page), params={"lang": "en"})
        assert response.status_code == 200, page
        parsed = parse(response.text)
        assert parsed.title.startswith(page.capitalize()), (page, parsed.title)
        assert len(parsed.specs) == len(parsed.figures)
        for spec in parsed.specs:
            assert str(spec["$schema"]).startswith("https://vega.github.io/schema/vega-lite/")
        if page not in ("comments", "reliability"):
            assert parsed.figures, page
        assert "<table" in response.text
        downloads = [link for link in parsed.links if "/export/" in link]
        assert downloads, page
        for link in downloads:
            if link.split("?")[0].endswith((".csv", ".xlsx")):
                assert client.get(link).status_code == 200, link


def test_overview_numbers_are_the_reports(
    client: TestClient, session: Session, demo: Campaign, clock: FixedClock
) -> None:
    """The gap table of the overview shows the scope report of the default period (the
    three months up to this one), and the CSV download has the same rows unrounded."""
    assert demo.id is not None
    today = clock().date()
    period = default_period(today, 3)
    report = scope_report(
        session,
        Scope(demo.id, (demo.organisation_id,), since=period.since, until=period.until),
    )
    response = client.get(f"/manager/campaigns/{demo.id}/overview/export/gaps.csv?lang=en")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    names = ("Tangibles", "Reliability", "Responsiveness", "Assurance", "Empathy")
    assert len(rows) == len(names)
    for row, name in zip(rows, names, strict=True):
        assert row["Dimension"].startswith(name)
    for row, dimension in zip(rows, report.dimensions, strict=True):
        assert float(row["Gap"]) == pytest.approx(dimension.scores["G"].mean, abs=1e-6)
        assert float(row["Perception"]) == pytest.approx(dimension.scores["P"].mean, abs=1e-6)
        assert int(row["Respondents"]) == dimension.scores["G"].n
    html = client.get(f"/manager/campaigns/{demo.id}?lang=en").text
    assert f"{report.index.value:.1f}" in html
    before = period.previous()
    previous = scope_report(
        session,
        Scope(demo.id, (demo.organisation_id,), since=before.since, until=before.until),
    )
    assert f"was {previous.index.value:.1f} from {previous.index.n:,} customers" in html


def test_drill_down_from_organisation_to_a_clerk_with_stars(
    client: TestClient, session: Session, demo: Campaign, whole_demo: dict[str, str]
) -> None:
    """Organisation → site → counter → clerk by the links of each overview; the clerk's
    page shows the star rating and why."""
    url = page_url(demo, "overview") + "?lang=en&" + urlencode(whole_demo)
    for level in ("site", "counter", "staff"):
        html = client.get(url).text
        links = [link for link in parse(html).links if f"{level}=" in link and "export" not in link]
        chosen = next(link for link in links if re.search(rf"[?&]{level}=\d+", link))
        assert client.get(chosen).status_code == 200
        url = chosen.replace("&amp;", "&")
    html = client.get(url).text
    assert "Star rating" in html
    assert "How stars are given" in html
    staff_id = int(re.search(r"staff=(\d+)", url).group(1))  # type: ignore[union-attr]
    clerk = session.get(StaffMember, staff_id)
    assert clerk is not None and clerk.display_name in html


def test_another_organisations_places_are_404_and_never_shown(
    client: TestClient,
    session: Session,
    demo: Campaign,
    clock: FixedClock,
    whole_demo: dict[str, str],
) -> None:
    """A manager of the demo organisation gets 404 for a site, counter or clerk of
    organisation B, even inside their own campaign, and no page of theirs names B's places."""
    other = make_place(session, now=clock() - timedelta(days=20), slug="org-b")
    rng = random.Random(3)
    for _ in range(5):
        answer_randomly(session, other, rng, now=clock() - timedelta(days=3))
    add_user(session, clock, "li", Role.manager, [other.organisation.id or 0])
    base = page_url(demo, "overview")
    for name, value in (
        ("site", other.site.id),
        ("counter", other.counter.id),
        ("staff", other.staff.id),
    ):
        assert client.get(base, params={name: value}).status_code == 404
        export = f"/manager/campaigns/{demo.id}/overview/export/gaps.csv"
        assert client.get(export, params={name: value}).status_code == 404
    assert client.get(page_url(other.campaign, "overview")).status_code == 404
    assert client.get(page_url(other.campaign, "rankings")).status_code == 404
    for page in PAGES:
        html = client.get(page_url(demo, page), params=whole_demo).text
        assert other.site.name not in html
        assert other.staff.job_number not in html


def test_a_counter_of_another_site_is_404(
    client: TestClient, session: Session, demo: Campaign
) -> None:
    sites = session.exec(select(Site).where(Site.organisation_id == demo.organisation_id)).all()
    counter = session.exec(select(Counter).where(Counter.site_id == sites[1].id)).first()
    assert counter is not None
    url = page_url(demo, "overview")
    assert client.get(url, params={"site": sites[0].id, "counter": counter.id}).status_code == 404
    assert client.get(url, params={"site": sites[1].id, "counter": counter.id}).status_code == 200


@pytest.mark.parametrize(
    ("page", "params"),
    [
        ("overview", {"first_month": "2026-13"}),
        ("overview", {"last_month": "9999-12"}),
        ("trends", {"first_month": "0001-01"}),
        ("overview", {"site": "east"}),
        ("overview", {"language": "fr"}),
        ("overview", {"min_n": "0"}),
        ("overview", {"first_month": "2026-10", "last_month": "2026-09"}),
        ("trends", {"grain": "day"}),
        ("importance", {"importance": "guessed"}),
        ("comments", {"dimension": "speed"}),
        ("comments", {"before": "not-a-cursor"}),
        ("comments", {"q": "x" * 201}),
    ],
)
def test_bad_filters_get_422_not_500(
    client: TestClient, demo: Campaign, page: str, params: dict[str, str]
) -> None:
    response = client.get(page_url(demo, page), params=params, headers={"accept": "text/html"})
    assert response.status_code == 422


def test_empty_form_fields_mean_no_filter(client: TestClient, demo: Campaign) -> None:
    """A GET form sends empty fields; they must not be errors."""
    response = client.get(
        page_url(demo, "overview"),
        params={"first_month": "", "last_month": "", "language": "", "site": ""},
    )
    assert response.status_code == 200


def test_downloads_of_tables_and_charts(client: TestClient, demo: Campaign) -> None:
    """Every table as CSV and XLSX, every chart as SVG and PNG; unknown names are 404."""
    base = f"/manager/campaigns/{demo.id}"
    xlsx = client.get(f"{base}/items/export/items.xlsx")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None and sheet.max_row == 23  # heading + 22 items
    svg = client.get(f"{base}/items/export/items.svg")
    assert svg.status_code == 200 and svg.headers["content-type"] == "image/svg+xml"
    assert svg.text.lstrip().startswith("<svg")
    png = client.get(f"{base}/trends/export/index.png", params={"grain": "month"})
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert client.get(f"{base}/items/export/nothing.csv").status_code == 404
    assert client.get(f"{base}/items/export/items.exe").status_code == 404
    assert client.get(f"{base}/nowhere/export/items.csv").status_code == 404


def test_items_are_sorted_from_the_worst_gap(client: TestClient, demo: Campaign) -> None:
    response = client.get(f"/manager/campaigns/{demo.id}/items/export/items.csv?lang=en")
    rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    gaps = [float(row["Gap"]) for row in rows if row["Gap"]]
    assert gaps == sorted(gaps)
    assert len(rows) == 22


def test_language_filter_narrows_to_customers_of_that_language(
    client: TestClient, session: Session, demo: Campaign, whole_demo: dict[str, str]
) -> None:
    assert demo.id is not None
    base = f"/manager/campaigns/{demo.id}/overview/export/gaps.csv"
    params = {**whole_demo, "lang": "en"}
    everyone = list(csv.DictReader(io.StringIO(client.get(base, params=params).text[1:])))
    english = list(
        csv.DictReader(io.StringIO(client.get(base, params={**params, "language": "en"}).text[1:]))
    )
    assert 0 < int(english[0]["Respondents"]) < int(everyone[0]["Respondents"])


def test_manager_language_formats_months(client: TestClient, demo: Campaign) -> None:
    url = page_url(demo, "overview")
    params = {"first_month": "2026-09", "last_month": "2026-09"}
    assert "2026年9月" in client.get(url, params={**params, "lang": "zh_Hans"}).text
    assert "Sep 2026" in client.get(url, params={**params, "lang": "en"}).text


def test_language_links_keep_the_filters(client: TestClient, demo: Campaign) -> None:
    html = client.get(page_url(demo, "items"), params={"first_month": "2026-09"}).text
    switch = [link for link in parse(html).links if "lang=en" in link]
    assert switch and "first_month=2026-09" in switch[0]
    assert switch[0].startswith(f"/manager/campaigns/{demo.id}/items")


def test_supervisor_and_anonymous_cannot_open_the_dashboard(
    client: TestClient, session: Session, demo: Campaign, clock: FixedClock
) -> None:
    add_user(session, clock, "zhou", Role.supervisor, [demo.organisation_id])
    client.cookies.clear()
    json_headers = {"accept": "application/json"}
    assert client.get(page_url(demo, "overview"), headers=json_headers).status_code == 401
    log_in(client, "zhou")
    assert client.get(page_url(demo, "overview"), headers=json_headers).status_code == 403


def test_dashboard_entry_redirects_to_the_newest_campaign(
    client: TestClient, demo: Campaign
) -> None:
    response = client.get("/manager/dashboard", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/manager/campaigns/{demo.id}"
    chosen = client.get(
        "/manager/dashboard", params={"campaign": demo.id, "page": "trends"}, follow_redirects=False
    )
    assert chosen.headers["location"] == f"/manager/campaigns/{demo.id}/trends"
    assert client.get("/manager/dashboard", params={"campaign": 999_999}).status_code == 404


def test_week_trend_of_a_counter_falls_back_to_months(
    client: TestClient, session: Session, demo: Campaign
) -> None:
    counter = session.exec(select(Counter)).first()
    assert counter is not None
    html = client.get(
        page_url(demo, "trends"), params={"counter": counter.id, "grain": "week", "lang": "en"}
    ).text
    assert "Weekly figures are kept for whole sites only" in html


def test_default_period_is_three_whole_months_to_this_one() -> None:
    period = default_period(date(2026, 11, 25), 3)
    assert period == Period(date(2026, 9, 1), date(2026, 12, 1))
    assert period.months == 3
    assert period.previous() == Period(date(2026, 6, 1), date(2026, 9, 1))
    across_new_year = default_period(date(2026, 2, 3), 3).previous()
    assert across_new_year == Period(date(2025, 9, 1), date(2025, 12, 1))


@pytest.mark.parametrize("mode", [CampaignMode.three_column, CampaignMode.perception_only])
def test_other_campaign_modes_show_their_own_gap_chart(
    client: TestClient, session: Session, clock: FixedClock, mode: CampaignMode
) -> None:
    """Three-column campaigns draw the zone of tolerance (minimum to desired, perception
    marked); perception-only campaigns draw perceptions without any expectation or gap."""
    place = make_place(session, now=clock() - timedelta(days=20), slug="modes", mode=mode)
    rng = random.Random(11)
    for _ in range(40):
        answer_randomly(session, place, rng, now=clock() - timedelta(days=2))
    add_user(session, clock, "chen", Role.manager, [place.organisation.id or 0])
    log_in(client, "chen")
    for page in PAGES:
        assert client.get(page_url(place.campaign, page)).status_code == 200, page
    export = f"/manager/campaigns/{place.campaign.id}/overview/export/gaps.csv?lang=en"
    heading = next(csv.reader(io.StringIO(client.get(export).text.lstrip("\ufeff"))))
    if mode == CampaignMode.three_column:
        assert {"Minimum", "Desired", "Perception", "Adequacy gap"} <= set(heading)
        html = client.get(page_url(place.campaign, "overview"), params={"lang": "en"}).text
        spec = parse(html).specs[0]
        assert "Zone of tolerance" in json.dumps(spec)
    else:
        assert "Expectation" not in heading and "Gap" not in heading
        assert "Perception" in heading


def test_comments_download_holds_every_matching_comment_not_one_page(
    client: TestClient, session: Session, demo: Campaign, whole_demo: dict[str, str]
) -> None:
    """The page shows 25 comments and a link to older ones; the CSV has all of them."""
    params = {**whole_demo, "lang": "en"}
    html = client.get(page_url(demo, "comments"), params=params).text
    assert 'rel="next"' in html
    export = f"/manager/campaigns/{demo.id}/comments/export/comments.csv"
    rows = list(csv.DictReader(io.StringIO(client.get(export, params=params).text[1:])))
    stored = session.exec(
        select(func.count())
        .select_from(SurveyResponse)
        .where(SurveyResponse.comment != "", SurveyResponse.campaign_id == demo.id)
    ).one()
    assert len(rows) == stored > 25
    waiting = [row for row in rows if "排队" in row["Comment"]]
    searched = client.get(export, params={**params, "q": "排队"}).text[1:]
    assert len(list(csv.DictReader(io.StringIO(searched)))) == len(waiting) > 0


def test_a_period_without_answers_says_so_on_every_page(client: TestClient, demo: Campaign) -> None:
    """Months before the campaign: every page still answers, with nothing made up."""
    params = {"first_month": "2020-01", "last_month": "2020-03", "lang": "en"}
    for page in PAGES:
        response = client.get(page_url(demo, page), params=params)
        assert response.status_code == 200, page
    overview = client.get(page_url(demo, "overview"), params=params).text
    assert "No answers in this selection." in overview
    for name in ("gaps.csv", "gaps.svg", "ranking-site.png"):
        export = f"/manager/campaigns/{demo.id}/overview/export/{name}"
        assert client.get(export, params=params).status_code == 200, name


def test_dimension_trend_charts_name_their_axis_by_what_they_show(
    client: TestClient, demo: Campaign
) -> None:
    """The index chart's axis is the index; a dimension's chart shows its gap."""
    html = client.get(page_url(demo, "trends"), params={"lang": "en"}).text
    specs = {json.dumps(spec) for spec in parse(html).specs}
    titles = [spec for spec in specs if '"title": "Gap"' in spec]
    assert len(titles) == 5
    assert sum('"title": "Satisfaction index"' in spec for spec in specs) == 1


def test_a_clerks_failed_inspections_take_one_star_off(
    client: TestClient,
    session: Session,
    demo: Campaign,
    clock: FixedClock,
    whole_demo: dict[str, str],
) -> None:
    """Rule version 2 on the clerk's page: a clerk rated with no inspection penalty gets
    one star less once two inspections in the period found every checked item failed
    (compliance far below 90 %), and the page says why."""
    from survey.models import CheckOutcome, Inspection, InspectionKind, InspectionResult, User
    from survey.supervision.checklists import current_checklist

    base = page_url(demo, "overview") + "?lang=en&" + urlencode(whole_demo)
    stars_of = re.compile(r'aria-label="(\d) of 5 stars"')
    chosen = None
    for clerk in session.exec(select(StaffMember)).all():
        html = client.get(f"{base}&staff={clerk.id}").text
        found = stars_of.search(html)
        if found and int(found.group(1)) >= 2 and "one star less" not in html:
            chosen, before = clerk, int(found.group(1))
            break
    assert chosen is not None, "the demo has a rated clerk without an inspection penalty"
    checklist = current_checklist(session, demo.organisation_id)
    supervisor = session.exec(select(User).where(User.username == "supervisor")).one()
    for days_ago in (3, 4):
        day = local_day(clock()) - timedelta(days=days_ago)
        inspection = Inspection(
            organisation_id=demo.organisation_id,
            checklist_id=checklist.id,
            kind=InspectionKind.secret_check,
            site_id=chosen.site_id,
            staff_member_id=chosen.id,
            inspected_at=at(day, "10:00"),
            filed_at=at(day, "11:00"),
            filed_by_user_id=supervisor.id or 0,
            submission_key=f"penalty-{days_ago}",
        )
        session.add(inspection)
        session.flush()
        for item in checklist.items:
            session.add(
                InspectionResult(
                    inspection_id=inspection.id or 0, item_id=item.id, outcome=CheckOutcome.failed
                )
            )
    session.commit()
    html = client.get(f"{base}&staff={chosen.id}").text
    after = stars_of.search(html)
    assert after is not None and int(after.group(1)) == before - 1
    assert "Below 90%, so one star less." in html


def test_the_first_days_of_a_month_raise_no_alert(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    """On Wed 2 Dec 2026 the demo's December holds two days of answers (10 of them). Judged
    as a whole month, its index falls below the lower control limit of the monthly chart;
    while it is running on fewer than 30 answers it is drawn as "so far", not judged, and
    raises no alert. Once December is over (read on 15 Jan 2027) the same answers do raise
    one, so the quiet is the running month's, not the data's."""
    from survey.demo.seed import seed_demo

    clock.now = at("2026-12-02", "10:30")
    demo = seed_demo(session, now=clock(), n_responses=2000, salt="salt", evaluation=False)
    add_user(session, clock, "wang", Role.manager, [demo.organisation_id])
    assert log_in(client, "wang") == 303
    url = f"/manager/campaigns/{demo.campaign_id}?lang=en"
    html = client.get(url).text
    alerts = re.findall(r'<p class="alert[^"]*">(.*?)</p>', html)
    assert not [alert for alert in alerts if "Dec 2026" in alert]
    row = re.search(r"<tr[^>]*>\s*<td>Dec 2026 \(so far\)</td>(.*?)</tr>", html, re.S)
    assert row is not None and "Not judged yet" in row.group(1)

    clock.now = at("2027-01-15", "10:30")
    assert log_in(client, "wang") == 303  # the login of December has expired
    later = client.get(url + "&first_month=2026-10&last_month=2026-12").text
    alerts = re.findall(r'<p class="alert[^"]*">(.*?)</p>', later)
    december = [a for a in alerts if "Dec 2026" in a and "beyond the control limits" in a]
    assert december and all("10 respondents" in alert for alert in december)  # n shown
    assert "(so far)" not in later


def test_every_dashboard_page_is_an_explicit_route(client: TestClient) -> None:
    """Each page has its own handler, named after it, at a path grep can find."""
    app = client.app
    for page in PAGES:
        suffix = "" if page == "overview" else f"/{page}"
        path = app.url_path_for(f"show_dashboard_{page}", campaign_id="7")  # type: ignore[attr-defined]
        assert path == "/manager/campaigns/7" + suffix
