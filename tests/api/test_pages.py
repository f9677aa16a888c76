"""Every template compiles and has a title; health and the landing page answer."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from jinja2 import TemplateSyntaxError

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


@pytest.mark.parametrize("name", [n for n in TEMPLATES if not Path(n).name.startswith("_")])
def test_every_page_has_a_title(name: str) -> None:
    source = (TEMPLATE_DIR / name).read_text(encoding="utf-8")
    assert "{% block title %}" in source
    assert "{% block title %}{% endblock %}" not in source


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
