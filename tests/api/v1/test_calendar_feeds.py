"""Calendar feeds: secret iCalendar URLs of a user's or a project's due dates, read back with a
real RFC 5545 parser (icalendar); made, listed, rotated and deleted by their owner; the feed
follows the owner's access as it is when fetched; unknown tokens 404; only a digest stored."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

import httpx
import icalendar
from sqlalchemy import select

from polytask.core.db import Database
from polytask.models import CalendarFeed
from tests.factories.people import join, make_person
from tests.factories.work import make_project, make_task


def _path(feed: dict[str, object]) -> str:
    url = str(feed["attributes"]["url"])  # type: ignore[index]
    return urlsplit(url).path


def _fetch(client: httpx.Client, path: str) -> icalendar.Calendar:
    r = client.get(path)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "text/calendar; charset=utf-8"
    raw = r.content
    lines = raw.split(b"\r\n")
    assert lines[-1] == b"", "ends with CRLF"
    assert all(b"\n" not in line for line in lines), "CRLF line ends only"
    assert all(len(line) <= 75 for line in lines), "folded at 75 octets"
    cal = icalendar.Calendar.from_ical(raw)
    assert cal["VERSION"] == "2.0"
    assert cal["PRODID"]
    return cal


def _events(cal: icalendar.Calendar) -> dict[str, icalendar.Event]:
    return {str(e["SUMMARY"]): e for e in cal.walk("VEVENT")}


def test_a_users_feed_of_assigned_due_dates_parses_and_follows_access(client: httpx.Client, db: Database) -> None:
    ann = make_person(db, name="Ann")
    bob = make_person(db, name="Bob")
    join(db, ann, bob)
    project = make_project(client, ann, name="Launch")
    day = date.today() + timedelta(days=3)
    moment = datetime.now(UTC).replace(microsecond=0, second=0) + timedelta(days=2, hours=1)
    long_name = "Ship it; now, or \\ never — " + "ü" * 60
    make_task(client, ann, project, name=long_name, due_date=day.isoformat(), assignee_ids=[bob.id], description="a\nb")
    timed = make_task(client, ann, project, name="Call", due_date=moment.isoformat(), assignee_ids=[bob.id])
    make_task(client, ann, project, name="Not Bob's", due_date=day.isoformat(), assignee_ids=[ann.id])
    make_task(client, ann, project, name="No date", assignee_ids=[bob.id])
    make_task(client, ann, project, name="Done", due_date=day.isoformat(), assignee_ids=[bob.id], status="completed")
    # Bob's own workspace: a task assigned to him there too.
    own = make_project(client, bob, name="Home")
    make_task(client, bob, own, name="Home chore", due_date=day.isoformat(), assignee_ids=[bob.id])

    r = client.post("/v1/me/calendar-feeds", json={"name": "Bob's dates"}, headers=bob.headers)
    assert r.status_code == 201, r.text
    feed = r.json()["data"]
    assert feed["type"] == "calendar_feed"
    assert feed["attributes"]["kind"] == "user"
    assert r.headers["location"] == f"/v1/calendar-feeds/{feed['id']}"
    path = _path(feed)
    assert path.startswith("/v1/ical/cal_")
    assert path.endswith(".ics")

    cal = _fetch(client, path)
    assert b"\r\n " in client.get(path).content, "the long summary was folded"
    assert str(cal["X-WR-CALNAME"]) == "Bob's dates"
    events = _events(cal)
    assert set(events) == {long_name, "Call", "Home chore"}
    whole = events[long_name]
    assert whole["DTSTART"].dt == day
    assert whole["DTSTART"].params["VALUE"] == "DATE"
    assert whole["DTEND"].dt == day + timedelta(days=1)
    assert str(whole["DESCRIPTION"]).startswith("a\nb\nProject: Launch")
    assert whole["UID"].endswith("@polytask")
    assert whole["DTSTAMP"].dt.tzinfo is not None
    call = events["Call"]
    assert call["DTSTART"].dt == moment
    assert str(call["UID"]) == f"{timed['id']}@polytask"
    assert str(call["URL"]).endswith(f"/v1/tasks/{timed['id']}")
    # The UID is stable from one fetch to the next.
    assert {str(e["UID"]) for e in _events(_fetch(client, path)).values()} == {str(e["UID"]) for e in events.values()}

    # Only a digest is stored, never the token.
    token = path.removeprefix("/v1/ical/").removesuffix(".ics")
    with db.unit_of_work(readonly=True) as session:
        stored = session.scalars(select(CalendarFeed.token_hash)).all()
    assert stored == [hashlib.sha256(token.encode()).hexdigest()]

    # Bob leaves Ann's workspace: the tasks there leave his feed at once.
    r = client.delete(f"/v1/workspaces/{ann.workspace}/users/{bob.id}", headers=bob.headers)
    assert r.status_code == 204, r.text
    assert set(_events(_fetch(client, path))) == {"Home chore"}

    # Listed without the URL; rotated: the old URL is a 404, the new one works; deleted: 404.
    listed = client.get("/v1/me/calendar-feeds", headers=bob.headers)
    assert [f["id"] for f in listed.json()["data"]] == [feed["id"]]
    assert "url" not in listed.json()["data"][0]["attributes"]
    r = client.post(f"/v1/calendar-feeds/{feed['id']}/rotate", headers=bob.headers)
    assert r.status_code == 201, r.text
    assert r.json()["data"]["attributes"]["rotated_at"] is not None
    new_path = _path(r.json()["data"])
    assert new_path != path
    assert client.get(path).status_code == 404
    assert set(_events(_fetch(client, new_path))) == {"Home chore"}
    assert client.delete(f"/v1/calendar-feeds/{feed['id']}", headers=bob.headers).status_code == 204
    assert client.get(new_path).status_code == 404
    assert client.get(f"/v1/calendar-feeds/{feed['id']}", headers=bob.headers).status_code == 404


def test_a_project_feed_stops_when_its_creator_loses_the_project(client: httpx.Client, db: Database) -> None:
    ann = make_person(db, name="Ann")
    cyd = make_person(db, name="Cyd")
    stranger = make_person(db, name="Stranger")
    join(db, ann, cyd, role="viewer")
    project = make_project(client, ann, name="Roadmap, 2027; Q1")
    other = make_project(client, ann, name="Other")
    day = date.today() + timedelta(days=10)
    make_task(client, ann, project, name="Milestone", due_date=day.isoformat())
    make_task(client, ann, other, name="Elsewhere", due_date=day.isoformat())

    # A viewer may make one (it only reads); a stranger cannot see the project: 404.
    r = client.post(f"/v1/projects/{project}/calendar-feeds", json={}, headers=cyd.headers)
    assert r.status_code == 201, r.text
    feed = r.json()["data"]
    assert (feed["attributes"]["kind"], feed["attributes"]["project_id"]) == ("project", project)
    cal = _fetch(client, _path(feed))
    # An X- property is TEXT unless said otherwise (RFC 5545 3.8.8.2): escaped as such; the
    # parser hands unknown properties back as written.
    assert str(cal["X-WR-CALNAME"]) == "Roadmap\\, 2027\\; Q1"
    assert set(_events(cal)) == {"Milestone"}
    assert client.post(f"/v1/projects/{project}/calendar-feeds", json={}, headers=stranger.headers).status_code == 404
    assert client.get(f"/v1/projects/{project}/calendar-feeds", headers=stranger.headers).status_code == 404
    # Another person's feed is a 404 to manage, not a 403; listed only to its owner.
    for method in ("GET", "DELETE"):
        assert client.request(method, f"/v1/calendar-feeds/{feed['id']}", headers=ann.headers).status_code == 404
    assert client.post(f"/v1/calendar-feeds/{feed['id']}/rotate", headers=ann.headers).status_code == 404
    assert client.get(f"/v1/projects/{project}/calendar-feeds", headers=ann.headers).json()["data"] == []
    assert [
        f["id"] for f in client.get(f"/v1/projects/{project}/calendar-feeds", headers=cyd.headers).json()["data"]
    ] == [feed["id"]]

    # Cyd is removed from the workspace: the feed answers 404, like an unknown token.
    r = client.delete(f"/v1/workspaces/{ann.workspace}/users/{cyd.id}", headers=ann.headers)
    assert r.status_code == 204, r.text
    assert client.get(_path(feed)).status_code == 404


def test_bad_input_unknown_tokens_scopes_and_events(client: httpx.Client, db: Database) -> None:
    ann = make_person(db, name="Ann")
    for path in ("/v1/ical/cal_nope.ics", "/v1/ical/nope.ics", "/v1/ical/" + "cal_" + "x" * 300 + ".ics"):
        r = client.get(path)
        assert r.status_code == 404, (path, r.text)
        assert r.json()["error"]["code"] == "RESOURCE_NOT_FOUND"
    for body, field in (({"name": "x" * 201}, "name"), ({"colour": "red"}, "colour"), ({"name": None}, "name")):
        r = client.post("/v1/me/calendar-feeds", json=body, headers=ann.headers)
        assert r.status_code == 422, r.text
        assert field in r.text
    assert client.post("/v1/me/calendar-feeds", json={}).status_code == 401
    assert client.get("/v1/me/calendar-feeds").status_code == 401
    read_only = make_person(db, scopes=["tasks:read"])
    assert client.post("/v1/me/calendar-feeds", json={}, headers=read_only.headers).status_code == 403
    assert client.get("/v1/me/calendar-feeds", headers=read_only.headers).status_code == 200
    assert client.get("/v1/calendar-feeds/calendar_feed_x", headers=ann.headers).status_code == 404
    assert client.get("/v1/me/calendar-feeds?kind=weekly", headers=ann.headers).status_code == 422

    # A workspace-bound key makes a feed held to that workspace.
    bound = make_person(db, bind_workspace=True)
    r = client.post("/v1/me/calendar-feeds", json={}, headers=bound.headers)
    assert r.json()["data"]["attributes"]["workspace_id"] == bound.workspace
    # A deactivated owner's feed stops.
    admin = make_person(db, role="admin")
    path = _path(client.post("/v1/me/calendar-feeds", json={}, headers=ann.headers).json()["data"])
    assert client.get(path).status_code == 200
    assert client.delete(f"/v1/users/{ann.id}", headers=admin.headers).status_code == 204
    assert client.get(path).status_code == 404
    events = client.get("/v1/audit-log?resource_type=calendar_feed", headers=admin.headers)
    assert events.status_code == 200, events.text
    types = [e["attributes"]["type"] for e in events.json()["data"]]
    assert types.count("calendar_feed.created") == 2
    assert all("token" not in str(e["attributes"]) for e in events.json()["data"])


def test_one_feed_url_is_fetched_at_most_60_times_an_hour(client: httpx.Client, db: Database) -> None:
    ann = make_person(db)
    first = _path(client.post("/v1/me/calendar-feeds", json={}, headers=ann.headers).json()["data"])
    second = _path(client.post("/v1/me/calendar-feeds", json={}, headers=ann.headers).json()["data"])
    for _ in range(60):
        assert client.get(first).status_code == 200
    r = client.get(first)
    assert r.status_code == 429, r.text
    assert r.json()["error"]["code"] == "RATE_LIMIT_EXCEEDED"
    assert 0 < r.json()["error"]["details"]["retry_after"] <= 3600
    assert int(r.headers["retry-after"]) == r.json()["error"]["details"]["retry_after"]
    assert client.get(second).status_code == 200, "counted per feed, not per address"
