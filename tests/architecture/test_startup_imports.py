"""A server process loads only what serving needs: libraries used by one feature (PDF reports,
the Redis client) are imported when that feature first runs, not by the app's import. Each
costs every worker process megabytes of resident memory (docs/performance.md, "Memory"):
reportlab with its modules about 7 MB, coredis about 12 MB."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

# Loaded on first use only: the module that imports it, and why it is not at the top.
ON_DEMAND = {
    "reportlab": "api/taskflow/reports.py: only a PDF report renders with it",
    "coredis": "api/inflight.py: only a server configured with POLYTASK_REDIS_URL talks to Redis",
    "PIL": "reportlab's image support, loaded with reportlab",
}

_PROBE = """
import json, sys
from polytask.api.app import create_app
create_app()
print(json.dumps(sorted({name.split('.')[0] for name in sys.modules})))
"""


def test_building_the_app_loads_no_on_demand_library(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLYTASK_")}
    env["POLYTASK_HOME"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, timeout=120, check=True
    )
    loaded = set(json.loads(done.stdout.strip().splitlines()[-1]))
    assert {"polytask", "sqlalchemy"} <= loaded  # the probe did build the app
    early = {name: why for name, why in ON_DEMAND.items() if name in loaded}
    assert not early, f"imported when the app is built, though only one feature needs it: {early}"
