"""Refusing webhook targets inside the server's own network (SSRF guard).

Checked when an endpoint is created or its URL changed (a 422 on `url`), and again at every
connection, against every address the host name resolves to then; the dispatcher connects to
the address it checked (worker/dispatcher.py), so a name re-pointed inward in between is not
followed. What is refused, and why, is listed in docs/webhooks.md ("Internal targets").

IPv6 has several forms that carry an IPv4 address and deliver to it (a translator, a tunnel
or the host's own stack does the unwrapping), so an IPv6 address is also judged by the IPv4
address it carries: `2002:7f00:1::` (6to4) reaches 127.0.0.1 as surely as `127.0.0.1` does.
"""

from __future__ import annotations

import ipaddress
import socket
from ipaddress import IPv4Address, IPv6Address, ip_network
from urllib.parse import urlsplit

from polytask.core.db import require_thread
from polytask.core.errors import ValidationFailed

IpAddress = IPv4Address | IPv6Address

# Cloud metadata services that are not covered by the link-local or private ranges.
_METADATA = {ipaddress.ip_address("fd00:ec2::254"), ipaddress.ip_address("100.100.100.200")}
# Names for the host itself that may resolve only on some systems (or not through getaddrinfo).
_BLOCKED_NAMES = {
    "localhost",
    "localhost.localdomain",
    "localhost6",
    "localhost6.localdomain6",
    "ip6-localhost",
    "ip6-loopback",
    "metadata",
    "metadata.google.internal",
}
_BLOCKED_SUFFIXES = (".localhost",)  # RFC 6761: every name under localhost. is loopback

_SHARED = ip_network("100.64.0.0/10")  # carrier-grade NAT (RFC 6598)
# IPv6 forms carrying an IPv4 address.
_MAPPED = ip_network("::ffff:0:0/96")  # IPv4-mapped: the dual-stack socket connects over IPv4
_NAT64 = ip_network("64:ff9b::/96")  # NAT64 well-known prefix (RFC 6052)
_NAT64_LOCAL = ip_network("64:ff9b:1::/48")  # NAT64 local-use prefix (RFC 8215)
_COMPATIBLE = ip_network("::/96")  # IPv4-compatible, deprecated (RFC 4291)
_TRANSLATED = ip_network("::ffff:0:0:0/96")  # SIIT IPv4-translated (RFC 2765, obsolete)
_SIXTOFOUR = ip_network("2002::/16")  # 6to4: the IPv4 address is bits 16-47
_TEREDO = ip_network("2001::/32")  # Teredo: server IPv4 bits 32-63, client IPv4 the inverted last 32
_ISATAP_ID = 0x00005EFE  # ISATAP interface identifier 0000:5efe (or 0200:5efe) + IPv4 (RFC 5214)


class Refused(ValueError):
    """A target the guard refuses; the text says why. `internal` is false when the name
    merely does not resolve."""

    def __init__(self, reason: str, *, internal: bool = True) -> None:
        super().__init__(reason)
        self.internal = internal


def wrapped_ipv4(address: IPv6Address) -> tuple[str, list[IPv4Address]] | None:
    """(the form's name, the IPv4 addresses it carries) for an IPv6 address of a form that
    carries IPv4 addresses, else None. Teredo carries two: its server and its client."""
    low32 = IPv4Address(int(address) & 0xFFFFFFFF)
    if address in _MAPPED:
        return "IPv4-mapped", [low32]
    if address in _TRANSLATED:
        return "IPv4-translated", [low32]
    if address in _NAT64:
        return "NAT64", [low32]
    if address in _NAT64_LOCAL:
        # The operator chooses where the IPv4 address sits (RFC 6052 prefix lengths); the
        # whole prefix is refused, so which IPv4 address it is does not matter.
        return "local-use NAT64", []
    if address in _COMPATIBLE and int(address) > 1:  # :: and ::1 are themselves
        return "IPv4-compatible", [low32]
    if address in _SIXTOFOUR:
        return "6to4", [IPv4Address((int(address) >> 80) & 0xFFFFFFFF)]
    if address in _TEREDO:
        return "Teredo", [IPv4Address((int(address) >> 64) & 0xFFFFFFFF), IPv4Address(~int(address) & 0xFFFFFFFF)]
    if (int(address) >> 32) & 0xFCFFFFFF == _ISATAP_ID:  # the u/g bits may be set
        return "ISATAP", [low32]
    return None


# Forms refused whatever they carry: obsolete, or unusable for a public receiver.
_REFUSED_FORMS = {
    "IPv4-compatible": "deprecated (::/96)",
    "IPv4-translated": "obsolete (::ffff:0:0:0/96)",
    "local-use NAT64": "a local-use NAT64 prefix (64:ff9b:1::/48)",
    "Teredo": "a Teredo tunnel address (2001::/32)",
}
# Forms that are nothing but their IPv4 address: judged by it alone.
_ONLY_IPV4 = {"IPv4-mapped", "NAT64"}


def _own_kind(address: IpAddress) -> str | None:
    if address in _METADATA:
        return "a cloud metadata service"
    if address.is_loopback:
        return "loopback"
    if address.is_unspecified:
        return "unspecified"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast:
        return "multicast"
    if isinstance(address, IPv4Address) and address in _SHARED:
        return "shared address space"
    if isinstance(address, IPv6Address) and address.is_site_local:
        return "site-local"
    if address.is_private:
        return "private"
    if address.is_reserved:
        return "reserved"
    return None


def internal_kind(address: IpAddress) -> str | None:
    """Why `address` is internal, in a few words (e.g. "6to4 of 127.0.0.1, loopback"), or
    None for a public address.

    Internal: loopback, private (RFC 1918, ULA), link-local (169.254.169.254 included),
    site-local, shared (100.64/10), reserved, multicast, unspecified, a metadata address, and
    any IPv6 address carrying an IPv4 address that is one of those (IPv4-mapped, NAT64
    64:ff9b::/96, 6to4, Teredo's server or client, ISATAP, IPv4-compatible, IPv4-translated).
    Refused whatever they carry: IPv4-compatible and IPv4-translated (obsolete), the NAT64
    local-use prefix 64:ff9b:1::/48, and Teredo (2001::/32)."""
    if isinstance(address, IPv6Address):
        wrapped = wrapped_ipv4(address)
        if wrapped is not None:
            form, carried = wrapped
            for inner in carried:
                kind = _own_kind(inner)
                if kind:
                    return f"{form} of {inner}, {kind}"
            if form in _REFUSED_FORMS:
                return _REFUSED_FORMS[form]
            if form in _ONLY_IPV4:
                return None
    return _own_kind(address)


def is_internal(address: IpAddress) -> bool:
    return internal_kind(address) is not None


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
    """Every address `host` resolves to (an IP literal resolves to itself), through
    socket.getaddrinfo (looked up at each call, so tests can stand in for DNS)."""
    try:
        return [ip(host)]
    except ValueError:
        pass
    require_thread()  # a name lookup may wait on the network: never on the event loop
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [ip(str(info[4][0])) for info in infos]


def vet(host: str, port: int) -> list[IpAddress]:
    """Every address `host` resolves to, when none of them is internal; else `Refused`.

    Blocking (a DNS lookup): the dispatcher runs it in a thread. A name that does not resolve
    is refused too (`internal` false): nothing could be delivered to it."""
    name = host.lower().rstrip(".")
    if name in _BLOCKED_NAMES or name.endswith(_BLOCKED_SUFFIXES):
        raise Refused(f"'{host}' is an internal host name")
    try:
        addresses = resolve(host, port)
    except socket.gaierror as exc:
        raise Refused(f"'{host}' does not resolve ({exc.strerror})", internal=False) from None
    except (OSError, UnicodeError) as exc:
        raise Refused(f"'{host}' does not resolve ({exc})", internal=False) from None
    if not addresses:
        raise Refused(f"'{host}' does not resolve", internal=False)
    for address in addresses:
        kind = internal_kind(address)
        if kind:
            raise Refused(f"'{host}' resolves to the internal address {address} ({kind})")
    return addresses


def check_target(url: str, *, allow_private: bool) -> None:
    """At create/update: a 422 on `url` when the host is internal, resolves to any internal
    address, or does not resolve at all; unless private targets are allowed (then the URL's
    shape alone is checked, and nothing is resolved)."""
    _scheme, host, port = check_url_shape(url)
    if allow_private:
        return
    try:
        vet(host, port)
    except Refused as refused:
        hint = (
            "set POLYTASK_WEBHOOK_ALLOW_PRIVATE=true to allow internal targets"
            if refused.internal
            else "a webhook must name a host this server can resolve"
        )
        raise ValidationFailed.field("url", f"{refused}; {hint}", url) from None
