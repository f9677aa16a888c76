"""Browser fixtures: the real app served by uvicorn on a free port, and headless Chromium.

The server runs in a background thread on the test's scratch database (``engine`` and
``settings`` from ``tests/conftest.py``) with the test's ``clock``, so what the browser
submits can be read back from the database and no page depends on the day the suite runs.
Chromium is Debian's ``/usr/bin/chromium`` driven by the sync Playwright API; one browser
serves the whole run, each test gets fresh contexts.
"""

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Playwright, sync_playwright
from sqlalchemy import Engine

from api.app import create_app
from api.settings import Settings
from tests.factories import FixedClock

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
STARTUP_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class LiveServer:
    """The address of the running app."""

    url: str


@pytest.fixture
def live_server(settings: Settings, engine: Engine, clock: FixedClock) -> Iterator[LiveServer]:
    """The real app on ``http://127.0.0.1:<free port>``, stopped before the tables are emptied."""
    app = create_app(settings, engine=engine, clock=clock)
    # Bind the socket here and hand it to uvicorn: no window for another process to take it.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app=app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        ws="none",
        lifespan="off",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="uvicorn", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            pytest.fail("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield LiveServer(url=f"http://127.0.0.1:{port}")
    finally:
        server.should_exit = True
        thread.join(timeout=STARTUP_TIMEOUT_SECONDS)
        sock.close()
        assert not thread.is_alive(), "uvicorn did not stop"


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        if os.environ.get("MANYI_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is not installed (make test installs Debian's chromium)")
        pytest.skip(f"{CHROMIUM} is not installed")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """One headless Chromium for the whole run."""
    chromium = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield chromium
    chromium.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """Where full-page screenshots go (git-ignored)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS
