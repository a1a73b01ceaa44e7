"""bench/paired.py's toggle for API-usage accounting (make bench's `usage` row): "old" is the
server with the accounting block of RequestIdMiddleware skipped (as POLYTASK_API_USAGE=off
skips it), "new" with it counting, in the same process on the same data.

    .venv/bin/python bench/paired.py --data /tmp/cpu-data bench/usage_toggle.py GET /v1/tasks/task_1
"""

from __future__ import annotations

from typing import Any

import polytask.api.middleware as middleware

_surface_of = getattr(middleware, "surface_of")  # noqa: B009  (the name the middleware calls)


def _no_surface(scope: Any) -> None:
    return None


def set_old() -> None:
    setattr(middleware, "surface_of", _no_surface)  # noqa: B010


def set_new() -> None:
    setattr(middleware, "surface_of", _surface_of)  # noqa: B010
