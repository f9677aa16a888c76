"""Benchmark of the SERVQUAL report at national scale: aggregates against raw answers.

Run it from the repository root::

    .venv/bin/python bench/analytics.py                       # 1,000,000 responses, SQLite
    .venv/bin/python bench/analytics.py --responses 100000    # a quicker look
    .venv/bin/python bench/analytics.py \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

What it does
------------
1. Makes a scratch database (a SQLite file in a temporary folder, or a scratch PostgreSQL
   database ``manyi_bench_<hex>`` dropped at the end), runs the real migrations, and
   generates ``--responses`` paired responses of the default 22-item questionnaire over
   one year: 20 sites of 5 counters with 2 clerks each, three languages, answers from a
   latent-mood model (so the dimensions hang together), 3 % blanks, 90 % with an overall
   rating, 70 % with a full importance allocation. Responses and answers are bulk-inserted
   (the generator is not timed).
2. Times four phases, each in its own process (so each has its own peak memory):

   * **(a) report**: the full report from the daily and monthly aggregates, as the app
     computes it: every dimension's expectation, perception and gap with CIs, Cronbach's
     alpha, stated and derived importance, IPA, the index, for the whole year and again
     per site and per month (33 reports), plus the monthly trend. Median of
     ``--repeat`` runs after one warm-up run.
   * **(b) rebuild**: ``manyi stats rebuild``: every aggregate row recomputed from the raw
     answers.
   * **(c) pandas**: the same report the obvious way: load every answer with
     ``pandas.read_sql``, pivot, and compute means, CIs, alpha, regression, per site and
     per month with pandas/numpy. Its numbers are checked against (a).
   * **(d) scan**: read every answer once and do nothing with it: the floor of anything
     that reads the raw answers.

3. Prints seconds, peak memory (max RSS of the phase's process, including the
   interpreter and libraries) and the ratios the targets are stated in: (a) under 200 ms,
   (b) at most 2 × (d), (c)/(a) at least 50, peak memory under 500 MB.
"""

import argparse
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import Engine, text
from sqlmodel import Session

ROOT = Path(__file__).resolve().parents[1]
# Run as a script, Python puts bench/ first on the path, where this file would hide the
# analytics package: look for packages from the repository root instead.
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]

from api.database import upgrade_database  # noqa: E402
from api.exports.report_json import analysis_json  # noqa: E402
from bench.submit import scratch_database  # noqa: E402
from survey.db import make_engine  # noqa: E402
from survey.places.campaigns import create_campaign  # noqa: E402
from survey.places.links import create_link  # noqa: E402
from survey.places.organisations import (  # noqa: E402
    create_counter,
    create_organisation,
    create_region,
    create_site,
    create_staff_member,
)
from survey.questionnaires.instruments import ensure_default_instrument, load_instrument  # noqa: E402
from survey.stats.aggregation import rebuild_stat_sums  # noqa: E402
from survey.stats.reports import Scope, scope_analysis  # noqa: E402

ZONE = ZoneInfo("Asia/Shanghai")
SITES, COUNTERS_PER_SITE, STAFF_PER_COUNTER = 20, 5, 2
LOCALES = ("zh_Hans", "en", "zh_Hant")
LOCALE_SHARES = (0.8, 0.12, 0.08)
CHUNK = 50_000


@dataclass(frozen=True)
class World:
    """What the generator made: the campaign and the ids the responses refer to."""

    campaign_id: int
    organisation_id: int
    instrument_id: int
    item_ids: list[int]
    item_dimensions: list[int]
    links: list[tuple[int, int, int, int]]  # link, site, counter, staff


def build_world(engine: Engine, first_day: date) -> World:
    """Organisation, 20 sites × 5 counters × 2 clerks, a one-year campaign, links."""
    now = datetime.combine(first_day, datetime.min.time(), tzinfo=UTC)
    with Session(engine) as session:
        instrument = ensure_default_instrument(session, now=now)
        organisation = create_organisation(session, name="Bench Telecom", slug="bench")
        assert organisation.id is not None and instrument.id is not None
        campaign = create_campaign(
            session,
            organisation_id=organisation.id,
            instrument_id=instrument.id,
            name="National year",
            starts_on=first_day,
            ends_on=first_day + timedelta(days=400),
            per_staff=True,
        )
        assert campaign.id is not None
        links: list[tuple[int, int, int, int]] = []
        for r in range(4):
            create_region(
                session, organisation_id=organisation.id, code=f"44{r:02d}00", name=f"R{r}"
            )
        for s in range(SITES):
            site = create_site(
                session,
                organisation_id=organisation.id,
                code=f"H{s:02d}",
                name=f"Hall {s:02d}",
                region_code=f"44{s % 4:02d}00",
            )
            assert site.id is not None
            for c in range(COUNTERS_PER_SITE):
                counter = create_counter(session, site_id=site.id, code=f"W{c}", name=f"W{c}")
                assert counter.id is not None
                for k in range(STAFF_PER_COUNTER):
                    clerk = create_staff_member(
                        session,
                        site_id=site.id,
                        job_number=f"B{s:02d}{c}{k}",
                        display_name=f"Clerk {s}-{c}-{k}",
                        counter_id=counter.id,
                    )
                    assert clerk.id is not None
                    link = create_link(
                        session,
                        campaign_id=campaign.id,
                        counter_id=counter.id,
                        staff_member_id=clerk.id,
                        now=now,
                    )
                    session.flush()
                    assert link.id is not None
                    links.append((link.id, site.id, counter.id, clerk.id))
        session.commit()
        spec = load_instrument(session, instrument.id)
        dimension_index = {code: i for i, code in enumerate(spec.dimension_codes)}
        return World(
            campaign_id=campaign.id,
            organisation_id=organisation.id,
            instrument_id=instrument.id,
            item_ids=[item.id for item in spec.items],
            item_dimensions=[dimension_index[item.dimension_code] for item in spec.items],
            links=links,
        )


def generate_chunk(
    rng: np.random.Generator, world: World, start: int, n: int, first_day: date, days: int
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Rows of ``n`` responses numbered from ``start``: responses, answers, importance."""
    k = len(world.item_ids)
    dims = np.array(world.item_dimensions)
    mood = rng.normal(size=(n, 5))
    site_effect = rng.normal(scale=0.3, size=(n, 1))
    p = np.clip(np.rint(4.9 + 1.0 * mood[:, dims] + site_effect + rng.normal(0, 0.8, (n, k))), 1, 7)
    e = np.clip(np.rint(5.9 + 0.5 * mood[:, dims] + rng.normal(0, 0.7, (n, k))), 1, 7)
    p[rng.random((n, k)) < 0.03] = np.nan
    e[rng.random((n, k)) < 0.03] = np.nan
    overall = np.clip(
        np.rint(3.2 + 0.5 * mood[:, 1] + 0.4 * mood[:, 2] + rng.normal(0, 0.5, n)), 1, 5
    )
    rated = rng.random(n) < 0.9
    link_index = rng.integers(0, len(world.links), n)
    locale_index = rng.choice(len(LOCALES), size=n, p=LOCALE_SHARES)
    seconds = rng.integers(0, days * 86400, n)
    base = datetime.combine(first_day, datetime.min.time(), tzinfo=ZONE).astimezone(UTC)
    responses = []
    for i in range(n):
        link, site, counter, staff = world.links[int(link_index[i])]
        rid = start + i
        responses.append(
            (
                rid,
                f"bench-{rid}",
                link,
                world.campaign_id,
                world.instrument_id,
                world.organisation_id,
                site,
                counter,
                staff,
                (base + timedelta(seconds=int(seconds[i]))).replace(tzinfo=None),
                LOCALES[int(locale_index[i])],
                int(overall[i]) if rated[i] else None,
                "",
                "bench",
                "bench",
            )
        )
    answers = []
    p_list, e_list = p.tolist(), e.tolist()
    for i in range(n):
        rid = start + i
        row_p, row_e = p_list[i], e_list[i]
        for j, item_id in enumerate(world.item_ids):
            pv, ev = row_p[j], row_e[j]
            answers.append(
                (rid, item_id, None if ev != ev else int(ev), None if pv != pv else int(pv))
            )
    importance = []
    allocated = rng.random(n) < 0.7
    weights = rng.dirichlet(np.ones(5) * 4, size=n)
    points = np.floor(weights * 100).astype(int)
    points[:, 1] += 100 - points.sum(axis=1)
    codes = ("tangibles", "reliability", "responsiveness", "assurance", "empathy")
    for i in np.flatnonzero(allocated).tolist():
        for d, code in enumerate(codes):
            importance.append((start + i, code, int(points[i, d])))
    return responses, answers, importance


RESPONSE_COLUMNS = (
    "id, submission_key, link_id, campaign_id, instrument_id, organisation_id, site_id, "
    "counter_id, staff_member_id, submitted_at, locale, overall, comment, device_hash, "
    "client_hash"
)


def insert_generated(engine: Engine, world: World, n_responses: int, first_day: date) -> None:
    """Bulk-insert the responses: executemany on SQLite, COPY on PostgreSQL."""
    rng = np.random.default_rng(2026)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        postgres = engine.dialect.name == "postgresql"
        if not postgres:
            cursor.execute("PRAGMA synchronous=OFF")
        for start in range(1, n_responses + 1, CHUNK):
            n = min(CHUNK, n_responses + 1 - start)
            responses, answers, importance = generate_chunk(rng, world, start, n, first_day, 365)
            if postgres:
                _copy(cursor, f"survey_responses ({RESPONSE_COLUMNS})", responses)
                _copy(
                    cursor,
                    "response_answers (response_id, item_id, expectation, perception)",
                    answers,
                )
                _copy(
                    cursor, "response_importance (response_id, dimension_code, points)", importance
                )
            else:
                cursor.executemany(
                    f"INSERT INTO survey_responses ({RESPONSE_COLUMNS}) "  # noqa: S608 - constant
                    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    [(*r[:9], f"{r[9]:%Y-%m-%d %H:%M:%S.%f}", *r[10:]) for r in responses],
                )
                cursor.executemany(
                    "INSERT INTO response_answers (response_id, item_id, expectation, perception)"
                    " VALUES (?,?,?,?)",
                    answers,
                )
                cursor.executemany(
                    "INSERT INTO response_importance (response_id, dimension_code, points) "
                    "VALUES (?,?,?)",
                    importance,
                )
            raw.commit()
            print(f"  generated {start + n - 1:,} responses", file=sys.stderr, flush=True)
        if postgres:
            cursor.execute("ANALYZE")
            raw.commit()
    finally:
        raw.close()


def _copy(cursor: Any, target: str, rows: list[tuple[Any, ...]]) -> None:
    def cell(value: Any) -> str:
        if value is None:
            return "\\N"
        if isinstance(value, datetime):
            return value.replace(tzinfo=UTC).isoformat()
        return str(value)

    with cursor.copy(f"COPY {target} FROM STDIN") as copy:
        copy.write("".join("\t".join(cell(v) for v in row) + "\n" for row in rows))


# --- the timed phases (each runs in its own process) --------------------------------------


def peak_mb() -> float:
    """This process's peak resident memory (VmHWM). Not ru_maxrss: Linux keeps that across
    exec, so a phase would report the generator's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def phase_report(url: str, campaign_id: int, organisation_id: int, repeat: int) -> dict[str, Any]:
    """(a) the full report from the aggregates, as the app computes it."""
    engine = make_engine(url)
    scope = Scope(campaign_id=campaign_id, organisation_ids=(organisation_id,))
    times = []
    result: dict[str, Any] = {}
    for _ in range(repeat + 1):
        with Session(engine) as session:
            started = time.perf_counter()
            analysis = scope_analysis(session, scope, by=("site", "month"), trend="month")
            result = analysis_json(analysis)
            times.append(time.perf_counter() - started)
    return {
        "seconds": statistics.median(times[1:]),
        "first_seconds": times[0],
        "all_seconds": times,
        "peak_mb": peak_mb(),
        "reports": 1 + len(result["groups"]["site"]) + len(result["groups"]["month"]),
        "summary": summarise(result),
    }


def phase_rebuild(url: str) -> dict[str, Any]:
    """(b) every aggregate row recomputed from the raw answers."""
    engine = make_engine(url)
    with Session(engine) as session:
        started = time.perf_counter()
        summary = rebuild_stat_sums(session, timezone=ZONE)
        seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "peak_mb": peak_mb(),
        "rows": summary.rows,
        "responses": summary.responses,
    }


def phase_scan(url: str) -> dict[str, Any]:
    """(d) read every answer once."""
    engine = make_engine(url)
    started = time.perf_counter()
    count = 0
    with engine.connect().execution_options(stream_results=True, yield_per=CHUNK) as connection:
        result = connection.exec_driver_sql(
            "SELECT response_id, item_id, expectation, perception FROM response_answers"
        )
        for partition in result.partitions(CHUNK):
            count += len(partition)
    return {"seconds": time.perf_counter() - started, "peak_mb": peak_mb(), "answers": count}


def phase_pandas(url: str, campaign_id: int) -> dict[str, Any]:
    """(c) the same report from every answer, with pandas."""
    import pandas as pd

    engine = make_engine(url)
    started = time.perf_counter()
    with engine.connect() as connection:
        answers = pd.read_sql(
            text(
                "SELECT a.response_id, a.item_id, a.expectation, a.perception "
                "FROM response_answers a JOIN survey_responses r ON r.id = a.response_id "
                "WHERE r.campaign_id = :campaign"
            ),
            connection,
            params={"campaign": campaign_id},
        )
        responses = pd.read_sql(
            text(
                "SELECT id AS response_id, site_id, submitted_at, overall "
                "FROM survey_responses WHERE campaign_id = :campaign"
            ),
            connection,
            params={"campaign": campaign_id},
        ).set_index("response_id")
        importance = pd.read_sql(
            text(
                "SELECT i.response_id, i.dimension_code, i.points FROM response_importance i "
                "JOIN survey_responses r ON r.id = i.response_id WHERE r.campaign_id = :campaign"
            ),
            connection,
            params={"campaign": campaign_id},
        )
        items = pd.read_sql(
            text(
                "SELECT i.id AS item_id, i.dimension_code FROM instrument_items i "
                "JOIN campaigns c ON c.instrument_id = i.instrument_id WHERE c.id = :campaign "
                "ORDER BY i.position"
            ),
            connection,
            params={"campaign": campaign_id},
        )
    loaded = time.perf_counter() - started
    perception = answers.pivot(index="response_id", columns="item_id", values="perception")
    expectation = answers.pivot(index="response_id", columns="item_id", values="expectation")
    responses = responses.loc[perception.index]
    stamps = pd.to_datetime(responses["submitted_at"], utc=True).dt.tz_convert(str(ZONE))
    month = stamps.dt.strftime("%Y-%m")
    points = importance.pivot(index="response_id", columns="dimension_code", values="points")
    dimensions = list(dict.fromkeys(items["dimension_code"]))
    members = {d: items.loc[items["dimension_code"] == d, "item_id"].tolist() for d in dimensions}

    def report(rows: pd.Index) -> dict[str, Any]:
        p, e = perception.loc[rows], expectation.loc[rows]
        g = p - e
        out: dict[str, Any] = {"n": int(p.notna().any(axis=1).sum()), "dimensions": {}}
        p_means = {}
        for d in dimensions:
            cols = members[d]
            entry = {}
            for name, frame in (("perception", p), ("expectation", e), ("gap", g)):
                scores = frame[cols].mean(axis=1).dropna()
                n, mean, sd = len(scores), float(scores.mean()), float(scores.std())
                half = 1.959964 * sd / math.sqrt(n) if n > 1 else math.nan
                complete = frame[cols].dropna()
                cov = complete.cov().to_numpy()
                k = len(cols)
                alpha = k / (k - 1) * (1 - np.trace(cov) / cov.sum()) if k > 1 else math.nan
                entry[name] = {"mean": mean, "ci_half": half, "n": n, "alpha": float(alpha)}
            p_means[d] = p[cols].mean(axis=1)
            out["dimensions"][d] = entry
        x = pd.DataFrame(p_means)
        x["overall"] = responses.loc[rows, "overall"]
        x = x.dropna()
        design = np.column_stack([np.ones(len(x)), x[dimensions].to_numpy()])
        beta = np.linalg.lstsq(design, x["overall"].to_numpy(), rcond=None)[0][1:]
        standardised = beta * x[dimensions].std().to_numpy() / x["overall"].std()
        out["derived_importance"] = dict(zip(dimensions, standardised.tolist(), strict=True))
        full = points.reindex(rows).dropna()
        full = full[full.sum(axis=1) == 100]
        out["stated_importance"] = full.mean().to_dict()
        respondent = p.mean(axis=1).dropna()
        out["index"] = float((respondent.mean() - 1) / 6 * 100)
        return out

    whole = report(perception.index)
    by_site = {str(site): report(idx) for site, idx in responses.groupby("site_id").groups.items()}
    by_month = {m: report(idx) for m, idx in month.groupby(month).groups.items()}
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "load_seconds": loaded,
        "peak_mb": peak_mb(),
        "reports": 1 + len(by_site) + len(by_month),
        "summary": {
            "index": whole["index"],
            "gaps": {d: v["gap"]["mean"] for d, v in whole["dimensions"].items()},
            "alpha_gap": {d: v["gap"]["alpha"] for d, v in whole["dimensions"].items()},
            "derived": whole["derived_importance"],
            "site_index": {k: v["index"] for k, v in by_site.items()},
            "month_index": {k: v["index"] for k, v in by_month.items()},
        },
    }


def summarise(result: dict[str, Any]) -> dict[str, Any]:
    """The numbers (a) and (c) both compute, to check that they agree."""
    return {
        "index": result["index"]["value"],
        "gaps": {d: v["gap"]["mean"] for d, v in result["dimensions"].items()},
        "alpha_gap": {d: v["alpha"]["gap"] for d, v in result["dimensions"].items()},
        "derived": result["derived_importance"],
        "site_index": {k: v["index"]["value"] for k, v in result["groups"]["site"].items()},
        "month_index": {k: v["index"]["value"] for k, v in result["groups"]["month"].items()},
    }


def run_phase(name: str, url: str, world: dict[str, int], repeat: int) -> dict[str, Any]:
    """Run one phase in a fresh interpreter; it prints its figures as a JSON line."""
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--phase",
        name,
        "--url",
        url,
        "--campaign",
        str(world["campaign_id"]),
        "--organisation",
        str(world["organisation_id"]),
        "--repeat",
        str(repeat),
    ]
    completed = subprocess.run(  # noqa: S603 - our own script
        command, capture_output=True, text=True, check=False, cwd=ROOT
    )
    if completed.returncode != 0:
        raise RuntimeError(f"phase {name} failed:\n{completed.stderr[-3000:]}")
    figures: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    return figures


def compare(a: dict[str, Any], c: dict[str, Any]) -> float:
    """Largest absolute difference between the numbers of (a) and (c)."""
    worst = 0.0
    for key in ("index",):
        worst = max(worst, abs(a[key] - c[key]))
    for key in ("gaps", "alpha_gap", "derived", "site_index", "month_index"):
        assert set(a[key]) == set(c[key]), key
        for name in a[key]:
            worst = max(worst, abs(a[key][name] - c[key][name]))
    return worst


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=None, help="PostgreSQL server URL")
    parser.add_argument("--repeat", type=int, default=5, help="timed report runs (5)")
    parser.add_argument("--skip-pandas", action="store_true", help="leave out phase (c)")
    parser.add_argument("--phase", choices=("report", "rebuild", "scan", "pandas"))
    parser.add_argument("--url")
    parser.add_argument("--campaign", type=int)
    parser.add_argument("--organisation", type=int)
    args = parser.parse_args()
    if args.phase:
        if args.phase == "report":
            figures = phase_report(args.url, args.campaign, args.organisation, args.repeat)
        elif args.phase == "rebuild":
            figures = phase_rebuild(args.url)
        elif args.phase == "scan":
            figures = phase_scan(args.url)
        else:
            figures = phase_pandas(args.url, args.campaign)
        print(json.dumps(figures))
        return 0
    if args.responses < 1 or args.repeat < 1:
        parser.error("--responses and --repeat must be >= 1")

    with (
        tempfile.TemporaryDirectory(prefix="manyi-bench-") as folder,
        scratch_database(args.database_url, Path(folder)) as url,
    ):
        engine = make_engine(url)
        upgrade_database(engine)
        first_day = date(2025, 12, 1)
        started = time.perf_counter()
        world = build_world(engine, first_day)
        insert_generated(engine, world, args.responses, first_day)
        engine.dispose()
        print(
            f"generated {args.responses:,} responses on {engine.dialect.name} in "
            f"{time.perf_counter() - started:.0f} s (not timed below)",
            file=sys.stderr,
        )
        ids = {"campaign_id": world.campaign_id, "organisation_id": world.organisation_id}
        results = {"rebuild": run_phase("rebuild", url, ids, args.repeat)}
        results["report"] = run_phase("report", url, ids, args.repeat)
        results["scan"] = run_phase("scan", url, ids, args.repeat)
        if not args.skip_pandas:
            results["pandas"] = run_phase("pandas", url, ids, args.repeat)

    a, b, d = results["report"], results["rebuild"], results["scan"]
    print(f"\nSERVQUAL report benchmark: {args.responses:,} responses, {engine.dialect.name}")
    print(f"{'phase':<44}{'seconds':>10}{'peak MB':>10}")
    print(
        f"{'(a) report from aggregates (median of ' + str(args.repeat) + ')':<44}"
        f"{a['seconds']:>10.3f}{a['peak_mb']:>10.0f}"
    )
    print(f"{'    first, cold run':<44}{a['first_seconds']:>10.3f}")
    print(f"{'(b) stats rebuild from raw answers':<44}{b['seconds']:>10.2f}{b['peak_mb']:>10.0f}")
    if "pandas" in results:
        c = results["pandas"]
        print(f"{'(c) pandas from every answer':<44}{c['seconds']:>10.2f}{c['peak_mb']:>10.0f}")
        print(f"{'    of which loading':<44}{c['load_seconds']:>10.2f}")
    print(f"{'(d) bare scan of every answer':<44}{d['seconds']:>10.2f}{d['peak_mb']:>10.0f}")
    print(
        f"\n{a['reports']} reports per run; {b['rows']:,} aggregate rows; {d['answers']:,} answers"
    )
    print(f"(b)/(d) = {b['seconds'] / d['seconds']:.2f}   (target <= 2)")
    if "pandas" in results:
        c = results["pandas"]
        print(f"(c)/(a) = {c['seconds'] / a['seconds']:.0f}   (target >= 50)")
        difference = compare(a["summary"], c["summary"])
        print(f"largest difference between (a) and (c): {difference:.2e}")
    print(f"(a) = {a['seconds'] * 1000:.0f} ms   (target < 200 ms)")
    peak = max(a["peak_mb"], b["peak_mb"])
    print(f"peak memory of (a) and (b): {peak:.0f} MB   (target < 500 MB)")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
