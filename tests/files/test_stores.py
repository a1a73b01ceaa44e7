"""The stores (local directory, S3-compatible on moto), sniffing and display names."""

from __future__ import annotations

import hashlib
import os
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from polytask.core.files import (
    CHUNK,
    BlobMissing,
    FileStore,
    LocalStore,
    Received,
    content_disposition,
    display_name,
    new_key,
    receive_file,
    sniff,
)
from polytask.core.files.sniff import DOCX, PPTX, XLSX
from polytask.core.files.store import valid_key
from polytask.core.settings import Settings

MB = 1024 * 1024
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64)


def _big_file(path: Path, size: int) -> str:
    """Write `size` pseudo-random bytes a chunk at a time; their SHA-256."""
    digest = hashlib.sha256()
    block = os.urandom(MB)
    with path.open("wb") as handle:
        for i in range(size // MB):
            chunk = bytes([i % 251]) + block[1:]
            digest.update(chunk)
            handle.write(chunk)
    return digest.hexdigest()


def test_a_20_mb_file_is_written_and_read_back_in_chunks(store: FileStore, tmp_path: Path) -> None:
    source = tmp_path / "big.bin"
    expected = _big_file(source, 20 * MB)
    received = receive_file(source, tmp_dir=store.tmp_dir, filename="big.bin")
    key = new_key()
    tracemalloc.start()
    try:
        store.put_file(key, received.path, content_type=received.content_type)
        digest = hashlib.sha256()
        size = 0
        for chunk in store.open_chunks(key):
            assert len(chunk) <= CHUNK
            digest.update(chunk)
            size += len(chunk)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (size, digest.hexdigest(), received.sha256) == (20 * MB, expected, expected)
    # Neither the write nor the read held the file: at most one multipart part (8 MiB) for S3.
    assert peak < 12 * MB, peak
    assert received.path.exists()  # the store copied it; the caller discards its temp file
    received.discard()
    store.delete(key)
    assert not store.exists(key)
    store.delete(key)  # idempotent
    with pytest.raises(BlobMissing):
        store.open_chunks(key)


def test_receiving_a_file_holds_one_chunk_at_a_time(tmp_path: Path) -> None:
    source = tmp_path / "big.bin"
    _big_file(source, 20 * MB)
    tracemalloc.start()
    try:
        received = receive_file(source, tmp_dir=tmp_path, filename="big.bin")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert received.size == 20 * MB
    assert peak < 2 * MB, peak


def test_keys_are_generated_and_checked(local_store: LocalStore, tmp_path: Path) -> None:
    keys = {new_key() for _ in range(100)}
    assert len(keys) == 100
    assert all(valid_key(k) for k in keys)
    source = tmp_path / "x.txt"
    source.write_text("hi")
    for bad in ("../../etc/passwd", "/etc/passwd", "ab/cd/../../x", "ab/cd/" + "g" * 32, "a\x00b"):
        assert not valid_key(bad)
        with pytest.raises(ValueError, match="not a storage key"):
            local_store.put_file(bad, source, content_type="text/plain")
    key = new_key()
    local_store.put_file(key, source, content_type="text/plain")
    stored = local_store.root / key
    assert stored.read_text() == "hi"
    assert stored.resolve().is_relative_to(local_store.root.resolve())
    assert list(local_store.tmp_dir.iterdir()) == []  # no temp file left behind


def _zip(path: Path, names: list[str]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for name in names:
            archive.writestr(name, "<x/>")
    return path


def test_content_types_come_from_the_bytes(tmp_path: Path) -> None:
    assert sniff(PNG, filename="report.pdf") == "image/png"
    assert sniff(b"\xff\xd8\xff\xe0\x00\x10JFIF", filename="a.png") == "image/jpeg"
    assert sniff(b"GIF89a....", filename="") == "image/gif"
    assert sniff(b"RIFF\x24\x00\x00\x00WEBPVP8 ", filename="x") == "image/webp"
    assert sniff(b"%PDF-1.7\n", filename="x.txt") == "application/pdf"
    assert sniff("héllo, wörld\n".encode(), filename="notes.exe") == "text/plain"
    assert sniff(b"a,b\n1,2\n", filename="table.CSV") == "text/csv"
    assert sniff(b"a,b\x00\n", filename="table.csv") == "application/octet-stream"
    assert sniff(b"\xff\xfe\x00\x01", filename="x.txt") == "application/octet-stream"
    assert sniff(b"", filename="empty.txt") == "application/octet-stream"
    # A UTF-8 character cut at the end of the sample is still text.
    assert sniff(("a" * 8191 + "é").encode()[:8192], filename="") == "text/plain"
    for names, media in (
        (["word/document.xml"], DOCX),
        (["xl/workbook.xml"], XLSX),
        (["ppt/presentation.xml"], PPTX),
        (["readme.txt"], "application/zip"),
    ):
        path = _zip(tmp_path / "f.zip", names)
        assert sniff(path.read_bytes()[:8192], filename="f.bin", path=path) == media
        assert sniff(path.read_bytes()[:8192], filename="f.bin") == media


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\x", "x"),
        ("C:\\Users\\me\\report.pdf", "report.pdf"),
        ("/etc/shadow", "shadow"),
        ("a\x00b.txt", "ab.txt"),
        ("..", "file"),
        ("", "file"),
        (None, "file"),
        (".bashrc", "bashrc"),
        ("  two\tspaces\n.txt ", "two spaces .txt"),
        ("we<i>rd:na|me?.txt", "we_i_rd_na_me_.txt"),
        ("x" * 300 + ".pdf", "x" * 251 + ".pdf"),
        ("résumé.pdf", "résumé.pdf"),
        ("evil\u202etxt.exe", "eviltxt.exe"),
    ],
)
def test_display_names_are_safe(raw: str | None, shown: str) -> None:
    name = display_name(raw)
    assert name == shown
    assert "/" not in name
    assert "\\" not in name
    assert not name.startswith(".")
    assert len(name) <= 255


def test_content_disposition_quotes_the_name() -> None:
    header = content_disposition('résumé "final".pdf')
    assert header == "attachment; filename=\"r_sum_ _final_.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9%20_final_.pdf"
    assert content_disposition("a.png", inline=True).startswith("inline; ")


def test_a_received_file_is_removed_by_its_context(tmp_path: Path) -> None:
    source = tmp_path / "a.txt"
    source.write_text("hello")
    spool = tmp_path / "spool"
    spool.mkdir()
    with receive_file(source, tmp_dir=spool) as got:
        assert isinstance(got, Received)
        assert (got.size, got.content_type, got.filename) == (5, "text/plain", "a.txt")
        assert got.path.exists()
    assert not got.path.exists()
    assert source.exists()


def test_s3_settings_must_be_complete(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="POLYTASK_S3_BUCKET"):
        Settings(home=tmp_path, storage="s3")
    with pytest.raises(ValueError, match="set together"):
        Settings(home=tmp_path, storage="s3", s3_bucket="b", s3_access_key_id="k")
    settings = Settings(home=tmp_path)
    assert settings.files_dir == tmp_path / "files"
    assert settings.max_upload_bytes == 50 * MB
