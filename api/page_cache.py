"""A short-lived cache of rendered pages whose only per-visitor parts are a few tokens.

The questionnaire behind a QR code is the same for every visitor of a link in one language
(the instrument version never changes); only the CSRF token, the submission key and a
rotating code's window and signature differ. Rendering 22 items x 2 scales costs several
milliseconds, so the page is rendered once with placeholders and the tokens are put in per
request. Entries live ``ttl`` seconds, so a change of the clerk on duty shows within that
time; a revoked or expired link is refused before the cache is consulted.
"""

from collections import OrderedDict
from collections.abc import Hashable, Mapping
from threading import Lock
from time import monotonic

PLACEHOLDER_PREFIX = "MANYIPLACEHOLDER"


def placeholder(name: str) -> str:
    """A marker that survives HTML escaping and URL contexts unchanged."""
    return f"{PLACEHOLDER_PREFIX}{name.upper()}X"


class PageCache:
    """A bounded, thread-safe LRU of rendered HTML with a time to live."""

    def __init__(self, *, ttl: float = 60.0, max_entries: int = 2048) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, tuple[float, str]] = OrderedDict()
        self._lock = Lock()

    def get(self, key: Hashable) -> str | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            stored_at, html = entry
            if monotonic() - stored_at > self.ttl:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return html

    def put(self, key: Hashable, html: str) -> None:
        with self._lock:
            self._entries[key] = (monotonic(), html)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)


def fill(html: str, values: Mapping[str, str]) -> str:
    """Put each value where its :func:`placeholder` stands."""
    for name, value in values.items():
        html = html.replace(placeholder(name), value)
    return html
