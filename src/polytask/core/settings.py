"""Configuration from POLYTASK_* environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

from polytask.core.inputguard import InputLimits
from polytask.core.planspec import parse_plans


class Settings(BaseSettings):
    """Every knob the server reads; documented in README.md."""

    model_config = SettingsConfigDict(env_prefix="POLYTASK_", extra="ignore")

    home: Path = Field(default=Path("./var"), description="Data directory (SQLite file, uploads).")
    database_url: str | None = Field(default=None, description="Overrides the embedded SQLite database.")
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    log_level: Literal["debug", "info", "warning", "error", "critical"] = "info"
    log_format: Literal["text", "json"] = Field(
        default="text", description="Log lines as text, or one JSON object per line (log shippers)."
    )
    metrics_token: str | None = Field(
        default=None,
        description="When set, GET /metrics needs `Authorization: Bearer <token>` from any address; "
        "unset, /metrics answers only direct loopback clients (no X-Forwarded-For).",
    )
    opentelemetry: bool = Field(
        default=False,
        description="FastAPI's own OpenTelemetry instrumentation (spans, metrics, logs through the "
        "process's global providers). Off: no request asks whether a provider is configured.",
    )
    max_page_size: int = Field(default=100, ge=1, description="Upper bound for limit/per_page.")
    default_page_size: int = Field(default=20, ge=1)
    sqlite_busy_timeout_ms: int = 30_000
    sqlite_mmap_mb: int = Field(
        default=256, ge=0, description="SQLite reads through a shared memory map of this many MiB; 0: off."
    )
    db_threads: int | None = Field(
        default=None,
        ge=1,
        description="Worker threads running requests' database work; the pool matches it. Unset: 4 on "
        "SQLite (each pooled connection maps the file: fewer keep the memory down at the same "
        "throughput, docs/performance.md), 16 on PostgreSQL.",
    )
    loop_read_budget_ms: float = Field(
        default=5.0,
        ge=0,
        description="Read units run on the event loop first. SQLite: one that spends this much CPU time "
        "is interrupted and run on a worker thread. PostgreSQL: a statement still running after 10 times "
        "this is cancelled and run on a worker thread, and a route whose reads wait on the database "
        "longer than this three times in a row goes to worker threads for a while. 0: always a worker thread.",
    )
    loop_writes: bool = Field(
        default=True,
        description="SQLite: write units run on the event loop too, one at a time, held to the loop's "
        "budget (POLYTASK_LOOP_READ_BUDGET_MS): one that meets another process's lock, overruns or must "
        "block (hashing a password, resolving a name) runs on a worker thread. false: writes always run on "
        "worker threads. No effect on PostgreSQL, or with a budget of 0.",
    )
    gc_threshold: int = Field(
        default=50_000,
        ge=0,
        description="Server: allocations between young garbage collections (Python's default: 700), after "
        "gc.freeze() at start-up; 0 leaves the collector as Python sets it up (docs/performance.md).",
    )
    api_key_cache_seconds: float = Field(
        default=5.0,
        ge=0,
        le=60,
        description="A verified API key is trusted this long without a lookup, per process; 0: always look up "
        "(docs/security.md).",
    )
    invite_ttl_days: int = 14
    default_currency: str = Field(
        default="USD",
        pattern=r"^[A-Z]{3}$",
        description="ISO 4217 code a new project's budget is kept in when the request names none.",
    )
    rate_limit_per_minute: int = Field(default=1000, ge=0, description="Requests per minute per credential; 0: off.")
    rate_limit_per_hour: int = Field(default=0, ge=0, description="Requests per hour per credential; 0: off.")
    rate_limit_concurrency: int = Field(
        default=10, ge=0, description="Requests in flight per credential in one process; 0: off."
    )
    redis_url: str | None = Field(default=None, description="Shared rate-limit counters when several processes serve.")
    # Rate-limit plans (core/planspec.py, core/rateplans.py): the default plan's other bounds, and more named plans.
    rate_limit_burst: int = Field(default=0, ge=0, description="Requests per clock second per credential; 0: off.")
    rate_limit_monthly_quota: int = Field(
        default=0, ge=0, description="Requests per calendar month (UTC) per user on the default plan; 0: off."
    )
    rate_plans: str = Field(default="", description='JSON: {"plan name": {"per_hour": 10000, ...}}.')
    cors_origins: str = Field(default="", description="Comma-separated origins allowed to call the API from a browser.")
    cors_allow_credentials: bool = Field(default=False, description="Let browsers send cookies cross-origin.")

    @field_validator("session_cookie_secure", mode="before")
    @classmethod
    def _secure_from_bool(cls, value: object) -> object:
        """The setting was a boolean before `auto`: true and false keep their meaning."""
        text = str(value).strip().lower()
        if value is True or text in ("true", "1", "yes", "on"):
            return "always"
        if value is False or text in ("false", "0", "no", "off"):
            return "never"
        return value

    @model_validator(mode="after")
    def no_wildcard_with_credentials(self) -> Settings:
        if self.cors_allow_credentials and "*" in self.cors_origin_list:
            raise ValueError("POLYTASK_CORS_ORIGINS='*' cannot be combined with POLYTASK_CORS_ALLOW_CREDENTIALS")
        return self

    @model_validator(mode="after")
    def rate_plans_parse(self) -> Settings:
        parse_plans(self.rate_plans)
        return self

    @property
    def cors_origin_list(self) -> list[str]:
        return [o.strip().rstrip("/") for o in self.cors_origins.split(",") if o.strip()]

    bulk_max_tasks: int = Field(
        default=10_000, ge=1, description="Most tasks one bulk request may create, update or delete."
    )
    max_body_bytes: int = Field(
        default=8 * 1024 * 1024,
        ge=64 * 1024,
        description="Largest request body on every surface; a larger one is a 413 (docs/security.md, Input limits).",
    )

    # Files (docs/ARCHITECTURE.md "Files"): a local directory by default, an S3-compatible store by configuration.
    storage: Literal["local", "s3"] = Field(
        default="local", description="Where uploaded files are kept: `local` (a directory) or `s3` (S3-compatible)."
    )
    storage_dir: Path | None = Field(
        default=None, description="The local store's directory; unset: <POLYTASK_HOME>/files."
    )
    s3_bucket: str | None = Field(default=None, description="The bucket files are kept in (POLYTASK_STORAGE=s3).")
    s3_endpoint_url: str | None = Field(
        default=None, description="An S3-compatible server's URL (MinIO, Ceph, ...); unset: AWS's own endpoints."
    )
    s3_region: str | None = Field(default=None, description="The bucket's region (us-east-1 when unset).")
    s3_access_key_id: str | None = Field(default=None, description="S3 credentials; unset: boto3's default chain.")
    s3_secret_access_key: SecretStr | None = Field(default=None, description="The secret of POLYTASK_S3_ACCESS_KEY_ID.")
    s3_prefix: str = Field(default="", description="Prefix of every object key (`polytask/`), to share a bucket.")
    blob_sweep_hours: float = Field(
        default=24.0,
        ge=0,
        le=8760,
        description="How often a reaper deletes the blobs no file names (left by a process that died between "
        "storing a blob and committing its row) and stale upload spool files, older than an hour; 0: never.",
    )
    max_upload_bytes: int = Field(
        default=50 * 1024 * 1024,
        ge=1,
        description="Largest uploaded file on the routes that take files; a larger one is a 413, refused early.",
    )

    @model_validator(mode="after")
    def storage_complete(self) -> Settings:
        if self.storage == "s3":
            if not self.s3_bucket:
                raise ValueError("POLYTASK_STORAGE=s3 needs POLYTASK_S3_BUCKET")
            if bool(self.s3_access_key_id) != bool(self.s3_secret_access_key):
                raise ValueError(
                    "POLYTASK_S3_ACCESS_KEY_ID and POLYTASK_S3_SECRET_ACCESS_KEY are set together or not at all"
                )
        return self

    @property
    def files_dir(self) -> Path:
        """The local store's directory."""
        return self.storage_dir if self.storage_dir is not None else self.home / "files"

    idempotency_ttl_hours: int = Field(
        default=24, ge=1, description="How long a stored Idempotency-Key response is replayed."
    )

    open_signup: bool = Field(
        default=False, description="Let anyone create an account through the Taskforce surface's POST /api/v1/user."
    )
    admin_email: str = Field(default="admin@example.com", description="Email of the first-run admin user.")
    secret_key: SecretStr | None = Field(
        default=None,
        description="Signs the OAuth sign-in cookie; when unset, one is generated once and kept in <home>/secret_key.",
    )
    oauth_access_token_ttl: int = Field(default=3600, ge=1, description="Lifetime of OAuth access tokens (seconds).")
    oauth_refresh_token_ttl: int = Field(
        default=30 * 24 * 3600, ge=1, description="Lifetime of OAuth refresh tokens (seconds)."
    )
    oauth_code_ttl: int = Field(default=60, ge=1, le=600, description="Lifetime of authorization codes (seconds).")
    login_max_failures: int = Field(
        default=5, ge=1, description="Failed sign-ins per account within login_lockout_seconds before it is locked."
    )
    login_max_failures_per_ip: int = Field(
        default=20, ge=1, description="Failed sign-ins per client address within login_lockout_seconds."
    )
    login_lockout_seconds: int = Field(default=900, ge=1, description="Window and lockout of the sign-in throttle.")

    # Browser sessions (TaskFlow /api/auth/login; docs/security.md "Sessions and CSRF").
    session_cookie_name: str = Field(
        default="polytask_session", pattern=r"^[A-Za-z0-9_-]{1,64}$", description="Name of the session cookie."
    )
    session_cookie_secure: Literal["auto", "always", "never"] = Field(
        default="auto",
        description="When the session cookie is marked Secure (browsers send it over HTTPS only): `auto` "
        "everywhere except a plain-HTTP request from a loopback client (docs/security.md); `always`; "
        "`never`. `true`/`false` mean `always`/`never`.",
    )
    session_idle_timeout: int = Field(
        default=2 * 3600, ge=1, description="A session unused for this many seconds ends."
    )
    session_absolute_timeout: int = Field(
        default=12 * 3600, ge=1, description="A session ends this many seconds after its login, used or not."
    )

    # Webhooks (docs/webhooks.md).
    webhook_allow_private: bool = Field(
        default=False,
        description=(
            "Turn the webhook SSRF guard off: allow URLs whose host is, wraps or resolves to an internal"
            " address (loopback, private, link-local, ...), and names that do not resolve."
        ),
    )
    webhook_dispatcher: bool = Field(
        default=True, description="Deliver webhooks from the server process; false when `polytask worker` runs."
    )
    webhook_timeout_seconds: float = Field(default=15.0, gt=0, description="Per-attempt timeout of a delivery.")
    webhook_retry_schedule: str = Field(
        default="5,30,120,600,1800,3600,10800,21600,43200,86400,86400",
        description="Seconds before each retry (comma-separated); +/-20% jitter; after the last, the delivery fails.",
    )
    webhook_disable_after_days: float = Field(
        default=5.0, gt=0, description="Disable an endpoint whose deliveries failed without a success for this long."
    )
    webhook_concurrency: int = Field(default=32, ge=1, description="Deliveries in flight per dispatcher process.")
    webhook_endpoint_concurrency: int = Field(default=4, ge=1, description="Deliveries in flight per endpoint.")
    webhook_poll_seconds: float = Field(default=1.0, gt=0, description="How often the dispatcher looks for due work.")
    webhook_secret_overlap_hours: float = Field(
        default=24.0, ge=0, description="How long the previous secret still signs after a rotation."
    )

    # Automations (docs/compat/native.md, "Automations").
    automation_max_per_workspace: int = Field(default=100, ge=1, description="Automations a workspace may have.")
    automation_max_actions: int = Field(default=20, ge=1, le=100, description="Actions one automation may run.")
    automation_max_depth: int = Field(
        default=3,
        ge=0,
        le=10,
        description="How deep a chain of automations may go: a change made by a run of depth n may trigger "
        "runs of depth n+1 up to this; an automation's own changes never trigger itself.",
    )
    automation_retry_schedule: str = Field(
        default="5,30,120,600",
        description="Seconds before each retry of a failed run (comma-separated); after the last, the run fails.",
    )
    automation_poll_seconds: float = Field(
        default=2.0, gt=0, description="How often the automation runner looks for due runs and schedules."
    )
    automation_run_retention_days: int = Field(
        default=30,
        ge=0,
        description="Finished automation runs (succeeded, skipped, failed) older than this many days are "
        "deleted from the run history; 0 keeps them.",
    )

    # Mail (docs/operations.md, "Mail"). Without smtp_host, mail waits in the outbox.
    public_url: str = Field(
        default="",
        description="The server's address as people reach it (https://tasks.example.com): the base of links "
        "in mail. Unset: http://HOST:PORT.",
    )
    smtp_host: str | None = Field(
        default=None, description="The SMTP relay. Unset: mail is kept in the outbox (`polytask mail list`)."
    )
    smtp_port: int = Field(default=587, ge=1, le=65535, description="The relay's port (587 submission, 465 TLS).")
    smtp_security: Literal["starttls", "tls", "none"] = Field(
        default="starttls",
        description="starttls: upgrade the connection before AUTH (required, never skipped); tls: TLS from the "
        "first byte (port 465); none: plain text (a relay on loopback only).",
    )
    smtp_username: str | None = Field(default=None, description="SMTP AUTH user; unset: no AUTH.")
    smtp_password: SecretStr | None = Field(default=None, description="SMTP AUTH password.")
    smtp_timeout_seconds: float = Field(default=30.0, gt=0, description="Per-attempt timeout of an SMTP conversation.")
    smtp_validate_certs: bool = Field(default=True, description="Check the relay's TLS certificate.")
    mail_from: str = Field(
        default="Polytask <polytask@localhost>", description="The From header and envelope sender of all mail."
    )
    mail_retry_schedule: str = Field(
        default="30,120,600,1800,3600,10800,21600,43200",
        description="Seconds before each retry of a message (comma-separated, +/-20% jitter); after the last, "
        "the message is marked failed.",
    )
    mail_poll_seconds: float = Field(default=5.0, gt=0, description="How often the mail sender looks for due mail.")
    password_reset_ttl_minutes: int = Field(
        default=60, ge=1, le=1440, description="How long a password-reset link works."
    )
    password_reset_per_hour: int = Field(
        default=5, ge=1, description="Password-reset requests per client address per hour (more: 429)."
    )
    password_reset_per_account_hour: int = Field(
        default=3, ge=1, description="Reset mails per account per hour (more are silently not sent)."
    )

    events_heartbeat_seconds: float = Field(
        default=15.0, gt=0, description="Idle time after which /v1/events/stream sends a comment line."
    )

    # The audit log (event-log retention).
    audit_retention_days: int = Field(
        default=365, ge=0, description="Delete events older than this many days (hourly); 0 keeps them forever."
    )
    # API-usage accounting (/v1/analytics/api-usage; docs/operations.md "API usage").
    api_usage: Literal["on", "off"] = Field(
        default="on",
        description="Count every request per credential, surface and status in memory and flush the "
        "aggregate to api_usage buckets in the background; off: nothing is counted.",
    )
    api_usage_flush_seconds: float = Field(
        default=5.0, gt=0, description="How often a process adds its counted requests to the database."
    )
    api_usage_minute_retention_hours: int = Field(
        default=48, ge=1, description="Per-minute usage buckets older than this many hours are deleted."
    )
    api_usage_hour_retention_days: int = Field(
        default=31, ge=1, description="Per-hour usage buckets older than this many days are deleted."
    )
    api_usage_day_retention_days: int = Field(
        default=400, ge=0, description="Per-day usage buckets older than this many days are deleted; 0 keeps them."
    )
    # Cross-process event bus (docs/ARCHITECTURE.md, "How processes hear each other").
    event_bus: Literal["auto", "memory", "redis", "postgres"] = Field(
        default="auto",
        description="How processes tell each other about commits: auto = Redis when POLYTASK_REDIS_URL is set, "
        "else LISTEN/NOTIFY on PostgreSQL, else memory (this process only).",
    )
    event_bus_channel: str = Field(
        default="polytask_events",
        pattern=r"^[a-z_][a-z0-9_]{0,62}$",
        description="Redis channel / PostgreSQL NOTIFY channel; give installations sharing a server their own.",
    )
    events_poll_seconds: float = Field(
        default=1.0, gt=0, description="How often an event stream looks at the database without being woken."
    )

    @property
    def webhook_retry_delays(self) -> list[float]:
        return [float(part) for part in self.webhook_retry_schedule.split(",") if part.strip()]

    @property
    def automation_retry_delays(self) -> list[float]:
        return [float(part) for part in self.automation_retry_schedule.split(",") if part.strip()]

    @property
    def mail_retry_delays(self) -> list[float]:
        return [float(part) for part in self.mail_retry_schedule.split(",") if part.strip()]

    @property
    def link_base(self) -> str:
        """Where links in mail point: the public URL, else this server's own address."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def input_limits(self) -> InputLimits:
        """The limits every surface holds client values to (core/inputguard.py)."""
        return InputLimits(max_body_bytes=self.max_body_bytes, max_array_items=max(10_000, self.bulk_max_tasks))

    @property
    def effective_db_threads(self) -> int:
        if self.db_threads is not None:
            return self.db_threads
        return 4 if make_url(self.effective_database_url).get_backend_name() == "sqlite" else 16

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'polytask.db').resolve()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
