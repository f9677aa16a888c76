"""Settings from the environment (``MANYI_*``); created by the caller, never at import."""

import os
import secrets
import tempfile
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlmodel import Session
from starlette.requests import Request

from survey.installation import public_base_url


class Settings(BaseSettings):
    """Everything an operator may configure. Defaults suit a laptop demo on SQLite."""

    model_config = SettingsConfigDict(env_prefix="MANYI_", env_file=".env", extra="ignore")

    data_dir: Path = Path("data")
    database_url: str = ""
    secret_key: str = Field(default="", description="Signs cookies and rotating QR codes.")
    base_url: str = Field(
        default="http://127.0.0.1:8000",
        description="The public address used until `manyi init` stores one in the database.",
    )
    demo_mode: bool = False
    secure_cookies: bool = Field(
        default=False, description="Mark cookies Secure; switch on behind HTTPS."
    )
    duplicate_window_minutes: int = Field(default=10, ge=0)
    max_responses_per_client: int = Field(default=5, ge=1)
    rotation_seconds: int = Field(default=180, ge=30)
    rotation_grace_windows: int = Field(default=1, ge=0)
    rotating_submit_minutes: int = Field(
        default=30,
        ge=1,
        description="How long after its page was shown a rotating code's form may be sent.",
    )
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    max_upload_bytes: int = Field(
        default=8 * 1024 * 1024, ge=1024, description="The largest photo one may upload."
    )
    max_upload_files: int = Field(
        default=4, ge=1, le=20, description="Photos one form may carry at most."
    )
    supervision_hotline: str = "12300"
    timezone: str = "Asia/Shanghai"

    def resolved_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'manyi.sqlite3').resolve()}"

    def resolved_secret_key(self) -> str:
        """The secret key; one is generated and kept in the data directory if unset."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(32)
        # Written whole to a file only its owner can read (mkstemp makes it 0600), then
        # linked into place: a process that loses the race reads the winner's key, never
        # a half-written one, and nothing is written over a key another process made.
        descriptor, draft = tempfile.mkstemp(dir=self.data_dir, prefix=".secret_key-")
        try:
            with os.fdopen(descriptor, "w") as file:
                file.write(key)
            os.link(draft, path)
        except FileExistsError:
            return path.read_text().strip()
        finally:
            os.unlink(draft)
        return key


def settings_of(request: Request) -> Settings:
    """The settings the running app was created with (typed access to ``app.state``)."""
    settings: Settings = request.app.state.settings
    return settings


def public_address(session: Session, settings: Settings) -> str:
    """The address customers' phones reach the app at, without a trailing slash: the one
    ``manyi init`` (or ``manyi public-url``) stored, else ``MANYI_BASE_URL``."""
    return (public_base_url(session) or settings.base_url).rstrip("/")
