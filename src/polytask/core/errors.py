"""Typed domain errors with stable codes; each surface renders them in its own shape."""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    """Base of every error a service may raise on purpose."""

    code: ClassVar[str] = "INTERNAL_ERROR"
    http_status: ClassVar[int] = 500

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}


class ValidationFailed(DomainError):
    code = "VALIDATION_ERROR"
    http_status = 422

    @classmethod
    def field(cls, field: str, issue: str, provided_value: Any = None) -> ValidationFailed:
        details: dict[str, Any] = {"field": field, "issue": issue}
        if provided_value is not None:
            details["provided_value"] = provided_value
        return cls(f"Invalid value for '{field}': {issue}", details)


class PayloadTooLarge(DomainError):
    code = "PAYLOAD_TOO_LARGE"
    http_status = 413


class AuthenticationFailed(DomainError):
    code = "AUTHENTICATION_ERROR"
    http_status = 401


class PermissionDenied(DomainError):
    code = "PERMISSION_DENIED"
    http_status = 403


class NotFound(DomainError):
    code = "RESOURCE_NOT_FOUND"
    http_status = 404

    @classmethod
    def of(cls, resource: str, ident: object) -> NotFound:
        from polytask.core.ids import PREFIXES, render_id

        if isinstance(ident, int) and resource in PREFIXES:
            ident = render_id(resource, ident)
        label = resource.replace("_", " ").capitalize()
        return cls(f"{label} '{ident}' was not found", {"resource": resource, "id": str(ident)})


class Conflict(DomainError):
    code = "CONFLICT"
    http_status = 409


class PreconditionFailed(DomainError):
    code = "PRECONDITION_FAILED"
    http_status = 412


class RateLimitExceeded(DomainError):
    code = "RATE_LIMIT_EXCEEDED"
    http_status = 429


class QuotaExceeded(DomainError):
    code = "QUOTA_EXCEEDED"
    http_status = 429
