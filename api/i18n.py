"""Languages: choosing one per request, gettext catalogues and Babel formatting.

Catalogues are the ``.po`` files under ``api/locales``; they are compiled in memory at
start (Babel's ``read_po``/``write_mo``), so no compiled ``.mo`` file is kept in the tree.
"""

import math
from datetime import datetime
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Final
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import NumberPattern, parse_pattern
from babel.support import Translations

LOCALES: Final = ("zh_Hans", "zh_Hant", "en")
DEFAULT_LOCALE: Final = "zh_Hans"
LOCALE_NAMES: Final = {"zh_Hans": "简体中文", "zh_Hant": "繁體中文", "en": "English"}
HTML_LANG: Final = {"zh_Hans": "zh-Hans", "zh_Hant": "zh-Hant", "en": "en"}
LOCALE_DIR: Final = Path(__file__).parent / "locales"

_TRADITIONAL_REGIONS = {"tw", "hk", "mo", "hant"}


def normalise_locale(tag: str) -> str | None:
    """Map a language tag (``zh-TW``, ``zh-Hans-CN``, ``en-GB``, ``zh_Hant``) to ours.

    Chinese picks the script from an explicit script subtag, else from the region
    (Taiwan, Hong Kong and Macao write Traditional). Returns ``None`` for other languages.
    Written by hand: Babel's negotiation does not infer the script from the region.
    """
    parts = tag.strip().replace("_", "-").lower().split("-")
    if not parts or not parts[0]:
        return None
    if parts[0] == "en":
        return "en"
    if parts[0] == "zh":
        if "hans" in parts[1:]:
            return "zh_Hans"
        return "zh_Hant" if any(p in _TRADITIONAL_REGIONS for p in parts[1:]) else "zh_Hans"
    return None


def negotiate_locale(accept_language: str | None) -> str:
    """The best of our locales for an ``Accept-Language`` header, by quality value."""
    if not accept_language:
        return DEFAULT_LOCALE
    candidates: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept_language.split(",")[:20]):
        tag, _, params = part.partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        locale = normalise_locale(tag)
        if locale is not None and quality > 0:
            candidates.append((-quality, index, locale))
    return min(candidates)[2] if candidates else DEFAULT_LOCALE


@cache
def translations(locale: str) -> Translations:
    """The gettext translations of one locale (English is the source language)."""
    po_path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not po_path.exists():
        return Translations()
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=Locale.parse(locale))
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def gettext(locale: str, message: str) -> str:
    return translations(locale).gettext(message)


NOT_A_NUMBER = "–"
"""What a figure that cannot be computed (no answers: NaN) shows instead of ``NaN.00``."""


def format_number(value: float | int | None, locale: str, *, digits: int = 0) -> str:
    """A number for reading, e.g. ``1,234`` or ``4.25`` (what Babel's ``format_decimal``
    gives, with the locale and pattern parsed once: dashboards format thousands); a
    missing or not-a-number figure is a dash."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return NOT_A_NUMBER
    return str(_number_pattern(digits).apply(value, _babel_locale(locale)))


@cache
def _number_pattern(digits: int) -> NumberPattern:
    return parse_pattern("#,##0" + ("." + "0" * digits if digits else ""))


@cache
def _babel_locale(locale: str) -> Locale:
    return Locale.parse(locale)


def format_when(value: datetime | None, locale: str, *, timezone: str) -> str:
    """A date and time in the reader's language and time zone; empty for ``None``."""
    if value is None:
        return ""
    return format_datetime(value, format="medium", locale=locale, tzinfo=ZoneInfo(timezone))
