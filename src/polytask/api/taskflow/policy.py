"""Who may do what on the TaskFlow surface: one table, operation -> the lowest role allowed.

The roles are taskflow-pro-api.md's `admin`, `manager` and `user`, read from the account's
server-wide role (`users.role`, the actor's `global_role`). The table only gates the kind of
operation; the domain still decides which objects the caller reaches and changes (the home
workspace, its membership role: a `viewer` member changes nothing whatever their TaskFlow
role). docs/compat/taskflow.md "Roles" shows the table; tests/api/taskflow/test_policy.py
runs every operation as every role.
"""

from __future__ import annotations

from typing import Final

from polytask.core.actor import Actor
from polytask.core.errors import PermissionDenied

# Lowest first: each role may do what the ones before it may.
ROLES: Final = ("user", "manager", "admin")

POLICY: Final[dict[str, str]] = {
    "projects.list": "user",
    "projects.show": "user",
    "projects.create": "manager",
    "projects.update": "manager",
    "projects.delete": "admin",
    "tasks.list": "user",
    "tasks.show": "user",
    "tasks.create": "user",
    "tasks.update": "user",
    "tasks.assign": "manager",
    "tasks.delete": "manager",
    "users.list": "user",
    "users.show": "user",
    "users.create": "admin",
    "users.update": "admin",
    "users.delete": "admin",
    "users.stats": "manager",
    "departments.list": "user",
    "departments.show": "user",
    "departments.create": "admin",
    "departments.stats": "manager",
    "departments.update": "admin",
    "departments.delete": "admin",
    "risks.list": "user",
    "risks.show": "user",
    "risks.create": "user",
    "risks.update": "user",
    "risks.delete": "manager",
    "reports.projects": "manager",
    "reports.productivity": "manager",
    "reports.workload": "manager",
    "reports.budget": "manager",
}

# Operations on something of the caller's own that a lower role may do: operation -> that role.
OWN: Final[dict[str, str]] = {
    "users.stats": "user",  # your own figures
}


def role_of(actor: Actor) -> str:
    """The actor's TaskFlow role (an unknown server role counts as the lowest)."""
    return actor.global_role if actor.global_role in ROLES else ROLES[0]


def allow(actor: Actor, operation: str, *, own: bool = False) -> None:
    """PermissionDenied (403, naming the required and current role) unless the actor's role reaches
    the operation's (`own`: the object is the caller's own, the OWN table's role if it names one)."""
    required = OWN.get(operation, POLICY[operation]) if own else POLICY[operation]
    current = role_of(actor)
    if ROLES.index(current) < ROLES.index(required):
        raise PermissionDenied("Insufficient permissions", {"required_role": required, "current_role": current})
