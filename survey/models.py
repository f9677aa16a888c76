"""All tables of manyi, in one SQLModel metadata.

Alembic reads ``SQLModel.metadata`` from here; nothing else defines tables. Stored enum
values are stable strings (``StrEnum``) so that a renamed Python member never rewrites data.
"""

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Dialect,
    Index,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy import Enum as SAEnum
from sqlmodel import Field, SQLModel


class Severity(StrEnum):
    """How fast a case must be answered (limits: :data:`survey.cases.rules.DEFAULT_LIMITS`)."""

    simple = "simple"
    general = "general"
    complex = "complex"
    regulator = "regulator"
    """Forwarded by a regulator, with the regulator's own deadline."""


class CaseState(StrEnum):
    """Where a case stands; the allowed changes are :data:`survey.cases.rules.TRANSITIONS`."""

    received = "received"
    acknowledged = "acknowledged"
    in_progress = "in_progress"
    answered = "answered"
    closed = "closed"
    reopened = "reopened"
    escalated = "escalated"


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC in Python, on every database.

    PostgreSQL stores ``timestamptz``; SQLite has no time zones, so the value is stored as
    naive UTC and the zone is put back on reading. Naive datetimes are refused on writing,
    because a deadline computed from a naive local time is wrong by hours.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime; pass an aware UTC datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _enum_column(enum: type[StrEnum]) -> Any:
    """A VARCHAR column holding an enum's values: no database enum type to alter later."""
    return Column(
        SAEnum(enum, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        nullable=False,
    )


def _utc_column(*, nullable: bool = False, index: bool = False) -> Any:
    """A :class:`UTCDateTime` column for ``Field(sa_column=...)``."""
    return Column(UTCDateTime(), nullable=nullable, index=index)


class Role(StrEnum):
    """What an account may do; each account is scoped to organisations."""

    admin = "admin"
    manager = "manager"
    supervisor = "supervisor"
    regulator = "regulator"


class CampaignMode(StrEnum):
    """How the questionnaire asks each item.

    ``paired`` asks expectation and perception (the classic SERVQUAL form);
    ``perception_only`` asks perception alone (SERVPERF, the short form);
    ``three_column`` asks minimum acceptable, desired and perceived (zone of tolerance).
    """

    paired = "paired"
    perception_only = "perception_only"
    three_column = "three_column"


class CampaignStatus(StrEnum):
    """Where a campaign is in its life: set up (``draft``), taking answers (``running``),
    stopped for a while (``paused``) or over for good (``ended``)."""

    draft = "draft"
    running = "running"
    paused = "paused"
    ended = "ended"


class Installation(SQLModel, table=True):
    """What is set once for the whole install: the public address that posters, counter
    displays and case links carry. One row (``id`` 1), written by ``manyi init``."""

    __tablename__ = "installation"

    id: int = Field(default=1, primary_key=True)
    public_base_url: str = Field(max_length=300)
    changed_at: datetime = Field(sa_column=_utc_column())


class Region(SQLModel, table=True):
    """A region an organisation groups its sites by (a city, a district); sites name it by
    its code, which regulators' statistics use too."""

    __tablename__ = "regions"
    __table_args__ = (UniqueConstraint("organisation_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisations.id", index=True)
    code: str = Field(max_length=12)
    name: str = Field(max_length=200)


class Organisation(SQLModel, table=True):
    """A service provider or operator: a telecom branch, an exchange, a bank."""

    __tablename__ = "organisations"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    slug: str = Field(max_length=80, unique=True)
    hotline: str = Field(default="", max_length=40)


class Site(SQLModel, table=True):
    """A business hall, branch or service centre.

    ``code`` is the organisation's own code for the hall, what a re-import matches on;
    ``opening_hours`` are the daily hours as ``09:00-12:00,13:00-17:00`` (empty: not said).
    """

    __tablename__ = "sites"
    __table_args__ = (
        UniqueConstraint("organisation_id", "code", name="uq_sites_organisation_id_code"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisations.id", index=True)
    code: str = Field(max_length=40)
    name: str = Field(max_length=200)
    region_code: str = Field(max_length=12, index=True)
    address: str = Field(default="", max_length=300)
    opening_hours: str = Field(default="", max_length=100)


class Counter(SQLModel, table=True):
    """A service window or any other touchpoint of a site."""

    __tablename__ = "counters"
    __table_args__ = (UniqueConstraint("site_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    site_id: int = Field(foreign_key="sites.id", index=True)
    code: str = Field(max_length=20)
    name: str = Field(max_length=200)
    service_type: str = Field(default="", max_length=100)


class StaffMember(SQLModel, table=True):
    """A clerk; the job number is public, as business halls show it on the counter.

    A clerk who leaves is marked with ``left_on`` and kept, with every answer about them.
    """

    __tablename__ = "staff_members"
    __table_args__ = (UniqueConstraint("organisation_id", "job_number"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisations.id", index=True)
    site_id: int = Field(foreign_key="sites.id", index=True)
    job_number: str = Field(max_length=20)
    display_name: str = Field(max_length=100)
    photo_path: str | None = Field(default=None, max_length=300)
    counter_id: int | None = Field(default=None, foreign_key="counters.id", index=True)
    left_on: date | None = Field(default=None)


class DutyShift(SQLModel, table=True):
    """A clerk on duty at a counter from ``starts_at`` until ``ends_at`` (open while
    empty). An answer given through the counter's link is credited to the clerk on duty
    when the page was shown; where shifts overlap, the one that started last is on duty.
    ``set_by_user_id`` is the manager who put the clerk on duty (empty from the command
    line)."""

    __tablename__ = "duty_shifts"
    __table_args__ = (Index("ix_duty_shifts_counter_start", "counter_id", "starts_at"),)

    id: int | None = Field(default=None, primary_key=True)
    counter_id: int = Field(foreign_key="counters.id")
    staff_member_id: int = Field(foreign_key="staff_members.id", index=True)
    starts_at: datetime = Field(sa_column=_utc_column())
    ends_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    set_by_user_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(sa_column=_utc_column())


class Instrument(SQLModel, table=True):
    """One version of a questionnaire.

    ``key`` names the questionnaire across versions; a change of wording or items makes a
    new row with ``version + 1`` and ``parent_id`` pointing at the version it came from.
    ``organisation_id`` is empty for the built-in default instrument.
    """

    __tablename__ = "instruments"
    __table_args__ = (UniqueConstraint("organisation_id", "key", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int | None = Field(default=None, foreign_key="organisations.id", index=True)
    key: str = Field(max_length=80)
    version: int = Field(default=1)
    parent_id: int | None = Field(default=None, foreign_key="instruments.id")
    scale_min: int = Field(default=1)
    scale_max: int = Field(default=7)
    overall_min: int = Field(default=1)
    overall_max: int = Field(default=5)
    created_at: datetime = Field(sa_column=_utc_column())


class InstrumentDimension(SQLModel, table=True):
    """A dimension of an instrument, e.g. ``tangibles``; order is the display order."""

    __tablename__ = "instrument_dimensions"
    __table_args__ = (UniqueConstraint("instrument_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    instrument_id: int = Field(foreign_key="instruments.id", index=True)
    code: str = Field(max_length=40)
    position: int


class InstrumentItem(SQLModel, table=True):
    """A question of an instrument, asked on the instrument's scale."""

    __tablename__ = "instrument_items"
    __table_args__ = (UniqueConstraint("instrument_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    instrument_id: int = Field(foreign_key="instruments.id", index=True)
    code: str = Field(max_length=20)
    dimension_code: str = Field(max_length=40)
    position: int


class InstrumentText(SQLModel, table=True):
    """Wording of an instrument in one language.

    ``key`` is ``title``, ``intro``, ``overall``, ``dimension.<code>`` or ``item.<code>``.
    Questionnaire wording is data (versioned with the instrument), not interface text.
    """

    __tablename__ = "instrument_texts"
    __table_args__ = (UniqueConstraint("instrument_id", "key", "locale"),)

    id: int | None = Field(default=None, primary_key=True)
    instrument_id: int = Field(foreign_key="instruments.id", index=True)
    key: str = Field(max_length=60)
    locale: str = Field(max_length=10)
    text: str = Field(max_length=1000)


class Campaign(SQLModel, table=True):
    """An instrument run at places over dates in one mode.

    ``items_per_dimension`` switches on item sampling: each respondent is asked a random
    subset of that many items per dimension (LibQUAL+ Lite style).
    """

    __tablename__ = "campaigns"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisations.id", index=True)
    instrument_id: int = Field(foreign_key="instruments.id")
    name: str = Field(max_length=200)
    mode: CampaignMode = Field(default=CampaignMode.paired, sa_column=_enum_column(CampaignMode))
    items_per_dimension: int | None = Field(default=None)
    starts_on: date
    ends_on: date
    per_staff: bool = Field(default=False)
    ask_importance: bool = Field(default=True)
    status: CampaignStatus = Field(
        default=CampaignStatus.running, sa_column=_enum_column(CampaignStatus)
    )
    evaluation_id: int | None = Field(default=None, foreign_key="evaluations.id", index=True)
    """Set when the campaign is an operator's share of a regulator's evaluation: run by the
    operator's halls, but set up and compared by the regulator, and never mixed with the
    operator's own campaigns."""


class CampaignSite(SQLModel, table=True):
    """A hall a campaign is run in; a campaign with none is run in all of its
    organisation's halls."""

    __tablename__ = "campaign_sites"

    campaign_id: int = Field(foreign_key="campaigns.id", primary_key=True)
    site_id: int = Field(foreign_key="sites.id", primary_key=True)


class QrLink(SQLModel, table=True):
    """An unguessable survey link for one counter (and optionally one staff member).

    ``token`` is what the QR code carries. A ``rotating`` link is only accepted with a
    signature for a recent time window, which the counter display page shows at
    ``/display/{display_token}``; the bare token of a rotating link is refused.
    """

    __tablename__ = "qr_links"

    id: int | None = Field(default=None, primary_key=True)
    token: str = Field(max_length=64, unique=True)
    display_token: str = Field(max_length=64, unique=True)
    campaign_id: int = Field(foreign_key="campaigns.id", index=True)
    counter_id: int = Field(foreign_key="counters.id", index=True)
    staff_member_id: int | None = Field(default=None, foreign_key="staff_members.id")
    rotating: bool = Field(default=False)
    created_at: datetime = Field(sa_column=_utc_column())
    expires_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    revoked_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))


class SurveyResponse(SQLModel, table=True):
    """One customer's answer to a campaign at a counter.

    Place columns are copied from the link at submission so reports need no joins and a
    later move of a staff member does not rewrite history. ``submission_key`` makes a
    double-tapped submit idempotent; ``device_hash`` and ``client_hash`` are salted hashes
    (never the raw IP address) used to refuse repeats within the duplicate window.
    """

    __tablename__ = "survey_responses"
    __table_args__ = (
        Index("ix_survey_responses_counter_time", "counter_id", "submitted_at"),
        Index("ix_survey_responses_device_repeat", "counter_id", "device_hash", "submitted_at"),
        Index("ix_survey_responses_client_repeat", "counter_id", "client_hash", "submitted_at"),
        # The managers' comments page, newest first: only the rows that have a comment.
        Index(
            "ix_survey_responses_campaign_comments",
            "campaign_id",
            "submitted_at",
            "id",
            sqlite_where=text("comment <> ''"),
            postgresql_where=text("comment <> ''"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    submission_key: str = Field(max_length=64, unique=True)
    link_id: int = Field(foreign_key="qr_links.id", index=True)
    campaign_id: int = Field(foreign_key="campaigns.id", index=True)
    instrument_id: int = Field(foreign_key="instruments.id")
    organisation_id: int = Field(foreign_key="organisations.id", index=True)
    site_id: int = Field(foreign_key="sites.id", index=True)
    counter_id: int = Field(foreign_key="counters.id")
    staff_member_id: int | None = Field(default=None, foreign_key="staff_members.id", index=True)
    submitted_at: datetime = Field(sa_column=_utc_column(index=True))
    locale: str = Field(max_length=10)
    overall: int | None = Field(default=None)
    comment: str = Field(default="", max_length=2000)
    device_hash: str = Field(max_length=64)
    client_hash: str = Field(max_length=64)


class ResponseAnswer(SQLModel, table=True):
    """The answers to one item that a respondent was asked; a blank answer is NULL.

    A row exists for every item the respondent was shown, so that under item sampling
    'not asked' (no row) differs from 'left blank' (a row of NULLs).
    """

    __tablename__ = "response_answers"

    response_id: int = Field(foreign_key="survey_responses.id", primary_key=True)
    item_id: int = Field(foreign_key="instrument_items.id", primary_key=True)
    expectation: int | None = Field(default=None)
    perception: int | None = Field(default=None)
    minimum: int | None = Field(default=None)
    desired: int | None = Field(default=None)


class ResponseImportance(SQLModel, table=True):
    """Points out of 100 that a respondent gave a dimension."""

    __tablename__ = "response_importance"

    response_id: int = Field(foreign_key="survey_responses.id", primary_key=True)
    dimension_code: str = Field(max_length=40, primary_key=True)
    points: int


class User(SQLModel, table=True):
    """An account of a manager, supervisor, regulator or administrator. A regulator's
    account belongs to an authority (``authority_id``) and sees its operators."""

    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=80, unique=True)
    display_name: str = Field(default="", max_length=120)
    password_hash: str = Field(max_length=200)
    role: Role = Field(sa_column=_enum_column(Role))
    active: bool = Field(default=True)
    created_at: datetime = Field(sa_column=_utc_column())
    authority_id: int | None = Field(default=None, foreign_key="authorities.id", index=True)
    locked_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    """Set after too many failed sign-ins (survey.login_guard); an administrator lifts it."""


class Authority(SQLModel, table=True):
    """A regulator: an authority over the operators of a region (a provincial
    communications administration, say). Its accounts see what its operators publish to
    it, never their clerks, comments or complainants."""

    __tablename__ = "authorities"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    region: str = Field(default="", max_length=200)
    created_at: datetime = Field(sa_column=_utc_column())


class AuthorityOrganisation(SQLModel, table=True):
    """An operator an authority oversees. An operator may answer to several authorities
    (a national and a provincial one)."""

    __tablename__ = "authority_organisations"

    authority_id: int = Field(foreign_key="authorities.id", primary_key=True)
    organisation_id: int = Field(foreign_key="organisations.id", primary_key=True)
    since: date


class Evaluation(SQLModel, table=True):
    """A regulator's user-satisfaction evaluation across its operators: one instrument
    version, one mode and one sampling rule (the months, and how many answers each hall
    is to collect), so that the operators' indices are comparable. Each operator runs its
    share as a campaign (``Campaign.evaluation_id``)."""

    __tablename__ = "evaluations"

    id: int | None = Field(default=None, primary_key=True)
    authority_id: int = Field(foreign_key="authorities.id", index=True)
    name: str = Field(max_length=200)
    instrument_id: int = Field(foreign_key="instruments.id")
    mode: CampaignMode = Field(default=CampaignMode.paired, sa_column=_enum_column(CampaignMode))
    starts_on: date
    ends_on: date
    answers_per_hall: int = Field(default=30)
    created_by: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(sa_column=_utc_column())


class UserOrganisation(SQLModel, table=True):
    """Which organisations an account may see; a regulator has several."""

    __tablename__ = "user_organisations"

    user_id: int = Field(foreign_key="users.id", primary_key=True)
    organisation_id: int = Field(foreign_key="organisations.id", primary_key=True)


class UserSite(SQLModel, table=True):
    """The halls a manager's account is limited to. An account with no rows here sees
    every hall of its organisations; one with rows sees those halls only (a hall
    manager), and no page that covers every hall."""

    __tablename__ = "user_sites"

    user_id: int = Field(foreign_key="users.id", primary_key=True)
    site_id: int = Field(foreign_key="sites.id", primary_key=True, index=True)


class LoginFailure(SQLModel, table=True):
    """A failed sign-in: the username typed (known or not) and a salted hash of the
    network it came from, never the address itself. What the sign-in brake counts."""

    __tablename__ = "login_failures"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=80, index=True)
    network_hash: str = Field(max_length=64, index=True)
    at: datetime = Field(sa_column=_utc_column(index=True))


class LoginSession(SQLModel, table=True):
    """A signed-in browser; the cookie holds a random token, the table only its hash."""

    __tablename__ = "login_sessions"

    token_hash: str = Field(max_length=64, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    created_at: datetime = Field(sa_column=_utc_column())
    expires_at: datetime = Field(sa_column=_utc_column())


class AccountLinkPurpose(StrEnum):
    """Why a one-time link was made: to set the first password of an invited account, or
    to set a new one after a reset."""

    invite = "invite"
    reset = "reset"


class AccountLink(SQLModel, table=True):
    """A one-time link that lets its holder set an account's password; the table keeps only
    the SHA-256 of its token, so a copy of the database opens no account. Used once, and
    only before ``expires_at``."""

    __tablename__ = "account_links"

    token_hash: str = Field(max_length=64, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    purpose: AccountLinkPurpose = Field(sa_column=_enum_column(AccountLinkPurpose))
    created_by: int = Field(foreign_key="users.id")
    created_at: datetime = Field(sa_column=_utc_column())
    expires_at: datetime = Field(sa_column=_utc_column())
    used_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))


class AccountChange(SQLModel, table=True):
    """Who changed an account, when, and how (invited, password link made, password set,
    deactivated, reactivated, organisations changed): the record an administrator's
    changes leave."""

    __tablename__ = "account_changes"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    changed_by: int | None = Field(default=None, foreign_key="users.id")
    at: datetime = Field(sa_column=_utc_column())
    what: str = Field(max_length=40)
    detail: str = Field(default="", max_length=300)


class ApiToken(SQLModel, table=True):
    """A regulator's program's key to ``/api/v1``: shown once when made, stored only as
    its SHA-256; reads what its ``scopes`` allow (comma-separated: ``indices``,
    ``complaints``) of its authority's operators, until it expires or is revoked."""

    __tablename__ = "api_tokens"

    id: int | None = Field(default=None, primary_key=True)
    authority_id: int = Field(foreign_key="authorities.id", index=True)
    name: str = Field(max_length=120)
    token_hash: str = Field(max_length=64, unique=True)
    scopes: str = Field(max_length=200)
    created_by: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(sa_column=_utc_column())
    expires_at: datetime = Field(sa_column=_utc_column())
    revoked_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    last_used_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))


class PublicationStatus(StrEnum):
    """A publication's way out: frozen as a ``draft``, checked in ``review``, then
    ``published`` for good (a correction is a new version, never an edit)."""

    draft = "draft"
    review = "review"
    published = "published"


class Publication(SQLModel, table=True):
    """A regulator's notice for one period: a snapshot of its operators' figures frozen as
    canonical JSON (``content``) with its SHA-256 (``content_hash``). The database refuses
    to change the content of any version, or anything of a published one, or to delete a
    published one. A correction is the next ``version`` of the same period, naming the
    version it corrects and why."""

    __tablename__ = "publications"
    __table_args__ = (UniqueConstraint("authority_id", "period", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    authority_id: int = Field(foreign_key="authorities.id", index=True)
    evaluation_id: int = Field(foreign_key="evaluations.id")
    period: str = Field(max_length=20)
    since: date
    until: date
    version: int = Field(default=1)
    status: PublicationStatus = Field(
        default=PublicationStatus.draft, sa_column=_enum_column(PublicationStatus)
    )
    content: str = Field(sa_column=Column(Text, nullable=False))
    content_hash: str = Field(max_length=64)
    corrects_id: int | None = Field(default=None, foreign_key="publications.id")
    correction_reason: str = Field(default="", max_length=1000)
    created_by: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(sa_column=_utc_column())
    reviewed_by: int | None = Field(default=None, foreign_key="users.id")
    reviewed_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    published_by: int | None = Field(default=None, foreign_key="users.id")
    published_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))


class StatGrain(StrEnum):
    """The period one row of :class:`StatSum` covers."""

    day = "day"
    month = "month"


SITE_WIDE = 0
"""``counter_id`` and ``staff_id`` of the rows that cover a whole site."""


class StatSum(SQLModel, table=True):
    """Power sums of the responses of one campaign, place and period (the daily aggregates).

    One row holds ``(n, s_a, s_b, s_ab)`` of one statistic key (``key_id`` is
    ``analytics.power_sums.StatKey.id``, a stable hash of the family, field, items and
    stratum), exact integers that plain SQL ``SUM`` adds across sites, days and database
    shards. ``period`` is the local day or the
    first day of the local month (``grain``); both grains are kept as responses arrive.

    Site rows (``counter_id = staff_id = 0``, ``locale = ''``) hold every family per month
    and the light families (counts, dimension scores, index, overall, importance) per day;
    place rows (a counter, its clerk or 0, a language) hold the light families per month.
    See ``survey.stats.aggregation``.
    """

    __tablename__ = "stat_sums"
    # Clustered on the key (SQLite WITHOUT ROWID): a report reads one contiguous range,
    # site rows (counter 0) apart from place rows, in period order.
    __table_args__ = {"sqlite_with_rowid": False}

    campaign_id: int = Field(foreign_key="campaigns.id", primary_key=True)
    grain: StatGrain = Field(
        sa_column=Column(
            SAEnum(
                StatGrain,
                native_enum=False,
                length=8,
                values_callable=lambda e: [m.value for m in e],
            ),
            primary_key=True,
        )
    )
    counter_id: int = Field(primary_key=True)
    period: date = Field(primary_key=True)
    site_id: int = Field(foreign_key="sites.id", primary_key=True)
    staff_id: int = Field(primary_key=True)
    locale: str = Field(max_length=10, primary_key=True)
    key_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    n: int = Field(sa_column=Column(BigInteger, nullable=False))
    s_a: int = Field(sa_column=Column(BigInteger, nullable=False))
    s_b: int = Field(sa_column=Column(BigInteger, nullable=False))
    s_ab: int = Field(sa_column=Column(BigInteger, nullable=False))


class FeedbackKind(StrEnum):
    praise = "praise"
    suggestion = "suggestion"
    criticism = "criticism"
    complaint = "complaint"


class FeedbackSource(StrEnum):
    """Where feedback came in: the QR poster, a supervisor's portal, the hotline, the
    counter itself, or forwarded by a regulator."""

    customer = "customer"
    supervisor = "supervisor"
    hotline = "hotline"
    counter = "counter"
    regulator = "regulator"


class FeedbackCategory(StrEnum):
    """What feedback is about, for the counts per category the regulator asks for."""

    attitude = "attitude"
    efficiency = "efficiency"
    """Waiting and speed."""
    accuracy = "accuracy"
    """Business handled wrongly or incompletely."""
    fees = "fees"
    environment = "environment"
    """The hall, its facilities and signs."""
    other = "other"


class Feedback(SQLModel, table=True):
    """Praise, a suggestion, criticism or a complaint about a place (criticism and
    complaints open a :class:`Case`). ``contact`` is empty for an anonymous customer.

    ``submission_key`` makes a double-tapped submit store one row. ``redacted_at`` is set
    when the retention after the case closed has passed and the text, contact and photos
    were removed (:func:`survey.cases.handling.purge_expired_evidence`).
    """

    __tablename__ = "feedback"
    __table_args__ = (Index("ix_feedback_counter_received", "counter_id", "received_at"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisations.id", index=True)
    kind: FeedbackKind = Field(sa_column=_enum_column(FeedbackKind))
    source: FeedbackSource = Field(sa_column=_enum_column(FeedbackSource))
    category: FeedbackCategory = Field(
        default=FeedbackCategory.other, sa_column=_enum_column(FeedbackCategory)
    )
    submission_key: str | None = Field(default=None, max_length=64, unique=True)
    site_id: int | None = Field(default=None, foreign_key="sites.id", index=True)
    counter_id: int | None = Field(default=None, foreign_key="counters.id")
    staff_member_id: int | None = Field(default=None, foreign_key="staff_members.id")
    text: str = Field(max_length=4000)
    contact: str = Field(default="", max_length=200)
    submitted_by_user_id: int | None = Field(default=None, foreign_key="users.id")
    received_at: datetime = Field(sa_column=_utc_column(index=True))
    adopted_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    redacted_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    device_hash: str | None = Field(default=None, max_length=64)
    network_hash: str | None = Field(default=None, max_length=64)
    """Salted hashes of a customer's device cookie and network (never the address), for
    the filing brake (:mod:`survey.cases.filing_brake`); empty for staff filings."""


class Case(SQLModel, table=True):
    """A complaint or criticism being handled.

    ``owner_user_id`` is the first person who received it (first-ask responsibility): set
    once, never changed, whoever does the work. ``state`` repeats the last state of the
    case's append-only :class:`CaseEvent` history, for lists; the history is the record.
    ``public_token`` is the complainant's unguessable link.
    """

    __tablename__ = "cases"

    id: int | None = Field(default=None, primary_key=True)
    feedback_id: int = Field(foreign_key="feedback.id", unique=True)
    organisation_id: int = Field(foreign_key="organisations.id", index=True)
    site_id: int | None = Field(default=None, foreign_key="sites.id", index=True)
    severity: Severity = Field(sa_column=_enum_column(Severity))
    state: CaseState = Field(sa_column=_enum_column(CaseState))
    owner_user_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    received_at: datetime = Field(sa_column=_utc_column())
    deadline_before_pauses: datetime = Field(sa_column=_utc_column())
    public_token: str = Field(max_length=64, unique=True)
    closed_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    """When the case was last closed (empty while open): the evidence retention counts
    from here."""


class CaseEventKind(StrEnum):
    opened = "opened"
    state = "state"
    paused = "paused"
    resumed = "resumed"
    answer = "answer"
    warning = "warning"
    """50 % or 80 % of the time limit used (``text`` names the stage)."""
    escalation = "escalation"
    """The limit passed (to the site manager) or a second limit (to the organisation)."""
    severity = "severity"
    """A manager classified the case again: ``from_state`` and ``to_state`` hold the old
    and new severity, ``text`` the reason; the case's limit changed with it."""


class CaseEvent(SQLModel, table=True):
    """One entry of a case's history: who did what, when and why. Append-only: the
    database refuses to update or delete a row (triggers in the migration)."""

    __tablename__ = "case_events"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    at: datetime = Field(sa_column=_utc_column())
    kind: CaseEventKind = Field(sa_column=_enum_column(CaseEventKind))
    from_state: str = Field(default="", max_length=20)
    to_state: str = Field(default="", max_length=20)
    actor_user_id: int | None = Field(default=None, foreign_key="users.id")
    actor: str = Field(max_length=20)
    """``user``, ``complainant`` or ``system`` (warnings and escalations)."""
    text: str = Field(default="", max_length=4000)


class SupervisorCredential(SQLModel, table=True):
    """The numbered credential (监督员证) of a supervisor's account, valid between two days.

    The organisations the supervisor may supervise are the account's organisations
    (:class:`UserOrganisation`). ``member_site_id`` is the unit the supervisor belongs to,
    if any (a clerk appointed as an internal supervisor): they may not inspect it.
    """

    __tablename__ = "supervisor_credentials"

    user_id: int = Field(foreign_key="users.id", primary_key=True)
    number: str = Field(max_length=40, unique=True)
    valid_from: date
    valid_until: date
    member_site_id: int | None = Field(default=None, foreign_key="sites.id")


class CaseSettings(SQLModel, table=True):
    """An organisation's own time limits, working hours and evidence retention; an
    organisation without a row uses the defaults below.

    ``general_days`` 0 means the same working day. ``working_hours`` is written like
    ``09:00-12:00,13:00-17:00``.
    """

    __tablename__ = "case_settings"

    organisation_id: int = Field(foreign_key="organisations.id", primary_key=True)
    simple_hours: int = Field(default=1)
    general_days: int = Field(default=0)
    complex_days: int = Field(default=5)
    working_hours: str = Field(default="09:00-12:00,13:00-17:00", max_length=100)
    retention_days: int = Field(default=150)
    """How long a closed case's complaint and evidence are kept (five months by default,
    as operators keep billing records while a dispute is open)."""


class CalendarOverride(SQLModel, table=True):
    """A local decision on one day: a day off (a typhoon, a provincial holiday) or an extra
    working day; it wins over the national calendar."""

    __tablename__ = "calendar_overrides"

    organisation_id: int = Field(foreign_key="organisations.id", primary_key=True)
    day: date = Field(primary_key=True)
    working: bool
    note: str = Field(default="", max_length=200)


class ChecklistSection(StrEnum):
    """The five parts of a service window's rules that inspections check."""

    language = "language"
    """The standard polite words, greeting on the phone, Mandarin, no forbidden phrases."""
    attitude = "attitude"
    appearance = "appearance"
    """Uniform, tie, badge with the job number."""
    discipline = "discipline"
    """On post, no private activity, confidentiality, opening hours kept."""
    quality = "quality"
    """Accurate, fast, safe, convenient."""


class Checklist(SQLModel, table=True):
    """One version of an inspection checklist. Editing makes a new version
    (``version + 1``, ``parent_id``); an inspection keeps the version it used.
    ``organisation_id`` is empty for the built-in checklist."""

    __tablename__ = "checklists"
    __table_args__ = (UniqueConstraint("organisation_id", "key", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int | None = Field(default=None, foreign_key="organisations.id", index=True)
    key: str = Field(max_length=80)
    version: int = Field(default=1)
    parent_id: int | None = Field(default=None, foreign_key="checklists.id")
    created_at: datetime = Field(sa_column=_utc_column())


class ChecklistItem(SQLModel, table=True):
    """One thing an inspector checks; ``texts`` maps a locale to its wording."""

    __tablename__ = "checklist_items"
    __table_args__ = (UniqueConstraint("checklist_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    checklist_id: int = Field(foreign_key="checklists.id", index=True)
    section: ChecklistSection = Field(sa_column=_enum_column(ChecklistSection))
    code: str = Field(max_length=20)
    position: int
    texts: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class InspectionKind(StrEnum):
    self_check = "self_check"
    """By the hall itself."""
    mutual_check = "mutual_check"
    """By another hall of the organisation."""
    secret_check = "secret_check"  # noqa: S105 - a kind of inspection, not a password
    """By a supervisor posing as a customer."""


class Inspection(SQLModel, table=True):
    """One inspection of a place against one checklist version.

    ``inspecting_site_id`` is the hall that inspects in a mutual check.
    ``submission_key`` makes a double-tapped submit store one inspection.
    """

    __tablename__ = "inspections"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisations.id", index=True)
    checklist_id: int = Field(foreign_key="checklists.id")
    kind: InspectionKind = Field(sa_column=_enum_column(InspectionKind))
    site_id: int = Field(foreign_key="sites.id", index=True)
    counter_id: int | None = Field(default=None, foreign_key="counters.id")
    staff_member_id: int | None = Field(default=None, foreign_key="staff_members.id", index=True)
    inspecting_site_id: int | None = Field(default=None, foreign_key="sites.id")
    inspected_at: datetime = Field(sa_column=_utc_column(index=True))
    filed_at: datetime = Field(sa_column=_utc_column())
    filed_by_user_id: int = Field(foreign_key="users.id", index=True)
    note: str = Field(default="", max_length=2000)
    submission_key: str = Field(max_length=64, unique=True)


class CheckOutcome(StrEnum):
    passed = "pass"
    failed = "fail"
    not_applicable = "na"


class InspectionResult(SQLModel, table=True):
    """The outcome of one checklist item in one inspection, with the inspector's note."""

    __tablename__ = "inspection_results"

    inspection_id: int = Field(foreign_key="inspections.id", primary_key=True)
    item_id: int = Field(foreign_key="checklist_items.id", primary_key=True)
    outcome: CheckOutcome = Field(sa_column=_enum_column(CheckOutcome))
    note: str = Field(default="", max_length=1000)


class EvidencePhoto(SQLModel, table=True):
    """A photo attached to an inspection or to feedback, re-encoded without metadata
    (no EXIF, so no location) and stored under the data directory as ``path``."""

    __tablename__ = "evidence_photos"

    id: int | None = Field(default=None, primary_key=True)
    inspection_id: int | None = Field(default=None, foreign_key="inspections.id", index=True)
    feedback_id: int | None = Field(default=None, foreign_key="feedback.id", index=True)
    path: str = Field(max_length=300)
    content_type: str = Field(max_length=40)
    width: int
    height: int
    size_bytes: int
    sha256: str = Field(max_length=64)
    stored_at: datetime = Field(sa_column=_utc_column())


class ServiceKind(StrEnum):
    """What a service is: a counter service, a help desk, or one of the ITIL processes whose
    quality the lifecycle method measures."""

    counter = "counter"
    help_desk = "help_desk"
    service_level = "service_level"
    availability = "availability"
    capacity = "capacity"
    continuity = "continuity"
    cost = "cost"
    problem = "problem"
    change = "change"
    configuration = "configuration"
    release = "release"


class CustomerSide(StrEnum):
    """Who receives the service: the public, a business unit, or a contracting client."""

    public = "public"
    business_unit = "business_unit"
    client = "client"


class Service(SQLModel, table=True):
    """A service an organisation provides and measures: optionally at one hall and by one
    campaign (whose satisfaction index an agreement's target can use)."""

    __tablename__ = "services"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisations.id", index=True)
    name: str = Field(max_length=200)
    kind: ServiceKind = Field(sa_column=_enum_column(ServiceKind))
    customer_side: CustomerSide = Field(sa_column=_enum_column(CustomerSide))
    customer_name: str = Field(default="", max_length=200)
    site_id: int | None = Field(default=None, foreign_key="sites.id")
    campaign_id: int | None = Field(default=None, foreign_key="campaigns.id")
    created_at: datetime = Field(sa_column=_utc_column())


class Agreement(SQLModel, table=True):
    """One version of a service's quality agreement. Signed by both parties it is frozen;
    a change is the next version. Measurements use the version in force on their day."""

    __tablename__ = "agreements"
    __table_args__ = (
        UniqueConstraint("service_id", "version", name="uq_agreements_service_id_version"),
    )

    id: int | None = Field(default=None, primary_key=True)
    service_id: int = Field(foreign_key="services.id", index=True)
    version: int
    provider_party: str = Field(max_length=200)
    customer_party: str = Field(max_length=200)
    valid_from: date
    valid_to: date
    negotiation: str = Field(default="", max_length=4000)
    glossary: str = Field(default="", max_length=8000)
    provider_signed_by: str = Field(default="", max_length=120)
    provider_signed_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    customer_signed_by: str = Field(default="", max_length=120)
    customer_signed_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    created_at: datetime = Field(sa_column=_utc_column())


class MetricKind(StrEnum):
    """The four kinds of agreement metric the method names."""

    time_based = "time"
    count_based = "count"
    frequency_based = "frequency"
    clause_based = "clause"


class MetricSource(StrEnum):
    """Where a metric's figure comes from."""

    availability = "availability"
    downtime = "downtime"
    survey_index = "survey_index"
    entered = "entered"


class AgreementMetric(SQLModel, table=True):
    """A measurable target of an agreement version. ``code`` names the metric across
    versions (figures entered for it survive a new version); ``windows`` are the grains it
    must hold in, comma-separated (``year,week``)."""

    __tablename__ = "agreement_metrics"
    __table_args__ = (
        UniqueConstraint("agreement_id", "code", name="uq_agreement_metrics_agreement_id_code"),
    )

    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = Field(foreign_key="agreements.id", index=True)
    position: int = Field(default=0)
    code: str = Field(max_length=40)
    name: str = Field(max_length=200)
    kind: MetricKind = Field(sa_column=_enum_column(MetricKind))
    source: MetricSource = Field(sa_column=_enum_column(MetricSource))
    comparison: str = Field(max_length=10)
    target: float
    unit: str = Field(default="", max_length=20)
    windows: str = Field(default="year", max_length=60)
    penalty: str = Field(default="", max_length=400)


class AgreementExemption(SQLModel, table=True):
    """A period the agreement leaves out of measurement (force majeure, agreed works)."""

    __tablename__ = "agreement_exemptions"

    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = Field(foreign_key="agreements.id", index=True)
    starts_at: datetime = Field(sa_column=_utc_column())
    ends_at: datetime = Field(sa_column=_utc_column())
    reason: str = Field(max_length=400)


class ServiceOutage(SQLModel, table=True):
    """A time the service was down, as recorded by the provider."""

    __tablename__ = "service_outages"

    id: int | None = Field(default=None, primary_key=True)
    service_id: int = Field(foreign_key="services.id", index=True)
    starts_at: datetime = Field(sa_column=_utc_column())
    ends_at: datetime = Field(sa_column=_utc_column())
    note: str = Field(default="", max_length=400)
    recorded_by: int | None = Field(default=None, foreign_key="users.id")
    recorded_at: datetime = Field(sa_column=_utc_column())


class MetricFigure(SQLModel, table=True):
    """A figure the provider enters for a metric and window (count-, frequency- and
    clause-based metrics), with its evidence."""

    __tablename__ = "metric_figures"
    __table_args__ = (
        UniqueConstraint(
            "service_id",
            "metric_code",
            "grain",
            "period_start",
            name="uq_metric_figures_service_metric_window",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    service_id: int = Field(foreign_key="services.id", index=True)
    metric_code: str = Field(max_length=40)
    grain: str = Field(max_length=10)
    period_start: date
    value: float
    evidence: str = Field(default="", max_length=1000)
    entered_by: int | None = Field(default=None, foreign_key="users.id")
    entered_at: datetime = Field(sa_column=_utc_column())


class ActionTrigger(StrEnum):
    """What opened a corrective action: a target missed in a window, a control-chart
    signal in a campaign's trend, or a dimension's gap widening significantly."""

    breach = "breach"
    control_signal = "control_signal"
    gap_widening = "gap_widening"


class ActionState(StrEnum):
    """``open`` until its effect is measured after the due date: ``effective`` closes it,
    ``reopened`` sends it back for a new plan."""

    open = "open"
    effective = "effective"
    reopened = "reopened"


class CorrectiveAction(SQLModel, table=True):
    """A corrective action opened by a signal in the data, once per signal
    (``trigger_key``). ``evidence`` and ``effect`` are JSON: the numbers that opened it and
    the before/after measurement that judged it."""

    __tablename__ = "corrective_actions"
    __table_args__ = (
        UniqueConstraint(
            "organisation_id", "trigger_key", name="uq_corrective_actions_organisation_trigger"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisations.id", index=True)
    trigger: ActionTrigger = Field(sa_column=_enum_column(ActionTrigger))
    trigger_key: str = Field(max_length=200)
    title: str = Field(max_length=300)
    service_id: int | None = Field(default=None, foreign_key="services.id", index=True)
    metric_code: str = Field(default="", max_length=40)
    campaign_id: int | None = Field(default=None, foreign_key="campaigns.id")
    site_id: int | None = Field(default=None, foreign_key="sites.id")
    series: str = Field(default="", max_length=40)
    grain: str = Field(default="", max_length=10)
    window_start: date
    evidence: str = Field(default="{}", max_length=4000)
    state: ActionState = Field(default=ActionState.open, sa_column=_enum_column(ActionState))
    owner_id: int | None = Field(default=None, foreign_key="users.id")
    cause: str = Field(default="", max_length=2000)
    plan: str = Field(default="", max_length=2000)
    due_on: date | None = None
    effect: str = Field(default="", max_length=4000)
    opened_at: datetime = Field(sa_column=_utc_column())
    updated_at: datetime = Field(sa_column=_utc_column())
    closed_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))


class Review(SQLModel, table=True):
    """The review of a service's agreement over a period: the figures (compliance per
    window with exemptions applied, penalties, the survey, complaints, actions) and the
    provider's audit findings, frozen as canonical JSON (``content``) with its SHA-256.
    The database refuses to change or delete a review."""

    __tablename__ = "reviews"

    id: int | None = Field(default=None, primary_key=True)
    service_id: int = Field(foreign_key="services.id", index=True)
    agreement_id: int = Field(foreign_key="agreements.id")
    period_start: date
    period_end: date
    content: str
    content_hash: str = Field(max_length=64)
    frozen_by: int | None = Field(default=None, foreign_key="users.id")
    frozen_at: datetime = Field(sa_column=_utc_column())


class ServiceNeed(SQLModel, table=True):
    """A customers' quality need the provider found in the design stage, tied to a
    SERVQUAL dimension (and optionally one item) so its current gap can be shown."""

    __tablename__ = "service_needs"

    id: int | None = Field(default=None, primary_key=True)
    service_id: int = Field(foreign_key="services.id", index=True)
    dimension_code: str = Field(max_length=40)
    text: str = Field(max_length=1000)
    created_at: datetime = Field(sa_column=_utc_column())


class ServicePromise(SQLModel, table=True):
    """A candidate promise of the design stage with its cost-benefit estimate and its two
    risks (delivering the level; compensating the customer when it is missed), each as
    likelihood and impact on 1-5 (see :mod:`analytics.risk`)."""

    __tablename__ = "service_promises"

    id: int | None = Field(default=None, primary_key=True)
    service_id: int = Field(foreign_key="services.id", index=True)
    text: str = Field(max_length=1000)
    yearly_cost: float
    yearly_benefit: float
    cost_note: str = Field(default="", max_length=1000)
    delivery_likelihood: int
    delivery_impact: int
    compensation_likelihood: int
    compensation_impact: int
    created_at: datetime = Field(sa_column=_utc_column())
