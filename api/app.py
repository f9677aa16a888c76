"""The application factory: ``create_app(settings)`` builds one independent app."""

from collections.abc import Callable
from datetime import UTC, datetime
from threading import Lock
from zoneinfo import ZoneInfo

from fastapi import Depends, FastAPI
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.middleware.gzip import GZipMiddleware

from api.access_log import AccessLogMiddleware
from api.admin import accounts as admin_accounts
from api.admin import campaigns as admin_campaigns
from api.admin import imports as admin_imports
from api.admin import places as admin_places
from api.admin import questionnaires as admin_questionnaires
from api.bounded_numbers import check_bounded_numbers
from api.customer import case as customer_case
from api.customer import display, feedback, survey
from api.errors import install_error_handlers
from api.manager import (
    actions,
    agreements,
    cases,
    checklists,
    design,
    duty,
    home,
    reviews,
    services,
    supervision,
)
from api.manager.dashboard import routes as dashboard
from api.middleware import RequestContextMiddleware
from api.page_cache import PageCache
from api.public import accounts, api_docs, assets, evidence, health, notices, welcome
from api.regulator import api_v1
from api.regulator import complaints as regulator_complaints
from api.regulator import evaluations as regulator_evaluations
from api.regulator import publications as regulator_publications
from api.regulator import tokens as regulator_tokens
from api.security_headers import SecurityHeadersMiddleware
from api.settings import Settings
from api.supervisor import portal
from api.templating import Templates
from survey.db import make_engine
from survey.questionnaires.instruments import InstrumentSpec, load_instrument


def utc_now() -> datetime:
    return datetime.now(UTC)


class InstrumentCache:
    """Instrument versions never change, so each is read from the database once per app."""

    def __init__(self) -> None:
        self._specs: dict[int, InstrumentSpec] = {}
        self._lock = Lock()

    def __call__(self, session: Session, instrument_id: int) -> InstrumentSpec:
        spec = self._specs.get(instrument_id)
        if spec is None:
            spec = load_instrument(session, instrument_id)
            with self._lock:
                self._specs[instrument_id] = spec
        return spec


def create_app(
    settings: Settings,
    *,
    engine: Engine | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> FastAPI:
    """Build the web app for ``settings``; tests pass their own engine and clock."""
    if not settings.secret_key:
        # Read (or create) the key file once, not on every request.
        settings = settings.model_copy(update={"secret_key": settings.resolved_secret_key()})
    app = FastAPI(
        title="manyi",
        docs_url=None,  # api.public.api_docs: behind login, assets served here
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(check_bounded_numbers)],
    )
    app.state.settings = settings
    app.state.engine = engine or make_engine(settings.resolved_database_url())
    app.state.clock = clock
    app.state.zone = ZoneInfo(settings.timezone)
    app.state.templates = Templates(timezone=settings.timezone)
    app.state.instrument = InstrumentCache()
    app.state.page_cache = PageCache(ttl=60.0)
    for module in (
        health,
        assets,
        api_docs,
        survey,
        feedback,
        customer_case,
        display,
        accounts,
        welcome,
        admin_places,
        admin_campaigns,
        admin_questionnaires,
        admin_accounts,
        admin_imports,
        home,
        dashboard,
        cases,
        supervision,
        portal,
        evidence,
        checklists,
        services,
        actions,
        agreements,
        reviews,
        design,
        duty,
        regulator_evaluations,
        regulator_complaints,
        regulator_publications,
        regulator_tokens,
        api_v1,
        notices,
    ):
        app.include_router(module.router)
    install_error_handlers(app)
    app.add_middleware(RequestContextMiddleware, secure_cookies=settings.secure_cookies)
    app.add_middleware(GZipMiddleware, minimum_size=500)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(AccessLogMiddleware)
    return app


def create_app_from_environment() -> FastAPI:
    """The factory uvicorn calls in each worker process (settings from ``MANYI_*``)."""
    return create_app(Settings())
