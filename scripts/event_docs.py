"""Rewrite docs/webhooks.md's event tables from the catalogue (domain/events/catalog.py).

Usage: .venv/bin/python scripts/event_docs.py   (tests/architecture/test_event_catalog.py
fails while the tables and the catalogue differ).
"""

from __future__ import annotations

import re
from pathlib import Path

from polytask.domain.events.catalog import markdown_table

DOCS = Path(__file__).resolve().parents[1] / "docs" / "webhooks.md"


def main() -> None:
    text = DOCS.read_text()
    for marker, public in (("public", True), ("audit-only", False)):
        begin, end = f"<!-- events:{marker} -->\n", f"\n<!-- /events:{marker} -->"
        pattern = re.compile(re.escape(begin) + ".*?" + re.escape(end), re.DOTALL)
        if not pattern.search(text):
            raise SystemExit(f"{DOCS} lacks the markers {begin.strip()} ... {end.strip()}")
        replacement = begin + markdown_table(public=public) + end
        text = pattern.sub(lambda _, new=replacement: new, text)
    DOCS.write_text(text)
    print(f"rewrote the event tables of {DOCS}")


if __name__ == "__main__":
    main()
