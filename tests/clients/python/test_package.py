"""The Python client's package: MIT (the server is AGPL-3.0-or-later), its LICENSE installed."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_the_installed_package_is_mit_and_carries_its_licence() -> None:
    dist = importlib.metadata.distribution("polytask-client")
    assert dist.metadata["License-Expression"] == "MIT"
    assert dist.metadata.get_all("License-File") == ["LICENSE"]
    installed = [f for f in dist.files or [] if f.name == "LICENSE"]
    assert len(installed) == 1
    text = (ROOT / "clients" / "python" / "LICENSE").read_text()
    assert installed[0].read_text() == text
    assert text.startswith("MIT License\n")
    assert "The Polytask authors" in text
