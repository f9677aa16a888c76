"""A set-up form's round trip: the change it asks for is made and the browser sent on, or,
refused, the page comes back (422) with what was typed and the messages."""

from collections.abc import Callable
from datetime import date
from typing import TypeVar

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from api.forms import PostedForm
from api.templating import translate_errors
from survey.errors import N_, FieldError, InvalidAnswer

T = TypeVar("T")


class Refused:
    """A form that was refused: which one (``form``), what was typed and the messages."""

    def __init__(self, form: str, values: dict[str, str], errors: dict[str, str]) -> None:
        self.form, self.values, self.errors = form, values, errors


def form_round_trip(
    request: Request,
    form: PostedForm,
    *,
    form_id: str,
    fields: tuple[str, ...],
    change: Callable[[dict[str, str]], T],
    page: Callable[[Refused], Response],
    done: Callable[[T], str],
) -> Response:
    """Make ``change`` from the form's ``fields``; on InvalidAnswer show ``page`` with the
    form as typed, else redirect (303) to ``done`` of what the change made."""
    values = {name: form.get(name) for name in fields}
    try:
        made = change(values)
    except InvalidAnswer as invalid:
        return page(Refused(form_id, values, translate_errors(request, invalid.errors)))
    return RedirectResponse(done(made), status_code=303)


def form_day(value: str, field: str) -> date:
    """A day typed as ``YYYY-MM-DD`` (what a date input sends); InvalidAnswer on ``field``."""
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidAnswer({field: FieldError(N_("Give a day as YYYY-MM-DD."))}) from None
