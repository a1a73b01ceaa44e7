"""Query latency at two database sizes: does a filtered list stay as fast when the data grows?

For each size this seeds a fresh database with `polytask dev seed-scale`, serves it on
127.0.0.1 and times four list queries (sequential requests on one keep-alive connection,
after a warm-up), plus the floor endpoint. Both databases are served at once and timed in
alternating rounds, so load on the machine that comes and goes hits both sizes alike:

- filter: status + assignee in the big project, sorted by due date, 50 per page
- custom:  a numeric range on the big project's `estimate` custom field
- search:  a word that is in exactly 20 tasks of the big project at every size
- deep:    the 501st page of 10 of the big project by due date, through cursors

Sizes (defaults): small = 1 workspace, 1 project of 10,000 tasks; large = 10 workspaces,
1,000 projects, 1,000,000 tasks of which 100,000 in the big project. The target is a
large/small p50 ratio of at most 1.5 for every query (the median of the per-round ratios).
Lists use cursor paging, where
totals are only counted on request; see docs/performance.md.

PostgreSQL: set POLYTASK_BENCH_DATABASE_URL to a server URL; a database per size is
created next to the one named there and dropped afterwards.
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
from dataclasses import astuple, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from run import BIN, HOST, free_port, log, machine_info, server_env, stop, wait_healthy

TARGET_RATIO = 1.5
SEARCH_WORD = "quokka"  # polytask.cli.seed.SEARCH_TERM: in exactly 20 tasks at every size


@dataclass(frozen=True)
class Size:
    name: str
    workspaces: int
    projects: int
    big: int
    tasks: int


@dataclass
class Timing:
    p50_ms: float
    p95_ms: float
    count: int


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", type=int, default=10_000, help="tasks in the small database (one project)")
    parser.add_argument("--large", type=int, default=1_000_000, help="tasks in the large database")
    parser.add_argument("--big", type=int, default=100_000, help="tasks in the large database's big project")
    parser.add_argument("--projects", type=int, default=1_000, help="projects in the large database")
    parser.add_argument("--workspaces", type=int, default=10, help="workspaces in the large database")
    parser.add_argument("--requests", type=int, default=400, help="timed requests per query and size")
    parser.add_argument("--rounds", type=int, default=10, help="alternating rounds the requests are split into")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directories")
    parser.add_argument(
        "--data",
        type=Path,
        help="SQLite only: keep the seeded databases in DIR/small and DIR/large and reuse them on later runs",
    )
    args = parser.parse_args()
    if args.data and os.environ.get("POLYTASK_BENCH_DATABASE_URL"):
        parser.error("--data reuses SQLite files; PostgreSQL databases are seeded afresh on every run")
    if args.big > args.large or args.small < 1 or args.projects < 2:
        parser.error("need 1 <= --big <= --large, --small >= 1 and --projects >= 2")
    return args


class Client:
    """One keep-alive connection, like a client library's session."""

    def __init__(self, port: int, key: str) -> None:
        self.conn = http.client.HTTPConnection(HOST, port, timeout=30)
        self.headers = {"Authorization": f"Bearer {key}", "Accept": "application/json"}

    def get(self, path: str, *, auth: bool = True) -> tuple[int, Any]:
        for attempt in (1, 2):
            try:
                self.conn.request("GET", path, headers=self.headers if auth else {"Accept": "application/json"})
                response = self.conn.getresponse()
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closes idle keep-alive connections; open a new one once.
                self.conn.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


def database_url(size: Size) -> tuple[str | None, str | None]:
    """For PostgreSQL: (url of a fresh database for this size, admin url to drop it later)."""
    base = os.environ.get("POLYTASK_BENCH_DATABASE_URL")
    if not base:
        return None, None
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(base)
    name = f"{url.database}_q{size.name}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False), admin


def drop_database(admin: str, url: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


def seed(env: dict[str, str], size: Size) -> tuple[str, str, str, float]:
    subprocess.run([str(BIN / "polytask"), "migrate"], check=True, env=env, timeout=300, stdout=subprocess.DEVNULL)
    command = [
        str(BIN / "polytask"),
        "dev",
        "seed-scale",
        f"--workspaces={size.workspaces}",
        f"--projects={size.projects}",
        f"--big={size.big}",
        f"--tasks={size.tasks}",
    ]
    log(" ".join(["polytask", *command[1:]]))
    started = time.monotonic()
    with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as proc:
        assert proc.stdout is not None
        last = ""
        for line in proc.stdout:
            last = line.strip()
            log(f"  {last}")
        if proc.wait(timeout=3600) != 0:
            sys.exit(f"seed-scale failed with {proc.returncode}")
    key, project, user = last.split()
    return key, project, user, time.monotonic() - started


def deep_cursor(client: Client, project: str, pages: int) -> str:
    """The URL of page `pages + 1` of the big project by due date, 10 per page."""
    path = f"/v1/projects/{project}/tasks?" + urlencode({"sort": "due_date", "limit": 10, "cursor": ""})
    for _ in range(pages):
        status, body = client.get(path)
        if status != 200 or not body["links"]["next"]:
            sys.exit(f"walking the cursor stopped early: {status} {body if status != 200 else ''}")
        path = body["links"]["next"]
    return str(path)


@dataclass
class Served:
    size: Size
    home: Path
    server: subprocess.Popen[bytes]
    client: Client
    queries: dict[str, str]
    url: str | None
    admin: str | None
    persistent: bool  # under --data: never removed


def serve(size: Size, data: Path | None) -> Served:
    """Seed a database of `size` (or reuse one under `data`), serve it, and find the query URLs."""
    if data:
        home = data / size.name
        home.mkdir(parents=True, exist_ok=True)
    else:
        home = Path(tempfile.mkdtemp(prefix=f"polytask-bench-{size.name}-"))
    env = server_env(home)
    url, admin = database_url(size)
    if url:
        env["POLYTASK_DATABASE_URL"] = url
    seeded = home / "seeded"
    if seeded.exists() and seeded.read_text().split()[3:] == [str(n) for n in astuple(size)[1:]]:
        key, project, user = seeded.read_text().split()[:3]
        log(f"{size.name}: reusing {home}")
    else:
        if data:
            shutil.rmtree(home)
            home.mkdir(parents=True)
        key, project, user, seconds = seed(env, size)
        log(f"{size.name}: seeded {size.tasks} tasks in {seconds:.0f}s")
        seeded.write_text(" ".join([key, project, user, *(str(n) for n in astuple(size)[1:])]))
    if url:
        # Fresh statistics for both sizes alike, instead of whatever autovacuum got to.
        import psycopg
        from sqlalchemy.engine import make_url

        with psycopg.connect(make_url(url).set(drivername="postgresql").render_as_string(False), autocommit=True) as c:
            c.execute("ANALYZE")
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
    served = Served(size, home, server, Client(port, key), {}, url, admin, persistent=data is not None)
    wait_healthy(f"http://{HOST}:{port}", server, logfile)
    client = served.client
    served.queries = {
        "floor": "/healthz",
        "filter": f"/v1/projects/{project}/tasks?"
        + urlencode({"status": "pending", "assignee": user, "sort": "due_date", "limit": 50, "cursor": ""}),
        "custom": f"/v1/projects/{project}/tasks?"
        + urlencode({"custom_fields.estimate[between]": "10,12", "limit": 50, "cursor": ""}),
        "search": "/v1/tasks?" + urlencode({"search": SEARCH_WORD, "limit": 50, "cursor": ""}),
        "deep": deep_cursor(client, project, 500),
    }
    for name, path in served.queries.items():
        status, body = client.get(path, auth=name != "floor")
        if status != 200 or (name != "floor" and not body["data"]):
            sys.exit(f"{name}: {path} answered {status} with no rows: {body}")
        if name != "floor":
            log(f"{size.name}: {name} returns {len(body['data'])} rows")
    return served


def close(served: Served, keep: bool) -> None:
    stop(served.server)
    if served.url and served.admin:
        drop_database(served.admin, served.url)
    if keep or served.persistent:
        log(f"kept {served.home}")
    else:
        shutil.rmtree(served.home, ignore_errors=True)


Samples = dict[str, dict[str, list[list[float]]]]  # size -> query -> one list of ms per round


def interleaved(pair: list[Served], requests: int, rounds: int) -> Samples:
    """Time every query on both servers in alternating rounds, so load that comes and goes on
    the machine hits both sizes alike. Returns samples in ms per size, query and round."""
    samples: Samples = {s.size.name: {} for s in pair}
    per_round = max(requests // rounds, 1)
    for served in pair:
        for name, path in served.queries.items():
            for _ in range(10):  # warm-up
                served.client.get(path, auth=name != "floor")
    for _ in range(rounds):
        for name in pair[0].queries:
            for served in pair:
                path = served.queries[name]
                bucket: list[float] = []
                samples[served.size.name].setdefault(name, []).append(bucket)
                for _ in range(per_round):
                    started = time.perf_counter()
                    status, body = served.client.get(path, auth=name != "floor")
                    bucket.append((time.perf_counter() - started) * 1000)
                    if status != 200:
                        sys.exit(f"{path} answered {status}: {body}")
    return samples


def main() -> int:
    args = parse_args()
    where = "PostgreSQL" if os.environ.get("POLYTASK_BENCH_DATABASE_URL") else "SQLite"
    log("machine: " + "; ".join(f"{k} {v}" for k, v in machine_info().items()))
    log(f"query latency on {where}: {args.small} tasks against {args.large}")
    small = Size("small", 1, 1, args.small, args.small)
    large = Size("large", args.workspaces, args.projects, args.big, args.large)
    pair: list[Served] = []
    try:
        for size in (small, large):
            pair.append(serve(size, args.data))
        samples = interleaved(pair, args.requests, args.rounds)
    finally:
        for served in pair:
            close(served, args.keep)
    pooled = {
        size: {q: [ms for rnd in rounds for ms in rnd] for q, rounds in per.items()} for size, per in samples.items()
    }
    timing = {
        size: {q: Timing(statistics.median(v), sorted(v)[int(len(v) * 0.95) - 1], len(v)) for q, v in per.items()}
        for size, per in pooled.items()
    }
    # The verdict: the median over rounds of (large p50 / small p50) within the round. A round
    # times both sizes back to back, so a burst of load elsewhere on the machine spoils one
    # round's ratio, not the verdict.
    ratios = {
        q: statistics.median(
            statistics.median(large) / statistics.median(small)
            for small, large in zip(samples["small"][q], samples["large"][q], strict=True)
        )
        for q in samples["small"]
    }
    print()
    print(f"{where}: {args.small} tasks (one project) vs {args.large} ({args.big} in the queried project)")
    print(
        f"ratio = median over {args.rounds} rounds of (large p50 / small p50) in the round; "
        "p50/p95 columns pool all rounds"
    )
    header = f"{'query':8} {'p50 small':>10} {'p50 large':>10} {'ratio':>7} {'p95 small':>10} {'p95 large':>10}"
    print(header)
    print("-" * len(header))
    ok = True
    for name in ("floor", "filter", "custom", "search", "deep"):
        s, lg, ratio = timing["small"][name], timing["large"][name], ratios[name]
        verdict = "" if name == "floor" else ("PASS" if ratio <= TARGET_RATIO else "MISS")
        ok &= name == "floor" or ratio <= TARGET_RATIO
        print(
            f"{name:8} {s.p50_ms:9.2f}ms {lg.p50_ms:9.2f}ms {ratio:7.2f} {s.p95_ms:9.2f}ms {lg.p95_ms:9.2f}ms {verdict}"
        )
    print()
    print(f"target: large/small p50 <= {TARGET_RATIO} for every query: {'PASS' if ok else 'MISS'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
