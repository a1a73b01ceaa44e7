"""Named rate-limit plans (which plan a surface uses by default is its declaration's, api/surfaces.py).

A plan bounds one bucket (a credential, or a client address without one):

- `per_minute`, `per_hour`: fixed windows (limits' fixed-window strategy: a window opens with
  its bucket's first request and counts until it ends);
- `burst`: the most requests within a fixed 1-second window. It bounds
  what a fixed minute window allows at its edges (up to twice the limit within a second
  around the boundary). The specs' "burst limit: N per minute" is a plan's `per_minute`;
- `concurrency`: requests in flight at once (across processes when Redis is configured);
- `monthly_quota`: requests per calendar month (UTC), counted per user and plan.

0 turns a bound off. The `default` plan comes from POLYTASK_RATE_LIMIT_* (the native spec:
1000 per minute, 10 at once). POLYTASK_RATE_PLANS (JSON, `{"name": {"per_hour": 10000}}`)
adds plans or replaces the built-in surface plans below, field by field.
"""

from __future__ import annotations

from polytask.core.errors import ValidationFailed
from polytask.core.planspec import FIELDS, Plan, parse_plans
from polytask.core.settings import Settings

DEFAULT = "default"


# Built-in plans from the compatibility specs (replaceable through POLYTASK_RATE_PLANS).
SPEC_PLANS = (
    # taskip-api-reference.txt: 1000 requests per hour per API key, bursts of 100 per minute.
    Plan("taskip", per_minute=100, per_hour=1000),
    # ... and 50 file uploads per hour per key (counted besides the requests themselves).
    Plan("taskip-uploads", per_hour=50),
    # taskflow-pro-api.md: 1000 per hour authenticated, 100 unauthenticated, burst 20 per minute.
    Plan("taskflow", per_minute=20, per_hour=1000),
    Plan("taskflow-anonymous", per_minute=20, per_hour=100),
)


def _default_plan(settings: Settings) -> Plan:
    return Plan(
        DEFAULT,
        per_minute=settings.rate_limit_per_minute,
        per_hour=settings.rate_limit_per_hour,
        burst=settings.rate_limit_burst,
        concurrency=settings.rate_limit_concurrency,
        monthly_quota=settings.rate_limit_monthly_quota,
    )


def configured_plans(settings: Settings) -> dict[str, Plan]:
    """Every plan by name: `default`, the spec plans, and POLYTASK_RATE_PLANS on top."""
    plans = {DEFAULT: _default_plan(settings), **{p.name: p for p in SPEC_PLANS}}
    for name, limits in parse_plans(settings.rate_plans).items():
        base = plans.get(name, Plan(name))
        plans[name] = Plan(name, **{f: limits.get(f, getattr(base, f)) for f in FIELDS})
    return plans


def check_plan(settings: Settings, name: str | None) -> str | None:
    """A plan name a credential may be put on; None, "" and "default" mean the surface's default."""
    if name is None or name in ("", DEFAULT):
        return None
    known = configured_plans(settings)
    if name not in known:
        raise ValidationFailed.field("rate_plan", f"unknown plan; configured plans: {', '.join(sorted(known))}", name)
    return name
