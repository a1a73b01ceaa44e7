"""The TaskIP surface's routes under /api/public-v1.

Modules whose paths are literal where another module's take a parameter come first
(`/project/attribute/...` before `/project/{id}`), so the literal one answers.
"""

from __future__ import annotations

from polytask.api.kernel.routes import unit_router
from polytask.api.taskip import attributes, containers, discussions, documents, files, projects, tasks

# files before tasks: `/project/{uuid}/task/files` is no task.
MODULE_ROUTERS = tuple(
    module.router for module in (attributes, projects, files, tasks, containers, discussions, documents)
)

# The whole surface as one router, for its OpenAPI document. The app includes the module
# routers one by one (app.py), so that its route index narrows a request to one module.
router = unit_router()
for module_router in MODULE_ROUTERS:
    router.include_router(module_router)
