"""A real HTTP receiver on 127.0.0.1 for webhook tests, scriptable per request.

Each request takes the next behaviour from the script (then `default`): answer with a
status and headers, hang for a while before answering, or reset the connection.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import orjson


@dataclass(frozen=True)
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b"ok"
    delay: float = 0.0
    reset: bool = False
    # Answer only once this is set (at most a minute): a receiver that is slow for exactly as
    # long as a test needs, whatever the machine's speed.
    hold: threading.Event | None = None


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float

    @property
    def json(self) -> Any:
        return orjson.loads(self.body)

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)


class Receiver:
    def __init__(self, port: int = 0, *, check: Callable[[Received], bool] | None = None) -> None:
        self.requests: list[Received] = []
        self.script: list[Reply] = []
        self.default = Reply()
        self.check = check  # a verifier: False answers 401, as a real receiver would
        self.rejected: list[Received] = []
        self.inflight = 0
        self.max_inflight = 0
        self.inflight_by_path: dict[str, int] = {}
        self.max_inflight_by_path: dict[str, int] = {}
        self._lock = threading.Lock()
        self._port = port
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/polytask"

    @property
    def port(self) -> int:
        if self._server is not None:
            return int(self._server.server_address[1])
        return self._port

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                got = Received(self.path, dict(self.headers.items()), body, time.monotonic())
                with receiver._lock:
                    receiver.requests.append(got)
                    reply = receiver.script.pop(0) if receiver.script else receiver.default
                    receiver.inflight += 1
                    receiver.max_inflight = max(receiver.max_inflight, receiver.inflight)
                    here = receiver.inflight_by_path[self.path] = receiver.inflight_by_path.get(self.path, 0) + 1
                    receiver.max_inflight_by_path[self.path] = max(
                        receiver.max_inflight_by_path.get(self.path, 0), here
                    )
                self._counted = True
                try:
                    self._reply(got, reply)
                finally:
                    self._answered()

            def _answered(self) -> None:
                # A request stops counting as in flight just before its answer goes out: once
                # the sender has read the answer it may start another request, which must
                # not overlap this one's last moments in the count.
                if getattr(self, "_counted", False):
                    self._counted = False
                    with receiver._lock:
                        receiver.inflight -= 1
                        receiver.inflight_by_path[self.path] -= 1

            def _reply(self, got: Received, reply: Reply) -> None:
                if reply.reset:
                    self._answered()
                    # SO_LINGER 0: close() sends a TCP RST instead of a FIN.
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.connection.close()
                    self.close_connection = True
                    return
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.hold is not None:
                    reply.hold.wait(60)
                status = reply.status
                if receiver.check is not None and 200 <= status < 300 and not receiver.check(got):
                    with receiver._lock:
                        receiver.rejected.append(got)
                    status = 401
                self._answered()
                self.send_response(status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                with contextlib.suppress(OSError):
                    self.wfile.write(reply.body)

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._server = Server(("127.0.0.1", self._port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def events(self, name: str | None = None) -> list[Received]:
        with self._lock:
            return [r for r in self.requests if name is None or r.json.get("event") == name]

    def in_event_order(self) -> list[Received]:
        """Deliveries sorted by the event they carry (message ids are msg_<event id>_<webhook id>).

        Deliveries travel in parallel, so on a busy machine they can arrive out of order;
        receivers reorder with `sequence` (per resource) or the event id."""
        with self._lock:
            return sorted(self.requests, key=lambda r: (int(r.json["id"].split("_")[1]), r.at))


def wait_for(predicate: Callable[[], bool], *, timeout: float = 10.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")
