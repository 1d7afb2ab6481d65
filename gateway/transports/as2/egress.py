"""How we reach a partner over HTTP: its TLS settings (CA, our client certificate) and its proxy.

One place for both things we POST to a partner, our AS2 messages and the asynchronous MDNs we owe it: a partner
whose endpoint requires our client certificate, or a host where only the proxy reaches out, needs the same for
either (an MDN sent direct never arrived there).
"""

from __future__ import annotations

import ssl
from urllib.parse import urlsplit
from urllib.request import getproxies_environment, proxy_bypass

from aiohttp import BasicAuth
from yarl import URL

from gateway.config.exposure import is_loopback
from gateway.config.models import As2Channel
from gateway.errors import DeliveryRetry


def tls_context(ch: As2Channel, partner_id: str, *, system_too: bool = False) -> ssl.SSLContext:
    """The TLS settings of a POST to this partner: its CA (else the system's), and our client certificate when its
    endpoint requires one (mutual TLS), read at each try so a renewed pair is used without a restart. A pair that
    cannot be loaded is retried, not dead: the operator may be replacing it (lint and start refuse it).
    `system_too`: the system's CAs as well as its `tls_ca`, for an address the partner names per message (its async
    MDN URL), which may be served by another host than the endpoint its `tls_ca` was set for."""
    try:
        ctx = ssl.create_default_context(cafile=str(ch.tls_ca) if ch.tls_ca else None)
        if system_too and ch.tls_ca:
            ctx.load_default_certs()
    except (OSError, ssl.SSLError) as exc:
        raise DeliveryRetry(f"partner {partner_id}'s tls_ca {ch.tls_ca} cannot be loaded: "
                            f"{getattr(exc, 'strerror', None) or exc}") from exc
    if ch.tls_client_certificate and ch.tls_client_key:
        password = None
        if ch.tls_client_key_password_file:     # named apart: the error below would blame the certificate or key
            try:
                password = ch.tls_client_key_password_file.read_bytes().strip()
            except OSError as exc:
                raise DeliveryRetry(f"partner {partner_id}'s tls_client_key_password_file "
                                    f"{ch.tls_client_key_password_file} cannot be read: {exc.strerror or exc}") from exc
        try:
            # without a password file, an encrypted key fails here instead of OpenSSL asking on the terminal
            ctx.load_cert_chain(ch.tls_client_certificate, ch.tls_client_key,
                                password if password is not None else (lambda: b""))
        except (OSError, ssl.SSLError) as exc:        # names the files, never their content
            raise DeliveryRetry(f"partner {partner_id}'s TLS client certificate {ch.tls_client_certificate} or key "
                                f"{ch.tls_client_key} cannot be loaded: {getattr(exc, 'strerror', None) or exc}"
                                ) from exc
    return ctx


def proxy_for(ch: As2Channel, url: str | None = None) -> tuple[URL | None, BasicAuth | None]:
    """The HTTP proxy a POST to this partner (at `url`, else its channel's `url`) goes through, if any, and its
    login: the partner's `proxy`, else the environment's (HTTPS_PROXY for https, HTTP_PROXY for http, not for a host
    NO_PROXY names), never for a loopback host (a proxy elsewhere cannot reach it). The login travels apart from
    the URL, so no error text can quote it."""
    target = urlsplit(url or ch.url or "")
    raw = ch.proxy
    if raw is None and not is_loopback(target.hostname or ""):
        raw = getproxies_environment().get(target.scheme.lower())
        if raw and proxy_bypass(target.hostname or ""):
            raw = None
        if raw and "://" not in raw:
            raw = "http://" + raw             # 'proxy.corp:3128', as curl and pip read it
    if not raw or raw == "direct":
        return None, None
    proxy = URL(raw)
    if proxy.scheme not in ("http", "https") or not proxy.host:     # named, never quoted: it may hold a login
        where = "the partner's `proxy`" if ch.proxy else (
            f"{target.scheme.upper()}_PROXY in the daemon's environment (the partner's `proxy`, 'direct' for none, "
            "overrides it)")
        raise DeliveryRetry(f"{where} is not an http:// URL with a host")
    auth = BasicAuth(proxy.user, proxy.password or "") if proxy.user else None
    return proxy.with_user(None), auth
