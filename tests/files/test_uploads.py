"""The upload receiver (api/uploads.py) and the input guard's pass for upload routes, on a
small Starlette app with the real middleware, called through httpx's ASGI transport or with
hand-made ASGI messages (to see what was read)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from polytask.api.inputguard import InputGuardMiddleware
from polytask.api.uploads import FRAMING_ALLOWANCE, accepts_upload, receive_upload
from polytask.core.errors import DomainError
from polytask.core.inputguard import InputLimits

CAP = 256 * 1024
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64)


def _render(_request: Request, status: int, code: str, message: str, details: dict[str, Any]) -> Response:
    return JSONResponse({"code": code, "message": message, "details": details}, status_code=status)


def _app(spool: Path) -> Starlette:
    @accepts_upload
    async def upload(request: Request) -> Response:
        with await receive_upload(request, max_bytes=CAP, tmp_dir=spool, max_files=2) as got:
            files = [
                {
                    "field": f.field,
                    "name": f.filename,
                    "type": f.content_type,
                    "size": f.size,
                    "sha256": f.sha256,
                    "in_spool": f.path.parent == spool,
                    "digest_on_disk": hashlib.sha256(f.path.read_bytes()).hexdigest(),
                }
                for f in got.files
            ]
            return JSONResponse({"fields": got.fields, "files": files})

    async def plain(request: Request) -> Response:
        return JSONResponse({"size": len(await request.body())})

    async def on_domain_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, DomainError)
        return _render(request, exc.http_status, exc.code, exc.message, exc.details)

    return Starlette(
        routes=[Route("/upload", upload, methods=["POST"]), Route("/plain", plain, methods=["POST"])],
        middleware=[
            Middleware(
                InputGuardMiddleware,
                render=_render,
                limits=InputLimits(max_body_bytes=64 * 1024),
                upload_limit=CAP + FRAMING_ALLOWANCE,
            )
        ],
        exception_handlers={DomainError: on_domain_error},
    )


def _left(spool: Path) -> list[str]:
    """The temp files left in the spool directory."""
    return sorted(p.name for p in spool.iterdir())


@pytest.fixture
def spool(tmp_path: Path) -> Path:
    path = tmp_path / "spool"
    path.mkdir()
    return path


async def _post(app: Starlette, path: str, **kwargs: Any) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        return await client.post(path, **kwargs)


@pytest.mark.anyio
async def test_multipart_fields_and_file(spool: Path) -> None:
    body = PNG + bytes(100_000)  # over the guard's 64 KiB body limit, under the upload cap
    response = await _post(
        _app(spool),
        "/upload",
        data={"title": "Plans", "note": "ünïcode"},
        files={"file": ("../../etc/passwd.pdf", body, "application/pdf")},
    )
    assert response.status_code == 200, response.text
    got = response.json()
    assert got["fields"] == {"title": "Plans", "note": "ünïcode"}
    [file] = got["files"]
    assert file["name"] == "passwd.pdf"
    assert file["type"] == "image/png"  # the bytes, not the claim
    assert file["size"] == len(body)
    assert file["sha256"] == hashlib.sha256(body).hexdigest() == file["digest_on_disk"]
    assert file["in_spool"] is True
    assert _left(spool) == []  # the handler's `with` removed it


@pytest.mark.anyio
async def test_raw_body_named_by_query_or_disposition(spool: Path) -> None:
    app = _app(spool)
    response = await _post(
        app, "/upload?filename=..%5Cnotes.csv", content=b"a,b\n1,2\n", headers={"content-type": "text/csv"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["files"][0] | {"sha256": None, "digest_on_disk": None} == {
        "field": "file",
        "name": "notes.csv",
        "type": "text/csv",
        "size": 8,
        "sha256": None,
        "in_spool": True,
        "digest_on_disk": None,
    }
    response = await _post(
        app,
        "/upload",
        content=PNG,
        headers={
            "content-type": "application/octet-stream",
            "content-disposition": "attachment; filename*=UTF-8''r%C3%A9sum%C3%A9%00.png",
        },
    )
    assert response.json()["files"][0]["name"] == "résumé.png"


@pytest.mark.anyio
@pytest.mark.parametrize("name", ["../../etc/passwd", "..\\x", "/abs/olute", "nul\x00byte", ".."])
async def test_hostile_names_become_display_names_only(spool: Path, name: str) -> None:
    response = await _post(_app(spool), "/upload", files={"file": (name, b"hello", "text/plain")})
    assert response.status_code == 200, response.text
    shown = response.json()["files"][0]["name"]
    assert "/" not in shown
    assert "\\" not in shown
    assert "\x00" not in shown
    assert shown
    assert not shown.startswith(".")


class _Body:
    """An ASGI receive() that hands out chunks and counts how many were taken."""

    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks
        self.taken = 0

    async def __call__(self) -> dict[str, Any]:
        if self.taken >= len(self.chunks):
            return {"type": "http.disconnect"}
        chunk = self.chunks[self.taken]
        self.taken += 1
        return {"type": "http.request", "body": chunk, "more_body": self.taken < len(self.chunks)}


async def _call(app: Starlette, headers: list[tuple[bytes, bytes]], body: _Body) -> tuple[int, bytes]:
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/upload",
        "raw_path": b"/upload",
        "root_path": "",
        "query_string": b"",
        "headers": headers,
        "client": ("127.0.0.1", 1),
        "server": ("test", 80),
    }
    await app(scope, body, send)  # type: ignore[arg-type]
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    return status, b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


@pytest.mark.anyio
@pytest.mark.parametrize("content_type", [b"multipart/form-data; boundary=xyz", b"application/octet-stream"])
async def test_a_declared_length_over_the_cap_is_refused_before_reading(spool: Path, content_type: bytes) -> None:
    body = _Body([b"x" * 1024] * 4)
    status, payload = await _call(
        _app(spool),
        [(b"content-type", content_type), (b"content-length", str(CAP + FRAMING_ALLOWANCE + 1).encode())],
        body,
    )
    assert status == 413
    assert b"PAYLOAD_TOO_LARGE" in payload
    assert body.taken == 0
    assert _left(spool) == []


@pytest.mark.anyio
async def test_a_chunked_body_over_the_cap_is_refused_mid_stream(spool: Path) -> None:
    head = b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n\r\n'
    chunks = [head] + [b"\x01" * 64 * 1024] * 64  # 4 MiB of file, the cap is 256 KiB
    body = _Body(chunks)
    status, payload = await _call(_app(spool), [(b"content-type", b"multipart/form-data; boundary=xyz")], body)
    assert status == 413
    assert b"PAYLOAD_TOO_LARGE" in payload
    assert body.taken < 10  # refused once past the cap, not after the whole body
    assert _left(spool) == []  # the temp file is gone


@pytest.mark.anyio
async def test_a_raw_body_over_the_cap_is_refused_mid_stream(spool: Path) -> None:
    body = _Body([b"\x02" * 64 * 1024] * 64)
    status, _payload = await _call(_app(spool), [(b"content-type", b"application/octet-stream")], body)
    assert status == 413
    assert body.taken < 10
    assert _left(spool) == []


@pytest.mark.anyio
async def test_malformed_bodies_are_422_and_leave_nothing(spool: Path) -> None:
    app = _app(spool)
    truncated = b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nhello'
    response = await _post(
        app, "/upload", content=truncated, headers={"content-type": "multipart/form-data; boundary=xyz"}
    )
    assert response.status_code == 422
    response = await _post(
        app,
        "/upload",
        files=[("file", ("a.txt", b"1")), ("more", ("b.txt", b"2")), ("third", ("c.txt", b"3"))],
    )
    assert response.status_code == 422
    assert response.json()["details"]["field"] == "third"
    response = await _post(app, "/upload", data={"title": "a\x01b"}, files={"file": ("a.txt", b"1")})
    assert response.status_code == 422
    assert _left(spool) == []


@pytest.mark.anyio
async def test_other_routes_keep_the_body_limit(spool: Path) -> None:
    response = await _post(
        _app(spool), "/plain", content=b"x" * (64 * 1024 + 1), headers={"content-type": "application/octet-stream"}
    )
    assert response.status_code == 413


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
