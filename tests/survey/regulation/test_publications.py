"""Notices: frozen as canonical JSON with its SHA-256, carried from draft through review to
published, never changed afterwards (the database refuses it, not only the code), and
corrected by a next version that says why and what changed."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from survey.cases.worktime import SHANGHAI
from survey.errors import InvalidAnswer, PublicationStateConflict
from survey.models import Campaign, Evaluation, PublicationStatus, QrLink, User
from survey.places.changes import committed
from survey.questionnaires.instruments import ensure_default_instrument
from survey.regulation.authorities import create_authority, oversee
from survey.regulation.comparison import operator_comparison
from survey.regulation.evaluations import create_evaluation
from survey.regulation.publications import (
    advance,
    canonical,
    content_hash,
    correct,
    discard,
    freeze,
    notice_file,
    quarter,
    quarter_label,
    verify_notice,
)
from tests.factories import FixedClock, answer_through_link, local_day, make_place
from tests.web import add_regulator


@pytest.fixture
def evaluation(session: Session, clock: FixedClock) -> Evaluation:
    """Two operators of one authority in an evaluation: 40 answers from the first."""
    now = clock()
    places = [make_place(session, now=now, slug=slug) for slug in ("op-a", "op-b")]
    authority = committed(session, create_authority, name="CA", now=now)
    for place in places:
        committed(
            session,
            oversee,
            authority_id=authority.id or 0,
            organisation_id=place.organisation.id or 0,
            since=now.date(),
        )
    made = committed(
        session,
        create_evaluation,
        authority_id=authority.id or 0,
        name="Evaluation",
        instrument_id=ensure_default_instrument(session, now=now).id or 0,
        starts_on=now.date() - timedelta(days=3),
        ends_on=now.date() + timedelta(days=200),
        now=now,
    )
    answer_many(session, made, places[0].organisation.id or 0, 40, clock)
    add_regulator(session, clock, "miit", authority.id or 0)
    return made


@pytest.fixture
def user_id(session: Session, evaluation: Evaluation) -> int:
    """The authority's regulator, who takes the steps."""
    return session.exec(select(User.id).where(User.username == "miit")).one() or 0


def answer_many(
    session: Session, evaluation: Evaluation, organisation_id: int, count: int, clock: FixedClock
) -> None:
    link = session.exec(
        select(QrLink)
        .join(Campaign, Campaign.id == QrLink.campaign_id)  # type: ignore[arg-type]
        .where(Campaign.evaluation_id == evaluation.id, Campaign.organisation_id == organisation_id)
    ).one()
    for i in range(count):
        answer_through_link(
            session,
            link.token,
            [4 + i % 4] * 22,
            now=clock(),
            key=f"{organisation_id}-{clock()}-{i}",
        )


def frozen(session: Session, evaluation: Evaluation, clock: FixedClock, **kwargs: object):  # type: ignore[no-untyped-def]
    return committed(
        session,
        freeze,
        authority_id=evaluation.authority_id,
        evaluation_id=evaluation.id or 0,
        period=quarter_label(local_day(clock())),
        user_id=None,
        now=clock(),
        timezone=SHANGHAI,
        **kwargs,
    )


def test_a_notice_freezes_the_quarters_figures_with_their_hash(
    session: Session, clock: FixedClock, evaluation: Evaluation
) -> None:
    notice = frozen(session, evaluation, clock)
    content = json.loads(notice.content)
    assert notice.content == canonical(content)
    assert notice.content_hash == content_hash(notice.content)
    assert (notice.version, notice.status) == (1, PublicationStatus.draft)
    since, until = quarter(notice.period)
    comparison = operator_comparison(session, evaluation, since=since, until=until, min_n=30)
    first, second = content["operators"]
    report = comparison.result(comparison.operators[0].organisation_id).report
    assert report is not None
    assert first["n"] == 40 and first["index"] == pytest.approx(report.index.value, abs=1e-6)
    assert first["ci95"] == pytest.approx(list(report.index.ci95), abs=1e-6)
    assert {k: second[k] for k in second if k != "id"} == {"name": "Org op-b", "n": 0}  # n only
    assert content["instrument"] == comparison.instrument
    assert content["method"] == "mean_perception v1"


def test_a_notice_goes_through_review_and_then_never_changes(
    session: Session, clock: FixedClock, evaluation: Evaluation, user_id: int
) -> None:
    notice = frozen(session, evaluation, clock)
    committed(session, advance, notice, user_id=user_id, now=clock())
    assert notice.status == PublicationStatus.review
    committed(session, advance, notice, user_id=user_id, now=clock())
    assert notice.status == PublicationStatus.published
    with pytest.raises(PublicationStateConflict):
        committed(session, advance, notice, user_id=user_id, now=clock())
    with pytest.raises(PublicationStateConflict):
        committed(session, discard, notice)
    for statement in (
        "UPDATE publications SET status = 'draft' WHERE id = :id",
        "UPDATE publications SET correction_reason = 'x' WHERE id = :id",
        "DELETE FROM publications WHERE id = :id",
    ):
        with pytest.raises(DBAPIError):
            session.execute(text(statement), {"id": notice.id})
        session.rollback()
    assert session.get(type(notice), notice.id) is not None


def test_even_a_drafts_content_is_never_rewritten_but_a_draft_may_be_discarded(
    session: Session, clock: FixedClock, evaluation: Evaluation
) -> None:
    notice = frozen(session, evaluation, clock)
    with pytest.raises(DBAPIError):
        session.execute(
            text("UPDATE publications SET content = '{}' WHERE id = :id"), {"id": notice.id}
        )
    session.rollback()
    committed(session, discard, notice)
    assert session.get(type(notice), notice.id) is None


def test_a_correction_is_the_next_version_saying_why_and_what_changed(
    session: Session, clock: FixedClock, evaluation: Evaluation, user_id: int
) -> None:
    notice = frozen(session, evaluation, clock)
    committed(session, advance, notice, user_id=user_id, now=clock())
    committed(session, advance, notice, user_id=user_id, now=clock())
    second = session.exec(
        select(Campaign.organisation_id).where(Campaign.evaluation_id == evaluation.id)
    ).all()[1]
    clock.advance(minutes=5)
    answer_many(session, evaluation, second, 35, clock)  # late answers reach operator b
    with pytest.raises(InvalidAnswer):
        committed(
            session, correct, notice, reason=" ", user_id=user_id, now=clock(), timezone=SHANGHAI
        )
    fixed = committed(
        session,
        correct,
        notice,
        reason="Operator b's late paper answers",
        user_id=user_id,
        now=clock(),
        timezone=SHANGHAI,
    )
    assert (fixed.version, fixed.corrects_id, fixed.status) == (
        2,
        notice.id,
        PublicationStatus.draft,
    )
    content = json.loads(fixed.content)
    assert content["corrects_version"] == 1
    assert content["correction_reason"] == "Operator b's late paper answers"
    assert content["operators"][1]["n"] == 35 and content["operators"][1]["index"] is not None
    assert set(json.loads(notice.content)["operators"][1]) == {"id", "name", "n"}
    with pytest.raises(PublicationStateConflict):
        committed(
            session, correct, fixed, reason="again", user_id=user_id, now=clock(), timezone=SHANGHAI
        )


def test_a_downloaded_notice_verifies_and_a_touched_one_does_not(
    session: Session, clock: FixedClock, evaluation: Evaluation
) -> None:
    document = json.loads(json.dumps(notice_file(frozen(session, evaluation, clock))))
    assert verify_notice(document)
    document["content"]["operators"][0]["index"] += 0.1
    assert not verify_notice(document)
    assert not verify_notice({"content": "x"}) and not verify_notice([])


@pytest.mark.parametrize("label", ["2026-Q5", "2026Q1", "26-Q1", ""])
def test_a_period_is_a_quarter(label: str) -> None:
    with pytest.raises(InvalidAnswer):
        quarter(label)
