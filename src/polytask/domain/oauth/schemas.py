"""Input shapes of the OAuth client registration API."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, StrictBool


class OAuthClientCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    redirect_uris: list[str] = Field(
        default_factory=list,
        max_length=20,
        description="Exact redirect URIs (https, or http on a loopback host). Required unless only "
        "client_credentials is used.",
    )
    public: StrictBool = Field(default=False, description="A public client (no secret; must use PKCE S256).")
    scopes: list[str] | None = Field(default=None, description="Scopes the client may ask for; default: all.")
