"""Headers, logs, files and the API docs (issue 17, defect 9): what an outside test found
missing, each checked the way a browser, a log reader or a local user would meet it."""

import logging
import os
import re
import stat
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session

from api.access_log import loggable_path
from survey.db import make_engine
from survey.models import Role
from tests.factories import FixedClock, make_place
from tests.web import add_user, log_in


def test_every_page_refuses_framing_and_sniffing_and_staff_pages_are_not_stored(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    """A public page, a customer's survey page and a manager's page all forbid framing
    (CSP frame-ancestors and X-Frame-Options), MIME sniffing and cross-site referrers;
    the manager's page, which may hold complainants' text, is never stored."""
    place = make_place(session, now=clock())
    add_user(session, clock, "wang", Role.manager, [place.organisation.id or 0])
    log_in(client, "wang")
    for path in ("/", f"/s/{place.link.token}", "/manager/cases", "/login"):
        headers = client.get(path).headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"], path
        assert headers["x-frame-options"] == "DENY", path
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["referrer-policy"] == "same-origin", path
    assert client.get("/manager/cases").headers["cache-control"] == "no-store"
    assert "no-store" not in client.get("/").headers.get("cache-control", "")


def test_api_docs_need_a_login_and_load_nothing_from_elsewhere(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    """Signed out, the docs and the schema are refused; signed in, the docs page loads
    its script and stylesheet from this app (both served) and the schema lists /api/v1."""
    place = make_place(session, now=clock())
    assert client.get("/api/docs", follow_redirects=False).status_code in (303, 401)
    schema = client.get("/api/openapi.json", headers={"accept": "application/json"})
    assert schema.status_code == 401
    add_user(session, clock, "wang", Role.manager, [place.organisation.id or 0])
    log_in(client, "wang")
    page = client.get("/api/docs")
    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(s.startswith("/") or s.startswith("data:") for s in sources), sources
    for source in sources:
        if source.startswith("/"):
            assert client.get(source).status_code == 200, source
    assert "/api/v1/operators" in client.get("/api/openapi.json").json()["paths"]


def test_the_access_log_keeps_no_address_and_no_secret_link(
    client: TestClient, session: Session, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    """A request for a survey link with a rotating code's signature is logged as method,
    path without its token, status and time: no token, no signature, no address."""
    place = make_place(session, now=clock())
    with caplog.at_level(logging.INFO, logger="manyi.access"):
        client.get(f"/s/{place.link.token}?w=123&sig=abcdef0123456789")
    lines = [r.getMessage() for r in caplog.records if r.name == "manyi.access"]
    assert lines and lines[-1].startswith("GET /s/… 200 ")
    joined = "\n".join(lines)
    assert place.link.token not in joined and "abcdef0123456789" not in joined
    assert "testclient" not in joined
    assert loggable_path("/c/SECRET/confirm") == "/c/…/confirm"
    assert loggable_path("/manager/cases/12") == "/manager/cases/12"


def test_the_sqlite_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    """The database holds contacts and password hashes: whatever the umask, the file
    and its write-ahead log end up 0600 once the app has opened it."""
    path = tmp_path / "manyi.sqlite3"
    old = os.umask(0o022)
    try:
        engine = make_engine(f"sqlite:///{path}")
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE t (x INTEGER)"))
            connection.execute(text("INSERT INTO t VALUES (1)"))
        for file in (path, Path(f"{path}-wal")):
            if file.exists():
                assert stat.S_IMODE(file.stat().st_mode) == 0o600, file
        engine.dispose()
    finally:
        os.umask(old)
