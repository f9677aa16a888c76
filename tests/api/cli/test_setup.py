"""Setting up a real organisation from the command line, without the demo: ``manyi init``
on an empty install, then regions, sites, counters, clerks and a campaign, each command
printing the ids it made and refusing bad input with exit code 2 and the field's name.

The commands run against the suite's database (SQLite or PostgreSQL, whichever this pass
tests), so what they store is checked where the app would read it.
"""

import os
import stat
from datetime import date
from pathlib import Path

import pytest
import zxingcpp
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import Engine, func
from sqlmodel import Session, select
from typer.testing import Result

from survey.installation import public_base_url
from survey.models import (
    Campaign,
    CampaignStatus,
    Organisation,
    QrLink,
    Role,
    StaffMember,
    User,
)
from tests.api.cli.conftest import Manyi
from tests.factories import FixedClock

PASSWORD = "correct-horse-7"
INIT = [
    "init",
    "--organisation",
    "广州电信 GZ Telecom",
    "--slug",
    "gz-telecom",
    "--public-url",
    "https://survey.example.cn/",
    "--admin",
    "alice",
]


def initialised(manyi: Manyi) -> Result:
    result = manyi(INIT, input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    return result


def ok(manyi: Manyi, args: list[str]) -> str:
    """What the command printed on stdout (its messages go to stderr)."""
    result = manyi(args)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_init_sets_up_an_empty_install(manyi: Manyi, engine: Engine, tmp_path: Path) -> None:
    """The organisation, its administrator (password asked twice, stored hashed), the public
    address without its trailing slash, a secret key only its owner can read, and what to
    do next."""
    output = initialised(manyi).output
    with Session(engine) as session:
        (organisation,) = session.exec(select(Organisation)).all()
        (admin,) = session.exec(select(User)).all()
        assert (organisation.name, organisation.slug) == ("广州电信 GZ Telecom", "gz-telecom")
        assert (admin.username, admin.role) == ("alice", Role.admin)
        assert PASSWORD not in admin.password_hash
        assert public_base_url(session) == "https://survey.example.cn"
    assert f"organisation {organisation.id}: 广州电信 GZ Telecom" in output
    assert f"manyi site add --organisation {organisation.id}" in output
    key = tmp_path / "data" / "secret_key"
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    assert len(key.read_text().strip()) >= 40


def test_init_is_refused_once_the_install_has_accounts(manyi: Manyi, engine: Engine) -> None:
    initialised(manyi)
    again = manyi([*INIT[:4], "other-telecom", *INIT[5:]], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert again.exit_code == 2
    assert "already set up" in again.output
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Organisation)).one() == 1


def test_init_with_a_bad_address_keeps_nothing(manyi: Manyi, engine: Engine) -> None:
    """All or nothing: the organisation and the account are not kept when the address is
    refused, so the person can simply run it again."""
    args = [*INIT[:6], "ftp://survey.example.cn", *INIT[7:]]
    result = manyi(args, input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 2
    assert "public_url:" in result.output
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Organisation)).one() == 0
        assert session.exec(select(func.count()).select_from(User)).one() == 0
    initialised(manyi)


def test_init_wants_a_password_of_ten_characters(manyi: Manyi, engine: Engine) -> None:
    """The first administrator's password is held to the rule invited accounts follow."""
    result = manyi(INIT, input="short\nshort\n")
    assert result.exit_code == 2 and "password:" in result.output
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(User)).one() == 0


def test_serve_on_an_empty_install_says_how_to_begin(manyi: Manyi) -> None:
    result = manyi(["serve", "--port", "1"])
    assert result.exit_code == 2
    assert "manyi init" in result.output


def _id(output: str, kind: str) -> str:
    """The id in a line like ``site 3: GZ-01 ...``."""
    for line in output.splitlines():
        if line.startswith(f"{kind} "):
            return line.split()[1].rstrip(":")
    raise AssertionError(f"no {kind} id in {output!r}")


def test_a_scripted_set_up_reaches_a_customer_through_the_printed_poster(
    manyi: Manyi, engine: Engine, client: TestClient, tmp_path: Path
) -> None:
    """init → region → site → counters → clerk → campaign → links → start → poster; the
    poster's QR code carries the stored public address and the survey answers once the
    campaign is started, not before, and not after it ends."""
    org = _id(initialised(manyi).output, "organisation")
    ok(manyi, ["region", "add", "--organisation", org, "440103", "荔湾区"])
    site = _id(
        ok(
            manyi,
            [
                "site",
                "add",
                "--organisation",
                org,
                "GZ-01",
                "城东营业厅",
                "--region",
                "440103",
                "--opening-hours",
                "09:00-12:00,13:00-18:00",
            ],
        ),
        "site",
    )
    counter = _id(ok(manyi, ["counter", "add", "--site", site, "A1", "1号窗口"]), "counter")
    ok(manyi, ["counter", "add", "--site", site, "A2", "2号窗口", "--service-type", "宽带"])
    ok(manyi, ["staff", "add", "--site", site, "GZ1001", "李娜", "--counter", counter])
    campaign = _id(
        ok(
            manyi,
            [
                "campaign",
                "create",
                "--organisation",
                org,
                "2027 柜台满意度",
                "--starts",
                "2026-11-01",
                "--ends",
                "2027-10-31",
            ],
        ),
        "campaign",
    )
    links = ok(manyi, ["links", "create", "--campaign", campaign]).split()
    assert len(links) == 2 and all(u.startswith("https://survey.example.cn/s/") for u in links)

    token = links[0].rsplit("/", 1)[1]
    assert client.get(f"/s/{token}").status_code == 409  # a draft takes no answers
    assert "campaign " + campaign + ": running" in ok(manyi, ["campaign", "start", campaign])
    assert client.get(f"/s/{token}").status_code == 200

    out = tmp_path / "posters"
    ok(manyi, ["qr", "--out", str(out)])
    urls = {zxingcpp.read_barcodes(Image.open(png))[0].text for png in sorted(out.glob("*.png"))}
    assert urls == set(links)

    ok(manyi, ["public-url", "https://manyi.gz-telecom.cn"])
    ok(manyi, ["qr", "--out", str(tmp_path / "again")])
    again = zxingcpp.read_barcodes(Image.open(next((tmp_path / "again").glob("*.png"))))
    assert again[0].text.startswith("https://manyi.gz-telecom.cn/s/")

    ok(manyi, ["campaign", "pause", campaign])
    assert client.get(f"/s/{token}").status_code == 409
    ok(manyi, ["campaign", "end", campaign])
    assert client.get(f"/s/{token}").status_code == 410
    with Session(engine) as session:
        stored = session.get(Campaign, int(campaign))
        assert stored is not None and stored.status == CampaignStatus.ended


@pytest.fixture
def places(manyi: Manyi) -> dict[str, str]:
    """An initialised install with one region, two sites and a counter in each."""
    org = _id(initialised(manyi).output, "organisation")
    ok(manyi, ["region", "add", "--organisation", org, "440103", "荔湾区"])
    first = _id(
        ok(manyi, ["site", "add", "--organisation", org, "S1", "One", "--region", "440103"]), "site"
    )
    second = _id(
        ok(manyi, ["site", "add", "--organisation", org, "S2", "Two", "--region", "440103"]), "site"
    )
    counter = _id(ok(manyi, ["counter", "add", "--site", first, "A1", "Window"]), "counter")
    other = _id(ok(manyi, ["counter", "add", "--site", second, "B1", "Window"]), "counter")
    return {"org": org, "site": first, "counter": counter, "other_counter": other}


BAD_INPUT = [
    (["org", "add", "X", "--slug", "Not A Slug"], "slug:"),
    (["org", "add", "", "--slug", "fine"], "name:"),
    (["org", "add", "Again", "--slug", "gz-telecom"], "slug:"),
    (["region", "add", "--organisation", "{org}", "440103", "Dup"], "code:"),
    (["region", "add", "--organisation", "999", "1", "Nowhere"], "organisation:"),
    (["site", "add", "--organisation", "{org}", "S1", "Dup", "--region", "440103"], "code:"),
    (["site", "add", "--organisation", "{org}", "S9", "X", "--region", "000"], "region:"),
    (
        [
            "site",
            "add",
            "--organisation",
            "{org}",
            "S9",
            "X",
            "--region",
            "440103",
            "--opening-hours",
            "18:00-09:00",
        ],
        "opening_hours:",
    ),
    (["site", "add", "--organisation", "{org}", "has space", "X", "--region", "440103"], "code:"),
    (["counter", "add", "--site", "999", "A1", "X"], "site:"),
    (["counter", "add", "--site", "{site}", "A1", "Dup"], "code:"),
    (["staff", "add", "--site", "{site}", "J1", "X", "--counter", "{other_counter}"], "counter:"),
    (["staff", "add", "--site", "{site}", "J1", ""], "name:"),
    (
        [
            "campaign",
            "create",
            "--organisation",
            "{org}",
            "C",
            "--starts",
            "2027-02-01",
            "--ends",
            "2027-01-01",
        ],
        "ends_on:",
    ),
    (
        [
            "campaign",
            "create",
            "--organisation",
            "{org}",
            "C",
            "--starts",
            "2027-01-01",
            "--ends",
            "2027-02-01",
            "--items-per-dimension",
            "0",
        ],
        "items_per_dimension:",
    ),
    (
        [
            "campaign",
            "create",
            "--organisation",
            "{org}",
            "C",
            "--starts",
            "2027-01-01",
            "--ends",
            "2027-02-01",
            "--site",
            "999",
        ],
        "sites:",
    ),
    (["campaign", "start", "999"], "campaign:"),
    (["staff", "leave", "999"], "staff:"),
    (["public-url", "https://user:pw@example.cn"], "public_url:"),
    (["site", "list", "--organisation", "999"], "organisation:"),
]


@pytest.mark.parametrize(
    ("args", "field"), BAD_INPUT, ids=[" ".join(a[:2]) + f" {f}" for a, f in BAD_INPUT]
)
def test_bad_input_is_refused_with_exit_2_naming_the_field(
    manyi: Manyi, places: dict[str, str], engine: Engine, args: list[str], field: str
) -> None:
    with Session(engine) as session:
        before = _counts(session)
    result = manyi([arg.format(**places) for arg in args])
    assert result.exit_code == 2, result.output
    assert field in result.output
    with Session(engine) as session:
        assert _counts(session) == before


def _counts(session: Session) -> tuple[int, ...]:
    return tuple(
        session.exec(select(func.count()).select_from(table)).one()
        for table in (Organisation, StaffMember, Campaign, User)
    )


def test_an_ended_campaign_is_not_restarted(manyi: Manyi, places: dict[str, str]) -> None:
    created = ok(
        manyi,
        [
            "campaign",
            "create",
            "--organisation",
            places["org"],
            "C",
            "--starts",
            "2027-01-01",
            "--ends",
            "2027-02-01",
        ],
    )
    campaign = _id(created, "campaign")
    ok(manyi, ["campaign", "end", campaign])
    result = manyi(["campaign", "start", campaign])
    assert result.exit_code == 2
    assert "status: a campaign cannot move from ended to running" in result.output


def test_a_clerk_who_leaves_is_kept_off_their_counter_and_their_poster_withdrawn(
    manyi: Manyi, places: dict[str, str], engine: Engine, clock: FixedClock
) -> None:
    """Their history stays; their own (per-clerk) link stops taking answers, and a new
    round of links makes none for them."""
    staff = _id(
        ok(
            manyi,
            [
                "staff",
                "add",
                "--site",
                places["site"],
                "GZ7",
                "张敏",
                "--counter",
                places["counter"],
            ],
        ),
        "staff",
    )
    campaign = _id(
        ok(
            manyi,
            [
                "campaign",
                "create",
                "--organisation",
                places["org"],
                "Clerks",
                "--starts",
                "2026-11-01",
                "--ends",
                "2027-10-31",
                "--per-staff",
            ],
        ),
        "campaign",
    )
    assert len(ok(manyi, ["links", "create", "--campaign", campaign]).split()) == 1
    ok(manyi, ["staff", "leave", staff, "--on", "2026-11-20"])
    listed = ok(manyi, ["staff", "list", "--organisation", places["org"]])
    assert "GZ7" in listed and "left 2026-11-20" in listed
    assert ok(manyi, ["links", "create", "--campaign", campaign]).split() == []
    with Session(engine) as session:
        member = session.get(StaffMember, int(staff))
        assert member is not None
        assert member.counter_id is None and member.left_on == date(2026, 11, 20)
        (link,) = session.exec(select(QrLink).where(QrLink.staff_member_id == int(staff))).all()
        assert link.revoked_at is not None
