"""``/api/v1`` as a regulator's program uses it: a token made on the tokens page (its
secret shown once, stored hashed) pulls the same indices the evaluation page shows;
scopes, revocation and expiry are enforced, another authority's data is a 404, and ETag,
CSV and paging work."""

import re

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from survey.cases.worktime import SHANGHAI
from survey.models import ApiToken
from survey.places.changes import committed
from survey.regulation.publications import advance, freeze, quarter_label
from survey.regulation.tokens import create_token
from tests.api.regulator.conftest import SECRET_COMMENT, Setting
from tests.api.regulator.test_pages import table_rows
from tests.factories import FixedClock, local_day
from tests.web import csrf_of, log_in


def make_token(client: TestClient, scopes: list[str], days: str = "30") -> str:
    """Make a token on the page as the regulator ``miit`` does; its secret."""
    token = csrf_of(client.get("/regulator/tokens").text)
    data = {"csrf_token": token, "name": "statistics system", "days": days}
    data |= {f"scope-{scope}": "1" for scope in scopes}
    page = client.post("/regulator/tokens", data=data)
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    match = re.search(r'<code class="secret">(mny_[^<]+)</code>', page.text)
    assert match
    return match[1]


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}", "Accept": "application/json"}


def test_a_program_pulls_the_same_indices_as_the_page(
    client: TestClient, session: Session, setting: Setting
) -> None:
    log_in(client, "miit")
    secret = make_token(client, ["indices"])
    session.rollback()
    stored = session.exec(select(ApiToken)).one()
    assert secret not in stored.token_hash and stored.scopes == "indices"
    page = client.get(f"/regulator/evaluations/{setting.evaluation.id}?lang=en").text
    client.cookies.clear()

    url = f"/api/v1/evaluations/{setting.evaluation.id}/indices"
    reply = client.get(url, headers=bearer(secret))
    assert reply.status_code == 200
    data = reply.json()
    first, second = data["operators"]
    assert (first["name"], first["n"], first["rank"]) == ("Org op-a", 35, 1)
    shown = table_rows(page, "operators")[0][1].split()
    assert f"{first['index']:.1f}" == shown[4] and f"{first['ci95'][0]:.1f}" == shown[5]
    assert set(second) == {"id", "name", "n"}  # 5 respondents: nothing but its n
    assert data["instrument"] == "servqual-counter v1" and data["method"] == "mean_perception v1"
    assert SECRET_COMMENT not in reply.text

    again = client.get(url, headers={**bearer(secret), "If-None-Match": reply.headers["etag"]})
    assert again.status_code == 304
    as_csv = client.get(url, headers={**bearer(secret), "Accept": "text/csv"})
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert as_csv.text.splitlines()[0].startswith("id,name,n,index,ci95")
    one = client.get(url, params={"operator": first["id"]}, headers=bearer(secret)).json()
    assert [row["name"] for row in one["operators"]] == ["Org op-a"]
    outside = setting.c.organisation.id
    assert client.get(url, params={"operator": outside}, headers=bearer(secret)).status_code == 404
    assert client.get("/api/v1/complaints", headers=bearer(secret)).status_code == 403
    session.rollback()
    assert session.exec(select(ApiToken)).one().last_used_at is not None


def test_no_token_a_wrong_one_a_revoked_one_and_an_expired_one_get_401(
    client: TestClient, session: Session, setting: Setting, clock: FixedClock
) -> None:
    url = "/api/v1/operators"
    assert client.get(url).status_code == 401
    assert client.get(url).headers["www-authenticate"].startswith("Bearer")
    assert client.get(url, headers=bearer("mny_not-a-real-token")).status_code == 401
    log_in(client, "miit")
    secret = make_token(client, ["indices", "complaints"])
    assert client.get(url, headers=bearer(secret)).status_code == 200
    assert client.get("/api/v1/complaints", headers=bearer(secret)).status_code == 200
    session.rollback()
    token = session.exec(select(ApiToken)).one()
    csrf = csrf_of(client.get("/regulator/tokens").text)
    revoked = client.post(f"/regulator/tokens/{token.id}/revoke?lang=en", data={"csrf_token": csrf})
    assert revoked.status_code == 200 and "Revoked" in client.get("/regulator/tokens?lang=en").text
    assert client.get(url, headers=bearer(secret)).status_code == 401

    made = committed(
        session,
        create_token,
        authority_id=setting.evaluation.authority_id,
        name="short",
        scopes=["indices"],
        days=1,
        user_id=None,
        now=clock(),
    )
    assert client.get(url, headers=bearer(made.secret)).status_code == 200
    clock.advance(days=1)
    assert client.get(url, headers=bearer(made.secret)).status_code == 401


def test_another_authoritys_token_sees_none_of_this_one(
    client: TestClient, session: Session, setting: Setting, clock: FixedClock
) -> None:
    log_in(client, "other")
    secret = make_token(client, ["indices", "complaints"])
    client.cookies.clear()
    evaluation = f"/api/v1/evaluations/{setting.evaluation.id}/indices"
    assert client.get(evaluation, headers=bearer(secret)).status_code == 404
    operators = client.get("/api/v1/operators", headers=bearer(secret)).json()["operators"]
    assert [row["name"] for row in operators] == ["Org op-c"]
    assert client.get("/api/v1/evaluations", headers=bearer(secret)).json() == {"evaluations": []}


def test_published_notices_are_paged_and_read_with_their_hash(
    client: TestClient, session: Session, setting: Setting, clock: FixedClock
) -> None:
    """Three published versions of a quarter, one a page; a draft is not served."""
    period = quarter_label(local_day(clock()))
    for number in range(4):
        notice = committed(
            session,
            freeze,
            authority_id=setting.evaluation.authority_id,
            evaluation_id=setting.evaluation.id or 0,
            period=period,
            user_id=None,
            now=clock(),
            timezone=SHANGHAI,
        )
        for _ in range(2 if number < 3 else 0):
            committed(session, advance, notice, user_id=None, now=clock())
    log_in(client, "miit")
    secret = make_token(client, ["indices"])
    listed = client.get("/api/v1/publications", params={"per_page": 1}, headers=bearer(secret))
    assert listed.json()["total"] == 3
    assert [(r["period"], r["version"]) for r in listed.json()["publications"]] == [(period, 3)]
    following = re.search(r"<([^>]+)>; rel=\"next\"", listed.headers["link"])
    assert following
    second = client.get(following[1], headers=bearer(secret)).json()["publications"]
    assert [r["version"] for r in second] == [2]
    row = listed.json()["publications"][0]
    document = client.get(f"/api/v1/publications/{row['id']}", headers=bearer(secret)).json()
    assert document["sha256"] == row["sha256"] and document["content"]["version"] == 3
    assert (
        client.get(f"/api/v1/publications/{notice.id}", headers=bearer(secret)).status_code == 404
    )
    bad = client.get("/api/v1/publications", params={"per_page": 0}, headers=bearer(secret))
    assert bad.status_code == 422
