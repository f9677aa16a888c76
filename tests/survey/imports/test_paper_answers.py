"""``manyi import``: paper answers into a campaign, all or nothing, never twice."""

import csv
import io
from datetime import date
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, text
from sqlmodel import Session, select

from api.exports.report_json import report_json
from survey.imports.paper_answers import import_wide_csv
from survey.imports.wide_csv import WideCsvError
from survey.models import Campaign, SurveyResponse
from survey.places.campaigns import create_campaign
from survey.stats.reports import Scope, responses_csv, scope_answers, scope_report
from tests.factories import FixedClock
from tests.seeded_demo import seeded_demo

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def two_campaigns(session: Session, clock: FixedClock) -> tuple[Campaign, Campaign]:
    """The demo campaign (150 responses) and an empty second campaign of the same
    organisation and questionnaire over the same dates."""
    summary = seeded_demo(
        session, now=clock(), n_responses=150, salt="salt", timezone=SHANGHAI, evaluation=False
    )
    first = session.get(Campaign, summary.campaign_id)
    assert first is not None
    second = create_campaign(
        session,
        organisation_id=first.organisation_id,
        instrument_id=first.instrument_id,
        name="Paper forms",
        starts_on=first.starts_on,
        ends_on=first.ends_on,
        mode=first.mode,
    )
    session.commit()
    return first, second


def export(session: Session, campaign: Campaign) -> str:
    data = scope_answers(
        session, Scope(campaign.id or 0, (campaign.organisation_id,)), timezone=SHANGHAI
    )
    return responses_csv(data, timezone=SHANGHAI)


def count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(SurveyResponse)).one()


def test_an_exported_campaign_imported_into_another_gives_the_same_report(
    session: Session, clock: FixedClock, two_campaigns: tuple[Campaign, Campaign]
) -> None:
    """Export → import is lossless: same answers, places, days and languages, so the
    second campaign's report (from its aggregates) equals the first's."""
    first, second = two_campaigns
    summary = import_wide_csv(
        session,
        campaign_id=second.id or 0,
        text=export(session, first),
        timezone=SHANGHAI,
        now=clock(),
    )
    assert summary.responses == 150
    a = report_json(scope_report(session, Scope(first.id or 0, (first.organisation_id,))))
    b = report_json(scope_report(session, Scope(second.id or 0, (second.organisation_id,))))
    assert a == b
    assert export(session, second).splitlines()[1:] != []


def test_bad_lines_are_all_reported_and_nothing_is_stored(
    session: Session, clock: FixedClock, two_campaigns: tuple[Campaign, Campaign]
) -> None:
    """An unknown counter, an answer off the scale and a day outside the campaign are
    each reported with their line; not one row is stored, nor any aggregate."""
    first, second = two_campaigns
    rows = list(csv.reader(io.StringIO(export(session, first))))
    header = rows[0]
    rows[3][header.index("counter")] = "Z9"
    rows[5][header.index("P3")] = "9"
    rows[7][header.index("date")] = "2001-01-01"
    text_ = "\n".join(",".join(row) for row in rows[:10]) + "\n"
    before = count(session)
    aggregates = session.connection().execute(text("SELECT COUNT(*) FROM stat_sums")).scalar()
    with pytest.raises(WideCsvError) as error:
        import_wide_csv(
            session, campaign_id=second.id or 0, text=text_, timezone=SHANGHAI, now=clock()
        )
    # Cells are checked first (line 6: P3 = 9); places and days once every cell is valid.
    assert {(line, column) for line, column, _ in error.value.problems} == {(6, "P3")}
    assert count(session) == before
    assert (
        session.connection().execute(text("SELECT COUNT(*) FROM stat_sums")).scalar() == aggregates
    )
    rows[5][header.index("P3")] = "5"
    text_ = "\n".join(",".join(row) for row in rows[:10]) + "\n"
    with pytest.raises(WideCsvError) as error:
        import_wide_csv(
            session, campaign_id=second.id or 0, text=text_, timezone=SHANGHAI, now=clock()
        )
    assert {(line, column) for line, column, _ in error.value.problems} == {
        (4, "counter"),
        (8, "date"),
    }
    assert count(session) == before


def test_the_same_file_is_not_imported_twice(
    session: Session, clock: FixedClock, two_campaigns: tuple[Campaign, Campaign]
) -> None:
    """Submission keys come from the file's content and line: a second import is refused."""
    first, second = two_campaigns
    content = export(session, first)
    import_wide_csv(
        session, campaign_id=second.id or 0, text=content, timezone=SHANGHAI, now=clock()
    )
    before = count(session)
    with pytest.raises(WideCsvError, match="already been imported"):
        import_wide_csv(
            session, campaign_id=second.id or 0, text=content, timezone=SHANGHAI, now=clock()
        )
    assert count(session) == before


def test_a_file_of_another_mode_is_refused(
    session: Session, clock: FixedClock, two_campaigns: tuple[Campaign, Campaign]
) -> None:
    """Perceptions only cannot go into a paired campaign: one clear message."""
    _, second = two_campaigns
    content = f"site,counter,date,P1,P2\n{_site_and_counter(session)},{date(2026, 11, 1)},5,6\n"
    with pytest.raises(WideCsvError, match="perception_only answers but the campaign asks paired"):
        import_wide_csv(
            session, campaign_id=second.id or 0, text=content, timezone=SHANGHAI, now=clock()
        )


def _site_and_counter(session: Session) -> str:
    row = (
        session.connection()
        .execute(
            text("SELECT s.name, c.code FROM counters c JOIN sites s ON s.id = c.site_id LIMIT 1")
        )
        .one()
    )
    return f"{row[0]},{row[1]}"
