"""`polytask-cli`: the command-line client of the /v1 API, over this library.

Needs the `cli` extra (`pip install './clients/python[cli]'`: typer and rich); the library
itself does not."""

from __future__ import annotations

import sys


def main() -> None:
    """The `polytask-cli` entry point."""
    try:
        from polytask_client.cli._app import run
    except ImportError as exc:  # the library installed without its `cli` extra
        print(
            f"polytask-cli needs typer and rich ({exc.name} is missing): pip install 'polytask-client[cli]'",
            file=sys.stderr,
        )
        raise SystemExit(1) from None
    run()
