"""Demo data: one telecom operator with two business halls and six months of answers.

The synthetic answers have structure worth looking at: each counter and clerk has its own
strengths and weaknesses per dimension, expectations sit high (customers expect a lot),
and one hall improves over the months while the other slips.
"""

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from sqlmodel import Session, col, select

from survey.accounts import DEMO_PASSWORD, create_user
from survey.db import begin_write
from survey.demo.cases import seed_demo_cases
from survey.demo.inspections import seed_demo_inspections
from survey.demo.lifecycle import seed_demo_lifecycle
from survey.demo.regulation import (
    create_demo_authority,
    publish_demo_notices,
    seed_demo_evaluation,
)
from survey.demo.responses import seed_responses
from survey.models import (
    Campaign,
    DutyShift,
    Organisation,
    QrLink,
    Role,
)
from survey.places.campaigns import create_campaign
from survey.places.links import create_link
from survey.places.organisations import (
    create_counter,
    create_organisation,
    create_region,
    create_site,
    create_staff_member,
)
from survey.questionnaires.instruments import ensure_default_instrument, load_instrument
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


def demo_campaign_id(session: Session) -> int | None:
    """The demo operator's own campaign (not its share of the regulator's evaluation)."""
    return session.exec(
        select(Campaign.id)
        .join(Organisation, col(Organisation.id) == Campaign.organisation_id)
        .where(Organisation.slug == DEMO_SLUG, col(Campaign.evaluation_id).is_(None))
        .order_by(col(Campaign.id))
    ).first()


def seed_demo(
    session: Session,
    *,
    now: datetime,
    n_responses: int = 2000,
    salt: str,
    seed: int = 7,
    timezone: tzinfo = UTC,
    evaluation: bool = True,
) -> DemoSummary:
    """Create the demo organisation, accounts, campaign, links and responses, its two
    services with their quality agreements, and the regulator's authority; with
    ``evaluation`` also its evaluation over three operators (whose answers, a fraction of
    ``n_responses``, come on top) and its published notices. Tests of the operator's own
    pages leave the evaluation out: it triples the aggregates to build. Commits."""
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
    authority = create_demo_authority(session, organisation_id=organisation.id, now=now)
    user_ids: dict[str, int] = {}
    for username in DEMO_USERS:
        regulator = username == "regulator"
        user = create_user(
            session,
            username=username,
            password=DEMO_PASSWORD,
            role=Role(username),
            organisation_ids=[] if regulator else [organisation.id],
            authority_id=authority.id if regulator else None,
            display_name=username.capitalize(),
            now=now,
            check_password=False,  # the demo's shared password, refused outside demo mode
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
    staff_by_counter = _staff_by_counter(counters, staff_ids)
    for counter_id, staff_id in staff_by_counter.items():
        # The roster behind the seeded answers: each clerk on duty at their counter since
        # the campaign began, so live answers are credited to them as well.
        session.add(
            DutyShift(
                counter_id=counter_id,
                staff_member_id=staff_id,
                starts_at=datetime.combine(start, datetime.min.time(), tzinfo=UTC),
                created_at=now,
            )
        )
    seed_responses(
        session,
        rng=rng,
        spec_items=[(item.id, item.dimension_code) for item in spec.items],
        dimensions=list(spec.dimension_codes),
        links=posters,
        counters={counter_id: site_id for site_id, counter_id in counters},
        staff_by_counter=staff_by_counter,
        organisation_id=organisation.id,
        campaign_id=campaign.id,
        instrument_id=instrument.id,
        start=datetime.combine(start, datetime.min.time(), tzinfo=UTC),
        now=now,
        n_responses=n_responses,
        salt=salt,
    )
    assert authority.id is not None
    evaluation_campaigns = (
        seed_demo_evaluation(
            session,
            authority_id=authority.id,
            instrument_id=instrument.id,
            rng=rng,
            n_responses=n_responses,
            salt=salt,
            now=now,
        )
        if evaluation
        else []
    )
    session.commit()
    rebuild_stat_sums(session, timezone=timezone, campaign_ids=[campaign.id, *evaluation_campaigns])
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
    seed_demo_lifecycle(
        session,
        organisation_id=organisation.id,
        campaign_id=campaign.id,
        site_id=counters[0][0],
        manager_id=user_ids["manager"],
        now=now,
        timezone=timezone,
    )
    session.commit()
    if evaluation:
        publish_demo_notices(
            session,
            authority_id=authority.id,
            regulator_id=user_ids["regulator"],
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
