"""Every `/v1` resource that can be created, changed or deleted is on the CRUD contract.

The write routes come from the app itself; the declarations from every test module that
subclasses `CrudContract` (tests/contracts/crud.py). A write route that no declaration
exercises must be in EXEMPT below, with the reason; an exemption that no longer matches a
route, or whose route is now declared, fails too, so the list only shrinks.
"""

from __future__ import annotations

import importlib
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.routing import iter_route_contexts

from polytask.api.app import create_app
from polytask.core.settings import Settings
from tests.contracts.crud import DECLARED, declared_routes

TESTS = Path(__file__).resolve().parents[1]
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

HOW = """{route} has no CRUD contract declaration.
Declare the resource once in its test module (tests/api/v1/test_<resource>.py, or beside the
others in tests/api/v1/test_crud_contracts.py):

    from tests.contracts.crud import CrudContract, Refused, Resource, Roles

    class TestTimeEntries(CrudContract):
        resource = Resource(
            type="time_entry",                                   # the JSON:API type
            collection=lambda w: f"/v1/projects/{{w.project}}/time-entries",
            item=lambda w, ident: f"/v1/time-entries/{{ident}}",
            read_scope="tasks:read", write_scope="tasks:write",
            create=lambda w, n: {{"minutes": 10 * n}},            # the nth valid body
            change={{"minutes": 45}},
            refused=(Refused({{"minutes": -1}}, "minutes"),),     # 422 and the field it names
            roles=Roles(),                                       # who may read/create/change/delete
            events=("time_entry.created", "time_entry.updated", "time_entry.deleted"),
            sorts=("minutes",), filters=(...),
        )

Its standard cases (401, 403 by scope and role, 404 foreign, 422, hostile input, paging,
sorts, filters, events, webhooks) then run. If the route is not a resource's create, change
or delete (an action such as /rotate, an alias), add it to EXEMPT in
tests/architecture/test_crud_coverage.py with the reason."""

# Write routes the contract does not cover, each with why. Keep it short: a resource's own
# create/change/delete routes belong on the contract.
EXEMPT: dict[tuple[str, str], str] = {
    # Operations, not a resource's create/change/delete; each has its own tests.
    ("POST", "/v1/batch"): "runs other operations (tests/api/v1/test_batch.py)",
    ("POST", "/v1/tasks/bulk"): "bulk task writes (tests/api/v1/test_bulk.py)",
    ("POST", "/v1/projects/{}/tasks/bulk"): "bulk task writes (tests/api/v1/test_bulk.py)",
    ("PATCH", "/v1/tasks/bulk"): "bulk task writes (tests/api/v1/test_bulk.py)",
    ("PUT", "/v1/tasks/bulk"): "bulk task writes (tests/api/v1/test_bulk.py)",
    ("DELETE", "/v1/tasks/bulk"): "bulk task writes (tests/api/v1/test_bulk.py)",
    ("PATCH", "/v1/projects/{}/tasks/bulk"): "bulk task writes (tests/api/v1/test_bulk.py)",
    ("PUT", "/v1/projects/{}/tasks/bulk"): "bulk task writes (tests/api/v1/test_bulk.py)",
    ("DELETE", "/v1/projects/{}/tasks/bulk"): "bulk task writes (tests/api/v1/test_bulk.py)",
    ("POST", "/v1/workspaces/bulk/projects"): "bulk project create (tests/api/v1/test_bulk.py)",
    ("POST", "/v1/workspaces/{}/imports"): "a multipart file upload queueing a job (tests/api/v1/test_transfer.py)",
    ("PATCH", "/v1/tasks/{}/custom-fields"): "a task's field values, not a resource (test_query_engine.py)",
    ("PUT", "/v1/tasks/{}/custom-fields"): "a task's field values, not a resource (test_query_engine.py)",
    ("POST", "/v1/invites/accept"): "an invite's acceptance by its invitee (test_invites.py)",
    ("POST", "/v1/invites/signup"): "an invite accepted with a new account, no credentials (tests/mail/)",
    ("POST", "/v1/me/password"): "changes the caller's own password (tests/mail/test_passwords.py)",
    ("POST", "/v1/password-resets"): "mails a reset token, no credentials (tests/mail/test_passwords.py)",
    ("POST", "/v1/password-resets/confirm"): "uses a mailed reset token (tests/mail/test_passwords.py)",
    ("POST", "/v1/api-keys/{}/rotate"): "replaces a key (test_api_keys.py)",
    ("POST", "/v1/webhooks/{}/test"): "sends a ping (tests/webhooks/test_api.py)",
    ("POST", "/v1/webhooks/{}/deliveries/{}/redeliver"): "sends a delivery again (tests/webhooks/test_api.py)",
    ("POST", "/v1/automations/{}/enable"): "an automation action (tests/automations/test_automations_api.py)",
    ("POST", "/v1/automations/{}/disable"): "an automation action (tests/automations/test_automations_api.py)",
    ("POST", "/v1/automations/{}/test"): "a dry run, changes nothing (tests/automations/test_automations_api.py)",
    ("POST", "/v1/automations/hooks/{}"): "an incoming trigger, no credentials (tests/automations/)",
    # Server-level accounts: no workspace (so no foreign 404 or workspace roles), never deleted.
    ("POST", "/v1/me/calendar-feeds"): "the caller's own feed, no workspace (tests/api/v1/test_calendar_feeds.py)",
    ("POST", "/v1/calendar-feeds/{}/rotate"): "an action: a new secret URL (tests/api/v1/test_calendar_feeds.py)",
    ("POST", "/v1/users"): "server admins' account management, as /v1/admin/users (tests/api/v1/test_users.py)",
    ("PATCH", "/v1/users/{}"): "server admins' account management, as /v1/admin/users (tests/api/v1/test_users.py)",
    ("DELETE", "/v1/users/{}"): "deactivates an account, server admins (tests/api/v1/test_users.py)",
    ("POST", "/v1/admin/users"): "server admins' account management (tests/api/v1/test_admin_users.py)",
    ("PATCH", "/v1/admin/users/{}"): "server admins' account management (tests/api/v1/test_admin_users.py)",
    ("POST", "/v1/admin/users/{}/disable"): "an account action (tests/api/v1/test_admin_users.py)",
    ("POST", "/v1/admin/users/{}/enable"): "an account action (tests/api/v1/test_admin_users.py)",
    ("POST", "/v1/admin/users/{}/password-reset"): "mails a reset token (tests/mail/test_passwords.py)",
    ("POST", "/v1/admin/users/{}/password"): "sets an account's password (tests/mail/test_passwords.py)",
    ("DELETE", "/v1/admin/users/{}/api-keys/{}"): "revokes an account's key (test_admin_users.py)",
}


def _template(path: str) -> str:
    return re.sub(r"\{[^}]*\}", "{}", path)


def _write_routes() -> dict[tuple[str, str], Callable[..., Any]]:
    """(method, path template with bare `{}`) -> endpoint, for every /v1 write route."""
    app = create_app(Settings(home=tempfile.mkdtemp(prefix="polytask-crud-routes-")))
    found: dict[tuple[str, str], Callable[..., Any]] = {}
    for route in iter_route_contexts(app.routes):
        if not route.path.startswith("/v1/"):
            continue
        for method in (route.methods or set()) & WRITE_METHODS:
            found[(method, _template(route.path))] = route.endpoint
    return found


def _declarations() -> set[tuple[str, str]]:
    """Import every test module that declares a contract, and collect what they exercise."""
    for path in sorted(TESTS.rglob("test_*.py")):
        if "(CrudContract)" in path.read_text(encoding="utf-8"):
            importlib.import_module(".".join(path.relative_to(TESTS.parent).with_suffix("").parts))
    return {route for cls in DECLARED for route in declared_routes(cls.resource)}


ROUTES = _write_routes()
DECLARED_ROUTES = _declarations()


def _covered(method: str, path: str) -> bool:
    if (method, path) in DECLARED_ROUTES:
        return True
    # PUT and PATCH on one path are one handler: declaring either covers both.
    twin = {"PUT": "PATCH", "PATCH": "PUT"}.get(method)
    return twin is not None and (twin, path) in DECLARED_ROUTES and ROUTES.get((twin, path)) is ROUTES[(method, path)]


def test_the_contract_sees_the_v1_write_routes() -> None:
    assert len(ROUTES) > 40
    assert len(DECLARED) >= 10


def test_every_v1_write_route_is_declared_or_exempt() -> None:
    missing = [f"{m} {p}" for m, p in sorted(ROUTES) if not _covered(m, p) and (m, p) not in EXEMPT]
    assert not missing, "\n\n".join(HOW.format(route=route) for route in missing[:3]) + (
        f"\n\nAll undeclared routes: {missing}"
    )


def test_every_declaration_names_real_routes() -> None:
    unknown = sorted(f"{m} {p}" for m, p in DECLARED_ROUTES if (m, p) not in ROUTES)
    assert not unknown, f"declared on the contract but not served by the app: {unknown}"


def test_exemptions_are_current() -> None:
    stale = sorted(f"{m} {p}" for m, p in EXEMPT if (m, p) not in ROUTES)
    assert not stale, f"exempt but no longer routed, remove from EXEMPT: {stale}"
    declared = sorted(f"{m} {p}" for m, p in EXEMPT if _covered(m, p))
    assert not declared, f"exempt but now on the contract, remove from EXEMPT: {declared}"
