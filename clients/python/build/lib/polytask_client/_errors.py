"""Errors: one class per status family, each carrying the server's error document."""

from __future__ import annotations

from typing import Any

import httpx


class TaskadeError(Exception):
    """Base of every error this client raises."""


class APIConnectionError(TaskadeError):
    """The server could not be reached, or the connection broke, after every retry."""


class APIError(TaskadeError):
    """A 4xx or 5xx answer: `status`, the error document's `code`, `message`, `details`,
    `request_id`, and the response itself."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.status = response.status_code
        body: Any = None
        try:
            body = response.json()
        except ValueError:
            body = None
        error = body.get("error") if isinstance(body, dict) else None
        error = error if isinstance(error, dict) else {}
        self.code: str = str(error.get("code") or f"HTTP_{self.status}")
        self.message: str = str(error.get("message") or response.reason_phrase)
        details = error.get("details")
        self.details: dict[str, Any] = details if isinstance(details, dict) else {}
        self.request_id: str | None = error.get("request_id")
        super().__init__(f"{self.status} {self.code}: {self.message}")


class AuthenticationError(APIError):
    """401: missing, unknown or revoked credentials."""


class PermissionDeniedError(APIError):
    """403: the credential lacks the role or scope."""


class NotFoundError(APIError):
    """404: missing, or not yours (the server answers the same for both)."""


class ConflictError(APIError):
    """409."""


class PreconditionFailedError(APIError):
    """412: `If-Match` named an older version; `details['current_etag']` has the current one."""


class ValidationError(APIError):
    """422: `details` names the field."""


class RateLimitError(APIError):
    """429, after every retry."""


class ServerError(APIError):
    """5xx, after every retry."""


_BY_STATUS: dict[int, type[APIError]] = {
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    412: PreconditionFailedError,
    422: ValidationError,
    429: RateLimitError,
}


def error_for(response: httpx.Response) -> APIError:
    if response.status_code >= 500:
        return ServerError(response)
    return _BY_STATUS.get(response.status_code, APIError)(response)


class WebhookVerificationError(TaskadeError):
    """A webhook request whose signature or timestamp does not check out."""
