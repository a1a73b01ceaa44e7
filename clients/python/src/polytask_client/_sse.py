"""A Server-Sent Events parser (the WHATWG rules the change stream needs), fed line by line."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SSEMessage:
    id: str | None
    event: str
    data: str


class SSEParser:
    """`feed(line)` returns a message when a blank line ends one. `last_id` and `retry_ms`
    keep the stream's state for a reconnection."""

    def __init__(self) -> None:
        self.last_id: str | None = None
        self.retry_ms: int | None = None
        self._event = ""
        self._data: list[str] = []
        self._id: str | None = None

    def feed(self, line: str) -> SSEMessage | None:
        line = line.rstrip("\r\n")
        if not line:
            return self._dispatch()
        if line.startswith(":"):
            return None  # a comment: the server's heartbeat
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id" and "\0" not in value:
            self._id = value
        elif name == "retry" and value.isdigit():
            self.retry_ms = int(value)
        return None

    def _dispatch(self) -> SSEMessage | None:
        if self._id is not None:
            self.last_id = self._id
        message = SSEMessage(self.last_id, self._event or "message", "\n".join(self._data)) if self._data else None
        self._event, self._data, self._id = "", [], None
        return message

    def reset(self) -> None:
        """Drop a half-read message (the connection broke in the middle of it)."""
        self._event, self._data, self._id = "", [], None
