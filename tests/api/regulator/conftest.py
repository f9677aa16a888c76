"""What the regulator's page tests share: two authorities, three operators, an evaluation
with answers, and an account of each kind."""

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from survey.models import Campaign, Evaluation, QrLink, Role
from survey.places.changes import committed
from survey.questionnaires.instruments import ensure_default_instrument
from survey.regulation.authorities import create_authority, oversee
from survey.regulation.evaluations import create_evaluation
from tests.factories import FixedClock, Place, answer_through_link, make_place
from tests.web import add_regulator, add_user

SECRET_COMMENT = "the clerk at A1 was rude to me on Monday"


class Setting:
    def __init__(self, a: Place, b: Place, c: Place, evaluation: Evaluation) -> None:
        self.a, self.b, self.c, self.evaluation = a, b, c, evaluation


@pytest.fixture
def setting(session: Session, clock: FixedClock) -> Setting:
    """Authority CA over operators a and b (an evaluation: 35 answers from a, 5 from b);
    authority CB over c. Accounts: ``miit`` of CA, ``other`` of CB, ``wang`` managing a,
    ``sun`` supervising a."""
    now = clock()
    a, b, c = (make_place(session, now=now, slug=slug) for slug in ("op-a", "op-b", "op-c"))
    ca = committed(session, create_authority, name="CA", now=now)
    cb = committed(session, create_authority, name="CB", now=now)
    assert ca.id is not None and cb.id is not None
    for authority_id, place in ((ca.id, a), (ca.id, b), (cb.id, c)):
        committed(
            session,
            oversee,
            authority_id=authority_id,
            organisation_id=place.organisation.id or 0,
            since=now.date(),
        )
    instrument = ensure_default_instrument(session, now=now)
    evaluation = committed(
        session,
        create_evaluation,
        authority_id=ca.id,
        name="Q4 evaluation",
        instrument_id=instrument.id or 0,
        starts_on=now.date() - timedelta(days=5),
        ends_on=now.date() + timedelta(days=90),
        answers_per_hall=30,
        now=now,
    )
    for place, count in ((a, 35), (b, 5)):
        link = session.exec(
            select(QrLink)
            .join(Campaign, Campaign.id == QrLink.campaign_id)  # type: ignore[arg-type]
            .where(
                Campaign.evaluation_id == evaluation.id,
                Campaign.organisation_id == place.organisation.id,
            )
        ).one()
        for i in range(count):
            answer_through_link(
                session,
                link.token,
                [5 + i % 3] * 22,
                now=now,
                key=f"{place.organisation.id}-{i}",
                comment=SECRET_COMMENT,
            )
    add_regulator(session, clock, "miit", ca.id)
    add_regulator(session, clock, "other", cb.id)
    add_user(session, clock, "wang", Role.manager, [a.organisation.id or 0])
    add_user(session, clock, "sun", Role.supervisor, [a.organisation.id or 0])
    return Setting(a, b, c, evaluation)
