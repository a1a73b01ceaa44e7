"""TaskFlow's shapes of domain objects (integer ids, as its doc shows them)."""

from __future__ import annotations

from typing import Any


def user_payload(user: Any) -> dict[str, Any]:
    return {
        "id": user.id,
        "username": user.username,
        "email": user.email,
        "role": user.role,
        "department": user.department,
    }
