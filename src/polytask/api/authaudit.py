"""Recording rejected credentials without letting a flood of them become a flood of writes.

A request whose credential is rejected (401 from authentication) is recorded as an
`auth.credential_rejected` event in a small transaction of its own, after the request's own
unit of work has rolled back. Three things bound the writes:

1. the rate limiter runs first: a rejected credential is counted in its client address's
   bucket (api/ratelimit.py), so a repeated bad credential is refused with 429 before it
   reaches authentication;
2. per process, at most PER_ADDRESS rejections per address per minute are recorded; the
   rest are counted and the address's next recorded event carries that count (`suppressed`);
3. per process, at most OVERALL rejections per minute are recorded, whatever the address.

Requests without any credential are not authentication events and are not recorded.
"""

from __future__ import annotations

import logging
import time
from collections import Counter

from sqlalchemy.orm import Session
from starlette.requests import Request

from polytask.api.kernel.surface import surface_of
from polytask.api.kernel.units import run_anonymous
from polytask.core.errors import AuthenticationFailed
from polytask.core.settings import Settings
from polytask.domain.api_keys.rejections import describe, fingerprint, record_credential_rejected

log = logging.getLogger("polytask.api")

PER_ADDRESS = 10
OVERALL = 120
WINDOW = 60.0


class RejectionSampler:
    """Per-process fixed-minute counters deciding which rejections get an audit row."""

    def __init__(self, *, per_address: int = PER_ADDRESS, overall: int = OVERALL) -> None:
        self.per_address, self.overall = per_address, overall
        self.window_start = 0.0
        self.recorded: Counter[str] = Counter()
        self.total = 0
        # Rejections not recorded, per address, until its next recorded one (kept across windows).
        self.suppressed: Counter[str] = Counter()

    def admit(self, address: str) -> int | None:
        """The count of suppressed rejections to report with this one, or None to suppress it."""
        now = time.monotonic()
        if now - self.window_start >= WINDOW:
            self.window_start, self.total = now, 0
            self.recorded.clear()
        if self.total >= self.overall or self.recorded[address] >= self.per_address:
            if address in self.suppressed or len(self.suppressed) < 10_000:
                self.suppressed[address] += 1
            return None
        self.total += 1
        self.recorded[address] += 1
        return self.suppressed.pop(address, 0)


def _sampler(request: Request) -> RejectionSampler:
    state = request.app.state
    sampler: RejectionSampler | None = getattr(state, "rejection_sampler", None)
    if sampler is None:
        sampler = RejectionSampler()
        state.rejection_sampler = sampler
    return sampler


def presented_credential(request: Request) -> tuple[str, str] | None:
    for header in ("authorization", "x-secret-key"):
        value = request.headers.get(header)
        if value:
            return header, value
    return None


async def audit_rejection(request: Request, error: AuthenticationFailed) -> None:
    """Record (or count) a rejected credential; never turns the 401 into another error."""
    presented = presented_credential(request)
    if presented is None:
        return
    address = request.client.host if request.client else "unknown"
    suppressed = _sampler(request).admit(address)
    if suppressed is None:
        return
    settings: Settings = request.app.state.settings
    header, value = presented
    found = surface_of(request.scope)
    surface = found.name if found else "native"
    described, printed = describe(header, value), fingerprint(settings, value)

    def write(session: Session) -> None:
        record_credential_rejected(
            session,
            surface=surface,
            reason=error.message,
            client_ip=address,
            presented=described,
            fingerprint=printed,
            suppressed=suppressed,
        )

    try:
        await run_anonymous(request, write)
    except Exception:  # the audit row is best effort; the client still gets its 401
        log.exception("could not record a rejected credential")
