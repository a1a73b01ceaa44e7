"""Configuration from POLYTASK_* environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob the server reads; documented in README.md."""

    model_config = SettingsConfigDict(env_prefix="POLYTASK_", extra="ignore")

    home: Path = Field(default=Path("./var"), description="Data directory (SQLite file, uploads).")
    database_url: str | None = Field(default=None, description="Overrides the embedded SQLite database.")
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    log_level: Literal["debug", "info", "warning", "error", "critical"] = "info"
    max_page_size: int = Field(default=100, ge=1, description="Upper bound for limit/per_page.")
    default_page_size: int = Field(default=20, ge=1)
    sqlite_busy_timeout_ms: int = 30_000
    db_threads: int = Field(
        default=16, ge=1, description="Worker threads running requests' database work; the pool matches it."
    )
    invite_ttl_days: int = 14
    rate_limit_per_minute: int = Field(default=1000, ge=0, description="Requests per minute per credential; 0: off.")
    rate_limit_per_hour: int = Field(default=0, ge=0, description="Requests per hour per credential; 0: off.")
    rate_limit_concurrency: int = Field(
        default=10, ge=0, description="Requests in flight per credential in one process; 0: off."
    )
    redis_url: str | None = Field(default=None, description="Shared rate-limit counters when several processes serve.")
    cors_origins: str = Field(default="", description="Comma-separated origins allowed to call the API from a browser.")
    cors_allow_credentials: bool = Field(default=False, description="Let browsers send cookies cross-origin.")

    @model_validator(mode="after")
    def no_wildcard_with_credentials(self) -> Settings:
        if self.cors_allow_credentials and "*" in self.cors_origin_list:
            raise ValueError("POLYTASK_CORS_ORIGINS='*' cannot be combined with POLYTASK_CORS_ALLOW_CREDENTIALS")
        return self

    @property
    def cors_origin_list(self) -> list[str]:
        return [o.strip().rstrip("/") for o in self.cors_origins.split(",") if o.strip()]

    bulk_max_tasks: int = Field(
        default=10_000, ge=1, description="Most tasks one bulk request may create, update or delete."
    )

    idempotency_ttl_hours: int = Field(
        default=24, ge=1, description="How long a stored Idempotency-Key response is replayed."
    )

    open_signup: bool = Field(
        default=False, description="Let anyone create an account through the Taskforce surface's POST /api/v1/user."
    )
    admin_email: str = Field(default="admin@example.com", description="Email of the first-run admin user.")

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'polytask.db').resolve()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
