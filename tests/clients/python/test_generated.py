"""The sync client is generated from the async one; the committed file must be current."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[3] / "clients" / "python" / "scripts" / "unasync.py"


def test_sync_client_is_generated_from_the_async_one() -> None:
    spec = importlib.util.spec_from_file_location("unasync", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    unasync = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(unasync)
    committed = unasync.TARGET.read_text()
    assert committed == unasync.generate(), "run: python clients/python/scripts/unasync.py"
    assert "async def" not in committed
    assert "await self" not in committed
