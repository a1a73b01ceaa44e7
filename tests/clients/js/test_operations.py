"""The client cannot drift from the server: every operation of the live `/openapi.json` has a
method in clients/js (its OPERATIONS table, from which the namespaces are built) or is listed
below as deliberately absent, with the reason; the typings declare every method; the package
loads both as an ES module and through require()."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest

from tests.clients.js.conftest import PACKAGE, Node

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}

# Operations of /openapi.json the client does not wrap, and why.
DELIBERATELY_ABSENT: dict[tuple[str, str], str] = {
    ("GET", "/healthz"): "an operator's liveness probe outside /v1, not part of the API",
    ("GET", "/readyz"): "an operator's readiness probe outside /v1, not part of the API",
    ("POST", "/oauth/token"): "the OAuth 2.0 authorization server's protocol (form-encoded), for OAuth libraries",
    ("POST", "/oauth/revoke"): "the OAuth 2.0 authorization server's protocol (form-encoded), for OAuth libraries",
    ("POST", "/oauth/introspect"): "OAuth 2.0 token introspection, for resource servers, not API clients",
    ("GET", "/.well-known/oauth-authorization-server"): "OAuth 2.0 server metadata, read by OAuth libraries",
    ("GET", "/oauth/authorize"): "the consent page a person's browser opens",
    ("POST", "/oauth/authorize"): "the consent form a person's browser submits",
    ("GET", "/v1/ical/{token}.ics"): "iCalendar text for calendar apps, reached by the secret URL a feed's `url` gives",
}


def client_operations(node_sdk: Node) -> list[Any]:
    out: list[Any] = node_sdk.result(
        "import { OPERATIONS } from '@taskade/sdk';\n"
        "const rows = [];\n"
        "for (const [ns, methods] of Object.entries(OPERATIONS))\n"
        "  for (const [name, [method, path]] of Object.entries(methods)) rows.push([ns, name, method, '/v1' + path]);\n"
        "console.log(JSON.stringify(rows));\n"
    )
    return out


def test_every_served_operation_has_a_client_method(node_sdk: Node, base_url: str) -> None:
    document = httpx.get(f"{base_url}/openapi.json", timeout=60).json()
    served = {(m.upper(), path) for path, ops in document["paths"].items() for m in ops if m in HTTP_METHODS}
    offered = {(method, path) for _, _, method, path in client_operations(node_sdk)}
    missing = served - offered - set(DELIBERATELY_ABSENT)
    assert missing == set(), (
        f"add these to OPERATIONS in clients/js/index.cjs (or DELIBERATELY_ABSENT): {sorted(missing)}"
    )
    assert offered - served == set(), "the client has methods for operations the server does not serve"
    assert set(DELIBERATELY_ABSENT) <= served, "an exception names an operation that no longer exists"
    assert offered & set(DELIBERATELY_ABSENT) == set()


def test_the_typings_declare_every_method(node_sdk: Node) -> None:
    """index.d.ts is written by hand: each namespace's interface names each of its methods."""
    typings = (PACKAGE / "index.d.ts").read_text()
    rows = client_operations(node_sdk)
    for ns in {ns for ns, *_ in rows}:
        declared = re.search(rf"^  readonly {ns}: (\w+);$", typings, re.M)
        assert declared is not None, f"TaskadeAPI.{ns} is not declared in index.d.ts"
        body = re.search(rf"^export interface {declared.group(1)} \{{\n(.*?)^\}}", typings, re.M | re.S)
        assert body is not None, f"interface {declared.group(1)} is missing"
        names = set(re.findall(r"^  (\w+)(?:<[^>]*>)?\(", body.group(1), re.M))
        wanted = {name for n, name, *_ in rows if n == ns}
        assert names == wanted, f"{ns}: declared {sorted(names)}, offered {sorted(wanted)}"


def test_the_package_loads_as_esm_and_commonjs(node_sdk: Node) -> None:
    out = node_sdk.result(
        "import { createRequire } from 'node:module';\n"
        "import * as esm from '@taskade/sdk';\n"
        "import Default from '@taskade/sdk';\n"
        "const cjs = createRequire(import.meta.url)('@taskade/sdk');\n"
        "console.log(JSON.stringify({ same: esm.TaskadeAPI === cjs.TaskadeAPI && Default === cjs.TaskadeAPI,\n"
        "  names: Object.keys(esm).filter((k) => k !== 'default').sort() }));\n"
    )
    assert out["same"] is True
    assert {"TaskadeAPI", "TaskadeError", "verifyWebhook", "OPERATIONS"} <= set(out["names"])


def test_each_runtime_is_the_node_it_claims(request: pytest.FixtureRequest, node_sdk: Node) -> None:
    """`node_sdk[node18]` really runs Node.js 18 (the package's `engines` floor), the system's
    node at least that; the package's `engines` says so too."""
    major = int(node_sdk.result("console.log(JSON.stringify(process.versions.node.split('.')[0]));"))
    if request.node.callspec.params["node_sdk"] == "node18":
        assert major == 18
    else:
        assert major >= 18
    assert json.loads((PACKAGE / "package.json").read_text())["engines"] == {"node": ">=18"}
