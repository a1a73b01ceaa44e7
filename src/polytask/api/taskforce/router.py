"""The Taskforce surface's router, mounted at /api/v1 (kept out of /openapi.json)."""

from __future__ import annotations

from fastapi import APIRouter

from polytask.api.taskforce import lists, tasks, users
from polytask.api.taskforce.surface import PREFIX

router = APIRouter(prefix=PREFIX)
# /tasks/count must be tried before /tasks/{id}; the int converter keeps them apart anyway.
for module in (users, tasks, lists):
    router.include_router(module.router)
