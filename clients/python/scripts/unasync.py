"""Write src/polytask_client/_sync_client.py from _async_client.py.

The sync client is the async one with `async`/`await` taken out and `Async` names made
plain, then formatted by ruff. tests/clients/python/test_generated.py fails when the
committed file is not what this script writes. Run: python clients/python/scripts/unasync.py
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "polytask_client"
SOURCE = PACKAGE / "_async_client.py"
TARGET = PACKAGE / "_sync_client.py"

HEADER = '''"""The sync client. GENERATED from _async_client.py by scripts/unasync.py: do not edit;
change the async client and run the script."""
'''

REPLACEMENTS = [
    ("import asyncio\nimport builtins\n", "import builtins\n"),
    ("import json\nimport urllib.parse\n", "import json\nimport time\nimport urllib.parse\n"),
    ("asyncio.sleep", "time.sleep"),
    ("The async client", "The client"),
    ("an async context manager", "a context manager"),
    ("async def ", "def "),
    ("async for ", "for "),
    ("async with ", "with "),
    ("await ", ""),
    ("__aiter__", "__iter__"),
    ("__aenter__", "__enter__"),
    ("__aexit__", "__exit__"),
    (".aread()", ".read()"),
    (".aiter_lines()", ".iter_lines()"),
    ("aclose", "close"),
    ("AsyncGenerator, AsyncIterator", "Generator, Iterator"),
    ("AsyncGenerator[ChangeEvent, None]", "Generator[ChangeEvent, None, None]"),
    ("AsyncIterator", "Iterator"),
    # An async generator cannot `yield from`; a sync one should.
    ("for item in page.data:\n                yield item", "yield from page.data"),
]


def transform(source: str) -> str:
    body = source.split('"""', 2)[2].lstrip("\n")  # drop the module docstring
    for old, new in REPLACEMENTS:
        body = body.replace(old, new)
    body = re.sub(r"\b_Async(?=[A-Z])", "_", body)
    body = re.sub(r"\bAsync(?=[A-Z])", "", body)
    return HEADER + "\n" + body


def ruff() -> str:
    found = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    return found


def generate() -> str:
    """The sync module's text, formatted."""
    raw = transform(SOURCE.read_text())
    done = subprocess.run(
        [ruff(), "format", "--stdin-filename", str(TARGET), "-"],
        input=raw,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


if __name__ == "__main__":
    TARGET.write_text(generate())
    print(f"wrote {TARGET}")
