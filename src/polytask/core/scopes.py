"""The scope list, and what a scope grants.

Scopes are `<resource>:read` and `<resource>:write`, plus `admin` (everything). Write
implies read of the same resource. A credential without scopes has all of its user's
rights; scopes only ever narrow what the user's role already allows.
"""

from __future__ import annotations

from collections.abc import Iterable

from polytask.core.actor import Actor
from polytask.core.errors import PermissionDenied, ValidationFailed

RESOURCES: tuple[str, ...] = ("workspaces", "projects", "tasks", "users", "api_keys", "webhooks", "automations")
ADMIN = "admin"
# The audit logs are read-only: there is no `audit:write`.
AUDIT_READ = "audit:read"
SCOPES: frozenset[str] = frozenset({f"{r}:{a}" for r in RESOURCES for a in ("read", "write")} | {ADMIN, AUDIT_READ})


def grants(granted: frozenset[str] | None, scope: str) -> bool:
    if granted is None or ADMIN in granted or scope in granted:
        return True
    resource, _, action = scope.partition(":")
    return action == "read" and f"{resource}:write" in granted


def require_scope(actor: Actor, scope: str) -> None:
    """PermissionDenied naming the scope when the credential does not carry it."""
    if not grants(actor.scopes, scope):
        raise PermissionDenied(
            f"This credential lacks the '{scope}' scope",
            {"required_scope": scope, "scopes": sorted(actor.scopes or ())},
        )


def check_known(scopes: Iterable[str], *, field: str = "scopes") -> list[str]:
    """Reject scope names that are not on the list."""
    out = list(dict.fromkeys(scopes))
    unknown = [s for s in out if s not in SCOPES]
    if unknown:
        raise ValidationFailed(
            f"Unknown scope '{unknown[0]}'",
            {"field": field, "issue": f"unknown scope '{unknown[0]}'", "allowed": sorted(SCOPES)},
        )
    return out


def within(actor: Actor, requested: Iterable[str]) -> None:
    """A credential can hand out only scopes it holds itself."""
    for scope in requested:
        if scope == ADMIN and actor.scopes is not None and ADMIN not in actor.scopes:
            raise PermissionDenied("This credential cannot grant 'admin'", {"required_scope": ADMIN})
        require_scope(actor, scope)
