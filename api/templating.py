"""One Jinja2 environment per language, with autoescape and the i18n extension.

Each environment has that language's gettext installed, so ``{% trans %}`` needs no
per-request state and concurrent requests in different languages cannot mix.
"""

from collections.abc import Mapping
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from api import i18n
from api.forms import csrf_token_for
from api.stylesheet import STYLESHEET_URL
from survey.errors import FieldError

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"


def _make_environment(locale: str, *, timezone: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(("html", "svg", "xml")),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    translations = i18n.translations(locale)
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    # ``_(label)`` looks a message up as it is: newstyle gettext would also apply ``%`` to
    # it, which breaks on a label such as "80 % of the time used" (trans blocks, which
    # take variables, keep Jinja's own gettext).
    env.globals["_"] = translations.gettext
    env.filters["number"] = partial(_number, locale=locale)
    env.filters["when"] = partial(_when, locale=locale, timezone=timezone)
    env.globals.update(
        locale=locale,
        html_lang=i18n.HTML_LANG[locale],
        locales=i18n.LOCALES,
        locale_names=i18n.LOCALE_NAMES,
        stylesheet_url=STYLESHEET_URL,
    )
    return env


def _number(value: float | int | None, digits: int = 0, *, locale: str) -> str:
    return i18n.format_number(value, locale, digits=digits)


def _when(value: datetime | None, *, locale: str, timezone: str) -> str:
    return i18n.format_when(value, locale, timezone=timezone)


class Templates:
    """Renders a template in the request's language."""

    def __init__(self, *, timezone: str) -> None:
        self.environments = {
            locale: _make_environment(locale, timezone=timezone) for locale in i18n.LOCALES
        }

    def render_html(
        self, request: Request, name: str, context: Mapping[str, Any] | None = None
    ) -> str:
        """The template rendered in the request's language, as text."""
        locale = str(getattr(request.state, "locale", i18n.DEFAULT_LOCALE))
        template = self.environments[locale].get_template(name)
        return template.render({"request": request, **(context or {})})

    def render(
        self,
        request: Request,
        name: str,
        context: Mapping[str, Any] | None = None,
        *,
        status_code: int = 200,
    ) -> HTMLResponse:
        return HTMLResponse(self.render_html(request, name, context), status_code=status_code)

    def gettext(self, locale: str, message: str) -> str:
        return i18n.gettext(locale, message)


def templates_of(request: Request) -> Templates:
    """The app's :class:`Templates` (typed access to ``app.state``)."""
    templates: Templates = request.app.state.templates
    return templates


def render(
    request: Request,
    name: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> HTMLResponse:
    """Render ``name`` in the request's language, with the CSRF token for its forms."""
    full = dict(context or {})
    if "csrf_token" not in full:
        full["csrf_token"] = csrf_token_for(request)
    return templates_of(request).render(request, name, full, status_code=status_code)


def translate(request: Request, message: str) -> str:
    """``message`` in the request's language."""
    return i18n.gettext(str(getattr(request.state, "locale", i18n.DEFAULT_LOCALE)), message)


def translate_error(request: Request, error: FieldError) -> str:
    """A field's message in the request's language with its values put in; a message
    without values is used as it is, so a literal "%" in it stays."""
    message = translate(request, error.message)
    return message % dict(error.params) if error.params else message


def translate_errors(request: Request, errors: Mapping[str, FieldError]) -> dict[str, str]:
    """Every field's message, as :func:`translate_error` words it."""
    return {name: translate_error(request, error) for name, error in errors.items()}
