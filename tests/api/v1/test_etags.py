"""ETag on single resources and writes, If-None-Match (304) and If-Match (412) in the native error shape."""

from __future__ import annotations

import httpx

from polytask.core.db import Database
from tests.factories.people import make_person
from tests.factories.work import make_project, make_task


def test_etags_on_reads_and_writes_agree(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    created = client.post(f"/v1/projects/{project}/tasks", json={"name": "Tagged"}, headers=alice.headers)
    task = created.json()["data"]["id"]
    got = client.get(f"/v1/tasks/{task}", headers=alice.headers)
    assert got.headers["etag"] == created.headers["etag"]
    assert got.headers["etag"].startswith('"')
    # The validator covers the whole resource, whatever fields= selects.
    assert client.get(f"/v1/tasks/{task}?fields=name", headers=alice.headers).headers["etag"] == got.headers["etag"]
    assert (
        client.get(f"/v1/projects/{project}/tasks/{task}", headers=alice.headers).headers["etag"] == got.headers["etag"]
    )
    patched = client.patch(f"/v1/tasks/{task}", json={"progress": 10}, headers=alice.headers)
    assert patched.headers["etag"] != got.headers["etag"]
    assert client.get(f"/v1/tasks/{task}", headers=alice.headers).headers["etag"] == patched.headers["etag"]
    assert "etag" not in client.get(f"/v1/projects/{project}/tasks", headers=alice.headers).headers
    assert client.get(f"/v1/projects/{project}", headers=alice.headers).headers["etag"]


def test_if_none_match_gives_304_until_it_changes(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    task = make_task(client, alice, project)["id"]
    etag = client.get(f"/v1/tasks/{task}", headers=alice.headers).headers["etag"]
    r = client.get(f"/v1/tasks/{task}", headers={**alice.headers, "If-None-Match": etag})
    assert r.status_code == 304
    assert r.content == b""
    assert r.headers["etag"] == etag
    r = client.get(f"/v1/tasks/{task}", headers={**alice.headers, "If-None-Match": f'"other", W/{etag}'})
    assert r.status_code == 304
    client.patch(f"/v1/tasks/{task}", json={"name": "Renamed"}, headers=alice.headers)
    r = client.get(f"/v1/tasks/{task}", headers={**alice.headers, "If-None-Match": etag})
    assert r.status_code == 200
    assert r.json()["data"]["attributes"]["name"] == "Renamed"
    # Another user's If-None-Match never reveals anything: still a 404.
    mallory = make_person(db)
    assert client.get(f"/v1/tasks/{task}", headers={**mallory.headers, "If-None-Match": "*"}).status_code == 404


def test_if_match_guards_updates_and_deletes(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    task = make_task(client, alice, project)["id"]
    etag = client.get(f"/v1/tasks/{task}", headers=alice.headers).headers["etag"]
    ok = client.patch(f"/v1/tasks/{task}", json={"progress": 20}, headers={**alice.headers, "If-Match": etag})
    assert ok.status_code == 200
    fresh = ok.headers["etag"]
    stale = client.put(f"/v1/tasks/{task}", json={"progress": 90}, headers={**alice.headers, "If-Match": etag})
    assert stale.status_code == 412
    err = stale.json()["error"]
    assert err["code"] == "PRECONDITION_FAILED"
    assert err["details"]["current_etag"] == fresh
    assert client.get(f"/v1/tasks/{task}", headers=alice.headers).json()["data"]["attributes"]["progress"] == 20
    assert client.delete(f"/v1/tasks/{task}", headers={**alice.headers, "If-Match": etag}).status_code == 412
    assert client.get(f"/v1/tasks/{task}", headers=alice.headers).status_code == 200
    # A failing write under If-Match changes nothing either.
    bad = client.patch(f"/v1/tasks/{task}", json={"status": "nope"}, headers={**alice.headers, "If-Match": fresh})
    assert bad.status_code == 422
    assert client.delete(f"/v1/tasks/{task}", headers={**alice.headers, "If-Match": fresh}).status_code == 204
    assert client.get(f"/v1/tasks/{task}", headers=alice.headers).status_code == 404
    assert client.delete(f"/v1/tasks/{task}", headers={**alice.headers, "If-Match": "*"}).status_code == 404


def test_if_match_star_and_projects(client: httpx.Client, db: Database) -> None:
    alice, mallory = make_person(db), make_person(db)
    project = make_project(client, alice)
    r = client.patch(f"/v1/projects/{project}", json={"name": "New"}, headers={**alice.headers, "If-Match": "*"})
    assert r.status_code == 200
    etag = r.headers["etag"]
    r = client.patch(f"/v1/projects/{project}", json={"name": "Mine"}, headers={**mallory.headers, "If-Match": etag})
    assert r.status_code == 404
    r = client.patch(f"/v1/projects/{project}", json={"name": "Newer"}, headers={**alice.headers, "If-Match": etag})
    assert r.status_code == 200
    assert r.headers["etag"] != etag
