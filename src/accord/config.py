"""One typed Settings object, read from ``ACCORD_*`` environment variables (and ``.env``).

Every setting is documented in its ``description``; a test checks that none is left out.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ACCORD_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default="sqlite:///accord.db",
        description="SQLAlchemy URL of the database: the SQLite file by default, "
        "postgresql+psycopg://user@host/db for a team.",
    )
    horizon_days: int = Field(
        default=365,
        ge=1,
        le=3660,
        description="Days ahead of the as-of date that capacity and load are kept for.",
    )
    host: str = Field(default="127.0.0.1", description="Address `accord serve` listens on.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port `accord serve` listens on.")
    max_upload_bytes: int = Field(
        default=200 * 1024 * 1024,
        ge=1,
        description="Largest dataset upload the app accepts, in bytes.",
    )
    cluster: str | None = Field(
        default=None,
        description="Address of a Dask scheduler (tcp://host:8786) that runs forecasts and "
        "S&OP scenario batches; none: the local cores.",
    )
    demo_dir: Path = Field(
        default=Path("demo-data"),
        description="Folder `accord demo` writes the demo dataset to when no --out is given.",
    )


def load_settings(**overrides: object) -> Settings:
    return Settings(**overrides)  # type: ignore[arg-type]
