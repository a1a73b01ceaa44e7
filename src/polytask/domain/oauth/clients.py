"""Registered OAuth clients: registration, lookup for their owner, deletion, and client authentication."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import false, select
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.errors import NotFound, PermissionDenied, ValidationFailed
from polytask.core.pagination import PageRequest, PageResult, SortKey
from polytask.core.query import Node
from polytask.core.query.fields import Boolean, Field, Moment, Ref, Registry, Text
from polytask.core.query.listing import ListSpec, run_list
from polytask.core.scopes import SCOPES, check_known, within
from polytask.domain.events.service import record_event
from polytask.domain.oauth.common import CLIENT_ID_PREFIX, CLIENT_SECRET_PREFIX, OAuthError, digest, new_secret
from polytask.domain.oauth.schemas import OAuthClientCreate
from polytask.models import OAuthClient

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True, slots=True)
class RegisteredClient:
    client: OAuthClient
    secret: str | None  # shown once; None for a public client


def check_redirect_uri(uri: str) -> str:
    """An absolute https URI, or http on a loopback host; no fragment (RFC 6749 section 3.1.2)."""
    try:
        parts = urlsplit(uri)
        host = parts.hostname
        parts.port  # noqa: B018  # raises ValueError for a malformed port
    except ValueError as exc:
        raise ValidationFailed.field("redirect_uris", "is not a valid URI", uri) from exc
    if parts.fragment or "#" in uri:
        raise ValidationFailed.field("redirect_uris", "must not contain a fragment", uri)
    if not host or parts.scheme not in ("https", "http"):
        raise ValidationFailed.field("redirect_uris", "must be an absolute http(s) URI", uri)
    if parts.scheme == "http" and host not in LOOPBACK_HOSTS:
        raise ValidationFailed.field("redirect_uris", "plain http is allowed only on a loopback host", uri)
    if len(uri) > 2000:
        raise ValidationFailed.field("redirect_uris", "is longer than 2000 characters", uri[:100])
    return uri


def register_client(session: Session, actor: Actor, *, data: OAuthClientCreate) -> RegisteredClient:
    """Register a client owned by the actor; a confidential client's secret is returned once."""
    if actor.workspace_id is not None:
        # Tokens of a client are not bound to a workspace: that would escape the binding.
        raise PermissionDenied(
            "A credential bound to a workspace cannot register OAuth clients",
            {"workspace_id": f"workspace_{actor.workspace_id}"},
        )
    uris = list(dict.fromkeys(check_redirect_uri(u) for u in data.redirect_uris))
    if data.public and not uris:
        raise ValidationFailed.field("redirect_uris", "a public client needs at least one redirect URI", [])
    if data.scopes is not None:
        scopes = check_known(data.scopes)
    else:
        # Default: everything, or for a scoped credential exactly its own scopes.
        scopes = sorted(SCOPES if actor.scopes is None else actor.scopes)
    if not scopes:
        raise ValidationFailed.field("scopes", "must name at least one scope", [])
    # A scoped credential cannot register a client that asks for more than it holds.
    within(actor, scopes)
    secret = None if data.public else new_secret(CLIENT_SECRET_PREFIX)
    client = OAuthClient(
        client_id=f"{CLIENT_ID_PREFIX}{secrets.token_hex(12)}",
        owner_id=actor.user_id,
        name=data.name,
        secret_hash=digest(secret) if secret else None,
        is_public=data.public,
        redirect_uris=uris,
        scopes=scopes,
    )
    session.add(client)
    session.flush()
    record_event(
        session,
        actor,
        type="oauth_client.created",
        resource_type="oauth_client",
        resource_id=client.id,
        workspace_id=None,
        snapshot={"name": data.name, "public": data.public, "redirect_uris": uris, "scopes": scopes},
    )
    return RegisteredClient(client=client, secret=secret)


OAUTH_CLIENT_REGISTRY = Registry.of(
    "oauth_client",
    [
        Field("id", Ref("oauth_client"), expr=OAuthClient.id),
        Field("name", Text(), expr=OAuthClient.name),
        Field("client_id", Text(), expr=OAuthClient.client_id),
        Field("public", Boolean(), expr=OAuthClient.is_public),
        Field("created_at", Moment(), expr=OAuthClient.created_at),
    ],
)
# Oldest first by default, as the list was before it was paged.
OAUTH_CLIENT_LIST: ListSpec[OAuthClient] = ListSpec("oauth_client", OAUTH_CLIENT_REGISTRY, OAuthClient.id)


def list_clients(
    session: Session,
    actor: Actor,
    *,
    page: PageRequest,
    sort: Sequence[SortKey] = (),
    tree: Node | None = None,
) -> PageResult[OAuthClient]:
    """The clients the actor registered (none for a workspace-bound credential)."""
    base = select(OAuthClient).where(OAuthClient.owner_id == actor.user_id)
    if actor.workspace_id is not None:
        base = base.where(false())
    return run_list(session, OAUTH_CLIENT_LIST, actor=actor, base=base, page=page, sort=sort, tree=tree)


def get_client_for(session: Session, actor: Actor, client_pk: int) -> OAuthClient:
    """One of the actor's clients; someone else's is NotFound like a missing one."""
    client = session.get(OAuthClient, client_pk)
    if client is None or client.owner_id != actor.user_id or actor.workspace_id is not None:
        raise NotFound.of("oauth_client", client_pk)
    return client


def delete_client(session: Session, actor: Actor, *, client_pk: int) -> None:
    """Delete a client; its codes and tokens go with it, so they stop working at once."""
    client = get_client_for(session, actor, client_pk)
    record_event(
        session,
        actor,
        type="oauth_client.deleted",
        resource_type="oauth_client",
        resource_id=client.id,
        workspace_id=None,
        snapshot={"name": client.name, "client_id": client.client_id},
    )
    session.delete(client)
    session.flush()


def set_client_plan(session: Session, actor: Actor | None, *, client: OAuthClient, rate_plan: str | None) -> None:
    """Put a client's access tokens on a rate-limit plan (checked by the caller against the
    configured plans: core/rateplans.check_plan); for server admins."""
    before = client.rate_plan
    client.rate_plan = rate_plan
    session.flush()
    record_event(
        session,
        actor,
        type="oauth_client.plan_changed",
        resource_type="oauth_client",
        resource_id=client.id,
        workspace_id=None,
        snapshot={"client_id": client.client_id, "rate_plan": rate_plan, "previous_rate_plan": before},
    )


def find_client(session: Session, client_id: str | None) -> OAuthClient | None:
    if not client_id or len(client_id) > 64:
        return None
    return session.scalar(select(OAuthClient).where(OAuthClient.client_id == client_id))


def authenticate_client(
    session: Session, client_id: str | None, secret: str | None, *, confidential_only: bool = False
) -> OAuthClient | OAuthError:
    """The client presenting these credentials, or invalid_client (401).

    A confidential client must present its secret; a public client presents only its id and
    is refused where `confidential_only` (introspection).
    """
    client = find_client(session, client_id)
    refused = OAuthError("invalid_client", "Client authentication failed", 401)
    if client is None:
        return refused
    if client.secret_hash is None:
        if secret or confidential_only:
            return refused
        return client
    if not secret or not hmac.compare_digest(client.secret_hash, digest(secret)):
        return refused
    return client
