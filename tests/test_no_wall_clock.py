"""No test reads the wall clock: "now" comes from the ``clock`` fixture (``tests/conftest.py``).

A test that asks the system for the date is green on the day it was written and red a week
later (the dashboard's default period, case deadlines, credentials). This check walks every
module under ``tests/`` and refuses calls of ``datetime.now()``, ``datetime.utcnow()``,
``date.today()`` and the app's ``utc_now()``.
"""

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
WALL_CLOCK_METHODS = {"datetime": {"now", "utcnow", "today"}, "date": {"today"}}
WALL_CLOCK_FUNCTIONS = {"utc_now"}


def wall_clock_reads(source: str) -> list[tuple[int, str]]:
    """Line and text of every call in ``source`` that reads the system clock."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in WALL_CLOCK_FUNCTIONS:
            found.append((node.lineno, f"{func.id}()"))
        elif isinstance(func, ast.Attribute):
            owner = func.value
            name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
            if func.attr in WALL_CLOCK_METHODS.get(name, ()):
                found.append((node.lineno, f"{name}.{func.attr}()"))
    return found


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from datetime import datetime, UTC\nx = datetime.now(UTC)", [(2, "datetime.now()")]),
        ("import datetime\nx = datetime.date.today()", [(2, "date.today()")]),
        ("from api.app import utc_now\nx = utc_now()", [(2, "utc_now()")]),
        ("x = clock.now\ny = clock()\nz = date.fromisoformat('2027-02-18')", []),
    ],
)
def test_the_check_finds_wall_clock_reads(source: str, expected: list[tuple[int, str]]) -> None:
    assert wall_clock_reads(source) == expected


def test_no_test_module_reads_the_wall_clock() -> None:
    offenders = [
        f"{path.relative_to(TESTS.parent)}:{line}: {call}"
        for path in sorted(TESTS.rglob("*.py"))
        if path.resolve() != Path(__file__).resolve()
        for line, call in wall_clock_reads(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "take now from the clock fixture instead:\n" + "\n".join(offenders)
