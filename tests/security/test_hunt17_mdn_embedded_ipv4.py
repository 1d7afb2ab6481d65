"""Async MDN URLs whose IPv6 address carries an IPv4 address of the inside (hunt 17).

Python 3.11's `ipaddress` calls these IPv6 addresses global, so the MDN address check let them through: the NAT64
well-known prefix (64:ff9b::/96, RFC 6052) and SIIT's IPv4-translated form (::ffff:0:a.b.c.d, RFC 2765), which a
NAT64 gateway on the gateway's network (IPv6-only clouds and clusters) turns into the IPv4 address they end in, so
`http://[64:ff9b::a9fe:a9fe]/` is the cloud's metadata service and `[64:ff9b::a00:5]` an inside host; 6to4
(2002::/16), which names the IPv4 address in its bits 16-48; the local-use NAT64 prefix 64:ff9b:1::/48 (RFC 8215)
and the deprecated IPv4-compatible (::a.b.c.d) and site-local (fec0::/10) forms, which name no public host.

The daemon is real; the partner is openssl + curl. Before the fix each MDN was POSTed (and, with no NAT64 here,
given up after its attempts) instead of being refused as the address it leads to."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.transports.destinations import Destinations
from tests.transports.test_as2_16_mdn_egress import World, world
from tests.transports.test_as2_16r_mdn_address import refused_all

__all__ = ["world"]          # the fixture, imported for the tests below


async def test_ipv6_forms_of_inside_ipv4_addresses_get_no_async_mdn(tmp_path: Path, world: World) -> None:
    urls = {"nat64-metadata": "http://[64:ff9b::a9fe:a9fe]/latest/meta-data/",
            "nat64-loopback": f"http://[64:ff9b::7f00:1]:{world.https_port}/mdn",
            "siit-private": "http://[::ffff:0:a00:5]/mdn",
            "6to4-loopback": "http://[2002:7f00:1::1]/mdn",
            "local-nat64": "http://[64:ff9b:1::a00:5]/mdn"}
    reasons = await refused_all(tmp_path, world, urls, proxy="direct")
    assert world.endpoint.got == []
    assert sum("169.254.169.254 is a link-local address" in r for r in reasons) == 1, reasons
    assert sum("127.0.0.1 is a loopback address" in r for r in reasons) == 2, reasons
    assert sum("10.0.0.5 is a private or reserved address" in r for r in reasons) == 1, reasons
    assert sum("64:ff9b:1::a00:5 is a private or reserved address" in r for r in reasons) == 1, reasons


@pytest.mark.parametrize("address", ["::7f00:1", "fec0::1", "64:ff9b::a00:5", "2002:a00:5::1", "::ffff:0:7f00:1"])
def test_those_forms_stay_refused_without_a_listing(address: str) -> None:
    """The same check guards the resolver's answers (a name resolving to such an address) as URL literals."""
    assert Destinations().check_url(f"http://[{address}]/mdn") is not None


def test_public_ipv4_addresses_in_those_forms_and_listed_networks_still_pass() -> None:
    assert Destinations().check_url("http://[64:ff9b::808:808]/mdn") is None         # 8.8.8.8 over NAT64
    assert Destinations().check_url("http://[2002:808:808::1]/mdn") is None          # 8.8.8.8 over 6to4
    assert Destinations.of(["10.0.0.0/8"]).check_url("http://[64:ff9b::a00:5]/mdn") is None


async def test_legacy_ipv4_forms_are_refused_as_the_address_they_connect_to(tmp_path: Path, world: World) -> None:
    """`http://2130706433:port/` (decimal), `0177.0.0.1` (octal), `127.1`, `0`: ipaddress reads none of them, so
    the check took each for a name and left it to our resolver; aiohttp before 3.14 (pyproject allows 3.9) took
    them for addresses and connected to 127.0.0.1 without asking the resolver, and 3.14 refuses them at connect
    time, which the MDN sender took for a failure to retry: 'failed' after its attempts instead of 'refused'."""
    port = world.https_port
    urls = {name: f"http://{host}:{port}/mdn" for name, host in (
        ("decimal", "2130706433"), ("octal", "0177.0.0.1"), ("short", "127.1"), ("zero", "0"), ("hex", "0x7f.1"))}
    reasons = await refused_all(tmp_path, world, urls, proxy="direct")
    assert world.endpoint.got == []
    assert sum("127.0.0.1 is a loopback address" in r for r in reasons) == 4, reasons
    assert sum("0.0.0.0 is the unspecified address" in r for r in reasons) == 1, reasons
