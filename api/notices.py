"""A regulator's notice (a frozen publication's content) as tables in the reader's
language: the operators' indices, their dimension gaps and their complaints. Shared by
the regulator's own pages and the public one, which show the same frozen numbers."""

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response

from api import charts, i18n
from api.case_labels import CATEGORY_LABELS
from api.deps import instrument_spec
from api.exports.tables import Column, Table
from api.printing.notice_pdf import html_to_pdf, ranking_svg
from api.templating import templates_of
from survey.models import Evaluation, FeedbackCategory, Publication
from survey.regulation.publications import Change, changes, notice_file


@dataclass(frozen=True)
class NoticeView:
    content: dict[str, Any]
    operators: Table
    gaps: Table
    complaints: Table


def _percent(value: float | None) -> float | None:
    return None if value is None else 100 * value


def ranking_bars(rows: list[dict[str, Any]]) -> list[charts.RankRow]:
    """The ranked operators' fair indices, as the ranking chart draws them."""
    return [
        charts.RankRow(row["name"], row["fair_index"], row["n"], True, "")
        for row in rows
        if row.get("rank") is not None and row.get("fair_index") is not None
    ]


def operators_table(
    rows: list[dict[str, Any]], *, name: str, title: str, note: str, _: Callable[[str], str]
) -> Table:
    """Operators' figures (:func:`survey.regulation.comparison.operator_figures`): rank,
    n, index with its interval, fair index; one without figures or rank greyed."""
    return Table(
        name,
        title,
        (
            Column("rank", _("Rank"), "int"),
            Column("name", _("Operator")),
            Column("n", _("Respondents"), "int"),
            Column("index", _("Satisfaction index"), "number", 1),
            Column("low", _("95% CI low"), "number", 1),
            Column("high", _("95% CI high"), "number", 1),
            Column("fair_index", _("Fair index (shrunken)"), "number", 1),
        ),
        [
            {
                "rank": row.get("rank"),
                "name": row["name"],
                "n": row["n"],
                "index": row.get("index"),
                "low": (row.get("ci95") or [None, None])[0],
                "high": (row.get("ci95") or [None, None])[1],
                "fair_index": row.get("fair_index"),
            }
            for row in rows
        ],
        muted_rows=frozenset(
            i for i, row in enumerate(rows) if row.get("index") is None or row.get("rank") is None
        ),
        note=note,
    )


def gaps_table(
    rows: list[dict[str, Any]],
    codes: list[str],
    *,
    name: str,
    _: Callable[[str], str],
    dimension_name: Callable[[str], str],
    note: str = "",
) -> Table:
    """A row per dimension, a column per operator: perception minus expectation, empty
    where the operator (or the dimension) is under the minimum n."""
    return Table(
        name,
        _("Gaps by dimension (perception minus expectation)"),
        (
            Column("dimension", _("Dimension")),
            *(Column(f"op{i}", row["name"], "number", 2) for i, row in enumerate(rows)),
        ),
        [
            {
                "dimension": dimension_name(code),
                **{f"op{i}": row.get("gaps", {}).get(code) for i, row in enumerate(rows)},
            }
            for code in codes
        ],
        note=note,
    )


def present_notice(
    content: dict[str, Any],
    *,
    _: Callable[[str], str],
    dimension_name: Callable[[str], str],
) -> NoticeView:
    """The notice's three tables; an operator under the minimum n shows its n only."""
    rows = content["operators"]
    operators = operators_table(
        rows,
        name="notice-operators",
        title=_("Satisfaction index per operator"),
        note=_(
            "Operators with fewer than {n} respondents are greyed, not ranked, and their "
            "figures are not shown."
        ).format(n=content["min_n"]),
        _=_,
    )
    codes = content.get("dimensions") or sorted({c for row in rows for c in row.get("gaps", {})})
    gaps = gaps_table(rows, codes, name="notice-gaps", _=_, dimension_name=dimension_name)
    categories = [c.value for c in FeedbackCategory]
    complaints = Table(
        "notice-complaints",
        _("Complaints and how they were answered"),
        (
            Column("name", _("Operator")),
            Column("received", _("Cases"), "int"),
            Column("answered_in_time", _("Answered in time"), "int"),
            Column("late", _("Late"), "int"),
            Column("rate", _("On-time rate %"), "number", 1),
            *(Column(c, _(CATEGORY_LABELS[c]), "int") for c in categories),
        ),
        [
            {
                "name": row["name"],
                "received": row["received"],
                "answered_in_time": row["answered_in_time"],
                "late": row["late"],
                "rate": _percent(row["on_time_rate"]),
                **{c: row["by_category"].get(c, 0) for c in categories},
            }
            for row in content["complaints"]
        ],
    )
    return NoticeView(content, operators, gaps, complaints)


def notice_view(request: Request, session: Session, publication: Publication) -> NoticeView:
    """The publication's frozen content as tables in the request's language, dimensions
    named as its evaluation's questionnaire names them."""
    locale = str(request.state.locale)
    evaluation = session.get(Evaluation, publication.evaluation_id)
    assert evaluation is not None
    spec = instrument_spec(request, session, evaluation.instrument_id)
    return present_notice(
        json.loads(publication.content),
        _=lambda message: i18n.gettext(locale, message),
        dimension_name=lambda code: spec.text(f"dimension.{code}", locale),
    )


def correction_changes(session: Session, publication: Publication) -> list[Change]:
    """What this version changed in the one it corrects (empty for a first version)."""
    if publication.corrects_id is None:
        return []
    before = session.get(Publication, publication.corrects_id)
    assert before is not None
    return changes(json.loads(before.content), json.loads(publication.content))


def notice_json(publication: Publication) -> Response:
    """The notice as a JSON file: its content and the content's SHA-256."""
    body = json.dumps(notice_file(publication), ensure_ascii=False, indent=2)
    name = f"notice-{publication.period}-v{publication.version}.json"
    return Response(
        body,
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def notice_pdf(request: Request, session: Session, publication: Publication) -> Response:
    """The notice as an A4 PDF in the request's language, its ranking chart drawn and its
    fonts embedded."""
    view = notice_view(request, session, publication)
    locale = str(request.state.locale)
    html = templates_of(request).render_html(
        request,
        "print/notice.html",
        {
            "publication": publication,
            "notice": view,
            "lang": locale.replace("_", "-"),
            "chart_svg": ranking_svg(
                ranking_bars(view.content["operators"]),
                charts.translated_chart_text(lambda message: i18n.gettext(locale, message)),
            ),
        },
    )
    name = f"notice-{publication.period}-v{publication.version}.pdf"
    return Response(
        html_to_pdf(html),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
