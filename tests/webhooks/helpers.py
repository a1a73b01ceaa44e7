"""Small helpers shared by the webhook tests."""

from __future__ import annotations

from typing import Any

import httpx

from tests.factories.people import Person


def make_webhook(client: httpx.Client, owner: Person, url: str, **fields: Any) -> dict[str, Any]:
    body = {"url": url, "events": ["*"], **fields}
    r = client.post("/v1/webhooks", json=body, headers=owner.headers)
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()["data"]
    return data


def deliveries(client: httpx.Client, owner: Person, webhook_id: str) -> list[dict[str, Any]]:
    r = client.get(f"/v1/webhooks/{webhook_id}/deliveries", params={"limit": 100}, headers=owner.headers)
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["data"]
    return items
