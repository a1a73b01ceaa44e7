"""Today's `/v1` resources on the CRUD contract (tests/contracts/crud.py), most used first.

Each class declares one resource and inherits its standard cases; what is specific to a
resource stays in its own test file (test_tasks.py, test_members.py, ...).
"""

from __future__ import annotations

from tests.contracts.crud import (
    EVERYONE,
    MANAGERS,
    WEBHOOK_URL,
    CrudContract,
    Filter,
    Refused,
    Resource,
    Roles,
    World,
)
from tests.factories.people import join, make_person


class TestTasks(CrudContract):
    resource = Resource(
        type="task",
        collection=lambda w: f"/v1/projects/{w.project}/tasks",
        item=lambda w, ident: f"/v1/tasks/{ident}",
        item_aliases=(lambda w, ident: f"/v1/projects/{w.project}/tasks/{ident}",),
        create_aliases=((lambda w: "/v1/tasks", lambda w: {"project_id": w.project}),),
        read_scope="tasks:read",
        write_scope="tasks:write",
        create=lambda w, n: {"name": f"Task {n}", "priority": "high" if n % 2 else "low", "estimated_hours": n},
        change={"name": "Renamed", "priority": "low"},
        refused=(
            *(
                Refused(body, name)
                for body, name in (
                    ({}, "name"),
                    ({"name": ""}, "name"),
                    ({"name": ["a"]}, "name"),
                    ({"name": "x", "status": "done"}, "status"),
                    ({"name": "x", "priority": "critical"}, "priority"),
                    ({"name": "x", "due_date": "tomorrow"}, "due_date"),
                    ({"name": "x", "start_date": "2024-02-30"}, "start_date"),
                    ({"name": "x", "progress": 101}, "progress"),
                    ({"name": "x", "progress": "half"}, "progress"),
                    ({"name": "x", "estimated_hours": -1}, "estimated_hours"),
                    ({"name": "x", "labels": "urgent"}, "labels"),
                    ({"name": "x", "labels": [" "]}, "labels"),
                    ({"name": "x", "dependencies": ["project_1"]}, "dependencies[0]"),
                    ({"name": "x", "dependencies": ["task_999999"]}, "dependencies"),
                    ({"name": "x", "parent_id": "task_999999"}, "parent_id"),
                    ({"name": "x", "section_id": "section_999999"}, "section_id"),
                    ({"name": "x", "custom_fields": ["a"]}, "custom_fields"),
                    ({"name": "x", "colour": "red"}, "colour"),
                    ({"name": "x", "assignee_id": "user_999999"}, "assignee_id"),
                    ({"name": "x", "assignee_id": "nobody@example.com"}, "assignee_id"),
                )
            ),
            *(
                Refused(body, name, on="change")
                for body, name in (
                    ({"name": None}, "name"),
                    ({"name": ""}, "name"),
                    ({"status": None}, "status"),
                    ({"status": "finished"}, "status"),
                    ({"due_date": "31/01/2024"}, "due_date"),
                    ({"progress": -5}, "progress"),
                    ({"assignee_ids": "user_1"}, "assignee_ids"),
                    ({"unknown": 1}, "unknown"),
                    ({"project_id": "not-a-project"}, "project_id"),
                )
            ),
        ),
        events=("task.created", "task.updated", "task.deleted"),
        sorts=("name", "estimated_hours"),
        filters=(
            Filter({"priority": "high"}, lambda a: a["priority"] == "high"),
            Filter({"name[icontains]": "task 3"}, lambda a: a["name"] == "Task 3"),
        ),
    )


class TestProjects(CrudContract):
    resource = Resource(
        type="project",
        collection=lambda w: f"/v1/workspaces/{w.workspace}/projects",
        item=lambda w, ident: f"/v1/projects/{ident}",
        item_aliases=(lambda w, ident: f"/v1/workspaces/{w.workspace}/projects/{ident}",),
        create_aliases=((lambda w: "/v1/projects", lambda w: {"workspace_id": w.workspace}),),
        read_scope="projects:read",
        write_scope="projects:write",
        create=lambda w, n: {"name": f"Project {n}"},
        change={"name": "Renamed project"},
        refused=(
            *(
                Refused(body, name)
                for body, name in (
                    ({}, "name"),
                    ({"name": ""}, "name"),
                    ({"name": 5}, "name"),
                    ({"name": "x", "type": "spreadsheet"}, "type"),
                    ({"name": "x", "status": "done"}, "status"),
                    ({"name": "x", "due_date": "next week"}, "due_date"),
                    ({"name": "x", "start_date": "2024-13-01"}, "start_date"),
                    ({"name": "x", "settings": "dark"}, "settings"),
                    ({"name": "x", "colour": "red"}, "colour"),
                    ({"name": "x", "workspace_id": "task_1"}, "workspace_id"),
                )
            ),
            *(
                Refused(body, name, on="change")
                for body, name in (
                    ({"name": None}, "name"),
                    ({"name": ""}, "name"),
                    ({"type": "gantt"}, "type"),
                    ({"due_date": "soon"}, "due_date"),
                    ({"description": ["a"]}, "description"),
                    ({"owner": "me"}, "owner"),
                    ({"budget": {"amount": "ten"}}, "budget.amount"),
                )
            ),
        ),
        roles=Roles(delete=MANAGERS),  # or the project's creator
        events=("project.created", "project.updated", "project.deleted"),
        sorts=("name",),
        filters=(Filter({"name[icontains]": "project 2"}, lambda a: a["name"] == "Project 2"),),
    )


class TestSections(CrudContract):
    resource = Resource(
        type="section",
        collection=lambda w: f"/v1/projects/{w.project}/sections",
        item=lambda w, ident: f"/v1/projects/{w.project}/sections/{ident}",
        read_scope="projects:read",
        write_scope="projects:write",
        create=lambda w, n: {"name": f"Column {n}"},
        change={"name": "Done"},
        refused=(
            Refused({}, "name"),
            Refused({"name": ""}, "name"),
            Refused({"name": "x", "position": "top"}, "position"),
            Refused({"name": "x", "wip": 3}, "wip"),
            Refused({"name": ""}, "name", on="change"),
            Refused({"position": "top"}, "position", on="change"),
            Refused({"wip": 3}, "wip", on="change"),
        ),
        events=("section.created", "section.updated", "section.deleted"),
    )


class TestComments(CrudContract):
    resource = Resource(
        type="comment",
        collection=lambda w: f"/v1/tasks/{w.task}/comments",
        item=lambda w, ident: f"/v1/tasks/{w.task}/comments/{ident}",
        read_scope="tasks:read",
        write_scope="tasks:write",
        create=lambda w, n: {"body": f"Comment {n}"},
        change={"body": "Edited"},
        refused=(
            *(
                Refused(body, name, on=on)
                for body, name in (
                    ({}, "body"),
                    ({"body": ""}, "body"),
                    ({"body": 42}, "body"),
                    ({"body": "x", "author_id": "user_1"}, "author_id"),
                )
                for on in ("create", "change")
            ),
        ),
        # Viewers comment too; another's comment is changed only by its author or a manager.
        roles=Roles(create=EVERYONE, change=MANAGERS, delete=MANAGERS),
        events=("comment.created", "comment.updated", "comment.deleted"),
        sorts=("created_at",),
        filters=(Filter({"body[icontains]": "comment 2"}, lambda a: a["body"] == "Comment 2"),),
    )


class TestProjectCustomFields(CrudContract):
    resource = Resource(
        type="custom_field",
        collection=lambda w: f"/v1/projects/{w.project}/custom-fields",
        item=lambda w, ident: f"/v1/projects/{w.project}/custom-fields/{ident}",
        read_scope="projects:read",
        write_scope="projects:write",
        create=lambda w, n: {"name": f"Field {n}", "type": "text"},
        change={"name": "Renamed field"},
        refused=(
            Refused({"name": "Odd", "type": "weird"}, "type"),
            Refused({"name": "", "type": "text"}, "name"),
            Refused({"name": ""}, "name", on="change"),
        ),
        events=("custom_field.created", "custom_field.updated", "custom_field.deleted"),
        sorts=("name", "key"),
        filters=(Filter({"name[icontains]": "field 2"}, lambda a: a["name"] == "Field 2"),),
    )


class TestWorkspaceCustomFields(CrudContract):
    resource = Resource(
        type="custom_field",
        collection=lambda w: f"/v1/workspaces/{w.workspace}/custom-fields",
        item=lambda w, ident: f"/v1/workspaces/{w.workspace}/custom-fields/{ident}",
        read_scope="workspaces:read",
        write_scope="workspaces:write",
        create=lambda w, n: {"name": f"Account {n}", "type": "dropdown", "options": ["Low", "High"]},
        change={"name": "Renamed account"},
        refused=(
            Refused({"name": "Odd", "type": "weird"}, "type"),
            Refused({"name": ""}, "name", on="change"),
        ),
        roles=Roles(create=MANAGERS, change=MANAGERS, delete=MANAGERS),
        events=("custom_field.created", "custom_field.updated", "custom_field.deleted"),
        sorts=("name", "key"),
        filters=(Filter({"key": "account_3"}, lambda a: a["key"] == "account_3"),),
    )


class TestViews(CrudContract):
    resource = Resource(
        type="view",
        collection=lambda w: f"/v1/projects/{w.project}/views",
        item=lambda w, ident: f"/v1/projects/{w.project}/views/{ident}",
        read_scope="projects:read",
        write_scope="projects:write",
        create=lambda w, n: {"name": f"View {n}", "filter": {"status": "pending"}},
        change={"name": "Renamed view"},
        refused=(
            Refused({"name": ""}, "name"),
            Refused({"name": ""}, "name", on="change"),
        ),
        events=("view.created", "view.updated", "view.deleted"),
        sorts=("name",),
        filters=(Filter({"name[icontains]": "view 2"}, lambda a: a["name"] == "View 2"),),
    )


class TestWebhooks(CrudContract):
    resource = Resource(
        type="webhook",
        collection=lambda w: "/v1/webhooks",
        item=lambda w, ident: f"/v1/webhooks/{ident}",
        read_scope="webhooks:read",
        write_scope="webhooks:write",
        create=lambda w, n: {"url": f"{WEBHOOK_URL}/{n}", "events": ["task.*"], "workspace_id": w.workspace},
        change={"events": ["project.*"]},
        refused=(
            *(
                Refused(body, name)
                for body, name in (
                    ({"events": ["task.created"]}, "url"),
                    ({"url": WEBHOOK_URL, "events": []}, "events"),
                    ({"url": WEBHOOK_URL, "events": ["task.exploded"]}, "events[0]"),
                    ({"url": WEBHOOK_URL, "events": ["gizmo.*"]}, "events[0]"),
                    ({"url": "ftp://example.com/h", "events": ["*"]}, "url"),
                    ({"url": "not a url", "events": ["*"]}, "url"),
                    ({"url": "https://user:pw@example.com/h", "events": ["*"]}, "url"),
                    ({"url": WEBHOOK_URL, "events": ["*"], "secret": "whsec_!!!notbase64!!!"}, "secret"),
                    ({"url": WEBHOOK_URL, "events": ["*"], "secret": "short"}, "secret"),
                    ({"url": WEBHOOK_URL, "events": ["*"], "colour": "red"}, "colour"),
                )
            ),
            Refused({"events": ["nothing.*"]}, "events[0]", on="change"),
            Refused({"url": "ftp://example.com/h"}, "url", on="change"),
        ),
        roles=Roles(read=MANAGERS, create=MANAGERS, change=MANAGERS, delete=MANAGERS),
        events=("webhook.created", "webhook.updated", "webhook.deleted"),
        foreign_parent=False,  # /v1/webhooks is everyone's own list
    )


def _invite(world: World, n: int) -> dict[str, object]:
    return {"emails": [f"invitee{n}-{world.person.user_id}@example.com"], "role": "member"}


class TestInvites(CrudContract):
    resource = Resource(
        type="invite",
        collection=lambda w: f"/v1/workspaces/{w.workspace}/invites",
        item=lambda w, ident: f"/v1/workspaces/{w.workspace}/invites/{ident}",
        read_scope="users:read",
        write_scope="users:write",
        create=_invite,
        created=lambda data: data[0],  # one invite per email: a list
        refused=(
            *(
                Refused(body, name)
                for body, name in (
                    ({"emails": ["newuser@company.com", "not-an-email"]}, "emails[1]"),
                    ({"emails": "newuser@company.com"}, "emails"),
                    ({"emails": []}, "emails"),
                    ({}, "emails"),
                    ({"emails": ["a@example.com"], "role": "owner"}, "role"),
                    ({"emails": ["a@example.com"], "role": "member", "expires": "never"}, "expires"),
                    ({"emails": ["a@example.com"], "message": 42}, "message"),
                )
            ),
        ),
        roles=Roles(read=MANAGERS, create=MANAGERS, delete=MANAGERS),  # manage_users
        events=("invite.created", None, "invite.revoked"),
        gone_after_delete=False,  # a revoked invite stays, marked revoked
    )


def _member(world: World, n: int) -> dict[str, object]:
    """A person who joined the world's workspace (members are made by invites): the odd ones
    as members, the even ones as viewers."""
    someone = make_person(world.db)
    join(world.db, world.person, someone, role="member" if n % 2 else "viewer")
    r = world.client.get(f"/v1/workspaces/{world.workspace}/users/{someone.id}", headers=world.person.headers)
    assert r.status_code == 200, r.text
    data: dict[str, object] = r.json()["data"]
    return data


class TestMembers(CrudContract):
    resource = Resource(
        type="user",  # a member is rendered as the user, with their role here
        collection=lambda w: f"/v1/workspaces/{w.workspace}/users",
        item=lambda w, ident: f"/v1/workspaces/{w.workspace}/users/{ident}",
        read_scope="users:read",
        write_scope="users:write",
        make=_member,
        change={"role": "viewer", "department": "Sales"},
        refused=(
            *(
                Refused(body, name, on="change")
                for body, name in (
                    ({"role": "superstar"}, "role"),
                    ({"role": "member", "colour": "red"}, "colour"),
                    ({"permissions": "all"}, "permissions"),
                    ({"permissions": ["manage_users"]}, "permissions"),
                    ({"permissions": {"manage_users": "yes"}}, "permissions.manage_users"),
                    ({"permissions": {"manage_users": 1}}, "permissions.manage_users"),
                    ({"permissions": {"fly": True}}, "permissions.fly"),
                    ({"department": 7}, "department"),
                    ({"department": "x" * 101}, "department"),
                )
            ),
        ),
        roles=Roles(change=MANAGERS, delete=MANAGERS),
        events=("member.added", "member.updated", "member.removed"),
        sorts=("name",),
        filters=(Filter({"role": "viewer"}, lambda a: a["role"] == "viewer"),),
        # A member's events name the membership; their snapshot names the user.
        event_of=lambda obj, e: (e["snapshot"] or {}).get("user_id") == int(obj["id"].removeprefix("user_")),
    )


def _api_key_create(world: World, n: int) -> dict[str, object]:
    # Bound to the workspace, so its events are in the workspace's audit log.
    return {"name": f"Key {n}", "workspace_id": world.workspace}


class TestApiKeys(CrudContract):
    resource = Resource(
        type="api_key",
        collection=lambda w: "/v1/api-keys",
        item=lambda w, ident: f"/v1/api-keys/{ident}",
        read_scope="api_keys:read",
        write_scope="api_keys:write",
        create=_api_key_create,
        refused=(
            *(
                Refused(body, name)
                for body, name in (
                    ({"scopes": ["tasks:fly"]}, "scopes"),
                    ({"colour": "red"}, "colour"),
                    ({"scopes": ["tasks:read tasks:write"]}, "scopes"),
                    ({"scopes": "tasks:read"}, "scopes"),
                    ({"expires_at": "next week"}, "expires_at"),
                    ({"expires_at": "2020-01-01T00:00:00Z"}, "expires_at"),
                    ({"workspace_id": "project_1"}, "workspace_id"),
                )
            ),
        ),
        roles=None,  # a key is its user's, whatever their roles
        events=("api_key.created", None, "api_key.revoked"),
        gone_after_delete=False,  # a revoked key stays readable, with its revoked_at
        foreign_parent=False,
        sorts=("name",),
        filters=(Filter({"name": "Key 2"}, lambda a: a["name"] == "Key 2"),),
    )


class TestWorkspaces(CrudContract):
    resource = Resource(
        type="workspace",
        collection=lambda w: "/v1/workspaces",
        item=lambda w, ident: f"/v1/workspaces/{ident}",
        read_scope="workspaces:read",
        write_scope="workspaces:write",
        create=lambda w, n: {"name": f"Workspace {n}"},
        change={"name": "Renamed workspace"},
        refused=(
            Refused({"name": ""}, "name"),
            Refused({"name": "x", "colour": "red"}, "colour"),
            Refused({"name": "x", "settings": {"timezone": "Mars/Olympus"}}, "settings.timezone"),
            Refused({"name": ""}, "name", on="change"),
            Refused({"settings": {"timezone": "Mars/Olympus"}}, "settings.timezone", on="change"),
        ),
        # A new workspace has no other members: roles are test_workspaces.py's.
        roles=None,
        events=("workspace.created", "workspace.updated", "workspace.deleted"),
        log="server",  # a deleted workspace's own log goes with it
        announced=False,  # no webhook or feed of the world's workspace hears another's
        foreign_parent=False,  # /v1/workspaces is everyone's own list
        sorts=("name",),
    )


REDIRECT = "https://app.example.com/callback"


class TestOAuthClients(CrudContract):
    resource = Resource(
        type="oauth_client",
        collection=lambda w: "/v1/oauth/clients",
        item=lambda w, ident: f"/v1/oauth/clients/{ident}",
        read_scope="api_keys:read",
        write_scope="api_keys:write",
        create=lambda w, n: {"name": f"App {n}", "redirect_uris": [REDIRECT]},
        refused=tuple(
            Refused(body, name)
            for body, name in (
                ({"name": "x", "redirect_uris": ["http://example.com/cb"]}, "redirect_uris"),  # http off loopback
                ({"name": "x", "redirect_uris": ["https://example.com/cb#frag"]}, "redirect_uris"),
                ({"name": "x", "redirect_uris": ["/relative"]}, "redirect_uris"),
                ({"name": "x", "redirect_uris": ["javascript:alert(1)"]}, "redirect_uris"),
                ({"name": "x", "redirect_uris": [], "public": True}, "redirect_uris"),
                ({"name": "x", "redirect_uris": [REDIRECT], "scopes": ["tasks:fly"]}, "scopes"),
                ({"name": "x", "redirect_uris": [REDIRECT], "scopes": []}, "scopes"),
                ({"name": "", "redirect_uris": [REDIRECT]}, "name"),
            )
        ),
        roles=None,  # a client is its registering user's
        events=("oauth_client.created", None, "oauth_client.deleted"),
        log="server",  # audit-only events of no workspace
        foreign_parent=False,
        sorts=("name",),
        filters=(Filter({"name[in]": "App 1,App 3"}, lambda a: a["name"] in ("App 1", "App 3")),),
    )


# The resources behind the TaskFlow surface (docs/compat/taskflow.md, "The domain behind the
# surface"). Bodies vary with n so that sorts and filters see different values; n stays below
# 28 in every case, so `spent_on` is a real day.


def _day(n: int) -> str:
    return f"2026-07-{n:02d}"


class TestTimeEntries(CrudContract):
    resource = Resource(
        type="time_entry",
        collection=lambda w: f"/v1/projects/{w.project}/time-entries",
        item=lambda w, ident: f"/v1/time-entries/{ident}",
        read_scope="projects:read",
        write_scope="projects:write",
        create=lambda w, n: {
            "minutes": 10 * n,
            "spent_on": _day(n),
            "note": f"Entry {n}",
            "task_id": w.task if n % 2 else None,
        },
        change={"minutes": 45, "note": "Reviewed"},
        refused=(
            *(
                Refused(body, name)
                for body, name in (
                    ({}, "minutes"),
                    ({"minutes": -5}, "minutes"),
                    ({"minutes": 0}, "minutes"),
                    ({"minutes": "30"}, "minutes"),
                    ({"minutes": 366 * 24 * 60 + 1}, "minutes"),
                    ({"hours": -1}, "hours"),
                    ({"hours": 0.001}, "hours"),
                    ({"minutes": 30, "hours": 0.5}, "hours"),
                    ({"minutes": 30, "spent_on": "2026-13-45"}, "spent_on"),
                    ({"minutes": 30, "task_id": "task_999999"}, "task_id"),
                    ({"minutes": 30, "task_id": "project_1"}, "task_id"),
                    ({"minutes": 30, "user_id": "user_999999"}, "user_id"),
                    ({"minutes": 30, "note": 5}, "note"),
                    ({"minutes": 30, "colour": "red"}, "colour"),
                )
            ),
            *(
                Refused(body, name, on="change")
                for body, name in (
                    ({"minutes": None}, "minutes"),
                    ({"minutes": 0}, "minutes"),
                    ({"hours": None}, "hours"),
                    ({"minutes": 30, "hours": 0.5}, "hours"),
                    ({"spent_on": None}, "spent_on"),
                    ({"spent_on": "yesterday"}, "spent_on"),
                    ({"note": None}, "note"),
                    ({"task_id": "task_999999"}, "task_id"),
                    ({"user_id": "user_1"}, "user_id"),
                )
            ),
        ),
        # A member logs their own time; another's entry is changed by a manager of people.
        roles=Roles(change=MANAGERS, delete=MANAGERS),
        events=("time_entry.created", "time_entry.updated", "time_entry.deleted"),
        sorts=("minutes", "spent_on"),
        filters=(
            Filter({"minutes[gte]": "30"}, lambda a: a["minutes"] >= 30),
            Filter({"spent_on": _day(2)}, lambda a: a["spent_on"] == _day(2)),
            Filter({"filter": "task_id != null"}, lambda a: a["task_id"] is not None),
            Filter({"task_id[exists]": "false"}, lambda a: a["task_id"] is None),
        ),
    )


class TestExpenses(CrudContract):
    resource = Resource(
        type="expense",
        collection=lambda w: f"/v1/projects/{w.project}/expenses",
        item=lambda w, ident: f"/v1/expenses/{ident}",
        read_scope="projects:read",
        write_scope="projects:write",
        create=lambda w, n: {
            "amount": f"{n}.25",
            "spent_on": _day(n),
            "category": "software" if n % 2 else "travel",
            "note": f"Expense {n}",
        },
        change={"amount": "99.00", "category": "hardware"},
        refused=(
            *(
                Refused(body, name)
                for body, name in (
                    ({}, "amount"),
                    ({"amount": "-5.00"}, "amount"),
                    ({"amount": -5}, "amount"),
                    ({"amount": "1.005"}, "amount"),  # more places than USD has
                    ({"amount": "ten"}, "amount"),
                    ({"amount": "1e3"}, "amount"),
                    ({"amount": True}, "amount"),
                    ({"amount": [1]}, "amount"),
                    ({"amount": 1e20}, "amount"),
                    ({"amount": "10.00", "currency": "EUR"}, "currency"),  # not the project's
                    ({"amount": "10.00", "currency": "usd"}, "currency"),
                    ({"amount": "10.00", "spent_on": "yesterday-ish"}, "spent_on"),
                    ({"amount": "10.00", "category": ""}, "category"),
                    ({"amount": "10.00", "colour": "red"}, "colour"),
                )
            ),
            *(
                Refused(body, name, on="change")
                for body, name in (
                    ({"amount": None}, "amount"),
                    ({"amount": "-1"}, "amount"),
                    ({"amount": "ten"}, "amount"),
                    ({"currency": "EUR"}, "currency"),
                    ({"category": None}, "category"),
                    ({"category": ""}, "category"),
                    ({"spent_on": "2026-02-30"}, "spent_on"),
                    ({"project_id": "project_1"}, "project_id"),
                )
            ),
        ),
        # Any writer records one; another's is corrected by a manager of people.
        roles=Roles(change=MANAGERS, delete=MANAGERS),
        events=("expense.created", "expense.updated", "expense.deleted"),
        sorts=("spent_on", "category"),
        filters=(
            Filter({"category": "software"}, lambda a: a["category"] == "software"),
            Filter({"amount_minor[gt]": "300"}, lambda a: float(a["amount"]) > 3),
        ),
    )


class TestRisks(CrudContract):
    resource = Resource(
        type="risk",
        collection=lambda w: f"/v1/projects/{w.project}/risks",
        item=lambda w, ident: f"/v1/risks/{ident}",
        read_scope="projects:read",
        write_scope="projects:write",
        create=lambda w, n: {
            "title": f"Risk {n}",
            "severity": ("low", "medium", "high", "critical")[n % 4],
            "probability": "medium",
            "impact": "schedule",
        },
        change={"status": "mitigated", "actual_impact": "minimal", "resolution_notes": "Managed"},
        refused=(
            *(
                Refused(body, name)
                for body, name in (
                    ({}, "title"),
                    ({"title": ""}, "title"),
                    ({"title": 7}, "title"),
                    ({"title": "x", "severity": "catastrophic"}, "severity"),
                    ({"title": "x", "probability": "likely"}, "probability"),
                    ({"title": "x", "status": "gone"}, "status"),
                    ({"title": "x", "owner_id": "user_999999"}, "owner_id"),
                    ({"title": "x", "owner_id": "task_1"}, "owner_id"),
                    ({"title": "x", "colour": "red"}, "colour"),
                )
            ),
            *(
                Refused(body, name, on="change")
                for body, name in (
                    ({"title": None}, "title"),
                    ({"title": ""}, "title"),
                    ({"status": "gone"}, "status"),
                    ({"status": None}, "status"),
                    ({"severity": "huge"}, "severity"),
                    ({"owner_id": "user_999999"}, "owner_id"),
                    ({"project_id": "project_1"}, "project_id"),
                )
            ),
        ),
        # Any writer reassesses a risk; its creator or a workspace owner/admin deletes it.
        roles=Roles(delete=MANAGERS),
        events=("risk.created", "risk.updated", "risk.deleted"),
        sorts=("title",),
        filters=(
            Filter({"severity[gte]": "high"}, lambda a: a["severity"] in ("high", "critical")),
            Filter({"title[icontains]": "risk 3"}, lambda a: a["title"] == "Risk 3"),
        ),
    )


class TestDepartments(CrudContract):
    resource = Resource(
        type="department",
        collection=lambda w: f"/v1/workspaces/{w.workspace}/departments",
        item=lambda w, ident: f"/v1/departments/{ident}",
        read_scope="workspaces:read",
        write_scope="workspaces:write",
        create=lambda w, n: {"name": f"Department {n}", "description": f"Team {n}"},
        change={"name": "Renamed department", "description": "Reorganised"},
        refused=(
            *(
                Refused(body, name)
                for body, name in (
                    ({}, "name"),
                    ({"name": ""}, "name"),
                    ({"name": "   "}, "name"),
                    ({"name": "department 1"}, "name"),  # the made one's, whatever the case
                    ({"name": "x" * 101}, "name"),
                    ({"name": "Ops", "head_user_id": "user_999999"}, "head_user_id"),
                    ({"name": "Ops", "head_user_id": "workspace_1"}, "head_user_id"),
                    ({"name": "Ops", "colour": "red"}, "colour"),
                )
            ),
            *(
                Refused(body, name, on="change")
                for body, name in (
                    ({"name": None}, "name"),
                    ({"name": ""}, "name"),
                    ({"description": None}, "description"),
                    ({"head_user_id": "user_999999"}, "head_user_id"),
                    ({"workspace_id": "workspace_1"}, "workspace_id"),
                )
            ),
        ),
        roles=Roles(create=MANAGERS, change=MANAGERS, delete=MANAGERS),  # manage_users
        events=("department.created", "department.updated", "department.deleted"),
        sorts=("name",),
        filters=(Filter({"name[icontains]": "department 2"}, lambda a: a["name"] == "Department 2"),),
    )


class TestCalendarFeeds(CrudContract):
    resource = Resource(
        type="calendar_feed",
        collection=lambda w: f"/v1/projects/{w.project}/calendar-feeds",
        item=lambda w, ident: f"/v1/calendar-feeds/{ident}",
        read_scope="tasks:read",
        write_scope="tasks:write",
        create=lambda w, n: {"name": f"Feed {n}"},
        refused=(
            Refused({"name": "x" * 201}, "name"),
            Refused({"colour": "red"}, "colour"),
            Refused({"name": 5}, "name"),
        ),
        roles=None,  # a feed is its creator's, whatever their role
        events=("calendar_feed.created", None, "calendar_feed.deleted"),
        sorts=("name",),
        filters=(Filter({"name": "Feed 2"}, lambda a: a["name"] == "Feed 2"),),
    )


class TestTemplates(CrudContract):
    resource = Resource(
        type="template",
        collection=lambda w: "/v1/templates",
        item=lambda w, ident: f"/v1/templates/{ident}",
        read_scope="projects:read",
        write_scope="projects:write",
        create=lambda w, n: {
            "name": f"Template {n}",
            "workspace_id": w.workspace,
            "content": {"tasks": [{"name": f"Task {i}"} for i in range(n % 3)]},
        },
        change={"name": "Renamed template", "description": "Reworked"},
        refused=(
            *(
                Refused(body, name)
                for body, name in (
                    ({}, "name"),
                    ({"name": ""}, "name"),
                    ({"name": "x" * 301}, "name"),
                    ({"name": "x", "content": {"tasks": [{"name": ""}]}}, "content.tasks[0].name"),
                    ({"name": "x", "content": {"tasks": [{"name": "a", "section": "s"}]}}, "content.tasks[0].section"),
                    ({"name": "x", "content": {"colour": "red"}}, "content.colour"),
                    ({"name": "x", "project_id": "project_999999"}, "project_id"),
                    ({"name": "x", "colour": "red"}, "colour"),
                )
            ),
            *(
                Refused(body, name, on="change")
                for body, name in (
                    ({"name": None}, "name"),
                    ({"name": ""}, "name"),
                    ({"content": None}, "content"),
                    ({"content": {"version": 7}}, "content.version"),
                    ({"workspace_id": "workspace_1"}, "workspace_id"),
                )
            ),
        ),
        events=("template.created", "template.updated", "template.deleted"),
        foreign_parent=False,
        sorts=("name", "task_count"),
        filters=(
            Filter({"name[icontains]": "template 2"}, lambda a: a["name"] == "Template 2"),
            Filter({"task_count[gte]": "2"}, lambda a: a["name"] in ("Template 2", "Template 5", "Template 8")),
        ),
    )


_TRIGGER = {"kind": "event", "event": "task.created"}
_COMMENT = {"type": "add_comment", "body": "Seen"}


class TestAutomations(CrudContract):
    resource = Resource(
        type="automation",
        collection=lambda w: f"/v1/projects/{w.project}/automations",
        item=lambda w, ident: f"/v1/automations/{ident}",
        create_aliases=(
            (lambda w: f"/v1/workspaces/{w.workspace}/automations", lambda w: {"project_id": w.project}),
            (lambda w: "/v1/automations", lambda w: {"workspace_id": w.workspace, "project_id": w.project}),
        ),
        read_scope="automations:read",
        write_scope="automations:write",
        create=lambda w, n: {
            "name": f"Automation {n}",
            "enabled": n % 2 == 0,
            "trigger": _TRIGGER,
            "conditions": "priority = high" if n % 2 else None,
            "actions": [_COMMENT],
        },
        change={"name": "Renamed", "enabled": False},
        refused=(
            *(
                Refused(body, name)
                for body, name in (
                    ({"trigger": _TRIGGER, "actions": [_COMMENT]}, "name"),
                    ({"name": "x", "actions": [_COMMENT]}, "trigger"),
                    ({"name": "x", "trigger": _TRIGGER}, "actions"),
                    ({"name": "x", "trigger": _TRIGGER, "actions": []}, "actions"),
                    (
                        {"name": "x", "trigger": {"kind": "event", "event": "task.exploded"}, "actions": [_COMMENT]},
                        "trigger.event.event",
                    ),
                    ({"name": "x", "trigger": {"kind": "sometimes"}, "actions": [_COMMENT]}, "trigger"),
                    (
                        {"name": "x", "trigger": {"kind": "schedule", "cron": "61 * * * *"}, "actions": [_COMMENT]},
                        "trigger.cron",
                    ),
                    ({"name": "x", "trigger": {"kind": "schedule"}, "actions": [_COMMENT]}, "trigger.schedule"),
                    ({"name": "x", "trigger": _TRIGGER, "actions": [{"type": "explode"}]}, "actions[0]"),
                    (
                        {"name": "x", "trigger": _TRIGGER, "actions": [{"type": "add_comment"}]},
                        "actions[0].add_comment.body",
                    ),
                    (
                        {"name": "x", "trigger": _TRIGGER, "conditions": "priority = = high", "actions": [_COMMENT]},
                        "conditions",
                    ),
                    (
                        {"name": "x", "trigger": _TRIGGER, "conditions": "colour = red", "actions": [_COMMENT]},
                        "conditions",
                    ),
                    (
                        {"name": "x", "trigger": _TRIGGER, "conditions": "priority = enormous", "actions": [_COMMENT]},
                        "conditions",
                    ),
                    (
                        {
                            "name": "x",
                            "trigger": {"kind": "webhook"},
                            "conditions": "priority = high",
                            "actions": [_COMMENT],
                        },
                        "conditions",
                    ),
                    (
                        {"name": "x", "trigger": _TRIGGER, "actions": [{"type": "assign", "assignee": "user_999999"}]},
                        "actions[0].assignee",
                    ),
                    (
                        {
                            "name": "x",
                            "trigger": _TRIGGER,
                            "actions": [{"type": "move_to_section", "section_id": "section_999999"}],
                        },
                        "actions[0].section_id",
                    ),
                    (
                        {
                            "name": "x",
                            "trigger": _TRIGGER,
                            "actions": [{"type": "create_project_from_template", "template_id": "template_999999"}],
                        },
                        "actions[0].template_id",
                    ),
                    (
                        {
                            "name": "x",
                            "trigger": _TRIGGER,
                            "actions": [{"type": "update_fields", "fields": {"name": None}}],
                        },
                        "actions[0].fields.name",
                    ),
                    ({"name": "x", "trigger": _TRIGGER, "actions": [_COMMENT], "colour": "red"}, "colour"),
                )
            ),
            *(
                Refused(body, name, on="change")
                for body, name in (
                    ({"name": None}, "name"),
                    ({"name": ""}, "name"),
                    ({"enabled": None}, "enabled"),
                    ({"actions": []}, "actions"),
                    ({"actions": [{"type": "assign", "assignee": "nobody@example.com"}]}, "actions[0].assignee"),
                    ({"conditions": "nonsense ="}, "conditions"),
                )
            ),
        ),
        roles=Roles(read=MANAGERS, create=MANAGERS, change=MANAGERS, delete=MANAGERS),
        events=("automation.created", "automation.updated", "automation.deleted"),
        sorts=("name",),
        filters=(
            Filter({"enabled": "false"}, lambda a: a["enabled"] is False),
            Filter({"name[icontains]": "automation 3"}, lambda a: a["name"] == "Automation 3"),
        ),
    )
