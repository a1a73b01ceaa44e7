"""Whether a state-changing request made with the session cookie may have come from another site.

Framework-free: the HTTP layer hands in the few header values that matter. See
docs/security.md, "Sessions and CSRF", for why these three checks and in this order.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from urllib.parse import urlsplit

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# Content types a page on another site can send without a CORS preflight (HTML forms, no-cors fetch).
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"})
_OWN_SITE = frozenset({"same-origin", "none"})
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True, slots=True)
class Refusal:
    reason: str  # cross_site_request | csrf_token_missing | csrf_token_invalid
    message: str


def normalize_origin(value: str) -> str | None:
    """`scheme://host[:port]` in lower case without a default port, or None when it is not an origin."""
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    if port is not None and port != _DEFAULT_PORTS[parts.scheme]:
        host = f"{host}:{port}"
    return f"{parts.scheme}://{host}"


def own_origins(scheme: str, host: str | None) -> set[str]:
    """The origins this request's own pages have: its scheme and Host, and the https form of that Host.

    Behind a TLS proxy that does not pass the scheme on, the server sees http while the
    browser's pages are https://<Host>; a page at https://<Host> is ours either way.
    """
    if not host:
        return set()
    found = {normalize_origin(f"{scheme}://{host}"), normalize_origin(f"https://{host}")}
    return {origin for origin in found if origin}


def check_origin(
    *, sec_fetch_site: str | None, origin: str | None, own: Collection[str], trusted: Collection[str]
) -> Refusal | None:
    """Fetch Metadata first, then Origin: None when the request may be from our own pages."""
    normalized = normalize_origin(origin) if origin is not None else None
    is_trusted = normalized is not None and normalized in trusted
    if sec_fetch_site is not None and sec_fetch_site.strip().lower() not in _OWN_SITE and not is_trusted:
        return Refusal(
            "cross_site_request",
            f"Cross-site request refused: the browser reported Sec-Fetch-Site: {sec_fetch_site.strip()[:30]}. "
            "Requests made with the session cookie must come from this server's own pages "
            "(or an origin listed in POLYTASK_CORS_ORIGINS).",
        )
    if origin is not None and not (is_trusted or (normalized is not None and normalized in own)):
        return Refusal(
            "cross_site_request",
            f"Cross-site request refused: Origin {origin.strip()[:100]!r} is neither this server "
            "nor an origin listed in POLYTASK_CORS_ORIGINS.",
        )
    return None


def needs_token(content_type: str | None) -> bool:
    """A body another site's page could send without a preflight must carry the CSRF token."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return media in FORM_TYPES


def token_refusal(presented: str | None, valid: bool) -> Refusal | None:
    if not presented:
        return Refusal(
            "csrf_token_missing",
            "CSRF token missing: a form-encoded or text/plain request made with the session cookie must send "
            "the csrf_token from /api/auth/login or /api/auth/me in the X-CSRF-Token header "
            "(or a csrf_token form field). JSON requests need no token.",
        )
    if not valid:
        return Refusal(
            "csrf_token_invalid",
            "CSRF token invalid: it does not belong to this session. Fetch the current one from /api/auth/me.",
        )
    return None
