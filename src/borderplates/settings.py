"""Configuration, read once at start from the environment and passed down.

Every variable starts with ``BORDERPLATES_``. Nothing else in borderplates reads the
environment: the command line and the server build one :class:`Settings` with
:func:`load_settings` and hand it (or what is made from it) to the code below.

>>> settings = Settings(data_dir="/srv/borderplates")
>>> settings.registry_url
'sqlite:////srv/borderplates/borderplates.db'
>>> settings.embedded
True
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pydantic
from pydantic_settings import BaseSettings, SettingsConfigDict

from borderplates.errors import ConfigurationError
from borderplates.vocabulary import MAX_RETENTION_DAYS


class Settings(BaseSettings):
    """What an installation of borderplates is configured with."""

    model_config = SettingsConfigDict(env_prefix="BORDERPLATES_", extra="ignore", frozen=True)

    database_url: str | None = pydantic.Field(default=None, description="The registry's database; default the embedded SQLite file in data_dir.")
    data_dir: Path = pydantic.Field(default=Path.home() / ".local" / "share" / "borderplates", description="Where the embedded registry and keys live.")
    data_root: Path | None = pydantic.Field(default=None, description="A folder whose rules/ replace the shipped entry rules.")
    user: str | None = pydantic.Field(default=None, description="The default clerk or officer name on the command line.")
    connect_timeout: float = pydantic.Field(default=5.0, gt=0, le=300, description="Seconds to wait for the database server to answer.")
    public_base_url: str = pydantic.Field(
        default="http://127.0.0.1:8000", pattern=r"^https?://[^/?#]+$", description="The server's address as its users reach it; https makes cookies Secure."
    )
    session_hours: float = pydantic.Field(default=12.0, gt=0, le=24 * 30, description="How long a login session holds.")
    login_free_attempts: int = pydantic.Field(default=5, ge=1, le=100, description="Failed logins per account before each further try must wait.")
    login_max_delay: int = pydantic.Field(default=300, ge=1, le=86400, description="The longest wait, in seconds, between failed logins.")
    max_body_bytes: int = pydantic.Field(default=1_048_576, ge=1024, description="The largest request body the API reads (JSON).")
    max_import_bytes: int = pydantic.Field(default=64 * 1_048_576, ge=1024, description="The largest CSV file the API imports.")
    key_cache_seconds: float = pydantic.Field(default=2.0, ge=0, le=60, description="How long a server worker remembers an API key that worked.")
    access_log: bool = pydantic.Field(default=False, description="Log every request (costs about a quarter of the throughput).")
    max_image_bytes: int = pydantic.Field(default=10 * 1_048_576, ge=1024, le=20 * 1_048_576, description="The largest camera image the API reads.")
    read_retention_days: int = pydantic.Field(
        default=365, ge=1, le=MAX_RETENTION_DAYS, description="How long the images of plate reads are kept before they are erased."
    )
    demo_clock: dt.datetime | None = pydantic.Field(
        default=None,
        description="Start the web pages' clock at this moment (with its UTC offset), to demonstrate a past week; it then runs as the real clock does.",
    )

    read_database_url: str | None = pydantic.Field(
        default=None, description="A streaming replica of the registry's database, for boards, public verification, lists and reports."
    )
    site: str | None = pydantic.Field(default=None, description="The site this installation is (its registry must have been joined as that site).")
    centre_url: str | None = pydantic.Field(default=None, pattern=r"^https?://[^?#]+$", description="The centre a site synchronises with.")
    site_key: pydantic.SecretStr | None = pydantic.Field(default=None, description="The site's key, issued by the centre (for joining and restoring).")
    sync_interval: float = pydantic.Field(default=10.0, gt=0, le=3600, description="Seconds between a site's sync cycles while the centre answers.")
    sync_max_backoff: float = pydantic.Field(
        default=300.0, gt=0, le=86400, description="The longest wait, in seconds, between tries while the centre does not answer."
    )
    sync_batch: int = pydantic.Field(default=1000, ge=1, le=20000, description="Records per batch a site pushes.")

    @pydantic.field_validator("demo_clock")
    @classmethod
    def _with_offset(cls, value: dt.datetime | None) -> dt.datetime | None:
        if value is not None and value.utcoffset() is None:
            raise ValueError("give the moment with its UTC offset, like 2021-09-27T10:00:00+02:00")
        return value

    @pydantic.field_validator("database_url", "user", "demo_clock", "read_database_url", "site", "centre_url", "site_key", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @property
    def reads_dir(self) -> Path:
        """Where the images of plate reads are kept."""
        return self.data_dir / "reads"

    @property
    def embedded(self) -> bool:
        """Whether the registry is the embedded SQLite file (no database URL configured)."""
        return self.database_url is None

    @property
    def secure_cookies(self) -> bool:
        """Whether cookies are sent over HTTPS only (the public address is https)."""
        return self.public_base_url.startswith("https://")

    @property
    def registry_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'borderplates.db'}"


def load_settings() -> Settings:
    """The settings of this process, from the environment; a bad value is one clear error naming the variable."""
    try:
        return Settings()
    except pydantic.ValidationError as error:
        first = error.errors()[0]
        name = "BORDERPLATES_" + str(first["loc"][0]).upper() if first["loc"] else "the environment"
        raise ConfigurationError(f"{name}: {first['msg']}") from None
