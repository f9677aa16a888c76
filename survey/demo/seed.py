"""Demo data: one telecom operator with two business halls and six months of answers.

The synthetic answers have structure worth looking at: each counter and clerk has its own
strengths and weaknesses per dimension, expectations sit high (customers expect a lot),
and one hall improves over the months while the other slips.
"""

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from sqlalchemy import insert
from sqlmodel import Session, col, select

from survey.accounts import DEMO_PASSWORD, create_user
from survey.db import begin_write
from survey.demo.cases import seed_demo_cases
from survey.demo.inspections import seed_demo_inspections
from survey.models import (
    Organisation,
    QrLink,
    ResponseAnswer,
    ResponseImportance,
    Role,
    SurveyResponse,
)
from survey.places.campaigns import create_campaign
from survey.places.links import create_link, new_token
from survey.places.organisations import (
    create_counter,
    create_organisation,
    create_region,
    create_site,
    create_staff_member,
)
from survey.questionnaires.instruments import ensure_default_instrument, load_instrument
from survey.questionnaires.responses import salted_hash
from survey.stats.aggregation import rebuild_stat_sums

DEMO_USERS = ("admin", "manager", "supervisor", "regulator")
DEMO_SLUG = "demo-telecom"

_REGIONS = (("440103", "荔湾区 Liwan"), ("440106", "天河区 Tianhe"))
_SITES = (
    ("GZ-E", "城东营业厅 East City Hall", "440103", ("A1", "A2", "A3")),
    ("GZ-H", "高新区营业厅 Hi-Tech Park Hall", "440106", ("B1", "B2", "B3")),
)
_STAFF = (
    ("GZ1001", "李娜"),
    ("GZ1002", "王伟"),
    ("GZ1003", "张敏"),
    ("GZ1004", "刘洋"),
    ("GZ2001", "陈静"),
    ("GZ2002", "杨帆"),
    ("GZ2003", "赵磊"),
    ("GZ2004", "黄丽"),
)


@dataclass(frozen=True)
class DemoSummary:
    """What the demo created, for the command line to print."""

    organisation_id: int
    campaign_id: int
    n_responses: int
    poster_tokens: tuple[str, ...]
    display_tokens: tuple[str, ...]


def demo_exists(session: Session) -> bool:
    return (
        session.exec(select(Organisation).where(Organisation.slug == DEMO_SLUG)).first() is not None
    )


def seed_demo(
    session: Session,
    *,
    now: datetime,
    n_responses: int = 2000,
    salt: str,
    seed: int = 7,
    timezone: tzinfo = UTC,
) -> DemoSummary:
    """Create the demo organisation, accounts, campaign, links and responses. Commits."""
    begin_write(session)
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not a secret
    instrument = ensure_default_instrument(session, now=now)
    assert instrument.id is not None
    organisation = create_organisation(
        session, name="示范电信 Demo Telecom", slug=DEMO_SLUG, hotline="10000"
    )
    assert organisation.id is not None
    counters = []
    staff_ids: list[int] = []
    staff_iter = iter(_STAFF)
    for region_code, region_name in _REGIONS:
        create_region(session, organisation_id=organisation.id, code=region_code, name=region_name)
    for site_code, site_name, region, codes in _SITES:
        site = create_site(
            session,
            organisation_id=organisation.id,
            code=site_code,
            name=site_name,
            region_code=region,
            opening_hours="09:00-18:00",
        )
        assert site.id is not None
        for code in codes:
            counter = create_counter(session, site_id=site.id, code=code, name=f"{code} 号窗口")
            assert counter.id is not None
            counters.append((site.id, counter.id))
        site_counters = [c for s, c in counters if s == site.id]
        for i in range(4):
            job_number, name = next(staff_iter)
            on_duty = site_counters[i] if i < len(site_counters) else None
            staff = create_staff_member(
                session,
                site_id=site.id,
                job_number=job_number,
                display_name=name,
                counter_id=on_duty,
            )
            assert staff.id is not None
            staff_ids.append(staff.id)
    user_ids: dict[str, int] = {}
    for username in DEMO_USERS:
        user = create_user(
            session,
            username=username,
            password=DEMO_PASSWORD,
            role=Role(username),
            organisation_ids=[organisation.id],
            display_name=username.capitalize(),
            now=now,
        )
        assert user.id is not None
        user_ids[username] = user.id
    start = now.date() - timedelta(days=183)
    campaign = create_campaign(
        session,
        organisation_id=organisation.id,
        instrument_id=instrument.id,
        name="2026 柜台满意度 Counter satisfaction",
        starts_on=start,
        ends_on=date(now.year + 1, 12, 31),
    )
    assert campaign.id is not None
    posters: list[QrLink] = []
    displays: list[QrLink] = []
    for _site_id, counter_id in counters:
        posters.append(
            create_link(session, campaign_id=campaign.id, counter_id=counter_id, now=now)
        )
        displays.append(
            create_link(
                session, campaign_id=campaign.id, counter_id=counter_id, rotating=True, now=now
            )
        )
    spec = load_instrument(session, instrument.id)
    _seed_responses(
        session,
        rng=rng,
        spec_items=[(item.id, item.dimension_code) for item in spec.items],
        dimensions=list(spec.dimension_codes),
        links=posters,
        counters={counter_id: site_id for site_id, counter_id in counters},
        staff_by_counter=_staff_by_counter(counters, staff_ids),
        organisation_id=organisation.id,
        campaign_id=campaign.id,
        instrument_id=instrument.id,
        start=datetime.combine(start, datetime.min.time(), tzinfo=UTC),
        now=now,
        n_responses=n_responses,
        salt=salt,
    )
    session.commit()
    rebuild_stat_sums(session, timezone=timezone, campaign_ids=[campaign.id])
    seed_demo_cases(
        session,
        organisation_id=organisation.id,
        site_ids=sorted({site_id for site_id, _ in counters}),
        manager_id=user_ids["manager"],
        supervisor_id=user_ids["supervisor"],
        now=now,
    )
    seed_demo_inspections(
        session,
        organisation_id=organisation.id,
        site_ids=sorted({site_id for site_id, _ in counters}),
        supervisor_id=user_ids["supervisor"],
        manager_id=user_ids["manager"],
        now=now,
        timezone=timezone,
    )
    return DemoSummary(
        organisation_id=organisation.id,
        campaign_id=campaign.id,
        n_responses=n_responses,
        poster_tokens=tuple(link.token for link in posters),
        display_tokens=tuple(link.display_token for link in displays),
    )


def _staff_by_counter(counters: list[tuple[int, int]], staff_ids: list[int]) -> dict[int, int]:
    """Staff member i of a site works counter i of that site (the fourth is a floater)."""
    by_counter: dict[int, int] = {}
    for index, (_site_id, counter_id) in enumerate(counters):
        site_index, position = divmod(index, 3)
        by_counter[counter_id] = staff_ids[site_index * 4 + position]
    return by_counter


def _clamp(value: float, low: int = 1, high: int = 7) -> int:
    return max(low, min(high, round(value)))


def _seed_responses(
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
) -> None:
    """Insert synthetic responses in bulk (executemany), not one ORM object at a time."""
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
            perception = _clamp(rng.gauss(5.2 + effect[dimension] + drift + mood[dimension], 0.6))
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
                "device_hash": salted_hash(salt, "device", f"demo-{offset}"),
                "client_hash": salted_hash(salt, "client", f"demo-{offset}"),
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
