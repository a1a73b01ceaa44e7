"""Money in TaskFlow bodies."""

from __future__ import annotations


class Amount:
    """An amount written into the JSON body as a number with its currency's places (`50000.00`),
    from its exact decimal text, never through a float (errors.py `_Body` writes it)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text
