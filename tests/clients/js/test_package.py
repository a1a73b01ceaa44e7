"""The JavaScript client's package: MIT (the server is AGPL-3.0-or-later), LICENSE packed and
installed with it."""

from __future__ import annotations

import json
import shutil
import subprocess

from tests.clients.js.conftest import PACKAGE, Node


def test_the_package_is_mit_and_packs_its_licence(node_project: Node) -> None:
    manifest = json.loads((PACKAGE / "package.json").read_text())
    assert manifest["license"] == "MIT"
    npm = shutil.which("npm")
    assert npm is not None
    done = subprocess.run(
        [npm, "pack", "--dry-run", "--json"], cwd=PACKAGE, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    [packed] = json.loads(done.stdout)
    assert "LICENSE" in {f["path"] for f in packed["files"]}
    text = (PACKAGE / "LICENSE").read_text()
    assert text.startswith("MIT License\n")
    assert "The Polytask authors" in text
    installed = node_project.project / "node_modules" / "@taskade" / "sdk" / "LICENSE"
    assert installed.read_text() == text
