"""The ``manyi`` command line, one module per group of commands (``root`` holds the
command itself and what every command shares).

The modules register their commands when imported, in the order ``manyi --help`` lists
them: serving and setting up first, since that is what a newcomer runs first.
"""

# isort: off
from api.cli import (
    server,
    setup,
    places,
    places_import,
    duty,
    campaigns,
    regulation,
    accounts,
    links,
    files,
    stats,
    cases,
    lifecycle,
)
from api.cli.root import app

# isort: on

__all__ = [
    "accounts",
    "app",
    "campaigns",
    "cases",
    "duty",
    "files",
    "lifecycle",
    "links",
    "main",
    "places",
    "places_import",
    "regulation",
    "server",
    "setup",
    "stats",
]


def main() -> None:
    app()
