"""Who is acting: a user, through which credential, limited to what."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: int
    global_role: str
    credential_id: int | None = None
    credential_kind: str = "api_key"
    # A credential bound to one workspace sees nothing else.
    workspace_id: int | None = None
    # None means "all of the user's rights"; otherwise the granted scope names.
    scopes: frozenset[str] | None = field(default=None)
    # The caller's address, and the user's workspaces whose IP allowlist excludes it.
    client_ip: str | None = None
    blocked_workspaces: frozenset[int] = field(default=frozenset())
    # The credential's rate-limit plan (core/rateplans.py); None: the surface's default.
    rate_plan: str | None = None
    # The OAuth client an access token was issued to (API-usage accounting); None otherwise.
    client_id: int | None = None

    @property
    def is_system(self) -> bool:
        return self.credential_kind == "system"

    def can_see_workspace(self, workspace_id: int) -> bool:
        return self.workspace_id is None or self.workspace_id == workspace_id


def system_actor(user_id: int, global_role: str = "admin") -> Actor:
    """An actor for the CLI and internal jobs, acting as a given user."""
    return Actor(user_id=user_id, global_role=global_role, credential_kind="system")
