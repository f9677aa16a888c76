"""Whole numbers in a path or a query string stay within what the database can store.

Our ids are 32-bit integer columns on PostgreSQL (64-bit on SQLite). Python's ``int`` has
no bound, so ``/manager/cases/2147483648`` used to reach the database and fail there (a
500 on PostgreSQL: "integer out of range"). Every route's integer parameters (its own and
its dependencies') are read once from FastAPI's dependency tree; a request whose value is
outside the signed 32-bit range gets 404 for a path (no such record can exist) or 422 for
a query parameter (the value is invalid), before any handler or database sees it. New
routes are covered without a line of their own.
"""

import types
from typing import Annotated, Any, Union, get_args, get_origin

from fastapi import HTTPException, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from api.forms import LARGEST_ID
from survey.errors import NotFound

LARGEST = LARGEST_ID
"""The largest value of a PostgreSQL ``integer`` (and the smallest is ``-2**31``)."""


def _is_int(annotation: Any) -> bool:
    """Whether ``annotation`` is ``int``, ``int | None`` or an ``Annotated`` form of them."""
    if annotation is int:
        return True
    origin = get_origin(annotation)
    if origin is Annotated:
        return _is_int(get_args(annotation)[0])
    if origin is Union or origin is types.UnionType:
        members = [a for a in get_args(annotation) if a is not type(None)]
        return len(members) == 1 and _is_int(members[0])
    return False


def integer_parameters(dependant: Dependant) -> tuple[frozenset[str], frozenset[str]]:
    """The names of the integer path and query parameters of ``dependant`` and of every
    dependency under it."""
    path: set[str] = set()
    query: set[str] = set()
    stack = [dependant]
    while stack:
        current = stack.pop()
        path.update(f.alias for f in current.path_params if _is_int(f.field_info.annotation))
        query.update(f.alias for f in current.query_params if _is_int(f.field_info.annotation))
        stack.extend(current.dependencies)
    return frozenset(path), frozenset(query)


_PARAMETERS: dict[int, tuple[frozenset[str], frozenset[str]]] = {}


def _out_of_range(value: str) -> bool:
    text = value.strip()
    digits = text[1:] if text[:1] in "+-" else text
    if not digits.isdecimal():
        return False  # not a whole number: FastAPI's own validation answers 422
    return len(digits) > 12 or not -LARGEST - 1 <= int(text) <= LARGEST


def check_bounded_numbers(request: Request) -> None:
    """An app-wide dependency: 404 for an out-of-range integer in the path, 422 in the
    query (see the module's docstring)."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    names = _PARAMETERS.get(id(route))
    if names is None:
        names = _PARAMETERS[id(route)] = integer_parameters(route.dependant)
    path, query = names
    for name in path:
        value = request.path_params.get(name)
        if isinstance(value, str) and _out_of_range(value):
            raise NotFound(f"{name} {value[:20]}")
    for name in query:
        for value in request.query_params.getlist(name):
            if _out_of_range(value):
                raise HTTPException(422, f"{name} is out of range (at most {LARGEST})")
