"""The content type of a file, told by its bytes; the client's claim is never trusted.

A small table of signatures for the formats people attach (images, PDF, ZIP and the Office
Open XML formats inside ZIP), then text: valid UTF-8 without NUL bytes is text/plain (text/csv
when the name ends in .csv, the only thing the name may say), anything else is
application/octet-stream. Pure Python, no libmagic.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

# Bytes the sniffer looks at: enough for every signature and a fair sample of text.
HEAD_BYTES = 8 * 1024
OCTET_STREAM = "application/octet-stream"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
)
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
# The first directory of an OOXML package's parts names the format.
_OOXML = (("word/", DOCX), ("xl/", XLSX), ("ppt/", PPTX))


def sniff(head: bytes, *, filename: str = "", path: Path | None = None) -> str:
    """The media type of a file whose first bytes are `head` (the whole file at `path`, when
    given, lets a ZIP be opened to tell a .docx from a plain archive)."""
    for magic, media in _SIGNATURES:
        if head.startswith(magic):
            return media
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(_ZIP):
        return _zip_kind(head, path)
    if head and _is_text(head):
        return "text/csv" if filename.lower().endswith(".csv") else "text/plain"
    return OCTET_STREAM


def _zip_kind(head: bytes, path: Path | None) -> str:
    names: list[str] = []
    if path is not None:
        try:
            with zipfile.ZipFile(path) as archive:  # reads the central directory only
                names = archive.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            names = []
    for prefix, media in _OOXML:
        if any(name.startswith(prefix) for name in names):
            return media
        # Without the file, the local headers at its start name its first parts.
        if not names and b"[Content_Types].xml" in head and prefix.encode() in head:
            return media
    return "application/zip"


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A sample cut inside a multi-byte character is still text.
        return len(head) >= HEAD_BYTES and exc.start >= len(head) - 3 and exc.reason == "unexpected end of data"
    return True
