"""/v1/api-keys: the caller's own API keys (the guide's Settings -> Developer -> API Keys)."""

from __future__ import annotations

from fastapi import Body, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from polytask.api.deps import SettingsDep, transactional
from polytask.api.kernel.routes import unit_router
from polytask.api.v1 import resources
from polytask.api.v1.documents import JSONAPIResponse, created, document, list_document, no_content
from polytask.api.v1.params import list_parameters, shape, whole_list_query
from polytask.api.v1.paths import ApiKeyId
from polytask.api.v1.schemas import ERROR_RESPONSES, ApiKeyDocument, ApiKeyListDocument
from polytask.core.actor import Actor
from polytask.domain.api_keys import service
from polytask.domain.api_keys.schemas import ApiKeyCreate, ApiKeyRotate

router = unit_router(tags=["API keys"], responses=ERROR_RESPONSES)


@router.get("/api-keys", response_model=ApiKeyListDocument, openapi_extra=list_parameters(service.API_KEY_REGISTRY))
@transactional("api_keys:read")
def list_api_keys(request: Request, session: Session, actor: Actor, settings: SettingsDep) -> JSONAPIResponse:
    """Your API keys, revoked ones included (never the secret), oldest first; filter by `name`,
    `workspace_id`, `revoked_at`, ..."""
    q = whole_list_query(request.query_params, settings.max_page_size)
    shp = shape(request.query_params, "api_key", {})
    result = service.list_api_keys(session, actor, page=q.page, sort=q.sort, tree=q.tree)
    return list_document(request, result, [resources.api_key(k) for k in result.items], shape=shp)


@router.post("/api-keys", response_model=ApiKeyDocument, status_code=201)
@transactional("api_keys:write")
def create_api_key(
    session: Session,
    actor: Actor,
    data: ApiKeyCreate = Body(examples=[{"name": "CI sync", "scopes": ["tasks:read", "tasks:write"]}]),
) -> JSONAPIResponse:
    """Create a key for yourself; `key` in the response is shown once. Scopes are recorded now and
    enforced once scope checks land; without them the key has all of your rights."""
    issued = service.issue_api_key_for(session, actor, data=data)
    return created(resources.api_key(issued.key, issued.secret), f"/v1/api-keys/key_{issued.key.id}")


@router.get("/api-keys/{key_id}", response_model=ApiKeyDocument)
@transactional("api_keys:read")
def get_api_key(key_id: ApiKeyId, session: Session, actor: Actor) -> JSONAPIResponse:
    """One of your keys."""
    return document(resources.api_key(service.get_api_key_for(session, actor, key_id)))


@router.post("/api-keys/{key_id}/rotate", response_model=ApiKeyDocument, status_code=201)
@transactional("api_keys:write")
def rotate_api_key(
    key_id: ApiKeyId,
    session: Session,
    actor: Actor,
    data: ApiKeyRotate = Body(examples=[{"grace_period_seconds": 3600}]),
) -> JSONAPIResponse:
    """Replace a key with a new secret, keeping its name, binding, scopes and expiry. The old key
    stops working at once, or after `grace_period_seconds`. The new key is shown once."""
    issued = service.rotate_api_key(session, actor, key_id=key_id, data=data)
    return created(resources.api_key(issued.key, issued.secret), f"/v1/api-keys/key_{issued.key.id}")


@router.delete("/api-keys/{key_id}", status_code=204)
@transactional("api_keys:write")
def revoke_api_key(key_id: ApiKeyId, session: Session, actor: Actor) -> Response:
    """Revoke one of your keys; it stops working at once. Revoking twice is harmless."""
    service.revoke_api_key(session, actor, key_id=key_id)
    return no_content()
