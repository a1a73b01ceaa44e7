"""Settings shared by the sync and async clients: base URL, API key, retry policy."""

from __future__ import annotations

import email.utils
import os
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

DEFAULT_BASE_URL = "https://api.taskade.com/v1"
BASE_URL_ENV = ("TASKADE_API_BASE_URL", "POLYTASK_URL")
API_KEY_ENV = ("TASKADE_API_KEY", "POLYTASK_API_KEY")
USER_AGENT = "polytask-client/0.1 (python)"

# Statuses that report nothing was done (the server frees an Idempotency-Key on them), so
# asking again is safe for every call: GET, PUT and DELETE by nature, POST and PATCH
# because each carries its key.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


def resolve_base_url(base_url: str | None) -> str:
    """The argument, else TASKADE_API_BASE_URL, else POLYTASK_URL, else Taskade's own URL.

    Any of them may name the server root (`http://127.0.0.1:8000`) or its `/v1` base;
    `/v1` is added when missing."""
    url = base_url or next((os.environ[name] for name in BASE_URL_ENV if os.environ.get(name)), DEFAULT_BASE_URL)
    url = url.rstrip("/")
    if not url.endswith("/v1"):
        url += "/v1"
    return url


def resolve_api_key(api_key: str | None) -> str | None:
    """The argument, else TASKADE_API_KEY, else POLYTASK_API_KEY."""
    return api_key or next((os.environ[name] for name in API_KEY_ENV if os.environ.get(name)), None)


def new_idempotency_key() -> str:
    return f"pyc_{uuid.uuid4().hex}"


@dataclass(frozen=True)
class RetryEvent:
    """What `RetryPolicy.on_retry` hears before each wait: the attempt that failed (0 is the
    first), how long the client waits, and why (an HTTP status or the connection error)."""

    method: str
    url: str
    attempt: int
    delay: float
    status: int | None
    error: Exception | None


@dataclass(frozen=True)
class RetryPolicy:
    """Retries with exponential backoff and full jitter; `Retry-After` wins when the server
    sends it (capped at `max_retry_after`)."""

    max_retries: int = 4
    backoff_base: float = 0.5
    backoff_max: float = 8.0
    max_retry_after: float = 60.0
    on_retry: Callable[[RetryEvent], None] | None = field(default=None, compare=False)

    def backoff(self, attempt: int) -> float:
        return random.uniform(0, min(self.backoff_max, self.backoff_base * (2**attempt)))

    def delay_for(self, response: httpx.Response, attempt: int) -> float:
        after = retry_after_seconds(response.headers.get("retry-after"))
        if after is not None:
            return min(after, self.max_retry_after)
        return self.backoff(attempt)


def retry_after_seconds(value: str | None, *, now: float | None = None) -> float | None:
    """`Retry-After` as seconds: either delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def should_retry(response: httpx.Response) -> bool:
    """A status that means "nothing was done, ask again", or the server's 409 for an
    Idempotency-Key whose first request is still running."""
    if response.status_code in RETRY_STATUSES:
        return True
    if response.status_code == 409 and "idempotency-key" in response.request.headers:
        try:
            details = response.json().get("error", {}).get("details", {})
        except ValueError:
            return False
        return isinstance(details, dict) and details.get("field") == "Idempotency-Key"
    return False
