"""The async client. `_sync_client.py` is generated from this file by scripts/unasync.py
(async/await removed, `Async` names made plain); edit here and run the script."""

from __future__ import annotations

import asyncio
import builtins
import datetime
import decimal
import json
import urllib.parse
from collections.abc import AsyncGenerator, AsyncIterator, Mapping
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


class _AsyncTransport:
    """Sends requests with the key, the Idempotency-Key and the retries."""

    def __init__(
        self,
        *,
        api_key: str | None,
        base_url: str | None,
        timeout: float | httpx.Timeout,
        retry: RetryPolicy,
        http_client: httpx.AsyncClient | None,
        headers: Mapping[str, str] | None,
    ) -> None:
        self.base_url = resolve_base_url(base_url)
        self.retry = retry
        key = resolve_api_key(api_key)
        self.headers = {"User-Agent": USER_AGENT, "Accept": "application/json", **(headers or {})}
        if key:
            self.headers["Authorization"] = f"Bearer {key}"
        self._own_client = http_client is None
        self.http = http_client or httpx.AsyncClient(timeout=timeout, follow_redirects=False)

    def url(self, path: str) -> str:
        """A path under /v1, or a link the server gave (`/v1/tasks?cursor=...`)."""
        if path.startswith(("http://", "https://")):
            return path
        if path.startswith("/v1/") or path == "/v1":
            return self.base_url.removesuffix("/v1") + path
        return self.base_url + path

    async def send(
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
                response = await self.http.request(method, url, params=query, content=content, headers=sent, **parts)
                await response.aread()
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
            await asyncio.sleep(delay)
            attempt += 1

    def _notify(self, event: RetryEvent) -> None:
        if self.retry.on_retry is not None:
            self.retry.on_retry(event)

    async def resource(self, method: str, path: str, **kwargs: Any) -> Resource:
        response = await self.send(method, path, **kwargs)
        return resource_of(response.json(), response.headers.get("etag"))

    async def document(self, method: str, path: str, **kwargs: Any) -> Document:
        response = await self.send(method, path, **kwargs)
        return document_of(response.json() if response.content else {})

    async def aclose(self) -> None:
        if self._own_client:
            await self.http.aclose()


class AsyncPager:
    """Every item of a list, page after page (following `links.next`). Iterate it for
    resources, `pages()` for whole pages, `first_page()` for one request."""

    def __init__(self, transport: _AsyncTransport, path: str, params: Mapping[str, Any]) -> None:
        self._t = transport
        self.path = path
        self.params = dict(params)

    def __aiter__(self) -> AsyncIterator[Resource]:
        return self._items()

    async def _items(self) -> AsyncIterator[Resource]:
        async for page in self.pages():
            for item in page.data:
                yield item

    async def pages(self) -> AsyncIterator[Page]:
        """Page after page until one has no `next` link (or no items)."""
        path: str | None = self.path
        params: dict[str, Any] | None = self.params
        while path is not None:
            response = await self._t.send("GET", path, params=params)
            page = page_of(response.json())
            yield page
            # The changes feed always links a next page; its `has_more` says whether to follow.
            path = page.next if page.data and page.meta.get("has_more") is not False else None
            params = None

    async def first_page(self) -> Page:
        response = await self._t.send("GET", self.path, params=self.params)
        return page_of(response.json())

    async def to_list(self, limit: int | None = None) -> builtins.list[Resource]:
        """The items (at most `limit`) as a list."""
        out: builtins.list[Resource] = []
        async for item in self:
            if limit is not None and len(out) >= limit:
                break
            out.append(item)
        return out


class _AsyncNamespace:
    collection = ""
    item = ""

    def __init__(self, transport: _AsyncTransport) -> None:
        self._t = transport


class _AsyncList(_AsyncNamespace):
    @operation("GET {collection}")
    def list(self, *ids: Ref, **params: Any) -> AsyncPager:
        """Every item (paged lazily); keyword arguments are the list's query parameters."""
        return AsyncPager(self._t, _fill(self.collection, ids), params)


class _AsyncCreate(_AsyncNamespace):
    @operation("POST {collection}")
    async def create(self, *ids: Ref, idempotency_key: str | None = None, **attributes: Any) -> Resource:
        """Create one; the keyword arguments are its attributes."""
        return await self._t.resource(
            "POST", _fill(self.collection, ids), body=attributes, idempotency_key=idempotency_key
        )


class _AsyncGet(_AsyncNamespace):
    @operation("GET {item}")
    async def get(self, *ids: Ref, **params: Any) -> Resource:
        """One by id; `.etag` holds its ETag."""
        return await self._t.resource("GET", _fill(self.item, ids), params=params)

    async def get_if_changed(self, *ids: Ref, etag: str | Resource, **params: Any) -> Resource | None:
        """The current version, or None when it still has `etag` (If-None-Match, 304)."""
        tag = _etag(etag)
        headers = {"If-None-Match": tag} if tag else None
        response = await self._t.send("GET", _fill(self.item, ids), params=params, headers=headers)
        if response.status_code == 304:
            return None
        return resource_of(response.json(), response.headers.get("etag"))


class _AsyncUpdate(_AsyncNamespace):
    @operation("PATCH {item}", "PUT {item}")
    async def update(
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
        return await self._t.resource(
            method, _fill(self.item, ids), body=attributes, headers=headers, idempotency_key=idempotency_key
        )


class _AsyncDelete(_AsyncNamespace):
    @operation("DELETE {item}")
    async def delete(self, *ids: Ref, if_match: str | Resource | None = None) -> None:
        """Delete one (conditionally with `if_match`)."""
        tag = _etag(if_match)
        await self._t.send("DELETE", _fill(self.item, ids), headers={"If-Match": tag} if tag else None)


class _AsyncCrud(_AsyncList, _AsyncCreate, _AsyncGet, _AsyncUpdate, _AsyncDelete):
    pass


class AsyncWorkspaceProjects(_AsyncCrud):
    """A workspace's projects: `api.workspaces.projects.list('workspace_1')`."""

    collection = "/workspaces/{workspace_id}/projects"
    item = "/workspaces/{workspace_id}/projects/{project_id}"


class AsyncWorkspaceCustomFields(_AsyncCrud):
    """A workspace's custom fields, inherited by its projects."""

    collection = "/workspaces/{workspace_id}/custom-fields"
    item = "/workspaces/{workspace_id}/custom-fields/{field_id}"


class AsyncWorkspaces(_AsyncCrud):
    """Workspaces: `list()`, `create(name=...)`, `get(id)`, `update(id, ...)`, `delete(id)`."""

    collection = "/workspaces"
    item = "/workspaces/{workspace_id}"

    def __init__(self, transport: _AsyncTransport) -> None:
        super().__init__(transport)
        self.projects = AsyncWorkspaceProjects(transport)
        self.custom_fields = AsyncWorkspaceCustomFields(transport)


class AsyncProjectTasks(_AsyncCrud):
    """A project's tasks by the project's paths: `api.projects.tasks.create('project_1', name=...)`."""

    collection = "/projects/{project_id}/tasks"
    item = "/projects/{project_id}/tasks/{task_id}"


class AsyncProjects(_AsyncCrud):
    """Projects: `create(workspace_id=..., name=..., tasks=[...])` and the rest."""

    collection = "/projects"
    item = "/projects/{project_id}"

    def __init__(self, transport: _AsyncTransport) -> None:
        super().__init__(transport)
        self.tasks = AsyncProjectTasks(transport)


class AsyncTasks(_AsyncCrud):
    """Tasks: `create(project_id=..., name=...)`, `list(**filters)`, `complete(id)` ..."""

    collection = "/tasks"
    item = "/tasks/{task_id}"

    async def complete(self, task: Ref, *, if_match: str | Resource | None = None) -> Resource:
        """Mark it completed."""
        return await self.update(task, if_match=if_match, status="completed")

    @operation("PATCH /tasks/{task_id}/custom-fields", "PUT /tasks/{task_id}/custom-fields")
    async def set_custom_fields(
        self, task: Ref, values: Mapping[str, Any], *, method: Literal["PATCH", "PUT"] = "PATCH"
    ) -> Resource:
        """Set custom field values by key (None removes one)."""
        return await self._t.resource(method, f"/tasks/{_ref(task)}/custom-fields", body=dict(values))


class AsyncSections(_AsyncCrud):
    """A project's sections: `create('project_1', name='Doing')`."""

    collection = "/projects/{project_id}/sections"
    item = "/projects/{project_id}/sections/{section_id}"


class AsyncCustomFields(_AsyncCrud):
    """A project's custom fields (its workspace's are under `api.workspaces.custom_fields`)."""

    collection = "/projects/{project_id}/custom-fields"
    item = "/projects/{project_id}/custom-fields/{field_id}"


class AsyncViews(_AsyncCrud):
    """A project's saved views."""

    collection = "/projects/{project_id}/views"
    item = "/projects/{project_id}/views/{view_id}"


class AsyncComments(_AsyncCrud):
    """A task's comments: `create('task_1', body='...')`."""

    collection = "/tasks/{task_id}/comments"
    item = "/tasks/{task_id}/comments/{comment_id}"


class AsyncUsers(_AsyncList, _AsyncCreate, _AsyncGet):
    """The caller (`me()`), and the people the caller shares a workspace with: `list(search=...,
    role=...)`, `get('user_2')`; server admins also `create`, `update` and `deactivate`."""

    collection = "/users"
    item = "/users/{user_id}"

    @operation("PATCH {item}")
    async def update(self, user: Ref, *, idempotency_key: str | None = None, **attributes: Any) -> Resource:
        """Change `role`, `active` or `name` (server admins)."""
        return await self._t.resource(
            "PATCH", _fill(self.item, (user,)), body=attributes, idempotency_key=idempotency_key
        )

    @operation("DELETE {item}")
    async def deactivate(self, user: Ref) -> None:
        """Deactivate the account (server admins); nothing it owns is deleted."""
        await self._t.send("DELETE", _fill(self.item, (user,)))

    @operation("GET /me")
    async def me(self) -> Resource:
        """The user the key belongs to."""
        return await self._t.resource("GET", "/me")

    @operation("POST /me/password")
    async def change_password(self, current_password: str, new_password: str) -> None:
        """Change the caller's own password (the other browser sessions end)."""
        body = {"current_password": current_password, "new_password": new_password}
        await self._t.send("POST", "/me/password", body=body)

    @operation("POST /password-resets")
    async def request_password_reset(self, email: str) -> None:
        """Ask for a password-reset mail (needs no key; the server always accepts, 202)."""
        await self._t.send("POST", "/password-resets", body={"email": email})

    @operation("POST /password-resets/confirm")
    async def confirm_password_reset(self, token: str, password: str) -> None:
        """Set a new password with the token a reset mail carried (needs no key)."""
        await self._t.send("POST", "/password-resets/confirm", body={"token": token, "password": password})


class AsyncMembers(_AsyncList, _AsyncGet, _AsyncUpdate, _AsyncDelete):
    """A workspace's members: `list('workspace_1')`, `update('workspace_1', 'user_2', role=...)`,
    `delete(...)` removes one from the workspace."""

    collection = "/workspaces/{workspace_id}/users"
    item = "/workspaces/{workspace_id}/users/{user_id}"


class AsyncInvites(_AsyncList, _AsyncGet, _AsyncDelete):
    """A workspace's invites."""

    collection = "/workspaces/{workspace_id}/invites"
    item = "/workspaces/{workspace_id}/invites/{invite_id}"

    @operation("POST {collection}")
    async def create(
        self, workspace: Ref, *, idempotency_key: str | None = None, **attributes: Any
    ) -> builtins.list[Resource]:
        """Invite one or more people (`emails=[...]`, `role=...`): one invite each."""
        document = await self._t.document(
            "POST", _fill(self.collection, (workspace,)), body=attributes, idempotency_key=idempotency_key
        )
        return builtins.list(document.data)

    @operation("POST /invites/accept")
    async def accept(self, token: str) -> Resource:
        """Accept an invite with its token, as the key's user."""
        return await self._t.resource("POST", "/invites/accept", body={"token": token})

    @operation("POST /invites/signup")
    async def signup(self, token: str, **attributes: Any) -> Resource:
        """Accept an invite without an account (needs no key): `name=`, `password=`, ...;
        the account is made for the invite's email and the answer holds its first API key."""
        return await self._t.resource("POST", "/invites/signup", body={"token": token, **attributes})


class AsyncAdminUsers(_AsyncList, _AsyncCreate, _AsyncGet):
    """Every account on the server (server admins with a key bound to no workspace)."""

    collection = "/admin/users"
    item = "/admin/users/{user_id}"

    @operation("PATCH {item}")
    async def update(self, user: Ref, *, idempotency_key: str | None = None, **attributes: Any) -> Resource:
        """Change `role`, `active` or `name`."""
        return await self._t.resource(
            "PATCH", _fill(self.item, (user,)), body=attributes, idempotency_key=idempotency_key
        )

    @operation("POST /admin/users/{user_id}/disable")
    async def disable(self, user: Ref) -> Resource:
        """Refuse every credential of the account from now on."""
        return await self._t.resource("POST", _fill(self.item, (user,)) + "/disable")

    @operation("POST /admin/users/{user_id}/enable")
    async def enable(self, user: Ref) -> Resource:
        """Let a disabled account in again."""
        return await self._t.resource("POST", _fill(self.item, (user,)) + "/enable")

    @operation("POST /admin/users/{user_id}/password-reset")
    async def mail_password_reset(self, user: Ref) -> None:
        """Mail the account a password-reset link (202)."""
        await self._t.send("POST", _fill(self.item, (user,)) + "/password-reset")

    @operation("POST /admin/users/{user_id}/password")
    async def set_password(self, user: Ref, password: str) -> None:
        """Set the account's password at once; its browser sessions end."""
        await self._t.send("POST", _fill(self.item, (user,)) + "/password", body={"password": password})

    @operation("GET /admin/users/{user_id}/api-keys")
    def api_keys(self, user: Ref, **params: Any) -> AsyncPager:
        """The account's API keys, revoked ones included (never the secret)."""
        return AsyncPager(self._t, _fill(self.item, (user,)) + "/api-keys", params)

    @operation("DELETE /admin/users/{user_id}/api-keys/{key_id}")
    async def revoke_api_key(self, user: Ref, key: Ref) -> None:
        """Revoke one of the account's keys (404 when it is not theirs)."""
        await self._t.send("DELETE", _fill(self.item, (user,)) + f"/api-keys/{_ref(key)}")


class AsyncTimeEntries(_AsyncCrud):
    """Time on a project: `create('project_1', minutes=30, ...)`, then by its own id."""

    collection = "/projects/{project_id}/time-entries"
    item = "/time-entries/{time_entry_id}"


class AsyncExpenses(_AsyncCrud):
    """Expenses on a project."""

    collection = "/projects/{project_id}/expenses"
    item = "/expenses/{expense_id}"


class AsyncRisks(_AsyncCrud):
    """Risks on a project."""

    collection = "/projects/{project_id}/risks"
    item = "/risks/{risk_id}"


class AsyncDepartments(_AsyncCrud):
    """A workspace's departments."""

    collection = "/workspaces/{workspace_id}/departments"
    item = "/departments/{department_id}"


class AsyncTemplates(_AsyncCrud):
    """Project templates: `create(name=..., project_id=...)` copies a project, `content=` writes
    one; a project from one: `projects.create(name=..., template_id=..., start_date=..., variables=...)`."""

    collection = "/templates"
    item = "/templates/{template_id}"


class AsyncApiKeys(_AsyncList, _AsyncCreate, _AsyncGet, _AsyncDelete):
    """The caller's API keys (`create(...).key` is shown once); `delete` revokes."""

    collection = "/api-keys"
    item = "/api-keys/{key_id}"

    @operation("POST /api-keys/{key_id}/rotate")
    async def rotate(self, key: Ref, **attributes: Any) -> Resource:
        """A new secret for the key (in the answer, once)."""
        return await self._t.resource("POST", f"/api-keys/{_ref(key)}/rotate", body=attributes)


class AsyncProjectCalendarFeeds(_AsyncList, _AsyncCreate):
    """Your calendar feeds of one project: `create('project_1', name=...)` (`.url` shown once)."""

    collection = "/projects/{project_id}/calendar-feeds"


class AsyncCalendarFeeds(_AsyncList, _AsyncCreate, _AsyncGet, _AsyncDelete):
    """Your calendar feeds: `create(name=...)` makes one of the tasks assigned to you (its
    secret `url` is shown once), `projects` those of one project; `rotate` a new URL."""

    collection = "/me/calendar-feeds"
    item = "/calendar-feeds/{feed_id}"

    def __init__(self, transport: _AsyncTransport) -> None:
        super().__init__(transport)
        self.projects = AsyncProjectCalendarFeeds(transport)

    @operation("POST /calendar-feeds/{feed_id}/rotate")
    async def rotate(self, feed: Ref) -> Resource:
        """A new secret URL for the feed (in the answer, once); the old one stops working."""
        return await self._t.resource("POST", f"/calendar-feeds/{_ref(feed)}/rotate")

    @operation("GET /ical/{token}.ics")
    async def read(self, url: str) -> str:
        """The iCalendar text behind a feed's `url` (or its path); needs no key."""
        path = "/ical/" + url.rsplit("/ical/", 1)[-1]
        response = await self._t.send("GET", path)
        return response.text


class AsyncDeliveries(_AsyncList, _AsyncGet):
    """A webhook's delivery log."""

    collection = "/webhooks/{webhook_id}/deliveries"
    item = "/webhooks/{webhook_id}/deliveries/{delivery_id}"

    @operation("POST /webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver")
    async def redeliver(self, webhook: Ref, delivery: Ref) -> Resource:
        """Send a delivery again (asynchronously; the answer is the new delivery)."""
        return await self._t.resource("POST", f"/webhooks/{_ref(webhook)}/deliveries/{_ref(delivery)}/redeliver")


class AsyncWebhooks(_AsyncCrud):
    """Webhook endpoints; `deliveries` is their log. Verify requests with
    `polytask_client.webhooks.verify`."""

    collection = "/webhooks"
    item = "/webhooks/{webhook_id}"

    def __init__(self, transport: _AsyncTransport) -> None:
        super().__init__(transport)
        self.deliveries = AsyncDeliveries(transport)

    @operation("POST /webhooks/{webhook_id}/test")
    async def test(self, webhook: Ref) -> Resource:
        """Send a ping delivery."""
        return await self._t.resource("POST", f"/webhooks/{_ref(webhook)}/test")


class AsyncWorkspaceAutomations(_AsyncList, _AsyncCreate):
    """A workspace's automations: `api.automations.workspace.create('workspace_1', name=..., ...)`."""

    collection = "/workspaces/{workspace_id}/automations"


class AsyncProjectAutomations(_AsyncList, _AsyncCreate):
    """A project's automations (its events only)."""

    collection = "/projects/{project_id}/automations"


class AsyncAutomationRuns(_AsyncList):
    """An automation's run history, newest first: `api.automations.runs.list('automation_1')`."""

    collection = "/automations/{automation_id}/runs"


class AsyncAutomations(_AsyncCrud):
    """Automations: a trigger, conditions (a filter expression) and ordered actions, run by the
    server's worker; `runs` is their history."""

    collection = "/automations"
    item = "/automations/{automation_id}"

    def __init__(self, transport: _AsyncTransport) -> None:
        super().__init__(transport)
        self.workspace = AsyncWorkspaceAutomations(transport)
        self.project = AsyncProjectAutomations(transport)
        self.runs = AsyncAutomationRuns(transport)

    @operation("POST /automations/{automation_id}/enable")
    async def enable(self, automation: Ref) -> Resource:
        """Switch it on."""
        return await self._t.resource("POST", f"/automations/{_ref(automation)}/enable")

    @operation("POST /automations/{automation_id}/disable")
    async def disable(self, automation: Ref) -> Resource:
        """Switch it off (pending runs are skipped)."""
        return await self._t.resource("POST", f"/automations/{_ref(automation)}/disable")

    @operation("POST /automations/{automation_id}/test")
    async def test(self, automation: Ref, **body: Any) -> Resource:
        """A dry run against `event=` (a body), `event_id=`, or the latest matching event; changes nothing."""
        return await self._t.resource("POST", f"/automations/{_ref(automation)}/test", body=body)

    @operation("POST /automations/hooks/{token}")
    async def trigger(self, hook_url: str, payload: dict[str, Any] | None = None) -> str:
        """POST to an incoming-URL trigger (its `hook_url` or token; needs no key); the queued run's id."""
        token = hook_url.rstrip("/").rpartition("/")[2]
        response = await self._t.send("POST", f"/automations/hooks/{token}", body=payload or {})
        run_id: str = response.json()["data"]["id"]
        return run_id


class AsyncEvents(_AsyncNamespace):
    """The changes feed (`list(after=...)`) and its live stream (`stream()`)."""

    @operation("GET /events")
    def list(self, **params: Any) -> AsyncPager:
        """Events oldest first (`after=` an event id, `types=`, `workspace_id=`, `project_id=`)."""
        return AsyncPager(self._t, "/events", params)

    @operation("GET /events/stream")
    async def stream(
        self, *, last_event_id: str | int | None = None, max_reconnects: int | None = None, **filters: Any
    ) -> AsyncGenerator[ChangeEvent, None]:
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
                async with self._t.http.stream("GET", url, params=query, headers=headers, timeout=timeout) as response:
                    if response.status_code != 200:
                        await response.aread()
                        if not should_retry(response) or failures >= limit:
                            raise error_for(response)
                        status, refused = response.status_code, response
                    else:
                        async for line in response.aiter_lines():
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
            await asyncio.sleep(delay)
            failures += 1


class AsyncAudit(_AsyncNamespace):
    """The audit logs and a project's activity (cursor-paged, newest first)."""

    @operation("GET /workspaces/{workspace_id}/audit-log")
    def workspace(self, workspace: Ref, **params: Any) -> AsyncPager:
        """A workspace's audit log (owners and admins)."""
        return AsyncPager(self._t, f"/workspaces/{_ref(workspace)}/audit-log", params)

    @operation("GET /audit-log")
    def server(self, **params: Any) -> AsyncPager:
        """The whole server's log (server admins)."""
        return AsyncPager(self._t, "/audit-log", params)

    @operation("GET /projects/{project_id}/activity")
    def project(self, project: Ref, **params: Any) -> AsyncPager:
        """A project's activity."""
        return AsyncPager(self._t, f"/projects/{_ref(project)}/activity", params)


class AsyncApiUsage(_AsyncNamespace):
    """API usage: requests, success rate, latency and refusals per key, OAuth client and surface."""

    @operation("GET /analytics/api-usage")
    async def get(self, **params: Any) -> Document:
        """`workspace_id=` (owners and admins) or the whole server (server admins); `interval`
        (minute, hour, day), `from`, `to`, `surface`, `api_key_id`, `oauth_client_id`. Pass
        `from` as `**{"from": ...}` (a Python keyword)."""
        return await self._t.document("GET", "/analytics/api-usage", params=params)

    @operation("GET /me/api-usage")
    async def mine(self, **params: Any) -> Document:
        """Your own API keys' and the OAuth clients you own: the same figures and parameters,
        but no `workspace_id`; for anyone."""
        return await self._t.document("GET", "/me/api-usage", params=params)


class AsyncBulk(_AsyncNamespace):
    """Bulk writes: many tasks or projects in one request."""

    @operation("POST /tasks/bulk")
    async def tasks(self, *, idempotency_key: str | None = None, **body: Any) -> Document:
        """`tasks=[...]` creates them; `operations=[...]` updates or deletes by filter."""
        return await self._t.document("POST", "/tasks/bulk", body=body, idempotency_key=idempotency_key)

    @operation("POST /projects/{project_id}/tasks/bulk")
    async def project_tasks(
        self, project: Ref, tasks: builtins.list[Mapping[str, Any]], *, idempotency_key: str | None = None
    ) -> Document:
        """Create tasks in one project."""
        return await self._t.document(
            "POST",
            f"/projects/{_ref(project)}/tasks/bulk",
            body={"tasks": [dict(t) for t in tasks]},
            idempotency_key=idempotency_key,
        )

    @operation("POST /workspaces/bulk/projects")
    async def projects(self, *, idempotency_key: str | None = None, **body: Any) -> Document:
        """Create projects, each with its tasks (`projects=[...]`, `workspace_id=`)."""
        return await self._t.document("POST", "/workspaces/bulk/projects", body=body, idempotency_key=idempotency_key)


class AsyncBatch(_AsyncNamespace):
    """Several operations in one request."""

    @operation("POST /batch")
    async def run(
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
        return await self._t.document("POST", "/batch", body=body, idempotency_key=idempotency_key)


class AsyncExports(_AsyncNamespace):
    """Exports as files: a project (JSON document or CSV of tasks) or a whole workspace (JSON)."""

    @operation("GET /projects/{project_id}/export")
    async def project(self, project: Ref, *, format: Literal["json", "csv"] = "json") -> bytes:
        """The project's export file (`format="json"`: the document `imports.create` reads back)."""
        response = await self._t.send("GET", f"/projects/{_ref(project)}/export", params={"format": format})
        return response.content

    @operation("GET /workspaces/{workspace_id}/export")
    async def workspace(self, workspace: Ref) -> bytes:
        """Every project of the workspace as one JSON export document."""
        response = await self._t.send("GET", f"/workspaces/{_ref(workspace)}/export", params={"format": "json"})
        return response.content


class AsyncImports(_AsyncNamespace):
    """Imports: a file turned into projects by a background job."""

    @operation("POST /workspaces/{workspace_id}/imports")
    async def create(
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
        response = await self._t.send(
            "POST",
            f"/workspaces/{_ref(workspace)}/imports",
            files={"file": (filename, content)},
            form=form,
            idempotency_key=idempotency_key,
        )
        return document_of(response.json())

    @operation("GET /workspaces/{workspace_id}/imports")
    def list(self, workspace: Ref, **params: Any) -> AsyncPager:
        """A workspace's import jobs, newest first (`status=`, `format=`, ...)."""
        return AsyncPager(self._t, f"/workspaces/{_ref(workspace)}/imports", params)

    @operation("GET /imports/{import_id}")
    async def get(self, import_job: Ref) -> Resource:
        """An import job's progress: status, done/total, created projects, errors."""
        return await self._t.resource("GET", f"/imports/{_ref(import_job)}")


class AsyncOAuthClients(_AsyncList, _AsyncCreate, _AsyncGet, _AsyncDelete):
    """OAuth clients registered by the caller (`client_secret` is in the create answer, once)."""

    collection = "/oauth/clients"
    item = "/oauth/clients/{oauth_client_id}"


class AsyncAnalytics(_AsyncNamespace):
    """Task analytics: created, completed, overdue, completion rate, throughput and cycle time
    per day or week (`interval`), optionally `group_by` assignee, section or label. `start` and
    `end` are the period's first and last days (the API's `from` and `to`, default: the last
    30 days); other filters (`assignee_id=`, `project_id=` for a workspace) as keywords."""

    @operation("GET /workspaces/{workspace_id}/analytics")
    async def workspace(
        self, workspace: Ref, *, start: str | None = None, end: str | None = None, **params: Any
    ) -> Resource:
        """A workspace's task analytics (the view_analytics permission)."""
        return await self._t.resource(
            "GET", f"/workspaces/{_ref(workspace)}/analytics", params=_period(start, end, params)
        )

    @operation("GET /projects/{project_id}/analytics")
    async def project(
        self, project: Ref, *, start: str | None = None, end: str | None = None, **params: Any
    ) -> Resource:
        """A project's task analytics."""
        return await self._t.resource("GET", f"/projects/{_ref(project)}/analytics", params=_period(start, end, params))


def _period(start: str | None, end: str | None, params: dict[str, Any]) -> dict[str, Any]:
    # `from` is a Python keyword: the period's ends are `start` and `end` here.
    out = dict(params)
    if start is not None:
        out["from"] = str(start)
    if end is not None:
        out["to"] = str(end)
    return out


class AsyncTaskadeAPI:
    """The async client of the /v1 API. `base_url` defaults to TASKADE_API_BASE_URL, then
    POLYTASK_URL, then https://api.taskade.com/v1; `api_key` to TASKADE_API_KEY, then
    POLYTASK_API_KEY. Use it as an async context manager, or `await api.aclose()`."""

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | httpx.Timeout = 30.0,
        retry: RetryPolicy | None = None,
        http_client: httpx.AsyncClient | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self._t = _AsyncTransport(
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            retry=retry or RetryPolicy(),
            http_client=http_client,
            headers=headers,
        )
        self.workspaces = AsyncWorkspaces(self._t)
        self.projects = AsyncProjects(self._t)
        self.tasks = AsyncTasks(self._t)
        self.sections = AsyncSections(self._t)
        self.custom_fields = AsyncCustomFields(self._t)
        self.views = AsyncViews(self._t)
        self.comments = AsyncComments(self._t)
        self.users = AsyncUsers(self._t)
        self.members = AsyncMembers(self._t)
        self.invites = AsyncInvites(self._t)
        self.time_entries = AsyncTimeEntries(self._t)
        self.expenses = AsyncExpenses(self._t)
        self.risks = AsyncRisks(self._t)
        self.departments = AsyncDepartments(self._t)
        self.templates = AsyncTemplates(self._t)
        self.api_keys = AsyncApiKeys(self._t)
        self.calendar_feeds = AsyncCalendarFeeds(self._t)
        self.webhooks = AsyncWebhooks(self._t)
        self.automations = AsyncAutomations(self._t)
        self.events = AsyncEvents(self._t)
        self.audit = AsyncAudit(self._t)
        self.api_usage = AsyncApiUsage(self._t)
        self.bulk = AsyncBulk(self._t)
        self.batch = AsyncBatch(self._t)
        self.oauth_clients = AsyncOAuthClients(self._t)
        self.admin_users = AsyncAdminUsers(self._t)
        self.analytics = AsyncAnalytics(self._t)
        self.exports = AsyncExports(self._t)
        self.imports = AsyncImports(self._t)

    @property
    def base_url(self) -> str:
        return self._t.base_url

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Any call, with the client's key, idempotency and retries (the raw response)."""
        return await self._t.send(method.upper(), path, params=params, body=json, headers=headers)

    async def aclose(self) -> None:
        await self._t.aclose()

    async def __aenter__(self) -> AsyncTaskadeAPI:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
