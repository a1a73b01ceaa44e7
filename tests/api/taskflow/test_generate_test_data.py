"""scripts/generate_test_data.py with the document's flags, on the suite's fresh database (built
by the migrations), then everything it made seen over HTTP by the account it prints."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx

from polytask.core.db import Database
from polytask.core.settings import Settings
from tests.api.taskflow.clienttools import ROOT
from tests.api.taskflow.conftest import checked_client, log_in

SCRIPT = ROOT / "scripts" / "generate_test_data.py"


def _run(settings: Settings, tmp_path: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "POLYTASK_HOME": str(tmp_path),
        "POLYTASK_DATABASE_URL": settings.effective_database_url,
    }
    return subprocess.run(
        [sys.executable, str(SCRIPT), *flags], capture_output=True, text=True, timeout=600, env=env, check=False
    )


def test_the_documented_command_fills_what_the_api_shows(
    base_url: str, settings: Settings, db: Database, tmp_path: Path, check_response: Callable[[httpx.Response], None]
) -> None:
    done = _run(settings, tmp_path, "--projects", "10", "--tasks", "50", "--users", "20")
    assert done.returncode == 0, done.stderr
    assert "257/257" in done.stderr  # the progress bar reached its end
    printed = re.search(r"Log in \(POST /api/auth/login\) as (\S+) \(admin\) with password: (\S+)", done.stdout)
    assert printed is not None, done.stdout
    username, password = printed.groups()

    with checked_client(base_url, check_response) as c:
        assert log_in(c, username, password).status_code == 200
        projects = c.get("/api/projects", params={"per_page": 100}).json()
        assert projects["pagination"]["total"] == 10
        assert sum(p["tasks_count"] for p in projects["data"]["projects"]) == 50
        assert any(0 < p["progress"] < 100 for p in projects["data"]["projects"])
        spent = [float(p["spent_budget"]) for p in projects["data"]["projects"]]
        budgets = [float(p["budget"]) for p in projects["data"]["projects"]]
        assert all(s > 0 for s in spent)
        assert all(b > 0 for b in budgets)
        assert c.get("/api/users").json()["pagination"]["total"] == 21  # the 20, and the admin acting
        departments = c.get("/api/departments").json()
        assert departments["pagination"]["total"] == 7
        first = projects["data"]["projects"][0]
        tasks = c.get(f"/api/projects/{first['id']}/tasks").json()["data"]["tasks"]
        assert tasks
        assert all(t["estimated_hours"] and t["actual_hours"] > 0 and t["assignees"] for t in tasks)
        assert c.get(f"/api/projects/{first['id']}/risks").json()["pagination"]["total"] == 1
        stats = [
            c.get(f"/api/departments/{d['id']}/stats").json()["data"]["stats"]
            for d in departments["data"]["departments"]
        ]
        assert all(s["members_count"] > 0 for s in stats)
        assert sum(s["total_tasks"] for s in stats) > 0
        assert sum(float(s["total_hours"]) for s in stats) > 0


def test_bad_numbers_are_refused_and_nothing_is_written(settings: Settings, db: Database, tmp_path: Path) -> None:
    for flags, message in [
        (("--projects", "-1"), "--projects cannot be negative (got -1)"),
        (("--tasks", "ten"), "--tasks must be a whole number, not 'ten'"),
        (("--users", "100000"), "--users can be at most 10000"),
        (("--projects", "0", "--tasks", "5"), "--tasks needs at least one project"),
    ]:
        done = _run(settings, tmp_path, *flags)
        assert done.returncode == 2, done.stderr
        assert message in done.stderr
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM users").scalar() == 0
