"""Event -> delivered latency of webhooks on loopback, at steady rates of task creations.

Usage: .venv/bin/python bench/webhook_latency.py [--rates 10,100,500] [--seconds 8] [--setups a,b,...]
           [--endpoints 1] [--wait 60] [--set POLYTASK_WEBHOOK_ENDPOINT_CONCURRENCY=16 ...]
       (`make bench-webhooks` runs it with a throwaway PostgreSQL and Redis)

Setups (default: every one whose servers are available):
  sqlite-embedded      `polytask serve` delivering from its own process (memory bus)
  sqlite-worker        server with POLYTASK_WEBHOOK_DISPATCHER=false + `polytask worker`, Redis bus
  sqlite-worker-poll   the same without a bus (the worker finds work by polling, every 1 s)
  postgres-embedded    as sqlite-embedded on PostgreSQL
  postgres-worker      server + `polytask worker`, PostgreSQL LISTEN/NOTIFY bus
  postgres-worker-redis  the same with the Redis bus
Redis comes from POLYTASK_BENCH_REDIS_URL or POLYTASK_TEST_REDIS_URL, PostgreSQL (a server on
which the bench creates and drops a database per setup) from POLYTASK_BENCH_POSTGRES_URL or
POLYTASK_TEST_POSTGRES_URL.

Each setup gets a fresh database, a receiver on 127.0.0.1 (in a process of its own) behind
`--endpoints` webhooks subscribed to `task.created` (each event is one delivery per endpoint),
and 4 client threads creating tasks at each rate for the given time through
POST /v1/projects/{id}/tasks/bulk: 20 requests a second, each with that 50 ms tick's share of
the rate (1 task a request at 10/s, 5 at 100/s, 25 at 500/s), so the offered rate does not
hang on one request's round trip. Latency is the receiver's clock when the request arrives
minus the payload's `timestamp`, the moment the event row was written inside the committing
transaction (same machine, same clock): an upper bound of commit -> delivered by the few
milliseconds the transaction still ran. Prints the event rate achieved next to the one asked,
deliveries, p50, p99 and max, and the load average at the start of the phase, then a Markdown
table. Bounded: nothing is sent after `--seconds`, and each phase waits at most `--wait`
seconds for stragglers.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO, Any

import httpx
import orjson
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
POLYTASK = ROOT / ".venv" / "bin" / "polytask"
CLIENT_THREADS = 4
REQUESTS_PER_SECOND = 20
SETUPS = (
    "sqlite-embedded",
    "sqlite-worker",
    "sqlite-worker-poll",
    "postgres-embedded",
    "postgres-worker",
    "postgres-worker-redis",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def _receive(port_out: Any, arrivals: Any) -> None:
    """The receiver's process: answers 204 and reports (message id, latency) to the bench."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            now = time.time()
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            payload = orjson.loads(body)
            sent = datetime.fromisoformat(payload["timestamp"].replace("Z", "+00:00")).timestamp()
            arrivals.put((payload["id"], now - sent))
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()

    class Server(ThreadingHTTPServer):
        daemon_threads = True

    server = Server(("127.0.0.1", 0), Handler)
    port_out.put(server.server_address[1])
    server.serve_forever()


class Arrivals:
    """A receiver in a process of its own (not sharing a GIL with the client threads)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, float] = {}
        self._queue: Any = multiprocessing.Queue()
        ports: Any = multiprocessing.Queue()
        self._process = multiprocessing.Process(target=_receive, args=(ports, self._queue), daemon=True)
        self._process.start()
        self.port: int = ports.get(timeout=30)
        threading.Thread(target=self._collect, daemon=True).start()

    def _collect(self) -> None:
        while True:
            message_id, latency = self._queue.get()
            with self.lock:
                self.latencies.setdefault(message_id, latency)

    def stop(self) -> None:
        self._process.terminate()
        self._process.join(timeout=10)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def drive(base: str, key: str, project: str, rate: int, seconds: float) -> tuple[int, float]:
    """Create tasks at `rate` per second for `seconds` through the bulk endpoint: up to
    REQUESTS_PER_SECOND requests a second, each carrying that tick's share of tasks, so the
    offered event rate does not depend on how many requests one client gets through. Nothing
    is sent after `seconds` (a server that falls behind gets fewer); returns (created, rate
    achieved over the phase)."""
    per_second = min(rate, REQUESTS_PER_SECOND)
    requests = int(per_second * seconds)
    counter = iter(range(requests))
    lock = threading.Lock()
    created = 0
    last_done = 0.0
    start = time.monotonic() + 0.2

    def size(k: int) -> int:
        return (k + 1) * rate // per_second - k * rate // per_second

    def work() -> None:
        nonlocal created, last_done
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=30) as c:
            while True:
                with lock:
                    k = next(counter, None)
                if k is None:
                    return
                delay = start + k / per_second - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                elif time.monotonic() > start + seconds:
                    return  # the server fell behind the schedule: stop on time, report the rate achieved
                tasks = [{"name": f"bench {rate} {k}.{i}"} for i in range(size(k))]
                r = c.post(f"/v1/projects/{project}/tasks/bulk", json={"tasks": tasks})
                with lock:
                    if r.status_code == 201:
                        created += len(tasks)
                    last_done = max(last_done, time.monotonic())

    threads = [threading.Thread(target=work) for _ in range(CLIENT_THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return created, created / max(last_done - start, seconds, 1e-9)


@dataclass
class Row:
    setup: str
    rate: int
    achieved: float
    delivered: int
    created: int
    p50: float
    p99: float
    worst: float
    load: float


def _drain(stream: IO[str] | None) -> None:
    """Keep reading a child's pipe so that it never blocks on a full one."""
    if stream is not None:
        threading.Thread(target=lambda: [None for _ in stream], daemon=True).start()


@contextmanager
def process(args: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[str]]:
    with log.open("w") as err:
        proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=err, text=True)
        try:
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@contextmanager
def postgres_database(admin_url: str) -> Iterator[str]:
    name = f"polytask_bench_{secrets.token_hex(4)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run_setup(setup: str, args: argparse.Namespace, arrivals: Arrivals, services: dict[str, str]) -> list[Row]:
    rows: list[Row] = []
    worker = "-worker" in setup
    with ExitStack() as stack:
        home = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="polytask-wh-bench-")))
        env = {k: v for k, v in os.environ.items() if not k.startswith("POLYTASK_")}
        env.update(
            POLYTASK_HOME=str(home),
            POLYTASK_LOG_LEVEL="warning",
            POLYTASK_RATE_LIMIT_PER_MINUTE="0",
            POLYTASK_RATE_LIMIT_CONCURRENCY="0",
            POLYTASK_WEBHOOK_ALLOW_PRIVATE="true",
            POLYTASK_EVENT_BUS_CHANNEL=f"polytask_bench_{secrets.token_hex(3)}",
        )
        env.update(dict(item.split("=", 1) for item in args.set))
        if setup.startswith("postgres"):
            env["POLYTASK_DATABASE_URL"] = stack.enter_context(postgres_database(services["postgres"]))
        if setup.endswith("-redis") or setup == "sqlite-worker":
            env["POLYTASK_REDIS_URL"] = services["redis"]
        if setup.endswith("-poll"):
            env["POLYTASK_EVENT_BUS"] = "memory"
        if worker or args.no_dispatcher:
            env["POLYTASK_WEBHOOK_DISPATCHER"] = "false"
        port = free_port()
        server = stack.enter_context(process([str(POLYTASK), "serve", "--port", str(port)], env, home / "server.log"))
        key = ""
        deadline = time.monotonic() + 60
        assert server.stdout is not None
        while not key and time.monotonic() < deadline:
            line = server.stdout.readline()
            if not line:
                sys.exit(f"the server exited: {(home / 'server.log').read_text()[-2000:]}")
            match = re.match(r"^API key: (\S+)$", line.strip())
            key = match.group(1) if match else ""
        _drain(server.stdout)
        base = f"http://127.0.0.1:{port}"
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        if worker and not args.no_dispatcher:
            proc = stack.enter_context(process([str(POLYTASK), "worker"], env, home / "worker.log"))
            assert proc.stdout is not None
            if not proc.stdout.readline().startswith("Delivering webhooks"):
                sys.exit(f"the worker did not start: {(home / 'worker.log').read_text()[-2000:]}")
            _drain(proc.stdout)
        auth = {"Authorization": f"Bearer {key}"}
        for n in range(args.endpoints):
            hook_url = f"http://127.0.0.1:{arrivals.port}/hook/{n}"
            r = httpx.post(f"{base}/v1/webhooks", json={"url": hook_url, "events": ["task.created"]}, headers=auth)
            r.raise_for_status()
        project = httpx.post(f"{base}/v1/projects", json={"name": "bench"}, headers=auth).json()["data"]["id"]
        time.sleep(1.0)  # let the bus listeners subscribe
        for rate in (int(r) for r in args.rates.split(",")):
            with arrivals.lock:
                arrivals.latencies.clear()
            load = os.getloadavg()[0]
            created, achieved = drive(base, key, project, rate, args.seconds)
            expected = created * args.endpoints
            wait_until = time.monotonic() + (0 if args.no_dispatcher else args.wait)
            while time.monotonic() < wait_until:
                with arrivals.lock:
                    if len(arrivals.latencies) >= expected:
                        break
                time.sleep(0.1)
            with arrivals.lock:
                ms = [v * 1000 for v in arrivals.latencies.values()] or [0.0]
                delivered = len(arrivals.latencies)
            row = Row(setup, rate, achieved, delivered, expected, percentile(ms, 50), percentile(ms, 99), max(ms), load)
            rows.append(row)
            print(
                f"{setup:<22} {rate:>6} {achieved:>10.0f} {delivered:>6}/{expected:<6} "
                f"{row.p50:>8.1f} {row.p99:>8.1f} {row.worst:>8.1f} {load:>5.1f}",
                flush=True,
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rates", default="10,100,500")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--endpoints", type=int, default=1, help="webhooks (receiving every event each)")
    parser.add_argument("--wait", type=float, default=60.0, help="at most this long for stragglers per phase")
    parser.add_argument("--setups", default="", help=f"comma-separated, from {', '.join(SETUPS)}")
    parser.add_argument(
        "--set", action="append", default=[], metavar="POLYTASK_X=V", help="a setting for the server and worker"
    )
    parser.add_argument("--no-dispatcher", action="store_true", help="queue only (measures the write path)")
    args = parser.parse_args()
    services = {
        "redis": os.environ.get("POLYTASK_BENCH_REDIS_URL") or os.environ.get("POLYTASK_TEST_REDIS_URL") or "",
        "postgres": os.environ.get("POLYTASK_BENCH_POSTGRES_URL") or os.environ.get("POLYTASK_TEST_POSTGRES_URL") or "",
    }

    def available(setup: str) -> bool:
        needs_redis = setup.endswith("-redis") or setup == "sqlite-worker"
        return (not needs_redis or bool(services["redis"])) and (
            not setup.startswith("postgres") or bool(services["postgres"])
        )

    wanted = [s for s in args.setups.split(",") if s] or list(SETUPS)
    for setup in wanted:
        if setup not in SETUPS:
            sys.exit(f"unknown setup {setup!r}; choose from {', '.join(SETUPS)}")
    skipped = [s for s in wanted if not available(s)]
    if skipped:
        print(f"skipped (no Redis or PostgreSQL configured): {', '.join(skipped)}", file=sys.stderr)
    arrivals = Arrivals()
    rows: list[Row] = []
    print(f"nproc {os.cpu_count()}, load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(
        f"{'setup':<22} {'rate/s':>6} {'achieved/s':>10} {'delivered':>13} "
        f"{'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'load':>5}"
    )
    try:
        for setup in wanted:
            if available(setup):
                rows += run_setup(setup, args, arrivals, services)
    finally:
        arrivals.stop()
    print(f"\nload average at the end {' '.join(f'{x:.1f}' for x in os.getloadavg())}\n")
    print("| setup | asked events/s | achieved events/s | delivered | p50 ms | p99 ms | max ms | load |")
    print("|---|---|---|---|---|---|---|---|")
    for row in rows:
        print(
            f"| {row.setup} | {row.rate} | {row.achieved:.0f} | {row.delivered}/{row.created} "
            f"| {row.p50:.0f} | {row.p99:.0f} | {row.worst:.0f} | {row.load:.1f} |"
        )


if __name__ == "__main__":
    main()
