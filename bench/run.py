"""`make bench`: the throughput table of docs/performance.md, on SQLite and on PostgreSQL.

For each database: seed a throwaway database with 100k tasks (`polytask dev seed`), serve it on a
free port of 127.0.0.1, and drive each scenario with wrk (a short warm-up, then the measured run).
The floor (`GET /healthz`), the target rows and two informational rows (a plain project page,
a Taskforce task list) run against one server with its defaults; bulk create is timed last
(10,000 tasks per request).

PostgreSQL: with POLYTASK_BENCH_DATABASE_URL set, that server is used (the seed adds a
workspace there). Otherwise `scripts/with-postgres.sh` starts a throwaway cluster with
PostgreSQL's default durability (POLYTASK_PG_DURABLE=1: fsync, synchronous_commit and
full_page_writes on, unlike the tests' cluster) and this script runs again inside it.

The table gives req/s, p50, p99, the ratio to the floor, the target and PASS/MISS, and the
1-minute load average at the start of each row. A row is measured in slices (5 of 2 s by
default) with a 1-second floor slice before, between and after them; its ratio is the median
over its slices of the slice's req/s to the mean of the two floor slices around it. On a
machine whose speed moves by a third within a minute (this project's), both sides of each
ratio then see nearly the same machine, and one slow stretch moves the median little.
Everything is bounded in time, talks to 127.0.0.1 only, and is cleaned up on the way out. See docs/performance.md.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
BIN = ROOT / ".venv" / "bin"
HOST = "127.0.0.1"
SEED_BUDGET_S = 60.0
DATABASES = ("sqlite", "postgres")
# Each target row: minimum share of the floor's req/s on (SQLite, PostgreSQL).
TARGETS: dict[str, tuple[float, float]] = {
    "list-filter": (0.08, 0.04),
    "list-ws": (0.06, 0.03),
    "show": (0.40, 0.15),
    "tf-show": (0.30, 0.12),
    "create": (0.08, 0.04),
    "update": (0.08, 0.04),
}
# Bulk create: tasks per second of one 10,000-task request, on (SQLite, PostgreSQL).
BULK_TARGET = (20_000.0, 10_000.0)
# TaskFlow's project list must reach at least the /v1 task list's share of the floor (issue 14).
RELATIVE_TARGETS = {"tf-list": "list", "ip-list": "page"}
# TaskIP: one 20 MB upload and its download may grow the server's resident memory by this much.
TRANSFER_MB = 20
TRANSFER_RSS_TARGET_MB = 30.0
# API-usage accounting (issue 19): the share of `show`'s CPU per request it may add, measured
# in paired slices against a second server with POLYTASK_API_USAGE=off on the same database.
USAGE_COST_TARGET = 0.03
# TaskFlow's budget analysis over every project: p50 of one client's requests, in ms.
BUDGET_P50_TARGET_MS = 50.0
BUDGET_REQUESTS = 40


@dataclass(frozen=True)
class Scenario:
    name: str
    what: str
    method: str
    path: str
    script: str = "report.lua"  # Lua script under bench/
    auth: str = "bearer"  # bearer, basic, secret (TaskIP's X-Secret-Key) or none
    body: bytes | None = None  # for the one request sent by hand first
    script_args: tuple[str, ...] = ()


@dataclass
class Result:
    name: str
    what: str
    method: str
    path: str
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    duration_s: float
    non_2xx: int
    socket_errors: int
    load: float
    # The server's memory right after the row (MB; its process and any children): resident
    # in all, private (anonymous) and file-backed (SQLite's memory map, the code).
    rss_mb: float = 0.0
    anon_mb: float = 0.0
    file_mb: float = 0.0
    # The floor's req/s in the slices interleaved with this row's (their mean), and the row's
    # share of the floor: the median over its slices of slice req/s / the floor around it.
    floor_rps: float | None = None
    ratio: float | None = None


def ratio_of(result: Result, results: list[Result]) -> float | None:
    """A row's share of the floor: from its interleaved slices, else to the run's floor row."""
    if result.ratio is not None:
        return result.ratio
    floor = result.floor_rps or next((r.rps for r in results if r.name == "floor"), None)
    return result.rps / floor if floor else None


@dataclass
class DatabaseRun:
    database: str
    results: list[Result] = field(default_factory=list)
    bulk_rate: float | None = None
    bulk_median_ms: float | None = None
    bulk_load: float | None = None
    bulk_tasks: int = 10_000
    seed_s: float = 0.0
    settings: str = ""
    load_start: float = 0.0
    budget_p50_ms: float | None = None
    budget_p99_ms: float | None = None
    # TaskIP's 20 MB upload and download: the server's RSS growth (MB) and the two times (s).
    transfer_rss_mb: float | None = None
    transfer_s: tuple[float, float] | None = None
    # API-usage accounting: `show`'s server CPU microseconds per request with it on and off
    # (each the median of its slices), the cost (the median of the paired slices' on/off
    # ratios, less 1), the ratios, and one UsageRecorder.record call in microseconds.
    usage_cpu_us: tuple[float, float] | None = None
    usage_cost: float | None = None
    usage_ratios: list[float] = field(default_factory=list)
    usage_record_us: float | None = None
    # The verdict's figure: in one process, taking turns (bench/paired.py): cost, off ms, on ms.
    usage_paired: tuple[float, float, float] | None = None


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


SCENARIO_NAMES = (
    "floor",
    "show",
    "list",
    "list-filter",
    "list-ws",
    "tf-show",
    "tf-list",
    "page",
    "ip-list",
    "create",
    "update",
    "bulk",
    "tf-budget",
    "ip-transfer",
    "usage",
)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--database",
        choices=["both", *DATABASES],
        default=os.environ.get("POLYTASK_BENCH_DATABASE", "both"),
        help="which database(s) to measure (default both)",
    )
    parser.add_argument("--projects", type=int, default=env_int("POLYTASK_BENCH_PROJECTS", 100))
    parser.add_argument("--tasks", type=int, default=env_int("POLYTASK_BENCH_TASKS", 100_000))
    parser.add_argument("--users", type=int, default=env_int("POLYTASK_BENCH_USERS", 20))
    parser.add_argument("--workers", type=int, default=env_int("POLYTASK_BENCH_WORKERS", 1), help="server processes")
    parser.add_argument("--threads", type=int, default=env_int("POLYTASK_BENCH_THREADS", 2), help="wrk threads")
    parser.add_argument(
        "--connections", type=int, default=env_int("POLYTASK_BENCH_CONNECTIONS", 16), help="wrk connections"
    )
    parser.add_argument(
        "--duration", type=int, default=env_int("POLYTASK_BENCH_DURATION", 10), help="seconds per measured run"
    )
    parser.add_argument(
        "--warmup", type=int, default=env_int("POLYTASK_BENCH_WARMUP", 2), help="seconds of warm-up per scenario"
    )
    parser.add_argument(
        "--slices",
        type=int,
        default=env_int("POLYTASK_BENCH_SLICES", 5),
        help="slices a row's measured run is cut into, with a 1-second floor slice around each",
    )
    parser.add_argument(
        "--bulk-tasks", type=int, default=env_int("POLYTASK_BENCH_BULK_TASKS", 10_000), help="tasks per bulk request"
    )
    parser.add_argument("--bulk-rounds", type=int, default=3, help="measured bulk requests (0: skip bulk create)")
    parser.add_argument(
        "--only", action="append", default=[], choices=SCENARIO_NAMES, help="run only this scenario (repeatable)"
    )
    parser.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a POLYTASK_ setting for both servers, e.g. POLYTASK_DB_THREADS=4 (repeatable)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed, not only on errors")
    parser.add_argument("--results", help=argparse.SUPPRESS)  # where a child run writes its results (JSON)
    args = parser.parse_args(argv)
    if args.projects < 2 or args.tasks < 1 or args.users < 1:
        parser.error("--projects must be at least 2, --tasks and --users at least 1")
    for item in args.server_env:
        name, sep, _ = item.partition("=")
        if not sep or not name.startswith("POLYTASK_"):
            parser.error(f"--server-env takes POLYTASK_NAME=VALUE, not {item!r}")
    return args


def log(message: str) -> None:
    print(f"[bench] {message}", flush=True)


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    log("wrk not found; installing it from Debian (apt-get install wrk)")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    apt_env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, env=apt_env, timeout=300)
    subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "wrk"], check=True, env=apt_env, timeout=300)
    found = shutil.which("wrk")
    if not found:
        sys.exit("wrk is still missing after apt-get install")
    return found


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def seed(env: dict[str, str], args: argparse.Namespace) -> tuple[str, float]:
    subprocess.run([str(BIN / "polytask"), "migrate"], check=True, env=env, timeout=120, stdout=subprocess.DEVNULL)
    command = [
        str(BIN / "polytask"),
        "dev",
        "seed",
        "--force",  # a bench database may already hold the server's first admin, or a former seed
        "--projects",
        str(args.projects),
        "--tasks",
        str(args.tasks),
        "--users",
        str(args.users),
    ]
    log(" ".join(["polytask", *command[1:]]))
    started = time.monotonic()
    done = subprocess.run(command, check=False, env=env, timeout=600, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"the seed failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    elapsed = time.monotonic() - started
    lines = done.stdout.strip().splitlines()
    for line in lines[:-1]:
        log(f"  {line}")
    budget = SEED_BUDGET_S * max(1.0, args.tasks / 100_000)
    verdict = "PASS" if elapsed < budget else "MISS"
    log(f"seeded {args.tasks} tasks in {elapsed:.1f}s wall clock (target: under {budget:.0f}s) {verdict}")
    make_seed_owner_manager(env)
    return lines[-1].strip(), elapsed


def make_seed_owner_manager(env: dict[str, str]) -> None:
    """TaskFlow's reports need its `manager` role (the account's server-wide role): give it to
    the newest seed owner before the server starts, through the administration CLI."""
    polytask = str(BIN / "polytask")
    listed = subprocess.run(
        [polytask, "users", "list"], check=True, env=env, timeout=120, capture_output=True, text=True
    )
    owners = [line.split("\t") for line in listed.stdout.splitlines() if "\tseed-owner-" in line]
    if not owners:
        sys.exit(f"no seed owner among the accounts:\n{listed.stdout}")
    newest = max(owners, key=lambda row: int(row[0].removeprefix("user_")))
    if newest[3] == "user":
        subprocess.run([polytask, "users", "set-role", newest[0], "manager"], check=True, env=env, timeout=120)


def wait_healthy(base: str, server: subprocess.Popen[bytes], logfile: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the server exited with {server.returncode}:\n{logfile.read_text()}")
        try:
            status, _ = request(f"{base}/healthz", None)
            if status == 200:
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    sys.exit(f"the server did not answer /healthz within {timeout:.0f}s:\n{logfile.read_text()}")


def stop(server: subprocess.Popen[bytes]) -> None:
    """Stop the server we started (its own process group, so uvicorn's workers go too)."""
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=5)


def print_server_errors(logfile: Path, limit: int = 12) -> None:
    """The distinct error lines the server logged, most frequent first."""
    counts: dict[str, int] = {}
    for line in logfile.read_text(errors="replace").splitlines():
        if "Error" in line or "ERROR" in line:
            text = line.split(" ERROR ", 1)[-1].strip()
            counts[text] = counts.get(text, 0) + 1
    print(f"server log ({logfile}), distinct error lines:")
    for text, n in sorted(counts.items(), key=lambda item: -item[1])[:limit]:
        print(f"  {n:6d}x {text[:160]}")


def machine_info() -> dict[str, str]:
    """What the figures were measured on (also written into docs/performance.md by hand)."""
    info = {"cores": str(os.cpu_count())}
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                info["memory"] = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    version = subprocess.run(
        [str(BIN / "python"), "-c", "import sys, sqlite3; print(sys.version.split()[0], sqlite3.sqlite_version)"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    ).stdout.split()
    if len(version) == 2:
        info["python"], info["sqlite"] = version
    info["load average"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return info


def server_env(home: Path, database_url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLYTASK_") or k.startswith("POLYTASK_BENCH_")}
    env["POLYTASK_HOME"] = str(home)
    env["POLYTASK_LOG_LEVEL"] = "warning"
    # The limiter still counts every request, but never refuses: wrk measures the server.
    env["POLYTASK_RATE_LIMIT_PER_MINUTE"] = "1000000000"
    env["POLYTASK_RATE_LIMIT_CONCURRENCY"] = "0"
    # TaskFlow's own plan (20 a minute, 1000 an hour) off too, and TaskIP's (100 a minute).
    env["POLYTASK_RATE_PLANS"] = json.dumps(
        {"taskflow": {"per_minute": 0, "per_hour": 0}, "taskip": {"per_minute": 0, "per_hour": 0}}
    )
    url = database_url or os.environ.get("POLYTASK_BENCH_DATABASE_URL")
    if url:
        env["POLYTASK_DATABASE_URL"] = url
    return env


def request(
    url: str,
    key: str | None,
    *,
    method: str = "GET",
    body: bytes | None = None,
    authorization: str | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, Any]:
    headers = {"Accept": "application/json", **(headers or {})}
    if authorization:
        headers["Authorization"] = authorization
    elif key:
        headers["Authorization"] = f"Bearer {key}"
    if body is not None:
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


@dataclass(frozen=True)
class Ids:
    projects: list[str]
    tasks: list[str]  # 50 tasks of the first project
    email: str
    uuid: str  # the first project's, for TaskIP's paths


def find_ids(base: str, key: str) -> Ids:
    status, projects = request(f"{base}/v1/projects?limit=2", key)
    if status != 200 or len(projects["data"]) < 2:
        sys.exit(f"GET /v1/projects?limit=2 answered {status}: {projects}")
    project_ids = [p["id"] for p in projects["data"]]
    status, tasks = request(f"{base}/v1/projects/{project_ids[0]}/tasks?limit=50", key)
    if status != 200 or not tasks["data"]:
        sys.exit(f"GET /v1/projects/{project_ids[0]}/tasks?limit=50 answered {status}: {tasks}")
    status, me = request(f"{base}/v1/me", key)
    if status != 200:
        sys.exit(f"GET /v1/me answered {status}: {me}")
    uuid = projects["data"][0]["attributes"]["uuid"]
    return Ids(project_ids, [t["id"] for t in tasks["data"]], me["data"]["attributes"]["email"], uuid)


def scenarios(ids: Ids) -> list[Scenario]:
    project, task = ids.projects[0], ids.tasks[0]
    numeric = [t.removeprefix("task_") for t in ids.tasks]
    return [
        Scenario("floor", "GET /healthz", "GET", "/healthz", auth="none"),
        Scenario("show", "one task", "GET", f"/v1/tasks/{task}"),
        # Informational: the plainest page (what the read lane once answered), no target.
        Scenario("list", "50 tasks of a project, -due", "GET", f"/v1/projects/{project}/tasks?limit=50&sort=due_date"),
        Scenario(
            "list-filter",
            "50 pending, -due, assignees",
            "GET",
            f"/v1/projects/{project}/tasks?limit=50&sort=-due_date&status=pending&include=assignees",
        ),
        Scenario("list-ws", "50 tasks of a workspace", "GET", "/v1/tasks?limit=50&sort=due_date"),
        Scenario("tf-show", "Taskforce one task", "GET", f"/api/v1/tasks/{numeric[0]}.json", auth="basic"),
        # TaskFlow's first page of projects as its clients ask for it (per_page 10 by default).
        Scenario("tf-list", "TaskFlow projects, page 1", "GET", "/api/projects"),
        # A project's first 50 tasks in board order: through /v1 with the count TaskIP's meta
        # carries, then through TaskIP as its clients ask (issue 15: at least /v1's share).
        Scenario("page", "50 tasks of a project, board", "GET", f"/v1/projects/{project}/tasks?limit=50&total=true"),
        Scenario(
            "ip-list", "TaskIP 50 tasks of a project", "GET", f"/api/public-v1/project/{ids.uuid}/task", auth="secret"
        ),
        Scenario(
            "create",
            "POST a task",
            "POST",
            f"/v1/projects/{project}/tasks",
            script="create_task.lua",
            body=b'{"name": "Bench task", "priority": "medium", "due_date": "2030-01-15"}',
        ),
        Scenario(
            "update",
            "PUT a task (50 in turn)",
            "PUT",
            f"/v1/tasks/{task}",
            script="update_task.lua",
            body=b'{"name": "Bench update", "priority": "high"}',
            script_args=(",".join(ids.tasks),),
        ),
    ]


def authorization(scenario: Scenario, key: str, ids: Ids) -> str | None:
    if scenario.auth == "bearer":
        return f"Bearer {key}"
    if scenario.auth == "basic":
        return "Basic " + base64.b64encode(f"{ids.email}:{key}".encode()).decode()
    return None


def headers_of(scenario: Scenario, key: str, ids: Ids) -> dict[str, str]:
    """The credential header the scenario's surface reads."""
    if scenario.auth == "secret":
        return {"X-Secret-Key": key}
    auth = authorization(scenario, key, ids)
    return {"Authorization": auth} if auth else {}


def sanity_check(base: str, key: str, ids: Ids, scenario: Scenario) -> None:
    """One request by hand first, so a broken route fails loudly instead of being measured."""
    status, body = request(
        f"{base}{scenario.path}",
        None,
        method=scenario.method,
        body=scenario.body,
        authorization=authorization(scenario, key, ids),
        headers=headers_of(scenario, key, ids) if scenario.auth == "secret" else None,
    )
    if not 200 <= status < 300:
        sys.exit(f"{scenario.name}: {scenario.method} {scenario.path} answered {status}: {body}")


def run_wrk(
    wrk: str, base: str, key: str, ids: Ids, scenario: Scenario, args: argparse.Namespace, seconds: int
) -> dict[str, Any]:
    command = [
        wrk,
        "--threads",
        str(args.threads),
        "--connections",
        str(args.connections),
        "--duration",
        f"{seconds}s",
        "--timeout",
        "10s",
        "--latency",
        "--script",
        str(BENCH / scenario.script),
    ]
    for name, value in headers_of(scenario, key, ids).items():
        command += ["--header", f"{name}: {value}"]
    command.append(f"{base}{scenario.path}")
    if scenario.script_args:
        command += ["--", *scenario.script_args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False)
    if done.returncode != 0:
        sys.exit(f"wrk failed ({done.returncode}) on {scenario.name}:\n{done.stdout}\n{done.stderr}")
    for line in done.stdout.splitlines():
        if line.startswith("BENCH_RESULT "):
            return dict(json.loads(line.removeprefix("BENCH_RESULT ")))
    sys.exit(f"wrk printed no BENCH_RESULT line on {scenario.name}:\n{done.stdout}\n{done.stderr}")


def _descendants(pid: int) -> list[int]:
    found = [pid]
    for child in Path("/proc").iterdir():
        if not child.name.isdigit():
            continue
        try:
            fields = (child / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.extend(_descendants(int(child.name)))
    return found


def memory_of(pid: int) -> tuple[float, float, float]:
    """(resident, private, file-backed) MB of a process and its children, from /proc."""
    totals = {"VmRSS": 0, "RssAnon": 0, "RssFile": 0}
    for proc in _descendants(pid):
        try:
            lines = Path(f"/proc/{proc}/status").read_text().splitlines()
        except OSError:
            continue
        for line in lines:
            name, _, value = line.partition(":")
            if name in totals:
                totals[name] += int(value.split()[0])
    return totals["VmRSS"] / 1024, totals["RssAnon"] / 1024, totals["RssFile"] / 1024


def rate(raw: dict[str, Any]) -> float:
    return float(raw["requests"]) / (float(raw["duration_us"]) / 1e6)


def measure(
    wrk: str,
    base: str,
    key: str,
    ids: Ids,
    scenario: Scenario,
    args: argparse.Namespace,
    pid: int,
    floor: Scenario | None = None,
) -> Result:
    """One row: a warm-up, then the measured run. Given the `floor`, the run is cut into
    `--slices` slices with a 1-second floor slice before, between and after them."""
    sanity_check(base, key, ids, scenario)
    if args.warmup > 0:
        run_wrk(wrk, base, key, ids, scenario, args, args.warmup)
        time.sleep(1)  # let the warm-up's last requests finish before measuring
    load = os.getloadavg()[0]
    floors: list[float] = []
    if floor is None or floor is scenario:
        raws = [run_wrk(wrk, base, key, ids, scenario, args, args.duration)]
    else:
        slices = max(1, args.slices)
        seconds = max(1, round(args.duration / slices))
        raws = []
        floors.append(rate(run_wrk(wrk, base, key, ids, floor, args, 1)))
        for _ in range(slices):
            raws.append(run_wrk(wrk, base, key, ids, scenario, args, seconds))
            floors.append(rate(run_wrk(wrk, base, key, ids, floor, args, 1)))
    requests = sum(int(raw["requests"]) for raw in raws)
    duration_us = sum(float(raw["duration_us"]) for raw in raws)
    result = Result(
        name=scenario.name,
        what=scenario.what,
        method=scenario.method,
        path=scenario.path,
        rps=requests / (duration_us / 1e6),
        # The slices' median p50 and their highest p99: one slow slice shows in the p99.
        p50_ms=statistics.median(raw["p50_us"] for raw in raws) / 1000,
        p99_ms=max(raw["p99_us"] for raw in raws) / 1000,
        requests=requests,
        duration_s=duration_us / 1e6,
        non_2xx=sum(int(raw["non_2xx"]) for raw in raws),
        socket_errors=sum(
            int(raw["connect_errors"]) + int(raw["read_errors"]) + int(raw["write_errors"]) + int(raw["timeouts"])
            for raw in raws
        ),
        load=load,
    )
    if floors:
        result.floor_rps = statistics.mean(floors)
        ratios = [rate(raw) / ((a + b) / 2) for raw, a, b in zip(raws, floors, floors[1:], strict=False)]
        result.ratio = statistics.median(ratios)
    result.rss_mb, result.anon_mb, result.file_mb = memory_of(pid)
    around = ""
    if floors:
        around = (
            f"; floor slices {', '.join(f'{f:.0f}' for f in floors)} req/s; "
            f"slice ratios {', '.join(f'{r:.1%}' for r in ratios)}"
        )
    log(
        f"{scenario.name:11} {result.requests} requests, {result.rps:.0f} req/s, "
        f"p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms (load {load:.2f}); "
        f"server RSS {result.rss_mb:.0f} MB, private {result.anon_mb:.0f} MB{around}"
    )
    return result


def measure_budget(base: str, key: str) -> tuple[float, float]:
    """p50 and p99 (ms) of `GET /api/reports/budget-analysis` sent by one client, one at a time
    (the target is a report's latency, not a throughput)."""
    conn = http.client.HTTPConnection(HOST, int(base.rsplit(":", 1)[1]), timeout=60)
    headers = {"Authorization": f"Bearer {key}", "Accept": "application/json"}

    def get() -> float:
        started = time.perf_counter()
        conn.request("GET", "/api/reports/budget-analysis", headers=headers)
        response = conn.getresponse()
        raw = response.read()
        elapsed = time.perf_counter() - started
        if response.status != 200:
            sys.exit(f"budget analysis failed: {response.status} {raw[:500]!r}")
        return elapsed * 1000

    try:
        for _ in range(3):
            get()  # warm-up
        times = sorted(get() for _ in range(BUDGET_REQUESTS))
    finally:
        conn.close()
    p50, p99 = statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.99))]
    log(f"tf-budget  {BUDGET_REQUESTS} requests one at a time: p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    return p50, p99


def measure_transfer(base: str, key: str, uuid: str, pid: int) -> tuple[float, float, float]:
    """TaskIP: upload a 20 MB file to a task of the project (multipart, sent in 1 MB chunks) and
    download it; returns the growth of the server's resident memory over its level before (the
    highest of samples taken while both run) and the two times."""
    port = int(base.rsplit(":", 1)[1])
    status, task = request(
        f"{base}/api/public-v1/project/{uuid}/task",
        None,
        method="POST",
        body=b'{"title": "Bench transfer"}',
        headers={"X-Secret-Key": key},
    )
    if status != 201:
        sys.exit(f"ip-transfer: making its task answered {status}: {task}")
    path = f"/api/public-v1/project/{uuid}/task/{task['data']['id']}/files"
    boundary = "polytaskbenchboundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="bench.bin"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    chunk = bytes(range(256)) * 4096  # 1 MB, not text, not an image
    size = len(head) + TRANSFER_MB * len(chunk) + len(tail)
    before = memory_of(pid)[0]
    peak = before
    sampling = True

    def sample() -> None:
        nonlocal peak
        while sampling:
            peak = max(peak, memory_of(pid)[0])
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    conn = http.client.HTTPConnection(HOST, port, timeout=300)
    try:
        started = time.perf_counter()
        conn.putrequest("POST", path)
        conn.putheader("X-Secret-Key", key)
        conn.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
        conn.putheader("Content-Length", str(size))
        conn.endheaders()
        conn.send(head)
        for _ in range(TRANSFER_MB):
            conn.send(chunk)
        conn.send(tail)
        response = conn.getresponse()
        raw = response.read()
        upload_s = time.perf_counter() - started
        if response.status != 201:
            sys.exit(f"ip-transfer: the upload answered {response.status}: {raw[:500]!r}")
        file_id = json.loads(raw)["data"]["id"]
        started = time.perf_counter()
        conn.request("GET", f"/api/public-v1/project/{uuid}/files/{file_id}/download", headers={"X-Secret-Key": key})
        response = conn.getresponse()
        received = 0
        while piece := response.read(1 << 20):
            received += len(piece)
        download_s = time.perf_counter() - started
        if response.status != 200 or received != TRANSFER_MB * len(chunk):
            sys.exit(f"ip-transfer: the download answered {response.status} with {received} bytes")
    finally:
        conn.close()
        sampling = False
        sampler.join()
    peak = max(peak, memory_of(pid)[0])
    growth = peak - before
    log(
        f"ip-transfer {TRANSFER_MB} MB up in {upload_s:.2f}s, down in {download_s:.2f}s; "
        f"server RSS {before:.0f} MB before, {peak:.0f} MB at most: +{growth:.1f} MB"
    )
    return growth, upload_s, download_s


def measure_bulk(base: str, key: str, project: str, args: argparse.Namespace) -> tuple[float, float, float]:
    """Tasks/s of one `POST /v1/projects/{id}/tasks/bulk` of `--bulk-tasks` tasks (median of the rounds)."""
    conn = http.client.HTTPConnection(HOST, int(base.rsplit(":", 1)[1]), timeout=300)
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}

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

    try:
        post(100)  # warm-up
        load = os.getloadavg()[0]
        times = [post(args.bulk_tasks) for _ in range(args.bulk_rounds)]
    finally:
        conn.close()
    median = statistics.median(times)
    rate = args.bulk_tasks / median
    log(f"bulk       {args.bulk_tasks} tasks per request, median {median * 1000:.0f} ms: {rate:,.0f} tasks/s")
    return rate, median * 1000, load


# The server's memory under the list load: resident in all, and its private part (the rest is
# file-backed: code and SQLite's memory map, shared with the page cache).
RSS_TARGET_MB = 250
PRIVATE_TARGET_MB = 200


def record_cost_us(calls: int = 200_000) -> float:
    """Microseconds of one `UsageRecorder.record`, the whole of accounting's work in a request
    (as the middleware calls it: an API key's actor, a 200, a latency)."""
    from polytask.core.actor import Actor
    from polytask.domain.usage.recorder import UsageRecorder

    recorder = UsageRecorder()
    actor = Actor(user_id=1, global_role="user", credential_id=7, credential_kind="api_key", workspace_id=3)
    record = recorder.record
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for _ in range(calls):
            record("native", actor, 200, 0.0012)
        best = min(best, time.perf_counter() - started)
    return best / calls * 1e6


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process and its children have used, from /proc."""
    ticks = 0
    for proc in _descendants(pid):
        try:
            fields = Path(f"/proc/{proc}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def measure_usage(
    wrk: str,
    base: str,
    pid: int,
    key: str,
    ids: Ids,
    args: argparse.Namespace,
    env: dict[str, str],
    home: Path,
) -> tuple[tuple[float, float], float, list[float], float]:
    """`show` against this run's server (accounting on, the default) and a second one started
    with POLYTASK_API_USAGE=off on the same database, in alternating slices (which goes first
    alternates too). Each slice's figure is the server's CPU time per request (from /proc:
    on a shared machine throughput swings with the neighbours, the CPU a request costs much
    less), and the cost is the median of the pairs' on/off ratios, less 1. Returns the (on,
    off) CPU microseconds per request (medians), the cost, the ratios and one record call's
    microseconds."""
    show = next(sc for sc in scenarios(ids) if sc.name == "show")
    off_env = {**env, "POLYTASK_API_USAGE": "off"}
    off_server, off_base, _ = start_server(off_env, args, home / "server-usage-off.log")
    pairs = max(2, args.slices) * 2
    seconds = max(2, round(args.duration / max(1, args.slices)))
    servers = {"on": (base, pid), "off": (off_base, off_server.pid)}
    per_request: dict[str, list[float]] = {"on": [], "off": []}
    ratios: list[float] = []
    try:
        sanity_check(off_base, key, ids, show)
        for target, _ in servers.values():  # both as warm as the rows before left the first
            run_wrk(wrk, target, key, ids, show, args, max(2, args.warmup, args.duration // 2))
        for i in range(pairs):
            got: dict[str, float] = {}
            for side in ("on", "off") if i % 2 == 0 else ("off", "on"):
                target, server_pid = servers[side]
                before = cpu_seconds(server_pid)
                raw = run_wrk(wrk, target, key, ids, show, args, seconds)
                got[side] = (cpu_seconds(server_pid) - before) / max(1, int(raw["requests"])) * 1e6
                per_request[side].append(got[side])
            ratios.append(got["on"] / got["off"])
    finally:
        stop(off_server)
    cost = statistics.median(ratios) - 1
    record_us = record_cost_us()
    on, off = statistics.median(per_request["on"]), statistics.median(per_request["off"])
    log(
        f"usage       show CPU per request on {on:.0f} us, off {off:.0f} us; cost {cost:.1%}; "
        f"pair ratios {', '.join(f'{r:.3f}' for r in ratios)}; record() {record_us:.2f} us "
        f"= {record_us / off:.2%} of a request's CPU"
    )
    return (on, off), cost, ratios, record_us


def measure_usage_paired(
    home: Path, key: str, ids: Ids, url: str | None, args: argparse.Namespace
) -> tuple[float, float, float]:
    """The same `show` with accounting counting and skipped, taking turns in ONE process on
    this run's database (bench/paired.py with bench/usage_toggle.py): the machine's swings hit
    both sides of each round alike (the recorder queues requests and folds them every
    FOLD_EVERY; each turn is long enough to fold twice). Returns (cost, off ms, on ms): cost = the median of the
    rounds' on/off CPU ratios, less 1."""
    from polytask.domain.usage.recorder import FOLD_EVERY

    data = Path(tempfile.mkdtemp(prefix="polytask-bench-usage-"))
    env = {k: v for k, v in os.environ.items() if k != "POLYTASK_BENCH_DATABASE_URL"}
    try:
        if url:
            (data / "pg-key").write_text(key)
            env["POLYTASK_BENCH_DATABASE_URL"] = url
        else:
            shutil.copy(home / "polytask.db", data / "polytask.db")
            (data / "key.txt").write_text(key)
        command = [
            sys.executable,
            str(BENCH / "paired.py"),
            "--data",
            str(data),
            str(BENCH / "usage_toggle.py"),
            "GET",
            f"/v1/tasks/{ids.tasks[0]}",
            "--rounds",
            str(max(20, args.slices * 6)),
            # Each turn folds the recorder's queue at least twice, so the batched fold is in
            # every round's CPU, not in a few rounds the median would pass over.
            "--per-round",
            str(2 * FOLD_EVERY),
        ]
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, check=False)
    finally:
        shutil.rmtree(data, ignore_errors=True)
    for line in done.stdout.splitlines():
        # "GET /v1/tasks/task_1? process CPU: old 0.512 ms, new 0.515 ms (medians); new/old per
        # round: median 1.006, quartiles ..."
        if " process CPU: " in line:
            old_ms = float(line.split(" old ", 1)[1].split(" ms", 1)[0])
            new_ms = float(line.split(" new ", 1)[1].split(" ms", 1)[0])
            median = float(line.split("per round: median ", 1)[1].split(",", 1)[0])
            log(f"usage       in one process: {line.split(' process CPU: ', 1)[1]}")
            return median - 1, old_ms, new_ms
    sys.exit(f"bench/paired.py printed no result for the usage row:\n{done.stdout}\n{done.stderr}")


def usage_cost(run: DatabaseRun) -> float | None:
    """The figure the < 3% target holds: the in-process pairing, else the two servers'."""
    return run.usage_paired[0] if run.usage_paired is not None else run.usage_cost


def usage_line(run: DatabaseRun) -> str | None:
    """The accounting row: its cost on `show` against the < 3% target."""
    cost = usage_cost(run)
    if cost is None:
        return None
    held = "PASS" if cost < USAGE_COST_TARGET else "MISS"
    parts = [f"{'usage':11} {'show, API usage on vs off':27} cost {cost:.1%} (target < {USAGE_COST_TARGET:.0%}) {held}"]
    if run.usage_paired is not None:
        _, off, on = run.usage_paired
        parts.append(f"in one process {on:.3f} vs {off:.3f} ms CPU")
    if run.usage_cpu_us is not None and run.usage_cost is not None:
        on_us, off_us = run.usage_cpu_us
        parts.append(f"two servers {on_us:.0f} vs {off_us:.0f} us CPU ({run.usage_cost:+.1%}, informational)")
    if run.usage_record_us is not None and run.usage_cpu_us is not None:
        parts.append(f"record() {run.usage_record_us:.2f} us = {run.usage_record_us / run.usage_cpu_us[1]:.2%}")
    return "; ".join(parts)


def verdict(ratio: float, share: float) -> str:
    return "PASS" if ratio >= share else "MISS"


def print_table(run: DatabaseRun) -> bool:
    """Print one database's table; returns whether every request succeeded."""
    index = DATABASES.index(run.database)
    results = run.results
    print()
    print(f"== {run.database} ({run.settings}); load average at the start {run.load_start:.2f} ==")
    header = (
        f"{'scenario':11} {'what':27} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'vs floor':>8} "
        f"{'target':>7} {'':4} {'load':>5} {'non-2xx':>7} {'sock err':>8} {'RSS MB':>6} {'private':>7}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        ratio = ratio_of(r, results)
        shown = f"{ratio:.1%}" if ratio is not None else "-"
        share = TARGETS.get(r.name, (None, None))[index]
        target = f"{share:.0%}" if share is not None else ""
        mark = verdict(ratio, share) if share is not None and ratio is not None else ""
        print(
            f"{r.name:11} {r.what:27} {r.rps:7.0f} {r.p50_ms:7.1f} {r.p99_ms:7.1f} {shown:>8} "
            f"{target:>7} {mark:4} {r.load:5.2f} {r.non_2xx:7d} {r.socket_errors:8d} {r.rss_mb:6.0f} {r.anon_mb:7.0f}"
        )
    if run.bulk_rate is not None:
        goal = BULK_TARGET[index]
        print(
            f"{'bulk':11} {f'{run.bulk_tasks:,} tasks in one request':27} {run.bulk_rate:7.0f} tasks/s (median "
            f"{run.bulk_median_ms:.0f} ms) target {goal:,.0f}/s {verdict(run.bulk_rate, goal)} "
            f"load {run.bulk_load:.2f}"
        )
    if run.budget_p50_ms is not None:
        print(
            f"{'tf-budget':11} {'TaskFlow budget analysis':27} p50 {run.budget_p50_ms:.1f} ms, p99 "
            f"{run.budget_p99_ms:.1f} ms (one client) target p50 < {BUDGET_P50_TARGET_MS:.0f} ms "
            f"{'PASS' if run.budget_p50_ms < BUDGET_P50_TARGET_MS else 'MISS'}"
        )
    for name, other in RELATIVE_TARGETS.items():
        mine = next((r for r in results if r.name == name), None)
        theirs = next((r for r in results if r.name == other), None)
        if mine is None or theirs is None:
            continue
        a, b = ratio_of(mine, results), ratio_of(theirs, results)
        if a is not None and b is not None:
            print(f"{name:11} {f'vs {other}':27} {a:.1%} of the floor vs {b:.1%}: {'PASS' if a >= b else 'MISS'}")
    if run.transfer_rss_mb is not None and run.transfer_s is not None:
        up, down = run.transfer_s
        held = "PASS" if run.transfer_rss_mb < TRANSFER_RSS_TARGET_MB else "MISS"
        print(
            f"{'ip-transfer':11} {f'TaskIP {TRANSFER_MB} MB up and down':27} RSS +{run.transfer_rss_mb:.1f} MB "
            f"(target < {TRANSFER_RSS_TARGET_MB:.0f}) {held}; up {up:.2f} s, down {down:.2f} s"
        )
    line = usage_line(run)
    if line is not None:
        print(line)
    if results:
        rss = max(r.rss_mb for r in results)
        private = max(r.anon_mb for r in results)
        print(
            f"{'memory':11} {'server, largest after a row':27} RSS {rss:.0f} MB (target {RSS_TARGET_MB}) "
            f"{'PASS' if rss < RSS_TARGET_MB else 'MISS'}; private {private:.0f} MB (target {PRIVATE_TARGET_MB}) "
            f"{'PASS' if private < PRIVATE_TARGET_MB else 'MISS'}"
        )
    print()
    for r in results:
        print(f"  {r.name:11} {r.method:4} {r.path}")
    clean = True
    for r in results:
        if r.requests == 0:
            clean = False
            print(f"ERRORS: {r.name} completed no request at all in {r.duration_s:.0f}s (server stalled)")
        elif r.non_2xx or r.socket_errors:
            clean = False
            print(f"ERRORS: {r.name} had {r.non_2xx} non-2xx responses and {r.socket_errors} socket errors/timeouts")
    return clean


def print_summary(runs: list[DatabaseRun]) -> bool:
    """The targets of both databases side by side; returns whether every one was reached."""
    print()
    print("== targets (ratio to the floor measured around each row) ==")
    print(f"{'row':12} " + " ".join(f"{db:>24}" for db in DATABASES))
    reached_all = True
    by_db = {run.database: run for run in runs}
    for name in TARGETS:
        cells = []
        for index, db in enumerate(DATABASES):
            run = by_db.get(db)
            result = next((r for r in run.results if r.name == name), None) if run else None
            ratio = ratio_of(result, run.results) if run is not None and result is not None else None
            if ratio is None:
                cells.append(f"{'-':>24}")
                continue
            share = TARGETS[name][index]
            reached_all &= ratio >= share
            cells.append(f"{ratio:6.1%} >= {share:4.0%} {verdict(ratio, share):>4}".rjust(24))
        print(f"{name:12} " + " ".join(cells))
    cells = []
    for index, db in enumerate(DATABASES):
        run = by_db.get(db)
        if run is None or run.bulk_rate is None:
            cells.append(f"{'-':>24}")
            continue
        goal = BULK_TARGET[index]
        reached_all &= run.bulk_rate >= goal
        cells.append(f"{run.bulk_rate:6,.0f}/s >= {goal:,.0f} {verdict(run.bulk_rate, goal)}".rjust(24))
    print(f"{'bulk':12} " + " ".join(cells))
    cells = []
    for db in DATABASES:
        run = by_db.get(db)
        cost = usage_cost(run) if run is not None else None
        if cost is None:
            cells.append(f"{'-':>24}")
            continue
        reached_all &= cost < USAGE_COST_TARGET
        held = "PASS" if cost < USAGE_COST_TARGET else "MISS"
        cells.append(f"{cost:6.1%} < {USAGE_COST_TARGET:.0%} {held}".rjust(24))
    print(f"{'usage cost':12} " + " ".join(cells))
    return reached_all


def postgres_settings(url: str) -> str:
    """fsync / synchronous_commit / full_page_writes of the server measured (durability is part of the figure)."""
    try:
        import psycopg

        with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), connect_timeout=10) as conn:
            values = [
                f"{name}={conn.execute(f'SHOW {name}').fetchone()[0]}"  # type: ignore[index]
                for name in ("server_version", "fsync", "synchronous_commit", "full_page_writes")
            ]
        return "PostgreSQL " + ", ".join(values)
    except Exception as exc:  # informational only
        return f"PostgreSQL (settings unknown: {exc})"


def settle_postgres(url: str) -> None:
    """VACUUM (ANALYZE) and CHECKPOINT after the seed: 100,000 fresh tasks and their events
    set autovacuum and a checkpoint going within the next minutes, which then ran during
    whichever rows came next (the load went from 1.1 to 2.9 through one run's PostgreSQL
    half) and no steady server sees. Settled once here, every row meets the same database."""
    import psycopg

    started = time.monotonic()
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
        conn.execute("CHECKPOINT")
    log(f"settled the seed (VACUUM (ANALYZE), CHECKPOINT) in {time.monotonic() - started:.1f}s")


def run_database(database: str, wrk: str, args: argparse.Namespace) -> tuple[DatabaseRun, bool]:
    """Seed, serve and measure one database; returns its results and whether every request succeeded."""
    url = None
    if database == "postgres":
        url = os.environ.get("POLYTASK_BENCH_DATABASE_URL") or os.environ.get("POLYTASK_TEST_POSTGRES_URL")
        if not url:
            sys.exit("no PostgreSQL server: set POLYTASK_BENCH_DATABASE_URL (or run through scripts/with-postgres.sh)")
    run = DatabaseRun(database, load_start=os.getloadavg()[0])
    run.settings = postgres_settings(url) if url else "SQLite"
    home = Path(tempfile.mkdtemp(prefix="polytask-bench-"))
    env = server_env(home, url)
    for item in args.server_env:
        name, _, value = item.partition("=")
        env[name] = value
    log(f"{database}: data in {home}; {run.settings}; {args.workers} worker(s)")
    log(f"wrk -t{args.threads} -c{args.connections}, {args.warmup}s warm-up + {args.duration}s per row")
    server: subprocess.Popen[bytes] | None = None
    logfile = home / "server.log"
    clean = True
    try:
        key, run.seed_s = seed(env, args)
        if url:
            settle_postgres(url)
        chosen_names = set(args.only) if args.only else set(SCENARIO_NAMES)
        server, base, logfile = start_server(env, args, home / "server.log")
        ids = find_ids(base, key)
        log(f"project {ids.projects[0]}, task {ids.tasks[0]}, user {ids.email}")
        if "tf-budget" in chosen_names:
            # First, while the database holds only the seed (the rows below add tasks).
            run.budget_p50_ms, run.budget_p99_ms = measure_budget(base, key)
        chosen = [sc for sc in scenarios(ids) if sc.name in chosen_names]
        floor_row = next((sc for sc in chosen if sc.name == "floor"), None)
        for scenario in chosen:
            run.results.append(measure(wrk, base, key, ids, scenario, args, server.pid, floor_row))
        if "usage" in chosen_names:
            run.usage_cpu_us, run.usage_cost, run.usage_ratios, run.usage_record_us = measure_usage(
                wrk, base, server.pid, key, ids, args, env, home
            )
            run.usage_paired = measure_usage_paired(home, key, ids, url, args)
        if "ip-transfer" in chosen_names:
            growth, up, down = measure_transfer(base, key, ids.uuid, server.pid)
            run.transfer_rss_mb, run.transfer_s = growth, (up, down)
        if args.bulk_rounds > 0 and "bulk" in chosen_names:
            # Into the second project, so the rows above keep reading the first as seeded.
            run.bulk_rate, run.bulk_median_ms, run.bulk_load = measure_bulk(base, key, ids.projects[1], args)
            run.bulk_tasks = args.bulk_tasks
        stop(server)
        server = None
        clean = print_table(run)
        if not clean:
            print_server_errors(logfile)
    finally:
        if server is not None:
            stop(server)
        if args.keep:
            log(f"kept {home}")
        else:
            shutil.rmtree(home, ignore_errors=True)
    return run, clean


def _without_database(argv: list[str]) -> list[str]:
    """`argv` less its `--database` option, given as `--database=X` or as `--database X`."""
    out: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--database":
            skip = True
        elif not arg.startswith("--database="):
            out.append(arg)
    return out


def run_postgres_child(args: argparse.Namespace, argv: list[str]) -> tuple[DatabaseRun | None, bool]:
    """This script again, inside a throwaway PostgreSQL cluster with default durability."""
    with tempfile.NamedTemporaryFile(prefix="polytask-bench-pg-", suffix=".json", delete=False) as handle:
        results_file = Path(handle.name)
    env = {k: v for k, v in os.environ.items() if k != "POLYTASK_TEST_POSTGRES_URL"}
    env["POLYTASK_PG_DURABLE"] = "1"
    child_args = _without_database(argv)
    command = [
        str(ROOT / "scripts" / "with-postgres.sh"),
        sys.executable,
        str(Path(__file__).resolve()),
        "--database",
        "postgres",
        "--results",
        str(results_file),
        *child_args,
    ]
    try:
        done = subprocess.run(command, env=env, check=False, timeout=1800)
        if not results_file.stat().st_size:
            return None, False
        data = json.loads(results_file.read_text())
    finally:
        results_file.unlink(missing_ok=True)
    run = DatabaseRun(**{k: v for k, v in data["run"].items() if k != "results"})
    run.results = [Result(**r) for r in data["run"]["results"]]
    return run, done.returncode == 0 and data["clean"]


def main() -> int:
    argv = sys.argv[1:]
    args = parse_args(argv)
    wrk = ensure_wrk()
    log("machine: " + "; ".join(f"{k} {v}" for k, v in machine_info().items()))
    if os.getloadavg()[0] > 0.5:
        log("warning: the machine is busy (load average above 0.5); figures will be lower and noisier")
    started = time.monotonic()
    runs: list[DatabaseRun] = []
    clean = True
    for database in DATABASES if args.database == "both" else (args.database,):
        if database == "postgres" and args.results is None and not os.environ.get("POLYTASK_BENCH_DATABASE_URL"):
            child, ok = run_postgres_child(args, argv)
            clean &= ok
            if child is not None:
                runs.append(child)
            continue
        run, ok = run_database(database, wrk, args)
        runs.append(run)
        clean &= ok
    if args.results is not None:
        # A child run: hand the results to the parent, which prints the summary.
        [run] = runs
        Path(args.results).write_text(json.dumps({"run": asdict(run), "clean": clean}))
        return 0 if clean else 1
    reached_all = print_summary(runs)
    log(f"done in {time.monotonic() - started:.0f}s; load average now {os.getloadavg()[0]:.2f}")
    return 0 if clean and (reached_all or not args.strict) else 1


def start_server(
    env: dict[str, str], args: argparse.Namespace, logfile: Path
) -> tuple[subprocess.Popen[bytes], str, Path]:
    port = free_port()
    base = f"http://{HOST}:{port}"
    with logfile.open("wb") as out:
        server = subprocess.Popen(
            [str(BIN / "polytask"), "serve", "--host", HOST, "--port", str(port), "--workers", str(args.workers)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_healthy(base, server, logfile)
    except BaseException:
        stop(server)
        raise
    return server, base, logfile


if __name__ == "__main__":
    sys.exit(main())
