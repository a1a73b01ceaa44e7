"""Receiving files: a request body streamed to a temp file in the store's spool directory,
never held whole in memory, and refused with a 413 as soon as it is known to be too large.

A route that takes files says so with `@accepts_upload` on its endpoint: the input guard
(api/inputguard.py) then lets its multipart or raw body through unread instead of holding it
to POLYTASK_MAX_BODY_BYTES, and the handler calls `receive_upload(request)`, which holds the
file to POLYTASK_MAX_UPLOAD_BYTES. Two kinds of body:

- `multipart/form-data`, parsed incrementally (python-multipart's streaming parser): the
  parts with a `filename` are files (at most `max_files`), the others small text fields;
- anything else is the file itself (a raw body), named by the `filename` query parameter or
  a `Content-Disposition` header.

The body is refused before a byte is read when its Content-Length is over the limit, and
mid-stream when the count passes it (a chunked body); either way the temp files are removed.
The handler owns what it got: `with upload:` (or `upload.discard()`) removes the temp files
once the operation that stores them is done.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import anyio
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from polytask.api.asgi import declared_length
from polytask.core.errors import PayloadTooLarge, ValidationFailed
from polytask.core.files import Received, Spool, current_store
from polytask.core.inputguard import text_issue

F = TypeVar("F", bound=Callable[..., Any])

UPLOAD_MARK = "__polytask_upload__"
# The text fields beside the files: each, all of them, how many parts in all.
MAX_FIELD_BYTES = 64 * 1024
MAX_FIELDS_BYTES = 256 * 1024
MAX_PARTS = 32
# What a multipart body may carry beyond its files: fields, part headers, boundaries.
FRAMING_ALLOWANCE = MAX_FIELDS_BYTES + 64 * 1024
# Bodies that are never a file.
_NOT_FILES = frozenset({b"application/x-www-form-urlencoded", b"application/json"})
# Bytes collected before a write to the temp file (on a worker thread).
_FLUSH_BYTES = 1024 * 1024


def accepts_upload(endpoint: F) -> F:
    """Declare a route whose body is a file upload (see the module's docstring)."""
    setattr(endpoint, UPLOAD_MARK, True)
    return endpoint


def is_upload_endpoint(endpoint: object) -> bool:
    return bool(getattr(endpoint, UPLOAD_MARK, False))


@dataclass
class Upload:
    """What a request carried: its text fields and its files (temp files until discarded)."""

    fields: dict[str, str] = field(default_factory=dict)
    files: list[Received] = field(default_factory=list)

    def file(self, name: str = "file") -> Received:
        """The file sent as `name` (any file when the body was raw), else a 422 naming it."""
        for received in self.files:
            if received.field == name:
                return received
        raise ValidationFailed.field(name, "is required: send the file as a multipart part with a filename")

    def discard(self) -> None:
        for received in self.files:
            received.discard()

    def __enter__(self) -> Upload:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.discard()


def too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"The file is too large: it must be at most {limit} bytes",
        {"field": "file", "issue": f"must be at most {limit} bytes", "limit_bytes": limit},
    )


async def receive_upload(
    request: Request,
    *,
    max_bytes: int | None = None,
    max_files: int = 1,
    tmp_dir: Path | None = None,
) -> Upload:
    """Stream the request's file(s) to temp files; its other form fields as text. 413 over
    `max_bytes` (default POLYTASK_MAX_UPLOAD_BYTES) per file, 422 for a malformed body."""
    limit = max_bytes if max_bytes is not None else int(request.app.state.settings.max_upload_bytes)
    spool_dir = tmp_dir if tmp_dir is not None else await anyio.to_thread.run_sync(lambda: current_store().tmp_dir)
    media, params = parse_options_header(request.headers.get("content-type"))
    declared = declared_length(request.scope)
    if media in _NOT_FILES or media.endswith(b"+json"):
        # A form or a JSON document carries no file: a client that meant multipart gets told so.
        raise ValidationFailed.field(
            "file", "is required: send multipart/form-data with the file in a part named `file`, or the raw bytes"
        )
    upload = Upload()
    try:
        if media == b"multipart/form-data":
            if declared is not None and declared > limit + FRAMING_ALLOWANCE:
                raise too_large(limit)
            boundary = params.get(b"boundary")
            if not boundary:
                raise ValidationFailed.field("body", "a multipart body needs a boundary in its Content-Type")
            await _read_multipart(request, upload, boundary, limit, max_files, spool_dir)
        else:
            if declared is not None and declared > limit:
                raise too_large(limit)
            await _read_raw(request, upload, limit, spool_dir)
    except BaseException:
        upload.discard()
        raise
    return upload


def _raw_filename(request: Request) -> str | None:
    named = request.query_params.get("filename")
    if named:
        return named
    disposition = request.headers.get("content-disposition")
    if disposition:
        message = Message()
        message["content-disposition"] = disposition
        return message.get_filename()  # RFC 2231 `filename*` decoded
    return None


async def _read_raw(request: Request, upload: Upload, limit: int, spool_dir: Path) -> None:
    spool = Spool(spool_dir, filename=_raw_filename(request))
    try:
        async for chunk in request.stream():
            spool.add(chunk)
            if spool.size > limit:
                raise too_large(limit)
            if spool.pending_bytes >= _FLUSH_BYTES:
                await anyio.to_thread.run_sync(spool.flush)
        if spool.size == 0:
            raise ValidationFailed.field("file", "is empty: send the file's bytes as the body")
        upload.files.append(await anyio.to_thread.run_sync(spool.finish))
    except BaseException:
        spool.discard()
        raise


class _Parts:
    """The parser's callbacks: part headers, then a field's text or a file's bytes."""

    def __init__(self, upload: Upload, limit: int, max_files: int, spool_dir: Path) -> None:
        self.upload = upload
        self.limit = limit
        self.max_files = max_files
        self.spool_dir = spool_dir
        self.headers: dict[bytes, bytes] = {}
        self.header_field = bytearray()
        self.header_value = bytearray()
        self.name = ""
        self.text: bytearray | None = None
        self.spool: Spool | None = None
        self.spools: list[Spool] = []
        self.parts = 0
        self.fields_bytes = 0
        self.ended = False

    def callbacks(self) -> Any:
        return {
            "on_part_begin": self.part_begin,
            "on_header_field": lambda data, start, end: self.header_field.extend(data[start:end]),
            "on_header_value": lambda data, start, end: self.header_value.extend(data[start:end]),
            "on_header_end": self.header_end,
            "on_headers_finished": self.headers_finished,
            "on_part_data": self.part_data,
            "on_part_end": self.part_end,
            "on_end": self.end,
        }

    def part_begin(self) -> None:
        self.parts += 1
        if self.parts > MAX_PARTS:
            raise ValidationFailed.field("body", f"must have at most {MAX_PARTS} parts")
        self.headers = {}
        self.text = None
        self.spool = None

    def header_end(self) -> None:
        self.headers[bytes(self.header_field).lower()] = bytes(self.header_value)
        self.header_field.clear()
        self.header_value.clear()

    def headers_finished(self) -> None:
        kind, options = parse_options_header(self.headers.get(b"content-disposition"))
        name = options.get(b"name")
        if kind != b"form-data" or name is None:
            raise ValidationFailed.field("body", "each part needs 'Content-Disposition: form-data; name=...'")
        self.name = name.decode("utf-8", "replace")
        if b"filename" in options or b"filename*" in options:
            if len(self.spools) >= self.max_files:
                raise ValidationFailed.field(self.name, f"at most {self.max_files} file(s) may be sent")
            raw = options.get(b"filename*") or options.get(b"filename") or b""
            filename = raw.decode("utf-8", "replace")
            if raw.lower().startswith(b"utf-8''"):
                filename = _rfc2231(filename)
            self.spool = Spool(self.spool_dir, filename=filename, field=self.name)
            self.spools.append(self.spool)
        else:
            if self.name in self.upload.fields:
                raise ValidationFailed.field(self.name, "is given more than once")
            self.text = bytearray()

    def part_data(self, data: bytes, start: int, end: int) -> None:
        if self.spool is not None:
            self.spool.add(data[start:end])
            if self.spool.size > self.limit:
                raise too_large(self.limit)
        elif self.text is not None:
            self.text.extend(data[start:end])
            self.fields_bytes += end - start
            if len(self.text) > MAX_FIELD_BYTES or self.fields_bytes > MAX_FIELDS_BYTES:
                raise ValidationFailed.field(self.name, f"must be at most {MAX_FIELD_BYTES} bytes")

    def part_end(self) -> None:
        if self.text is None:
            return
        try:
            value = bytes(self.text).decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationFailed.field(self.name, "must be UTF-8 text") from None
        issue = text_issue(value, MAX_FIELD_BYTES)
        if issue is not None:
            raise ValidationFailed.field(self.name, issue)
        self.upload.fields[self.name] = value
        self.text = None

    def end(self) -> None:
        self.ended = True


def _rfc2231(value: str) -> str:
    message = Message()
    message["content-disposition"] = f"form-data; filename*={value}"
    return message.get_filename() or ""


async def _read_multipart(
    request: Request, upload: Upload, boundary: bytes, limit: int, max_files: int, spool_dir: Path
) -> None:
    parts = _Parts(upload, limit, max_files, spool_dir)
    parser = MultipartParser(boundary, parts.callbacks())
    try:
        async for chunk in request.stream():
            try:
                parser.write(chunk)
            except MultipartParseError:
                raise ValidationFailed.field("body", "is not a well-formed multipart body") from None
            for spool in parts.spools:
                if spool.pending_bytes >= _FLUSH_BYTES:
                    await anyio.to_thread.run_sync(spool.flush)
            if parts.ended:
                break
        if not parts.ended:
            raise ValidationFailed.field("body", "the multipart body ended before its closing boundary")
        for spool in parts.spools:
            upload.files.append(await anyio.to_thread.run_sync(spool.finish))
    except BaseException:
        for spool in parts.spools:
            spool.discard()
        raise
