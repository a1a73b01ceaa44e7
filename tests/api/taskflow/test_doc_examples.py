"""The document's own Testing Examples, run unchanged (base URL aside) against the app over
real HTTP: the Python `requests.Session` script and the curl commands with a cookie file
(tests/api/taskflow/examples/), with the document's credentials (admin / admin123)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx

from polytask.core.db import Database
from tests.factories.people import make_person

EXAMPLES = Path(__file__).parent / "examples"
DOC_BASE = "http://localhost:5000"


def _admin(db: Database) -> None:
    make_person(db, email="admin@taskflow.com", password="admin123", role="admin", department="Management")


def _as_written(name: str, base_url: str) -> str:
    text = (EXAMPLES / name).read_text()
    assert DOC_BASE in text
    return text.replace(DOC_BASE, base_url)


def test_the_python_requests_example(base_url: str, db: Database, tmp_path: Path) -> None:
    _admin(db)
    script = tmp_path / "example.py"
    script.write_text(_as_written("requests_session.py.txt", base_url))
    for round_ in (1, 2):
        done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        lines = done.stdout.splitlines()
        assert lines[0] == "✅ Login successful"
        assert lines[1] == f"📋 Found {round_ - 1} projects"
        assert lines[2].startswith("✅ Project created with ID: ")
        assert lines[2].removeprefix("✅ Project created with ID: ") == str(round_)
        assert len(lines) == 3


def test_the_curl_examples(base_url: str, db: Database, tmp_path: Path) -> None:
    _admin(db)
    commands = [c for c in _as_written("curl.sh.txt", base_url).split("\n\n") if c.strip()]
    assert len(commands) == 3
    outputs = []
    for command in commands:
        # As a shell would run it, in a directory where cookies.txt is kept between commands.
        done = subprocess.run(
            ["bash", "-c", command], cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False
        )
        assert done.returncode == 0, done.stderr
        outputs.append(json.loads(done.stdout))
    login, listed, created = outputs
    assert (login["status"], login["message"]) == ("success", "Login successful")
    assert login["data"]["user"]["username"] == "admin"
    assert listed["status"] == "success"
    assert listed["data"]["projects"] == []
    assert listed["pagination"] == {"page": 1, "per_page": 10, "total": 0, "pages": 0}
    assert created["status"] == "success"
    project = created["data"]["project"]
    assert (project["name"], project["budget"], project["owner"]["username"]) == ("API Test Project", 10000.0, "admin")
    assert (
        '"budget":10000.00'
        in subprocess.run(
            ["curl", "-sS", f"{base_url}/api/projects/{project['id']}", "-b", "cookies.txt"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout
    )
    assert httpx.get(f"{base_url}/api/projects").status_code == 401  # the cookie is what let them in
