"""Fair rankings: small units are shrunk toward their parent and never ranked below n."""

import numpy as np
import pytest

from analytics.power_sums import AnswerMatrix, Dimension, Layout, PowerSums, power_sums
from analytics.rankings import index_ranking
from analytics.shrinkage import shrink_means

LAYOUT = Layout((Dimension("speed", ("q1", "q2")),), scale=(1, 7))


def unit(values: list[tuple[int, int]]) -> PowerSums:
    """A unit whose respondents gave these two answers each."""
    p = np.array(values, dtype=float)
    return power_sums(AnswerMatrix(LAYOUT, {"P": p}, overall=np.full(len(p), np.nan)))


def test_a_counter_with_eight_perfect_answers_does_not_top_one_with_eight_hundred() -> None:
    """DOMAIN.md: 'a counter with 8 answers must not outrank one with 800'. Eight perfect
    answers (index 100) are not ranked at all under min_n = 30, and with min_n = 5 their
    index is shrunk toward the parent's."""
    units = {
        "tiny": unit([(7, 7)] * 8),
        "busy": unit([(6, 6), (6, 7), (5, 6), (7, 6)] * 200),
        "slow": unit([(4, 5), (5, 5), (3, 4), (5, 6)] * 200),
    }
    ranking = index_ranking(units, scale=(1, 7))
    assert [(u.unit, u.rank) for u in ranking.units] == [("busy", 1), ("slow", 2), ("tiny", None)]
    loose = index_ranking(units, scale=(1, 7), min_n=5)
    tiny = next(u for u in loose.units if u.unit == "tiny")
    assert tiny.index == pytest.approx(100.0)
    assert tiny.shrunken_index < tiny.index


def test_shrunken_index_is_the_shrinkage_of_the_rescaled_unit_means() -> None:
    """I_j = (m̄_j − 1)/6·100 with m̄_j the mean of respondent means; the shrunken index is
    shrink_means on those with variances × (100/6)² and μ = the index of all units."""
    rng = np.random.default_rng(4)
    answers = {
        name: rng.integers(low, 8, size=(size, 2)).astype(float)
        for name, low, size in (("a", 1, 50), ("b", 3, 40), ("c", 4, 12))
    }
    units = {
        name: power_sums(AnswerMatrix(LAYOUT, {"P": p}, overall=np.full(len(p), np.nan)))
        for name, p in answers.items()
    }
    ranking = index_ranking(units, scale=(1, 7), min_n=10)
    respondent = {name: p.mean(axis=1) for name, p in answers.items()}
    names = ["a", "b", "c"]
    means = [(respondent[k].mean() - 1) / 6 * 100 for k in names]
    variances = [respondent[k].var(ddof=1) * (100 / 6) ** 2 for k in names]
    n = [len(respondent[k]) for k in names]
    parent = (np.concatenate([respondent[k] for k in names]).mean() - 1) / 6 * 100
    expected = shrink_means(n, means, variances, parent_mean=parent, min_n=10)
    by_name = {u.unit: u for u in ranking.units}
    for i, name in enumerate(names):
        assert by_name[name].index == pytest.approx(means[i], abs=1e-9)
        assert by_name[name].shrunken_index == pytest.approx(expected.shrunken_means[i], abs=1e-9)
        assert by_name[name].rank == expected.ranks[i]
    assert ranking.parent_index == pytest.approx(parent, abs=1e-9)


def test_units_without_two_respondents_are_listed_but_not_ranked() -> None:
    """With no unit of two respondents there is no variance to shrink with: no ranks."""
    ranking = index_ranking({"x": unit([(7, 7)]), "y": unit([(3, 3)])}, scale=(1, 7), min_n=1)
    assert all(u.rank is None for u in ranking.units)
    assert {u.unit: u.index for u in ranking.units} == {"x": 100.0, "y": pytest.approx(100 / 3)}
