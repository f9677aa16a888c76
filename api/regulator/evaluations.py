"""``/regulator``: the authority's operators and evaluations; one evaluation's comparison
of the operators (index with interval and n, fair ranking, dimension gaps, each hall's
progress toward the sampling rule); a new evaluation."""

from datetime import date

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import Response

from analytics.intervals import DEFAULT_MIN_N
from api import charts, i18n
from api.deps import NowDep, SessionDep, instrument_spec, zone_of
from api.forms import PostedFormDep, check_csrf, chosen_id
from api.months import checked_month, month_value
from api.refused import Refused, form_day, form_round_trip
from api.regulator.presenters import present_comparison
from api.regulator.scope import RegulatorAccount, authority_of
from api.templating import render
from survey.accounts import Account
from survey.errors import N_, FieldError, InvalidAnswer
from survey.models import Authority, CampaignMode, Evaluation
from survey.places.changes import committed
from survey.questionnaires.instruments import instrument_choices
from survey.regulation.authorities import operators
from survey.regulation.comparison import operator_comparison
from survey.regulation.evaluations import create_evaluation, evaluation_of, evaluations_of
from survey.stats.dashboard import add_months
from survey.stats.stat_rows import month_of, next_month

router = APIRouter()
EVALUATION_FIELDS = ("name", "instrument", "mode", "starts_on", "ends_on", "answers_per_hall")


def _home_page(
    request: Request,
    session: Session,
    account: Account,
    today: date,
    refused: Refused | None = None,
) -> Response:
    authority_id = authority_of(account)
    return render(
        request,
        "regulator/home.html",
        {
            "account": account,
            "authority": session.get(Authority, authority_id),
            "operators": operators(session, authority_id),
            "evaluations": evaluations_of(session, authority_id),
            "instruments": [
                (i.id, f"{i.key} v{i.version}") for i in instrument_choices(session, None)
            ],
            "today": today,
            "refused": refused,
        },
        status_code=422 if refused else 200,
    )


@router.get("/regulator")
def show_regulator_home(
    request: Request, account: RegulatorAccount, session: SessionDep, now: NowDep
) -> Response:
    """The authority, the operators it oversees and its evaluations."""
    return _home_page(request, session, account, now.astimezone(zone_of(request)).date())


def _answers_per_hall(value: str) -> int:
    value = value.strip()
    if not value.isdecimal() or len(value) > 6:
        raise InvalidAnswer({"answers_per_hall": FieldError(N_("Give a whole number of answers."))})
    return int(value)


@router.post("/regulator/evaluations")
def submit_evaluation(
    request: Request,
    form: PostedFormDep,
    account: RegulatorAccount,
    session: SessionDep,
    now: NowDep,
) -> Response:
    """Start an evaluation: a campaign in every operator, all with the same instrument,
    mode and sampling rule."""
    check_csrf(request, form)

    def create(values: dict[str, str]) -> Evaluation:
        if values["mode"] not in {mode.value for mode in CampaignMode}:
            raise InvalidAnswer({"mode": FieldError(N_("Please choose how items are asked."))})
        instrument = values["instrument"]
        return committed(
            session,
            create_evaluation,
            authority_id=authority_of(account),
            name=values["name"],
            instrument_id=chosen_id(instrument),
            starts_on=form_day(values["starts_on"], "starts_on"),
            ends_on=form_day(values["ends_on"], "ends_on"),
            answers_per_hall=_answers_per_hall(values["answers_per_hall"]),
            mode=CampaignMode(values["mode"]),
            created_by=account.id,
            now=now,
        )

    return form_round_trip(
        request,
        form,
        form_id="evaluation",
        fields=EVALUATION_FIELDS,
        change=create,
        page=lambda refused: _home_page(
            request, session, account, now.astimezone(zone_of(request)).date(), refused
        ),
        done=lambda evaluation: f"/regulator/evaluations/{evaluation.id}",
    )


def evaluation_months(request: Request, evaluation: Evaluation, today: date) -> tuple[date, date]:
    """``first_month``..``last_month`` from the query (422 naming a wrong one), else the
    evaluation's months up to today's; as first days, the end excluded."""
    first = month_value(checked_month("first_month", request.query_params.get("first_month")))
    last = month_value(checked_month("last_month", request.query_params.get("last_month")))
    since = first or month_of(evaluation.starts_on)
    until = next_month(last) if last else next_month(month_of(min(evaluation.ends_on, today)))
    if until <= since:
        until = add_months(since, 1)
    return since, until


def min_n_of(request: Request) -> int:
    value = request.query_params.get("min_n", "").strip()
    if not value:
        return DEFAULT_MIN_N
    if not value.isdecimal() or len(value) > 6 or not 1 <= int(value) <= 100_000:
        raise InvalidAnswer({"min_n": FieldError(N_("Give a whole number from 1 to 100000."))})
    return int(value)


@router.get("/regulator/evaluations/{evaluation_id}")
def show_evaluation(
    request: Request,
    evaluation_id: int,
    account: RegulatorAccount,
    session: SessionDep,
    now: NowDep,
) -> Response:
    """The operators side by side on the evaluation's months so far (or on the months
    ``first_month``..``last_month``), aggregates of at least ``min_n`` respondents only."""
    evaluation = evaluation_of(session, authority_of(account), evaluation_id)
    since, until = evaluation_months(request, evaluation, now.astimezone(zone_of(request)).date())
    comparison = operator_comparison(
        session, evaluation, since=since, until=until, min_n=min_n_of(request)
    )
    locale = str(request.state.locale)
    spec = instrument_spec(request, session, evaluation.instrument_id)
    view = present_comparison(
        comparison,
        _=lambda message: i18n.gettext(locale, message),
        dimension_name=lambda code: spec.text(f"dimension.{code}", locale),
        dimension_codes=comparison.dimension_codes,
    )
    return render(
        request,
        "regulator/evaluation.html",
        {
            "account": account,
            "comparison": comparison,
            "view": view,
            "last_month": add_months(until, -1),
            "vega_version": charts.VEGA_BUNDLE_VERSION,
        },
    )
