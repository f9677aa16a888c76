"""The rendered-page cache: expiry, bounded size, filling placeholders."""

import pytest

from api import page_cache
from api.page_cache import PageCache, fill, placeholder


def test_entries_expire_after_their_time_to_live(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [100.0]
    monkeypatch.setattr(page_cache, "monotonic", lambda: now[0])
    cache = PageCache(ttl=60)
    cache.put("a", "<p>a</p>")
    now[0] += 59
    assert cache.get("a") == "<p>a</p>"
    now[0] += 2
    assert cache.get("a") is None


def test_least_recently_used_entry_is_dropped_first() -> None:
    cache = PageCache(max_entries=2)
    cache.put("a", "A")
    cache.put("b", "B")
    assert cache.get("a") == "A"  # a is now the most recent
    cache.put("c", "C")
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == ("A", None, "C")


def test_fill_replaces_every_placeholder() -> None:
    html = f'<input value="{placeholder("csrf")}"><a href="?t={placeholder("csrf")}">'
    assert fill(html, {"csrf": "tok"}) == '<input value="tok"><a href="?t=tok">'
