"""CPU per request, in-process: each scenario of `make bench` called through the ASGI app, one at a time.

wrk figures on a shared two-core machine move with whatever else runs there. This harness
measures what the server itself spends: it builds the app, runs its lifespan, and calls each
scenario N times directly through ASGI (no network, no client in the way), each call a task
of its own as under uvicorn, timing
`time.process_time()` (every thread of the process: the event loop and the worker threads)
and the wall clock. With `--statements` it also counts the SQL statements run through SQLAlchemy's
Connection (listening to them sends list pages there too, off the driver path reads take:
core/statements.py; prepared statements are never counted), and always cyclic garbage collections per
request. SQL run inside PostgreSQL is not in the CPU figure (it is in the wall figure).
`--profile N` prints each row's N costliest functions (yappi, installed on demand by hand).

    .venv/bin/python bench/cpu.py                       # SQLite, 100k tasks seeded afresh
    .venv/bin/python bench/cpu.py --data /tmp/cpu-data  # keep (and reuse) the seeded SQLite file
    POLYTASK_BENCH_DATABASE_URL=postgresql+psycopg://... .venv/bin/python bench/cpu.py

The seeded file is kept at the schema it was seeded with; each run copies it and migrates the
copy, so one seed serves runs of older and newer code alike (as long as the older code knows
the copy's migrations: seed with the oldest code you compare).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import gc
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from run import BIN, seed, server_env

Scope = dict[str, Any]


@dataclass(frozen=True)
class Call:
    name: str
    method: str
    path: str
    query: str = ""
    body: bytes = b""
    basic: bool = False


async def asgi_call(app: Any, call: Call, headers: list[tuple[bytes, bytes]]) -> tuple[int, bytes]:
    scope: Scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": call.method,
        "scheme": "http",
        "path": call.path,
        "raw_path": call.path.encode(),
        "query_string": call.query.encode(),
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.sleep(3600)
        sent = True
        return {"type": "http.request", "body": call.body, "more_body": False}

    status = 0
    chunks: list[bytes] = []

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, b"".join(chunks)


def prepare_sqlite(args: argparse.Namespace) -> tuple[Path, str | None]:
    """A migrated copy of the seeded SQLite home (seeding it first when needed); returns (home, key)."""
    data = Path(args.data) if args.data else Path(tempfile.mkdtemp(prefix="polytask-cpu-seed-"))
    keyfile = data / "key.txt"
    if not keyfile.exists():
        data.mkdir(parents=True, exist_ok=True)
        env = server_env(data)
        key, _ = seed(env, argparse.Namespace(projects=args.projects, tasks=args.tasks, users=args.users))
        keyfile.write_text(key)
    home = Path(tempfile.mkdtemp(prefix="polytask-cpu-"))
    shutil.copy(data / "polytask.db", home / "polytask.db")
    if not args.data:
        shutil.rmtree(data, ignore_errors=True)
    return home, keyfile.read_text().strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--projects", type=int, default=100)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--requests", type=int, default=300, help="measured requests per scenario")
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument(
        "--data",
        help="directory to keep and reuse the seeded SQLite database in (on PostgreSQL: the seed's home and key)",
    )
    parser.add_argument("--only", action="append", default=[])
    parser.add_argument(
        "--statements",
        action="store_true",
        help="count statements run through SQLAlchemy's Connection (takes list pages off the driver path)",
    )
    parser.add_argument("--json", help="write the results to this file")
    parser.add_argument(
        "--profile", type=int, default=0, metavar="N", help="print the N costliest functions of each row (needs yappi)"
    )
    parser.add_argument(
        "--server-env", action="append", default=[], metavar="NAME=VALUE", help="a POLYTASK_ setting (repeatable)"
    )
    args = parser.parse_args()

    pg_url = os.environ.get("POLYTASK_BENCH_DATABASE_URL")
    if pg_url and args.data and (Path(args.data) / "pg-key").exists():
        # A former run's seed in the same PostgreSQL database: its home holds the secret key.
        home = Path(args.data)
        key = (home / "pg-key").read_text().strip()
    elif pg_url:
        home = Path(args.data) if args.data else Path(tempfile.mkdtemp(prefix="polytask-cpu-"))
        home.mkdir(parents=True, exist_ok=True)
        key, _ = seed(server_env(home), argparse.Namespace(projects=args.projects, tasks=args.tasks, users=args.users))
        if args.data:
            (home / "pg-key").write_text(key)
    else:
        home, key = prepare_sqlite(args)
    env = server_env(home)
    for item in args.server_env:
        name, _, value = item.partition("=")
        env[name] = value
    subprocess.run([str(BIN / "polytask"), "migrate"], check=True, env=env, timeout=300, stdout=subprocess.DEVNULL)
    os.environ.update(env)
    try:
        results = asyncio.run(measure(args, key))
    finally:
        if not (pg_url and args.data):
            shutil.rmtree(home, ignore_errors=True)
    where = "PostgreSQL" if pg_url else "SQLite"
    print()
    print(f"{where}, {args.tasks} tasks, {args.requests} requests each, load average {os.getloadavg()[0]:.2f}")
    header = f"{'scenario':12} {'CPU ms':>8} {'wall ms':>8} {'stmts':>6} {'gc/req':>7} {'gc ms':>7} {'status':>6}"
    print(header)
    print("-" * len(header))
    for r in results:
        print(
            f"{r['name']:12} {r['cpu_ms']:8.3f} {r['wall_ms']:8.3f} {r['statements']:6.1f} "
            f"{r['collections']:7.2f} {r['gc_ms']:7.3f} {r['status']:>6}"
        )
    if args.json:
        Path(args.json).write_text(json.dumps({"database": where, "results": results}, indent=2))
    return 0


async def measure(args: argparse.Namespace, key: str) -> list[dict[str, Any]]:
    from sqlalchemy import event

    from polytask.api.app import create_app

    app = create_app()
    statements = 0

    def count(*_: Any) -> None:
        nonlocal statements
        statements += 1

    if args.statements:
        event.listen(app.state.db.engine, "before_cursor_execute", count)
    # Time spent inside the cyclic collector (its callbacks bracket every collection).
    in_gc = [0.0, 0.0]

    def on_gc(phase: str, _info: dict[str, Any]) -> None:
        if phase == "start":
            in_gc[1] = time.perf_counter()
        else:
            in_gc[0] += time.perf_counter() - in_gc[1]

    gc.callbacks.append(on_gc)
    bearer = [(b"authorization", f"Bearer {key}".encode()), (b"accept", b"application/json")]
    json_headers = [*bearer, (b"content-type", b"application/json")]
    results: list[dict[str, Any]] = []
    async with app.router.lifespan_context(app):
        status, body = await asgi_call(app, Call("me", "GET", "/v1/me"), bearer)
        if status != 200:
            sys.exit(f"/v1/me: {status} {body[:500]!r}")
        email = json.loads(body)["data"]["attributes"]["email"]
        basic = base64.b64encode(f"{email}:{key}".encode()).decode()
        basic_headers = [(b"authorization", f"Basic {basic}".encode())]
        _, body = await asgi_call(app, Call("p", "GET", "/v1/projects", "limit=1"), bearer)
        project = json.loads(body)["data"][0]["id"]
        _, body = await asgi_call(app, Call("t", "GET", f"/v1/projects/{project}/tasks", "limit=50"), bearer)
        task_ids = [t["id"] for t in json.loads(body)["data"]]
        task = task_ids[0]
        counter = iter(range(10**9))

        def update_body() -> bytes:
            n = next(counter)
            return json.dumps({"name": f"Updated {n}", "priority": ("low", "high")[n % 2]}).encode()

        scenarios: list[tuple[Call, list[tuple[bytes, bytes]], Callable[[int], Call] | None]] = [
            (Call("floor", "GET", "/healthz"), [], None),
            (Call("show", "GET", f"/v1/tasks/{task}"), bearer, None),
            (Call("list", "GET", f"/v1/projects/{project}/tasks", "limit=50&sort=due_date"), bearer, None),
            (
                Call(
                    "list-filter",
                    "GET",
                    f"/v1/projects/{project}/tasks",
                    "limit=50&sort=-due_date&status=pending&include=assignees",
                ),
                bearer,
                None,
            ),
            (Call("list-ws", "GET", "/v1/tasks", "limit=50&sort=due_date"), bearer, None),
            (Call("tf-show", "GET", f"/api/v1/tasks/{task.removeprefix('task_')}.json"), basic_headers, None),
            (Call("tf-list", "GET", "/api/projects"), bearer, None),
            (
                Call(
                    "create",
                    "POST",
                    f"/v1/projects/{project}/tasks",
                    body=b'{"name": "Bench task", "priority": "medium", "due_date": "2030-01-15"}',
                ),
                json_headers,
                None,
            ),
            (
                Call("update", "PUT", f"/v1/tasks/{task}"),
                json_headers,
                lambda i: Call("update", "PUT", f"/v1/tasks/{task_ids[i % len(task_ids)]}", body=update_body()),
            ),
        ]
        for call, headers, vary in scenarios:
            if args.only and call.name not in args.only:
                continue
            for i in range(args.warmup):
                status, body = await asgi_call(app, vary(i) if vary else call, headers)
                if not 200 <= status < 300:
                    sys.exit(f"{call.name}: {status} {body[:300]!r}")
            calls = [vary(i) if vary else call for i in range(args.requests)]
            gc_before = sum(s["collections"] for s in gc.get_stats())
            statements = 0
            in_gc[0] = 0.0
            if args.profile:
                import yappi

                yappi.set_clock_type("cpu")
                yappi.clear_stats()
                yappi.start(builtins=False, profile_threads=True)
            cpu0, wall0 = time.process_time(), time.perf_counter()
            statuses = set()
            loop = asyncio.get_running_loop()
            for c in calls:
                # A task of its own, as uvicorn runs each request: the loop then runs what
                # else is scheduled between requests, as it does in a server (awaited in
                # this task, a per-request background task never ran and was never counted).
                status, _ = await loop.create_task(asgi_call(app, c, headers))
                statuses.add(status)
            cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
            if args.profile:
                yappi.stop()
                print(f"--- {call.name}: the {args.profile} costliest functions (inclusive CPU ms per request)")
                stats = yappi.get_func_stats()
                stats.sort(os.environ.get("PROFILE_SORT", "ttot"), "desc")
                for f in list(stats)[: args.profile]:
                    where = f"{Path(f.module).name}:{f.lineno}"
                    own = f.tsub / args.requests * 1000
                    print(f"  {f.ttot / args.requests * 1000:7.3f} (own {own:6.3f})  {f.name}  {where}")
            gcs = sum(s["collections"] for s in gc.get_stats()) - gc_before
            n = args.requests
            results.append(
                {
                    "name": call.name,
                    "cpu_ms": cpu / n * 1000,
                    "wall_ms": wall / n * 1000,
                    "statements": statements / n,
                    "collections": gcs / n,
                    "gc_ms": in_gc[0] / n * 1000,
                    "status": ",".join(str(s) for s in sorted(statuses)),
                }
            )
    return results


if __name__ == "__main__":
    sys.exit(main())
