"""TaskIP project attributes over HTTP: the workspace's tags and categories, renamed and
deleted under the projects carrying them, and bulk tag and category changes."""

from __future__ import annotations

import httpx

from tests.api.taskip.conftest import BASE, key_of, new_project
from tests.factories.people import Person

ATTR = f"{BASE}/project/attribute"


def test_create_list_rename_and_delete(client: httpx.Client, owner: Person) -> None:
    tag = client.post(ATTR, json={"type": "tag", "name": "urgent", "color": "#f00"}, headers=key_of(owner))
    assert tag.status_code == 201, tag.text
    category = client.post(ATTR, json={"kind": "category", "name": "Internal"}, headers=key_of(owner))
    assert category.status_code == 201, category.text
    listed = client.get(f"{ATTR}/all", headers=key_of(owner)).json()
    # By type (tags, then categories), then name.
    assert [(a["type"], a["name"]) for a in listed["data"]] == [("tag", "urgent"), ("category", "Internal")]
    assert listed["meta"]["total"] == 2
    tags_only = client.get(f"{ATTR}/all", params={"type": "tag"}, headers=key_of(owner)).json()["data"]
    assert [a["name"] for a in tags_only] == ["urgent"]

    duplicate = client.post(ATTR, json={"type": "tag", "name": "URGENT"}, headers=key_of(owner))
    assert duplicate.status_code == 409, duplicate.text
    assert duplicate.json()["status_code"] == 409

    project = new_project(client, owner, tags=[tag.json()["data"]["id"]], category_id=category.json()["data"]["id"])
    assert [t["name"] for t in project["tags"]] == ["urgent"]
    renamed = client.put(f"{ATTR}/{tag.json()['data']['id']}/update", json={"name": "asap"}, headers=key_of(owner))
    assert renamed.status_code == 200, renamed.text
    shown = client.get(f"{BASE}/project/{project['uuid']}", headers=key_of(owner)).json()["data"]
    assert [t["name"] for t in shown["tags"]] == ["asap"]

    gone = client.delete(f"{ATTR}/{category.json()['data']['id']}/delete", headers=key_of(owner))
    assert gone.status_code == 204
    shown = client.get(f"{BASE}/project/{project['uuid']}", headers=key_of(owner)).json()["data"]
    assert shown["category"] is None
    assert client.delete(f"{ATTR}/{category.json()['data']['id']}/delete", headers=key_of(owner)).status_code == 404
    types = [e["attributes"]["type"] for e in client.get("/v1/events", headers=owner.headers).json()["data"]]
    assert {"project_attribute.created", "project_attribute.updated", "project_attribute.deleted"} <= set(types)


def test_bulk_tags_and_categories(client: httpx.Client, owner: Person) -> None:
    one = new_project(client, owner, name="One")
    two = new_project(client, owner, name="Two")
    r = client.post(
        f"{ATTR}/tags/update",
        json={"projects": [one["uuid"], two["uuid"]], "tags": ["web", "q3"]},
        headers=key_of(owner),
    )
    assert r.status_code == 200, r.text
    assert [sorted(t["name"] for t in p["tags"]) for p in r.json()["data"]] == [["q3", "web"], ["q3", "web"]]
    r = client.post(
        f"{ATTR}/tags/update",
        json={"project_uuid": one["uuid"], "tags": ["q3"], "action": "remove"},
        headers=key_of(owner),
    )
    assert [t["name"] for t in r.json()["data"][0]["tags"]] == ["web"]
    r = client.post(
        f"{ATTR}/tags/update", json={"project_id": one["id"], "tags": ["new"], "action": "add"}, headers=key_of(owner)
    )
    assert sorted(t["name"] for t in r.json()["data"][0]["tags"]) == ["new", "web"]
    r = client.post(
        f"{ATTR}/categories/update",
        json={"projects": [one["uuid"], two["uuid"]], "category": "Client work"},
        headers=key_of(owner),
    )
    assert r.status_code == 200, r.text
    assert {p["category"]["name"] for p in r.json()["data"]} == {"Client work"}
    vocabulary = client.get(f"{ATTR}/all", headers=key_of(owner)).json()["data"]
    assert sorted((a["type"], a["name"]) for a in vocabulary) == [
        ("category", "Client work"),
        ("tag", "new"),
        ("tag", "q3"),
        ("tag", "web"),
    ]
    types = [e["attributes"]["type"] for e in client.get("/v1/events", headers=owner.headers).json()["data"]]
    assert types.count("project.tags_changed") == 4


def test_bad_attribute_input(client: httpx.Client, owner: Person, stranger: Person) -> None:
    mine = new_project(client, owner)
    theirs = new_project(client, stranger)
    for body, field in (
        ({"name": "x"}, "kind"),
        ({"type": "label", "name": "x"}, "kind"),
        ({"type": "tag", "name": ""}, "name"),
        ({"type": "tag", "name": "x" * 101}, "name"),
        ({"type": "tag", "name": "x", "color": "???"}, "color"),
    ):
        r = client.post(ATTR, json=body, headers=key_of(owner))
        assert r.status_code == 422, (body, r.text)
        assert field in r.json()["errors"], (body, r.json())
    r = client.post(f"{ATTR}/tags/update", json={"tags": ["x"]}, headers=key_of(owner))
    assert r.status_code == 422
    assert "projects" in r.json()["errors"]
    r = client.post(f"{ATTR}/tags/update", json={"projects": [theirs["uuid"]], "tags": ["x"]}, headers=key_of(owner))
    assert r.status_code == 404
    r = client.post(f"{ATTR}/tags/update", json={"projects": [mine["uuid"]], "tags": [99999]}, headers=key_of(owner))
    assert r.status_code == 422
    assert "tags[0]" in r.json()["errors"]
    their_tag = client.post(ATTR, json={"type": "tag", "name": "secret"}, headers=key_of(stranger)).json()["data"]
    assert client.put(f"{ATTR}/{their_tag['id']}/update", json={"name": "x"}, headers=key_of(owner)).status_code == 404
    assert client.delete(f"{ATTR}/{their_tag['id']}/delete", headers=key_of(owner)).status_code == 404
    r = client.post(
        f"{ATTR}/tags/update", json={"projects": [mine["uuid"]], "tags": [their_tag["id"]]}, headers=key_of(owner)
    )
    assert r.status_code == 422
    # Nothing was written for the refused requests.
    assert client.get(f"{ATTR}/all", headers=key_of(owner)).json()["data"] == []
    shown = client.get(f"{BASE}/project/{mine['uuid']}", headers=key_of(owner)).json()["data"]
    assert shown["tags"] == []
