"""Async MDN URLs over the site's own NAT64 prefix (as2_server.nat64_prefixes).

A site whose IPv6-only network reaches IPv4 through a NAT64 of its own uses a prefix of its own (RFC 6052: a /32 to
/96 of its provider's or its own space), not only 64:ff9b::/96. An address under it is the IPv4 address in its bits:
`[2001:470:64::7f00:1]` was judged a public IPv6 address, so a partner's Receipt-Delivery-Option could point the
MDN at the gateway's own loopback or the cloud's metadata service through the site's NAT64.

The daemon is real; the partner is openssl + curl; the MDN goes by the loopback CONNECT proxy of
test_as2_15_proxy, to which every host is 127.0.0.1 (so before the fix the MDN was sent, to our loopback)."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address, IPv6Network
from pathlib import Path
from typing import Any

import pytest

from gateway.config.models import As2ServerSettings
from gateway.transports.destinations import Destinations, embedded_ipv4
from tests.helpers.gateway import Workspace
from tests.transports import test_as2_16r_mdn_address as mdn_address
from tests.transports.test_as2_16_mdn_egress import World, workspace, world

__all__ = ["world"]          # the fixture, imported for the tests below

# RFC 6052 2.4's table: 192.0.2.33 under a prefix of each length
RFC6052_EXAMPLES = [("2001:db8::/32", "2001:db8:c000:221::"), ("2001:db8:100::/40", "2001:db8:1c0:2:21::"),
                    ("2001:db8:122::/48", "2001:db8:122:c000:2:2100::"),
                    ("2001:db8:122:300::/56", "2001:db8:122:3c0:0:221::"),
                    ("2001:db8:122:344::/64", "2001:db8:122:344:c0:2:2100:0"),
                    ("2001:db8:122:344::/96", "2001:db8:122:344::c000:221")]


@pytest.mark.parametrize("prefix,address", RFC6052_EXAMPLES)
def test_the_ipv4_address_is_read_as_rfc_6052_embeds_it(prefix: str, address: str) -> None:
    assert embedded_ipv4(IPv6Address(address), IPv6Network(prefix)) == IPv4Address("192.0.2.33")


def test_site_prefixes_are_checked_when_gateway_yaml_is_read() -> None:
    assert As2ServerSettings(nat64_prefixes=[" 2001:470:64::/96"]).nat64_prefixes == ["2001:470:64::/96"]
    for wrong in ("2001:470:64::/33", "10.0.0.0/8", "2001:470:64::1/96", "nat64"):
        with pytest.raises(ValueError):
            As2ServerSettings(nat64_prefixes=[wrong])


def test_an_address_under_a_site_prefix_is_judged_as_its_ipv4_address() -> None:
    site = ["2001:470:64::/96", "2a01:4f8:100::/40"]
    assert Destinations().check_url("http://[2001:470:64::7f00:1]/mdn") is None          # (without the setting)
    why = Destinations.of([], site).check_url("http://[2001:470:64::7f00:1]/mdn")
    assert why and why.startswith("127.0.0.1 is a loopback address")
    metadata = "2a01:4f8:1a9:fea9:fe::"                                             # 169.254.169.254 in a /40
    assert "169.254.169.254 is a link-local address" in str(Destinations.of([], site).check_url(f"http://[{metadata}]/"))
    assert Destinations.of([], site).check_url("http://[2001:470:64::808:808]/mdn") is None          # 8.8.8.8
    assert Destinations.of(["10.20.0.0/16"], site).check_url("http://[2001:470:64::a14:5]/mdn") is None  # listed
    assert Destinations.of([], site).check_url("http://[2001:470:65::7f00:1]/mdn") is None     # not under it


async def test_the_daemon_refuses_an_mdn_to_the_inside_over_the_sites_nat64(tmp_path: Path, world: World,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    def with_site_prefixes(*args: Any, **kwargs: Any) -> Workspace:
        ws = workspace(*args, **kwargs)
        ws.settings["as2_server"]["nat64_prefixes"] = ["2001:470:64::/96", "2a01:4f8:100::/40"]
        ws.write_config()
        return ws

    monkeypatch.setattr(mdn_address, "workspace", with_site_prefixes)
    port = world.https_port
    urls = {"loopback": f"https://[2001:470:64::7f00:1]:{port}/mdn",
            "metadata": f"http://[2a01:4f8:1a9:fea9:fe::]:{port}/latest/meta-data/"}
    reasons = await mdn_address.refused_all(tmp_path, world, urls)
    assert world.proxy.tunnels == [] and world.endpoint.got == []
    assert sum("127.0.0.1 is a loopback address" in r for r in reasons) == 1, reasons
    assert sum("169.254.169.254 is a link-local address" in r for r in reasons) == 1, reasons
