"""The demo's regulator: a communications administration over the demo operator and two
more with their own profiles (one better, one small and worse), and a running
evaluation all three take part in, so the regulator's pages show a real comparison: two
operators ranked with intervals and one too small to rank, its figures withheld; and two
quarters' notices published, the older one corrected."""

import random
from datetime import date, datetime, timedelta, tzinfo

from sqlmodel import Session, col, select

from survey.db import begin_write
from survey.demo.responses import seed_responses
from survey.models import Authority, Campaign, Counter, Evaluation, QrLink, Site
from survey.places.organisations import (
    create_counter,
    create_organisation,
    create_region,
    create_site,
)
from survey.questionnaires.instruments import load_instrument
from survey.regulation.authorities import create_authority, oversee
from survey.regulation.evaluations import create_evaluation
from survey.regulation.publications import advance, correct, freeze, quarter_label
from survey.stats.dashboard import add_months
from survey.stats.stat_rows import month_of

AUTHORITY_NAME = "示范省通信管理局 Demo Communications Administration"
_OPERATORS = (
    # slug, name, hotline, halls (code, name, counters), level, share of the demo's answers
    (
        "demo-beichen",
        "北辰通信 Beichen Communications",
        "10010",
        (
            ("BC01", "北辰体育西营业厅 Tiyu West Hall", 3),
            ("BC02", "北辰江南营业厅 Jiangnan Hall", 2),
        ),
        0.35,
        0.15,
    ),
    (
        "demo-nanxing",
        "南星移动 Nanxing Mobile",
        "10086",
        (("NX01", "南星北京路营业厅 Beijing Road Hall", 2),),
        -0.3,
        0.01,
    ),
)
DEMO_OPERATOR_SHARE = 0.15
REGION = ("440106", "天河区 Tianhe")
EVALUATION_MONTHS = 8
"""The evaluation began this many months back: two whole quarters before this one."""


def _share_answers(n_responses: int) -> list[int]:
    """The evaluation's answers of the demo operator, then of each other operator."""
    shares = [DEMO_OPERATOR_SHARE, *(operator[-1] for operator in _OPERATORS)]
    return [round(n_responses * share) for share in shares]


def create_demo_authority(session: Session, *, organisation_id: int, now: datetime) -> Authority:
    """The authority, overseeing the demo operator. Does not commit."""
    authority = create_authority(
        session, name=AUTHORITY_NAME, region="示范省 Demo Province", now=now
    )
    assert authority.id is not None
    oversee(session, authority_id=authority.id, organisation_id=organisation_id, since=now.date())
    return authority


def seed_demo_evaluation(
    session: Session,
    *,
    authority_id: int,
    instrument_id: int,
    rng: random.Random,
    n_responses: int,
    salt: str,
    now: datetime,
) -> list[int]:
    """Two more operators under the authority, an evaluation from the first day of the
    month eight months back to the end of next year, and answers to each operator's share
    of it (a share of ``n_responses`` each). Returns the evaluation's campaign ids (for
    the aggregates). Does not commit."""
    demo_answers, *other_answers = _share_answers(n_responses)
    levels: dict[int, tuple[float, int]] = {}
    for (slug, name, hotline, halls, level, _share), answers in zip(
        _OPERATORS, other_answers, strict=True
    ):
        organisation = create_organisation(session, name=name, slug=slug, hotline=hotline)
        assert organisation.id is not None
        create_region(session, organisation_id=organisation.id, code=REGION[0], name=REGION[1])
        for code, hall_name, counters in halls:
            site = create_site(
                session,
                organisation_id=organisation.id,
                code=code,
                name=hall_name,
                region_code=REGION[0],
                opening_hours="09:00-18:00",
            )
            assert site.id is not None
            for number in range(1, counters + 1):
                create_counter(
                    session, site_id=site.id, code=f"A{number}", name=f"A{number} 号窗口"
                )
        oversee(
            session, authority_id=authority_id, organisation_id=organisation.id, since=now.date()
        )
        levels[organisation.id] = (level, answers)
    starts_on = add_months(month_of(now.date()), -EVALUATION_MONTHS)
    evaluation = create_evaluation(
        session,
        authority_id=authority_id,
        name=f"{now.year} 年用户满意度测评 User satisfaction evaluation",
        instrument_id=instrument_id,
        starts_on=starts_on,
        ends_on=date(now.year + 1, 12, 31),
        answers_per_hall=100,
        now=now,
    )
    campaigns = session.exec(select(Campaign).where(Campaign.evaluation_id == evaluation.id)).all()
    start = datetime.combine(starts_on, datetime.min.time(), tzinfo=now.tzinfo)
    spec = load_instrument(session, instrument_id)
    spec_items = [(item.id, item.dimension_code) for item in spec.items]
    dimensions = list(spec.dimension_codes)
    for campaign in campaigns:
        assert campaign.id is not None
        level, answers = levels.get(campaign.organisation_id, (0.0, demo_answers))
        links = session.exec(
            select(QrLink).where(QrLink.campaign_id == campaign.id).order_by(col(QrLink.id))
        ).all()
        site_of_counter = dict(
            session.exec(
                select(Counter.id, Counter.site_id)
                .join(Site, col(Site.id) == Counter.site_id)
                .where(Site.organisation_id == campaign.organisation_id)
            ).all()
        )
        seed_responses(
            session,
            rng=rng,
            spec_items=spec_items,
            dimensions=dimensions,
            links=list(links),
            counters={c: s for c, s in site_of_counter.items() if c is not None},
            staff_by_counter={},
            organisation_id=campaign.organisation_id,
            campaign_id=campaign.id,
            instrument_id=instrument_id,
            start=start,
            now=now - timedelta(minutes=1),
            n_responses=answers,
            salt=salt,
            level=level,
            salt_prefix=f"evaluation-{campaign.id}",
        )
    return [c.id for c in campaigns if c.id is not None]


def publish_demo_notices(
    session: Session, *, authority_id: int, regulator_id: int, now: datetime, timezone: tzinfo
) -> None:
    """The two whole quarters before this one, published; the older one corrected (its
    version 2 published too), so the public list shows a correction. Commits."""
    evaluation = session.exec(
        select(Evaluation).where(Evaluation.authority_id == authority_id)
    ).one()
    assert evaluation.id is not None
    this_quarter = month_of(now.astimezone(timezone).date())
    this_quarter = this_quarter.replace(month=3 * ((this_quarter.month - 1) // 3) + 1)
    for back in (6, 3):
        begin_write(session)
        notice = freeze(
            session,
            authority_id=authority_id,
            evaluation_id=evaluation.id,
            period=quarter_label(add_months(this_quarter, -back)),
            user_id=regulator_id,
            now=now,
            timezone=timezone,
        )
        for _ in range(2):
            advance(session, notice, user_id=regulator_id, now=now)
        if back == 6:
            fixed = correct(
                session,
                notice,
                reason="补录纸质问卷 Paper answers entered late",
                user_id=regulator_id,
                now=now,
                timezone=timezone,
            )
            for _ in range(2):
                advance(session, fixed, user_id=regulator_id, now=now)
        session.commit()
