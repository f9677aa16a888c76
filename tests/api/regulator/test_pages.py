"""The regulator's pages: only an authority's accounts reach them, another authority's
evaluation is a 404, the comparison shows aggregates of at least the minimum n and
nothing of clerks or comments, and a new evaluation starts a campaign in every operator
of the authority (and only there)."""

import importlib
import pkgutil
import re

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlmodel import Session, select

import api.regulator
from survey.models import Campaign, Evaluation
from tests.api.regulator.conftest import SECRET_COMMENT, Setting
from tests.web import csrf_of, log_in

REGULATOR_MODULES = [
    module
    for info in pkgutil.iter_modules(api.regulator.__path__)
    if hasattr(module := importlib.import_module(f"api.regulator.{info.name}"), "router")
]


def table_rows(html: str, name: str) -> list[tuple[str, str]]:
    """Each body row of a data table: its class and its cells' text, single-spaced."""
    table = html[html.index(f'id="table-{name}"') :]
    body = table[table.index("<tbody>") : table.index("</tbody>")]
    return [
        (css, " ".join(re.sub(r"<[^>]+>", " ", cells).split()))
        for css, cells in re.findall(r'<tr class="([^"]*)">(.*?)</tr>', body, flags=re.DOTALL)
    ]


def regulator_routes() -> list[tuple[str, str]]:
    routes = [
        (method, route.path)
        for module in REGULATOR_MODULES
        for route in module.router.routes
        if isinstance(route, APIRoute)
        for method in sorted(route.methods or ())
    ]
    assert len(routes) >= 10
    return routes


def concrete(path: str, setting: Setting) -> str:
    """The route with ids filled in (any publication: roles are refused before lookups)."""
    ids = {"evaluation_id": setting.evaluation.id, "publication_id": 1, "token_id": 1}
    return re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), path)


def test_nobody_but_a_regulator_reaches_a_regulator_route(
    client: TestClient, setting: Setting
) -> None:
    """Pages: login first (303/401), then 403 for managers and supervisors. ``/api/v1``
    takes no login at all, only a token: 401 for everybody here (its own tests)."""
    for method, path in regulator_routes():
        response = client.request(method, concrete(path, setting), follow_redirects=False)
        assert response.status_code in (303, 401), (method, path, response.status_code)
    for username in ("wang", "sun"):
        assert log_in(client, username) == 303
        token = csrf_of(client.get("/account").text)
        for method, path in regulator_routes():
            response = client.request(
                method,
                concrete(path, setting),
                data={"csrf_token": token} if method == "POST" else None,
                follow_redirects=False,
            )
            wanted = 401 if path.startswith("/api/v1/") else 403
            assert response.status_code == wanted, (username, method, path, response.status_code)


def test_another_authoritys_evaluation_is_not_found(client: TestClient, setting: Setting) -> None:
    log_in(client, "other")
    page = client.get(f"/regulator/evaluations/{setting.evaluation.id}")
    assert page.status_code == 404
    home = client.get("/regulator").text
    assert "Q4 evaluation" not in home and "Org op-a" not in home and "Org op-c" in home


def test_the_comparison_shows_aggregates_above_the_minimum_and_nothing_personal(
    client: TestClient, setting: Setting
) -> None:
    log_in(client, "miit")
    page = client.get(f"/regulator/evaluations/{setting.evaluation.id}?lang=en")
    assert page.status_code == 200
    html = page.text
    rows = table_rows(html, "operators")
    # 35 respondents answering 5, 6, 7, 5, 6, … on 1–7: m̄ = (12·5 + 12·6 + 11·7) / 35
    # = 5.9714, index (5.9714 − 1) / 6 × 100 = 82.86.
    assert rows[0][1].startswith("1 Org op-a 35 82.9 ")
    assert "muted-row" in rows[1][0]
    assert rows[1][1] == "— Org op-b 5 — — — —"  # under 30 respondents: its n only
    assert "Questionnaire: servqual-counter v1" in html and "mean_perception v1" in html
    assert SECRET_COMMENT not in html and "李娜" not in html
    assert "Org op-c" not in html


def test_a_lower_minimum_shows_the_small_operator_and_bad_filters_are_422(
    client: TestClient, setting: Setting
) -> None:
    log_in(client, "miit")
    url = f"/regulator/evaluations/{setting.evaluation.id}"
    html = client.get(url, params={"min_n": "5", "lang": "en"}).text
    assert re.search(
        r"Org op-b\s*</td>\s*<td class=\"num\">\s*5\s*</td>\s*<td class=\"num\">\s*\d", html
    )
    for params in ({"min_n": "0"}, {"min_n": "x"}, {"first_month": "2026-13"}):
        assert client.get(url, params=params).status_code == 422, params


def test_a_new_evaluation_runs_in_every_operator_of_the_authority_only(
    client: TestClient, session: Session, setting: Setting
) -> None:
    log_in(client, "miit")
    home = client.get("/regulator?lang=en")
    form = {
        "csrf_token": csrf_of(home.text),
        "name": "2027 evaluation",
        "instrument": re.search(r'name="instrument"[^>]*>\s*<option value="(\d+)"', home.text)[1],  # type: ignore[index]
        "mode": "perception_only",
        "starts_on": "2027-01-01",
        "ends_on": "2026-12-31",
        "answers_per_hall": "50",
    }
    refused = client.post("/regulator/evaluations?lang=en", data=form)
    assert refused.status_code == 422
    assert "The campaign ends before it starts." in refused.text
    assert 'value="2027 evaluation"' in refused.text
    form["ends_on"] = "2027-03-31"
    made = client.post("/regulator/evaluations", data=form, follow_redirects=False)
    assert made.status_code == 303
    session.rollback()
    evaluation = session.exec(select(Evaluation).where(Evaluation.name == "2027 evaluation")).one()
    assert made.headers["location"] == f"/regulator/evaluations/{evaluation.id}"
    campaigns = session.exec(select(Campaign).where(Campaign.evaluation_id == evaluation.id)).all()
    assert {c.organisation_id for c in campaigns} == {
        setting.a.organisation.id,
        setting.b.organisation.id,
    }
    assert all(c.mode.value == "perception_only" and not c.ask_importance for c in campaigns)
    page = client.get(made.headers["location"])
    assert page.status_code == 200 and "2027 evaluation" in page.text
