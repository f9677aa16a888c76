"""A regulator's evaluation: one instrument version, one mode and one sampling rule run
across all of an authority's operators, so that their indices can be compared.

Each operator runs its share as a campaign of its own organisation (so its halls' links,
posters and aggregates work as for any campaign), marked with ``evaluation_id``: the
comparison reads only those campaigns, and an operator's own campaigns never enter it.
"""

from collections.abc import Sequence
from datetime import date, datetime

from sqlmodel import Session, col, select

from survey.errors import N_, FieldError, InvalidAnswer, NotFound
from survey.models import Campaign, CampaignMode, Evaluation, Instrument
from survey.places.campaigns import create_campaign
from survey.places.links import ensure_campaign_links
from survey.places.organisations import checked_text
from survey.regulation.authorities import operators

MAX_ANSWERS_PER_HALL = 10_000


def create_evaluation(
    session: Session,
    *,
    authority_id: int,
    name: str,
    instrument_id: int,
    starts_on: date,
    ends_on: date,
    answers_per_hall: int = 30,
    mode: CampaignMode = CampaignMode.paired,
    created_by: int | None = None,
    now: datetime,
) -> Evaluation:
    """Add an evaluation and, in each operator the authority oversees, its campaign over
    all of the operator's halls with a printable link per counter. The instrument is one
    every operator can use (a built-in one), so all answer the same questions. Does not
    commit."""
    errors: dict[str, FieldError | str] = {}
    name = checked_text(errors, "name", name, 200, required=True)
    if ends_on < starts_on:
        errors["ends_on"] = FieldError(N_("The campaign ends before it starts."))
    if not 1 <= answers_per_hall <= MAX_ANSWERS_PER_HALL:
        errors["answers_per_hall"] = FieldError(
            N_("Ask for 1 to %(limit)s answers per hall."), {"limit": MAX_ANSWERS_PER_HALL}
        )
    instrument = session.get(Instrument, instrument_id)
    if instrument is None or instrument.organisation_id is not None:
        errors["instrument"] = FieldError(N_("Choose a questionnaire every operator can use."))
    members = operators(session, authority_id)
    if not members:
        errors["authority"] = FieldError(N_("The authority oversees no operator yet."))
    if errors:
        raise InvalidAnswer(errors)
    evaluation = Evaluation(
        authority_id=authority_id,
        name=name,
        instrument_id=instrument_id,
        mode=mode,
        starts_on=starts_on,
        ends_on=ends_on,
        answers_per_hall=answers_per_hall,
        created_by=created_by,
        created_at=now,
    )
    session.add(evaluation)
    session.flush()
    assert evaluation.id is not None
    for organisation in members:
        assert organisation.id is not None
        campaign = create_campaign(
            session,
            organisation_id=organisation.id,
            instrument_id=instrument_id,
            name=name,
            starts_on=starts_on,
            ends_on=ends_on,
            mode=mode,
            ask_importance=False,
            evaluation_id=evaluation.id,
        )
        assert campaign.id is not None
        ensure_campaign_links(session, campaign_id=campaign.id, now=now)
    return evaluation


def evaluations_of(session: Session, authority_id: int) -> Sequence[Evaluation]:
    """The authority's evaluations, the latest first."""
    return session.exec(
        select(Evaluation)
        .where(Evaluation.authority_id == authority_id)
        .order_by(col(Evaluation.starts_on).desc(), col(Evaluation.id).desc())
    ).all()


def evaluation_of(session: Session, authority_id: int, evaluation_id: int) -> Evaluation:
    """The authority's evaluation; NotFound for another authority's (no hint it exists)."""
    evaluation = session.get(Evaluation, evaluation_id)
    if evaluation is None or evaluation.authority_id != authority_id:
        raise NotFound(f"evaluation {evaluation_id}")
    return evaluation


def evaluation_campaigns(session: Session, evaluation_id: int) -> dict[int, Campaign]:
    """Each operator's campaign of the evaluation, by organisation id."""
    campaigns = session.exec(select(Campaign).where(Campaign.evaluation_id == evaluation_id))
    return {campaign.organisation_id: campaign for campaign in campaigns}
