"""Event -> delivered latency of webhooks on loopback, at a steady rate of task creations.

Usage: .venv/bin/python bench/webhook_latency.py [--rates 100,500] [--seconds 10]

Starts `polytask serve` (embedded dispatcher) on a throwaway SQLite home (or the database named
by POLYTASK_BENCH_DATABASE_URL), a receiver on 127.0.0.1, subscribes it to `task.created`, then
creates tasks at each rate for the given time. Latency is the receiver's clock at arrival minus
the payload's `timestamp` (when the change was recorded), on the same machine. Prints the rate
achieved, deliveries, p50, p99 and max. Bounded: each phase waits at most 60 s for stragglers.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import orjson

ROOT = Path(__file__).resolve().parent.parent
POLYTASK = ROOT / ".venv" / "bin" / "polytask"
CLIENT_THREADS = 16


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


class Arrivals:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, float] = {}

    def serve(self) -> ThreadingHTTPServer:
        arrivals = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                now = time.time()
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                payload = orjson.loads(body)
                sent = datetime.fromisoformat(payload["timestamp"].replace("Z", "+00:00")).timestamp()
                with arrivals.lock:
                    arrivals.latencies.setdefault(payload["id"], now - sent)
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

        class Server(ThreadingHTTPServer):
            daemon_threads = True

        server = Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def drive(base: str, key: str, project: str, rate: int, seconds: float) -> tuple[int, float]:
    """Create tasks at `rate` per second for `seconds`; returns (created, achieved rate)."""
    total = int(rate * seconds)
    counter = iter(range(total))
    lock = threading.Lock()
    created = 0
    start = time.monotonic() + 0.2

    def work() -> None:
        nonlocal created
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=30) as c:
            while True:
                with lock:
                    n = next(counter, None)
                if n is None:
                    return
                delay = start + n / rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                r = c.post(f"/v1/projects/{project}/tasks", json={"name": f"bench {rate} {n}"})
                if r.status_code == 201:
                    with lock:
                        created += 1

    threads = [threading.Thread(target=work) for _ in range(CLIENT_THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return created, created / max(time.monotonic() - start, 1e-9)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", default="100,500")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--no-dispatcher", action="store_true", help="queue only (measures the write path)")
    args = parser.parse_args()
    arrivals = Arrivals()
    receiver = arrivals.serve()
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="polytask-wh-bench-") as home:
        env = {k: v for k, v in os.environ.items() if not k.startswith("POLYTASK_")}
        env.update(
            POLYTASK_HOME=home,
            POLYTASK_LOG_LEVEL="warning",
            POLYTASK_RATE_LIMIT_PER_MINUTE="0",
            POLYTASK_RATE_LIMIT_CONCURRENCY="0",
            POLYTASK_WEBHOOK_ALLOW_PRIVATE="true",
        )
        if args.no_dispatcher:
            env["POLYTASK_WEBHOOK_DISPATCHER"] = "false"
        if os.environ.get("POLYTASK_BENCH_DATABASE_URL"):
            env["POLYTASK_DATABASE_URL"] = os.environ["POLYTASK_BENCH_DATABASE_URL"]
        server = subprocess.Popen(
            [str(POLYTASK), "serve", "--port", str(port)], env=env, stdout=subprocess.PIPE, text=True
        )
        try:
            key = ""
            deadline = time.monotonic() + 60
            assert server.stdout is not None
            while not key and time.monotonic() < deadline:
                line = server.stdout.readline()
                if not line:
                    sys.exit("the server exited (an existing database has no bootstrap key; use an empty one)")
                match = re.match(r"^API key: (\S+)$", line.strip())
                key = match.group(1) if match else ""
            base = f"http://127.0.0.1:{port}"
            while time.monotonic() < deadline:
                try:
                    if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            auth = {"Authorization": f"Bearer {key}"}
            hook_url = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
            r = httpx.post(f"{base}/v1/webhooks", json={"url": hook_url, "events": ["task.created"]}, headers=auth)
            r.raise_for_status()
            project = httpx.post(f"{base}/v1/projects", json={"name": "bench"}, headers=auth).json()["data"]["id"]
            print(f"{'rate/s':>7} {'achieved/s':>10} {'delivered':>10} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
            for rate in (int(r) for r in args.rates.split(",")):
                with arrivals.lock:
                    arrivals.latencies.clear()
                created, achieved = drive(base, key, project, rate, args.seconds)
                wait_until = time.monotonic() + (0 if args.no_dispatcher else 60)
                while time.monotonic() < wait_until:
                    with arrivals.lock:
                        if len(arrivals.latencies) >= created:
                            break
                    time.sleep(0.1)
                with arrivals.lock:
                    ms = [v * 1000 for v in arrivals.latencies.values()] or [0.0]
                print(
                    f"{rate:>7} {achieved:>10.0f} {len(ms):>5}/{created:<4} "
                    f"{percentile(ms, 50):>8.1f} {percentile(ms, 99):>8.1f} {max(ms):>8.1f}"
                )
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
            receiver.shutdown()


if __name__ == "__main__":
    main()
