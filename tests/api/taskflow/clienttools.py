"""The client programs the TaskFlow client tests drive: newman (from the npm registry) and
Chromium (Debian's package). scripts/ensure-client-tools.sh installs node/npm and chromium
through apt when they are missing, as scripts/with-redis.sh does for Redis; newman goes into
a cache directory outside the repository (POLYTASK_CLIENT_TOOLS_CACHE, default
~/.cache/polytask), one directory per pinned version, installed once.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
ENSURE = ROOT / "scripts" / "ensure-client-tools.sh"
NEWMAN_VERSION = "6.2.2"


def _cache() -> Path:
    configured = os.environ.get("POLYTASK_CLIENT_TOOLS_CACHE")
    return Path(configured) if configured else Path.home() / ".cache" / "polytask"


def _ensure(tool: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(ENSURE), tool], capture_output=True, text=True, timeout=900, check=False)


def newman() -> Path:
    """The newman executable, installed from the npm registry if this cache has none; fails
    the test (never skips it) when it cannot be installed."""
    prefix = _cache() / f"newman-{NEWMAN_VERSION}"
    binary = prefix / "node_modules" / ".bin" / "newman"
    if binary.exists():
        return binary
    done = _ensure("node")
    if done.returncode != 0:
        pytest.fail(f"node/npm could not be installed for newman:\n{done.stderr}")
    npm = shutil.which("npm")
    assert npm is not None, "ensure-client-tools.sh left no npm on PATH"
    prefix.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund", f"newman@{NEWMAN_VERSION}"],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if done.returncode != 0 or not binary.exists():
        pytest.fail(f"npm could not install newman@{NEWMAN_VERSION}:\n{done.stdout}\n{done.stderr}")
    return binary


def chromium() -> Path:
    """Debian's chromium, installed through apt if missing. Skips the test, saying why, only when
    the package cannot be installed (no apt, no network, no root)."""
    found = shutil.which("chromium")
    if found is None:
        done = _ensure("chromium")
        found = shutil.which("chromium")
        if found is None:
            pytest.skip(
                "Chromium is not installed and scripts/ensure-client-tools.sh could not install Debian's "
                f"chromium package (exit {done.returncode}): {done.stderr.strip()[-500:]}"
            )
    return Path(found)
