"""What the reliability page says about a questionnaire: which dimensions' questions do not
hold together (Cronbach's alpha under 0.7, Nunnally 1978) and whether the five-dimension
structure is questioned (under 80 % of items loading on their own dimension).

The judgement lives in the domain (:class:`survey.stats.dashboard.Reliability`), not in the
page's presenter; these tests build answers whose alpha is known to be high or low.
"""

import numpy as np
import pandas as pd
import pingouin

from analytics.factors import ACCEPTABLE_SHARE_OK, factor_structure
from analytics.power_sums import AnswerMatrix, Dimension, Layout, power_sums
from analytics.reliability import ACCEPTABLE_ALPHA
from analytics.report import ServqualReport, servqual_report
from survey.stats.dashboard import Reliability

LAYOUT = Layout(
    (
        Dimension("tangibles", ("q1", "q2", "q3")),
        Dimension("empathy", ("q4", "q5", "q6")),
    ),
    scale=(1, 7),
    overall_scale=(1, 5),
)


def answers(n: int, seed: int) -> np.ndarray:
    """Tangibles: three items driven by one mood (alpha near 0.9); empathy: three items of
    pure noise (alpha near 0)."""
    rng = np.random.default_rng(seed)
    mood = rng.normal(size=n)
    held = 4 + 1.2 * mood[:, None] + rng.normal(0, 0.5, (n, 3))
    noise = rng.normal(4, 1.3, (n, 3))
    return np.clip(np.rint(np.hstack([held, noise])), 1, 7)


def report_of(perceptions: np.ndarray) -> ServqualReport:
    overall = np.full(len(perceptions), 3.0)
    return servqual_report(
        power_sums(AnswerMatrix(LAYOUT, {"P": perceptions}, overall=overall)), LAYOUT, min_n=30
    )


def test_a_dimension_whose_questions_do_not_hold_together_is_named_with_its_alpha() -> None:
    perceptions = answers(400, seed=3)
    result = Reliability(report_of(perceptions), factors=None, sample_size=0)

    weak = dict(result.weak_dimensions)
    assert list(weak) == ["empathy"]
    independent = pingouin.cronbach_alpha(pd.DataFrame(perceptions[:, 3:]))[0]
    assert abs(weak["empathy"] - independent) < 1e-9
    assert weak["empathy"] < ACCEPTABLE_ALPHA
    assert pingouin.cronbach_alpha(pd.DataFrame(perceptions[:, :3]))[0] >= ACCEPTABLE_ALPHA


def crossed(n: int, seed: int) -> np.ndarray:
    """Two moods: q1, q2 and q4 follow the first, q3, q5 and q6 the second, so one
    tangibles item (q3) and one empathy item (q4) go with the other dimension: 4 of 6 items
    (67 %) load on their own dimension's factor."""
    rng = np.random.default_rng(seed)
    mood = rng.normal(size=(n, 2))
    follows = [0, 0, 1, 0, 1, 1]
    return np.clip(np.rint(4 + 1.2 * mood[:, follows] + rng.normal(0, 0.5, (n, 6))), 1, 7)


def test_the_structure_is_questioned_when_too_few_items_go_with_their_dimension() -> None:
    dims = [d.code for d in LAYOUT.dimensions for _ in d.items]
    report = report_of(answers(400, seed=5))

    mixed = factor_structure(crossed(600, seed=5), dims)
    assert mixed.share_ok == 4 / 6 < ACCEPTABLE_SHARE_OK
    assert Reliability(report, factors=mixed, sample_size=600).structure_questioned

    tidy = np.hstack([crossed(600, seed=7)[:, [0, 1, 3]], crossed(600, seed=7)[:, [2, 4, 5]]])
    tidy_factors = factor_structure(tidy, dims)
    assert tidy_factors.share_ok == 1.0
    assert not Reliability(report, factors=tidy_factors, sample_size=600).structure_questioned
    assert not Reliability(report, factors=None, sample_size=0).structure_questioned
