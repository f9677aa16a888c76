"""Reports from stored responses agree with ``manyi analyze`` on the same answers."""

import json
import math
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session
from typer.testing import CliRunner

from api.cli import app as cli
from api.exports.report_json import report_json
from survey.errors import NotFound
from survey.models import Campaign
from survey.stats.reports import Scope, responses_csv, scope_answers, scope_report
from tests.factories import FixedClock
from tests.seeded_demo import seeded_demo


def assert_same_numbers(left: Any, right: Any, path: str = "") -> None:
    """Recursively equal, floats to 1e-9 (relative), None for undefined on both sides."""
    if isinstance(left, dict):
        assert isinstance(right, dict) and set(left) == set(right), path
        for key in left:
            assert_same_numbers(left[key], right[key], f"{path}.{key}")
    elif isinstance(left, list):
        assert isinstance(right, list) and len(left) == len(right), path
        for i, (a, b) in enumerate(zip(left, right, strict=True)):
            assert_same_numbers(a, b, f"{path}[{i}]")
    elif isinstance(left, float) and isinstance(right, float):
        assert math.isclose(left, right, rel_tol=1e-9, abs_tol=1e-12), path
    else:
        assert left == right, path


@pytest.fixture
def demo(session: Session, clock: FixedClock) -> int:
    """The demo organisation with 400 seeded responses; returns the campaign id."""
    summary = seeded_demo(session, now=clock(), n_responses=400, salt="salt", evaluation=False)
    return summary.campaign_id


def test_app_report_equals_manyi_analyze_of_the_exported_responses(
    session: Session, demo: int, tmp_path: Path
) -> None:
    """The app's report of a campaign and ``manyi analyze`` of the same responses exported
    as a wide CSV are the same report: same numbers, same cells marked insufficient."""
    campaign = session.get(Campaign, demo)
    assert campaign is not None
    scope = Scope(campaign_id=demo, organisation_ids=(campaign.organisation_id,))
    data = scope_answers(session, scope)
    assert len(data.response_ids) == 400
    path = tmp_path / "responses.csv"
    path.write_text(responses_csv(data), encoding="utf-8")
    result = CliRunner().invoke(cli, ["analyze", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    from_file = json.loads(result.output)
    from_app = report_json(scope_report(session, scope))
    for key in ("trend", "groups", "factor_check"):  # the app reports these separately
        from_file.pop(key, None)
    assert_same_numbers(from_app, from_file)
    assert from_app["n_respondents"] == 400


def test_scope_narrows_to_a_site(session: Session, demo: int) -> None:
    """A site's report counts only that site's responses."""
    campaign = session.get(Campaign, demo)
    assert campaign is not None
    whole = scope_answers(session, Scope(demo, (campaign.organisation_id,)))
    site_id = whole.places[0][0]
    expected = sum(1 for place in whole.places if place[0] == site_id)
    report = scope_report(session, Scope(demo, (campaign.organisation_id,), site_id=site_id))
    assert 0 < report.n_respondents == expected < 400


def test_a_campaign_of_another_organisation_is_not_found(session: Session, demo: int) -> None:
    """A reader scoped to other organisations cannot read the campaign (NotFound → 404)."""
    with pytest.raises(NotFound):
        scope_report(session, Scope(campaign_id=demo, organisation_ids=(demo + 999,)))
