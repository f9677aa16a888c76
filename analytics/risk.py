"""Whether a service promise is worth making: its cost against its benefit, and its two
risks on a 5 × 5 likelihood-impact matrix.

The lifecycle's design stage weighs, for each candidate promise, what keeping it costs
against what it brings, and two risks: that the provider cannot deliver the promised
level, and that it must compensate the customer when it misses. Each risk is scored as
likelihood × impact (each 1-5), so 1-25, and banded low (1-4), medium (5-12) or high
(15-25; no product of two numbers from 1 to 5 falls between 12 and 15). A promise is
supported when its benefit covers its cost and neither risk is high: "promise modestly,
deliver more". The bands are the usual ones of a 5 × 5 matrix; the rule is ours, stated
here so a reader can disagree with it.

References
----------
ISO 31000:2018, *Risk management — Guidelines*, §6.4 (risk analysis and evaluation);
IEC 31010:2019, *Risk assessment techniques*, B.10 (consequence/likelihood matrix).
"""

from dataclasses import dataclass
from typing import Literal

Level = Literal["low", "medium", "high"]


def risk_score(likelihood: int, impact: int) -> int:
    """likelihood × impact, each on 1-5.

    >>> risk_score(3, 4)
    12
    """
    for name, value in (("likelihood", likelihood), ("impact", impact)):
        if not 1 <= value <= 5:
            raise ValueError(f"{name} is on a scale of 1 to 5, not {value}")
    return likelihood * impact


def risk_level(score: int) -> Level:
    """The band of a score: low (1-4), medium (5-12), high (15-25).

    >>> risk_level(4), risk_level(12), risk_level(15)
    ('low', 'medium', 'high')
    """
    if score <= 4:
        return "low"
    if score <= 12:
        return "medium"
    return "high"


@dataclass(frozen=True)
class PromiseCase:
    """The analysis of one promise: each risk's score and band, and whether it is
    supported (with the reasons it is not)."""

    delivery_score: int
    compensation_score: int
    delivery_level: Level
    compensation_level: Level
    reasons: tuple[str, ...]

    @property
    def supported(self) -> bool:
        return not self.reasons


def promise_case(
    *,
    yearly_cost: float,
    yearly_benefit: float,
    delivery: tuple[int, int],
    compensation: tuple[int, int],
) -> PromiseCase:
    """The case for a promise: ``delivery`` and ``compensation`` are (likelihood, impact).

    Reasons a promise is not supported: ``"cost"`` (the benefit does not cover the cost),
    ``"delivery_risk"``, ``"compensation_risk"`` (that risk is high).

    >>> case = promise_case(
    ...     yearly_cost=8e5, yearly_benefit=3e5, delivery=(4, 4), compensation=(2, 3)
    ... )
    >>> case.reasons, case.delivery_score
    (('cost', 'delivery_risk'), 16)
    """
    if yearly_cost < 0 or yearly_benefit < 0:
        raise ValueError("a cost or a benefit is not negative")
    d_score, c_score = risk_score(*delivery), risk_score(*compensation)
    reasons = []
    if yearly_benefit < yearly_cost:
        reasons.append("cost")
    if risk_level(d_score) == "high":
        reasons.append("delivery_risk")
    if risk_level(c_score) == "high":
        reasons.append("compensation_risk")
    return PromiseCase(d_score, c_score, risk_level(d_score), risk_level(c_score), tuple(reasons))
