"""``/regulator/complaints``: the operators' complaint statistics over a range of months
(the current quarter by default): received, answered in time, late, still running, the
on-time rate with its interval, and complaints per category."""

from datetime import date, datetime

from fastapi import APIRouter, Request
from starlette.responses import Response

from api.case_labels import CATEGORY_LABELS
from api.deps import NowDep, SessionDep, zone_of
from api.exports.tables import Column, Table
from api.months import checked_month, month_value
from api.regulator.scope import RegulatorAccount, authority_of
from api.templating import render, translate
from survey.errors import N_
from survey.models import FeedbackCategory
from survey.regulation.authorities import operators
from survey.regulation.complaints import OperatorComplaints, operator_complaints
from survey.stats.dashboard import add_months
from survey.stats.stat_rows import next_month

router = APIRouter()


def quarter_of(day: date) -> tuple[date, date]:
    """The first day of ``day``'s quarter and of the next one."""
    first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return first, add_months(first, 3)


def month_range(request: Request, today: date) -> tuple[date, date]:
    """``first_month``..``last_month`` from the query (422 naming a wrong one), else the
    current quarter; as first days, the end excluded."""
    first = month_value(checked_month("first_month", request.query_params.get("first_month")))
    last = month_value(checked_month("last_month", request.query_params.get("last_month")))
    since, until = quarter_of(today)
    since = first or since
    until = next_month(last) if last else until
    if until <= since:
        until = add_months(since, 1)
    return since, until


def _tables(request: Request, rows: list[OperatorComplaints]) -> tuple[Table, Table]:
    def _(message: str) -> str:
        return translate(request, message)

    answered = Table(
        "complaints",
        _(N_("Complaints and how they were answered")),
        (
            Column("operator", _(N_("Operator"))),
            Column("received", _(N_("Cases")), "int"),
            Column("on_time", _(N_("Answered in time")), "int"),
            Column("late", _(N_("Late")), "int"),
            Column("pending", _(N_("Still running")), "int"),
            Column("rate", _(N_("On-time rate %")), "number", 1),
            Column("low", _(N_("95 % CI low")), "number", 1),
            Column("high", _(N_("95 % CI high")), "number", 1),
        ),
        [
            {
                "operator": row.name,
                "received": row.received,
                "on_time": row.on_time,
                "late": row.late,
                "pending": row.pending,
                "rate": 100 * row.rate.share if row.rate.total else None,
                "low": 100 * row.rate.low if row.rate.total else None,
                "high": 100 * row.rate.high if row.rate.total else None,
            }
            for row in rows
        ],
        note=_(
            N_(
                "On time: first answered within the limit. Late: answered after it, or still "
                "unanswered past it. Cases still within their limit are not counted yet. The "
                "interval is Wilson's."
            )
        ),
    )
    categories = [c.value for c in FeedbackCategory]
    by_category = Table(
        "categories",
        _(N_("Complaints per category")),
        (
            Column("operator", _(N_("Operator"))),
            *(Column(c, _(CATEGORY_LABELS[c]), "int") for c in categories),
        ),
        [
            {"operator": row.name, **{c: row.by_category.get(c, 0) for c in categories}}
            for row in rows
        ],
    )
    return answered, by_category


@router.get("/regulator/complaints")
def show_complaints(
    request: Request, account: RegulatorAccount, session: SessionDep, now: NowDep
) -> Response:
    """The operators' complaint statistics for the months chosen."""
    zone = zone_of(request)
    since, until = month_range(request, now.astimezone(zone).date())
    rows = operator_complaints(
        session,
        organisations=operators(session, authority_of(account)),
        since=datetime.combine(since, datetime.min.time(), tzinfo=zone),
        until=datetime.combine(until, datetime.min.time(), tzinfo=zone),
        now=now,
    )
    answered, by_category = _tables(request, rows)
    return render(
        request,
        "regulator/complaints.html",
        {
            "account": account,
            "since": since,
            "last_month": add_months(until, -1),
            "tables": (answered, by_category),
        },
    )
