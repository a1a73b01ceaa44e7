"""GET/POST /api/departments, GET/PUT/DELETE /api/departments/{id} and /stats over the home
workspace's departments (the same rows /v1 shows)."""

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
    for method in ("PUT", "DELETE"):
        r = s.request(method, f"/api/departments/{dep}", json={"name": "Taken over"} if method == "PUT" else None)
        assert r.status_code == 404, (method, r.text)
    assert c.get(f"/api/departments/{dep}").json()["data"]["department"]["name"] == QA["name"]
    assert s.get("/api/departments").json()["pagination"]["total"] == 0


@pytest.mark.parametrize(
    ("method", "url"),
    [("GET", "/api/departments"), ("POST", "/api/departments"), ("GET", "/api/departments/1"),
     ("GET", "/api/departments/1/stats"), ("PUT", "/api/departments/1"), ("DELETE", "/api/departments/1")],
)  # fmt: skip
def test_without_credentials_is_a_401(client: httpx.Client, method: str, url: str) -> None:
    r = client.request(method, url, json=QA if method in ("POST", "PUT") else None)
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


def _teammate(c: httpx.Client, username: str, department_id: int) -> int:
    made = c.post(
        "/api/users",
        json={"username": username, "email": f"{username}@taskflow.com", "password": "securepassword123",
              "department_id": department_id},
    )  # fmt: skip
    assert made.status_code == 201, made.text
    return int(made.json()["data"]["user"]["id"])


def test_update_renames_and_the_members_label_follows(signed_in: SignedIn) -> None:
    _, c = signed_in("fay", role="admin")
    dep = c.post("/api/departments", json=QA).json()["data"]["department"]
    tess = _teammate(c, "tess", dep["id"])
    r = c.put(f"/api/departments/{dep['id']}", json={"name": "Testing"})
    assert r.status_code == 200, r.text
    assert r.json()["message"] == "Department updated successfully"
    changed = r.json()["data"]["department"]
    assert (changed["name"], changed["description"]) == ("Testing", QA["description"])
    assert c.get(f"/api/departments/{dep['id']}").json()["data"]["department"] == changed
    assert c.get(f"/api/users/{tess}").json()["data"]["user"]["department"] == "Testing"


@pytest.mark.parametrize(
    ("body", "field"),
    [({"name": None}, "name"), ({"name": ""}, "name"), ({"description": None}, "description"),
     ({"colour": "red"}, "colour"), ({"name": "sales"}, "name")],
)  # fmt: skip
def test_a_bad_update_is_a_422_naming_the_field(signed_in: SignedIn, body: dict[str, object], field: str) -> None:
    _, c = signed_in("gil", role="admin")
    assert c.post("/api/departments", json={"name": "Sales"}).status_code == 201
    dep = c.post("/api/departments", json=QA).json()["data"]["department"]
    r = c.put(f"/api/departments/{dep['id']}", json=body)
    assert r.status_code == 422, r.text
    assert list(r.json()["data"]["errors"]) == [field]
    assert c.get(f"/api/departments/{dep['id']}").json()["data"]["department"] == dep


def test_delete_leaves_its_members_in_no_department(signed_in: SignedIn) -> None:
    _, c = signed_in("hal", role="admin")
    dep = c.post("/api/departments", json=QA).json()["data"]["department"]["id"]
    tess = _teammate(c, "tess2", dep)
    r = c.delete(f"/api/departments/{dep}")
    assert r.status_code == 200, r.text
    assert r.json()["message"] == "Department deleted successfully"
    assert r.json()["data"] == {}
    assert c.get(f"/api/departments/{dep}").status_code == 404
    assert c.delete(f"/api/departments/{dep}").status_code == 404
    user = c.get(f"/api/users/{tess}").json()["data"]["user"]
    assert (user["department_id"], user["active"]) == (None, True)


def test_a_manager_cannot_change_nor_delete(signed_in: SignedIn) -> None:
    _, boss = signed_in("ivy", role="admin")
    dep = boss.post("/api/departments", json=QA).json()["data"]["department"]["id"]
    _, c = signed_in("max", role="manager")
    for method in ("PUT", "DELETE"):
        r = c.request(method, f"/api/departments/{dep}", json={"name": "Mine"} if method == "PUT" else None)
        assert r.status_code == 403, r.text
        assert r.json()["data"] == {"error_code": "PERMISSION_DENIED", "required_role": "admin",
                                    "current_role": "manager"}  # fmt: skip
    assert boss.get(f"/api/departments/{dep}").json()["data"]["department"]["name"] == QA["name"]


def test_stats_take_a_period(signed_in: SignedIn, client: httpx.Client) -> None:
    boss, c = signed_in("jo", role="admin")
    dep = c.post("/api/departments", json=QA).json()["data"]["department"]["id"]
    tess = _teammate(c, "tess3", dep)
    pid = c.post("/api/projects", json={"name": "Timed"}).json()["data"]["project"]["id"]
    for day, minutes in (("2026-05-10", 90), ("2026-06-02", 30)):
        r = client.post(
            f"/v1/projects/project_{pid}/time-entries",
            json={"minutes": minutes, "spent_on": day, "user_id": f"user_{tess}"},
            headers=boss.headers,
        )
        assert r.status_code == 201, r.text
    whole = c.get(f"/api/departments/{dep}/stats").json()["data"]["stats"]
    june = c.get(f"/api/departments/{dep}/stats", params={"start_date": "2026-06-01", "end_date": "2026-06-30"})
    assert (whole["total_hours"], june.json()["data"]["stats"]["total_hours"]) == (2.0, 0.5)
