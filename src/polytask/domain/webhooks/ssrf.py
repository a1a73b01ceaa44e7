"""Refusing webhook targets inside the server's own network (SSRF guard).

Checked when an endpoint is created or changed (a 422) and again when connecting, against
every address the host name resolves to then, so a name that later points inward is caught.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from polytask.core.errors import ValidationFailed

# Cloud metadata services that are not covered by the link-local or private ranges.
_METADATA = {ipaddress.ip_address("fd00:ec2::254"), ipaddress.ip_address("100.100.100.200")}
_BLOCKED_NAMES = {"localhost", "localhost.localdomain", "metadata", "metadata.google.internal"}

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def is_internal(address: IpAddress) -> bool:
    """Loopback, private, link-local (incl. 169.254.169.254), shared, reserved or unspecified."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return (
        address in _METADATA
        or address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_reserved
        or address.is_multicast
        or address.is_unspecified
        or (isinstance(address, ipaddress.IPv4Address) and address in ipaddress.ip_network("100.64.0.0/10"))
    )


def check_url_shape(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an absolute http(s) URL, or a 422 on `url`."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ValidationFailed.field("url", f"is not a valid URL ({exc})", url) from None
    if parts.scheme not in ("http", "https"):
        raise ValidationFailed.field("url", "must be an http:// or https:// URL", url)
    if not parts.hostname:
        raise ValidationFailed.field("url", "must name a host", url)
    if parts.username or parts.password:
        raise ValidationFailed.field("url", "must not carry credentials; use the signing secret", url)
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


def ip(value: str) -> IpAddress:
    """An address from getaddrinfo, without any IPv6 zone suffix."""
    return ipaddress.ip_address(value.split("%", 1)[0])


def resolve(host: str, port: int) -> list[IpAddress]:
    """Every address `host` resolves to (an IP literal resolves to itself)."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [ip(str(info[4][0])) for info in infos]


def internal_reason(host: str, addresses: list[IpAddress]) -> str | None:
    if host.lower().rstrip(".") in _BLOCKED_NAMES:
        return f"'{host}' is an internal host name"
    for address in addresses:
        if is_internal(address):
            return f"'{host}' resolves to the internal address {address}"
    return None


def check_target(url: str, *, allow_private: bool) -> None:
    """At create/update: a 422 on `url` for internal targets unless private targets are allowed.

    A name that does not resolve yet is accepted; the connect-time check applies to it later.
    """
    _scheme, host, port = check_url_shape(url)
    if allow_private:
        return
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError):
        addresses = []
    reason = internal_reason(host, addresses)
    if reason:
        raise ValidationFailed.field(
            "url", f"{reason}; set POLYTASK_WEBHOOK_ALLOW_PRIVATE=true to allow internal targets", url
        )
