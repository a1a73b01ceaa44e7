"""GET/POST /api/departments, GET /api/departments/{id} and /stats over the home workspace's
departments (the same rows /v1 shows)."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from tests.factories.people import Person

SignedIn = Callable[..., tuple[Person, httpx.Client]]
QA = {"name": "Quality Assurance", "description": "Software testing and quality control department"}


def test_create_as_the_doc_shows_and_read_it_back(signed_in: SignedIn, client: httpx.Client) -> None:
    boss, c = signed_in("admin", role="admin")
    r = c.post("/api/departments", json=QA)
    assert r.status_code == 201, r.text
    assert r.json()["message"] == "Department created successfully"
    department = r.json()["data"]["department"]
    assert department == {**QA, "id": department["id"], "created_at": department["created_at"],
                          "updated_at": department["updated_at"]}  # fmt: skip
    assert c.get(f"/api/departments/{department['id']}").json()["data"]["department"] == department
    # /v1 sees the same row.
    v1 = client.get(f"/v1/departments/department_{department['id']}", headers=boss.headers)
    assert v1.status_code == 200, v1.text
    assert v1.json()["data"]["attributes"]["name"] == "Quality Assurance"
    listed = c.get("/api/departments")
    assert listed.json()["data"]["departments"] == [department]
    assert listed.json()["pagination"] == {"page": 1, "per_page": 10, "total": 1, "pages": 1}


def test_the_list_is_paged_by_name(signed_in: SignedIn) -> None:
    _, c = signed_in("ada", role="admin")
    for name in ("Sales", "Engineering", "Design"):
        assert c.post("/api/departments", json={"name": name}).status_code == 201
    r = c.get("/api/departments", params={"per_page": 2, "page": 2})
    assert [d["name"] for d in r.json()["data"]["departments"]] == ["Sales"]
    assert r.json()["pagination"] == {"page": 2, "per_page": 2, "total": 3, "pages": 2}
    assert [d["name"] for d in c.get("/api/departments").json()["data"]["departments"]] == [
        "Design",
        "Engineering",
        "Sales",
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "name"), ({"name": ""}, "name"), ({"name": "QA", "colour": "red"}, "colour"), ({"name": 7}, "name")],
)
def test_a_bad_body_is_a_422_naming_the_field(signed_in: SignedIn, body: dict[str, object], field: str) -> None:
    _, c = signed_in("bo", role="admin")
    r = c.post("/api/departments", json=body)
    assert r.status_code == 422, r.text
    assert list(r.json()["data"]["errors"]) == [field]
    assert c.get("/api/departments").json()["pagination"]["total"] == 0


def test_a_taken_name_is_a_422_naming_it(signed_in: SignedIn) -> None:
    _, c = signed_in("cy", role="admin")
    assert c.post("/api/departments", json=QA).status_code == 201
    r = c.post("/api/departments", json={"name": "quality assurance"})
    assert r.status_code == 422, r.text
    assert list(r.json()["data"]["errors"]) == ["name"]
    # Letters SQLite's lower() does not fold: the same name twice is a 422 too, never a 500.
    assert c.post("/api/departments", json={"name": "Ãrea Ω"}).status_code == 201
    again = c.post("/api/departments", json={"name": "Ãrea Ω"})
    assert again.status_code == 422, again.text
    assert list(again.json()["data"]["errors"]) == ["name"]


def test_stats(signed_in: SignedIn, client: httpx.Client) -> None:
    boss, c = signed_in("dee", role="admin")
    dep = c.post("/api/departments", json=QA).json()["data"]["department"]["id"]
    made = c.post(
        "/api/users",
        json={"username": "tess", "email": "tess@taskflow.com", "password": "securepassword123", "department_id": dep},
    )
    assert made.status_code == 201, made.text
    tess = made.json()["data"]["user"]["id"]
    pid = c.post("/api/projects", json={"name": "Tested"}).json()["data"]["project"]["id"]
    for name, status, people in [("One", "completed", [tess]), ("Two", "pending", [tess]), ("Three", None, [])]:
        body = {"name": name, **({"status": status} if status else {}), "assignee_ids": [f"user_{u}" for u in people]}
        assert client.post(f"/v1/projects/project_{pid}/tasks", json=body, headers=boss.headers).status_code == 201
    r = c.get(f"/api/departments/{dep}/stats")
    assert r.status_code == 200, r.text
    assert r.json()["data"]["stats"] == {
        "department_id": dep,
        "name": "Quality Assurance",
        "members_count": 1,
        "total_tasks": 2,
        "completed_tasks": 1,
        "pending_tasks": 1,
        "completion_rate": 50.0,
        "total_hours": 0.0,
        "active_projects": 1,
    }
    assert '"completion_rate":50.0,' in r.text
    assert '"total_hours":0.00,' in r.text


def test_another_workspaces_department_is_a_404(signed_in: SignedIn) -> None:
    _, c = signed_in("eve", role="admin")
    dep = c.post("/api/departments", json=QA).json()["data"]["department"]["id"]
    _, s = signed_in("stranger", role="admin")
    for url in (f"/api/departments/{dep}", f"/api/departments/{dep}/stats", f"/api/departments/{dep + 1000}"):
        r = s.get(url)
        assert r.status_code == 404, (url, r.text)
        assert r.json()["data"]["error_code"] == "NOT_FOUND"
    assert s.get("/api/departments").json()["pagination"]["total"] == 0


@pytest.mark.parametrize(
    ("method", "url"),
    [("GET", "/api/departments"), ("POST", "/api/departments"), ("GET", "/api/departments/1"),
     ("GET", "/api/departments/1/stats")],
)  # fmt: skip
def test_without_credentials_is_a_401(client: httpx.Client, method: str, url: str) -> None:
    r = client.request(method, url, json=QA if method == "POST" else None)
    assert r.status_code == 401, r.text
    assert r.json()["data"]["error_code"] == "AUTH_REQUIRED"


def test_a_user_cannot_create_nor_see_stats(signed_in: SignedIn) -> None:
    _, c = signed_in("ula", role="user")
    r = c.post("/api/departments", json=QA)
    assert r.status_code == 403, r.text
    assert r.json()["data"] == {"error_code": "PERMISSION_DENIED", "required_role": "admin", "current_role": "user"}
    r = c.get("/api/departments/1/stats")
    assert r.status_code == 403, r.text
    assert r.json()["data"] == {"error_code": "PERMISSION_DENIED", "required_role": "manager", "current_role": "user"}
    assert c.get("/api/departments").status_code == 200
