"""Two versions of the server's code in ONE process, taking turns: a paired comparison that holds
on a machine whose speed changes from minute to minute.

On the shared two-core machine the same request's CPU cost moves by 30-50% between runs a
minute apart (the CPU is throttled), which hides any change of less than about 20% when the
old and the new code run one after the other. Here both run in the same process on the same
data: a TOGGLE file defines `set_old()` and `set_new()`, which swap one or more functions
(monkeypatching, e.g. the old body of a function kept in the file); the harness calls the
request N times under each in turn, ROUNDS times, alternating which goes first, and prints the
median of each round's new/old ratio of CPU time (`time.process_time()`, every thread).

    .venv/bin/python bench/paired.py --data /tmp/cpu-data TOGGLE.py "GET" "/v1/tasks?limit=50"
    .venv/bin/python bench/paired.py --data /tmp/cpu-data TOGGLE.py POST /v1/projects/project_1/tasks \
        --body '{"name": "x"}'

A TOGGLE file, for example (the old isoformat against the current one):

    import polytask.api.v1.render as render, polytask.api.v1.resources as resources
    new = resources.ts
    def old(value): ...
    def set_old(): render.ts = resources.ts = old
    def set_new(): render.ts = resources.ts = new

The data is `bench/cpu.py --data DIR`'s seeded SQLite copy (seeded on first use), or with
POLYTASK_BENCH_DATABASE_URL set, that PostgreSQL database as `bench/cpu.py --data DIR` seeded it.
It prints the process's CPU ratio and the whole machine's (/proc/stat: the database server's
processes count there). What it
cannot compare is a change the process has already taken in at start-up (a schema, an index,
settings read once): compare those with `bench/cpu.py` or `make bench`.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import shutil
import statistics
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cpu import Call, asgi_call, prepare_sqlite
from run import BIN, server_env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("toggle", help="a Python file defining set_old() and set_new()")
    parser.add_argument("method")
    parser.add_argument("path", help="path and query, e.g. /v1/tasks?limit=50")
    parser.add_argument("--body", default="", help="request body (JSON)")
    parser.add_argument("--data", help="bench/cpu.py's seed directory (kept and reused)")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--per-round", type=int, default=25, help="requests per turn")
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--projects", type=int, default=100)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument(
        "--basic", action="store_true", help="send the key by HTTP Basic with its user's email (Taskforce's /api/v1)"
    )
    args = parser.parse_args()
    pg_url = os.environ.get("POLYTASK_BENCH_DATABASE_URL")
    if pg_url:
        # bench/cpu.py's PostgreSQL seed (`--data DIR` with POLYTASK_BENCH_DATABASE_URL): reused as it is.
        if not args.data or not (Path(args.data) / "pg-key").exists():
            raise SystemExit("on PostgreSQL, seed first: POLYTASK_BENCH_DATABASE_URL=... bench/cpu.py --data DIR")
        home, key = Path(args.data), (Path(args.data) / "pg-key").read_text().strip()
    else:
        home, key = prepare_sqlite(args)
    env = server_env(home)
    subprocess.run([str(BIN / "polytask"), "migrate"], check=True, env=env, timeout=300, stdout=subprocess.DEVNULL)
    os.environ.update(env)
    namespace: dict[str, Any] = {}
    with open(args.toggle) as f:
        # The developer's own file, run as a module would be.
        exec(compile(f.read(), args.toggle, "exec"), namespace)
    path, _, query = args.path.partition("?")
    call = Call("paired", args.method.upper(), path, query, body=args.body.encode())
    try:
        import uvloop

        uvloop.install()  # as `polytask serve` runs
    except ImportError:
        pass
    try:
        set_old, set_new = namespace["set_old"], namespace["set_new"]
        asyncio.run(_compare(call, str(key), set_old, set_new, args.rounds, args.per_round, args.basic))
    finally:
        if not pg_url:
            shutil.rmtree(home, ignore_errors=True)  # prepare_sqlite's copy of the seed (the seed itself stays)


async def _compare(
    call: Call,
    key: str,
    set_old: Callable[[], None],
    set_new: Callable[[], None],
    rounds: int,
    per_round: int,
    basic: bool = False,
) -> None:
    from polytask.api.app import create_app

    app = create_app()
    headers = [
        (b"authorization", f"Bearer {key}".encode()),
        (b"accept", b"application/json"),
        (b"content-type", b"application/json"),
    ]
    loop = asyncio.get_running_loop()
    async with app.router.lifespan_context(app):
        if basic:
            status, body = await asgi_call(app, Call("me", "GET", "/v1/me"), headers)
            if status != 200:
                raise SystemExit(f"/v1/me: {status} {body[:300]!r}")
            email = json.loads(body)["data"]["attributes"]["email"]
            headers[0] = (b"authorization", b"Basic " + base64.b64encode(f"{email}:{key}".encode()))
        for setter in (set_old, set_new):  # warm both: compile statements, fill caches
            setter()
            for _ in range(40):
                status, body = await loop.create_task(asgi_call(app, call, headers))
            if status >= 400:
                raise SystemExit(f"{call.method} {call.path}: {status} {body[:300]!r}")
        turns: dict[str, list[float]] = {"old": [], "new": []}
        # The whole machine's busy CPU time per turn too: on PostgreSQL a change of round trips
        # shows in the server's processes as much as in ours (other processes add noise to it).
        machine: dict[str, list[float]] = {"old": [], "new": []}
        setters = {"old": set_old, "new": set_new}
        for r in range(rounds):
            for name in ("old", "new") if r % 2 == 0 else ("new", "old"):
                setters[name]()
                busy = _busy_seconds()
                start = time.process_time()
                for _ in range(per_round):
                    await loop.create_task(asgi_call(app, call, headers))
                turns[name].append((time.process_time() - start) / per_round * 1000)
                machine[name].append((_busy_seconds() - busy) / per_round * 1000)
    for label, got in (("process CPU", turns), ("machine CPU", machine)):
        old, new = got["old"], got["new"]
        ratios = [n / o for o, n in zip(old, new, strict=True) if o > 0]
        q1, _, q3 = statistics.quantiles(ratios)
        print(
            f"{call.method} {call.path}?{call.query} {label}: old {statistics.median(old):.3f} ms,"
            f" new {statistics.median(new):.3f} ms (medians); new/old per round: median"
            f" {statistics.median(ratios):.3f}, quartiles {q1:.3f}-{q3:.3f}"
        )


def _busy_seconds() -> float:
    """CPU time the whole machine spent busy (every process, /proc/stat), in seconds."""
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    main()
