"""`make bench`: seed a throwaway database, serve it on loopback and measure it with wrk.

Steps: install wrk from Debian if it is missing; create a temporary POLYTASK_HOME (SQLite, or the
database named by POLYTASK_BENCH_DATABASE_URL); migrate and seed it with `polytask dev seed`; start
`polytask serve` on a free port of 127.0.0.1; run each scenario (a short warm-up, then the measured
run); print a table with req/s, p50, p99 and the ratio to the floor endpoint, and the targets.
Everything is bounded in time and cleaned up on the way out. See docs/performance.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
BIN = ROOT / ".venv" / "bin"
HOST = "127.0.0.1"
SEED_BUDGET_S = 60.0
# Each target: scenario name -> minimum share of the floor's req/s.
TARGETS = {"list-50": 0.25, "show": 0.50}


@dataclass(frozen=True)
class Scenario:
    name: str
    what: str
    path: str
    script: str  # Lua script under bench/
    auth: bool = True
    # Settings of the server this scenario runs against, when not the main one's.
    server: tuple[tuple[str, str], ...] = ()

    @property
    def method(self) -> str:
        return "POST" if self.script == "create_task.lua" else "GET"


@dataclass
class Result:
    scenario: Scenario
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    duration_s: float
    non_2xx: int
    socket_errors: int


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, default=env_int("POLYTASK_BENCH_PROJECTS", 100))
    parser.add_argument("--tasks", type=int, default=env_int("POLYTASK_BENCH_TASKS", 100_000))
    parser.add_argument("--users", type=int, default=env_int("POLYTASK_BENCH_USERS", 20))
    parser.add_argument("--workers", type=int, default=env_int("POLYTASK_BENCH_WORKERS", 1), help="server processes")
    parser.add_argument("--threads", type=int, default=env_int("POLYTASK_BENCH_THREADS", 2), help="wrk threads")
    parser.add_argument(
        "--connections", type=int, default=env_int("POLYTASK_BENCH_CONNECTIONS", 32), help="wrk connections"
    )
    parser.add_argument(
        "--duration", type=int, default=env_int("POLYTASK_BENCH_DURATION", 10), help="seconds per measured run"
    )
    parser.add_argument(
        "--warmup", type=int, default=env_int("POLYTASK_BENCH_WARMUP", 2), help="seconds of warm-up per scenario"
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        choices=["floor", "show", "list-50", "create", "list-50-nc"],
        help="run only this scenario (repeatable)",
    )
    parser.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a POLYTASK_ setting for the server, e.g. POLYTASK_READ_LANE=false (repeatable)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed, not only on errors")
    args = parser.parse_args()
    if args.projects < 1 or args.tasks < 1 or args.users < 1:
        parser.error("--projects, --tasks and --users must be at least 1")
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


def server_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLYTASK_") or k.startswith("POLYTASK_BENCH_")}
    env["POLYTASK_HOME"] = str(home)
    env["POLYTASK_LOG_LEVEL"] = "warning"
    # The limiter still counts every request, but never refuses: wrk measures the server.
    env["POLYTASK_RATE_LIMIT_PER_MINUTE"] = "1000000000"
    env["POLYTASK_RATE_LIMIT_CONCURRENCY"] = "0"
    if os.environ.get("POLYTASK_BENCH_DATABASE_URL"):
        env["POLYTASK_DATABASE_URL"] = os.environ["POLYTASK_BENCH_DATABASE_URL"]
    return env


def seed(env: dict[str, str], args: argparse.Namespace) -> tuple[str, float]:
    subprocess.run([str(BIN / "polytask"), "migrate"], check=True, env=env, timeout=120, stdout=subprocess.DEVNULL)
    command = [
        str(BIN / "polytask"),
        "dev",
        "seed",
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
    return lines[-1].strip(), elapsed


def request(url: str, key: str | None, *, method: str = "GET", body: bytes | None = None) -> tuple[int, Any]:
    headers = {"Accept": "application/json"}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    if body is not None:
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


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


def find_ids(base: str, key: str) -> tuple[str, str]:
    status, projects = request(f"{base}/v1/projects?limit=1", key)
    if status != 200 or not projects["data"]:
        sys.exit(f"GET /v1/projects?limit=1 answered {status}: {projects}")
    project_id = projects["data"][0]["id"]
    status, tasks = request(f"{base}/v1/projects/{project_id}/tasks?limit=1", key)
    if status != 200 or not tasks["data"]:
        sys.exit(f"GET /v1/projects/{project_id}/tasks?limit=1 answered {status}: {tasks}")
    return project_id, tasks["data"][0]["id"]


def scenarios(project_id: str, task_id: str) -> list[Scenario]:
    return [
        Scenario("floor", "GET /healthz", "/healthz", "report.lua", auth=False),
        Scenario("show", "GET one task", f"/v1/tasks/{task_id}", "report.lua"),
        Scenario(
            "list-50", "50 tasks by due date", f"/v1/projects/{project_id}/tasks?limit=50&sort=due_date", "report.lua"
        ),
        Scenario("create", "POST a task", f"/v1/projects/{project_id}/tasks", "create_task.lua"),
        # The same page with the read lane's page cache off: what a page costs when its
        # workspace changes between reads (informational; no target).
        Scenario(
            "list-50-nc",
            "list-50, no page cache",
            f"/v1/projects/{project_id}/tasks?limit=50&sort=due_date",
            "report.lua",
            server=(("POLYTASK_READ_LANE_CACHE_PAGES", "0"),),
        ),
    ]


def sanity_check(base: str, key: str, scenario: Scenario) -> None:
    """One request by hand first, so a broken route fails loudly instead of being measured."""
    if scenario.method == "POST":
        status, body = request(
            f"{base}{scenario.path}", key, method="POST", body=b'{"name": "Bench task", "due_date": "2030-01-15"}'
        )
    else:
        status, body = request(f"{base}{scenario.path}", key if scenario.auth else None)
    if not 200 <= status < 300:
        sys.exit(f"{scenario.name}: {scenario.path} answered {status}: {body}")


def run_wrk(
    wrk: str, base: str, key: str, scenario: Scenario, args: argparse.Namespace, seconds: int
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
    if scenario.auth:
        command += ["--header", f"Authorization: Bearer {key}"]
    command.append(f"{base}{scenario.path}")
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False)
    if done.returncode != 0:
        sys.exit(f"wrk failed ({done.returncode}) on {scenario.name}:\n{done.stdout}\n{done.stderr}")
    for line in done.stdout.splitlines():
        if line.startswith("BENCH_RESULT "):
            return dict(json.loads(line.removeprefix("BENCH_RESULT ")))
    sys.exit(f"wrk printed no BENCH_RESULT line on {scenario.name}:\n{done.stdout}\n{done.stderr}")


def measure(wrk: str, base: str, key: str, scenario: Scenario, args: argparse.Namespace) -> Result:
    sanity_check(base, key, scenario)
    if args.warmup > 0:
        run_wrk(wrk, base, key, scenario, args, args.warmup)
        time.sleep(1)  # let the warm-up's last requests finish before measuring
    raw = run_wrk(wrk, base, key, scenario, args, args.duration)
    result = Result(
        scenario=scenario,
        rps=raw["requests"] / (raw["duration_us"] / 1e6),
        p50_ms=raw["p50_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        requests=raw["requests"],
        duration_s=raw["duration_us"] / 1e6,
        non_2xx=raw["non_2xx"],
        socket_errors=raw["connect_errors"] + raw["read_errors"] + raw["write_errors"] + raw["timeouts"],
    )
    log(
        f"{scenario.name:8} {result.requests} requests, {result.rps:.0f} req/s, "
        f"p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms"
    )
    return result


def print_table(results: list[Result]) -> tuple[bool, bool]:
    """Print the table and the targets; returns (no errors, every target reached)."""
    floor = next((r.rps for r in results if r.scenario.name == "floor"), None)
    print()
    header = (
        f"{'scenario':10} {'what':22} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'vs floor':>9} "
        f"{'non-2xx':>8} {'sock err':>9}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        ratio = f"{r.rps / floor:.1%}" if floor else "-"
        print(
            f"{r.scenario.name:10} {r.scenario.what:22} {r.rps:8.0f} {r.p50_ms:8.1f} {r.p99_ms:8.1f} {ratio:>9} "
            f"{r.non_2xx:8d} {r.socket_errors:9d}"
        )
    print()
    for r in results:
        print(f"  {r.scenario.name:10} {r.scenario.method} {r.scenario.path}")
    print()
    reached_all = True
    by_name = {r.scenario.name: r for r in results}
    for name, share in TARGETS.items():
        result = by_name.get(name)
        if result is None or not floor:
            continue
        reached = result.rps / floor
        verdict = "PASS" if reached >= share else "MISS"
        reached_all &= reached >= share
        print(f"target: {name} >= {share:.0%} of floor req/s: {reached:.1%} {verdict}")
    clean = True
    for r in results:
        if r.requests == 0:
            clean = False
            print(f"ERRORS: {r.scenario.name} completed no request at all in {r.duration_s:.0f}s (server stalled)")
        elif r.non_2xx or r.socket_errors:
            clean = False
            print(
                f"ERRORS: {r.scenario.name} had {r.non_2xx} non-2xx responses and {r.socket_errors} "
                "socket errors/timeouts (server log below)"
            )
    return clean, reached_all


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


def main() -> int:
    args = parse_args()
    wrk = ensure_wrk()
    home = Path(tempfile.mkdtemp(prefix="polytask-bench-"))
    env = server_env(home)
    where = "PostgreSQL (POLYTASK_BENCH_DATABASE_URL)" if "POLYTASK_DATABASE_URL" in env else "SQLite"
    log("machine: " + "; ".join(f"{k} {v}" for k, v in machine_info().items()))
    if os.getloadavg()[0] > 0.5:
        log("warning: the machine is busy (load average above 0.5); figures will be lower and noisier")
    log(f"data in {home} on {where}; {args.workers} worker(s); wrk -t{args.threads} -c{args.connections}")
    for item in args.server_env:
        name, _, value = item.partition("=")
        env[name] = value
    server: subprocess.Popen[bytes] | None = None
    try:
        key, _ = seed(env, args)
        server, base, logfile = start_server(env, args, home / "server.log")
        project_id, task_id = find_ids(base, key)
        log(f"serving on {base}; project {project_id}, task {task_id}")
        chosen = [s for s in scenarios(project_id, task_id) if not args.only or s.name in args.only]
        results = [measure(wrk, base, key, s, args) for s in chosen if not s.server]
        for scenario in (s for s in chosen if s.server):
            # A server of its own with these settings, over the same data.
            stop(server)
            server = None
            settings = ", ".join(f"{k}={v}" for k, v in scenario.server)
            server, base, logfile = start_server({**env, **dict(scenario.server)}, args, home / f"{scenario.name}.log")
            log(f"{scenario.name}: restarted the server with {settings}")
            results.append(measure(wrk, base, key, scenario, args))
        clean, reached_all = print_table(results)
        if not clean:
            print_server_errors(logfile)
    finally:
        if server is not None:
            stop(server)
        if args.keep:
            log(f"kept {home}")
        else:
            shutil.rmtree(home, ignore_errors=True)
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
