"""TaskIP files, discussions and documents over HTTP: multipart uploads stored under the
server's names with the type read from the bytes, streamed downloads, lists with filters,
the upload limit (413) and the upload rate limit (429), and isolation."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import httpx
from starlette.types import ASGIApp

from polytask.api.app import create_app
from polytask.core.db import Database
from polytask.core.settings import Settings
from tests.api.taskip.conftest import BASE, key_of, new_project, new_task
from tests.factories.people import Person

Serve = Callable[[ASGIApp], AbstractContextManager[str]]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64)
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _upload(client: httpx.Client, person: Person, path: str, name: str, data: bytes, **fields: str) -> httpx.Response:
    return client.post(
        f"{BASE}{path}", files={"file": (name, data, "application/x-anything")}, data=fields, headers=key_of(person)
    )


def test_task_files_upload_list_download_and_delete(client: httpx.Client, owner: Person) -> None:
    project = new_project(client, owner)
    uuid = project["uuid"]
    task = new_task(client, owner, uuid)
    other = new_task(client, owner, uuid, title="Other")
    r = _upload(client, owner, f"/project/{uuid}/task/{task['id']}/files", "diagram.pdf", PNG)
    assert r.status_code == 201, r.text
    stored = r.json()["data"]
    # The type comes from the bytes (a PNG), not from the name or the part's header.
    assert stored["content_type"] == "image/png"
    assert stored["name"] == "diagram.pdf"
    assert stored["size"] == len(PNG)
    assert stored["sha256"] == hashlib.sha256(PNG).hexdigest()
    assert stored["task_id"] == task["id"]
    raw = client.post(
        f"{BASE}/project/{uuid}/task/{other['id']}/files",
        params={"filename": "notes.txt"},
        content=b"plain words\n",
        headers={**key_of(owner), "Content-Type": "application/octet-stream"},
    )
    assert raw.status_code == 201, raw.text
    assert raw.json()["data"]["content_type"].startswith("text/plain")

    of_task = client.get(f"{BASE}/project/{uuid}/task/{task['id']}/files", headers=key_of(owner)).json()
    assert [f["id"] for f in of_task["data"]] == [stored["id"]]
    all_tasks = client.get(f"{BASE}/project/{uuid}/task/files", headers=key_of(owner)).json()
    assert all_tasks["meta"]["total"] == 2
    images = client.get(f"{BASE}/project/{uuid}/files", params={"content_type": "image/png"}, headers=key_of(owner))
    assert [f["id"] for f in images.json()["data"]] == [stored["id"]]

    got = client.get(f"{BASE}/project/{uuid}/files/{stored['id']}/download", headers=key_of(owner))
    assert got.status_code == 200, got.text
    assert got.content == PNG
    assert got.headers["content-type"] == "image/png"
    assert got.headers["content-disposition"].startswith('attachment; filename="diagram.pdf"')
    assert got.headers["x-content-type-options"] == "nosniff"

    gone = client.delete(
        f"{BASE}/project/{uuid}/task/{task['id']}/files", params={"file_id": stored["id"]}, headers=key_of(owner)
    )
    assert gone.status_code == 204, gone.text
    assert client.get(f"{BASE}/project/{uuid}/files/{stored['id']}/download", headers=key_of(owner)).status_code == 404
    # A file of another task is not this task's to delete.
    kept = client.get(f"{BASE}/project/{uuid}/task/{other['id']}/files", headers=key_of(owner)).json()["data"][0]
    wrong = client.delete(
        f"{BASE}/project/{uuid}/task/{task['id']}/files", params={"file_id": kept["id"]}, headers=key_of(owner)
    )
    assert wrong.status_code == 404
    events = [e["attributes"]["type"] for e in client.get("/v1/events", headers=owner.headers).json()["data"]]
    assert events.count("file.uploaded") == 2
    assert "file.deleted" in events


def test_hostile_file_names_are_display_names_only(client: httpx.Client, owner: Person, settings: Settings) -> None:
    project = new_project(client, owner)
    task = new_task(client, owner, project["uuid"])
    path = f"/project/{project['uuid']}/task/{task['id']}/files"
    names = []
    for hostile in ("../../etc/passwd", "..\\..\\boot.ini", "/abs/evil.sh", "a\x00b.txt", ".hidden"):
        r = _upload(client, owner, path, hostile, b"x" * 10)
        assert r.status_code == 201, (hostile, r.text)
        names.append(r.json()["data"]["name"])
    for name in names:
        assert "/" not in name
        assert "\\" not in name
        assert "\x00" not in name
        assert not name.startswith(".")
    # Nothing landed outside the store, under any of the names given.
    assert not (settings.home / "etc").exists()
    assert not any(p.name in ("passwd", "boot.ini", "evil.sh") for p in settings.home.rglob("*"))


def test_upload_limits_and_credentials(serve_app: Serve, settings: Settings, db: Database, owner: Person) -> None:
    plans = json.dumps({"taskip-uploads": {"per_hour": 2}})
    app = create_app(settings.model_copy(update={"max_upload_bytes": 1000, "rate_plans": plans}), db)
    with serve_app(app) as base, httpx.Client(base_url=base) as c:
        project = new_project(c, owner)
        task = new_task(c, owner, project["uuid"])
        path = f"/project/{project['uuid']}/task/{task['id']}/files"
        big = _upload(c, owner, path, "big.bin", b"x" * 5000)
        assert big.status_code == 413, big.text
        assert big.json()["success"] is False
        assert big.json()["status_code"] == 413
        nobody = c.post(f"{BASE}{path}", files={"file": ("a.txt", b"hi")}, headers={"X-Secret-Key": "wrong"})
        assert nobody.status_code == 401
        assert _upload(c, owner, path, "ok.txt", b"small").status_code == 201
        third = _upload(c, owner, path, "ok2.txt", b"small")
        assert third.status_code == 429, third.text
        assert "uploads" in third.json()["message"]
        # Other requests of the key still go through.
        assert c.get(f"{BASE}/project", headers=key_of(owner)).status_code == 200
        listed = c.get(f"{BASE}{path}", headers=key_of(owner)).json()
        assert [f["name"] for f in listed["data"]] == ["ok.txt"]


def test_discussions_with_replies_and_files(client: httpx.Client, owner: Person) -> None:
    project = new_project(client, owner)
    uuid = project["uuid"]
    r = client.post(
        f"{BASE}/project/{uuid}/discussion", json={"title": "Kick-off", "body": "Agenda?"}, headers=key_of(owner)
    )
    assert r.status_code == 201, r.text
    thread = r.json()["data"]
    assert (thread["title"], thread["body"], thread["files"]) == ("Kick-off", "Agenda?", [])
    with_files = client.post(
        f"{BASE}/project/{uuid}/discussion",
        data={"title": "Designs", "body": "Attached"},
        files=[("file", ("mock.png", PNG, "image/png")), ("extra", ("spec.pdf", PDF, "application/pdf"))],
        headers=key_of(owner),
    )
    assert with_files.status_code == 201, with_files.text
    assert sorted(f["content_type"] for f in with_files.json()["data"]["files"]) == ["application/pdf", "image/png"]
    reply = client.post(
        f"{BASE}/project/{uuid}/discussion",
        json={"discussion_id": thread["id"], "message": "Monday 10:00"},
        headers=key_of(owner),
    )
    assert reply.status_code == 201, reply.text
    assert reply.json()["data"]["discussion_id"] == thread["id"]
    listed = client.get(f"{BASE}/project/{uuid}/discussion", headers=key_of(owner)).json()
    assert [d["title"] for d in listed["data"]] == ["Designs", "Kick-off"]
    assert listed["meta"]["total"] == 2
    found = client.get(f"{BASE}/project/{uuid}/discussion", params={"search": "kick"}, headers=key_of(owner)).json()
    assert [d["title"] for d in found["data"]] == ["Kick-off"]
    files = client.get(f"{BASE}/project/{uuid}/discussion/files", headers=key_of(owner)).json()
    assert files["meta"]["total"] == 2
    for body, field in (
        ({"body": "no title"}, "title"),
        ({"title": ""}, "title"),
        ({"discussion_id": 999999, "body": "x"}, ""),
    ):
        bad = client.post(f"{BASE}/project/{uuid}/discussion", json=body, headers=key_of(owner))
        assert bad.status_code in (404, 422), (body, bad.text)
        if field:
            assert field in bad.json()["errors"]


def test_documents(client: httpx.Client, owner: Person, stranger: Person) -> None:
    project = new_project(client, owner)
    r = _upload(client, owner, "/document", "contract.pdf", PDF, category="Legal", project=project["uuid"])
    assert r.status_code == 201, r.text
    contract = r.json()["data"]
    assert contract["title"] == "contract.pdf"
    assert contract["category"] == "Legal"
    assert contract["project_id"] == project["id"]
    assert contract["content_type"] == "application/pdf"
    logo = _upload(client, owner, "/document", "logo.png", PNG, title="Logo", description="Brand mark").json()["data"]

    def titles(**params: Any) -> list[str]:
        r = client.get(f"{BASE}/document", params=params, headers=key_of(owner))
        assert r.status_code == 200, r.text
        return [d["title"] for d in r.json()["data"]]

    assert titles() == ["Logo", "contract.pdf"]
    assert titles(category="Legal") == ["contract.pdf"]
    assert titles(content_type="image/*") == ["Logo"]
    assert titles(search="brand") == ["Logo"]
    assert titles(sort="title", order="asc") == ["contract.pdf", "Logo"]  # in any case
    assert titles(date_from="2000-01-01", date_to="2999-01-01") == ["Logo", "contract.pdf"]
    assert titles(date_to="2000-01-01") == []

    shown = client.get(f"{BASE}/document/{logo['id']}", headers=key_of(owner)).json()["data"]
    assert shown == logo
    changed = client.put(
        f"{BASE}/document/{logo['id']}", json={"title": "Logo v2", "project": project["uuid"]}, headers=key_of(owner)
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["data"]["title"] == "Logo v2"
    assert changed.json()["data"]["project_id"] == project["id"]
    got = client.get(f"{BASE}/document/{contract['id']}/download", headers=key_of(owner))
    assert got.content == PDF
    assert got.headers["content-type"] == "application/pdf"
    # Another workspace sees none of it.
    for method, path in (
        ("GET", f"/document/{logo['id']}"),
        ("GET", f"/document/{logo['id']}/download"),
        ("PUT", f"/document/{logo['id']}"),
        ("DELETE", f"/document/{logo['id']}"),
    ):
        r = client.request(method, f"{BASE}{path}", json={} if method == "PUT" else None, headers=key_of(stranger))
        assert r.status_code == 404, (method, path, r.text)
    assert client.get(f"{BASE}/document", headers=key_of(stranger)).json()["data"] == []
    for body, field in (({"title": ""}, "title"), ({"category": "x" * 101}, "category"), ({"project": "nope"}, "")):
        bad = client.put(f"{BASE}/document/{logo['id']}", json=body, headers=key_of(owner))
        assert bad.status_code in (404, 422), (body, bad.text)
        if field:
            assert field in bad.json()["errors"]
    assert client.delete(f"{BASE}/document/{logo['id']}", headers=key_of(owner)).status_code == 204
    assert client.get(f"{BASE}/document/{logo['id']}", headers=key_of(owner)).status_code == 404
    missing_file = client.post(f"{BASE}/document", data={"title": "x"}, files={}, headers=key_of(owner))
    assert missing_file.status_code == 422


def test_deleting_a_task_or_project_takes_its_files(client: httpx.Client, owner: Person) -> None:
    project = new_project(client, owner)
    uuid = project["uuid"]
    task = new_task(client, owner, uuid)
    f = _upload(client, owner, f"/project/{uuid}/task/{task['id']}/files", "a.txt", b"hello").json()["data"]
    doc = _upload(client, owner, "/document", "d.txt", b"doc", project=uuid).json()["data"]
    assert client.delete(f"{BASE}/project/{uuid}/task/{task['id']}", headers=key_of(owner)).status_code == 204
    assert client.get(f"{BASE}/project/{uuid}/files/{f['id']}/download", headers=key_of(owner)).status_code == 404
    assert client.delete(f"{BASE}/project/{uuid}", headers=key_of(owner)).status_code == 204
    assert client.get(f"{BASE}/document/{doc['id']}", headers=key_of(owner)).status_code == 404


def test_another_workspace_sees_no_file_discussion_or_document(
    client: httpx.Client, owner: Person, stranger: Person
) -> None:
    project = new_project(client, owner)
    uuid = project["uuid"]
    task = new_task(client, owner, uuid)
    stored = _upload(client, owner, f"/project/{uuid}/task/{task['id']}/files", "a.txt", b"secret words").json()["data"]
    thread = client.post(
        f"{BASE}/project/{uuid}/discussion", json={"title": "Private", "body": "x"}, headers=key_of(owner)
    ).json()["data"]
    for method, path in (
        ("GET", f"/project/{uuid}/task/files"),
        ("GET", f"/project/{uuid}/task/{task['id']}/files"),
        ("GET", f"/project/{uuid}/files"),
        ("GET", f"/project/{uuid}/files/{stored['id']}/download"),
        ("DELETE", f"/project/{uuid}/task/{task['id']}/files?file_id={stored['id']}"),
        ("GET", f"/project/{uuid}/discussion"),
        ("GET", f"/project/{uuid}/discussion/files"),
    ):
        r = client.request(method, f"{BASE}{path}", headers=key_of(stranger))
        assert r.status_code == 404, (method, path, r.text)
        assert r.json()["status_code"] == 404
    reply = client.post(
        f"{BASE}/project/{uuid}/discussion",
        json={"discussion_id": thread["id"], "body": "hi"},
        headers=key_of(stranger),
    )
    assert reply.status_code == 404
    upload = _upload(client, stranger, f"/project/{uuid}/task/{task['id']}/files", "b.txt", b"mine")
    assert upload.status_code == 404
    # Their own project cannot reach the owner's thread or file either.
    theirs = new_project(client, stranger)
    reply = client.post(
        f"{BASE}/project/{theirs['uuid']}/discussion",
        json={"discussion_id": thread["id"], "body": "hi"},
        headers=key_of(stranger),
    )
    assert reply.status_code == 404
    fetched = client.get(f"{BASE}/project/{theirs['uuid']}/files/{stored['id']}/download", headers=key_of(stranger))
    assert fetched.status_code == 404
    # The owner's file is whole.
    got = client.get(f"{BASE}/project/{uuid}/files/{stored['id']}/download", headers=key_of(owner))
    assert got.content == b"secret words"


def test_the_docs_page_and_document_are_served(client: httpx.Client) -> None:
    page = client.get(f"{BASE}/docs")
    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
    assert "/api/public-v1/openapi.json" in page.text
    document = client.get(f"{BASE}/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    assert document["components"]["securitySchemes"]["secretKey"]["name"] == "X-Secret-Key"
    operations = [op for item in document["paths"].values() for op in item.values()]
    assert len(operations) == 51  # the document's 50 and a project file's download
    assert all(op["security"] == [{"secretKey": []}] for op in operations)
