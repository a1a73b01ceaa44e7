"""GET/POST /api/projects/{project_id}/risks, GET/PUT/DELETE /api/risks/{id} over the risks of
the home workspace's projects (the same rows /v1 shows)."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from tests.factories.people import Person

SignedIn = Callable[..., tuple[Person, httpx.Client]]
RISK = {
    "title": "Technical Complexity Risk",
    "description": "High technical complexity may lead to delays",
    "severity": "high",
    "probability": "medium",
    "impact": "schedule",
    "mitigation_plan": "Engage senior developers and provide additional training",
}
OUTCOME = {
    "status": "mitigated",
    "actual_impact": "minimal",
    "resolution_notes": "Risk successfully managed through proactive measures",
}


def _project(c: httpx.Client) -> int:
    r = c.post("/api/projects", json={"name": "Risky"})
    assert r.status_code == 201, r.text
    return int(r.json()["data"]["project"]["id"])


def test_raise_and_resolve_as_the_doc_shows(signed_in: SignedIn, client: httpx.Client) -> None:
    boss, c = signed_in("admin", role="admin")
    pid = _project(c)
    r = c.post(f"/api/projects/{pid}/risks", json=RISK)
    assert r.status_code == 201, r.text
    assert r.json()["message"] == "Risk created successfully"
    risk = r.json()["data"]["risk"]
    assert risk == {
        **RISK,
        "id": risk["id"],
        "project_id": pid,
        "status": "active",
        "actual_impact": None,
        "resolution_notes": None,
        "created_at": risk["created_at"],
        "updated_at": risk["updated_at"],
    }
    assert c.get(f"/api/risks/{risk['id']}").json()["data"]["risk"] == risk
    listed = c.get(f"/api/projects/{pid}/risks")
    assert listed.json()["data"]["risks"] == [risk]
    assert listed.json()["pagination"] == {"page": 1, "per_page": 10, "total": 1, "pages": 1}
    r = c.put(f"/api/risks/{risk['id']}", json=OUTCOME)
    assert r.status_code == 200, r.text
    done = r.json()["data"]["risk"]
    assert {k: done[k] for k in OUTCOME} == OUTCOME
    assert done["title"] == RISK["title"]
    # The project shows it, and /v1 sees the same row.
    shown = c.get(f"/api/projects/{pid}").json()["data"]["project"]["risks"]
    assert [(x["id"], x["status"]) for x in shown] == [(risk["id"], "mitigated")]
    v1 = client.get(f"/v1/risks/risk_{risk['id']}", headers=boss.headers)
    assert v1.status_code == 200, v1.text
    assert v1.json()["data"]["attributes"]["status"] == "mitigated"
    # The other fields change too; null clears the outcome.
    r = c.put(f"/api/risks/{risk['id']}", json={"severity": "critical", "actual_impact": None})
    assert (r.json()["data"]["risk"]["severity"], r.json()["data"]["risk"]["actual_impact"]) == ("critical", None)
    r = c.delete(f"/api/risks/{risk['id']}")
    assert r.status_code == 200, r.text
    assert r.json()["data"] == {}
    assert c.get(f"/api/risks/{risk['id']}").status_code == 404


def test_the_list_is_paged_oldest_first(signed_in: SignedIn) -> None:
    _, c = signed_in("ada", role="manager")
    pid = _project(c)
    for title in ("First", "Second", "Third"):
        assert c.post(f"/api/projects/{pid}/risks", json={"title": title}).status_code == 201
    r = c.get(f"/api/projects/{pid}/risks", params={"per_page": 2, "page": 2})
    assert [x["title"] for x in r.json()["data"]["risks"]] == ["Third"]
    assert r.json()["pagination"] == {"page": 2, "per_page": 2, "total": 3, "pages": 2}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "title"),
        ({"title": ""}, "title"),
        ({"title": "x", "severity": "dire"}, "severity"),
        ({"title": "x", "probability": 3}, "probability"),
        ({"title": "x", "colour": "red"}, "colour"),
        ({"title": "x", "status": "mitigated"}, "status"),
    ],
)
def test_a_bad_body_is_a_422_naming_the_field(signed_in: SignedIn, body: dict[str, object], field: str) -> None:
    _, c = signed_in("bo", role="manager")
    pid = _project(c)
    r = c.post(f"/api/projects/{pid}/risks", json=body)
    assert r.status_code == 422, r.text
    assert list(r.json()["data"]["errors"]) == [field]
    assert c.get(f"/api/projects/{pid}/risks").json()["pagination"]["total"] == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [({"status": "gone"}, "status"), ({"title": None}, "title"), ({"severity": None}, "severity"),
     ({"colour": "red"}, "colour")],
)  # fmt: skip
def test_a_bad_update_is_a_422_naming_the_field(signed_in: SignedIn, body: dict[str, object], field: str) -> None:
    _, c = signed_in("cy", role="manager")
    rid = c.post(f"/api/projects/{_project(c)}/risks", json=RISK).json()["data"]["risk"]["id"]
    r = c.put(f"/api/risks/{rid}", json=body)
    assert r.status_code == 422, r.text
    assert list(r.json()["data"]["errors"]) == [field]


def test_another_workspaces_risk_is_a_404(signed_in: SignedIn) -> None:
    _, c = signed_in("eve", role="admin")
    pid = _project(c)
    rid = c.post(f"/api/projects/{pid}/risks", json=RISK).json()["data"]["risk"]["id"]
    _, s = signed_in("stranger", role="admin")
    for method, url, body in [
        ("GET", f"/api/projects/{pid}/risks", None),
        ("POST", f"/api/projects/{pid}/risks", RISK),
        ("GET", f"/api/risks/{rid}", None),
        ("PUT", f"/api/risks/{rid}", OUTCOME),
        ("DELETE", f"/api/risks/{rid}", None),
        ("GET", f"/api/risks/{rid + 1000}", None),
    ]:
        r = s.request(method, url, json=body)
        assert r.status_code == 404, (method, url, r.text)
        assert r.json()["data"]["error_code"] == "NOT_FOUND"
    assert c.get(f"/api/risks/{rid}").json()["data"]["risk"]["status"] == "active"


@pytest.mark.parametrize(
    ("method", "url"),
    [("GET", "/api/projects/1/risks"), ("POST", "/api/projects/1/risks"), ("GET", "/api/risks/1"),
     ("PUT", "/api/risks/1"), ("DELETE", "/api/risks/1")],
)  # fmt: skip
def test_without_credentials_is_a_401(client: httpx.Client, method: str, url: str) -> None:
    r = client.request(method, url, json=RISK if method in ("POST", "PUT") else None)
    assert r.status_code == 401, r.text
    assert r.json()["data"]["error_code"] == "AUTH_REQUIRED"


def test_a_user_cannot_delete_a_risk(signed_in: SignedIn) -> None:
    _, c = signed_in("max", role="manager")
    rid = c.post(f"/api/projects/{_project(c)}/risks", json=RISK).json()["data"]["risk"]["id"]
    _, u = signed_in("ula", role="user")
    r = u.delete(f"/api/risks/{rid}")
    assert r.status_code == 403, r.text
    assert r.json()["data"] == {"error_code": "PERMISSION_DENIED", "required_role": "manager", "current_role": "user"}
