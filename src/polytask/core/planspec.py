"""A rate plan's fields, and reading POLYTASK_RATE_PLANS (checked when settings load;
core/rateplans.py builds the configured plans from it)."""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from typing import Any

PLAN_NAME_MAX = 64


@dataclass(frozen=True, slots=True)
class Plan:
    name: str
    per_minute: int = 0
    per_hour: int = 0
    burst: int = 0
    concurrency: int = 0
    monthly_quota: int = 0


FIELDS = {f.name for f in fields(Plan)} - {"name"}


def parse_plans(raw: str) -> dict[str, dict[str, int]]:
    """POLYTASK_RATE_PLANS: a JSON object of plan name -> {field: non-negative integer}."""
    if not raw.strip():
        return {}
    try:
        data: Any = json.loads(raw)
    except ValueError as exc:
        raise ValueError(f"POLYTASK_RATE_PLANS is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError("POLYTASK_RATE_PLANS must be a JSON object of plan name -> limits")
    plans: dict[str, dict[str, int]] = {}
    for name, limits in data.items():
        if not name or len(name) > PLAN_NAME_MAX:
            raise ValueError(f"POLYTASK_RATE_PLANS: plan names are 1-{PLAN_NAME_MAX} characters")
        if not isinstance(limits, dict):
            raise ValueError(f"POLYTASK_RATE_PLANS: plan {name!r} must be an object")
        unknown = set(limits) - FIELDS
        if unknown:
            raise ValueError(f"POLYTASK_RATE_PLANS: plan {name!r} has unknown fields {sorted(unknown)}")
        for key, value in limits.items():
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"POLYTASK_RATE_PLANS: {name}.{key} must be a non-negative integer")
        plans[name] = dict(limits)
    return plans
