"""Reports from stored responses: answers of a scope → power sums → an analytics report.

A scope is a campaign, optionally narrowed to a site, counter or staff member and to a date
range, always within the organisations the reader may see. This first version reads the raw
answers of the scope; the daily aggregates (issue 3, next step) will produce the same power
sums without reading every answer, and the tests compare the two.
"""

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

import numpy as np
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from analytics.control import period_label
from analytics.intervals import DEFAULT_MIN_N
from analytics.power_sums import AnswerMatrix, Dimension, Layout, power_sums
from analytics.report import ServqualReport, servqual_report
from survey.errors import NotFound
from survey.instruments import InstrumentSpec, load_instrument
from survey.models import (
    Campaign,
    CampaignMode,
    ResponseAnswer,
    ResponseImportance,
    SurveyResponse,
)

FIELD_COLUMNS = {"E": "expectation", "P": "perception", "MIN": "minimum", "DES": "desired"}
MODE_FIELDS = {
    CampaignMode.paired: ("E", "P"),
    CampaignMode.perception_only: ("P",),
    CampaignMode.three_column: ("MIN", "DES", "P"),
}


@dataclass(frozen=True)
class Scope:
    """Which responses a report covers; ``None`` means 'all' for that criterion."""

    campaign_id: int
    organisation_ids: tuple[int, ...]
    site_id: int | None = None
    counter_id: int | None = None
    staff_member_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None


def layout_of(spec: InstrumentSpec) -> Layout:
    """The analytics layout of an instrument version."""
    return Layout(
        tuple(Dimension(d.code, tuple(item.code for item in d.items)) for d in spec.dimensions),
        scale=(spec.scale_min, spec.scale_max),
        overall_scale=(spec.overall_min, spec.overall_max),
    )


@dataclass(frozen=True)
class ScopeAnswers:
    """The answers of a scope with the response ids and their places, row by row."""

    campaign: Campaign
    spec: InstrumentSpec
    answers: AnswerMatrix
    response_ids: list[int]
    places: list[tuple[int, int, int | None, datetime]]


def scope_answers(session: Session, scope: Scope) -> ScopeAnswers:
    """Read the answers of every response in ``scope`` into an :class:`AnswerMatrix`.

    Raises NotFound when the campaign does not exist or belongs to an organisation outside
    ``scope.organisation_ids``.
    """
    campaign = session.get(Campaign, scope.campaign_id)
    if campaign is None or campaign.organisation_id not in scope.organisation_ids:
        raise NotFound(f"campaign {scope.campaign_id}")
    spec = load_instrument(session, campaign.instrument_id)
    layout = layout_of(spec)
    fields = MODE_FIELDS[campaign.mode]

    conditions = [col(SurveyResponse.campaign_id) == scope.campaign_id]
    if scope.site_id is not None:
        conditions.append(col(SurveyResponse.site_id) == scope.site_id)
    if scope.counter_id is not None:
        conditions.append(col(SurveyResponse.counter_id) == scope.counter_id)
    if scope.staff_member_id is not None:
        conditions.append(col(SurveyResponse.staff_member_id) == scope.staff_member_id)
    if scope.since is not None:
        conditions.append(col(SurveyResponse.submitted_at) >= scope.since)
    if scope.until is not None:
        conditions.append(col(SurveyResponse.submitted_at) < scope.until)

    responses = session.execute(
        sa_select(
            col(SurveyResponse.id),
            col(SurveyResponse.overall),
            col(SurveyResponse.site_id),
            col(SurveyResponse.counter_id),
            col(SurveyResponse.staff_member_id),
            col(SurveyResponse.submitted_at),
        )
        .where(*conditions)
        .order_by(col(SurveyResponse.id))
    ).all()
    row_of = {int(r[0]): i for i, r in enumerate(responses)}
    n, k = len(responses), len(layout.items)
    column_of = {item.id: i for i, item in enumerate(spec.items)}
    values = {f: np.full((n, k), np.nan) for f in fields}
    overall = np.array([np.nan if r[1] is None else float(r[1]) for r in responses])

    response_filter = col(ResponseAnswer.response_id).in_(
        sa_select(col(SurveyResponse.id)).where(*conditions)
    )
    answer_rows = session.execute(
        sa_select(
            col(ResponseAnswer.response_id),
            col(ResponseAnswer.item_id),
            col(ResponseAnswer.expectation),
            col(ResponseAnswer.perception),
            col(ResponseAnswer.minimum),
            col(ResponseAnswer.desired),
        ).where(response_filter)
    ).all()
    positions = {"E": 2, "P": 3, "MIN": 4, "DES": 5}
    for row in answer_rows:
        r, c = row_of.get(int(row[0])), column_of.get(int(row[1]))
        if r is None or c is None:
            continue
        for f in fields:
            value = row[positions[f]]
            if value is not None:
                values[f][r, c] = float(value)

    importance = None
    if campaign.ask_importance:
        importance = np.full((n, len(layout.dimension_codes)), np.nan)
        dimension_of = {code: i for i, code in enumerate(layout.dimension_codes)}
        importance_rows = session.execute(
            sa_select(
                col(ResponseImportance.response_id),
                col(ResponseImportance.dimension_code),
                col(ResponseImportance.points),
            ).where(
                col(ResponseImportance.response_id).in_(
                    sa_select(col(SurveyResponse.id)).where(*conditions)
                )
            )
        ).all()
        for response_id, code, points in importance_rows:
            r = row_of.get(int(response_id))
            if r is not None and code in dimension_of:
                importance[r, dimension_of[code]] = float(points)

    return ScopeAnswers(
        campaign=campaign,
        spec=spec,
        answers=AnswerMatrix(layout, values, overall=overall, importance=importance),
        response_ids=[int(r[0]) for r in responses],
        places=[(int(r[2]), int(r[3]), r[4], r[5]) for r in responses],
    )


def scope_report(
    session: Session, scope: Scope, *, min_n: int = DEFAULT_MIN_N, missing: str = "listwise"
) -> ServqualReport:
    """The SERVQUAL report of the responses in ``scope``."""
    data = scope_answers(session, scope)
    return servqual_report(
        power_sums(data.answers),
        data.answers.layout,
        min_n=min_n,
        missing=missing,
        mode=data.campaign.mode.value,
    )


def responses_csv(
    data: ScopeAnswers, *, timezone: tzinfo = UTC, period_grain: str = "month"
) -> str:
    """The responses as a wide CSV that ``manyi analyze`` reads back (one row each).

    Items are numbered by their position in the instrument (column ``P3`` is the third
    item), which is what an ``--instrument`` map for this instrument refers to. ``period``
    is the submission's month (or ``period_grain``: day, week, quarter) in ``timezone``, so
    ``manyi analyze`` draws the trend per month.
    """
    layout = data.answers.layout
    prefixes = {"E": "E", "P": "P", "MIN": "MIN", "DES": "DES"}
    fields = [f for f in ("MIN", "DES", "E", "P") if f in data.answers.values]
    numbers = {code: i + 1 for i, code in enumerate(layout.items)}
    header = ["respondent_id", "site", "counter", "staff", "period"]
    header += [f"{prefixes[f]}{numbers[code]}" for f in fields for code in layout.items]
    if data.answers.importance is not None:
        header += [f"W_{code}" for code in layout.dimension_codes]
    header.append("overall")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)

    def cell(value: float) -> str:
        return "" if np.isnan(value) else str(int(value))

    for i, response_id in enumerate(data.response_ids):
        site, counter, staff, submitted = data.places[i]
        period = period_label(submitted.astimezone(timezone).date(), period_grain)
        row = [str(response_id), str(site), str(counter), "" if staff is None else str(staff)]
        row.append(period)
        row += [cell(v) for f in fields for v in data.answers.values[f][i]]
        if data.answers.importance is not None:
            row += [cell(v) for v in data.answers.importance[i]]
        row.append(cell(data.answers.overall[i]))
        writer.writerow(row)
    return buffer.getvalue()
