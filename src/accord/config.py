"""One typed Settings object, read from ``ACCORD_*`` environment variables (and ``.env``).

Every setting is documented in its ``description``; a test checks that none is left out.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from accord.addresses import PublicUrl, TrustedProxies


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
    max_body_bytes: int = Field(
        default=1024 * 1024,
        ge=1024,
        description="Largest request body the app accepts other than a dataset upload, in bytes.",
    )
    max_unpacked_bytes: int = Field(
        default=1024 * 1024 * 1024,
        ge=1,
        description="Largest unpacked size of all the files of an uploaded .zip or .xlsx, "
        "in bytes.",
    )
    max_member_bytes: int = Field(
        default=512 * 1024 * 1024,
        ge=1,
        description="Largest unpacked size of one file in an uploaded .zip or .xlsx, in bytes.",
    )
    max_compression_ratio: int = Field(
        default=100,
        ge=1,
        description="Largest unpacked ÷ packed size of one file (over 1 MiB) in an uploaded "
        ".zip or .xlsx.",
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

    # Every wait on the database is bounded (docs/operations.md): past its limit the
    # request is answered 503 "database_busy" or "database_unavailable" with Retry-After.
    db_lock_timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        le=600,
        description="Seconds a request waits for a database lock (PostgreSQL lock_timeout, "
        "the reservation lock included; SQLite's wait for another writer).",
    )
    db_statement_timeout_seconds: float = Field(
        default=30.0,
        ge=0,
        le=3600,
        description="Seconds one PostgreSQL statement may run (statement_timeout; 0: no "
        "limit). Imports and migrations are exempt: their size is bounded by the upload "
        "limits.",
    )
    db_connect_timeout_seconds: float = Field(
        default=5.0,
        ge=2,
        le=600,
        description="Seconds to open a PostgreSQL connection (whole seconds, at least 2).",
    )
    db_pool_timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        le=600,
        description="Seconds a request waits for a free connection of the pool.",
    )
    db_pool_size: int = Field(
        default=10,
        ge=1,
        le=1000,
        description="PostgreSQL connections a server process keeps open (as many again "
        "may be opened at a peak).",
    )
    shutdown_timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        le=600,
        description="Seconds `accord serve` lets requests in progress finish after SIGTERM "
        "before it closes them and exits.",
    )

    # Accounts and browsers (docs/security.md).
    token_days: int = Field(
        default=90,
        ge=1,
        le=3650,
        description="Days a new API token is valid for when its creator names no --days.",
    )
    secure_cookies: bool = Field(
        default=False,
        description="Mark the session and CSRF cookies Secure (sent over https only); "
        "set it whenever Accord is served over https.",
    )
    insecure_fast_password_hashing: bool = Field(
        default=False,
        description="Test suites only: hash new passwords with a cheap scrypt cost "
        "(N=2^10) so creating many users is fast. Never set it in production.",
    )

    # CRM (docs/crm.md). Secrets are SecretStr: never printed, logged or shown in errors.
    crm_webhook_token: SecretStr | None = Field(
        default=None, description="Shared token the Salesforce outbound message must carry."
    )
    hubspot_client_secret: SecretStr | None = Field(
        default=None, description="HubSpot app secret that signs its webhook calls."
    )
    hubspot_access_token: SecretStr | None = Field(
        default=None, description="HubSpot private app token for live pull and push."
    )
    hubspot_host: str | None = Field(
        default=None, description="Another HubSpot API host (tests, proxies); none: HubSpot's."
    )
    salesforce_instance_url: str | None = Field(
        default=None, description="Salesforce instance (https://....my.salesforce.com)."
    )
    salesforce_session_id: SecretStr | None = Field(
        default=None, description="Salesforce session id or OAuth access token."
    )
    salesforce_org_id: str | None = Field(
        default=None, description="Only outbound messages from this Salesforce org are read."
    )
    crm_write_back: bool = Field(
        default=False, description="Write promise dates back to the CRM after a webhook."
    )
    crm_mapping: Path | None = Field(
        default=None, description="TOML mapping file for CRM fields, stages and options."
    )
    crm_timeout_seconds: float = Field(
        default=30.0,
        gt=0,
        le=600,
        description="Seconds Accord waits for Salesforce or HubSpot to connect or answer.",
    )

    # Behind a reverse proxy (docs/security.md, docs/crm.md).
    trusted_proxies: TrustedProxies = Field(
        default=None,
        description="Addresses or CIDR networks (comma-separated) of the reverse proxies "
        "whose X-Forwarded-For and X-Forwarded-Proto `accord serve` believes; none: "
        "those headers are ignored.",
    )
    public_url: PublicUrl = Field(
        default=None,
        description="The URL the CRMs call Accord at (https://accord.example.com); HubSpot "
        "webhook signatures are checked against it. None: the URL of the request.",
    )

    def secret(self, name: str) -> str | None:
        """The value of secret setting ``name``, None when unset or blank."""
        value = getattr(self, name)
        text = value.get_secret_value().strip() if isinstance(value, SecretStr) else ""
        return text or None


def load_settings(**overrides: object) -> Settings:
    return Settings(**overrides)  # type: ignore[arg-type]
