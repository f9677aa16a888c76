"""Small typed builders for tests: places, campaigns and links with sensible defaults,
random answers through the real use case, a phone's JPEG."""

import io
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from PIL import ExifTags, Image
from sqlmodel import Session, select

from survey.cases.worktime import SHANGHAI
from survey.models import (
    Campaign,
    CampaignMode,
    Counter,
    DutyShift,
    Organisation,
    QrLink,
    Site,
    StaffMember,
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
from survey.questionnaires.responses import (
    DuplicatePolicy,
    ItemAnswer,
    ResponseInput,
    asked_items,
    submit_response,
)


def at(day: str | date, clock: str = "09:00") -> datetime:
    """A moment in Shanghai local time: ``at("2026-10-09", "16:00")``."""
    hour, minute = (int(part) for part in clock.split(":"))
    when = day if isinstance(day, date) else date.fromisoformat(day)
    return datetime.combine(when, time(hour, minute), tzinfo=SHANGHAI)


def local_day(moment: datetime) -> date:
    """The Shanghai calendar day of ``moment`` (the app's default time zone)."""
    return moment.astimezone(SHANGHAI).date()


def long_date(day: date) -> str:
    """``November 23, 2026``: how the English pages write a date (Babel's long format)."""
    return f"{day:%B} {day.day}, {day.year}"


class FixedClock:
    """A clock that stands still until a test moves it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Place:
    """An organisation with one site, counter, clerk on duty, campaign and link."""

    organisation: Organisation
    site: Site
    counter: Counter
    staff: StaffMember
    campaign: Campaign
    link: QrLink


def make_place(
    session: Session,
    *,
    now: datetime,
    slug: str = "org-a",
    mode: CampaignMode = CampaignMode.paired,
    items_per_dimension: int | None = None,
    rotating: bool = False,
    ask_importance: bool = True,
) -> Place:
    """Build and commit a complete place answering the default instrument."""
    instrument = ensure_default_instrument(session, now=now)
    organisation = create_organisation(session, name=f"Org {slug}", slug=slug)
    assert organisation.id is not None and instrument.id is not None
    create_region(session, organisation_id=organisation.id, code="440103", name="Liwan")
    site = create_site(
        session,
        organisation_id=organisation.id,
        code=f"{slug}-hall",
        name=f"Hall {slug}",
        region_code="440103",
    )
    assert site.id is not None
    counter = create_counter(session, site_id=site.id, code="A1", name="Window A1")
    assert counter.id is not None
    staff = create_staff_member(
        session,
        site_id=site.id,
        job_number=f"{slug}-001",
        display_name="李娜",
        counter_id=counter.id,
    )
    assert staff.id is not None
    # The clerk is on duty at the counter from a month before until further notice.
    session.add(
        DutyShift(
            counter_id=counter.id,
            staff_member_id=staff.id,
            starts_at=now - timedelta(days=30),
            created_at=now,
        )
    )
    campaign = create_campaign(
        session,
        organisation_id=organisation.id,
        instrument_id=instrument.id,
        name="Campaign",
        starts_on=now.date() - timedelta(days=30),
        ends_on=date(now.year + 1, 12, 31),
        mode=mode,
        items_per_dimension=items_per_dimension,
        ask_importance=ask_importance,
    )
    assert campaign.id is not None
    link = create_link(
        session, campaign_id=campaign.id, counter_id=counter.id, rotating=rotating, now=now
    )
    session.commit()
    return Place(organisation, site, counter, staff, campaign, link)


def jpeg_with_location(size: tuple[int, int] = (40, 20), orientation: int = 1) -> bytes:
    """A JPEG as a phone writes it: camera make, GPS position, orientation, an ICC
    profile, XMP and a comment."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SecretCam"
    exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (31.0, 14.0, 2.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (121.0, 28.0, 1.0)
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(
        out,
        "JPEG",
        exif=exif,
        icc_profile=b"FAKE-ICC-PROFILE" * 8,
        comment=b"taken at home",
        xmp=b"<x:xmpmeta>where-i-live</x:xmpmeta>",
    )
    return out.getvalue()


def answer_randomly(
    session: Session, place: Place, rng: random.Random, *, now: datetime, blank: float = 0.1
) -> None:
    """Submit one response with random answers (some blank) through the real use case."""
    spec = load_instrument(session, place.campaign.instrument_id)
    key = f"k{rng.getrandbits(64):x}"
    items = asked_items(
        spec, items_per_dimension=place.campaign.items_per_dimension, submission_key=key
    )

    def value() -> int | None:
        return None if rng.random() < blank else rng.randint(1, 7)

    mode = place.campaign.mode
    answers = tuple(
        ItemAnswer(
            item_id=item.id,
            expectation=value() if mode == CampaignMode.paired else None,
            perception=value(),
            minimum=value() if mode == CampaignMode.three_column else None,
            desired=value() if mode == CampaignMode.three_column else None,
        )
        for item in items
    )
    first = rng.randint(0, 100)
    importance = None
    if place.campaign.ask_importance and rng.random() < 0.7:
        importance = {"tangibles": first, "reliability": 100 - first}
        importance |= {"responsiveness": 0, "assurance": 0, "empathy": 0}
    submit_response(
        session,
        token=place.link.token,
        submission_key=key,
        answers=ResponseInput(
            answers=answers,
            importance=importance,
            overall=None if rng.random() < 0.2 else rng.randint(1, 5),
            comment="",
        ),
        locale=rng.choice(["zh_Hans", "en"]),
        device_id=key,
        client_address=f"10.0.{rng.randint(0, 255)}.{rng.randint(0, 255)}",
        user_agent="test",
        salt="salt",
        policy=DuplicatePolicy(window=timedelta(seconds=0), max_per_client=10_000),
        now=now,
    )


def answer_through_link(
    session: Session,
    token: str,
    perceptions: list[int | None],
    *,
    now: datetime,
    key: str,
    comment: str = "",
) -> None:
    """One customer's answers to every item of the link's questionnaire through the real
    use case: the ``perceptions`` given, expectation 6 throughout."""
    campaign = session.exec(
        select(Campaign)
        .join(QrLink, QrLink.campaign_id == Campaign.id)
        .where(QrLink.token == token)
    ).one()
    spec = load_instrument(session, campaign.instrument_id)
    submit_response(
        session,
        token=token,
        submission_key=key,
        answers=ResponseInput(
            answers=tuple(
                ItemAnswer(item_id=item.id, expectation=6, perception=value)
                for item, value in zip(spec.items, perceptions, strict=True)
            ),
            importance=None,
            overall=4,
            comment=comment,
        ),
        locale="zh_Hans",
        device_id=key,
        client_address="10.0.0.1",
        user_agent="test",
        salt="salt",
        policy=DuplicatePolicy(window=timedelta(seconds=0), max_per_client=10_000),
        now=now,
    )
