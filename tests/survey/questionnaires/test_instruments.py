"""The built-in questionnaire and versioned adaptations."""

from collections import Counter as Tally

import pytest
from sqlmodel import Session

from survey.errors import InvalidAnswer
from survey.questionnaires.instruments import (
    adapt_instrument,
    ensure_default_instrument,
    load_instrument,
)
from tests.factories import FixedClock, make_place


def test_default_instrument_has_the_servqual_structure_in_three_languages(
    session: Session, clock: FixedClock
) -> None:
    """Parasuraman, Zeithaml & Berry (1988): 22 items, 4-5-4-4-5 over five dimensions."""
    instrument = ensure_default_instrument(session, now=clock())
    assert instrument.id is not None
    spec = load_instrument(session, instrument.id)
    assert spec.dimension_codes == (
        "tangibles",
        "reliability",
        "responsiveness",
        "assurance",
        "empathy",
    )
    sizes = Tally(item.dimension_code for item in spec.items)
    assert [sizes[d] for d in spec.dimension_codes] == [4, 5, 4, 4, 5]
    assert (spec.scale_min, spec.scale_max) == (1, 7)
    for locale in ("zh_Hans", "zh_Hant", "en"):
        for item in spec.items:
            assert (f"item.{item.code}", locale) in spec.texts
        assert ("dimension.tangibles", locale) in spec.texts
    # Each language has its own wording, not a copy of another.
    assert spec.text("item.q2", "zh_Hans") != spec.text("item.q2", "zh_Hant")


def test_ensure_default_instrument_is_idempotent(session: Session, clock: FixedClock) -> None:
    first = ensure_default_instrument(session, now=clock())
    second = ensure_default_instrument(session, now=clock())
    assert first.id == second.id


def test_adapting_wording_makes_a_new_version_and_leaves_the_old_untouched(
    session: Session, clock: FixedClock
) -> None:
    place = make_place(session, now=clock())
    base = place.campaign.instrument_id
    assert place.organisation.id is not None
    adapted = adapt_instrument(
        session,
        instrument_id=base,
        organisation_id=place.organisation.id,
        texts={("item.q2", "en"): "The branch is clean and tidy."},
        new_items=[
            (
                "q23",
                "empathy",
                {"en": "Staff speak Cantonese when asked.", "zh_Hans": "需要时工作人员会讲粤语。"},
            )
        ],
        now=clock(),
    )
    session.commit()
    assert adapted.id is not None and adapted.parent_id == base
    assert adapted.version == 2
    new_spec = load_instrument(session, adapted.id)
    old_spec = load_instrument(session, base)
    assert new_spec.text("item.q2", "en") == "The branch is clean and tidy."
    assert old_spec.text("item.q2", "en") == "The hall is clean, bright and comfortable."
    assert len(new_spec.items) == 23 and len(old_spec.items) == 22
    assert new_spec.text("item.q23", "zh_Hant") == "Staff speak Cantonese when asked."  # falls back


def test_adapting_refuses_a_duplicate_item_code(session: Session, clock: FixedClock) -> None:
    place = make_place(session, now=clock())
    assert place.organisation.id is not None
    with pytest.raises(InvalidAnswer):
        adapt_instrument(
            session,
            instrument_id=place.campaign.instrument_id,
            organisation_id=place.organisation.id,
            new_items=[("q1", "empathy", {"en": "again"})],
            now=clock(),
        )
