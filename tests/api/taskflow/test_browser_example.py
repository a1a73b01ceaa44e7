"""The document's JavaScript example (`fetch` with `credentials: 'include'` and relative URLs
`/api/auth/login`, `/api/projects`), run unchanged in a real headless Chromium on a page served
by the same server as the API (same origin, as the relative URLs require).

The page is the test's: the app under test wrapped by a route that answers one path with a page
holding the example as written (tests/api/taskflow/examples/fetch.js.txt) and everything else
with the app, on one uvicorn server. The server ships no examples page (docs/compat/taskflow.md,
"The document's examples"). The page sends what the example prints with `console.log` into the
DOM, which `chromium --headless --dump-dom` prints once the page has settled.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import httpx
from starlette.responses import HTMLResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from polytask.api.app import create_app
from polytask.core.db import Database
from polytask.core.settings import Settings
from tests.api.taskflow.clienttools import chromium
from tests.factories.people import make_person

EXAMPLE = Path(__file__).parent / "examples" / "fetch.js.txt"
PAGE_PATH = "/example/taskflow-fetch.html"

# Whatever the example prints goes into <pre id="console">, one line per call, objects as JSON.
PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>TaskFlow fetch example</title></head>
<body><pre id="console"></pre>
<script>
(function () {
  const out = document.getElementById('console');
  function show(value) {
    if (typeof value === 'string') return value;
    if (value instanceof Error) return String(value);
    return JSON.stringify(value);
  }
  function print(kind) {
    return function (...args) { out.textContent += kind + ' ' + args.map(show).join(' ') + '\\n'; };
  }
  console.log = print('log');
  console.error = print('error');
  window.addEventListener('unhandledrejection', function (e) { print('error')('unhandled', e.reason); });
})();
</script>
<script>
%s
</script>
</body></html>
"""


def with_example_page(app: ASGIApp, page: str) -> ASGIApp:
    """`app`, except that PAGE_PATH answers with `page`."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == PAGE_PATH:
            await HTMLResponse(page)(scope, receive, send)
            return
        await app(scope, receive, send)

    return wrapped


def _printed(dom: str) -> list[str]:
    found = re.search(r'<pre id="console">(.*?)</pre>', dom, re.S)
    assert found is not None, dom
    return html.unescape(found.group(1)).splitlines()


def test_the_fetch_example_in_headless_chromium(
    serve_app: Callable[[ASGIApp], AbstractContextManager[str]], settings: Settings, db: Database, tmp_path: Path
) -> None:
    browser = chromium()
    admin = make_person(db, email="admin@taskflow.com", password="admin123", role="admin", department="Management")
    page = PAGE % EXAMPLE.read_text()
    with serve_app(with_example_page(create_app(settings, db), page)) as base:
        done = subprocess.run(
            [
                str(browser),
                "--headless",
                "--no-sandbox",  # the suite may run as root (CI containers)
                "--disable-gpu",
                "--disable-dev-shm-usage",  # containers often have a tiny /dev/shm
                "--no-first-run",
                "--disable-extensions",
                f"--user-data-dir={tmp_path / 'profile'}",
                # Virtual time stands still while fetches are pending, so this is no wall-clock wait.
                "--virtual-time-budget=30000",
                "--dump-dom",
                f"{base}{PAGE_PATH}",
            ],
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        printed = _printed(done.stdout)
        assert printed[:2] == ["log ✅ Login successful", "log 📋 Projects: []"], printed
        assert len(printed) == 3, printed
        created = printed[2].removeprefix("log ✅ Project created: ")
        assert created != printed[2], printed
        project = json.loads(created)
        assert (project["name"], project["budget"], project["owner"]["username"]) == ("Frontend Revamp", 40000, "admin")

        # The project it created is there afterwards, for anyone asking over HTTP.
        shown = httpx.get(
            f"{base}/api/projects/{project['id']}", headers={"Authorization": f"Bearer {admin.key}"}, timeout=30
        )
        assert shown.status_code == 200
        assert '"budget":40000.00' in shown.text
        assert shown.json()["data"]["project"]["description"] == "Complete frontend redesign with modern technologies"
