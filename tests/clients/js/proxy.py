"""A scriptable HTTP proxy on 127.0.0.1 in front of the live test server.

One request per connection: it reads the request, takes the next behaviour from the script
for that method and path (then forwards), and records what it saw. Behaviours: answer by
itself (a 429, a 503), drop the connection before forwarding, forward and drop the
connection instead of relaying the answer (the server did the work; the client never hears),
or relay the answer, optionally cutting a Server-Sent Events stream after some events.
"""

from __future__ import annotations

import contextlib
import select
import socket
import socketserver
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


@dataclass(frozen=True)
class Drop:
    """Close the connection without forwarding."""


@dataclass(frozen=True)
class DropAfter:
    """Forward, read the server's whole answer, and close without relaying it."""


@dataclass(frozen=True)
class Relay:
    """Forward and relay the answer; with `events`, cut the connection after that many SSE events."""

    events: int | None = None


Behaviour = Answer | Drop | DropAfter | Relay


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    behaviour: str
    at: float
    upstream_status: int | None = None
    upstream_headers: dict[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


class Proxy:
    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.scripts: dict[tuple[str, str], list[Behaviour]] = {}
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        proxy = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                proxy._handle(self.request)

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> Proxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def script(self, method: str, path: str, *behaviours: Behaviour) -> None:
        """The next requests for `method path` (path without the query) get these, in order."""
        self.scripts.setdefault((method, path), []).extend(behaviours)

    def requests(self, method: str, path: str) -> list[Seen]:
        return [s for s in self.seen if s.method == method and s.path == path]

    def _next(self, method: str, path: str) -> Behaviour:
        with self._lock:
            queue = self.scripts.get((method, path))
            return queue.pop(0) if queue else Relay()

    def _handle(self, conn: socket.socket) -> None:
        head, body = _read_request(conn)
        if head is None:
            return
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                headers[k.strip().lower()] = v.strip()
        path = target.split("?", 1)[0]
        behaviour = self._next(method, path)
        seen = Seen(method, path, headers, body, type(behaviour).__name__, time.monotonic())
        with self._lock:
            self.seen.append(seen)
        try:
            if isinstance(behaviour, Answer):
                conn.sendall(_response(behaviour))
            elif isinstance(behaviour, Drop):
                pass
            else:
                self._forward(conn, lines, body, seen, behaviour)
        except OSError:
            pass
        finally:
            _abort(conn)

    def _forward(self, conn: socket.socket, lines: list[str], body: bytes, seen: Seen, behaviour: Behaviour) -> None:
        kept = [line for line in lines[1:] if line and not line.lower().startswith("connection:")]
        request = "\r\n".join([lines[0], *kept, "Connection: close", "", ""]).encode("latin-1") + body
        with socket.create_connection(self.upstream, timeout=30) as up:
            up.sendall(request)
            received = b""
            head_done = False
            while True:
                ready, _, _ = select.select([up, conn], [], [], 30)
                if conn in ready and not conn.recv(65536):
                    return  # the client hung up (left a stream): let the server see it too
                if up not in ready:
                    continue
                chunk = up.recv(65536)
                if not chunk:
                    break
                received += chunk
                if not head_done and b"\r\n\r\n" in received:
                    head_done = True
                    _note_response(seen, received.split(b"\r\n\r\n", 1)[0])
                if isinstance(behaviour, Relay):
                    cut = _after_events(received, behaviour.events)
                    if cut is None:
                        conn.sendall(chunk)
                        continue
                    conn.sendall(received[len(received) - len(chunk) : cut])
                    return  # cut: both connections close
            if not head_done and received:
                _note_response(seen, received)


def _read_request(conn: socket.socket) -> tuple[bytes | None, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None, b""
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(rest) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        rest += chunk
    return head, rest


def _after_events(received: bytes, events: int | None) -> int | None:
    """Where the `events`-th SSE event ends in the raw (chunked) response, once it has arrived.
    Each event is one HTTP chunk, ending with a blank line and the chunk's CRLF."""
    if events is None:
        return None
    at = 0
    for _ in range(events):
        at = received.find(b"\ndata: ", at)
        if at == -1:
            return None
        at += 1
    end = received.find(b"\n\n\r\n", at)
    return None if end == -1 else end + 4


def _note_response(seen: Seen, head: bytes) -> None:
    lines = head.decode("latin-1").split("\r\n")
    seen.upstream_status = int(lines[0].split(" ")[1])
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            seen.upstream_headers[k.strip().lower()] = v.strip()


def _response(answer: Answer) -> bytes:
    headers: dict[str, Any] = {"Content-Length": str(len(answer.body)), "Connection": "close", **answer.headers}
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return f"HTTP/1.1 {answer.status} Scripted\r\n{head}\r\n".encode("latin-1") + answer.body


def _abort(conn: socket.socket) -> None:
    with contextlib.suppress(OSError):
        conn.shutdown(socket.SHUT_RDWR)
    conn.close()
