"""An operator's IPv6 listing of a NAT64 or 6to4 range stopped allowing the MDN URLs it names (review of hunt 17).

d8dd2eb judges an address in NAT64 (64:ff9b::/96), SIIT or 6to4 form as the IPv4 address it leads to, and
compared the partner's `async_mdn_allow` networks with that IPv4 address only: a listing written as the IPv6 range
the gateway's network reaches the partner by (64:ff9b::a14:0/112, a VPN'd partner host over the site's NAT64), which
allowed it before, no longer did, and its MDNs were refused and never sent. A listed network now allows an address
in it as written or as the IPv4 address it leads to; nothing listed, such addresses stay refused as their IPv4.
The policy is the one the daemon's MDN sender and its resolver apply (tests/security/test_hunt17_mdn_embedded_ipv4
drives it through the daemon)."""

from __future__ import annotations

from gateway.transports.destinations import Destinations


def test_a_listed_nat64_range_allows_its_addresses() -> None:
    listed = Destinations.of(["64:ff9b::a14:0/112"])
    assert listed.check_url("http://[64:ff9b::a14:5]/mdn") is None                 # 10.20.0.5 over NAT64
    assert listed.check_url("http://[64:ff9b::a00:5]/mdn") is not None             # 10.0.0.5: not listed
    assert Destinations.of(["2002:a14::/32"]).check_url("http://[2002:a14:5::1]/mdn") is None


def test_unlisted_they_stay_refused_as_the_ipv4_address_they_lead_to() -> None:
    why = Destinations.of(["2001:db8::/32"]).check_url("http://[64:ff9b::a14:5]/mdn")
    assert why is not None and "10.20.0.5 is a private or reserved address" in why
    assert Destinations.of(["10.20.0.0/16"]).check_url("http://[64:ff9b::a14:5]/mdn") is None
