"""Fixtures for the JavaScript client (clients/js): node from scripts/ensure-client-tools.sh,
the package installed with npm from the repository (`@taskade/sdk@file:clients/js`, no
registry needed) into a temporary project, and a runner for scripts that import it.

`node_sdk` is parametrized: every test that runs the client runs it on the system's node
(Debian's, 20 here) and on Node.js 18 (the oldest the package supports, `engines`; from the
npm registry, cached, tests/api/taskflow/clienttools.py). The tests that only need the
installed package (the typings under tsc, the packed files) take `node_project`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.api.taskflow.clienttools import ENSURE, node18, npm_package

# The webhook tests' receiver and dispatcher, for the verifier's tests.
from tests.webhooks.conftest import dispatcher, receiver, start_dispatcher  # noqa: F401

# The examples register webhooks; their receiver is on loopback. Set before the session's settings.
os.environ.setdefault("POLYTASK_WEBHOOK_ALLOW_PRIVATE", "true")

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "clients" / "js"
TYPESCRIPT_VERSION = "5.9.3"


@dataclass(frozen=True)
class Node:
    """A directory where `import { TaskadeAPI } from '@taskade/sdk'` resolves to clients/js."""

    node: str
    project: Path

    def run(
        self, script: str, *, env: dict[str, str] | None = None, timeout: float = 120, name: str = "script.mjs"
    ) -> subprocess.CompletedProcess[str]:
        path = self.project / name
        path.write_text(script)
        return subprocess.run(
            [self.node, str(path)],
            cwd=self.project,
            env={**os.environ, **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def result(self, script: str, **kwargs: Any) -> Any:
        """Runs `script` and returns the JSON it printed on its last line (the script must succeed)."""
        done = self.run(script, **kwargs)
        assert done.returncode == 0, f"node exited {done.returncode}\n{done.stdout}\n{done.stderr}"
        lines = done.stdout.strip().splitlines()
        assert lines, f"the script printed nothing\n{done.stderr}"
        return json.loads(lines[-1])


@pytest.fixture(scope="session")
def node_project(tmp_path_factory: pytest.TempPathFactory) -> Node:
    """node and npm (installed from Debian by ensure-client-tools.sh when missing; the test fails,
    never skips, when they cannot be), and the package installed under its documented name."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        done = subprocess.run(["bash", str(ENSURE), "node"], capture_output=True, text=True, timeout=900, check=False)
        if done.returncode != 0:
            pytest.fail(f"node/npm could not be installed:\n{done.stderr}")
    node, npm = shutil.which("node"), shutil.which("npm")
    assert node is not None
    assert npm is not None
    project = tmp_path_factory.mktemp("sdkjs")
    (project / "package.json").write_text(json.dumps({"name": "sdk-examples", "private": True, "type": "module"}))
    done = subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--offline", f"@taskade/sdk@file:{PACKAGE}"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"npm install failed:\n{done.stdout}\n{done.stderr}"
    assert (project / "node_modules" / "@taskade" / "sdk" / "package.json").exists()
    return Node(node=node, project=project)


@pytest.fixture(scope="session", params=["system", "node18"])
def node_sdk(request: pytest.FixtureRequest, node_project: Node) -> Node:
    """The installed package, run by the system's node or by Node.js 18."""
    if request.param == "system":
        return node_project
    return Node(node=str(node18()), project=node_project.project)


@pytest.fixture
def run_js(node_sdk: Node) -> Callable[..., Any]:
    return node_sdk.result


@pytest.fixture(scope="session")
def tsc(node_project: Node) -> Path:
    """The TypeScript compiler from the npm registry, installed once into the client tools' cache
    (tests/api/taskflow/clienttools.py); fails, never skips, without it."""
    return npm_package("typescript", TYPESCRIPT_VERSION, Path("node_modules") / ".bin" / "tsc")
