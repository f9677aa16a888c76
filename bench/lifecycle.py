"""Benchmark of the lifecycle pages a manager opens every week, on the demo.

Run it from the repository root::

    .venv/bin/python bench/lifecycle.py                   # the demo with 2,000 answers
    .venv/bin/python bench/lifecycle.py --responses 20000 --requests 50

It seeds the demo (``manyi demo``'s code, on a SQLite file in a temporary folder, its
day fixed at 3 December 2026 10:30 in Shanghai so every run sees the same windows), signs
in as the demo manager through the app (FastAPI's test client: in process, no network),
and requests round-robin the services list, both services' pages, the actions list and
one action, with ``GET /healthz`` in the same rounds as the baseline. It prints each
page's median and 95th percentile and their ratio to the baseline's median, so a noisy
machine moves both alike. Every answer must be 200.
"""

import argparse
import re
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

ROOT = Path(__file__).resolve().parents[1]
# Run as a script, Python puts bench/ first on the path, where bench/analytics.py would
# hide the analytics package: look for packages from the repository root instead.
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]

from api.app import create_app  # noqa: E402
from api.database import upgrade_database  # noqa: E402
from api.settings import Settings  # noqa: E402
from survey.accounts import DEMO_PASSWORD  # noqa: E402
from survey.cases.worktime import SHANGHAI  # noqa: E402
from survey.db import make_engine  # noqa: E402
from survey.demo.seed import seed_demo  # noqa: E402
from survey.models import CorrectiveAction, Service  # noqa: E402

DAY = datetime(2026, 12, 3, 10, 30, tzinfo=SHANGHAI)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
        upgrade_database(engine)
        started = time.perf_counter()
        with Session(engine) as session:
            seed_demo(
                session,
                now=DAY,
                n_responses=args.responses,
                salt="bench",
                timezone=SHANGHAI,
                evaluation=False,
            )
        print(f"demo with {args.responses} answers seeded in {time.perf_counter() - started:.1f} s")
        settings = Settings(
            data_dir=Path(folder),
            secret_key="bench-secret-key-of-enough-length",  # noqa: S106 - a throwaway install
            base_url="http://testserver",
            demo_mode=True,
            _env_file=None,
        )
        app = create_app(settings, engine=engine, clock=lambda: DAY)
        with TestClient(app) as client, Session(engine) as session:
            login = client.get("/login").text
            match = re.search(r'name="csrf_token" value="([^"]+)"', login)
            assert match
            client.post(
                "/login",
                data={"username": "manager", "password": DEMO_PASSWORD, "csrf_token": match[1]},
            )
            services = session.exec(select(Service.id).order_by(col(Service.id))).all()
            action = session.exec(select(CorrectiveAction.id)).first()
            urls = [
                "/healthz",
                "/manager/services",
                *(f"/manager/services/{service}" for service in services),
                "/manager/actions",
                f"/manager/actions/{action}",
            ]
            times: dict[str, list[float]] = {url: [] for url in urls}
            for round_number in range(args.requests + 2):
                for url in urls:
                    begun = time.perf_counter()
                    response = client.get(url)
                    elapsed = (time.perf_counter() - begun) * 1000
                    assert response.status_code == 200, (url, response.status_code)
                    if round_number >= 2:  # two warm-up rounds
                        times[url].append(elapsed)
    baseline = statistics.median(times["/healthz"])
    print(f"{'page':34s} {'median':>9s} {'p95':>9s} {'× bare':>8s}")
    for url, samples in times.items():
        samples.sort()
        median = statistics.median(samples)
        p95 = samples[max(0, round(0.95 * len(samples)) - 1)]
        print(f"{url:34s} {median:7.1f}ms {p95:7.1f}ms {median / baseline:8.1f}")


if __name__ == "__main__":
    main()
