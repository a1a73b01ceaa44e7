"""The cap on requests in flight per bucket: per process in memory, or shared through Redis.

With Redis each bucket is a sorted set of the requests holding a slot, scored by the time
they took it. Taking a slot is one Lua script (drop stale entries, count, add), so two
processes can never both take the last slot. A process that dies mid-request leaves its
entries behind; they stop counting after STALE_SECONDS, which therefore also bounds how
long one request (a long-lived event stream, say) holds its slot.
"""

from __future__ import annotations

import secrets
import time
from collections import Counter
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import coredis

STALE_SECONDS = 300
_KEY = "polytask:inflight:{}"

_ACQUIRE = """
redis.call('zremrangebyscore', KEYS[1], '-inf', ARGV[2])
if redis.call('zcard', KEYS[1]) >= tonumber(ARGV[3]) then
  return 0
end
redis.call('zadd', KEYS[1], ARGV[1], ARGV[4])
redis.call('expire', KEYS[1], ARGV[5])
return 1
"""


class InFlight(Protocol):
    async def acquire(self, bucket: str, cap: int) -> str | None:
        """A slot token, or None when `cap` requests of `bucket` are already in flight."""

    async def release(self, bucket: str, token: str) -> None: ...


class LocalInFlight:
    """Slots counted in this process only."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    async def acquire(self, bucket: str, cap: int) -> str | None:
        if self.counts[bucket] >= cap:
            return None
        self.counts[bucket] += 1
        return "local"

    async def release(self, bucket: str, token: str) -> None:
        self.counts[bucket] -= 1
        if self.counts[bucket] <= 0:
            del self.counts[bucket]


class RedisInFlight:
    """Slots shared by every process using the same Redis."""

    def __init__(self, url: str) -> None:
        # Imported here: the client's modules (about 12 MB) are loaded only by a server that uses Redis.
        import coredis

        self.client: coredis.Redis[str] = coredis.Redis.from_url(url, decode_responses=True)
        self.script = self.client.register_script(_ACQUIRE)

    async def acquire(self, bucket: str, cap: int) -> str | None:
        now = time.time()
        token = secrets.token_hex(8)
        taken = await self.script(
            keys=[_KEY.format(bucket)],
            args=[str(now), str(now - STALE_SECONDS), str(cap), token, str(STALE_SECONDS + 60)],
        )
        return token if taken == 1 else None

    async def release(self, bucket: str, token: str) -> None:
        await self.client.zrem(_KEY.format(bucket), [token])


def inflight_for(redis_url: str | None) -> InFlight:
    return RedisInFlight(redis_url) if redis_url else LocalInFlight()
