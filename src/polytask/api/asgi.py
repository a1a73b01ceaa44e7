"""Small ASGI pieces the middleware and the batch endpoint share: a request's declared
length, read a request body whole, and keep a response instead of sending it (to look at it,
store it, then send it on or report it): api/conditional.py, api/idempotency.py,
api/inputguard.py, api/uploads.py, api/v1/batch.py."""

from __future__ import annotations

from starlette.types import Message, Receive, Scope, Send


def declared_length(scope: Scope) -> int | None:
    """The request's Content-Length; None without one or for one that is not a number."""
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def read_body(receive: Receive) -> tuple[bytes, Message]:
    """The whole request body, and the message that ended it (the last body part, or an
    `http.disconnect` that came first)."""
    parts: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(parts), message
        parts.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(parts), message


class CapturedResponse:
    """An ASGI `send` that keeps the response's start message and body."""

    def __init__(self) -> None:
        self.start: Message | None = None
        self._chunks: list[bytes] = []

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.start = message
        elif message["type"] == "http.response.body":
            self._chunks.append(message.get("body", b""))

    @property
    def status(self) -> int:
        """The response's status; 500 when the app sent nothing."""
        return int(self.start["status"]) if self.start else 500

    @property
    def body(self) -> bytes:
        return b"".join(self._chunks)

    def headers(self) -> list[tuple[str, str]]:
        """The response's headers as sent (names in their own case), decoded as latin-1."""
        return [
            (name.decode("latin-1"), value.decode("latin-1")) for name, value in (self.start or {}).get("headers", [])
        ]

    def header(self, name: bytes) -> str | None:
        """The first value of the header `name` (lower case)."""
        for key, value in (self.start or {}).get("headers", []):
            if key.lower() == name:
                return str(value.decode("latin-1"))
        return None

    async def replay(self, send: Send) -> None:
        """Send the kept response on, its body in one message."""
        assert self.start is not None
        await send(self.start)
        await send({"type": "http.response.body", "body": self.body, "more_body": False})
