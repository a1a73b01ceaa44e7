"""The TaskFlow surface's routes under /api.

Each route starts with a literal segment of its own (auth, projects, tasks, users, departments, risks,
reports):
/api/v1 (Taskforce) and /api/public-v1 (TaskIP) stay theirs.
"""

from __future__ import annotations

from polytask.api.kernel.routes import unit_router
from polytask.api.taskflow import auth, departments, projects, reports, risks, tasks, users

MODULE_ROUTERS = tuple(module.router for module in (auth, projects, tasks, users, departments, risks, reports))

# The whole surface as one router, for its OpenAPI document. The app includes the module
# routers one by one (app.py), so that its route index narrows a request to one module.
router = unit_router()
for module_router in MODULE_ROUTERS:
    router.include_router(module_router)
