"""Authorities and the operators they oversee.

An authority's accounts (``User.authority_id``) see the operators it oversees, and only
what those operators publish to it: aggregates, never a clerk, a comment or a complainant.
Which operators those are is read from ``authority_organisations`` at every request, so
adding an operator to an authority takes effect for its accounts at once.
"""

from collections.abc import Sequence
from datetime import date, datetime

from sqlmodel import Session, col, select

from survey.errors import N_, FieldError, InvalidAnswer
from survey.models import Authority, AuthorityOrganisation, Organisation
from survey.places.organisations import checked_text


def create_authority(session: Session, *, name: str, region: str = "", now: datetime) -> Authority:
    """Add an authority; its name is unique. Does not commit."""
    errors: dict[str, FieldError | str] = {}
    name = checked_text(errors, "name", name, 200, required=True)
    region = checked_text(errors, "region", region, 200, required=False)
    if name and session.exec(select(Authority).where(Authority.name == name)).first():
        errors["name"] = FieldError(N_("There is an authority of this name already."))
    if errors:
        raise InvalidAnswer(errors)
    authority = Authority(name=name, region=region, created_at=now)
    session.add(authority)
    session.flush()
    return authority


def oversee(
    session: Session, *, authority_id: int, organisation_id: int, since: date
) -> AuthorityOrganisation:
    """Put an operator under an authority from ``since``; doing it twice changes nothing.
    Does not commit."""
    errors: dict[str, FieldError | str] = {}
    if session.get(Authority, authority_id) is None:
        errors["authority"] = FieldError(N_("There is no such authority."))
    if session.get(Organisation, organisation_id) is None:
        errors["organisation"] = FieldError(N_("There is no such organisation."))
    if errors:
        raise InvalidAnswer(errors)
    existing = session.get(AuthorityOrganisation, (authority_id, organisation_id))
    if existing is not None:
        return existing
    row = AuthorityOrganisation(
        authority_id=authority_id, organisation_id=organisation_id, since=since
    )
    session.add(row)
    session.flush()
    return row


def operators(session: Session, authority_id: int) -> Sequence[Organisation]:
    """The organisations the authority oversees, by name."""
    return session.exec(
        select(Organisation)
        .join(
            AuthorityOrganisation,
            col(AuthorityOrganisation.organisation_id) == Organisation.id,
        )
        .where(AuthorityOrganisation.authority_id == authority_id)
        .order_by(col(Organisation.name))
    ).all()


def authorities(session: Session) -> Sequence[Authority]:
    return session.exec(select(Authority).order_by(col(Authority.id))).all()
