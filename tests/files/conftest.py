"""The file stores under test: a local directory per test, and an S3-compatible server
(moto's server mode) on 127.0.0.1 on a free port, started for the session in a process of
its own (so memory measured in the test process is ours alone) and stopped by it."""

from __future__ import annotations

import itertools
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from polytask.core.files import LocalStore
from polytask.core.files.s3 import S3Store

_buckets = itertools.count(1)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:  # a generous deadline for start-up, not a timing assumption
            try:
                httpx.get(f"{url}/moto-api/", timeout=2)
                break
            except httpx.TransportError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("moto's S3 server did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture
def local_store(tmp_path: Path) -> LocalStore:
    return LocalStore(tmp_path / "files")


@pytest.fixture
def s3_store(s3_endpoint: str, tmp_path: Path) -> S3Store:
    store = S3Store(
        bucket=f"polytask-test-{next(_buckets)}",
        prefix="pt/",
        endpoint_url=s3_endpoint,
        region="us-east-1",
        access_key_id="testing",
        secret_access_key="testing",
        spool_dir=tmp_path / "spool",
    )
    store.ensure_bucket()
    return store


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest) -> LocalStore | S3Store:
    fixture: LocalStore | S3Store = request.getfixturevalue(f"{request.param}_store")
    return fixture
