"""A regulator set up from the command line: an authority, the operators it oversees, a
regulator's account and an evaluation that runs in every operator; bad input ends with
exit code 2 and the field's name."""

from sqlalchemy import Engine
from sqlmodel import Session, select

from survey.models import Campaign, QrLink, User
from survey.places.organisations import (
    create_counter,
    create_organisation,
    create_region,
    create_site,
)
from tests.api.cli.conftest import Manyi


def ok(manyi: Manyi, args: list[str], **options: object) -> str:
    result = manyi(args, **options)
    assert result.exit_code == 0, result.output
    return result.stdout


def operator(session: Session, slug: str) -> int:
    """An organisation with one hall and one counter."""
    organisation = create_organisation(session, name=f"Operator {slug}", slug=slug)
    assert organisation.id is not None
    create_region(session, organisation_id=organisation.id, code="440106", name="Tianhe")
    site = create_site(
        session,
        organisation_id=organisation.id,
        code=f"{slug}-1",
        name=f"Hall {slug}",
        region_code="440106",
    )
    assert site.id is not None
    create_counter(session, site_id=site.id, code="A1", name="A1")
    session.commit()
    return organisation.id


def test_an_authority_oversees_operators_and_runs_an_evaluation_in_each(
    manyi: Manyi, session: Session, engine: Engine
) -> None:
    first, second, outside = (operator(session, s) for s in ("op-a", "op-b", "op-c"))
    assert ok(manyi, ["authority", "add", "省通信管理局", "--region", "广东"]).startswith(
        "authority "
    )
    authority = ok(manyi, ["authority", "list"]).split("\t")[0]
    for organisation in (first, second):
        ok(
            manyi,
            ["authority", "oversee", "--authority", authority, "--organisation", str(organisation)],
        )
    assert ok(manyi, ["authority", "list"]).strip().endswith(f"\t{first},{second}")
    ok(
        manyi,
        ["user", "add", "miit", "--role", "regulator", "--authority", authority],
        input="s3cret-pass-2026\ns3cret-pass-2026\n",
    )
    made = ok(
        manyi,
        [
            "evaluation",
            "create",
            "--authority",
            authority,
            "2027 Q1",
            "--starts",
            "2027-01-01",
            "--ends",
            "2027-03-31",
            "--answers-per-hall",
            "40",
        ],
    )
    evaluation_id = int(made.split()[1].rstrip(":"))
    assert ok(manyi, ["evaluation", "list", "--authority", authority]).startswith(
        f"{evaluation_id}\t2027-01-01..2027-03-31\t40\t2027 Q1"
    )
    with Session(engine) as fresh:
        campaigns = fresh.exec(
            select(Campaign).where(Campaign.evaluation_id == evaluation_id)
        ).all()
        assert sorted(c.organisation_id for c in campaigns) == [first, second]
        assert outside not in {c.organisation_id for c in campaigns}
        links = fresh.exec(
            select(QrLink).where(QrLink.campaign_id.in_([c.id for c in campaigns]))  # type: ignore[union-attr]
        ).all()
        assert len(links) == 2  # one counter each
        regulator = fresh.exec(select(User).where(User.username == "miit")).one()
        assert regulator.authority_id == int(authority)


def test_bad_input_names_the_field(manyi: Manyi, session: Session) -> None:
    ok(manyi, ["authority", "add", "CA"])
    for args, field in (
        (["authority", "add", "CA"], "name"),
        (["authority", "oversee", "--authority", "99", "--organisation", "99"], "authority"),
        (
            [
                "evaluation",
                "create",
                "--authority",
                "1",
                "x",
                "--starts",
                "2027-01-01",
                "--ends",
                "2026-01-01",
            ],
            "ends_on",
        ),
    ):
        result = manyi(args)
        assert result.exit_code == 2, (args, result.output)
        assert f"{field}:" in result.output, (args, result.output)
    account = manyi(
        ["user", "add", "li", "--role", "regulator"], input="s3cret-pass-2026\ns3cret-pass-2026\n"
    )
    assert account.exit_code == 2 and "authority:" in account.output
