"""Every surface Polytask serves, one declaration each (api/kernel/surface.py says what a
surface is). A new surface is one package with its `surface.py`, and one line here.

Longer prefixes come first: /api/public-v1 (TaskIP) and /api/v1 (Taskforce) are inside
TaskFlow's /api.
"""

from __future__ import annotations

from polytask.api.kernel.surface import Surface, surface_for_path
from polytask.api.oauth.surface import SURFACE as OAUTH
from polytask.api.taskflow.surface import SURFACE as TASKFLOW
from polytask.api.taskforce.surface import SURFACE as TASKFORCE
from polytask.api.taskip.surface import SURFACE as TASKIP
from polytask.api.v1.surface import SURFACE as NATIVE

SURFACES: tuple[Surface, ...] = (TASKIP, TASKFORCE, TASKFLOW, NATIVE, OAUTH)


def surface_for(path: str) -> Surface | None:
    return surface_for_path(SURFACES, path)


__all__ = ["NATIVE", "OAUTH", "SURFACES", "TASKFLOW", "TASKFORCE", "TASKIP", "surface_for"]
