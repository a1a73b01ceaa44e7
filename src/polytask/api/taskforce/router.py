"""The Taskforce surface's router, mounted at /api/v1 (kept out of /openapi.json)."""

from __future__ import annotations

from polytask.api.kernel.routes import unit_router
from polytask.api.taskforce import lists, tasks, users
from polytask.api.taskforce.surface import PREFIX

# /tasks/count must be tried before /tasks/{id}; the int converter keeps them apart anyway.
MODULE_ROUTERS = tuple(module.router for module in (users, tasks, lists))

# The whole surface as one router, for its OpenAPI document. The app includes the module
# routers one by one instead (app.py), so that its route index (api/kernel/routeindex.py)
# narrows a request to one module's routes: FastAPI tries the routes of a router included
# in another one by one, re-checking the nesting on every request.
router = unit_router(prefix=PREFIX)
for module_router in MODULE_ROUTERS:
    router.include_router(module_router)
