"""Benchmark of the customer's survey flow against a real uvicorn server.

Run it from the repository root::

    .venv/bin/python bench/submit.py                      # SQLite, 50 clients, 10 s a phase
    .venv/bin/python bench/submit.py --clients 50 --duration 10 \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/submit.py --client raw         # a lighter load generator
    .venv/bin/python bench/submit.py --client raw --rate 500   # open loop: 500 requests/s

What it does
------------
1. Makes a scratch data directory and database (a SQLite file there, or for a PostgreSQL
   URL a scratch database ``manyi_bench_<hex>`` on that server, dropped at the end), runs
   the real migrations and seeds the demo (6 counters, each with a printed, non-rotating
   QR link, plus ``--seed-responses`` synthetic answers), with a fixed secret key.
2. Starts ``uvicorn api.app:create_app_from_environment --factory`` (``--workers 1``, the
   ``asyncio``/``h11`` stack this virtualenv has) in a subprocess with
   ``MANYI_DATABASE_URL``, ``MANYI_DATA_DIR`` and ``MANYI_SECRET_KEY``, and waits for
   ``/healthz``. The duplicate policy keeps its production defaults (10-minute window,
   5 per address and browser): every submission comes from a new "phone", that is its
   own device cookie and its own user agent, so nothing honest is refused and the
   duplicate lookup runs against everything stored during the run, as in a busy hall.
3. Drives it with ``--clients`` concurrent clients: asyncio tasks in this process, each
   a browser with its own keep-alive connection and cookie jar. Three phases, each
   ``--warmup`` seconds unmeasured, then ``--duration`` seconds measured:

   * ``GET /healthz``: a bare route of the same app (one ``SELECT 1``), the baseline of
     what uvicorn + FastAPI + the middleware + this load generator manage at all;
   * ``GET /s/{token}``: the questionnaire page (22 items, rendered and gzipped), each
     client a returning browser that keeps its device cookie;
   * ``POST /s/{token}``: complete paired responses (22 items x expectation and
     perception, overall, 100 importance points over five dimensions, a comment). Each
     POST carries the ``csrf_token`` and ``submission_key`` of a page fetched for it
     *before* the phase by a fresh browser, whose device cookie it sends: **only the
     POST is timed**, and only ``303 See Other`` (stored) counts as accepted. How many
     forms to prepare is sized from a short untimed calibration burst of POSTs; should
     a client's supply still run dry it fetches a page inline (reported; lowers the rate).

   That is the default, *closed-loop* mode: each client sends its next request as soon
   as the previous one is answered. With ``--rate R`` the same three phases run in
   *open-loop* mode instead: arrival times are fixed in advance (``--arrivals poisson``,
   the default, seeded and so the same every run, or ``even``), R a second over warm-up
   and window, and each arrival is sent on whichever of the ``--clients`` connections
   is free (so ``--clients`` is the maximum concurrency); when all are busy it waits
   for one, in arrival order. No calibration burst runs: one form is prepared per
   scheduled POST, and a connection whose own forms are used up takes another's.

How to read the numbers
-----------------------
The two modes answer different questions. The closed loop finds the *throughput*: how
many requests a second the server manages with N clients always waiting on it; it
checks the rate targets (>= 500 submissions/s, >= 1,500 page views/s). Its latencies
say little about a latency target: the clients slow down with the server, so latency
is about 1000 x N / rate ms whatever the server does (Little's law), and a stall
delays the requests that would have been sent meanwhile instead of showing in their
latency (coordinated omission). The open loop checks a *latency at a load*, such as
"p99 under 50 ms at 500 submissions/s" (``--rate 500``): customers arrive when they
arrive, whether or not the server is keeping up.

Closed loop: ``rate/s`` is successful requests whose start fell inside the measured
window, divided by its length; ``p50``/``p99`` are client-side latencies of those
requests (connection reused, so no TCP set-up), in milliseconds. ``rate x bare`` and
``p99 x bare`` compare a phase with ``/healthz``: a rate ratio near 1 means the route
costs little beyond the framework and the load generator; a small one means the route's
own work (rendering, validation, the database) dominates. A high p50 is queueing, and a
p99 far above p50 shows stalls (for SQLite: writers waiting for the single write lock).

Open loop: ``requests`` is the arrivals scheduled inside the measured window and
``offered/s`` that divided by its length (``--rate``, give or take the chance of Poisson
arrivals); ``achieved/s`` is successful responses received inside the window, divided
by its length (below the offered rate, the server, or the load generator, is not
keeping up and a backlog grows). ``p50``/``p99``/``max`` are latencies of the
successful requests scheduled in the window, counted from the *scheduled* start, so
time spent waiting for a free connection, or for a late load generator, is included.
``late>10ms`` counts the requests of the window that started more than 10 ms after
their scheduled time: all connections were busy (too few ``--clients`` for the load,
or the server falling behind), or the load generator itself lagged (its CPU near
100 %). Arrivals still not started 30 s after their time are not sent and are listed
as not counted. After the last arrival the phase waits for every request sent.

``client CPU`` and ``server CPU`` are the CPU time of this process and of the uvicorn
process tree during the window, in % of one core; ``all CPUs`` is every core's busy time
(PostgreSQL, and anything else running on the machine, included), so 200 % on two cores
means the machine was full. One uvicorn worker runs Python under one GIL: near 100 %
server CPU it is saturated. If instead the client is near 100 %, the load generator is
the limit: httpx costs about 1.4 ms of CPU a request (about 700 requests/s from one
process, whatever the server); ``--client raw`` sends the same requests through a
minimal HTTP/1.1 client costing a tenth of that. ``--app`` and ``--workers`` serve
another factory or more worker processes, to compare a change.

Afterwards the stored rows are counted, in either mode: new responses must equal the 303s
received (and answer and importance rows 22 and 5 for each). A difference means lost or
phantom data and makes the exit status 1. The issue's targets (SQLite, 50 clients) are
printed with whether they were met; they are not asserted. In the open loop a target
the offered rate cannot reach (a rate above ``--rate``, the p99 below 500/s) is n/a.
"""

import argparse
import asyncio
import math
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol
from urllib.parse import urlencode

import httpx
from sqlalchemy import Engine, func
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, Python puts bench/ first on the path, where bench/analytics.py would
# hide the analytics package: look for packages from the repository root instead.
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]

from api.database import upgrade_database  # noqa: E402
from survey.db import create_postgres_database, drop_postgres_database, make_engine  # noqa: E402
from survey.demo.seed import seed_demo  # noqa: E402
from survey.models import ResponseAnswer, ResponseImportance, SurveyResponse  # noqa: E402

SECRET_KEY = "bench-secret-key-not-for-production"  # noqa: S105 - a throwaway database
HOST = "127.0.0.1"
REQUEST_TIMEOUT_S = 30.0
ACCEPT_LANGUAGE = "zh-CN,zh;q=0.9,en;q=0.6"
COMMENTS = (
    "排队时间有点长，但工作人员很耐心。",
    "解释资费很清楚，谢谢！",
    "希望周末多开几个窗口。",
    "The clerk explained everything in English, very helpful.",
    "",
)

# The targets, for SQLite with 50 concurrent clients.
TARGET_SUBMIT_RATE = 500.0
TARGET_SUBMIT_P99_MS = 50.0
TARGET_PAGE_RATE = 1500.0
TARGET_CLIENTS = 50

# Open loop: a request that starts this long after its scheduled time counts as late.
LATE_START_S = 0.010
ARRIVALS_SEED = 20261124


# --------------------------------------------------------------------------- measurements


@dataclass(frozen=True)
class Sample:
    """One request: its outcome label (status code or exception name) and its timing."""

    label: str
    started: float
    finished: float


@dataclass
class PhaseResult:
    """What one phase measured."""

    name: str
    ok_label: str
    window_s: float
    latencies_s: list[float] = field(default_factory=list)
    window_labels: Counter[str] = field(default_factory=Counter)
    all_labels: Counter[str] = field(default_factory=Counter)
    client_cpu: float | None = None
    server_cpu: float | None = None
    machine_cpu: float | None = None
    # Open loop only: the offered rate, successes received in the window, late starts.
    offered_rate: float | None = None
    finished_in_window: int = 0
    late_starts: int = 0

    @property
    def ok(self) -> int:
        return len(self.latencies_s)

    @property
    def requests(self) -> int:
        """Requests counted in the window, whatever their outcome."""
        return sum(self.window_labels.values())

    @property
    def rate(self) -> float:
        """Closed loop: successes started in the window; open loop: received in it."""
        done = self.ok if self.offered_rate is None else self.finished_in_window
        return done / self.window_s if self.window_s > 0 else 0.0

    @property
    def max_ms(self) -> float:
        return max(self.latencies_s) * 1000 if self.latencies_s else float("nan")

    def percentile_ms(self, fraction: float) -> float:
        """Nearest-rank percentile of the successful requests, in milliseconds."""
        if not self.latencies_s:
            return float("nan")
        ordered = sorted(self.latencies_s)
        rank = max(1, min(len(ordered), math.ceil(fraction * len(ordered))))
        return ordered[rank - 1] * 1000

    @property
    def failures(self) -> Counter[str]:
        return Counter({k: v for k, v in self.window_labels.items() if k != self.ok_label})


def _process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants (uvicorn's workers when ``--workers`` > 1)."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            with suppress(OSError):
                pending += [int(child) for child in task.read_text().split()]
    return found


def server_cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of a process tree (all threads), from ``/proc`` on Linux."""
    total = 0
    try:
        for member in _process_tree(pid):
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        return None
    return total / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float | None:
    """CPU seconds all cores spent busy (not idle or waiting for I/O), from ``/proc/stat``."""
    try:
        cpu = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except (OSError, IndexError):
        return None
    ticks = [int(value) for value in cpu[:8]]
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


class Sender(Protocol):
    """Sends one request on a client's keep-alive connection; answers its status code."""

    async def send(
        self,
        method: str,
        path: str,
        headers: Mapping[str, str] | None = None,
        content: bytes | None = None,
    ) -> int: ...

    async def aclose(self) -> None: ...


class HttpxSender:
    """The timed requests through ``httpx`` (the default): its cookie jar, its connection."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def send(
        self,
        method: str,
        path: str,
        headers: Mapping[str, str] | None = None,
        content: bytes | None = None,
    ) -> int:
        response = await self.client.request(method, path, headers=headers, content=content)
        return response.status_code

    async def aclose(self) -> None:
        """The client is closed by its owner."""


class RawSender:
    """A lean HTTP/1.1 keep-alive client (``--client raw``), for when httpx is the limit.

    One connection and one cookie jar (name to value, from ``Set-Cookie``), like a
    browser tab; it sends the same headers as the httpx client. Bodies are read in full
    but not decompressed: the server does the same work, the load generator much less.
    """

    def __init__(self, host: str, port: int, headers: Mapping[str, str]) -> None:
        self.host, self.port = host, port
        self.headers = {name.lower(): value for name, value in headers.items()}
        self.cookies: dict[str, str] = {}
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def send(
        self,
        method: str,
        path: str,
        headers: Mapping[str, str] | None = None,
        content: bytes | None = None,
    ) -> int:
        merged = {**self.headers, **{name.lower(): v for name, v in (headers or {}).items()}}
        if "cookie" not in merged and self.cookies:
            merged["cookie"] = "; ".join(f"{name}={v}" for name, v in self.cookies.items())
        if content is not None:
            merged["content-length"] = str(len(content))
        lines = "".join(f"{name}: {value}\r\n" for name, value in merged.items())
        head = f"{method} {path} HTTP/1.1\r\nhost: {self.host}:{self.port}\r\n{lines}\r\n"
        try:
            async with asyncio.timeout(REQUEST_TIMEOUT_S):
                if self._streams is not None and self._streams[0].at_eof():
                    await self.aclose()  # the server closed it while idle (keep-alive timeout)
                if self._streams is None:
                    self._streams = await asyncio.open_connection(self.host, self.port)
                reader, writer = self._streams
                writer.write(head.encode("latin-1") + (content or b""))
                status, keep_alive = await self._read_response(reader)
        except BaseException:
            await self.aclose()
            raise
        if not keep_alive:
            await self.aclose()
        return status

    async def _read_response(self, reader: asyncio.StreamReader) -> tuple[int, bool]:
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        status = int(head[0].split(" ", 2)[1])
        length: int | None = None
        chunked, keep_alive = False, True
        for line in head[1:]:
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding":
                chunked = "chunked" in value.lower()
            elif name == "connection":
                keep_alive = value.lower() != "close"
            elif name == "set-cookie":
                cookie, _, _attributes = value.partition(";")
                key, _, cookie_value = cookie.partition("=")
                self.cookies[key.strip()] = cookie_value.strip()
        if chunked:
            while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
                await reader.readexactly(size + 2)
            await reader.readuntil(b"\r\n")
        elif length is not None:
            await reader.readexactly(length)
        elif status >= 200 and status not in (204, 304):
            await reader.read()
            keep_alive = False
        return status, keep_alive

    async def aclose(self) -> None:
        if self._streams is not None:
            _reader, writer = self._streams
            self._streams = None
            writer.close()
            with suppress(OSError):
                await writer.wait_closed()


@dataclass
class SimClient:
    """One simulated customer's browser: httpx for preparing forms, a sender for timing."""

    http: httpx.AsyncClient
    sender: Sender


RequestFn = Callable[[int], Awaitable[Sample]]


@dataclass(frozen=True)
class PhaseTiming:
    warmup_s: float
    duration_s: float
    server_pid: int


async def measure_cpu(result: PhaseResult, start_at: float, end_at: float, pid: int) -> None:
    """Client, server and machine CPU over the measured window, into ``result``."""
    await asyncio.sleep(max(0.0, start_at - time.perf_counter()))
    client_before, server_before = time.process_time(), server_cpu_seconds(pid)
    machine_before = machine_busy_seconds()
    wall_before = time.perf_counter()
    await asyncio.sleep(max(0.0, end_at - time.perf_counter()))
    wall = time.perf_counter() - wall_before
    server_after, machine_after = server_cpu_seconds(pid), machine_busy_seconds()
    result.client_cpu = (time.process_time() - client_before) / wall
    if server_before is not None and server_after is not None:
        result.server_cpu = (server_after - server_before) / wall
    if machine_before is not None and machine_after is not None:
        result.machine_cpu = (machine_after - machine_before) / wall


async def run_phase(
    name: str, n_clients: int, request: RequestFn, *, ok_label: str, timing: PhaseTiming
) -> PhaseResult:
    """Keep every client busy with ``request`` for warm-up plus the measured window."""
    result = PhaseResult(name=name, ok_label=ok_label, window_s=timing.duration_s)
    start_at = time.perf_counter() + timing.warmup_s
    end_at = start_at + timing.duration_s

    async def client_loop(index: int) -> None:
        while time.perf_counter() < end_at:
            sample = await request(index)
            result.all_labels[sample.label] += 1
            if start_at <= sample.started < end_at:
                result.window_labels[sample.label] += 1
                if sample.label == ok_label:
                    result.latencies_s.append(sample.finished - sample.started)

    await asyncio.gather(
        measure_cpu(result, start_at, end_at, timing.server_pid),
        *(client_loop(i) for i in range(n_clients)),
    )
    return result


def arrival_offsets(rate: float, total_s: float, kind: str) -> list[float]:
    """Open loop: arrival times in seconds from the phase's start, ``rate`` a second.

    ``poisson``: exponential gaps from a fixed seed (the same schedule every run);
    ``even``: one every ``1 / rate`` seconds.
    """
    if kind == "even":
        return [k / rate for k in range(math.ceil(total_s * rate))]
    rng = random.Random(ARRIVALS_SEED)
    offsets: list[float] = []
    at = rng.expovariate(rate)
    while at < total_s:
        offsets.append(at)
        at += rng.expovariate(rate)
    return offsets


async def run_open_phase(
    name: str,
    n_clients: int,
    request: RequestFn,
    *,
    ok_label: str,
    timing: PhaseTiming,
    arrivals: Sequence[float],
    offered_rate: float,
) -> PhaseResult:
    """Send ``request`` at each of ``arrivals`` on a free one of ``n_clients`` connections.

    Latency counts from the scheduled time, so waiting for a connection (or for this
    process) is part of it; the phase ends when every request sent has been answered.
    """
    result = PhaseResult(
        name=name, ok_label=ok_label, window_s=timing.duration_s, offered_rate=offered_rate
    )
    begin = time.perf_counter()
    start_at = begin + timing.warmup_s
    end_at = start_at + timing.duration_s
    free: asyncio.Queue[int] = asyncio.Queue()
    for index in range(n_clients):
        free.put_nowait(index)
    unsent = f"not started within {REQUEST_TIMEOUT_S:g} s"

    def record(label: str, scheduled: float, started: float, finished: float) -> None:
        result.all_labels[label] += 1
        ok = label == ok_label
        if ok and start_at <= finished < end_at:
            result.finished_in_window += 1
        if start_at <= scheduled < end_at:
            result.window_labels[label] += 1
            if started - scheduled > LATE_START_S:
                result.late_starts += 1
            if ok:
                result.latencies_s.append(finished - scheduled)

    async def send(index: int, scheduled: float) -> None:
        try:
            sample = await request(index)
        finally:
            free.put_nowait(index)
        record(sample.label, scheduled, sample.started, sample.finished)

    async def dispatch() -> None:
        sent: list[asyncio.Task[None]] = []  # all kept, so that no error goes unseen
        for offset in arrivals:
            scheduled = begin + offset
            await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
            index = await free.get()
            now = time.perf_counter()
            if now - scheduled > REQUEST_TIMEOUT_S:
                free.put_nowait(index)
                record(unsent, scheduled, now, now)
                continue
            sent.append(asyncio.create_task(send(index, scheduled)))
        await asyncio.gather(*sent)

    await asyncio.gather(measure_cpu(result, start_at, end_at, timing.server_pid), dispatch())
    return result


async def timed(
    sender: Sender,
    method: str,
    path: str,
    *,
    headers: Mapping[str, str] | None = None,
    content: bytes | None = None,
) -> Sample:
    """Send one request and time it; transport errors become a labelled sample."""
    started = time.perf_counter()
    try:
        label = str(await sender.send(method, path, headers=headers, content=content))
    except (httpx.HTTPError, OSError, EOFError, ValueError, asyncio.LimitOverrunError) as error:
        label = type(error).__name__
    return Sample(label=label, started=started, finished=time.perf_counter())


# --------------------------------------------------------------------------- the survey form


@dataclass(frozen=True)
class FormShape:
    """The answer fields of the questionnaire, read from the page itself."""

    answer_fields: tuple[str, ...]
    importance_fields: tuple[str, ...]


@dataclass(frozen=True)
class PreparedPost:
    """One customer's filled-in form, ready to POST: the body and that phone's headers."""

    token: str
    body: bytes
    headers: dict[str, str]


_HIDDEN = re.compile(r'name="(csrf_token|submission_key)" value="([^"]*)"')
_RADIO = re.compile(r'type="radio" name="([^"]+)"')
_IMPORTANCE = re.compile(r'name="(w\.[^"]+)"')


def read_form_shape(html: str) -> FormShape:
    radios = dict.fromkeys(_RADIO.findall(html))
    radios.pop("overall", None)
    return FormShape(
        answer_fields=tuple(radios),
        importance_fields=tuple(dict.fromkeys(_IMPORTANCE.findall(html))),
    )


def importance_points(n: int, rng: random.Random) -> list[int]:
    """``n`` whole numbers from 0 to 100 that add up to 100."""
    cuts = sorted(rng.randint(0, 100) for _ in range(n - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]


def fill_form(html: str, shape: FormShape, rng: random.Random) -> dict[str, str]:
    """A complete, valid response to the page (answers vary, the hidden fields are kept)."""
    hidden = dict(_HIDDEN.findall(html))
    if set(hidden) != {"csrf_token", "submission_key"}:
        raise RuntimeError("the survey page has no csrf_token or submission_key")
    form = dict(hidden)
    for name in shape.answer_fields:
        form[name] = str(rng.randint(5, 7) if name.startswith("e.") else rng.randint(2, 7))
    points = importance_points(len(shape.importance_fields), rng)
    form.update(zip(shape.importance_fields, map(str, points), strict=True))
    form["overall"] = str(rng.randint(2, 5))
    form["comment"] = rng.choice(COMMENTS)
    return form


def phone_user_agent(client: int, serial: int) -> str:
    """A distinct browser string per simulated phone (the spam brake keys on it)."""
    return (
        f"Mozilla/5.0 (Linux; Android 14; bench-{client}-{serial}) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/130.0 Mobile Safari/537.36"
    )


@dataclass
class FormSupply:
    """Per client, forms fetched ahead of the POST phase; refilled inline if one runs dry."""

    clients: list[SimClient]
    tokens: tuple[str, ...]
    shape: FormShape
    pools: list[deque[PreparedPost]]
    rng: random.Random = field(default_factory=lambda: random.Random(20261124))
    serials: Counter[int] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    fetched_inline: int = 0
    # Open loop: a client whose pool is empty takes a form from another client's pool.
    shared: bool = False

    async def fetch(self, index: int) -> PreparedPost:
        """Open the page as a new phone (no cookies, its own user agent) and fill it in."""
        client = self.clients[index].http
        self.serials[index] += 1
        agent = phone_user_agent(index, self.serials[index])
        token = self.tokens[(index + self.serials[index]) % len(self.tokens)]
        client.cookies.clear()
        page = await client.get(f"/s/{token}", headers={"user-agent": agent})
        if page.status_code != 200:
            raise RuntimeError(f"GET /s/{token} answered {page.status_code} while preparing")
        device = page.cookies.get("manyi_device")
        client.cookies.clear()
        if not device:
            raise RuntimeError("the survey page set no manyi_device cookie")
        body = urlencode(fill_form(page.text, self.shape, self.rng)).encode()
        headers = {
            "user-agent": agent,
            "cookie": f"manyi_device={device}",
            "content-type": "application/x-www-form-urlencoded",
        }
        return PreparedPost(token=token, body=body, headers=headers)

    async def prepare(self, per_client: int) -> None:
        async def fill(index: int) -> None:
            for _ in range(per_client):
                self.pools[index].append(await self.fetch(index))

        await asyncio.gather(*(fill(i) for i in range(len(self.clients))))

    async def post(self, index: int) -> Sample:
        """POST the client's next prepared form (fetching one first if its pool is empty)."""
        pool = self.pools[index]
        if not pool and self.shared:
            pool = max(self.pools, key=len)
        if pool:
            prepared = pool.popleft()
        else:
            self.fetched_inline += 1
            prepared = await self.fetch(index)
        sample = await timed(
            self.clients[index].sender,
            "POST",
            f"/s/{prepared.token}",
            headers=prepared.headers,
            content=prepared.body,
        )
        self.outcomes[sample.label] += 1
        return sample

    async def drain(self) -> float:
        """POST every prepared form (untimed); the rate achieved, per second."""

        async def empty(index: int) -> int:
            sent = 0
            while self.pools[index]:
                await self.post(index)
                sent += 1
            return sent

        began = time.perf_counter()
        sent = sum(await asyncio.gather(*(empty(i) for i in range(len(self.clients)))))
        return sent / (time.perf_counter() - began)


# --------------------------------------------------------------------------- database and server


@dataclass(frozen=True)
class RowCounts:
    responses: int
    answers: int
    importance: int


def count_rows(engine: Engine) -> RowCounts:
    with Session(engine) as session:
        return RowCounts(
            responses=session.exec(select(func.count()).select_from(SurveyResponse)).one(),
            answers=session.exec(select(func.count()).select_from(ResponseAnswer)).one(),
            importance=session.exec(select(func.count()).select_from(ResponseImportance)).one(),
        )


@contextmanager
def scratch_database(base_url: str | None, data_dir: Path) -> Iterator[str]:
    """A URL of an empty database: a SQLite file in ``data_dir``, or a PostgreSQL scratch."""
    if base_url is None or base_url.startswith("sqlite"):
        yield f"sqlite:///{data_dir / 'manyi.sqlite3'}"
        return
    url = create_postgres_database(base_url, prefix="manyi_bench")
    try:
        yield url
    finally:
        drop_postgres_database(url)


def seed(url: str, n_responses: int) -> tuple[tuple[str, ...], RowCounts]:
    """Migrate, seed the demo; the printed (non-rotating) links and the rows stored."""
    engine = make_engine(url)
    try:
        upgrade_database(engine)
        with Session(engine, expire_on_commit=False) as session:
            summary = seed_demo(
                session, now=datetime.now(UTC), n_responses=n_responses, salt=SECRET_KEY
            )
        return summary.poster_tokens, count_rows(engine)
    finally:
        engine.dispose()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(
    url: str, data_dir: Path, port: int, log: Path, *, app: str, workers: int
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "MANYI_DATABASE_URL": url,
        "MANYI_DATA_DIR": str(data_dir),
        "MANYI_SECRET_KEY": SECRET_KEY,
        "MANYI_BASE_URL": f"http://{HOST}:{port}",
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        app,
        "--factory",
        "--workers",
        str(workers),
        "--app-dir",
        str(ROOT),
        "--host",
        HOST,
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    with log.open("wb") as out:
        # cwd is the scratch directory, so that no .env of the checkout leaks in.
        return subprocess.Popen(command, env=env, cwd=data_dir, stdout=out, stderr=out)  # noqa: S603


def wait_until_healthy(server: subprocess.Popen[bytes], base_url: str, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"uvicorn exited with {server.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"uvicorn did not answer /healthz within 30 s:\n{log.read_text()}")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# --------------------------------------------------------------------------- the run


@dataclass(frozen=True)
class Options:
    clients: int
    duration_s: float
    warmup_s: float
    database_url: str | None
    seed_responses: int
    forms_per_client: int | None
    app: str
    workers: int
    client: str
    rate: float | None = None
    arrivals: str = "poisson"


def new_clients(port: int, n: int, kind: str) -> list[SimClient]:
    """``n`` browsers, each with its own connection and cookie jar (two of each if raw)."""
    clients = []
    for index in range(n):
        headers = {
            "accept": "text/html,application/xhtml+xml",
            "accept-encoding": "gzip, deflate",
            "accept-language": ACCEPT_LANGUAGE,
            "user-agent": phone_user_agent(index, 0),
        }
        http = httpx.AsyncClient(
            base_url=f"http://{HOST}:{port}",
            timeout=REQUEST_TIMEOUT_S,
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
            headers=headers,
        )
        sender: Sender = HttpxSender(http) if kind == "httpx" else RawSender(HOST, port, headers)
        clients.append(SimClient(http=http, sender=sender))
    return clients


@dataclass
class RunResult:
    phases: list[PhaseResult]
    supply: FormSupply
    calibration_rate: float | None
    prepared: int
    prepare_s: float


async def drive(port: int, tokens: tuple[str, ...], options: Options, pid: int) -> RunResult:
    clients = new_clients(port, options.clients, options.client)
    n = len(clients)
    timing = PhaseTiming(warmup_s=options.warmup_s, duration_s=options.duration_s, server_pid=pid)
    offered = options.rate
    arrivals = (
        []
        if offered is None
        else arrival_offsets(offered, options.warmup_s + options.duration_s, options.arrivals)
    )

    async def phase(name: str, request: RequestFn, ok_label: str) -> PhaseResult:
        if offered is None:
            return await run_phase(name, n, request, ok_label=ok_label, timing=timing)
        return await run_open_phase(
            name,
            n,
            request,
            ok_label=ok_label,
            timing=timing,
            arrivals=arrivals,
            offered_rate=offered,
        )

    try:
        bare = await phase(
            "GET /healthz (bare route)",
            lambda i: timed(clients[i].sender, "GET", "/healthz"),
            "200",
        )
        page = await phase(
            "GET /s/{token} (survey page)",
            lambda i: timed(clients[i].sender, "GET", f"/s/{tokens[i % len(tokens)]}"),
            "200",
        )
        first = await clients[0].http.get(f"/s/{tokens[0]}")
        supply = FormSupply(
            clients=clients,
            tokens=tokens,
            shape=read_form_shape(first.text),
            pools=[deque() for _ in range(n)],
            shared=offered is not None,
        )
        calibration_rate: float | None = None
        if offered is None:
            # Size the pools from a short untimed burst: prepare ~2 s of pages, POST them all.
            await supply.prepare(max(3, math.ceil(2 * page.rate / n)))
            calibration_rate = await supply.drain()
            per_client = options.forms_per_client or math.ceil(
                1.5 * calibration_rate * (options.warmup_s + options.duration_s) / n
            )
            print(
                f"  calibration burst: {calibration_rate:.0f} POSTs/s; preparing "
                f"{per_client * n} forms ({per_client} per client), each from a fresh phone, "
                "untimed ...",
                flush=True,
            )
        else:
            # One form per scheduled POST; the pools are shared, so any client may send it.
            per_client = options.forms_per_client or math.ceil(len(arrivals) / n)
            print(
                f"  {len(arrivals)} POSTs scheduled; preparing {per_client * n} forms "
                f"({per_client} per client), each from a fresh phone, untimed ...",
                flush=True,
            )
        began = time.perf_counter()
        await supply.prepare(per_client)
        prepare_s = time.perf_counter() - began
        submit = await phase("POST /s/{token} (submission)", supply.post, "303")
        return RunResult(
            phases=[bare, page, submit],
            supply=supply,
            calibration_rate=calibration_rate,
            prepared=per_client * n,
            prepare_s=prepare_s,
        )
    finally:
        for client in clients:
            await client.sender.aclose()
            await client.http.aclose()


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.0f}%"


def _print_failures(phases: list[PhaseResult]) -> None:
    for phase in phases:
        if phase.failures:
            listed = ", ".join(f"{label} x{n}" for label, n in phase.failures.most_common())
            print(f"  not counted in {phase.name}: {listed}")


def print_table(phases: list[PhaseResult]) -> None:
    bare = phases[0]
    header = (
        f"{'phase':<31}{'requests':>9}{'rate/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'rate x bare':>13}{'p99 x bare':>12}{'client CPU':>12}{'server CPU':>12}"
        f"{'all CPUs':>10}"
    )
    print(header)
    print("-" * len(header))
    for phase in phases:
        print(
            f"{phase.name:<31}{phase.ok:>9}{phase.rate:>9.0f}"
            f"{phase.percentile_ms(0.5):>9.1f}{phase.percentile_ms(0.99):>9.1f}"
            f"{phase.rate / bare.rate if bare.rate else float('nan'):>13.2f}"
            f"{phase.percentile_ms(0.99) / bare.percentile_ms(0.99):>12.2f}"
            f"{_pct(phase.client_cpu):>12}{_pct(phase.server_cpu):>12}"
            f"{_pct(phase.machine_cpu):>10}"
        )
    _print_failures(phases)


def print_open_table(phases: list[PhaseResult]) -> None:
    header = (
        f"{'phase':<31}{'offered/s':>10}{'achieved/s':>11}{'requests':>9}{'p50 ms':>9}"
        f"{'p99 ms':>9}{'max ms':>9}{'late>10ms':>10}{'client CPU':>12}{'server CPU':>12}"
        f"{'all CPUs':>10}"
    )
    print(header)
    print("-" * len(header))
    for phase in phases:
        print(
            f"{phase.name:<31}{phase.requests / phase.window_s:>10.0f}{phase.rate:>11.0f}"
            f"{phase.requests:>9}{phase.percentile_ms(0.5):>9.1f}"
            f"{phase.percentile_ms(0.99):>9.1f}{phase.max_ms:>9.1f}{phase.late_starts:>10}"
            f"{_pct(phase.client_cpu):>12}{_pct(phase.server_cpu):>12}"
            f"{_pct(phase.machine_cpu):>10}"
        )
    _print_failures(phases)


def print_targets(
    page: PhaseResult,
    submit: PhaseResult,
    *,
    sqlite: bool,
    clients: int,
    offered: float | None = None,
) -> None:
    same = sqlite and clients == TARGET_CLIENTS
    note = "" if same else "  (defined for SQLite at 50 clients; shown for comparison)"
    if offered is not None:
        note += f"  (open loop at {offered:g}/s offered)"
    print(f"\ntargets of the issue{note}:")

    def verdict(met: bool, needs_rate: float) -> str:
        if offered is not None and offered < needs_rate:
            return f"n/a: offered < {needs_rate:.0f}/s"
        return "met" if met else "MISSED"

    p99 = submit.percentile_ms(0.99)
    checks = [
        (
            "accepted submissions/s >= 500",
            f"{submit.rate:.0f}/s",
            verdict(submit.rate >= TARGET_SUBMIT_RATE, TARGET_SUBMIT_RATE),
        ),
        (
            "submission p99 < 50 ms" if offered is None else "submission p99 < 50 ms at 500/s",
            f"{p99:.1f} ms",
            verdict(p99 < TARGET_SUBMIT_P99_MS, TARGET_SUBMIT_RATE),
        ),
        (
            "survey page GET/s >= 1,500",
            f"{page.rate:.0f}/s",
            verdict(page.rate >= TARGET_PAGE_RATE, TARGET_PAGE_RATE),
        ),
    ]
    for label, value, shown in checks:
        print(f"  {label:<32}{value:>12}   {shown}")


def verify(before: RowCounts, after: RowCounts, outcomes: Counter[str], shape: FormShape) -> bool:
    """Stored rows against every 303 received (calibration and warm-up included)."""
    accepted = outcomes["303"]
    items = len(shape.answer_fields) // 2
    dims = len(shape.importance_fields)
    new = RowCounts(
        responses=after.responses - before.responses,
        answers=after.answers - before.answers,
        importance=after.importance - before.importance,
    )
    expected = RowCounts(responses=accepted, answers=accepted * items, importance=accepted * dims)
    print(
        f"\nstored vs accepted (every POST of the run, calibration and warm-up included): "
        f"{accepted} responses answered 303; stored {new.responses} new responses, "
        f"{new.answers} answer rows (expected {expected.answers}), "
        f"{new.importance} importance rows (expected {expected.importance})"
    )
    other = {k: v for k, v in outcomes.items() if k != "303"}
    if other:
        print(f"  other POST outcomes: {other}")
    if new != expected:
        print("  MISMATCH: stored rows differ from the accepted submissions (lost data?)")
        return False
    print("  ok: every accepted submission is stored, nothing else is")
    return True


def load_description(options: Options) -> str:
    if options.rate is None:
        return f"{options.clients} clients ({options.client})"
    return (
        f"open loop, {options.rate:g} requests/s offered ({options.arrivals} arrivals) "
        f"on at most {options.clients} connections ({options.client})"
    )


def run(options: Options) -> int:
    data_dir = Path(tempfile.mkdtemp(prefix="manyi-bench-"))
    server: subprocess.Popen[bytes] | None = None
    log = data_dir / "server.log"
    try:
        with scratch_database(options.database_url, data_dir) as url:
            shown_url = make_url(url).render_as_string(hide_password=True)
            print(f"database: {shown_url}")
            tokens, before = seed(url, options.seed_responses)
            port = free_port()
            base_url = f"http://{HOST}:{port}"
            server = start_server(
                url, data_dir, port, log, app=options.app, workers=options.workers
            )
            try:
                wait_until_healthy(server, base_url, log)
                print(
                    f"server: uvicorn {options.app} pid {server.pid} on {base_url}, "
                    f"{options.workers} worker(s); "
                    f"{os.cpu_count()} CPUs shared with this load generator\n"
                    f"load: {load_description(options)}, {options.warmup_s:g} s warm-up + "
                    f"{options.duration_s:g} s measured per phase; duplicate policy at its "
                    "defaults, every submission a new phone (device cookie + user agent)",
                    flush=True,
                )
                result = asyncio.run(drive(port, tokens, options, server.pid))
            finally:
                stop_server(server)
            engine = make_engine(url)
            try:
                after = count_rows(engine)
            finally:
                engine.dispose()
        _bare, page, submit = result.phases
        print(
            f"  prepared {result.prepared} forms in {result.prepare_s:.1f} s "
            f"({result.prepared / result.prepare_s:.0f} pages/s with new device cookies); "
            f"fetched inline when a pool ran dry: {result.supply.fetched_inline}"
        )
        print("\nPOST rows time the POST alone (its page was fetched before the phase).")
        if options.rate is None:
            print()
            print_table(result.phases)
        else:
            print("Latency counts from each request's scheduled start (open loop).\n")
            print_open_table(result.phases)
        print_targets(
            page,
            submit,
            sqlite=options.database_url is None or options.database_url.startswith("sqlite"),
            clients=options.clients,
            offered=options.rate,
        )
        stored_ok = verify(before, after, result.supply.outcomes, result.supply.shape)
        server_log = log.read_text(errors="replace").strip() if log.exists() else ""
        if server_log:
            tail = "\n".join(server_log.splitlines()[-30:])
            print(f"\nserver log (last lines):\n{tail}")
        return 0 if stored_ok else 1
    finally:
        if server is not None:
            stop_server(server)
        shutil.rmtree(data_dir, ignore_errors=True)


def parse_options(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--clients",
        type=int,
        default=50,
        help="concurrent clients (50); with --rate, the most connections in use at once",
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=None,
        help="open loop: requests/s offered on a fixed schedule (default: closed loop)",
    )
    parser.add_argument(
        "--arrivals",
        choices=("poisson", "even"),
        default="poisson",
        help="with --rate: Poisson arrivals from a fixed seed (default) or evenly spaced",
    )
    parser.add_argument("--duration", type=float, default=10.0, help="measured s per phase")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured s per phase")
    parser.add_argument(
        "--database-url", default=None, help="PostgreSQL URL (a scratch database is made)"
    )
    parser.add_argument(
        "--seed-responses", type=int, default=200, help="synthetic demo answers (200)"
    )
    parser.add_argument(
        "--forms-per-client",
        type=int,
        default=None,
        help="forms fetched per client before the POST phase (default: from a calibration)",
    )
    parser.add_argument(
        "--app",
        default="api.app:create_app_from_environment",
        help="the app factory uvicorn serves (to compare a variant)",
    )
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (1)")
    parser.add_argument(
        "--client",
        choices=("httpx", "raw"),
        default="httpx",
        help="what sends the timed requests: httpx (default) or a lean HTTP/1.1 client",
    )
    args = parser.parse_args(argv)
    if min(args.clients, args.seed_responses, args.workers) < 1 or args.duration <= 0:
        parser.error("--clients, --seed-responses and --workers must be >= 1, --duration > 0")
    if args.warmup < 0:
        parser.error("--warmup must be >= 0")
    if args.rate is not None and not args.rate > 0:
        parser.error("--rate must be > 0")
    return Options(
        clients=args.clients,
        duration_s=args.duration,
        warmup_s=args.warmup,
        database_url=args.database_url,
        seed_responses=args.seed_responses,
        forms_per_client=args.forms_per_client,
        app=args.app,
        workers=args.workers,
        client=args.client,
        rate=args.rate,
        arrivals=args.arrivals,
    )


def main() -> int:
    try:
        return run(parse_options())
    except RuntimeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
