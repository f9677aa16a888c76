"""Operators side by side on one evaluation: each one's satisfaction index with its 95 %
interval and n, its dimension gaps, and a fair ranking (indices shrunk toward the mean of
all operators, none ranked under the minimum n), with the instrument and method versions
every published number carries.

Only aggregates leave this module, and none computed from fewer than ``min_n``
respondents is shown: an operator or hall below it is listed with its n and nothing else.
"""

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from analytics.indices import INDEX_METHODS
from analytics.power_sums import PowerSums
from analytics.rankings import Ranking, index_ranking
from analytics.report import ServqualReport, servqual_report
from analytics.segment import index_moments
from survey.models import Evaluation, Instrument, Site
from survey.regulation.authorities import operators
from survey.regulation.evaluations import evaluation_campaigns
from survey.stats.layouts import instrument_layout
from survey.stats.sums import StatQuery, read_stat_sums


@dataclass(frozen=True)
class HallProgress:
    """How many respondents a hall of an operator has given the evaluation so far."""

    site_id: int
    name: str
    n: int


@dataclass(frozen=True)
class OperatorResult:
    """One operator's share of the evaluation: its report (``None`` when it has no
    campaign in the evaluation, having joined the authority later) and its halls."""

    organisation_id: int
    name: str
    report: ServqualReport | None
    halls: tuple[HallProgress, ...]

    @property
    def n(self) -> int:
        return self.report.n_respondents if self.report else 0


@dataclass(frozen=True)
class Comparison:
    """The evaluation's operators over ``since``..``until`` (first days of months,
    ``until`` excluded), ranked fairly, with the versions that make it reproducible."""

    evaluation: Evaluation
    instrument: str
    method: str
    since: date
    until: date
    min_n: int
    dimension_codes: tuple[str, ...]
    operators: tuple[OperatorResult, ...]
    ranking: Ranking

    def result(self, organisation_id: int) -> OperatorResult:
        return next(o for o in self.operators if o.organisation_id == organisation_id)


def operator_comparison(
    session: Session, evaluation: Evaluation, *, since: date, until: date, min_n: int
) -> Comparison:
    """Compare the operators of ``evaluation`` on the answers to their evaluation
    campaigns between ``since`` and ``until`` (months, ``until`` excluded)."""
    assert evaluation.id is not None
    shape = instrument_layout(session, evaluation.instrument_id)
    layout = shape.layout
    campaigns = evaluation_campaigns(session, evaluation.id)
    results = []
    sums_of: dict[str, PowerSums] = {}
    for organisation in operators(session, evaluation.authority_id):
        assert organisation.id is not None
        campaign = campaigns.get(organisation.id)
        if campaign is None or campaign.id is None:
            results.append(OperatorResult(organisation.id, organisation.name, None, ()))
            continue
        query = StatQuery(campaign_id=campaign.id, since=since, until=until, group_by=("site",))
        by_site = {key[0]: sums for key, sums in read_stat_sums(session, query, layout).items()}
        total = PowerSums.total(by_site.values())
        sums_of[str(organisation.id)] = total
        report = servqual_report(total, layout, min_n=min_n, mode=evaluation.mode.value)
        results.append(
            OperatorResult(
                organisation.id,
                organisation.name,
                report,
                _halls(session, organisation.id, by_site),
            )
        )
    instrument = session.get(Instrument, evaluation.instrument_id)
    assert instrument is not None
    return Comparison(
        evaluation=evaluation,
        instrument=f"{instrument.key} v{instrument.version}",
        method=f"mean_perception v{INDEX_METHODS['mean_perception']}",
        since=since,
        until=until,
        min_n=min_n,
        dimension_codes=tuple(layout.dimension_codes),
        operators=tuple(results),
        ranking=index_ranking(sums_of, scale=layout.scale, min_n=min_n),
    )


def _halls(
    session: Session, organisation_id: int, by_site: dict[int, PowerSums]
) -> tuple[HallProgress, ...]:
    """Every hall of the operator with its respondents so far (0 for a silent hall)."""
    sites = session.exec(
        select(Site.id, Site.name)
        .where(Site.organisation_id == organisation_id)
        .order_by(col(Site.code), col(Site.id))
    ).all()
    return tuple(
        HallProgress(site_id, name, index_moments(by_site[site_id]).n if site_id in by_site else 0)
        for site_id, name in sites
        if site_id is not None
    )


def number(value: float) -> float | None:
    """A figure as published: six decimals, and no NaN (``None`` instead)."""
    return round(value, 6) if math.isfinite(value) else None


def operator_figures(comparison: Comparison) -> list[dict[str, Any]]:
    """Each operator's figures as pages, notices and the API show them, ranked ones first
    in rank order: under the minimum n only its n, and a dimension's gap only where that
    dimension reaches it (item sampling can leave one short)."""
    ranks = {int(u.unit): u for u in comparison.ranking.units}
    result = []
    for operator in comparison.operators:
        row: dict[str, Any] = {
            "id": operator.organisation_id,
            "name": operator.name,
            "n": operator.n,
        }
        report = operator.report
        unit = ranks.get(operator.organisation_id)
        if report is not None and operator.n >= comparison.min_n and unit is not None:
            index = report.index
            row |= {
                "index": number(index.value),
                "ci95": [number(index.ci95[0]), number(index.ci95[1])],
                "fair_index": number(unit.shrunken_index),
                "rank": unit.rank,
                "gaps": {
                    code: number(report.dimension(code).scores["G"].mean)
                    for code in comparison.dimension_codes
                    if "G" in report.dimension(code).scores
                    and report.dimension(code).scores["G"].sufficient
                },
            }
        result.append(row)
    result.sort(key=lambda row: (row.get("rank") is None, row.get("rank") or 0, row["name"]))
    return result
