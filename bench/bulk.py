"""Bulk create throughput: 10,000 tasks in one POST /v1/projects/{id}/tasks/bulk, in tasks/s.

Seeds a throwaway database with one project (`polytask dev seed`), serves it on 127.0.0.1,
and times a few bulk requests (each into the same project, one after the other) after a
small warm-up. The figure is tasks per second of wall-clock time for the whole request
(JSON parse, validation, inserts with one event per task, commit, the rendered response).
Target: at least 20,000 tasks/s on SQLite.

PostgreSQL: set POLYTASK_BENCH_DATABASE_URL (the seed adds a workspace there).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from run import BIN, HOST, free_port, log, seed, server_env, stop, wait_healthy

TARGET = 20_000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", type=int, default=10_000, help="tasks per bulk request")
    parser.add_argument("--rounds", type=int, default=3, help="measured requests")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="polytask-bench-bulk-"))
    env = server_env(home)
    where = "PostgreSQL" if "POLYTASK_DATABASE_URL" in env else "SQLite"
    server: subprocess.Popen[bytes] | None = None
    try:
        key, _ = seed(env, argparse.Namespace(projects=1, tasks=0, users=1))
        port = free_port()
        logfile = home / "server.log"
        with logfile.open("wb") as out:
            server = subprocess.Popen(
                [str(BIN / "polytask"), "serve", "--host", HOST, "--port", str(port)],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_healthy(f"http://{HOST}:{port}", server, logfile)
        conn = http.client.HTTPConnection(HOST, port, timeout=120)
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        conn.request("GET", "/v1/projects?limit=1", headers=headers)
        project = json.loads(conn.getresponse().read())["data"][0]["id"]

        def post(n: int) -> float:
            tasks = [{"name": f"Bulk task {i}", "priority": "medium", "labels": ["bench"]} for i in range(n)]
            body = json.dumps({"tasks": tasks}).encode()
            started = time.perf_counter()
            conn.request("POST", f"/v1/projects/{project}/tasks/bulk", body=body, headers=headers)
            response = conn.getresponse()
            raw = response.read()
            elapsed = time.perf_counter() - started
            if response.status != 201:
                sys.exit(f"bulk create failed: {response.status} {raw[:500]!r}")
            return elapsed

        post(100)  # warm-up
        times = [post(args.tasks) for _ in range(args.rounds)]
        best, median = min(times), statistics.median(times)
        rate = args.tasks / median
        verdict = "PASS" if rate >= TARGET else "MISS"
        log(
            f"{where}: {args.tasks} tasks per request; median {median * 1000:.0f} ms, best {best * 1000:.0f} ms; "
            f"{rate:,.0f} tasks/s (target {TARGET:,}/s) {verdict}; load average {os.getloadavg()[0]:.1f}"
        )
    finally:
        if server is not None:
            stop(server)
        shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
