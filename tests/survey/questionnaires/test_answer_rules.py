"""Reading a submitted form: scales, blanks, importance points, item sampling."""

import pytest
from sqlmodel import Session

from survey.errors import InvalidAnswer
from survey.models import CampaignMode
from survey.questionnaires.instruments import (
    InstrumentSpec,
    ensure_default_instrument,
    load_instrument,
)
from survey.questionnaires.responses import asked_items, network_of, read_answers, salted_hash
from tests.factories import FixedClock


@pytest.fixture
def spec(session: Session, clock: FixedClock) -> InstrumentSpec:
    instrument = ensure_default_instrument(session, now=clock())
    session.commit()
    assert instrument.id is not None
    return load_instrument(session, instrument.id)


def test_blank_answers_are_none_and_values_are_integers(spec: InstrumentSpec) -> None:
    result = read_answers(
        {"p.q1": "7", "e.q1": "", "overall": "5"},
        spec=spec,
        mode=CampaignMode.paired,
        items=spec.items,
        ask_importance=True,
    )
    first = result.answers[0]
    assert (first.expectation, first.perception) == (None, 7)
    assert result.overall == 5
    assert result.importance is None
    assert all(a.is_blank for a in result.answers[1:])


@pytest.mark.parametrize("bad", ["0", "8", "-1", "3.5", "seven", "1e1", "٣٣"])
def test_values_outside_the_scale_are_refused(spec: InstrumentSpec, bad: str) -> None:
    with pytest.raises(InvalidAnswer) as error:
        read_answers(
            {"p.q1": bad},
            spec=spec,
            mode=CampaignMode.paired,
            items=spec.items,
            ask_importance=False,
        )
    assert "p.q1" in error.value.errors


def test_full_width_digits_from_a_chinese_keyboard_are_read(spec: InstrumentSpec) -> None:
    result = read_answers(
        {"w.reliability": "６０", "w.empathy": "４０", "p.q1": " 5 "},
        spec=spec,
        mode=CampaignMode.paired,
        items=spec.items,
        ask_importance=True,
    )
    assert result.importance is not None and result.importance["reliability"] == 60
    assert result.answers[0].perception == 5


def test_fields_of_items_not_asked_are_ignored(spec: InstrumentSpec) -> None:
    items = spec.items[:2]
    result = read_answers(
        {"p.q1": "3", "p.q22": "9"},
        spec=spec,
        mode=CampaignMode.paired,
        items=items,
        ask_importance=False,
    )
    assert len(result.answers) == 2


def test_importance_missing_dimensions_count_as_zero_when_total_is_100(
    spec: InstrumentSpec,
) -> None:
    result = read_answers(
        {"w.reliability": "60", "w.empathy": "40"},
        spec=spec,
        mode=CampaignMode.paired,
        items=spec.items,
        ask_importance=True,
    )
    assert result.importance == {
        "tangibles": 0,
        "reliability": 60,
        "responsiveness": 0,
        "assurance": 0,
        "empathy": 40,
    }


def test_item_sampling_is_stable_per_key_and_covers_every_dimension(
    spec: InstrumentSpec,
) -> None:
    first = asked_items(spec, items_per_dimension=2, submission_key="abc")
    again = asked_items(spec, items_per_dimension=2, submission_key="abc")
    assert first == again
    assert {item.dimension_code for item in first} == set(spec.dimension_codes)
    assert len(first) == 10
    draws = {
        tuple(i.code for i in asked_items(spec, items_per_dimension=2, submission_key=str(k)))
        for k in range(50)
    }
    assert len(draws) > 20  # the subsets really vary between respondents


def test_network_of_keeps_ipv4_and_cuts_ipv6_to_64_bits() -> None:
    assert network_of("203.0.113.7") == "203.0.113.7"
    assert network_of("2001:db8:1:2:aaaa:bbbb:cccc:dddd") == "2001:db8:1:2"


def test_salted_hash_depends_on_the_salt_and_separates_parts() -> None:
    assert salted_hash("a", "x") != salted_hash("b", "x")
    assert salted_hash("a", "xy", "z") != salted_hash("a", "x", "yz")
