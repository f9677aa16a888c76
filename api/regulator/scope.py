"""Who may use the regulator's pages: an account of an authority (403 for every other
role, as the role × route matrix checks)."""

from typing import Annotated

from fastapi import Depends

from api.deps import require_role
from survey.accounts import Account
from survey.errors import NotFound
from survey.models import Role


def _authority_account(
    account: Annotated[Account, Depends(require_role(Role.regulator))],
) -> Account:
    if account.authority_id is None:
        raise NotFound("authority")
    return account


RegulatorAccount = Annotated[Account, Depends(_authority_account)]
"""A regulator's account; its ``authority_id`` is set."""


def authority_of(account: Account) -> int:
    assert account.authority_id is not None
    return account.authority_id
