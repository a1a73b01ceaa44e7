"""The README's quick start, run as written against a fresh `polytask serve` (what `make run`
starts): its shell blocks that call the API, with two substitutions only, the ones the README
names: `http://127.0.0.1:8000` becomes the test server's address and the `export KEY=...` line
sets the key that server printed."""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import httpx

from tests.cli.test_serve import KEY_LINE, STARTUP_SECONDS, polytask_serve, pytestmark

__all__ = ["pytestmark"]  # SQLite only, like test_serve: `make run` serves the embedded database

README = Path(__file__).resolve().parents[2] / "README.md"
README_BASE = "http://127.0.0.1:8000"
KEY_EXPORT = re.compile(r"^export KEY=\S+.*$", re.MULTILINE)


def quick_start_blocks() -> list[str]:
    """The ```sh blocks of the README's "Quick start" section that call the API."""
    text = README.read_text()
    section = text[text.index("## Quick start") :]
    section = section[: section.index("\n## ", 1)]
    blocks = re.findall(r"^```sh\n(.*?)^```", section, re.MULTILINE | re.DOTALL)
    return [block for block in blocks if "curl " in block]


def test_the_readme_quick_start_works_on_a_fresh_install(tmp_path: Path) -> None:
    blocks = quick_start_blocks()
    assert blocks, "the README's quick start has no curl block"
    assert all(len(KEY_EXPORT.findall(b)) == 1 for b in blocks[:1]), "the first block sets KEY"
    with polytask_serve(tmp_path / "home", tmp_path / "server.log") as server:
        deadline = time.monotonic() + STARTUP_SECONDS
        key = server.read_until(KEY_LINE, deadline).group(1)
        server.wait_ready(deadline)
        outputs = []
        for block in blocks:
            script = KEY_EXPORT.sub(f"export KEY={key}", block).replace(README_BASE, server.base_url)
            assert README_BASE not in script
            run = subprocess.run(["bash", "-euo", "pipefail", "-c", script], capture_output=True, text=True, timeout=60)
            assert run.returncode == 0, f"README block failed ({run.returncode}):\n{script}\n{run.stderr}"
            outputs.append(run.stdout)
        # What the README's comments promise, and the state the server is left in.
        assert '"id":"workspace_1"' in outputs[0].replace(" ", "")
        assert '"id":"project_1"' in outputs[0].replace(" ", "")
        # TaskIP finds the same project, and makes one /v1 sees.
        assert '"name":"Firstproject"' in outputs[1].replace(" ", "")
        assert '"priority":"high"' in outputs[1].replace(" ", "")
        made = httpx.get(f"{server.base_url}/v1/projects/project_2", headers={"Authorization": f"Bearer {key}"})
        assert made.json()["data"]["attributes"]["name"] == "Website relaunch"
        listing = httpx.get(
            f"{server.base_url}/v1/projects/project_1/tasks", headers={"Authorization": f"Bearer {key}"}
        ).json()
        assert [t["attributes"]["name"] for t in listing["data"]] == ["API Test Task"]
        assert listing["data"][0]["id"] == "task_1"
