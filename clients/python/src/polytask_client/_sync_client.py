"""The sync client. GENERATED from _async_client.py by scripts/unasync.py: do not edit;
change the async client and run the script."""

from __future__ import annotations

import builtins
import datetime
import decimal
import json
import time
import urllib.parse
from collections.abc import Generator, Iterator, Mapping
from typing import Any, Literal

import httpx

from polytask_client._config import (
    USER_AGENT,
    RetryEvent,
    RetryPolicy,
    new_idempotency_key,
    resolve_api_key,
    resolve_base_url,
    should_retry,
)
from polytask_client._errors import APIConnectionError, error_for
from polytask_client._models import (
    ChangeEvent,
    Document,
    Page,
    Resource,
    document_of,
    page_of,
    resource_of,
)
from polytask_client._operations import operation
from polytask_client._sse import SSEParser

Ref = str | int | Resource
"""An id (`task_42`, or 42) or a resource whose id is meant."""

_KEYED = frozenset({"POST", "PATCH"})


def _ref(value: Ref) -> str:
    return value.id if isinstance(value, Resource) else str(value)


def _etag(value: str | Resource | None) -> str | None:
    return value.etag if isinstance(value, Resource) else value


def _json_default(value: object) -> object:
    """Body values JSON has no type for: a resource stands for its id, dates for ISO 8601."""
    if isinstance(value, Resource):
        return value.id
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _fill(template: str, ids: tuple[Ref, ...]) -> str:
    parts = template.split("{")
    count = len(parts) - 1
    if len(ids) != count:
        raise TypeError(f"{template} takes {count} id(s), got {len(ids)}")
    out = parts[0]
    for part, ident in zip(parts[1:], ids, strict=True):
        out += urllib.parse.quote(_ref(ident), safe="") + part.split("}", 1)[1]
    return out


class _Transport:
    """Sends requests with the key, the Idempotency-Key and the retries."""

    def __init__(
        self,
        *,
        api_key: str | None,
        base_url: str | None,
        timeout: float | httpx.Timeout,
        retry: RetryPolicy,
        http_client: httpx.Client | None,
        headers: Mapping[str, str] | None,
    ) -> None:
        self.base_url = resolve_base_url(base_url)
        self.retry = retry
        key = resolve_api_key(api_key)
        self.headers = {"User-Agent": USER_AGENT, "Accept": "application/json", **(headers or {})}
        if key:
            self.headers["Authorization"] = f"Bearer {key}"
        self._own_client = http_client is None
        self.http = http_client or httpx.Client(timeout=timeout, follow_redirects=False)

    def url(self, path: str) -> str:
        """A path under /v1, or a link the server gave (`/v1/tasks?cursor=...`)."""
        if path.startswith(("http://", "https://")):
            return path
        if path.startswith("/v1/") or path == "/v1":
            return self.base_url.removesuffix("/v1") + path
        return self.base_url + path

    def send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
        files: Mapping[str, tuple[str, bytes]] | None = None,
        form: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """One call, retried on 429, 5xx, a still-running Idempotency-Key and broken
        connections; raises APIError for an error answer. `files` (and `form`'s text fields)
        send a multipart body instead of JSON."""
        url = self.url(path)
        sent = {**self.headers, **(headers or {})}
        if method in _KEYED:
            sent["Idempotency-Key"] = idempotency_key or new_idempotency_key()
        content = None if body is None else json.dumps(body, default=_json_default).encode()
        if content is not None:
            sent["Content-Type"] = "application/json"
        parts: dict[str, Any] = {}
        if files is not None:
            parts = {"files": dict(files), "data": dict(form or {})}
        # None, not {}: httpx drops a URL's own query string (a `next` link's) when given {}.
        query = {k: v for k, v in (params or {}).items() if v is not None} or None
        attempt = 0
        uncertain = False  # an earlier attempt may have run without our seeing its answer
        while True:
            try:
                response = self.http.request(method, url, params=query, content=content, headers=sent, **parts)
                response.read()
            except httpx.TransportError as exc:
                if attempt >= self.retry.max_retries:
                    raise APIConnectionError(f"{method} {url}: {exc!r}") from exc
                delay = self.retry.backoff(attempt)
                self._notify(RetryEvent(method, url, attempt, delay, None, exc))
                uncertain = True
            else:
                if not should_retry(response) or attempt >= self.retry.max_retries:
                    if response.status_code == 404 and method == "DELETE" and uncertain:
                        # The first attempt deleted it and its answer was lost.
                        return httpx.Response(204, request=response.request)
                    if response.status_code >= 400:
                        raise error_for(response)
                    return response
                delay = self.retry.delay_for(response, attempt)
                self._notify(RetryEvent(method, url, attempt, delay, response.status_code, None))
            time.sleep(delay)
            attempt += 1

    def _notify(self, event: RetryEvent) -> None:
        if self.retry.on_retry is not None:
            self.retry.on_retry(event)

    def resource(self, method: str, path: str, **kwargs: Any) -> Resource:
        response = self.send(method, path, **kwargs)
        return resource_of(response.json(), response.headers.get("etag"))

    def document(self, method: str, path: str, **kwargs: Any) -> Document:
        response = self.send(method, path, **kwargs)
        return document_of(response.json() if response.content else {})

    def close(self) -> None:
        if self._own_client:
            self.http.close()


class Pager:
    """Every item of a list, page after page (following `links.next`). Iterate it for
    resources, `pages()` for whole pages, `first_page()` for one request."""

    def __init__(self, transport: _Transport, path: str, params: Mapping[str, Any]) -> None:
        self._t = transport
        self.path = path
        self.params = dict(params)

    def __iter__(self) -> Iterator[Resource]:
        return self._items()

    def _items(self) -> Iterator[Resource]:
        for page in self.pages():
            yield from page.data

    def pages(self) -> Iterator[Page]:
        """Page after page until one has no `next` link (or no items)."""
        path: str | None = self.path
        params: dict[str, Any] | None = self.params
        while path is not None:
            response = self._t.send("GET", path, params=params)
            page = page_of(response.json())
            yield page
            # The changes feed always links a next page; its `has_more` says whether to follow.
            path = page.next if page.data and page.meta.get("has_more") is not False else None
            params = None

    def first_page(self) -> Page:
        response = self._t.send("GET", self.path, params=self.params)
        return page_of(response.json())

    def to_list(self, limit: int | None = None) -> builtins.list[Resource]:
        """The items (at most `limit`) as a list."""
        out: builtins.list[Resource] = []
        for item in self:
            if limit is not None and len(out) >= limit:
                break
            out.append(item)
        return out


class _Namespace:
    collection = ""
    item = ""

    def __init__(self, transport: _Transport) -> None:
        self._t = transport


class _List(_Namespace):
    @operation("GET {collection}")
    def list(self, *ids: Ref, **params: Any) -> Pager:
        """Every item (paged lazily); keyword arguments are the list's query parameters."""
        return Pager(self._t, _fill(self.collection, ids), params)


class _Create(_Namespace):
    @operation("POST {collection}")
    def create(self, *ids: Ref, idempotency_key: str | None = None, **attributes: Any) -> Resource:
        """Create one; the keyword arguments are its attributes."""
        return self._t.resource("POST", _fill(self.collection, ids), body=attributes, idempotency_key=idempotency_key)


class _Get(_Namespace):
    @operation("GET {item}")
    def get(self, *ids: Ref, **params: Any) -> Resource:
        """One by id; `.etag` holds its ETag."""
        return self._t.resource("GET", _fill(self.item, ids), params=params)

    def get_if_changed(self, *ids: Ref, etag: str | Resource, **params: Any) -> Resource | None:
        """The current version, or None when it still has `etag` (If-None-Match, 304)."""
        tag = _etag(etag)
        headers = {"If-None-Match": tag} if tag else None
        response = self._t.send("GET", _fill(self.item, ids), params=params, headers=headers)
        if response.status_code == 304:
            return None
        return resource_of(response.json(), response.headers.get("etag"))


class _Update(_Namespace):
    @operation("PATCH {item}", "PUT {item}")
    def update(
        self,
        *ids: Ref,
        if_match: str | Resource | None = None,
        method: Literal["PATCH", "PUT"] = "PATCH",
        idempotency_key: str | None = None,
        **attributes: Any,
    ) -> Resource:
        """Change the given attributes (PUT is the same partial update on this server).
        `if_match` (an ETag or the resource read earlier) makes it conditional: 412
        (PreconditionFailedError) when it changed meanwhile."""
        tag = _etag(if_match)
        headers = {"If-Match": tag} if tag else None
        return self._t.resource(
            method, _fill(self.item, ids), body=attributes, headers=headers, idempotency_key=idempotency_key
        )


class _Delete(_Namespace):
    @operation("DELETE {item}")
    def delete(self, *ids: Ref, if_match: str | Resource | None = None) -> None:
        """Delete one (conditionally with `if_match`)."""
        tag = _etag(if_match)
        self._t.send("DELETE", _fill(self.item, ids), headers={"If-Match": tag} if tag else None)


class _Crud(_List, _Create, _Get, _Update, _Delete):
    pass


class WorkspaceProjects(_Crud):
    """A workspace's projects: `api.workspaces.projects.list('workspace_1')`."""

    collection = "/workspaces/{workspace_id}/projects"
    item = "/workspaces/{workspace_id}/projects/{project_id}"


class WorkspaceCustomFields(_Crud):
    """A workspace's custom fields, inherited by its projects."""

    collection = "/workspaces/{workspace_id}/custom-fields"
    item = "/workspaces/{workspace_id}/custom-fields/{field_id}"


class Workspaces(_Crud):
    """Workspaces: `list()`, `create(name=...)`, `get(id)`, `update(id, ...)`, `delete(id)`."""

    collection = "/workspaces"
    item = "/workspaces/{workspace_id}"

    def __init__(self, transport: _Transport) -> None:
        super().__init__(transport)
        self.projects = WorkspaceProjects(transport)
        self.custom_fields = WorkspaceCustomFields(transport)


class ProjectTasks(_Crud):
    """A project's tasks by the project's paths: `api.projects.tasks.create('project_1', name=...)`."""

    collection = "/projects/{project_id}/tasks"
    item = "/projects/{project_id}/tasks/{task_id}"


class Projects(_Crud):
    """Projects: `create(workspace_id=..., name=..., tasks=[...])` and the rest."""

    collection = "/projects"
    item = "/projects/{project_id}"

    def __init__(self, transport: _Transport) -> None:
        super().__init__(transport)
        self.tasks = ProjectTasks(transport)


class Tasks(_Crud):
    """Tasks: `create(project_id=..., name=...)`, `list(**filters)`, `complete(id)` ..."""

    collection = "/tasks"
    item = "/tasks/{task_id}"

    def complete(self, task: Ref, *, if_match: str | Resource | None = None) -> Resource:
        """Mark it completed."""
        return self.update(task, if_match=if_match, status="completed")

    @operation("PATCH /tasks/{task_id}/custom-fields", "PUT /tasks/{task_id}/custom-fields")
    def set_custom_fields(
        self, task: Ref, values: Mapping[str, Any], *, method: Literal["PATCH", "PUT"] = "PATCH"
    ) -> Resource:
        """Set custom field values by key (None removes one)."""
        return self._t.resource(method, f"/tasks/{_ref(task)}/custom-fields", body=dict(values))


class Sections(_Crud):
    """A project's sections: `create('project_1', name='Doing')`."""

    collection = "/projects/{project_id}/sections"
    item = "/projects/{project_id}/sections/{section_id}"


class CustomFields(_Crud):
    """A project's custom fields (its workspace's are under `api.workspaces.custom_fields`)."""

    collection = "/projects/{project_id}/custom-fields"
    item = "/projects/{project_id}/custom-fields/{field_id}"


class Views(_Crud):
    """A project's saved views."""

    collection = "/projects/{project_id}/views"
    item = "/projects/{project_id}/views/{view_id}"


class Comments(_Crud):
    """A task's comments: `create('task_1', body='...')`."""

    collection = "/tasks/{task_id}/comments"
    item = "/tasks/{task_id}/comments/{comment_id}"


class Users(_List, _Create, _Get):
    """The caller (`me()`), and the people the caller shares a workspace with: `list(search=...,
    role=...)`, `get('user_2')`; server admins also `create`, `update` and `deactivate`."""

    collection = "/users"
    item = "/users/{user_id}"

    @operation("PATCH {item}")
    def update(self, user: Ref, *, idempotency_key: str | None = None, **attributes: Any) -> Resource:
        """Change `role`, `active` or `name` (server admins)."""
        return self._t.resource("PATCH", _fill(self.item, (user,)), body=attributes, idempotency_key=idempotency_key)

    @operation("DELETE {item}")
    def deactivate(self, user: Ref) -> None:
        """Deactivate the account (server admins); nothing it owns is deleted."""
        self._t.send("DELETE", _fill(self.item, (user,)))

    @operation("GET /me")
    def me(self) -> Resource:
        """The user the key belongs to."""
        return self._t.resource("GET", "/me")

    @operation("POST /me/password")
    def change_password(self, current_password: str, new_password: str) -> None:
        """Change the caller's own password (the other browser sessions end)."""
        body = {"current_password": current_password, "new_password": new_password}
        self._t.send("POST", "/me/password", body=body)

    @operation("POST /password-resets")
    def request_password_reset(self, email: str) -> None:
        """Ask for a password-reset mail (needs no key; the server always accepts, 202)."""
        self._t.send("POST", "/password-resets", body={"email": email})

    @operation("POST /password-resets/confirm")
    def confirm_password_reset(self, token: str, password: str) -> None:
        """Set a new password with the token a reset mail carried (needs no key)."""
        self._t.send("POST", "/password-resets/confirm", body={"token": token, "password": password})


class Members(_List, _Get, _Update, _Delete):
    """A workspace's members: `list('workspace_1')`, `update('workspace_1', 'user_2', role=...)`,
    `delete(...)` removes one from the workspace."""

    collection = "/workspaces/{workspace_id}/users"
    item = "/workspaces/{workspace_id}/users/{user_id}"


class Invites(_List, _Get, _Delete):
    """A workspace's invites."""

    collection = "/workspaces/{workspace_id}/invites"
    item = "/workspaces/{workspace_id}/invites/{invite_id}"

    @operation("POST {collection}")
    def create(
        self, workspace: Ref, *, idempotency_key: str | None = None, **attributes: Any
    ) -> builtins.list[Resource]:
        """Invite one or more people (`emails=[...]`, `role=...`): one invite each."""
        document = self._t.document(
            "POST", _fill(self.collection, (workspace,)), body=attributes, idempotency_key=idempotency_key
        )
        return builtins.list(document.data)

    @operation("POST /invites/accept")
    def accept(self, token: str) -> Resource:
        """Accept an invite with its token, as the key's user."""
        return self._t.resource("POST", "/invites/accept", body={"token": token})

    @operation("POST /invites/signup")
    def signup(self, token: str, **attributes: Any) -> Resource:
        """Accept an invite without an account (needs no key): `name=`, `password=`, ...;
        the account is made for the invite's email and the answer holds its first API key."""
        return self._t.resource("POST", "/invites/signup", body={"token": token, **attributes})


class AdminUsers(_List, _Create, _Get):
    """Every account on the server (server admins with a key bound to no workspace)."""

    collection = "/admin/users"
    item = "/admin/users/{user_id}"

    @operation("PATCH {item}")
    def update(self, user: Ref, *, idempotency_key: str | None = None, **attributes: Any) -> Resource:
        """Change `role`, `active` or `name`."""
        return self._t.resource("PATCH", _fill(self.item, (user,)), body=attributes, idempotency_key=idempotency_key)

    @operation("POST /admin/users/{user_id}/disable")
    def disable(self, user: Ref) -> Resource:
        """Refuse every credential of the account from now on."""
        return self._t.resource("POST", _fill(self.item, (user,)) + "/disable")

    @operation("POST /admin/users/{user_id}/enable")
    def enable(self, user: Ref) -> Resource:
        """Let a disabled account in again."""
        return self._t.resource("POST", _fill(self.item, (user,)) + "/enable")

    @operation("POST /admin/users/{user_id}/password-reset")
    def mail_password_reset(self, user: Ref) -> None:
        """Mail the account a password-reset link (202)."""
        self._t.send("POST", _fill(self.item, (user,)) + "/password-reset")

    @operation("POST /admin/users/{user_id}/password")
    def set_password(self, user: Ref, password: str) -> None:
        """Set the account's password at once; its browser sessions end."""
        self._t.send("POST", _fill(self.item, (user,)) + "/password", body={"password": password})

    @operation("GET /admin/users/{user_id}/api-keys")
    def api_keys(self, user: Ref, **params: Any) -> Pager:
        """The account's API keys, revoked ones included (never the secret)."""
        return Pager(self._t, _fill(self.item, (user,)) + "/api-keys", params)

    @operation("DELETE /admin/users/{user_id}/api-keys/{key_id}")
    def revoke_api_key(self, user: Ref, key: Ref) -> None:
        """Revoke one of the account's keys (404 when it is not theirs)."""
        self._t.send("DELETE", _fill(self.item, (user,)) + f"/api-keys/{_ref(key)}")


class TimeEntries(_Crud):
    """Time on a project: `create('project_1', minutes=30, ...)`, then by its own id."""

    collection = "/projects/{project_id}/time-entries"
    item = "/time-entries/{time_entry_id}"


class Expenses(_Crud):
    """Expenses on a project."""

    collection = "/projects/{project_id}/expenses"
    item = "/expenses/{expense_id}"


class Risks(_Crud):
    """Risks on a project."""

    collection = "/projects/{project_id}/risks"
    item = "/risks/{risk_id}"


class Departments(_Crud):
    """A workspace's departments."""

    collection = "/workspaces/{workspace_id}/departments"
    item = "/departments/{department_id}"


class Templates(_Crud):
    """Project templates: `create(name=..., project_id=...)` copies a project, `content=` writes
    one; a project from one: `projects.create(name=..., template_id=..., start_date=..., variables=...)`."""

    collection = "/templates"
    item = "/templates/{template_id}"


class ApiKeys(_List, _Create, _Get, _Delete):
    """The caller's API keys (`create(...).key` is shown once); `delete` revokes."""

    collection = "/api-keys"
    item = "/api-keys/{key_id}"

    @operation("POST /api-keys/{key_id}/rotate")
    def rotate(self, key: Ref, **attributes: Any) -> Resource:
        """A new secret for the key (in the answer, once)."""
        return self._t.resource("POST", f"/api-keys/{_ref(key)}/rotate", body=attributes)


class ProjectCalendarFeeds(_List, _Create):
    """Your calendar feeds of one project: `create('project_1', name=...)` (`.url` shown once)."""

    collection = "/projects/{project_id}/calendar-feeds"


class CalendarFeeds(_List, _Create, _Get, _Delete):
    """Your calendar feeds: `create(name=...)` makes one of the tasks assigned to you (its
    secret `url` is shown once), `projects` those of one project; `rotate` a new URL."""

    collection = "/me/calendar-feeds"
    item = "/calendar-feeds/{feed_id}"

    def __init__(self, transport: _Transport) -> None:
        super().__init__(transport)
        self.projects = ProjectCalendarFeeds(transport)

    @operation("POST /calendar-feeds/{feed_id}/rotate")
    def rotate(self, feed: Ref) -> Resource:
        """A new secret URL for the feed (in the answer, once); the old one stops working."""
        return self._t.resource("POST", f"/calendar-feeds/{_ref(feed)}/rotate")

    @operation("GET /ical/{token}.ics")
    def read(self, url: str) -> str:
        """The iCalendar text behind a feed's `url` (or its path); needs no key."""
        path = "/ical/" + url.rsplit("/ical/", 1)[-1]
        response = self._t.send("GET", path)
        return response.text


class Deliveries(_List, _Get):
    """A webhook's delivery log."""

    collection = "/webhooks/{webhook_id}/deliveries"
    item = "/webhooks/{webhook_id}/deliveries/{delivery_id}"

    @operation("POST /webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver")
    def redeliver(self, webhook: Ref, delivery: Ref) -> Resource:
        """Send a delivery again (asynchronously; the answer is the new delivery)."""
        return self._t.resource("POST", f"/webhooks/{_ref(webhook)}/deliveries/{_ref(delivery)}/redeliver")


class Webhooks(_Crud):
    """Webhook endpoints; `deliveries` is their log. Verify requests with
    `polytask_client.webhooks.verify`."""

    collection = "/webhooks"
    item = "/webhooks/{webhook_id}"

    def __init__(self, transport: _Transport) -> None:
        super().__init__(transport)
        self.deliveries = Deliveries(transport)

    @operation("POST /webhooks/{webhook_id}/test")
    def test(self, webhook: Ref) -> Resource:
        """Send a ping delivery."""
        return self._t.resource("POST", f"/webhooks/{_ref(webhook)}/test")


class WorkspaceAutomations(_List, _Create):
    """A workspace's automations: `api.automations.workspace.create('workspace_1', name=..., ...)`."""

    collection = "/workspaces/{workspace_id}/automations"


class ProjectAutomations(_List, _Create):
    """A project's automations (its events only)."""

    collection = "/projects/{project_id}/automations"


class AutomationRuns(_List):
    """An automation's run history, newest first: `api.automations.runs.list('automation_1')`."""

    collection = "/automations/{automation_id}/runs"


class Automations(_Crud):
    """Automations: a trigger, conditions (a filter expression) and ordered actions, run by the
    server's worker; `runs` is their history."""

    collection = "/automations"
    item = "/automations/{automation_id}"

    def __init__(self, transport: _Transport) -> None:
        super().__init__(transport)
        self.workspace = WorkspaceAutomations(transport)
        self.project = ProjectAutomations(transport)
        self.runs = AutomationRuns(transport)

    @operation("POST /automations/{automation_id}/enable")
    def enable(self, automation: Ref) -> Resource:
        """Switch it on."""
        return self._t.resource("POST", f"/automations/{_ref(automation)}/enable")

    @operation("POST /automations/{automation_id}/disable")
    def disable(self, automation: Ref) -> Resource:
        """Switch it off (pending runs are skipped)."""
        return self._t.resource("POST", f"/automations/{_ref(automation)}/disable")

    @operation("POST /automations/{automation_id}/test")
    def test(self, automation: Ref, **body: Any) -> Resource:
        """A dry run against `event=` (a body), `event_id=`, or the latest matching event; changes nothing."""
        return self._t.resource("POST", f"/automations/{_ref(automation)}/test", body=body)

    @operation("POST /automations/hooks/{token}")
    def trigger(self, hook_url: str, payload: dict[str, Any] | None = None) -> str:
        """POST to an incoming-URL trigger (its `hook_url` or token; needs no key); the queued run's id."""
        token = hook_url.rstrip("/").rpartition("/")[2]
        response = self._t.send("POST", f"/automations/hooks/{token}", body=payload or {})
        run_id: str = response.json()["data"]["id"]
        return run_id


class Events(_Namespace):
    """The changes feed (`list(after=...)`) and its live stream (`stream()`)."""

    @operation("GET /events")
    def list(self, **params: Any) -> Pager:
        """Events oldest first (`after=` an event id, `types=`, `workspace_id=`, `project_id=`)."""
        return Pager(self._t, "/events", params)

    @operation("GET /events/stream")
    def stream(
        self, *, last_event_id: str | int | None = None, max_reconnects: int | None = None, **filters: Any
    ) -> Generator[ChangeEvent, None, None]:
        """Server-Sent Events, forever: reconnects when the connection breaks and resumes
        after the last event received (`Last-Event-ID`), so none is lost or repeated.
        Without `last_event_id` it starts with new events. `max_reconnects` bounds the
        reconnections in a row that bring nothing (None: the retry policy's `max_retries`)."""
        parser = SSEParser()
        if last_event_id is not None:
            parser.last_id = last_event_id if isinstance(last_event_id, str) else f"event_{last_event_id}"
        limit = self._t.retry.max_retries if max_reconnects is None else max_reconnects
        failures = 0
        url = self._t.url("/events/stream")
        query = {k: v for k, v in filters.items() if v is not None} or None
        timeout = httpx.Timeout(30.0, read=90.0)  # the server sends a heartbeat every 15 s
        while True:
            headers = {**self._t.headers, "Accept": "text/event-stream"}
            if parser.last_id is not None:
                headers["Last-Event-ID"] = parser.last_id
            status: int | None = None
            error: Exception | None = None
            refused: httpx.Response | None = None
            try:
                with self._t.http.stream("GET", url, params=query, headers=headers, timeout=timeout) as response:
                    if response.status_code != 200:
                        response.read()
                        if not should_retry(response) or failures >= limit:
                            raise error_for(response)
                        status, refused = response.status_code, response
                    else:
                        for line in response.iter_lines():
                            message = parser.feed(line)
                            if message is None:
                                continue
                            failures = 0
                            body = json.loads(message.data)
                            resource = Resource(body)
                            yield ChangeEvent(id=message.id or resource.id, event=message.event, data=resource)
            except httpx.TransportError as exc:
                error = exc
            parser.reset()
            if failures >= limit:
                raise APIConnectionError(f"the change stream broke {failures + 1} times in a row") from error
            if refused is not None:  # 429 or 5xx: Retry-After, else backoff
                delay = self._t.retry.delay_for(refused, failures)
            elif parser.retry_ms is not None:  # the stream's own `retry:` advice
                delay = parser.retry_ms / 1000
            else:
                delay = self._t.retry.backoff(failures)
            self._t._notify(RetryEvent("GET", url, failures, delay, status, error))
            time.sleep(delay)
            failures += 1


class Audit(_Namespace):
    """The audit logs and a project's activity (cursor-paged, newest first)."""

    @operation("GET /workspaces/{workspace_id}/audit-log")
    def workspace(self, workspace: Ref, **params: Any) -> Pager:
        """A workspace's audit log (owners and admins)."""
        return Pager(self._t, f"/workspaces/{_ref(workspace)}/audit-log", params)

    @operation("GET /audit-log")
    def server(self, **params: Any) -> Pager:
        """The whole server's log (server admins)."""
        return Pager(self._t, "/audit-log", params)

    @operation("GET /projects/{project_id}/activity")
    def project(self, project: Ref, **params: Any) -> Pager:
        """A project's activity."""
        return Pager(self._t, f"/projects/{_ref(project)}/activity", params)


class ApiUsage(_Namespace):
    """API usage: requests, success rate, latency and refusals per key, OAuth client and surface."""

    @operation("GET /analytics/api-usage")
    def get(self, **params: Any) -> Document:
        """`workspace_id=` (owners and admins) or the whole server (server admins); `interval`
        (minute, hour, day), `from`, `to`, `surface`, `api_key_id`, `oauth_client_id`. Pass
        `from` as `**{"from": ...}` (a Python keyword)."""
        return self._t.document("GET", "/analytics/api-usage", params=params)

    @operation("GET /me/api-usage")
    def mine(self, **params: Any) -> Document:
        """Your own API keys' and the OAuth clients you own: the same figures and parameters,
        but no `workspace_id`; for anyone."""
        return self._t.document("GET", "/me/api-usage", params=params)


class Bulk(_Namespace):
    """Bulk writes: many tasks or projects in one request."""

    @operation("POST /tasks/bulk")
    def tasks(self, *, idempotency_key: str | None = None, **body: Any) -> Document:
        """`tasks=[...]` creates them; `operations=[...]` updates or deletes by filter."""
        return self._t.document("POST", "/tasks/bulk", body=body, idempotency_key=idempotency_key)

    @operation("POST /projects/{project_id}/tasks/bulk")
    def project_tasks(
        self, project: Ref, tasks: builtins.list[Mapping[str, Any]], *, idempotency_key: str | None = None
    ) -> Document:
        """Create tasks in one project."""
        return self._t.document(
            "POST",
            f"/projects/{_ref(project)}/tasks/bulk",
            body={"tasks": [dict(t) for t in tasks]},
            idempotency_key=idempotency_key,
        )

    @operation("POST /workspaces/bulk/projects")
    def projects(self, *, idempotency_key: str | None = None, **body: Any) -> Document:
        """Create projects, each with its tasks (`projects=[...]`, `workspace_id=`)."""
        return self._t.document("POST", "/workspaces/bulk/projects", body=body, idempotency_key=idempotency_key)


class Batch(_Namespace):
    """Several operations in one request."""

    @operation("POST /batch")
    def run(
        self,
        operations: builtins.list[Mapping[str, Any]],
        *,
        atomic: bool | None = None,
        idempotency_key: str | None = None,
    ) -> Document:
        """`operations`: `{"method": ..., "path": "/tasks/...", "body": {...}}` each; `data`
        of the answer has one result per operation."""
        body: dict[str, Any] = {"operations": [dict(op) for op in operations]}
        if atomic is not None:
            body["atomic"] = atomic
        return self._t.document("POST", "/batch", body=body, idempotency_key=idempotency_key)


class Exports(_Namespace):
    """Exports as files: a project (JSON document or CSV of tasks) or a whole workspace (JSON)."""

    @operation("GET /projects/{project_id}/export")
    def project(self, project: Ref, *, format: Literal["json", "csv"] = "json") -> bytes:
        """The project's export file (`format="json"`: the document `imports.create` reads back)."""
        response = self._t.send("GET", f"/projects/{_ref(project)}/export", params={"format": format})
        return response.content

    @operation("GET /workspaces/{workspace_id}/export")
    def workspace(self, workspace: Ref) -> bytes:
        """Every project of the workspace as one JSON export document."""
        response = self._t.send("GET", f"/workspaces/{_ref(workspace)}/export", params={"format": "json"})
        return response.content


class Imports(_Namespace):
    """Imports: a file turned into projects by a background job."""

    @operation("POST /workspaces/{workspace_id}/imports")
    def create(
        self,
        workspace: Ref,
        content: bytes,
        *,
        format: Literal["polytask", "csv", "trello", "todoist"],
        filename: str = "import",
        dry_run: bool = False,
        mapping: Mapping[str, str] | None = None,
        options: Mapping[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> Document:
        """Upload a file to import: the job (`data`, status `queued`), or with `dry_run=True`
        the report (`meta`: counts, warnings, errors) and nothing written."""
        form = {"format": format, "dry_run": "true" if dry_run else "false"}
        if mapping is not None:
            form["mapping"] = json.dumps(dict(mapping))
        if options is not None:
            form["options"] = json.dumps(dict(options))
        response = self._t.send(
            "POST",
            f"/workspaces/{_ref(workspace)}/imports",
            files={"file": (filename, content)},
            form=form,
            idempotency_key=idempotency_key,
        )
        return document_of(response.json())

    @operation("GET /workspaces/{workspace_id}/imports")
    def list(self, workspace: Ref, **params: Any) -> Pager:
        """A workspace's import jobs, newest first (`status=`, `format=`, ...)."""
        return Pager(self._t, f"/workspaces/{_ref(workspace)}/imports", params)

    @operation("GET /imports/{import_id}")
    def get(self, import_job: Ref) -> Resource:
        """An import job's progress: status, done/total, created projects, errors."""
        return self._t.resource("GET", f"/imports/{_ref(import_job)}")


class OAuthClients(_List, _Create, _Get, _Delete):
    """OAuth clients registered by the caller (`client_secret` is in the create answer, once)."""

    collection = "/oauth/clients"
    item = "/oauth/clients/{oauth_client_id}"


class Analytics(_Namespace):
    """Task analytics: created, completed, overdue, completion rate, throughput and cycle time
    per day or week (`interval`), optionally `group_by` assignee, section or label. `start` and
    `end` are the period's first and last days (the API's `from` and `to`, default: the last
    30 days); other filters (`assignee_id=`, `project_id=` for a workspace) as keywords."""

    @operation("GET /workspaces/{workspace_id}/analytics")
    def workspace(self, workspace: Ref, *, start: str | None = None, end: str | None = None, **params: Any) -> Resource:
        """A workspace's task analytics (the view_analytics permission)."""
        return self._t.resource("GET", f"/workspaces/{_ref(workspace)}/analytics", params=_period(start, end, params))

    @operation("GET /projects/{project_id}/analytics")
    def project(self, project: Ref, *, start: str | None = None, end: str | None = None, **params: Any) -> Resource:
        """A project's task analytics."""
        return self._t.resource("GET", f"/projects/{_ref(project)}/analytics", params=_period(start, end, params))


def _period(start: str | None, end: str | None, params: dict[str, Any]) -> dict[str, Any]:
    # `from` is a Python keyword: the period's ends are `start` and `end` here.
    out = dict(params)
    if start is not None:
        out["from"] = str(start)
    if end is not None:
        out["to"] = str(end)
    return out


class TaskadeAPI:
    """The client of the /v1 API. `base_url` defaults to TASKADE_API_BASE_URL, then
    POLYTASK_URL, then https://api.taskade.com/v1; `api_key` to TASKADE_API_KEY, then
    POLYTASK_API_KEY. Use it as a context manager, or `api.close()`."""

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | httpx.Timeout = 30.0,
        retry: RetryPolicy | None = None,
        http_client: httpx.Client | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self._t = _Transport(
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            retry=retry or RetryPolicy(),
            http_client=http_client,
            headers=headers,
        )
        self.workspaces = Workspaces(self._t)
        self.projects = Projects(self._t)
        self.tasks = Tasks(self._t)
        self.sections = Sections(self._t)
        self.custom_fields = CustomFields(self._t)
        self.views = Views(self._t)
        self.comments = Comments(self._t)
        self.users = Users(self._t)
        self.members = Members(self._t)
        self.invites = Invites(self._t)
        self.time_entries = TimeEntries(self._t)
        self.expenses = Expenses(self._t)
        self.risks = Risks(self._t)
        self.departments = Departments(self._t)
        self.templates = Templates(self._t)
        self.api_keys = ApiKeys(self._t)
        self.calendar_feeds = CalendarFeeds(self._t)
        self.webhooks = Webhooks(self._t)
        self.automations = Automations(self._t)
        self.events = Events(self._t)
        self.audit = Audit(self._t)
        self.api_usage = ApiUsage(self._t)
        self.bulk = Bulk(self._t)
        self.batch = Batch(self._t)
        self.oauth_clients = OAuthClients(self._t)
        self.admin_users = AdminUsers(self._t)
        self.analytics = Analytics(self._t)
        self.exports = Exports(self._t)
        self.imports = Imports(self._t)

    @property
    def base_url(self) -> str:
        return self._t.base_url

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Any call, with the client's key, idempotency and retries (the raw response)."""
        return self._t.send(method.upper(), path, params=params, body=json, headers=headers)

    def close(self) -> None:
        self._t.close()

    def __enter__(self) -> TaskadeAPI:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
