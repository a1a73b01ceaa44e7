"""The in-process rate-limit counters (api/ratelimit.py LocalWindows), on a clock moved by hand:
a window counts from its first request, ends `expiry` seconds later, and expired windows
are swept without a background task."""

from __future__ import annotations

import asyncio

from limits import RateLimitItemPerMinute, RateLimitItemPerSecond

from polytask.api.ratelimit import LocalWindows


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_a_window_counts_until_its_end_then_starts_again() -> None:
    clock = Clock()
    windows = LocalWindows(clock)
    per_minute = RateLimitItemPerMinute(3)

    async def run() -> None:
        seen = [await windows.hit(per_minute, "default", "cred:a") for _ in range(4)]
        assert [allowed for allowed, _, _ in seen] == [True, True, True, False]
        assert [remaining for _, remaining, _ in seen] == [2, 1, 0, 0]
        assert {reset for _, _, reset in seen} == {clock.now + 60}
        # Another bucket, another plan and another window size count apart.
        assert await windows.hit(per_minute, "default", "cred:b") == (True, 2, clock.now + 60)
        assert await windows.hit(per_minute, "other", "cred:a") == (True, 2, clock.now + 60)
        assert await windows.hit(RateLimitItemPerSecond(3), "default", "cred:a") == (True, 2, clock.now + 1)
        clock.now += 59.9
        assert (await windows.hit(per_minute, "default", "cred:a"))[0] is False
        clock.now += 0.1  # the window's end: a new one starts
        assert await windows.hit(per_minute, "default", "cred:a") == (True, 2, clock.now + 60)

    asyncio.run(run())


def test_counters_and_sweeping() -> None:
    clock = Clock()
    windows = LocalWindows(clock)

    async def run() -> None:
        assert [await windows.incr("quota/x", 30) for _ in range(3)] == [1, 2, 3]
        await windows.hit(RateLimitItemPerSecond(5), "default", "ip:1")
        assert len(windows) == 2
        clock.now += LocalWindows.SWEEP_EVERY
        # The next count sweeps: the second-long window and the 30-second counter have ended.
        await windows.hit(RateLimitItemPerSecond(5), "default", "ip:2")
        assert len(windows) == 1
        assert await windows.incr("quota/x", 30) == 1

    asyncio.run(run())
