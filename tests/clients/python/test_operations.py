"""The client cannot drift from the server: every operation of /openapi.json under /v1 has
a client method (sync and async alike) or a reason in DELIBERATELY_ABSENT, and no method
sends an operation the server does not have."""

from __future__ import annotations

import httpx

from polytask_client import DELIBERATELY_ABSENT, AsyncTaskadeAPI, TaskadeAPI, declared_operations
from polytask_client._operations import normalise

METHODS = {"get", "post", "put", "patch", "delete"}


def server_operations(base_url: str) -> set[str]:
    document = httpx.get(f"{base_url}/openapi.json", timeout=60).json()
    return {
        normalise(method, path.removeprefix("/v1"))
        for path, item in document["paths"].items()
        if path.startswith("/v1/")
        for method in item
        if method in METHODS
    }


def test_every_v1_operation_has_a_client_method(base_url: str) -> None:
    server = server_operations(base_url)
    assert len(server) > 100
    client = {op for op, _ in declared_operations(TaskadeAPI(api_key="k", base_url=base_url))}
    absent = {normalise(*op.split(" ", 1)) for op in DELIBERATELY_ABSENT}
    assert sorted(server - client - absent) == []
    assert all(reason.strip() for reason in DELIBERATELY_ABSENT.values())
    assert absent <= server, "DELIBERATELY_ABSENT names an operation the server does not have"
    assert not absent & client, "an operation is both implemented and listed as absent"


def test_no_client_method_sends_an_unknown_operation(base_url: str) -> None:
    server = server_operations(base_url)
    unknown = [(op, where) for op, where in declared_operations(TaskadeAPI(api_key="k", base_url=base_url))]
    assert [(op, where) for op, where in unknown if op not in server] == []


def test_sync_and_async_clients_offer_the_same_operations() -> None:
    def ops(api: object) -> set[tuple[str, str]]:
        return set(declared_operations(api))

    assert ops(TaskadeAPI(api_key="k")) == ops(AsyncTaskadeAPI(api_key="k"))
