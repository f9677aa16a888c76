"""Conduct supervisors (行风建设监督员): accounts holding a numbered credential.

A supervisor is a citizen volunteer appointed by an organisation. With a credential valid
today they may inspect the organisation's halls, pass on feedback and demand an answer;
without one (expired, not valid yet, never issued) the portal refuses them. The
organisations a supervisor may supervise are their account's organisations.
"""

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path

from sqlmodel import Session, col, select

from survey.accounts import Account, create_user
from survey.cases.handling import Filed, file_feedback
from survey.errors import (
    N_,
    CredentialNotValid,
    FieldError,
    Forbidden,
    InvalidAnswer,
    NotFound,
    PlaceNotFound,
)
from survey.evidence.photos import clean_photos
from survey.invitations import Manager, invite_with
from survey.models import (
    Case,
    Feedback,
    FeedbackCategory,
    FeedbackKind,
    FeedbackSource,
    Role,
    Site,
    SupervisorCredential,
    User,
    UserOrganisation,
)
from survey.places.checks import place_errors

MAX_NUMBER_LENGTH = 40


def create_supervisor(
    session: Session,
    *,
    username: str,
    password: str,
    organisation_ids: Iterable[int],
    number: str,
    valid_from: date,
    valid_until: date,
    display_name: str = "",
    member_site_id: int | None = None,
    now: datetime,
) -> User:
    """Add a supervisor's account and credential. Does not commit.

    ``number`` is the credential's unique number (``JD-2026-0017``); it is valid from
    ``valid_from`` to ``valid_until``, both days included. ``member_site_id`` is the hall
    the supervisor belongs to, if any: they may not inspect it. InvalidAnswer for a number
    that is empty, too long or taken, a validity that ends before it starts, or a member
    hall outside the supervisor's organisations.
    """
    organisation_ids = sorted(set(organisation_ids))
    number = number.strip()
    errors: dict[str, FieldError | str] = {}
    if not number or len(number) > MAX_NUMBER_LENGTH:
        errors["number"] = FieldError(
            N_("A credential number has 1 to %(limit)s characters."), {"limit": MAX_NUMBER_LENGTH}
        )
    elif session.exec(
        select(SupervisorCredential).where(SupervisorCredential.number == number)
    ).first():
        errors["number"] = FieldError(N_("This credential number is taken."))
    if valid_until < valid_from:
        errors["valid_until"] = FieldError(N_("The credential ends before it starts."))
    if member_site_id is not None:
        site = session.get(Site, member_site_id)
        if site is None or site.organisation_id not in organisation_ids:
            errors["member_site"] = FieldError(
                N_("The supervisor's own hall must belong to one of their organisations.")
            )
    if errors:
        raise InvalidAnswer(errors)
    user = create_user(
        session,
        username=username,
        password=password,
        role=Role.supervisor,
        organisation_ids=organisation_ids,
        display_name=display_name,
        now=now,
    )
    assert user.id is not None
    session.add(
        SupervisorCredential(
            user_id=user.id,
            number=number,
            valid_from=valid_from,
            valid_until=valid_until,
            member_site_id=member_site_id,
        )
    )
    session.flush()
    return user


def invite_supervisor(
    session: Session,
    *,
    by: Manager,
    username: str,
    display_name: str,
    organisation_ids: Iterable[int],
    number: str,
    valid_from: date,
    valid_until: date,
    now: datetime,
) -> tuple[User, str]:
    """Invite a supervisor with their numbered credential: the account waits for its holder
    to set a password through the returned one-time token. InvalidAnswer as
    :func:`create_supervisor` and :func:`survey.invitations.invite_with` say. Commits."""
    return invite_with(
        session,
        by=by,
        display_name=display_name,
        organisation_ids=organisation_ids,
        now=now,
        detail=f"supervisor {number.strip()}",
        make_user=lambda org_ids, password: create_supervisor(
            session,
            username=username,
            password=password,
            organisation_ids=org_ids,
            number=number,
            valid_from=valid_from,
            valid_until=valid_until,
            display_name=display_name.strip(),
            now=now,
        ),
    )


def get_credential(session: Session, user_id: int) -> SupervisorCredential | None:
    """The account's credential, valid or not, if one was ever issued."""
    return session.get(SupervisorCredential, user_id)


def credential_is_valid(credential: SupervisorCredential, today: date) -> bool:
    """Whether ``today`` lies within the credential's validity (both ends included)."""
    return credential.valid_from <= today <= credential.valid_until


def check_credential(session: Session, user_id: int, today: date) -> SupervisorCredential:
    """The account's credential if it is valid on ``today`` (the local date), else
    CredentialNotValid: none was issued, it has expired or it is not valid yet."""
    credential = get_credential(session, user_id)
    if credential is None or not credential_is_valid(credential, today):
        raise CredentialNotValid(str(user_id))
    return credential


def supervisors_of(
    session: Session, organisation_id: int
) -> list[tuple[User, SupervisorCredential]]:
    """The supervisors with a credential who may supervise the organisation, by number."""
    rows = session.exec(
        select(User, SupervisorCredential)
        .join(SupervisorCredential, col(SupervisorCredential.user_id) == User.id)
        .join(UserOrganisation, col(UserOrganisation.user_id) == User.id)
        .where(UserOrganisation.organisation_id == organisation_id)
        .order_by(col(SupervisorCredential.number))
    ).all()
    return [(user, credential) for user, credential in rows]


MAX_FEEDBACK_TEXT = 4000


def file_supervisor_feedback(
    session: Session,
    *,
    account: Account,
    organisation_id: int,
    kind: FeedbackKind,
    category: FeedbackCategory,
    site_id: int | None,
    counter_id: int | None,
    staff_member_id: int | None,
    text: str,
    submission_key: str,
    now: datetime,
    photos: Sequence[bytes] = (),
    data_dir: Path | None = None,
    max_photo_bytes: int = 8 << 20,
    max_photos: int = 4,
) -> Filed:
    """A supervisor's praise, suggestion, criticism or complaint about a place, with photo
    evidence if any (cleaned of metadata, as for inspections). Commits.

    The supervisor's credential must be valid today (an administrator needs none), the
    organisation one of theirs and the place the organisation's (PlaceNotFound otherwise);
    InvalidAnswer for no hall, no text or too much text. Criticism and complaints open a
    case that the supervisor, who received it, owns (first-ask responsibility), through
    :func:`survey.cases.handling.file_feedback`; the same ``submission_key`` files once.
    """
    if account.role == Role.supervisor:
        check_credential(session, account.id, now.date())
    elif account.role != Role.admin:
        raise Forbidden(account.username)
    if organisation_id not in account.organisation_ids:
        raise PlaceNotFound("organisation", organisation_id)
    if not submission_key or len(submission_key) > 64:
        raise InvalidAnswer({"form": N_("The form is incomplete; please open it again.")})
    errors = place_errors(
        session,
        organisation_id=organisation_id,
        site_id=site_id,
        counter_id=counter_id,
        staff_member_id=staff_member_id,
    )
    text = text.strip()
    if not text:
        errors["text"] = FieldError(N_("Please write what you want to tell the organisation."))
    elif len(text) > MAX_FEEDBACK_TEXT:
        errors["text"] = FieldError(
            N_("Please keep the text within %(limit)s characters."), {"limit": MAX_FEEDBACK_TEXT}
        )
    cleaned = clean_photos(errors, photos, max_photos=max_photos, max_bytes=max_photo_bytes)
    if errors:
        raise InvalidAnswer(errors)
    return file_feedback(
        session,
        organisation_id=organisation_id,
        kind=kind,
        source=FeedbackSource.supervisor,
        category=category,
        text=text,
        now=now,
        site_id=site_id,
        counter_id=counter_id,
        staff_member_id=staff_member_id,
        received_by_user_id=account.id,
        submission_key=submission_key,
        photos=cleaned,
        data_dir=data_dir,
    )


def feedback_filed_by(session: Session, feedback_id: int, *, user_id: int) -> Filed:
    """Feedback the account filed, with its case if it opened one; NotFound for anyone
    else's (a supervisor sees only what they filed)."""
    feedback = session.get(Feedback, feedback_id)
    if feedback is None or feedback.submitted_by_user_id != user_id:
        raise NotFound(f"feedback {feedback_id}")
    case = session.exec(select(Case).where(Case.feedback_id == feedback_id)).first()
    return Filed(feedback, case)
