"""TaskIP containers over HTTP: create, rename, colour, order, move every task, and delete
(refused while tasks remain unless they have somewhere to go)."""

from __future__ import annotations

import httpx

from tests.api.taskip.conftest import BASE, key_of, new_container, new_project, new_task
from tests.factories.people import Person


def _containers(client: httpx.Client, owner: Person, uuid: str) -> list[dict[str, object]]:
    shown = client.get(f"{BASE}/project/{uuid}", headers=key_of(owner))
    assert shown.status_code == 200, shown.text
    containers: list[dict[str, object]] = shown.json()["data"]["containers"]
    return containers


def test_create_rename_colour_and_order(client: httpx.Client, owner: Person) -> None:
    project = new_project(client, owner)
    uuid = project["uuid"]
    todo = new_container(client, owner, uuid, name="To do", color="#ff0000")
    doing = new_container(client, owner, uuid, title="Doing")
    done = new_container(client, owner, uuid, name="Done", colour="green")
    assert (todo["color"], doing["color"], done["color"]) == ("#ff0000", None, "green")
    assert [c["name"] for c in _containers(client, owner, uuid)] == ["To do", "Doing", "Done"]

    r = client.put(
        f"{BASE}/project/{uuid}/container/{doing['id']}/rename", json={"name": "In progress"}, headers=key_of(owner)
    )
    assert r.status_code == 200, r.text
    assert r.json()["data"]["name"] == "In progress"
    r = client.post(
        f"{BASE}/project/{uuid}/container/{doing['id']}/change-color", json={"color": "#00f"}, headers=key_of(owner)
    )
    assert r.status_code == 200, r.text
    assert r.json()["data"]["color"] == "#00f"
    r = client.post(
        f"{BASE}/project/{uuid}/container/change-order",
        json={"container_ids": [done["id"], todo["id"]]},
        headers=key_of(owner),
    )
    assert r.status_code == 200, r.text
    assert [c["name"] for c in r.json()["data"]] == ["Done", "To do", "In progress"]
    assert [c["name"] for c in _containers(client, owner, uuid)] == ["Done", "To do", "In progress"]
    # The same columns through /v1, with their colour.
    sections = client.get(f"/v1/projects/project_{project['id']}/sections", headers=owner.headers).json()["data"]
    assert [(s["attributes"]["name"], s["attributes"]["color"]) for s in sections] == [
        ("Done", "green"),
        ("To do", "#ff0000"),
        ("In progress", "#00f"),
    ]


def test_move_all_tasks_and_delete(client: httpx.Client, owner: Person) -> None:
    project = new_project(client, owner)
    uuid = project["uuid"]
    old = new_container(client, owner, uuid, name="Old")
    new = new_container(client, owner, uuid, name="New")
    tasks = [new_task(client, owner, uuid, title=f"T{i}", container_id=old["id"]) for i in range(3)]

    refused = client.delete(f"{BASE}/project/{uuid}/container/{old['id']}/delete", headers=key_of(owner))
    assert refused.status_code == 409, refused.text
    assert refused.json()["status_code"] == 409
    assert "move_to" in refused.json()["errors"]
    assert len(_containers(client, owner, uuid)) == 2

    r = client.post(
        f"{BASE}/project/{uuid}/container/{old['id']}/move-all-tasks",
        json={"target_container_id": new["id"]},
        headers=key_of(owner),
    )
    assert r.status_code == 200, r.text
    assert r.json()["data"]["moved_tasks"] == 3
    listed = client.get(f"{BASE}/project/{uuid}/task", params={"container_id": new["id"]}, headers=key_of(owner))
    assert [t["id"] for t in listed.json()["data"]] == [t["id"] for t in tasks]

    emptied = client.delete(f"{BASE}/project/{uuid}/container/{old['id']}/delete", headers=key_of(owner))
    assert emptied.status_code == 204
    # Deleting a full one with somewhere to move its tasks.
    last = new_container(client, owner, uuid, name="Last")
    r = client.delete(
        f"{BASE}/project/{uuid}/container/{new['id']}/delete", params={"move_to": last["id"]}, headers=key_of(owner)
    )
    assert r.status_code == 204, r.text
    assert [c["name"] for c in _containers(client, owner, uuid)] == ["Last"]
    in_last = client.get(f"{BASE}/project/{uuid}/task", params={"container_id": last["id"]}, headers=key_of(owner))
    assert in_last.json()["meta"]["total"] == 3


def test_bad_container_input(client: httpx.Client, owner: Person) -> None:
    project = new_project(client, owner)
    uuid = project["uuid"]
    other = new_project(client, owner, name="Other")
    foreign = new_container(client, owner, other["uuid"])
    mine = new_container(client, owner, uuid)
    new_task(client, owner, uuid, container_id=mine["id"])
    base = f"{BASE}/project/{uuid}/container"
    for method, path, body, field in (
        ("POST", "", {}, "name"),
        ("POST", "", {"name": "x", "color": "not a colour!"}, "color"),
        ("PUT", f"/{mine['id']}/rename", {"name": ""}, "name"),
        ("POST", f"/{mine['id']}/change-color", {"color": "#12345"}, "color"),
        ("POST", "/change-order", {"container_ids": [foreign["id"]]}, "container_ids[0]"),
        ("POST", "/change-order", {"container_ids": [mine["id"], mine["id"]]}, "container_ids[1]"),
        ("POST", f"/{mine['id']}/move-all-tasks", {"to_container_id": foreign["id"]}, "to_container_id"),
        ("POST", f"/{mine['id']}/move-all-tasks", {"to_container_id": mine["id"]}, "to_container_id"),
    ):
        r = client.request(method, f"{base}{path}", json=body, headers=key_of(owner))
        assert r.status_code == 422, (path, body, r.text)
        assert field in r.json()["errors"], (path, body, r.json())
    r = client.delete(f"{base}/{mine['id']}/delete", params={"move_to": foreign["id"]}, headers=key_of(owner))
    assert r.status_code == 422
    assert "move_to" in r.json()["errors"]
    assert client.put(f"{base}/{foreign['id']}/rename", json={"name": "x"}, headers=key_of(owner)).status_code == 404
    # Nothing moved or went.
    assert [c["id"] for c in _containers(client, owner, uuid)] == [mine["id"]]
    tasks = client.get(f"{BASE}/project/{uuid}/task", headers=key_of(owner)).json()["data"]
    assert [t["container_id"] for t in tasks] == [mine["id"]]
