"""The SSRF guard (domain/webhooks/ssrf.py): what is refused when an endpoint is saved, and
again when a delivery connects.

Through HTTP to a real app with POLYTASK_WEBHOOK_ALLOW_PRIVATE off (`guard`); the rest of
tests/webhooks runs with it on, and so does `client` here, which shows the setting still
allows everything. The machine has no outside DNS: names under .example, .test and .invalid
get their answers from `dns`, a stand-in for socket.getaddrinfo in this process (the served
app and the dispatcher run in threads of it). Nothing here connects outside: public targets
are only saved, never delivered to.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from starlette.types import ASGIApp

from polytask.api.app import create_app
from polytask.core.db import Database
from polytask.core.settings import Settings
from polytask.domain.webhooks import ssrf
from polytask.worker.dispatcher import Dispatcher, post_to_first
from tests.factories.people import Person, make_person
from tests.factories.work import make_project
from tests.openapi_check import OpenAPIChecker
from tests.webhooks.helpers import deliveries, make_webhook
from tests.webhooks.receiver import Receiver, wait_for

Serve = Callable[[ASGIApp], AbstractContextManager[str]]

PUBLIC = "https://93.184.216.34/hook"  # a public address literal: saved, never sent to here


# --- the wrapped forms ----------------------------------------------------------------------

INTERNAL_IPV4 = ["127.0.0.1", "10.1.2.3", "169.254.169.254"]


def _v4(value: str) -> int:
    return int(ipaddress.IPv4Address(value))


def wrapped(form: str, v4: str) -> str:
    """`v4` inside the IPv6 form `form`, written out by hand (not by the code under test)."""
    n = _v4(v4)
    hi, lo = f"{n >> 16:x}", f"{n & 0xFFFF:x}"
    public = _v4("8.8.8.8")
    return {
        "mapped": f"::ffff:{v4}",
        "compatible": f"::{v4}",
        "translated": f"::ffff:0:{v4}",
        "nat64": f"64:ff9b::{v4}",
        "nat64-local": f"64:ff9b:1::{v4}",
        "6to4": f"2002:{hi}:{lo}::1",
        # Teredo: server IPv4 in bits 32-63, client IPv4 inverted in the last 32 bits.
        "teredo-server": f"2001:0:{hi}:{lo}:0:0:{~public >> 16 & 0xFFFF:x}:{~public & 0xFFFF:x}",
        "teredo-client": f"2001:0:808:808:8000:0:{~n >> 16 & 0xFFFF:x}:{~n & 0xFFFF:x}",
        "isatap": f"2a00:1450:4001:800::5efe:{v4}",
    }[form]


FORMS = [
    "mapped",
    "compatible",
    "translated",
    "nat64",
    "nat64-local",
    "6to4",
    "teredo-server",
    "teredo-client",
    "isatap",
]
WRAPPED_INTERNAL = [pytest.param(wrapped(form, v4), v4, id=f"{form}-{v4}") for form in FORMS for v4 in INTERNAL_IPV4]


# --- a stand-in for DNS -----------------------------------------------------------------------

FAKE_ZONES = (".example", ".test", ".invalid")


@dataclass
class FakeDNS:
    """Answers for names under FAKE_ZONES (missing: "Name or service not known"); other names
    go to the real resolver. `lookups` lists the fake names asked for, in order."""

    answers: dict[str, list[str]] = field(default_factory=dict)
    lookups: list[str] = field(default_factory=list)
    # Called with the name after each answer (a rebinding server changes its answer here).
    answered: Callable[[str], None] | None = None


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> FakeDNS:
    fake = FakeDNS()
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, family: int = 0, type: int = 0, proto: int = 0, flags: int = 0) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if not isinstance(name, str) or not name.lower().rstrip(".").endswith(FAKE_ZONES):
            return real(host, port, family, type, proto, flags)
        name = name.lower().rstrip(".")
        fake.lookups.append(name)
        if name not in fake.answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        infos: list[Any] = []
        for answer in fake.answers[name]:
            if ipaddress.ip_address(answer).version == 6:
                infos.append((socket.AF_INET6, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (answer, port, 0, 0)))
            else:
                infos.append((socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (answer, port)))
        if fake.answered is not None:
            fake.answered(name)
        return infos

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return fake


# --- the guarded app --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def guarded_url(serve_app: Serve, settings: Settings, db: Database) -> Iterator[str]:
    guarded = create_app(settings.model_copy(update={"webhook_allow_private": False}), db)
    with serve_app(guarded) as base:
        yield base


@pytest.fixture
def guard(guarded_url: str, openapi: OpenAPIChecker) -> Iterator[httpx.Client]:
    """A client of the app with POLYTASK_WEBHOOK_ALLOW_PRIVATE off."""
    with httpx.Client(base_url=guarded_url, event_hooks={"response": [openapi.check_response]}, timeout=30) as c:
        yield c


def refused(r: httpx.Response) -> str:
    """The 422's message, after checking it is a /v1 error naming `url`."""
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert error["details"]["field"] == "url"
    message: str = error["message"]
    return message


def assert_refused_at_save(c: httpx.Client, who: Person, url: str) -> str:
    """Refused at create, and as a new URL of an existing endpoint by PATCH and PUT (which
    leave it unchanged); returns the create refusal's message."""
    message = refused(c.post("/v1/webhooks", json={"url": url, "events": ["*"]}, headers=who.headers))
    hook = make_webhook(c, who, PUBLIC)["id"]
    for method in ("PATCH", "PUT"):
        again = refused(c.request(method, f"/v1/webhooks/{hook}", json={"url": url}, headers=who.headers))
        assert again == message
    assert c.get(f"/v1/webhooks/{hook}", headers=who.headers).json()["data"]["attributes"]["url"] == PUBLIC
    return message


def assert_accepted_at_save(c: httpx.Client, who: Person, url: str) -> None:
    hook = make_webhook(c, who, url)
    assert hook["attributes"]["url"] == url
    other = make_webhook(c, who, PUBLIC)["id"]
    r = c.patch(f"/v1/webhooks/{other}", json={"url": url}, headers=who.headers)
    assert r.status_code == 200, r.text


# --- at save ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("address", "v4"), WRAPPED_INTERNAL)
def test_wrapped_internal_ipv4_is_refused_at_create_and_update(
    guard: httpx.Client, db: Database, address: str, v4: str
) -> None:
    alice = make_person(db)
    message = assert_refused_at_save(guard, alice, f"http://[{address}]:8080/hook")
    assert f"'{address}' resolves to the internal address {ipaddress.ip_address(address)} (" in message
    if not address.startswith("64:ff9b:1:"):  # the local-use NAT64 prefix is refused as a whole
        assert f" of {v4}, " in message  # names the address it carries
    assert "POLYTASK_WEBHOOK_ALLOW_PRIVATE=true" in message


@pytest.mark.parametrize(
    "address",
    [
        "2002:808:808::",  # 6to4 of 8.8.8.8
        "2002:5db8:d822:1::1",  # 6to4 of 93.184.216.34
        "::ffff:8.8.8.8",  # IPv4-mapped
        "64:ff9b::808:808",  # NAT64 (what DNS64 answers on an IPv6-only network)
        "2606:4700:4700::1111",  # plain public IPv6
    ],
)
def test_wrapped_public_ipv4_is_accepted(guard: httpx.Client, db: Database, address: str) -> None:
    assert_accepted_at_save(guard, make_person(db), f"https://[{address}]/hook")


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("2001:0:808:808:8000:0:f7f7:f7f7", "Teredo"),  # server and client 8.8.8.8
        ("::808:808", "deprecated"),  # IPv4-compatible
        ("::ffff:0:808:808", "obsolete"),  # IPv4-translated
        ("64:ff9b:1::808:808", "local-use NAT64"),
    ],
)
def test_some_forms_are_refused_whatever_they_carry(guard: httpx.Client, db: Database, address: str, why: str) -> None:
    assert why in assert_refused_at_save(guard, make_person(db), f"https://[{address}]/hook")


@pytest.mark.parametrize(
    "url",
    [
        "http://[fec0::1]/hook",  # site-local
        "http://2130706433/hook",  # 127.0.0.1 as one number: getaddrinfo reads it
        "http://0x7f.1/hook",
        "http://100.64.0.1/hook",  # shared address space
        "http://[ff02::1]/hook",
        "http://[::]/hook",
    ],
)
def test_other_internal_literals_are_refused(guard: httpx.Client, db: Database, url: str) -> None:
    assert_refused_at_save(guard, make_person(db), url)


@pytest.mark.parametrize("host", ["ip6-localhost", "ip6-loopback", "localhost6", "api.localhost", "LOCALHOST."])
def test_local_host_names_are_refused_without_resolving(guard: httpx.Client, db: Database, host: str) -> None:
    message = assert_refused_at_save(guard, make_person(db), f"http://{host}:8080/hook")
    assert "is an internal host name" in message


@pytest.mark.parametrize(
    ("name", "answers", "named"),
    [
        ("127.0.0.1.nip.example", ["127.0.0.1"], "127.0.0.1 (loopback)"),
        ("10-1-2-3.sslip.example", ["10.1.2.3"], "10.1.2.3 (private)"),
        ("metadata.cloud.example", ["169.254.169.254"], "169.254.169.254 (link-local)"),
        # Any internal answer refuses the name, wherever it is among the answers.
        ("mixed.example", ["93.184.216.34", "2606:4700:4700::1111", "10.0.0.7"], "10.0.0.7 (private)"),
        ("v6.example", ["::1"], "::1 (loopback)"),
        ("tunnel.example", ["2002:7f00:1::"], "2002:7f00:1:: (6to4 of 127.0.0.1, loopback)"),
        ("mapped.example", ["::ffff:169.254.169.254"], "::ffff:a9fe:a9fe (IPv4-mapped of 169.254.169.254, link-local)"),
        ("dns64.example", ["64:ff9b::a01:203"], "64:ff9b::a01:203 (NAT64 of 10.1.2.3, private)"),
    ],
)
def test_names_resolving_to_internal_addresses_are_refused_at_save(
    guard: httpx.Client, db: Database, dns: FakeDNS, name: str, answers: list[str], named: str
) -> None:
    dns.answers[name] = answers
    message = assert_refused_at_save(guard, make_person(db), f"https://{name}/hook")
    assert f"'{name}' resolves to the internal address {named}" in message
    assert name in dns.lookups  # really resolved at save


def test_a_name_that_does_not_resolve_is_refused_at_save(guard: httpx.Client, db: Database, dns: FakeDNS) -> None:
    message = assert_refused_at_save(guard, make_person(db), "https://nowhere.invalid/hook")
    assert "'nowhere.invalid' does not resolve (Name or service not known)" in message
    assert "can resolve" in message
    assert "ALLOW_PRIVATE" not in message  # the setting is not the remedy


def test_a_name_resolving_to_public_addresses_is_accepted(guard: httpx.Client, db: Database, dns: FakeDNS) -> None:
    dns.answers["hooks.example"] = ["93.184.216.34", "2606:4700:4700::1111", "64:ff9b::5db8:d822"]
    assert_accepted_at_save(guard, make_person(db), "https://hooks.example/in")


ALL_REFUSED_AT_SAVE = [
    *(wrapped(form, v4) for form in FORMS for v4 in INTERNAL_IPV4),
    "2001:0:808:808:8000:0:f7f7:f7f7",
    "::808:808",
    "fec0::1",
]


def test_allow_private_still_allows_all_of_them(
    client: httpx.Client, db: Database, settings: Settings, dns: FakeDNS
) -> None:
    assert settings.webhook_allow_private  # tests/webhooks/conftest.py
    dns.answers["127.0.0.1.nip.example"] = ["127.0.0.1"]
    alice = make_person(db)
    urls = [f"http://[{a}]:8080/hook" for a in ALL_REFUSED_AT_SAVE]
    urls += ["http://ip6-localhost/hook", "http://localhost/hook", "http://127.0.0.1.nip.example/hook"]
    urls += ["http://nowhere.invalid/hook"]  # nothing is resolved at save with the setting on
    for url in urls:
        make_webhook(client, alice, url)
    assert dns.lookups == []


# --- at send ----------------------------------------------------------------------------------


def failed_attempt_error(client: httpx.Client, who: Person, hook: str) -> str:
    def failed() -> bool:
        items = deliveries(client, who, hook)
        return bool(items) and items[0]["attributes"]["status"] == "failed"

    wait_for(failed, what="the refused delivery")
    [item] = deliveries(client, who, hook)
    [attempt] = item["attributes"]["attempt_log"]
    assert attempt["response_status"] is None
    error: str = attempt["error"]
    return error


@pytest.mark.parametrize(
    ("host", "answers", "reason"),
    [
        # The case: 6to4 around 127.0.0.1 was attempted.
        ("[2002:7f00:1::]", None, "'2002:7f00:1::' resolves to the internal address 2002:7f00:1:: (6to4 of 127.0.0.1"),
        (
            "[::ffff:127.0.0.1]",
            None,
            "'::ffff:127.0.0.1' resolves to the internal address ::ffff:7f00:1 (IPv4-mapped of 127.0.0.1, loopback)",
        ),
        ("ip6-localhost", None, "'ip6-localhost' is an internal host name"),
        ("mixed.example", ["93.184.216.34", "127.0.0.1"], "'mixed.example' resolves to the internal address 127.0.0.1"),
        ("nowhere.invalid", None, "'nowhere.invalid' does not resolve"),
    ],
)
def test_the_send_time_check_refuses_before_connecting(
    client: httpx.Client,
    db: Database,
    dns: FakeDNS,
    start_dispatcher: Callable[..., Dispatcher],
    receiver: Receiver,
    host: str,
    answers: list[str] | None,
    reason: str,
) -> None:
    if answers:
        dns.answers[host] = answers
    start_dispatcher(webhook_allow_private=False, webhook_retry_schedule="")
    alice = make_person(db)
    # Saved through the app that allows private targets, so only the dispatcher judges it.
    hook = make_webhook(client, alice, f"http://{host}:{receiver.port}/hooks", events=["project.created"])["id"]
    make_project(client, alice)
    assert failed_attempt_error(client, alice, hook).startswith(f"refused: {reason}")
    assert receiver.requests == []


def test_a_name_pointed_inward_after_saving_is_refused_at_send(
    guard: httpx.Client,
    client: httpx.Client,
    db: Database,
    dns: FakeDNS,
    start_dispatcher: Callable[..., Dispatcher],
    receiver: Receiver,
) -> None:
    dns.answers["rebind.example"] = ["93.184.216.34"]
    alice = make_person(db)
    hook = make_webhook(guard, alice, f"http://rebind.example:{receiver.port}/hooks", events=["project.created"])["id"]
    dns.answers["rebind.example"] = ["127.0.0.1"]  # where the receiver listens
    start_dispatcher(webhook_allow_private=False, webhook_retry_schedule="")
    make_project(client, alice)
    error = failed_attempt_error(client, alice, hook)
    assert error == "refused: 'rebind.example' resolves to the internal address 127.0.0.1 (loopback)"
    assert receiver.requests == []


def test_the_connection_goes_to_the_address_checked(db: Database, settings: Settings, dns: FakeDNS) -> None:
    """One resolution per send: the URL is rewritten to the checked address, so a second
    answer (a rebinding DNS server's inward one) is never asked for."""
    dns.answers["rebind.example"] = ["93.184.216.34"]
    dns.answered = lambda name: dns.answers.update({name: ["127.0.0.1"]})  # inward from now on
    dispatcher = Dispatcher(db, settings.model_copy(update={"webhook_allow_private": False}))

    async def pinned() -> tuple[list[str], str, str | None]:
        dispatcher._loop = asyncio.get_running_loop()
        return await dispatcher._pinned("https://rebind.example:8443/in?x=1")

    urls, host_header, sni = asyncio.run(pinned())
    assert (urls, host_header, sni) == (["https://93.184.216.34:8443/in?x=1"], "rebind.example:8443", "rebind.example")
    assert dns.lookups == ["rebind.example"]


def test_every_checked_address_is_a_place_to_deliver(db: Database, settings: Settings, dns: FakeDNS) -> None:
    """A dual-stack name: each address checked, each a URL of its own, in the resolver's order
    (duplicates once), so a delivery can go on to the next when one does not connect."""
    dns.answers["dual.example"] = ["2606:2800:220:1:248:1893:25c8:1946", "93.184.216.34", "93.184.216.34"]
    dispatcher = Dispatcher(db, settings.model_copy(update={"webhook_allow_private": False}))

    async def pinned() -> tuple[list[str], str, str | None]:
        dispatcher._loop = asyncio.get_running_loop()
        return await dispatcher._pinned("http://dual.example/in")

    urls, host_header, sni = asyncio.run(pinned())
    assert urls == ["http://[2606:2800:220:1:248:1893:25c8:1946]/in", "http://93.184.216.34/in"]
    assert (host_header, sni) == ("dual.example", None)


def test_a_delivery_goes_on_to_the_next_address_when_one_does_not_connect(receiver: Receiver) -> None:
    """post_to_first over real sockets: a closed port first (as an unreachable IPv6 address
    would be), then the receiver; and when none connects, the last error."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}/hooks/polytask"  # bound, never listening

        async def deliver(urls: list[str]) -> int:
            async with httpx.AsyncClient() as client:
                response = await post_to_first(client, urls, b"{}", {"Content-Type": "application/json"}, {}, 10.0)
                await response.aclose()
                return response.status_code

        assert asyncio.run(deliver([closed, receiver.url])) == 200
        assert len(receiver.requests) == 1
        with pytest.raises(httpx.ConnectError):
            asyncio.run(deliver([closed, closed]))
    assert len(receiver.requests) == 1


# --- the classifier ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("2002:7f00:1::", "6to4 of 127.0.0.1, loopback"),
        ("2002:a9fe:a9fe:5::1", "6to4 of 169.254.169.254, link-local"),
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo of 192.0.2.45, private"),  # RFC 4380's example client
        ("2001:0:a00:1::", "Teredo of 10.0.0.1, private"),  # the server's address
        ("::ffff:7f00:1", "IPv4-mapped of 127.0.0.1, loopback"),
        ("::a9fe:a9fe", "IPv4-compatible of 169.254.169.254, link-local"),
        ("64:ff9b::a00:1", "NAT64 of 10.0.0.1, private"),
        ("64:ff9b::6440:1", "NAT64 of 100.64.0.1, shared address space"),
        ("fe80::200:5efe:c0a8:101", "ISATAP of 192.168.1.1, private"),
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fd00:ec2::254", "a cloud metadata service"),
        ("100.100.100.200", "a cloud metadata service"),
        ("2002:808:808::", None),
        ("64:ff9b::808:808", None),
        ("::ffff:808:808", None),
        ("2606:4700:4700::1111", None),
        ("8.8.8.8", None),
    ],
)
def test_internal_kind(address: str, kind: str | None) -> None:
    assert ssrf.internal_kind(ipaddress.ip_address(address)) == kind


@pytest.mark.parametrize("v4", ["127.0.0.1", "10.1.2.3", "169.254.169.254", "8.8.8.8", "255.255.255.255"])
def test_wrapped_ipv4_agrees_with_the_standard_library(v4: str) -> None:
    sixtofour = ipaddress.IPv6Address(wrapped("6to4", v4))
    assert ssrf.wrapped_ipv4(sixtofour) == ("6to4", [sixtofour.sixtofour])
    for form in ("teredo-server", "teredo-client"):
        teredo = ipaddress.IPv6Address(wrapped(form, v4))
        assert teredo.teredo is not None
        assert ssrf.wrapped_ipv4(teredo) == ("Teredo", list(teredo.teredo))
    mapped = ipaddress.IPv6Address(wrapped("mapped", v4))
    assert ssrf.wrapped_ipv4(mapped) == ("IPv4-mapped", [mapped.ipv4_mapped])
