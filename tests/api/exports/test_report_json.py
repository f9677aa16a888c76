"""A campaign's report and answer export over HTTP, scoped to the reader's organisations."""

import csv
import io

from fastapi.testclient import TestClient
from sqlmodel import Session

from api.exports.report_json import report_json
from survey.models import Role
from survey.stats.reports import Scope, scope_report
from tests.factories import FixedClock, make_place
from tests.web import add_user, demo_with_manager, log_in

JSON = {"accept": "application/json"}


def test_manager_gets_the_campaign_report_as_json(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    """The endpoint returns the report of every stored response, as the use case computes it."""
    campaign = demo_with_manager(session, clock)
    assert campaign.id is not None
    assert log_in(client, "wang") == 303
    response = client.get(f"/manager/campaigns/{campaign.id}/report.json", headers=JSON)
    assert response.status_code == 200
    body = response.json()
    assert body["n_respondents"] == 300
    expected = report_json(scope_report(session, Scope(campaign.id, (campaign.organisation_id,))))
    assert body["index"]["value"] == expected["index"]["value"]
    assert set(body["dimensions"]) == {
        "tangibles",
        "reliability",
        "responsiveness",
        "assurance",
        "empathy",
    }


def test_report_of_one_site_and_bad_parameters(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    """?site= narrows the report; a min_n of 0 or a wrong type is a 422, not a 500."""
    campaign = demo_with_manager(session, clock)
    log_in(client, "wang")
    url = f"/manager/campaigns/{campaign.id}/report.json"
    export = client.get(f"/manager/campaigns/{campaign.id}/responses.csv").text
    rows = list(csv.DictReader(io.StringIO(export)))
    site = rows[0]["site"]
    narrowed = client.get(url, params={"site": site}, headers=JSON).json()
    assert narrowed["n_respondents"] == sum(1 for row in rows if row["site"] == site) < 300
    assert client.get(url, params={"min_n": 0}, headers=JSON).status_code == 422
    assert client.get(url, params={"site": "east"}, headers=JSON).status_code == 422
    assert client.get(url, params={"missing": "mean"}, headers=JSON).status_code == 422
    assert client.get(url, params={"last_month": "9999-12"}, headers=JSON).status_code == 422


def test_export_is_a_wide_csv_without_comments_or_hashes(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    """The export has one row per response, E/P columns per item and no personal traces."""
    campaign = demo_with_manager(session, clock)
    log_in(client, "wang")
    response = client.get(f"/manager/campaigns/{campaign.id}/responses.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 300
    assert {"E1", "P22", "overall", "W_empathy"} <= set(rows[0])
    assert not {"comment", "device_hash", "client_hash"} & set(rows[0])


def test_campaign_of_another_organisation_is_404_and_shows_nothing(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    """A manager of organisation B asking for A's campaign gets 404 (not 403: no hint that
    it exists), for the report and for the export."""
    campaign = demo_with_manager(session, clock)
    other = make_place(session, now=clock(), slug="org-b")
    assert other.organisation.id is not None
    add_user(session, clock, "li", Role.manager, [other.organisation.id])
    log_in(client, "li")
    report = client.get(f"/manager/campaigns/{campaign.id}/report.json", headers=JSON)
    assert report.status_code == 404
    assert "n_respondents" not in report.text
    export = client.get(f"/manager/campaigns/{campaign.id}/responses.csv", headers=JSON)
    assert export.status_code == 404


def test_a_place_of_another_organisation_in_the_filters_is_404(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    """Own campaign, another organisation's hall, counter or clerk in ``?site=``,
    ``?counter=`` or ``?staff=``: 404, as the README promises, not an empty report that
    tells the caller the id exists."""
    mine = make_place(session, now=clock(), slug="org-a")
    other = make_place(session, now=clock(), slug="org-b")
    add_user(session, clock, "li", Role.manager, [mine.organisation.id or 0])
    log_in(client, "li")
    base = f"/manager/campaigns/{mine.campaign.id}"
    foreign = {"site": other.site.id, "counter": other.counter.id, "staff": other.staff.id}
    for name, value in foreign.items():
        for path in ("report.json", "responses.csv"):
            response = client.get(f"{base}/{path}", params={name: value}, headers=JSON)
            assert response.status_code == 404, (path, name)
    own = client.get(f"{base}/report.json", params={"site": mine.site.id}, headers=JSON)
    assert own.status_code == 200


def test_supervisor_may_not_read_reports_and_strangers_must_log_in(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    """Reports are for managers and admins: 401 without login, 403 for a supervisor
    (a regulator reads its own pages, :mod:`tests.api.regulator`)."""
    campaign = demo_with_manager(session, clock)
    url = f"/manager/campaigns/{campaign.id}/report.json"
    assert client.get(url, headers=JSON).status_code == 401
    add_user(session, clock, "zhou", Role.supervisor, [campaign.organisation_id])
    log_in(client, "zhou")
    assert client.get(url, headers=JSON).status_code == 403


def test_export_periods_are_local_months_and_a_bad_period_is_422(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    """Periods default to the month in the configured time zone (Asia/Shanghai); an
    unknown ?period= is a 422."""
    campaign = demo_with_manager(session, clock)
    log_in(client, "wang")
    url = f"/manager/campaigns/{campaign.id}/responses.csv"
    rows = list(csv.DictReader(io.StringIO(client.get(url).text)))
    assert all(len(row["period"]) == 7 and row["period"][4] == "-" for row in rows)
    weekly = list(csv.DictReader(io.StringIO(client.get(url, params={"period": "week"}).text)))
    assert all("-W" in row["period"] for row in weekly)
    assert client.get(url, params={"period": "year"}, headers=JSON).status_code == 422


def test_breakdowns_trend_and_date_range(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    """?by= adds a report per site/counter whose counts add up to the whole; the trend has
    one point per month; first_month/last_month keep only those months; a counter's report
    has no alpha (cross-products are kept per site) and no daily trend (422)."""
    campaign = demo_with_manager(session, clock)
    log_in(client, "wang")
    url = f"/manager/campaigns/{campaign.id}/report.json"
    body = client.get(url, params=[("by", "site"), ("by", "counter")], headers=JSON).json()
    sites, counters = body["groups"]["site"], body["groups"]["counter"]
    assert sum(g["n_respondents"] for g in sites.values()) == 300
    assert sum(g["n_respondents"] for g in counters.values()) == 300
    ranking = body["rankings"]["counter"]
    assert {u["unit"] for u in ranking["units"]} == set(counters)
    ranked = [u for u in ranking["units"] if u["rank"] is not None]
    assert [u["rank"] for u in ranked] == sorted(u["rank"] for u in ranked)
    assert all(u["n"] >= ranking["min_n"] for u in ranked)
    assert all(u["rank"] is None for u in ranking["units"] if u["n"] < ranking["min_n"])
    counter_report = next(iter(counters.values()))
    assert counter_report["dimensions"]["empathy"]["alpha"]["perception"] is None
    assert next(iter(sites.values()))["dimensions"]["empathy"]["alpha"]["perception"] is not None
    months = [p["period"] for p in body["trend"]["periods"]]
    assert months == sorted(months) and len(months) >= 6
    assert sum(p["n"] for p in body["trend"]["periods"]) == 300

    first, second = months[1], months[2]
    ranged = client.get(
        url, params={"first_month": first, "last_month": second}, headers=JSON
    ).json()
    in_months = sum(p["n"] for p in body["trend"]["periods"] if p["period"] in (first, second))
    assert ranged["n_respondents"] == in_months
    assert [p["period"] for p in ranged["trend"]["periods"]] == [first, second]
    monthly = client.get(url, params={"by": "month"}, headers=JSON).json()["groups"]["month"]
    assert sorted(monthly) == [m for m in months if monthly.get(m)]
    assert {m: g["n_respondents"] for m, g in monthly.items()} == {
        p["period"]: p["n"] for p in body["trend"]["periods"] if p["n"]
    }
    weekly = client.get(url, params={"trend": "week"}, headers=JSON).json()
    assert all("-W" in p["period"] for p in weekly["trend"]["periods"])
    assert sum(p["n"] for p in weekly["trend"]["periods"]) == 300
    counter_id = next(iter(counters))
    daily_counter = client.get(url, params={"counter": counter_id, "trend": "day"}, headers=JSON)
    assert daily_counter.status_code == 422
    assert "day rows exist for sites only" in daily_counter.text


def test_bad_report_parameters_are_422_not_500(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    """An impossible range, a non-date, an unknown breakdown or trend: 422 with a message."""
    campaign = demo_with_manager(session, clock)
    log_in(client, "wang")
    url = f"/manager/campaigns/{campaign.id}/report.json"
    for params in (
        {"first_month": "2026-05", "last_month": "2026-04"},
        {"first_month": "2026-13"},
        {"last_month": "yesterday"},
        {"by": "region"},
        {"trend": "year"},
    ):
        response = client.get(url, params=params, headers=JSON)
        assert response.status_code == 422, params
