"""Reading, validating and storing a customer's answers.

The form's field names are part of the domain: ``e.<item>``, ``p.<item>``, ``min.<item>``
and ``des.<item>`` for expectation, perception, minimum acceptable and desired;
``w.<dimension>`` for importance points; ``overall`` and ``comment``.
"""

import hashlib
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from survey.db import begin_write, lock_key
from survey.errors import N_, DuplicateSubmission, FieldError, InvalidAnswer, LinkNotFound
from survey.models import (
    SITE_WIDE,
    Campaign,
    CampaignMode,
    Counter,
    QrLink,
    ResponseAnswer,
    ResponseImportance,
    Site,
    SurveyResponse,
)
from survey.places.duty import credited_clerk
from survey.places.links import get_link_or_raise
from survey.questionnaires.instruments import InstrumentSpec, ItemSpec
from survey.stats.aggregation import Place, add_response_to_aggregates
from survey.stats.layouts import instrument_layout

MAX_COMMENT_LENGTH = 2000
IMPORTANCE_TOTAL = 100
SUBMISSION_KEY_MAX = 64

ANSWER_FIELDS: dict[CampaignMode, tuple[str, ...]] = {
    CampaignMode.paired: ("expectation", "perception"),
    CampaignMode.perception_only: ("perception",),
    CampaignMode.three_column: ("minimum", "desired", "perception"),
}
FIELD_PREFIX = {"expectation": "e", "perception": "p", "minimum": "min", "desired": "des"}


@dataclass(frozen=True)
class ItemAnswer:
    """The answers to one asked item; ``None`` is a blank."""

    item_id: int
    expectation: int | None = None
    perception: int | None = None
    minimum: int | None = None
    desired: int | None = None

    @property
    def is_blank(self) -> bool:
        return all(
            v is None for v in (self.expectation, self.perception, self.minimum, self.desired)
        )


@dataclass(frozen=True)
class ResponseInput:
    """A validated response, ready to store."""

    answers: tuple[ItemAnswer, ...]
    importance: dict[str, int] | None
    overall: int | None
    comment: str


def field_name(answer_field: str, item_code: str) -> str:
    """The form field of one answer, e.g. ``p.q3`` for the perception of item q3."""
    return f"{FIELD_PREFIX[answer_field]}.{item_code}"


def asked_items(
    spec: InstrumentSpec, *, items_per_dimension: int | None, submission_key: str
) -> tuple[ItemSpec, ...]:
    """The items one respondent is asked.

    Without item sampling, every item. With sampling, ``items_per_dimension`` items drawn
    at random from each dimension, seeded by the submission key so that the page and the
    submission agree without storing anything in between.
    """
    if not items_per_dimension:
        return spec.items
    rng = random.Random(submission_key)  # noqa: S311 - a fair draw, not a secret
    chosen: list[ItemSpec] = []
    for dimension in spec.dimensions:
        k = min(items_per_dimension, len(dimension.items))
        picked = set(rng.sample(range(len(dimension.items)), k))
        chosen += [item for i, item in enumerate(dimension.items) if i in picked]
    return tuple(chosen)


_OUT_OF_RANGE = N_("Choose a whole number from %(low)s to %(high)s.")
_STALE_FORM = N_("The form is incomplete; please open it again.")


def _read_int(
    form: Mapping[str, str], name: str, low: int, high: int, errors: dict[str, FieldError]
) -> int | None:
    raw = form.get(name, "").strip()
    if raw == "":
        return None
    try:
        value = int(raw)
    except ValueError:
        errors[name] = FieldError(_OUT_OF_RANGE, {"low": low, "high": high})
        return None
    if not low <= value <= high:
        errors[name] = FieldError(_OUT_OF_RANGE, {"low": low, "high": high})
        return None
    return value


def read_answers(
    form: Mapping[str, str],
    *,
    spec: InstrumentSpec,
    mode: CampaignMode,
    items: tuple[ItemSpec, ...],
    ask_importance: bool,
) -> ResponseInput:
    """Turn submitted form fields into a :class:`ResponseInput`, or raise InvalidAnswer.

    Every item may be left blank; values out of the scale, non-numbers, an importance
    allocation that does not total 100, a comment over 2,000 characters and a response
    with nothing in it at all are refused, each with a message keyed by its field.
    """
    errors: dict[str, FieldError] = {}
    answers: list[ItemAnswer] = []
    for item in items:
        values = {
            answer_field: _read_int(
                form, field_name(answer_field, item.code), spec.scale_min, spec.scale_max, errors
            )
            for answer_field in ANSWER_FIELDS[mode]
        }
        answers.append(ItemAnswer(item_id=item.id, **values))

    importance: dict[str, int] | None = None
    if ask_importance:
        points = {
            code: _read_int(form, f"w.{code}", 0, IMPORTANCE_TOTAL, errors)
            for code in spec.dimension_codes
        }
        given = {code: value for code, value in points.items() if value is not None}
        if given:
            total = sum(given.values())
            if total != IMPORTANCE_TOTAL:
                errors["importance"] = FieldError(
                    N_("The points must add up to 100 (now %(total)s)."), {"total": total}
                )
            else:
                importance = {code: given.get(code, 0) for code in spec.dimension_codes}

    overall = _read_int(form, "overall", spec.overall_min, spec.overall_max, errors)
    comment = form.get("comment", "").strip()
    if len(comment) > MAX_COMMENT_LENGTH:
        errors["comment"] = FieldError(
            N_("Please keep the comment within %(limit)s characters."),
            {"limit": MAX_COMMENT_LENGTH},
        )
    if errors:
        raise InvalidAnswer(errors)
    if all(a.is_blank for a in answers) and overall is None and not comment and not importance:
        raise InvalidAnswer({"form": N_("Please answer at least one question.")})
    return ResponseInput(
        answers=tuple(answers), importance=importance, overall=overall, comment=comment
    )


def salted_hash(salt: str, *parts: str) -> str:
    """SHA-256 of the salt and parts; used so raw identifiers are never stored."""
    digest = hashlib.sha256(salt.encode())
    for part in parts:
        digest.update(b"\x1f" + part.encode())
    return digest.hexdigest()


def network_of(address: str) -> str:
    """The address itself for IPv4, the /64 prefix for IPv6 (a household or a phone)."""
    if ":" in address:
        return ":".join(address.split(":")[:4])
    return address


@dataclass(frozen=True)
class DuplicatePolicy:
    """How repeats are recognised at one counter.

    The same device (its cookie) may answer once per ``window``. Without a cookie match,
    at most ``max_per_client`` responses per window may come from one network address and
    browser (user agent): a hall's shared Wi-Fi puts many honest customers behind one
    address, so that hash alone is a spam brake, not proof of a repeat.
    """

    window: timedelta = timedelta(minutes=10)
    max_per_client: int = 5


def submit_response(
    session: Session,
    *,
    token: str,
    submission_key: str,
    answers: ResponseInput,
    locale: str,
    device_id: str,
    client_address: str,
    user_agent: str,
    salt: str,
    policy: DuplicatePolicy,
    now: datetime,
    shown_staff_id: int | None = None,
) -> int:
    """Store one response to the link ``token``, commit, and return its id.

    The response is credited to the link's clerk, or for a counter's link to the clerk on
    duty whom the page showed (``shown_staff_id``, see
    :func:`survey.places.duty.credited_clerk`), else to nobody.

    Idempotent per ``submission_key``: a second post of the same form (a double tap, a
    retry on a weak network) returns the stored response. A new submission from the same
    device at the same counter within the duplicate window raises DuplicateSubmission.

    The response's power sums are added to the aggregates of its day and month in the same
    transaction; ``now`` is in the organisation's local time zone, and its date is the day.

    Everything that only reads is done before the write transaction, which holds SQLite's
    single write lock only for the repeat checks and the inserts.
    """
    if not submission_key or len(submission_key) > SUBMISSION_KEY_MAX:
        raise InvalidAnswer({"form": _STALE_FORM})
    link: QrLink = get_link_or_raise(session, token, now=now)
    campaign = session.get(Campaign, link.campaign_id)
    counter = session.get(Counter, link.counter_id)
    site = session.get(Site, counter.site_id) if counter else None
    if campaign is None or counter is None or site is None:
        raise LinkNotFound(token)
    layout = instrument_layout(session, campaign.instrument_id)
    assert site.id is not None and counter.id is not None
    site_id, counter_id = site.id, counter.id
    staff_id = link.staff_member_id or credited_clerk(
        session, counter_id=counter_id, shown_staff_id=shown_staff_id, now=now
    )
    device_hash = salted_hash(salt, "device", device_id)
    client_hash = salted_hash(salt, "client", network_of(client_address), user_agent)
    row = {
        "submission_key": submission_key,
        "link_id": link.id,
        "campaign_id": campaign.id,
        "instrument_id": campaign.instrument_id,
        "organisation_id": site.organisation_id,
        "site_id": site.id,
        "counter_id": counter.id,
        "staff_member_id": staff_id,
        "submitted_at": now,
        "locale": locale,
        "overall": answers.overall,
        "comment": answers.comment,
        "device_hash": device_hash,
        "client_hash": client_hash,
    }

    begin_write(session)
    assert counter.id is not None
    lock_key(session, counter.id)  # repeats are judged per counter
    stored = _stored_submission(session, submission_key)
    if stored is not None:
        session.rollback()
        if stored[1] != link.id:
            raise InvalidAnswer({"form": _STALE_FORM})
        return stored[0]
    if _is_repeat(
        session,
        counter_id=link.counter_id,
        device_hash=device_hash,
        client_hash=client_hash,
        since=now - policy.window,
        max_per_client=policy.max_per_client,
    ):
        session.rollback()
        raise DuplicateSubmission(token)
    try:
        response_id = (
            session.connection()
            .execute(_RESPONSES.insert().returning(_RESPONSES.c.id), row)
            .scalar_one()
        )
        _insert_details(session, response_id=response_id, answers=answers)
        add_response_to_aggregates(
            session,
            place=Place(
                campaign_id=link.campaign_id,
                site_id=site_id,
                counter_id=counter_id,
                staff_id=staff_id or SITE_WIDE,
                locale=locale,
            ),
            layout=layout,
            mode=campaign.mode,
            day=now.date(),
            answers=[
                (
                    a.item_id,
                    {"E": a.expectation, "P": a.perception, "MIN": a.minimum, "DES": a.desired},
                )
                for a in answers.answers
            ],
            overall=answers.overall,
            importance=answers.importance,
        )
        session.commit()
    except IntegrityError:
        # The same submission raced in on another connection (PostgreSQL); it is stored.
        session.rollback()
        stored = _stored_submission(session, submission_key)
        if stored is None:
            raise
        return stored[0]
    return int(response_id)


def _stored_submission(session: Session, submission_key: str) -> tuple[int, int] | None:
    """The id and link of the response already stored under this key, if any."""
    row = session.exec(
        select(SurveyResponse.id, SurveyResponse.link_id).where(
            SurveyResponse.submission_key == submission_key
        )
    ).first()
    if row is None or row[0] is None:
        return None
    return int(row[0]), int(row[1])


def _is_repeat(
    session: Session,
    *,
    counter_id: int,
    device_hash: str,
    client_hash: str,
    since: datetime,
    max_per_client: int,
) -> bool:
    """Same device in the window, or the client's brake reached (two index lookups)."""
    recent = (
        col(SurveyResponse.counter_id) == counter_id,
        col(SurveyResponse.submitted_at) > since,
    )
    same_device = session.exec(
        select(SurveyResponse.id).where(col(SurveyResponse.device_hash) == device_hash, *recent)
    ).first()
    if same_device is not None:
        return True
    same_client = (
        select(SurveyResponse.id)
        .where(col(SurveyResponse.client_hash) == client_hash, *recent)
        .limit(max_per_client)
        .subquery()
    )
    return session.exec(select(func.count()).select_from(same_client)).one() >= max_per_client


_RESPONSES = SurveyResponse.__table__  # type: ignore[attr-defined]
_ANSWERS = ResponseAnswer.__table__  # type: ignore[attr-defined]
_IMPORTANCE = ResponseImportance.__table__  # type: ignore[attr-defined]


def _insert_details(session: Session, *, response_id: int, answers: ResponseInput) -> None:
    """Insert the answer and importance rows of one response."""
    answer_rows = [
        {
            "response_id": response_id,
            "item_id": a.item_id,
            "expectation": a.expectation,
            "perception": a.perception,
            "minimum": a.minimum,
            "desired": a.desired,
        }
        for a in answers.answers
    ]
    # Core executemany on the tables: the compiled statement is cached, unlike a
    # multi-row VALUES (recompiled per call), and skips the ORM's bulk bookkeeping.
    connection = session.connection()
    if answer_rows:
        connection.execute(_ANSWERS.insert(), answer_rows)
    if answers.importance:
        connection.execute(
            _IMPORTANCE.insert(),
            [
                {"response_id": response_id, "dimension_code": code, "points": points}
                for code, points in answers.importance.items()
            ],
        )
