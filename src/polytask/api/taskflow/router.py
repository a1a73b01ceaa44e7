"""The TaskFlow surface's routes under /api.

Each route starts with a literal segment of its own (auth, projects, tasks, users):
/api/v1 (Taskforce) and /api/public-v1 (TaskIP) stay theirs.
"""

from __future__ import annotations

from fastapi import APIRouter

from polytask.api.taskflow import auth, projects, tasks, users

router = APIRouter()
router.include_router(auth.router)
router.include_router(projects.router)
router.include_router(tasks.router)
router.include_router(users.router)
