"""Python client of Polytask's /v1 API (the Taskade-style developer API).

`TaskadeAPI` (sync) and `AsyncTaskadeAPI` (async), on httpx. Also importable as
`taskade_api` and `taskade`, the names the Taskade documents use.
"""

from polytask_client import webhooks
from polytask_client._async_client import AsyncPager, AsyncTaskadeAPI
from polytask_client._config import DEFAULT_BASE_URL, RetryEvent, RetryPolicy
from polytask_client._errors import (
    APIConnectionError,
    APIError,
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    PreconditionFailedError,
    RateLimitError,
    ServerError,
    TaskadeError,
    ValidationError,
    WebhookVerificationError,
)
from polytask_client._models import ChangeEvent, Document, Page, Record, Resource
from polytask_client._operations import DELIBERATELY_ABSENT, declared_operations
from polytask_client._sync_client import Pager, TaskadeAPI

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_BASE_URL",
    "DELIBERATELY_ABSENT",
    "APIConnectionError",
    "APIError",
    "AsyncPager",
    "AsyncTaskadeAPI",
    "AuthenticationError",
    "ChangeEvent",
    "ConflictError",
    "Document",
    "NotFoundError",
    "Page",
    "Pager",
    "PermissionDeniedError",
    "PreconditionFailedError",
    "RateLimitError",
    "Record",
    "Resource",
    "RetryEvent",
    "RetryPolicy",
    "ServerError",
    "TaskadeAPI",
    "TaskadeError",
    "ValidationError",
    "WebhookVerificationError",
    "__version__",
    "declared_operations",
    "webhooks",
]
