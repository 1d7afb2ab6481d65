"""Where the gateway may connect when a partner names the URL (an asynchronous MDN's Receipt-Delivery-Option).

The partner is authenticated, but the URL is still its choice: pointed at http://127.0.0.1:8780/ or
at an address of the gateway's own network, our POST would reach services that only trust the
gateway's host (server-side request forgery). So such a URL goes only over http/https to a public
address; loopback, private, link-local, multicast, unspecified and reserved addresses are refused
unless the partner's `async_mdn_allow` lists the address (or its network, "10.20.0.0/16") or the
URL (a prefix, "https://as2.partner.vpn/mdn"). Names are checked on the addresses they resolve to
as the connection is made (see `As2Server`'s resolver), not once beforehand, so a name that
resolves elsewhere by the time we connect (DNS rebinding) gains nothing.
"""

from __future__ import annotations

import socket
from collections.abc import Iterable
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network
from urllib.parse import urlsplit

Address = IPv4Address | IPv6Address
Network = IPv4Network | IPv6Network


class DestinationRefused(OSError):
    """A URL, or the address its name resolved to, that the partner's allowances do not cover."""


def check_allow_entry(entry: str) -> str:
    """Config check of one `async_mdn_allow` entry: an address or network, or an http(s) URL prefix with a host;
    returned normalised (a URL without a path gets "/", so "https://a.example" does not allow a.example.evil)."""
    text = entry.strip()
    if not text.lower().startswith(("http://", "https://")):
        try:
            return str(ip_network(text, strict=False))
        except ValueError:
            raise ValueError(f"{entry!r} is neither an address or network (10.20.0.0/16) nor an http(s) URL "
                             "prefix (https://as2.partner.example/mdn)") from None
    parts = urlsplit(text)
    if not parts.hostname:
        raise ValueError(f"URL prefix {entry!r} has no host")
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{parts.path or '/'}"


# IPv6 forms that lead to the IPv4 address in their last 32 bits: NAT64's well-known prefix (RFC 6052) and SIIT's
# IPv4-translated addresses (RFC 2765), which a NAT64 gateway on our network turns into that IPv4 address
_EMBEDS_IPV4 = (IPv6Network("64:ff9b::/96"), IPv6Network("::ffff:0:0:0/96"))
# IPv6 networks Python 3.11 calls global that name no public host: IPv4-compatible (::a.b.c.d, deprecated by RFC
# 4291), local-use NAT64 (RFC 8215: translated into the operator's own IPv4 space), site-local (RFC 3879)
_NOT_PUBLIC_V6 = (IPv6Network("::/96"), IPv6Network("64:ff9b:1::/48"), IPv6Network("fec0::/10"))


NAT64_LENGTHS = (32, 40, 48, 56, 64, 96)
"""The prefix lengths RFC 6052 2.2 defines an IPv4-embedded IPv6 address for."""


def check_nat64_prefix(entry: str) -> IPv6Network:
    """Config check of one of the site's own NAT64 prefixes (`as2_server.nat64_prefixes`): an IPv6 network of an
    RFC 6052 length (2001:db8:64::/96, 2001:db8:100::/40)."""
    try:
        net = IPv6Network(entry.strip())
    except ValueError:
        raise ValueError(f"{entry!r} is not an IPv6 network with its host bits zero (2001:db8:64::/96)") from None
    if net.prefixlen not in NAT64_LENGTHS:
        raise ValueError(f"{entry!r}: a NAT64 prefix is /32, /40, /48, /56, /64 or /96 (RFC 6052)")
    return net


def embedded_ipv4(address: IPv6Address, prefix: IPv6Network) -> IPv4Address:
    """The IPv4 address an address under a NAT64 prefix of any RFC 6052 length leads to: its 32 bits right after the
    prefix, skipping bits 64-71 (the 'u' octet) for prefixes shorter than /96."""
    if prefix.prefixlen == 96:
        return IPv4Address(int(address) & 0xFFFFFFFF)
    joined = ((int(address) >> 64) << 56) | (int(address) & ((1 << 56) - 1))      # the 120 bits without 'u'
    return IPv4Address((joined >> (120 - prefix.prefixlen - 32)) & 0xFFFFFFFF)


def plain(address: Address, nat64: Iterable[IPv6Network] = ()) -> Address:
    """An IPv6 address that stands for an IPv4 one as that IPv4 address: IPv4-mapped (::ffff:127.0.0.1 is
    127.0.0.1), NAT64 and SIIT (64:ff9b::7f00:1, or under one of the site's own NAT64 prefixes, `nat64`), 6to4
    (2002:7f00:1::)."""
    if not isinstance(address, IPv6Address):
        return address
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if any(address in net for net in _EMBEDS_IPV4):
        return IPv4Address(int(address) & 0xFFFFFFFF)
    for prefix in nat64:
        if address in prefix:
            return embedded_ipv4(address, prefix)
    return address.sixtofour or address


def literal(host: str) -> Address | None:
    """The address a URL's host is written as, or None for a name. Read as the socket layer reads it, so the legacy
    IPv4 forms inet_aton takes (2130706433, 0177.0.0.1, 0x7f.1, 127.1, 0) are the addresses they connect to:
    aiohttp before 3.14 connected to them as addresses, past the resolver that checks names."""
    try:
        return ip_address(host)
    except ValueError:
        pass
    try:
        return IPv4Address(socket.inet_aton(host.rstrip(".")))
    except (OSError, ValueError):
        return None


def why_refused(address: Address, nat64: Iterable[IPv6Network] = ()) -> str | None:
    """Why a partner's URL may not lead to `address` by default; None for a public address."""
    address = plain(address, nat64)
    for flag, what in (("is_unspecified", "the unspecified"), ("is_loopback", "a loopback"),
                       ("is_link_local", "a link-local"), ("is_multicast", "a multicast")):
        if getattr(address, flag):
            return f"{address} is {what} address"
    if not address.is_global or any(address in net for net in _NOT_PUBLIC_V6 if isinstance(address, IPv6Address)):
        return f"{address} is a private or reserved address"
    return None


@dataclass(frozen=True, slots=True)
class Destinations:
    """One partner's policy: public addresses, plus its allowed networks and URL prefixes; `nat64`, the site's own
    NAT64 prefixes, whose addresses are judged as the IPv4 addresses they lead to."""

    networks: tuple[Network, ...] = ()
    prefixes: tuple[str, ...] = ()
    nat64: tuple[IPv6Network, ...] = ()

    @classmethod
    def of(cls, allow: Iterable[str], nat64: Iterable[str] = ()) -> Destinations:
        entries = [check_allow_entry(e) for e in allow]
        return cls(tuple(ip_network(e) for e in entries if "://" not in e),
                   tuple(e for e in entries if "://" in e), tuple(check_nat64_prefix(e) for e in nat64))

    def listed(self, url: str) -> bool:
        """The URL starts with an allowed prefix (scheme and host:port compared whole)."""
        try:
            parts = urlsplit(url.strip())
        except ValueError:                 # 'http://[::1/mdn': see check_url
            return False
        here = f"{parts.scheme.lower()}://{parts.netloc.lower()}{parts.path or '/'}"
        for prefix in self.prefixes:
            base = prefix.split("/", 3)
            if here.split("/", 3)[:3] == base[:3] and here.startswith(prefix):
                return True
        return False

    def check_url(self, url: str) -> str | None:
        """What can be said before any lookup: why the URL is refused (its scheme, no host, an address literal
        that is not allowed), or None (a listed URL, or a name whose addresses are checked as we connect)."""
        try:
            parts = urlsplit(url.strip())
        except ValueError as exc:          # an unclosed '[' (the MDN was answered with a 500 and a traceback)
            return f"the URL cannot be read: {exc}"
        if parts.scheme.lower() not in ("http", "https"):
            return f"{parts.scheme or 'no'} scheme: only http and https are used"
        if not parts.hostname:
            return "the URL has no host"
        if self.listed(url):
            return None
        address = literal(parts.hostname)
        if address is None:
            return None                                    # a name: see check_address, at connect time
        return self.check_address(address)

    def check_address(self, address: Address) -> str | None:
        """Why `address` is refused (with how to allow it), or None. A listed network allows an address in it as
        written or as the IPv4 address it leads to (64:ff9b::/96 listed allows what DNS64 gives, 10.0.0.0/8 that
        same network over NAT64)."""
        forms = {address, plain(address, self.nat64)}
        why = why_refused(address, self.nat64)
        if why is None or any(a in net for a in forms for net in self.networks if net.version == a.version):
            return None
        return f"{why}, which the partner's async_mdn_allow does not list"
