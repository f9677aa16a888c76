"""An administrator's change as one use case: :func:`committed` runs one of the builders of
``organisations.py``, ``campaigns.py`` or ``links.py`` (which check and stage a change
without committing, so ``manyi init``, the demo seed and the CLI can compose several in one
transaction) and commits it, or rolls it back and raises, leaving nothing half done.

The admin pages make one change per form: ``committed(session, create_site, ...)``.
"""

from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

from sqlmodel import Session

from survey.db import begin_write

P = ParamSpec("P")
T = TypeVar("T")


def committed(
    session: Session,
    change: Callable[Concatenate[Session, P], T],
    *args: P.args,
    **kwargs: P.kwargs,
) -> T:
    """``change(session, *args, **kwargs)`` in a write transaction of its own, committed;
    rolled back if it raises (a refused input, a state conflict), which it then re-raises."""
    begin_write(session)
    try:
        result = change(session, *args, **kwargs)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return result
