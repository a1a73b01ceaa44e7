"""Idempotency-Key on large bodies: the key's fingerprint needs the whole body before the request
runs, so api/idempotency.py reads it first, outside the input guard. It spools what it reads
(memory up to SPOOL_IN_MEMORY, disk beyond) and holds it to the largest body any route takes.

The memory test runs a real `polytask serve` and reads its peak resident memory (VmHWM, kept
by the kernel) before and after: it bounds bytes, not seconds.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
from sqlalchemy import func, select

from polytask.api.idempotency import SPOOL_IN_MEMORY
from polytask.core.db import Database
from polytask.core.settings import Settings
from polytask.models import IdempotencyKey
from tests.api.test_rate_limits import _server, _server_env
from tests.factories.people import make_person
from tests.procmem import status_mb

UPLOAD_MB = 40
MAX_GROWTH_MB = 15


def _peak_mb(pid: int) -> float:
    """The process's and its children's peak resident memory so far (VmHWM), in MB."""
    return status_mb(pid, "VmHWM")


BOUNDARY = "polytask-test-boundary"


def _multipart(size: int, fmt: str = "nonsense", first: bytes = b"n") -> Iterator[bytes]:
    """A multipart import request (`format`, then a `file` of `size` bytes of CSV), sent in
    1 MB pieces as a chunked body (no Content-Length): what a streaming client sends."""
    yield (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="format"\r\n\r\n{fmt}\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="tasks.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()
    line = b"task,lorem ipsum dolor sit amet\n"
    piece = first + b"ame,description\n" + line * (1024 * 1024 // len(line))
    sent = 0
    while sent < size:
        part = piece[: min(len(piece), size - sent)]
        sent += len(part)
        yield part
        piece = line * (1024 * 1024 // len(line))
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


MULTIPART = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}


def _keys(db: Database) -> int:
    with db.unit_of_work(readonly=True) as session:
        return int(session.scalar(select(func.count(IdempotencyKey.id))) or 0)


def test_a_keyed_upload_is_spooled_not_held_in_memory(db: Database, settings: Settings, tmp_path: Path) -> None:
    alice = make_person(db)
    url = f"/v1/workspaces/{alice.workspace}/imports"
    with (
        _server(_server_env(settings, tmp_path)) as (base, proc),
        httpx.Client(base_url=base, headers=alice.headers, timeout=120) as c,
    ):
        # The same request small, to bring its code in: an unknown format is refused after
        # the file is read, so nothing is parsed and the body is all the request holds.
        small = c.post(url, content=_multipart(SPOOL_IN_MEMORY * 2), headers={**MULTIPART, "Idempotency-Key": "warm"})
        assert small.status_code == 422, small.text[:300]
        assert small.json()["error"]["details"]["field"] == "format"
        before = _peak_mb(proc.pid)
        size = UPLOAD_MB * 1024 * 1024
        big = c.post(url, content=_multipart(size), headers={**MULTIPART, "Idempotency-Key": "big"})
        assert big.status_code == 422, big.text[:300]
        assert big.json()["error"]["details"]["field"] == "format"
        after = _peak_mb(proc.pid)
        # The same key and the same 40 MB: the stored answer, the request not run again.
        again = c.post(url, content=_multipart(size), headers={**MULTIPART, "Idempotency-Key": "big"})
        assert again.headers.get("idempotent-replayed") == "true"
        assert again.json()["error"] == big.json()["error"]
        # The same key with one byte of the 40 MB changed: a different request.
        other = c.post(url, content=_multipart(size, first=b"N"), headers={**MULTIPART, "Idempotency-Key": "big"})
        assert other.status_code == 422
        assert other.json()["error"]["details"]["field"] == "Idempotency-Key"
    assert after - before < MAX_GROWTH_MB, (before, after)


def test_a_keyed_body_past_the_largest_limit_is_refused_before_it_is_claimed(
    db: Database, settings: Settings, tmp_path: Path
) -> None:
    alice = make_person(db)
    url = f"/v1/workspaces/{alice.workspace}/imports"
    # The largest body any route takes is then an upload's, 2 MB and its multipart framing.
    env = _server_env(settings, tmp_path, POLYTASK_MAX_UPLOAD_BYTES="2000000", POLYTASK_MAX_BODY_BYTES="1000000")
    with (
        _server(env) as (base, _),
        httpx.Client(base_url=base, headers=alice.headers, timeout=60) as c,
    ):
        keys = _keys(db)
        # Chunked, so only counting what arrives can find it too large.
        r = c.post(url, content=_multipart(8 * 1024 * 1024), headers={**MULTIPART, "Idempotency-Key": "huge"})
        assert r.status_code == 413, r.text[:300]
        error = r.json()["error"]
        assert error["code"] == "PAYLOAD_TOO_LARGE"
        assert error["details"]["field"] == "body"
        assert 2_000_000 < error["details"]["limit_bytes"] < 3 * 1024 * 1024
        assert r.headers["x-request-id"]
        # Declared: refused from the header.
        r = c.post(url, content=b"x" * (3 * 1024 * 1024), headers={**MULTIPART, "Idempotency-Key": "declared"})
        assert r.status_code == 413
        assert _keys(db) == keys  # nothing claimed: the key is free for a smaller retry
        # The refused key is free: a smaller request with it runs (and is refused for its own
        # reason, not as another request's key).
        ok = c.post(url, content=_multipart(1000), headers={**MULTIPART, "Idempotency-Key": "huge"})
        assert ok.status_code == 422, ok.text[:300]
        assert ok.json()["error"]["details"]["field"] == "format"
        assert _keys(db) == keys + 1
