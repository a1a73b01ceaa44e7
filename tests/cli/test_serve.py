"""End-to-end smoke of `make run`: `polytask serve` on a fresh home prints a working key, once."""

from __future__ import annotations

import json
import os
import queue
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

BACKEND = os.environ.get("POLYTASK_TEST_DB", "sqlite")
pytestmark = pytest.mark.skipif(
    BACKEND != "sqlite", reason="`make run` serves the embedded SQLite database; this smoke runs on SQLite only"
)

POLYTASK = Path(sys.executable).parent / "polytask"  # .venv/bin/polytask when run as .venv/bin/pytest
STARTUP_SECONDS = 60
KEY_LINE = re.compile(r"^API key: (\S+)$")
DOCS_LINE = re.compile(r"^API docs: (http://\S+/docs)$")
LATER_LINE = re.compile(r"^Shown once\. Later: .*$")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@dataclass
class Server:
    process: subprocess.Popen[str]
    base_url: str
    lines: queue.Queue[str | None] = field(default_factory=queue.Queue)
    seen: list[str] = field(default_factory=list)

    def read_until(self, pattern: re.Pattern[str], deadline: float) -> re.Match[str]:
        """Collect stdout lines until one matches, the process ends, or the deadline passes."""
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no line matching {pattern.pattern!r} within the time limit; stdout: {self.seen}")
            try:
                line = self.lines.get(timeout=remaining)
            except queue.Empty:
                continue
            if line is None:
                raise AssertionError(f"the server exited ({self.process.poll()}) first; stdout: {self.seen}")
            self.seen.append(line)
            match = pattern.match(line)
            if match:
                return match

    def wait_ready(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"the server exited; stdout: {self.seen}"
            try:
                if httpx.get(f"{self.base_url}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise AssertionError("the server did not become ready in time")


def _pump(stream: object, lines: queue.Queue[str | None]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        lines.put(line.rstrip("\n"))
    lines.put(None)


@contextmanager
def polytask_serve(home: Path, log: Path, **settings: str) -> Iterator[Server]:
    """Run `polytask serve` as `make run` does, with its own data directory (and these
    POLYTASK_<NAME> settings); always stopped afterwards."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLYTASK_")}
    env["POLYTASK_HOME"] = str(home)
    env.update({f"POLYTASK_{name.upper()}": value for name, value in settings.items()})
    env.pop("PYTHONUNBUFFERED", None)  # the key must reach a pipe without it, as with `make run | tee`
    port = free_port()
    with log.open("a") as stderr:
        process = subprocess.Popen(
            [str(POLYTASK), "serve", "--host", "127.0.0.1", "--port", str(port)],
            stdout=subprocess.PIPE,
            stderr=stderr,
            stdin=subprocess.DEVNULL,
            text=True,
            env=env,
            cwd=home.parent,
        )
    server = Server(process=process, base_url=f"http://127.0.0.1:{port}")
    threading.Thread(target=_pump, args=(process.stdout, server.lines), daemon=True).start()
    try:
        yield server
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)
        if process.stdout:
            process.stdout.close()


def test_make_run_serves_and_prints_a_working_key_once(tmp_path: Path) -> None:
    assert POLYTASK.exists(), f"{POLYTASK} is missing: run `make install` first"
    home = tmp_path / "home"
    log = tmp_path / "server.log"

    with polytask_serve(home, log) as server:
        deadline = time.monotonic() + STARTUP_SECONDS
        key = server.read_until(KEY_LINE, deadline).group(1)
        # How to get another key or password once this one is lost (docs/operations.md).
        later = server.read_until(LATER_LINE, deadline).group(0)
        assert f"`{POLYTASK} api-keys create --user admin`" in later
        assert f"`{POLYTASK} users reset-password admin`" in later
        docs = server.read_until(DOCS_LINE, deadline).group(1)
        assert docs == f"{server.base_url}/docs"
        server.wait_ready(deadline)
        auth = {"Authorization": f"Bearer {key}"}

        # The guide's first call: curl -H "Authorization: Bearer KEY" http://127.0.0.1:8000/v1/projects
        r = httpx.get(f"{server.base_url}/v1/projects", headers=auth)
        assert r.status_code == 200, r.text
        listing = r.json()
        assert listing["data"] == []
        assert listing["meta"]["total"] == 0
        assert "self" in listing["links"]

        r = httpx.post(f"{server.base_url}/v1/projects", json={"name": "New Project"}, headers=auth)
        assert r.status_code == 201, r.text
        project = r.json()["data"]["id"]
        # The guide's "Create Something New": curl -X POST .../v1/tasks -d '{"name": ..., "project_id": ...}'
        r = httpx.post(
            f"{server.base_url}/v1/tasks", json={"name": "API Test Task", "project_id": project}, headers=auth
        )
        assert r.status_code == 201, r.text
        task = r.json()["data"]
        assert task["type"] == "task"
        assert task["id"].startswith("task_")
        assert task["attributes"]["name"] == "API Test Task"
        assert r.headers["x-request-id"]

        assert httpx.get(f"{server.base_url}/docs").status_code == 200
        assert httpx.get(f"{server.base_url}/v1/projects").status_code == 401
    assert server.process.returncode is not None
    # The access log, at the default level: one line per request, the route's template, no secret.
    access = [line for line in log.read_text().splitlines() if " polytask.access " in line]
    assert any("polytask.access POST /v1/tasks 201 " in line and line.endswith(" key_1") for line in access), access
    assert any("polytask.access GET /v1/projects 401 " in line for line in access), access
    assert not any(key in line or key.split("_", 2)[2] in line for line in access)
    assert (home / "polytask.db").exists(), "the embedded database lives in POLYTASK_HOME"

    with polytask_serve(home, log) as again:
        deadline = time.monotonic() + STARTUP_SECONDS
        again.read_until(DOCS_LINE, deadline)
        assert not any(KEY_LINE.match(line) for line in again.seen), again.seen
        # Every later start says how to get a new key, with the command as it was started.
        hint = f"Existing database; the admin is 'admin'. Lost the key? `{POLYTASK} api-keys create --user admin`"
        assert any(line.startswith(hint) for line in again.seen), again.seen
        again.wait_ready(deadline)
        r = httpx.get(f"{again.base_url}/v1/tasks", headers={"Authorization": f"Bearer {key}"})
        assert r.status_code == 200, r.text
        assert [t["id"] for t in r.json()["data"]] == [task["id"]], "data and the first key survive a restart"


def test_json_logs_in_every_worker_process(tmp_path: Path) -> None:
    """POLYTASK_LOG_FORMAT=json reaches the processes `--workers` starts: their access lines
    are JSON objects with the request's fields."""
    home = tmp_path / "home"
    log = tmp_path / "server.log"
    with polytask_serve(home, log, log_format="json", workers="2") as server:
        deadline = time.monotonic() + STARTUP_SECONDS
        key = server.read_until(KEY_LINE, deadline).group(1)
        server.wait_ready(deadline)
        for n in range(4):
            r = httpx.get(
                f"{server.base_url}/v1/projects?token=in-the-query",
                headers={"Authorization": f"Bearer {key}", "X-Request-ID": f"req-json-{n}"},
            )
            assert r.status_code in (200, 422), r.text
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    access = {line["request_id"]: line for line in lines if line["logger"] == "polytask.access"}
    for n in range(4):
        line = access[f"req-json-{n}"]
        assert (line["level"], line["method"], line["route"], line["credential"]) == (
            "info",
            "GET",
            "/v1/projects",
            "key_1",
        )
        assert isinstance(line["status"], int)
        assert isinstance(line["duration_ms"], float)
    text = log.read_text()
    assert "in-the-query" not in text
    assert key.split("_", 2)[2] not in text


def test_api_usage_is_flushed_when_the_server_stops(tmp_path: Path) -> None:
    """A clean stop (SIGTERM) writes the last counts: with a flush interval that never comes
    round, the requests are in the next start's /v1/analytics/api-usage all the same."""
    home = tmp_path / "home"
    log = tmp_path / "server.log"
    with polytask_serve(home, log, api_usage_flush_seconds="3600") as server:
        deadline = time.monotonic() + STARTUP_SECONDS
        key = server.read_until(KEY_LINE, deadline).group(1)
        server.wait_ready(deadline)
        auth = {"Authorization": f"Bearer {key}"}
        for _ in range(3):
            assert httpx.get(f"{server.base_url}/v1/me", headers=auth).status_code == 200
        assert httpx.get(f"{server.base_url}/v1/tasks/task_99", headers=auth).status_code == 404
    assert server.process.returncode is not None  # stopped by SIGTERM (uvicorn re-raises it: -15)
    with polytask_serve(home, log) as again:
        deadline = time.monotonic() + STARTUP_SECONDS
        again.wait_ready(deadline)
        r = httpx.get(f"{again.base_url}/v1/analytics/api-usage", params={"interval": "day"}, headers=auth)
        assert r.status_code == 200, r.text
        [mine] = [d["attributes"] for d in r.json()["data"] if d["attributes"]["api_key_id"] == "key_1"]
        assert (mine["surface"], mine["requests"], mine["errors"]) == ("native", 4, {"404": 1})
