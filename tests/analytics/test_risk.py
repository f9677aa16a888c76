"""The case for a promise: the 5 × 5 matrix's bands and the support rule, by hand."""

import pytest

from analytics.risk import promise_case, risk_level, risk_score


def test_every_score_of_the_matrix_falls_in_its_band() -> None:
    """The 25 cells give 14 distinct products; 1-4 low, 5-12 medium, 15-25 high, and no
    product lies strictly between 12 and 15."""
    scores = {
        risk_score(likelihood, impact) for likelihood in range(1, 6) for impact in range(1, 6)
    }
    assert sorted(scores) == [1, 2, 3, 4, 5, 6, 8, 9, 10, 12, 15, 16, 20, 25]
    assert [risk_level(s) for s in (4, 5, 12, 15, 25)] == [
        "low",
        "medium",
        "medium",
        "high",
        "high",
    ]
    with pytest.raises(ValueError, match="1 to 5"):
        risk_score(0, 3)


def test_a_promise_is_supported_when_its_benefit_covers_its_cost_and_no_risk_is_high() -> None:
    kept = promise_case(
        yearly_cost=120_000, yearly_benefit=200_000, delivery=(3, 3), compensation=(2, 3)
    )
    assert kept.supported and (kept.delivery_score, kept.compensation_score) == (9, 6)
    even = promise_case(yearly_cost=1, yearly_benefit=1, delivery=(3, 4), compensation=(4, 3))
    assert even.supported  # 12 is medium, and a benefit equal to the cost covers it
    risky = promise_case(yearly_cost=1, yearly_benefit=2, delivery=(1, 1), compensation=(5, 3))
    assert risky.reasons == ("compensation_risk",)
