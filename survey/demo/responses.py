"""Synthetic answers for the demo: customers whose views of each dimension hang together
(so reliability looks real), halls that improve or slip over the months, counters a
little better or worse than their hall, and a share of comments and importance points."""

import random
from datetime import datetime, timedelta

from sqlalchemy import insert
from sqlmodel import Session, col

from survey.models import QrLink, ResponseAnswer, ResponseImportance, SurveyResponse
from survey.places.links import new_token
from survey.questionnaires.responses import salted_hash


def _clamp(value: float, low: int = 1, high: int = 7) -> int:
    return max(low, min(high, round(value)))


def seed_responses(
    session: Session,
    *,
    rng: random.Random,
    spec_items: list[tuple[int, str]],
    dimensions: list[str],
    links: list[QrLink],
    counters: dict[int, int],
    staff_by_counter: dict[int, int],
    organisation_id: int,
    campaign_id: int,
    instrument_id: int,
    start: datetime,
    now: datetime,
    n_responses: int,
    salt: str,
    level: float = 0.0,
    salt_prefix: str = "demo",
) -> None:
    """Insert synthetic responses in bulk (executemany), not one ORM object at a time.
    ``level`` moves every perception (an operator better or worse than the demo's)."""
    if n_responses <= 0:
        return
    span = (now - start).total_seconds()
    counter_effect = {link.counter_id: {d: rng.gauss(0, 0.6) for d in dimensions} for link in links}
    site_ids = sorted(set(counters.values()))
    responses: list[dict[str, object]] = []
    answers: list[dict[str, object]] = []
    importance: list[dict[str, object]] = []
    for offset in range(n_responses):
        response_id = offset  # an index into ``responses``; replaced by the stored id below
        link = rng.choice(links)
        site_id = counters[link.counter_id]
        progress = rng.random()
        submitted_at = start + timedelta(seconds=progress * span)
        # Hall one improves over the six months, hall two slips.
        drift = (progress - 0.5) * (0.8 if site_id == site_ids[0] else -0.8)
        effect = counter_effect[link.counter_id]
        # Each customer's own view of each dimension, shared by its items: this is what
        # makes the items of a dimension hang together (Cronbach's alpha), as in real data.
        mood = {d: rng.gauss(0, 0.8) for d in dimensions}
        demanding = rng.gauss(0, 0.5)
        perceptions: list[int] = []
        for item_id, dimension in spec_items:
            if rng.random() < 0.04:
                answers.append(
                    {
                        "response_id": response_id,
                        "item_id": item_id,
                        "expectation": None,
                        "perception": None,
                        "minimum": None,
                        "desired": None,
                    }
                )
                continue
            expectation = _clamp(rng.gauss(6.1 + demanding, 0.6))
            perception = _clamp(
                rng.gauss(5.2 + level + effect[dimension] + drift + mood[dimension], 0.6)
            )
            perceptions.append(perception)
            answers.append(
                {
                    "response_id": response_id,
                    "item_id": item_id,
                    "expectation": expectation,
                    "perception": perception,
                    "minimum": None,
                    "desired": None,
                }
            )
        mean_p = sum(perceptions) / len(perceptions) if perceptions else 4.0
        overall = _clamp(1 + (mean_p - 1) * 4 / 6 + rng.gauss(0, 0.5), 1, 5)
        if rng.random() < 0.7:
            raw = [rng.uniform(0.5, 1.5) for _ in dimensions]
            points = [int(100 * w / sum(raw)) for w in raw]
            points[1] += 100 - sum(points)  # reliability takes the rounding
            importance += [
                {"response_id": response_id, "dimension_code": d, "points": p}
                for d, p in zip(dimensions, points, strict=True)
            ]
        responses.append(
            {
                "submission_key": new_token(),
                "link_id": link.id,
                "campaign_id": campaign_id,
                "instrument_id": instrument_id,
                "organisation_id": organisation_id,
                "site_id": site_id,
                "counter_id": link.counter_id,
                "staff_member_id": staff_by_counter.get(link.counter_id),
                "submitted_at": submitted_at,
                "locale": rng.choice(("zh_Hans", "zh_Hans", "zh_Hans", "zh_Hant", "en")),
                "overall": overall,
                "comment": rng.choice(_COMMENTS) if rng.random() < 0.15 else "",
                "device_hash": salted_hash(salt, "device", f"{salt_prefix}-{offset}"),
                "client_hash": salted_hash(salt, "client", f"{salt_prefix}-{offset}"),
            }
        )
    stored_ids = (
        session.execute(
            insert(SurveyResponse).returning(col(SurveyResponse.id), sort_by_parameter_order=True),
            responses,
        )
        .scalars()
        .all()
    )
    for rows in (answers, importance):
        for row in rows:
            row["response_id"] = stored_ids[int(str(row["response_id"]))]
    session.execute(insert(ResponseAnswer), answers)
    if importance:
        session.execute(insert(ResponseImportance), importance)


_COMMENTS = (
    "排队时间有点长。",
    "工作人员很耐心，谢谢！",
    "自助终端经常坏。",
    "解释资费很清楚。",
    "希望周末多开几个窗口。",
    "The clerk spoke English with me, very helpful.",
    "等了四十分钟才办理。",
    "服務態度很好。",
)
