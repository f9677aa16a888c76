"""Authorities, the operators they oversee, and regulators' accounts: a regulator's
account belongs to one authority and sees exactly the operators it oversees, at once
when one is added."""

import pytest
from sqlmodel import Session

from survey.accounts import account_for_session, create_user, log_in
from survey.errors import InvalidAnswer
from survey.models import Role
from survey.places.changes import committed
from survey.regulation.authorities import create_authority, operators, oversee
from tests.factories import FixedClock, make_place


def test_an_authority_has_a_name_of_its_own(session: Session, clock: FixedClock) -> None:
    committed(session, create_authority, name="Guangdong CA", region="Guangdong", now=clock())
    for name, field in (("Guangdong CA", "name"), ("  ", "name"), ("x" * 201, "name")):
        with pytest.raises(InvalidAnswer) as refused:
            committed(session, create_authority, name=name, now=clock())
        assert set(refused.value.errors) == {field}


def test_overseeing_twice_changes_nothing_and_unknown_ids_are_refused(
    session: Session, clock: FixedClock
) -> None:
    place = make_place(session, now=clock())
    authority = committed(session, create_authority, name="CA", now=clock())
    assert authority.id is not None and place.organisation.id is not None
    for _ in range(2):
        committed(
            session,
            oversee,
            authority_id=authority.id,
            organisation_id=place.organisation.id,
            since=clock().date(),
        )
    assert [o.id for o in operators(session, authority.id)] == [place.organisation.id]
    with pytest.raises(InvalidAnswer) as refused:
        committed(
            session,
            oversee,
            authority_id=authority.id + 9,
            organisation_id=999,
            since=clock().date(),
        )
    assert set(refused.value.errors) == {"authority", "organisation"}


def test_a_regulators_account_sees_its_authoritys_operators_as_they_are_added(
    session: Session, clock: FixedClock
) -> None:
    a = make_place(session, now=clock(), slug="op-a")
    b = make_place(session, now=clock(), slug="op-b")
    authority = committed(session, create_authority, name="CA", now=clock())
    assert authority.id is not None and a.organisation.id and b.organisation.id
    committed(
        session,
        create_user,
        username="miit",
        password="s3cret-pass-2026",
        role=Role.regulator,
        organisation_ids=[],
        authority_id=authority.id,
        now=clock(),
    )
    token = log_in(session, username="miit", password="s3cret-pass-2026", now=clock())
    account = account_for_session(session, token=token, now=clock())
    assert account is not None and account.organisation_ids == frozenset()
    committed(
        session,
        oversee,
        authority_id=authority.id,
        organisation_id=a.organisation.id,
        since=clock().date(),
    )
    account = account_for_session(session, token=token, now=clock())
    assert account is not None
    assert account.organisation_ids == {a.organisation.id}
    assert account.authority_id == authority.id


@pytest.mark.parametrize(
    ("role", "organisations", "with_authority", "field"),
    [
        (Role.regulator, [], False, "authority"),  # a regulator needs its authority
        (Role.manager, [], True, "authority"),  # and nobody else has one
        (Role.regulator, ["org"], True, "organisations"),  # it sees the authority's only
    ],
)
def test_only_a_regulator_has_an_authority_and_nothing_besides(
    session: Session,
    clock: FixedClock,
    role: Role,
    organisations: list[str],
    with_authority: bool,
    field: str,
) -> None:
    place = make_place(session, now=clock())
    authority = committed(session, create_authority, name="CA", now=clock())
    with pytest.raises(InvalidAnswer) as refused:
        committed(
            session,
            create_user,
            username="someone",
            password="s3cret-pass-2026",
            role=role,
            organisation_ids=[place.organisation.id or 0 for _ in organisations],
            authority_id=authority.id if with_authority else None,
            now=clock(),
        )
    assert set(refused.value.errors) == {field}
