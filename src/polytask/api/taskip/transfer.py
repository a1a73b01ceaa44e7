"""Receiving and sending files on the TaskIP surface: the key is checked before a byte of an
upload is read (a wrong key is a 401, not 50 MB later), the file is taken from whichever
multipart part carries one (`file` first), and downloads stream with their type and name."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session
from starlette.concurrency import iterate_in_threadpool
from starlette.responses import StreamingResponse

from polytask.api.deps import run_unit
from polytask.api.uploads import Upload, receive_upload
from polytask.core.actor import Actor
from polytask.core.errors import ValidationFailed
from polytask.core.files import Received, content_disposition
from polytask.core.jsontext import loads_exact


async def received(request: Request, *, scope: str, max_files: int = 1) -> Upload:
    """The request's upload, once its credential holds the scope (a unit that reads nothing)."""

    def nothing(_session: Session, _actor: Actor) -> None:
        return None

    await run_unit(request, nothing, scope=scope, readonly=True)
    return await receive_upload(request, max_files=max_files)


async def json_object(request: Request) -> dict[str, Any]:
    """The JSON object a route that reads its own body was sent ({} for no body); anything
    else, malformed JSON included, is a 422 naming the body."""
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        value = loads_exact(raw)
    except (ValueError, RecursionError):
        raise ValidationFailed.field("body", "Malformed JSON: the body could not be decoded") from None
    if not isinstance(value, dict):
        raise ValidationFailed.field("body", "must be a JSON object")
    return value


def one_file(upload: Upload) -> Received:
    """The uploaded file: the part named `file`, else the only file sent."""
    for received_file in upload.files:
        if received_file.field == "file":
            return received_file
    if upload.files:
        return upload.files[0]
    raise ValidationFailed.field("file", "is required: send the file as a multipart part named `file`")


def download(view: Any, chunks: Iterator[bytes]) -> StreamingResponse:
    return StreamingResponse(
        iterate_in_threadpool(chunks),
        media_type=view.content_type,
        headers={
            "Content-Disposition": content_disposition(view.name),
            "Content-Length": str(view.size),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )
