"""Language choice and the completeness of the interface catalogues."""

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from api.i18n import LOCALE_DIR, LOCALES, format_number, negotiate_locale, normalise_locale

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "zh_Hans"),
        ("", "zh_Hans"),
        ("zh-CN,zh;q=0.9", "zh_Hans"),
        ("zh-TW,zh;q=0.9,en;q=0.8", "zh_Hant"),
        ("zh-HK", "zh_Hant"),
        ("zh-Hant-CN", "zh_Hant"),
        ("zh-Hans-HK", "zh_Hans"),  # an explicit script wins over the region
        ("en-US,en;q=0.9", "en"),
        ("fr-FR,en;q=0.5,zh;q=0.8", "zh_Hans"),
        ("fr-FR", "zh_Hans"),
        ("en;q=0, zh-TW;q=0.1", "zh_Hant"),
        ("en;q=abc", "zh_Hans"),
    ],
)
def test_negotiate_locale(header: str | None, expected: str) -> None:
    assert negotiate_locale(header) == expected


def test_normalise_locale_accepts_our_own_identifiers() -> None:
    assert [normalise_locale(code) for code in LOCALES] == list(LOCALES)
    assert normalise_locale("de") is None


def test_every_interface_message_is_translated(tmp_path: Path) -> None:
    """Extract the messages from the code and templates now; each must be in every catalogue."""
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "N_",
            "--no-location",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as handle:
        expected = {message.id for message in read_po(handle) if message.id}
    assert len(expected) > 50
    for locale in LOCALES:
        with (LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
            catalog = read_po(handle)
        present = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
        missing = sorted(str(m) for m in expected - present)
        assert missing == [], f"{locale} lacks translations for {missing}"


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("digits", [0, 1, 2])
def test_format_number_is_babels_format_decimal(locale: str, digits: int) -> None:
    """The cached pattern gives what Babel's own ``format_decimal`` gives."""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    for value in (0, 7, -0.835, 1234.5678, 1_000_000, 69.95, -1.05):
        assert format_number(value, locale, digits=digits) == format_decimal(
            value, format=pattern, locale=locale
        )


class _Anything:
    """Stands for any template value: attributes, items, arithmetic and calls all work."""

    def __getattr__(self, name: str) -> "_Anything":
        return self

    def __getitem__(self, key: object) -> "_Anything":
        return self

    def __call__(self, *args: object, **kwargs: object) -> "_Anything":
        return self

    def __mul__(self, other: object) -> "_Anything":
        return self

    __rmul__ = __add__ = __radd__ = __sub__ = __rsub__ = __truediv__ = __mul__

    def __str__(self) -> str:
        return "1"


def test_every_template_message_is_found_in_the_catalogue() -> None:
    """Jinja looks a ``{% trans %}`` block up with ``%`` doubled, while Babel extracts a
    block without variables with ``%`` single: such a block is never translated (the
    on-time note once stayed English on Chinese pages). Render every trans block the way
    Jinja does, record the key it looks up, and require that key in the catalogue."""
    import re

    from jinja2 import Environment, nodes

    with (LOCALE_DIR / "zh_Hans" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalogue = read_po(po)
    known = {m.id[0] if isinstance(m.id, tuple) else m.id for m in catalogue if m.id}
    looked_up: list[str] = []

    class Recorder:
        def gettext(self, message: str) -> str:
            looked_up.append(message)
            return message

        def ngettext(self, singular: str, plural: str, n: int) -> str:
            looked_up.append(singular)
            return singular

    env = Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
    env.install_gettext_translations(Recorder(), newstyle=True)  # type: ignore[attr-defined]
    env.filters["number"] = env.filters["when"] = lambda value, *args: value
    missing, blocks = [], 0
    for template in sorted((ROOT / "templates").rglob("*.html")):
        source = template.read_text()
        for block in re.finditer(r"{%-? trans\b.*?{%-? endtrans -?%}", source, re.S):
            blocks += 1
            looked_up.clear()
            names = {n.name for n in env.parse(block.group(0)).find_all(nodes.Name)}
            values = {name: _Anything() for name in names - {"gettext", "ngettext", "_"}}
            env.from_string(block.group(0)).render(values)
            assert len(looked_up) == 1, block.group(0)
            missing += [f"{template.name}: {key!r}" for key in looked_up if key not in known]
    assert blocks > 300
    assert missing == []
