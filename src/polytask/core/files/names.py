"""File names: what a client calls its file is metadata, shown back, never a path."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

MAX_NAME_CHARS = 255
FALLBACK_NAME = "file"
# Characters no file system or header is happy with, besides separators and controls.
_AWKWARD = frozenset('<>:"|?*')


def display_name(raw: str | None, *, fallback: str = FALLBACK_NAME) -> str:
    """A safe name to show: the last path component only (either separator), no control or
    format characters, no leading dots or spaces, at most 255 characters (the extension
    kept), never empty."""
    text = unicodedata.normalize("NFC", raw or "")
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(
        " " if ch.isspace() else ch
        for ch in text
        if unicodedata.category(ch)[0] != "C" or ch.isspace()  # Cc, Cf, Cs, Co, Cn
    )
    kept = "".join("_" if ch in _AWKWARD else ch for ch in kept)
    kept = " ".join(kept.split())  # runs of white space as one space, none at the ends
    kept = kept.lstrip(". ").rstrip(". ")
    if len(kept) > MAX_NAME_CHARS:
        stem, dot, ext = kept.rpartition(".")
        if dot and 0 < len(ext) <= 16 and stem:
            kept = stem[: MAX_NAME_CHARS - len(ext) - 1].rstrip(". ") + "." + ext
        else:
            kept = kept[:MAX_NAME_CHARS].rstrip(". ")
    return kept or fallback


def content_disposition(name: str, *, inline: bool = False) -> str:
    """The Content-Disposition header of a download (RFC 6266): an ASCII `filename` for old
    clients and the exact name as UTF-8 in `filename*`."""
    safe = display_name(name)
    ascii_name = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\%' else "_" for ch in safe)
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(safe, safe='')}"
