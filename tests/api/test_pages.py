"""Every template compiles and has a title; health and the landing page answer."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from jinja2 import TemplateSyntaxError, nodes

from api.i18n import LOCALES
from api.templating import TEMPLATE_DIR, Templates

TEMPLATES = sorted(str(path.relative_to(TEMPLATE_DIR)) for path in TEMPLATE_DIR.rglob("*.html"))


@pytest.mark.parametrize("name", TEMPLATES)
def test_every_template_compiles_in_every_language(name: str) -> None:
    templates = Templates(timezone="Asia/Shanghai")
    for locale in LOCALES:
        try:
            templates.environments[locale].get_template(name)
        except TemplateSyntaxError as error:  # pragma: no cover - the failure message
            pytest.fail(f"{name} ({locale}): {error}")


def _title_block(name: str) -> bool | None:
    """Whether ``name`` fills the title block (True), leaves it empty (False) or does not
    mention it (None), reading the template's syntax tree."""
    env = Templates(timezone="Asia/Shanghai").environments["en"]
    tree = env.parse((TEMPLATE_DIR / name).read_text(encoding="utf-8"))
    for block in tree.find_all(nodes.Block):
        if block.name == "title":
            return bool(block.body)
    return None


def _parent(name: str) -> str | None:
    env = Templates(timezone="Asia/Shanghai").environments["en"]
    tree = env.parse((TEMPLATE_DIR / name).read_text(encoding="utf-8"))
    extends = tree.find(nodes.Extends)
    if extends is None or not isinstance(extends.template, nodes.Const):
        return None
    return str(extends.template.value)


@pytest.mark.parametrize("name", [n for n in TEMPLATES if not Path(n).name.startswith("_")])
def test_every_page_has_a_title(name: str) -> None:
    """The page or the nearest template it extends that mentions the title fills it."""
    current: str | None = name
    while current is not None:
        filled = _title_block(current)
        if filled is not None:
            assert filled, f"{current} leaves the title of {name} empty"
            return
        current = _parent(current)
    pytest.fail(f"{name} has no title")


def test_health_answers_when_the_database_does(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_landing_page_points_staff_to_login(client: TestClient) -> None:
    page = client.get("/?lang=en")
    assert page.status_code == 200
    assert 'href="/login"' in page.text


def test_unknown_page_is_a_friendly_404(client: TestClient) -> None:
    page = client.get("/no/such/page", headers={"accept-language": "en"})
    assert page.status_code == 404
    assert "does not exist" in page.text
