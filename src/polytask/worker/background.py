"""What the webhook dispatcher and the mailer share: one task in the background of an event
loop, started and stopped by the app's lifespan (or `polytask worker`), woken from any thread
when there is work."""

from __future__ import annotations

import asyncio
import contextlib


class BackgroundLoop:
    """A subclass writes `run()`: it sets `self._loop` to the running loop first, waits on
    `self._wake` between passes, and returns once `self._stop` is set."""

    task_name = "polytask-background"

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        # Events bind to the loop that first waits on them: the one `run` runs in.
        self._wake = asyncio.Event()
        self._stop = asyncio.Event()
        self._runner: asyncio.Task[None] | None = None

    async def run(self) -> None:
        raise NotImplementedError

    async def start(self) -> None:
        """Run in the background of the current event loop."""
        self._runner = asyncio.create_task(self.run(), name=self.task_name)

    async def stop(self) -> None:
        self._stop.set()
        if self._runner is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._runner
            self._runner = None

    def wake(self) -> None:
        """Look for due work now; callable from any thread."""
        loop, event = self._loop, self._wake
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(event.set)
