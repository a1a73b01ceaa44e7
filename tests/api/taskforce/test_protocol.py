"""The protocol around the endpoints: sign-up, HTTP Basic, formats, parameters, error documents."""

from __future__ import annotations

import json
from xml.etree.ElementTree import fromstring

import pytest

from polytask.api.app import create_app
from polytask.core.db import Database
from polytask.core.settings import Settings
from tests.api.taskforce.client import Serve, Taskforce, basic, checked_get, checked_post, parse
from tests.factories.people import Person, make_person

# --- sign-up ---------------------------------------------------------------------------------


def test_sign_up_is_closed_by_default(base_url: str, fmt: str) -> None:
    r = checked_post(f"{base_url}/api/v1/user.{fmt}", data={"email": "new@test.com"})
    assert r.status_code == 403
    body = parse(r, fmt)
    assert body["success"] is False
    assert "Sign-up is closed" in body["message"]


def test_open_sign_up_returns_a_working_key(settings: Settings, db: Database, serve_app: Serve, fmt: str) -> None:
    with serve_app(create_app(settings.model_copy(update={"open_signup": True}), db)) as url:
        r = checked_post(f"{url}/api/v1/user.{fmt}", data={"email": "New@Test.com", "name": "New Person"})
        assert r.status_code == 200, r.text
        body = parse(r, fmt)
        assert body["success"] is True
        assert body["api_key"].startswith("ptk_")
        me = checked_get(f"{url}/api/v1/user.json", headers=basic("new@test.com", body["api_key"])).json()
        assert me["user"]["email"] == "new@test.com"
        assert me["user"]["name"] == "New Person"
        # The same email again, and a malformed one: refused, nothing created.
        again = checked_post(f"{url}/api/v1/user.{fmt}", data={"email": "new@test.com"})
        assert again.status_code == 409
        assert parse(again, fmt)["success"] is False
        bad = checked_post(f"{url}/api/v1/user.{fmt}", data={"email": "not-an-email"})
        assert bad.status_code == 422
        assert parse(bad, fmt)["success"] is False
        missing = checked_post(f"{url}/api/v1/user.{fmt}", data={})
        assert missing.status_code == 422
        assert "email" in parse(missing, fmt)["message"]


# --- authentication --------------------------------------------------------------------------


def test_the_at_form_of_the_email_is_accepted(base_url: str, alice: Person) -> None:
    r = checked_get(f"{base_url}/api/v1/user.json", headers=basic("johndoe(at)test.com", alice.key))
    assert r.status_code == 200
    assert r.json()["user"]["email"] == "johndoe@test.com"
    upper = checked_get(f"{base_url}/api/v1/user.json", headers=basic("JohnDoe@Test.com", alice.key))
    assert upper.status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer something"},
        {"Authorization": "Basic !!!"},
        basic("johndoe@test.com", "ptk_wrong_key"),
        basic("someone-else@test.com", "KEY"),
    ],
    ids=["none", "bearer", "garbled", "wrong-key", "key-of-another-email"],
)
def test_bad_credentials_are_401(base_url: str, alice: Person, fmt: str, headers: dict[str, str]) -> None:
    if headers.get("Authorization", "").startswith("Basic") and "KEY" in str(headers):
        headers = basic("someone-else@test.com", alice.key)
    r = checked_get(f"{base_url}/api/v1/tasks.{fmt}", headers=headers)
    assert r.status_code == 401
    assert r.headers["www-authenticate"].startswith("Basic")
    body = parse(r, fmt)
    assert body["success"] is False
    assert body["code"] == "AUTHENTICATION_ERROR"
    assert body["message"]


def test_scopes_are_enforced(base_url: str, db: Database) -> None:
    reader = make_person(db, scopes=["tasks:read"])
    tf = Taskforce(base_url, reader, "json")
    assert tf.get("/tasks")["success"] is True
    denied = tf.post("/lists", {"name": "x"}, expect=403)
    assert denied["success"] is False
    assert "tasks:write" in denied["message"]
    assert tf.get("/user", expect=403)["success"] is False  # needs users:read


# --- formats ---------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["", ".xml"])
def test_xml_is_the_default_and_the_xml_suffix(base_url: str, alice: Person, suffix: str) -> None:
    r = checked_get(f"{base_url}/api/v1/user{suffix}", headers=basic(alice.email, alice.key))
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/xml")
    assert r.text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    root = fromstring(r.content)
    assert root.tag == "response"
    # Underscores become hyphens in XML names.
    assert root.findtext("user/api-key") == alice.key
    assert root.find("user/api_key") is None
    assert root.findtext("success") == "true"


def test_xml_arrays_and_types(base_url: str, alice: Person) -> None:
    tf = Taskforce(base_url, alice, "xml", suffix="")
    flagship = tf.get("/lists")["lists"][0]["id"]
    tf.post("/tasks", {"name": "a & <b>", "list_id": flagship})
    r = tf.http.get("/api/v1/tasks", headers=tf.headers)
    root = fromstring(r.content)
    tasks = root.find("tasks")
    assert tasks is not None
    assert tasks.get("type") == "array"
    [task] = list(tasks)
    assert task.tag == "task"
    assert task.findtext("name") == "a & <b>"
    assert task.find("id").get("type") == "integer"  # type: ignore[union-attr]
    assert task.find("owner").get("type") == "boolean"  # type: ignore[union-attr]
    assert task.find("due-at").get("nil") == "true"  # type: ignore[union-attr]
    lists = task.find("lists")
    assert lists is not None
    assert [child.tag for child in lists] == ["list"]


# --- parameters ------------------------------------------------------------------------------


def test_json_bodies_are_accepted(tf: Taskforce) -> None:
    flagship = tf.get("/lists")["lists"][0]["id"]
    task_id = tf.post("/tasks", {"name": "from json", "list_id": flagship}, as_json=True)["task_id"]
    tf.post(f"/tasks/{task_id}/set_due_date", {"date": "01/31/2024"}, as_json=True)
    assert tf.get(f"/tasks/{task_id}")["task"]["due_at"] == "01/31/2024"


def test_multipart_form_posts_are_accepted(tf: Taskforce) -> None:
    flagship = tf.get("/lists")["lists"][0]["id"]
    r = tf.http.post(
        tf.url("/tasks"), files={"name": (None, "from multipart"), "list_id": (None, str(flagship))}, headers=tf.headers
    )
    assert r.status_code == 200, r.text
    task_id = parse(r, tf.fmt)["task_id"]
    assert tf.get(f"/tasks/{task_id}")["task"]["name"] == "from multipart"


@pytest.mark.parametrize("style", ["repeated", "php-indexed", "comma", "json-array-field", "json-body"])
def test_task_ids_in_every_accepted_form(tf: Taskforce, style: str) -> None:
    list_id = tf.post("/lists", {"name": "L"})["list_id"]
    a, b, c = (tf.post("/tasks", {"name": n, "list_id": list_id})["task_id"] for n in "abc")
    path = f"/lists/{list_id}/reorder_tasks"
    if style == "repeated":
        tf.post(path, {"task_ids[]": [c, b, a]})
    elif style == "php-indexed":
        # What PHP's http_build_query(['task_ids' => [...]]) sends.
        tf.post(path, {"task_ids[0]": c, "task_ids[1]": b, "task_ids[2]": a})
    elif style == "comma":
        tf.post(path, {"task_ids": f"{c},{b},{a}"})
    elif style == "json-array-field":
        tf.post(path, {"task_ids": json.dumps([c, b, a])})
    else:
        tf.post(path, {"task_ids": [c, b, a]}, as_json=True)
    assert [t["id"] for t in tf.get(f"/lists/{list_id}/tasks")["tasks"]] == [c, b, a]


@pytest.mark.parametrize("bad", ["2012-03-22", "3/22/2012", "22/03/2012", "02/30/2012", "tomorrow", ""])
def test_dates_must_be_mm_dd_yyyy(tf: Taskforce, bad: str) -> None:
    flagship = tf.get("/lists")["lists"][0]["id"]
    task_id = tf.post("/tasks", {"name": "t", "list_id": flagship})["task_id"]
    body = tf.post(f"/tasks/{task_id}/set_due_date", {"date": bad}, expect=422)
    assert body["success"] is False
    assert "date" in body["message"]
    assert tf.get(f"/tasks/{task_id}")["task"]["due_at"] is None


@pytest.mark.parametrize(
    ("path", "data", "field"),
    [
        ("/tasks", {"list_id": "1"}, "name"),
        ("/tasks", {"name": "no list"}, "list_id"),
        ("/tasks", {"name": "x", "list_id": "abc"}, "list_id"),
        ("/lists", {"description": "no name"}, "name"),
    ],
)
def test_missing_or_bad_parameters_are_422(tf: Taskforce, path: str, data: dict[str, str], field: str) -> None:
    body = tf.post(path, data, expect=422)
    assert body["success"] is False
    assert field in body["message"]
    assert body["details"]["field"] == field


def test_unreadable_bodies_are_422(tf: Taskforce) -> None:
    r = tf.http.post(tf.url("/lists"), content=b"{not json", headers={**tf.headers, "Content-Type": "application/json"})
    assert r.status_code == 422
    assert parse(r, tf.fmt)["success"] is False


@pytest.mark.parametrize("raw", ["\u00b2", "\u0663", "1\u00b2"])
def test_ids_are_ascii_digits(tf: Taskforce, raw: str) -> None:
    # "²" passes str.isdigit() but not int(): it was a 500; "٣" was read as 3.
    body = tf.post("/tasks", {"name": "x", "list_id": raw}, expect=422)
    assert body["details"]["field"] == "list_id"


def test_dates_are_ascii_digits(tf: Taskforce) -> None:
    flagship = tf.get("/lists")["lists"][0]["id"]
    task_id = tf.post("/tasks", {"name": "t", "list_id": flagship})["task_id"]
    arabic = "\u0660\u0661/\u0660\u0661/\u0662\u0660\u0662\u0660"
    assert tf.post(f"/tasks/{task_id}/set_due_date", {"date": arabic}, expect=422)["details"]["field"] == "date"


def test_json_null_is_a_missing_parameter(tf: Taskforce) -> None:
    flagship = tf.get("/lists")["lists"][0]["id"]
    # It used to be read as the text "None".
    body = tf.post("/tasks", {"name": None, "list_id": flagship}, expect=422, as_json=True)
    assert body["details"]["field"] == "name"
    task_id = tf.post("/tasks", {"name": "n", "details": None, "list_id": flagship}, as_json=True)["task_id"]
    assert tf.get(f"/tasks/{task_id}")["task"]["details"] == ""
    tf.post(f"/tasks/{task_id}", {"name": None, "details": "d"}, as_json=True)
    assert tf.get(f"/tasks/{task_id}")["task"]["name"] == "n"


@pytest.mark.parametrize("value", [5, 1.5, True, ["a", "b"], {"a": 1}])
def test_json_text_parameters_are_strings(tf: Taskforce, value: object) -> None:
    # A number or an array (whose last item used to win) is not a name.
    flagship = tf.get("/lists")["lists"][0]["id"]
    body = tf.post("/tasks", {"name": value, "list_id": flagship}, expect=422, as_json=True)
    assert body["details"]["field"] == "name"


def test_json_ids_are_integers_or_their_digits(tf: Taskforce) -> None:
    flagship = tf.get("/lists")["lists"][0]["id"]
    for given in (flagship, float(flagship), f" {flagship} "):
        tf.post("/tasks", {"name": f"via {given!r}", "list_id": given}, as_json=True)
    assert tf.post("/tasks", {"name": "x", "list_id": flagship + 0.5}, expect=422, as_json=True)["details"][
        "field"
    ] == ("list_id")


@pytest.mark.parametrize("blank", ["", " ", ","])
def test_blank_task_ids_are_422(tf: Taskforce, blank: str) -> None:
    list_id = tf.post("/lists", {"name": "L"})["list_id"]
    body = tf.post(f"/lists/{list_id}/reorder_tasks", {"task_ids": blank}, expect=422)
    assert body["details"]["field"] == "task_ids"


def test_years_before_1000_keep_four_digits(tf: Taskforce) -> None:
    # strftime("%Y") wrote the year 751 as "751".
    flagship = tf.get("/lists")["lists"][0]["id"]
    task_id = tf.post("/tasks", {"name": "t", "list_id": flagship})["task_id"]
    assert tf.post(f"/tasks/{task_id}/set_start_date", {"date": "10/06/0751"})["date"] == "10/06/0751"
    assert tf.get(f"/tasks/{task_id}")["task"]["delayed_until"] == "10/06/0751"


def test_bodies_over_a_megabyte_are_413(tf: Taskforce) -> None:
    # Each field within the input guard's string limit; together over the surface's 1 MB.
    fields = {"name": "big", **{f"extra{i}": "d" * 90_000 for i in range(12)}}
    body = tf.post("/lists", fields, expect=413)
    assert body["code"] == "PAYLOAD_TOO_LARGE"
    assert body["details"]["limit_bytes"] == 1_000_000


def test_query_strings_are_held_to_the_input_limits(tf: Taskforce) -> None:
    # Even on a GET: documented as a 422 of every operation.
    r = tf.http.get(tf.url("/tasks"), params={"x": "\x01"}, headers=tf.headers)
    assert r.status_code == 422
    assert parse(r, tf.fmt)["code"] == "VALIDATION_ERROR"


def test_nul_characters_are_refused(tf: Taskforce) -> None:
    # PostgreSQL cannot store NUL in text (it was a 500 there) and XML cannot carry it.
    flagship = tf.get("/lists")["lists"][0]["id"]
    body = tf.post("/tasks", {"name": "a\x00b", "list_id": flagship}, expect=422, as_json=True)
    assert body["details"]["field"] == "name"


# --- errors ----------------------------------------------------------------------------------


def test_unknown_ids_and_paths_are_404(tf: Taskforce) -> None:
    body = tf.get("/tasks/999999", expect=404)
    assert body["success"] is False
    assert body["message"] == "Task 999999 was not found"
    assert tf.get("/lists/999999", expect=404)["success"] is False
    assert tf.get("/no_such_thing", expect=404)["success"] is False


@pytest.mark.parametrize(
    "path", ["/tasks/2147483648", "/tasks/99999999999999999999", "/lists/99999999999999999999/tasks"]
)
def test_ids_beyond_any_key_are_404(tf: Taskforce, path: str) -> None:
    # No row can have them (PostgreSQL keys are 32-bit); they were 500s on both databases.
    assert tf.get(path, expect=404)["code"] == "RESOURCE_NOT_FOUND"


def test_body_ids_beyond_any_key_are_404(tf: Taskforce) -> None:
    assert tf.post("/tasks", {"name": "x", "list_id": "2147483648"}, expect=404)["code"] == "RESOURCE_NOT_FOUND"


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_only_get_and_post(tf: Taskforce, method: str) -> None:
    r = tf.http.request(method, tf.url("/tasks"), headers=tf.headers)
    assert r.status_code == 405
    assert set(r.headers["allow"].split(", ")) == {"GET", "HEAD", "POST"}  # HEAD: a GET without its body
    assert parse(r, tf.fmt)["success"] is False


def test_native_errors_keep_their_own_shape(base_url: str) -> None:
    r = checked_get(f"{base_url}/v1/tasks")
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "AUTHENTICATION_ERROR"


def test_rate_limits_answer_in_the_taskforce_shape(
    settings: Settings, db: Database, serve_app: Serve, alice: Person, fmt: str
) -> None:
    limited = settings.model_copy(update={"rate_limit_per_minute": 2})
    with serve_app(create_app(limited, db)) as url:
        headers = basic(alice.email, alice.key)
        codes = [checked_get(f"{url}/api/v1/user.{fmt}", headers=headers) for _ in range(3)]
    assert [r.status_code for r in codes] == [200, 200, 429]
    body = parse(codes[-1], fmt)
    assert body["success"] is False
    assert body["code"] == "RATE_LIMIT_EXCEEDED"


def test_unexpected_errors_are_500_in_the_taskforce_shape(
    settings: Settings, db: Database, serve_app: Serve, fmt: str
) -> None:
    app = create_app(settings, db)

    @app.get("/api/v1/boom.json")
    @app.get("/api/v1/boom.xml")
    async def boom() -> None:
        raise RuntimeError("boom")

    with serve_app(app) as url:
        r = checked_get(f"{url}/api/v1/boom.{fmt}")
    assert r.status_code == 500
    body = parse(r, fmt)
    assert body["success"] is False
    assert body["code"] == "INTERNAL_ERROR"
    assert "boom" not in body["message"]
