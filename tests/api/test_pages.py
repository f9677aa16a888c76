"""Every template compiles and has a title; health and the landing page answer."""

import hashlib
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from jinja2 import TemplateSyntaxError, nodes

from api.i18n import LOCALES
from api.stylesheet import STYLESHEET_PATH
from api.templating import TEMPLATE_DIR, Templates

TEMPLATES = sorted(str(path.relative_to(TEMPLATE_DIR)) for path in TEMPLATE_DIR.rglob("*.html"))
PRINTED = [n for n in TEMPLATES if n.startswith("print/")]
"""Documents laid out for PDF by WeasyPrint (a regulator's notice): standalone, with their
print CSS inline, since the PDF fetches nothing."""
PAGES = [n for n in TEMPLATES if not Path(n).name.startswith("_") and n not in PRINTED]


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


@pytest.mark.parametrize("name", PAGES)
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


def _ancestors(name: str) -> list[str]:
    chain, current = [], _parent(name)
    while current is not None:
        chain.append(current)
        current = _parent(current)
    return chain


@pytest.mark.parametrize("name", PRINTED)
def test_every_printed_document_has_a_title_and_fetches_nothing(name: str) -> None:
    text = (TEMPLATE_DIR / name).read_text(encoding="utf-8")
    assert re.search(r"<title>[^<]+</title>", text), name
    assert not re.search(r"""(src|href)=|url\(|@import""", text), name


@pytest.mark.parametrize("name", PAGES)
def test_every_page_extends_the_one_base_template(name: str) -> None:
    assert _ancestors(name)[-1:] == ["_base.html"], name


@pytest.mark.parametrize(
    "name", [n for n in TEMPLATES if not n.startswith("customer/") and n not in PRINTED]
)
def test_staff_templates_carry_no_css_of_their_own(name: str) -> None:
    """Styles live in api/static/manyi.css; only the customer's pages inline theirs."""
    text = (TEMPLATE_DIR / name).read_text(encoding="utf-8")
    assert "<style" not in text and "style=" not in text, name


def test_staff_pages_link_the_stylesheet_by_its_content_hash(client: TestClient) -> None:
    """The landing page links manyi-<sha256[:12]>.css, served as CSS for a year."""
    page = client.get("/login?lang=en")
    links = re.findall(r'<link rel="stylesheet" href="([^"]+)">', page.text)
    assert len(links) == 1 and "<style" not in page.text
    (href,) = links
    digest = hashlib.sha256(STYLESHEET_PATH.read_bytes()).hexdigest()[:12]
    assert href == f"/assets/manyi-{digest}.css"
    sheet = client.get(href)
    assert sheet.status_code == 200
    assert sheet.headers["content-type"].startswith("text/css")
    assert "immutable" in sheet.headers["cache-control"]
    assert ".desk main{" in sheet.text and ".phone main{" in sheet.text


def test_a_stylesheet_of_another_release_is_not_found(client: TestClient) -> None:
    assert client.get("/assets/manyi-000000000000.css").status_code == 404
