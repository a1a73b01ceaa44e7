"""/v1/oauth/clients: OAuth clients registered by the caller (owner-only; the `api_keys` scopes)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Body, Path, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from polytask.api.deps import SettingsDep, transactional
from polytask.api.kernel.routes import unit_router
from polytask.api.v1 import outputs
from polytask.api.v1.documents import JSONAPIResponse, created, document, list_document, no_content
from polytask.api.v1.params import list_parameters, whole_list_query
from polytask.api.v1.paths import _path_id, _schema
from polytask.api.v1.render import Resource, resource, ts
from polytask.api.v1.schemas import ERROR_RESPONSES, documents
from polytask.core.actor import Actor
from polytask.domain.oauth import clients as service
from polytask.domain.oauth.schemas import OAuthClientCreate

router = unit_router(tags=["OAuth clients"], responses=ERROR_RESPONSES)

OAuthClientId = Annotated[
    int, _path_id("oauth_client"), _schema("oauth_client"), Path(description="An OAuth client id")
]


_, OAuthClientDocument, OAuthClientListDocument = documents(outputs.OAUTH_CLIENT)


def render(client: Any, secret: str | None = None) -> Resource:
    attrs: dict[str, Any] = {
        "name": client.name,
        "client_id": client.client_id,
        "public": client.is_public,
        "redirect_uris": list(client.redirect_uris),
        "scopes": list(client.scopes),
        "created_at": ts(client.created_at),
    }
    if secret is not None:
        attrs["client_secret"] = secret
    return resource("oauth_client", client.id, attrs)


@router.get(
    "/oauth/clients",
    response_model=OAuthClientListDocument,
    openapi_extra=list_parameters(service.OAUTH_CLIENT_REGISTRY),
)
@transactional("api_keys:read")
def list_oauth_clients(request: Request, session: Session, actor: Actor, settings: SettingsDep) -> JSONAPIResponse:
    """The OAuth clients you registered (never their secrets), oldest first; filter by `name`, `public`, ..."""
    q = whole_list_query(request.query_params, settings.max_page_size, shaped=False)
    result = service.list_clients(session, actor, page=q.page, sort=q.sort, tree=q.tree)
    return list_document(request, result, [render(c) for c in result.items])


@router.post("/oauth/clients", response_model=OAuthClientDocument, status_code=201)
@transactional("api_keys:write")
def create_oauth_client(
    session: Session,
    actor: Actor,
    data: OAuthClientCreate = Body(
        examples=[
            {
                "name": "Reporting dashboard",
                "redirect_uris": ["https://dashboard.example.com/oauth/callback"],
                "public": False,
                "scopes": ["workspaces:read", "projects:write"],
            }
        ]
    ),
) -> JSONAPIResponse:
    """Register a client; a confidential client's `client_secret` is in this response only.
    A scoped credential registers clients with at most its own scopes (none given: exactly its
    own); a credential bound to a workspace cannot register clients."""
    registered = service.register_client(session, actor, data=data)
    client = registered.client
    return created(render(client, registered.secret), f"/v1/oauth/clients/oauth_client_{client.id}")


@router.get("/oauth/clients/{oauth_client_id}", response_model=OAuthClientDocument)
@transactional("api_keys:read")
def get_oauth_client(oauth_client_id: OAuthClientId, session: Session, actor: Actor) -> JSONAPIResponse:
    """One of your OAuth clients."""
    return document(render(service.get_client_for(session, actor, oauth_client_id)))


@router.delete("/oauth/clients/{oauth_client_id}", status_code=204)
@transactional("api_keys:write")
def delete_oauth_client(oauth_client_id: OAuthClientId, session: Session, actor: Actor) -> Response:
    """Delete a client: its codes and tokens stop working at once."""
    service.delete_client(session, actor, client_pk=oauth_client_id)
    return no_content()
