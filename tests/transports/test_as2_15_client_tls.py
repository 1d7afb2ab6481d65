"""A partner whose AS2 endpoint requires our TLS client certificate (mutual TLS): the daemon presents the pair set
on that partner's channel (`tls_client_certificate`, `tls_client_key`), only to that partner. Without the setting
the handshake is refused and the message waits to be retried; `lint` warns when the key file is readable by
others, as for our other keys."""

from __future__ import annotations

import os
import ssl
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from cryptography.hazmat.primitives import serialization

from gateway.config.models import As2Channel
from gateway.errors import DeliveryRetry
from gateway.transports.as2.client import tls_context
from tests.helpers.gateway import cli
from tests.transports.as2_daemon import send_one, serve_tls
from tests.transports.certs import Cert, make_cert
from tests.transports.test_delivery_hostile import Partner, as2_workspace

pytestmark = pytest.mark.slow


class Demanding(Partner):
    """The partner's endpoint: records the subject of the client certificate each POST came with."""

    def __init__(self, theirs: Cert) -> None:
        super().__init__(theirs)
        self.clients: list[Any] = []

    async def handle(self, request: web.Request) -> web.Response:
        assert request.transport is not None
        peer = request.transport.get_extra_info("peercert") or {}
        self.clients.append(dict(x[0] for x in peer.get("subject", ())).get("commonName"))
        return await super().handle(request)


@pytest.fixture
async def demanding(tmp_path: Path) -> AsyncIterator[tuple[Demanding, str, Cert, Cert, Cert]]:
    """The partner over HTTPS requiring a client certificate issued by `client` (self-signed here): (partner, URL,
    our AS2 pair, its TLS server certificate, our TLS client pair)."""
    certs = tmp_path / "certs"
    ours, theirs = make_cert(certs, "acme"), make_cert(certs, "acmeretail")
    server_cert, client = make_cert(certs, "as2.acmeretail", dns="localhost"), make_cert(certs, "acme-tls-client")
    os.chmod(client.key_path, 0o600)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=str(client.cert_path))
    context.load_cert_chain(server_cert.cert_path, server_cert.key_path)
    context.verify_mode = ssl.CERT_REQUIRED
    p = Demanding(theirs)
    app = web.Application()
    app.router.add_post("/as2", p.handle)
    runner, port = await serve_tls(app, context)
    yield p, f"https://127.0.0.1:{port}/as2", ours, server_cert, client
    await runner.cleanup()


async def test_our_client_certificate_is_presented_to_the_partner_that_requires_it(
        tmp_path: Path, demanding: tuple[Demanding, str, Cert, Cert, Cert]) -> None:
    peer, url, ours, server_cert, client = demanding
    ws = as2_workspace(tmp_path, url, ours, peer.theirs, outbox={"min_backoff": 0.2, "max_backoff": 0.4},
                       mdn="sync", tls_ca=str(server_cert.cert_path),
                       tls_client_certificate=str(client.cert_path), tls_client_key=str(client.key_path))
    final, output = await send_one(ws, peer, ("done", "dead", "rejected"))
    assert final["state"] == "done", (final["state"], final["last_error"])
    assert peer.clients == ["acme-tls-client"]
    assert "BEGIN" not in output                                        # no key material in the log


async def test_without_the_client_certificate_the_handshake_fails_and_the_message_waits(
        tmp_path: Path, demanding: tuple[Demanding, str, Cert, Cert, Cert]) -> None:
    peer, url, ours, server_cert, _ = demanding
    ws = as2_workspace(tmp_path, url, ours, peer.theirs, mdn="sync", tls_ca=str(server_cert.cert_path))
    final, _ = await send_one(ws, peer, ("retry_wait", "dead"))
    assert final["state"] == "retry_wait" and peer.posts == []


def test_lint_warns_of_a_client_key_others_can_read(tmp_path: Path) -> None:
    certs = tmp_path / "certs"
    ours, theirs, client = make_cert(certs, "acme"), make_cert(certs, "acmeretail"), make_cert(certs, "tls-client")
    os.chmod(client.key_path, 0o644)
    ws = as2_workspace(tmp_path, "https://127.0.0.1:9/as2", ours, theirs, tls_client_certificate=str(client.cert_path),
                       tls_client_key=str(client.key_path))
    done = cli("lint", config=ws.config)
    assert f"partner acme outbound.tls_client_key: {client.key_path} is readable by group or others" in done.stdout \
        + done.stderr, done.stdout + done.stderr
    os.chmod(client.key_path, 0o600)
    done = cli("lint", config=ws.config)
    assert "tls_client_key" not in done.stdout + done.stderr, done.stdout + done.stderr


def test_a_client_key_that_cannot_be_loaded_is_a_retry_naming_the_files(tmp_path: Path) -> None:
    """Being replaced, or encrypted without a password file: the message waits (never an OpenSSL prompt)."""
    client = make_cert(tmp_path / "certs", "tls-client")
    key = serialization.load_pem_private_key(client.key_path.read_bytes(), None)
    locked = tmp_path / "certs" / "locked.key"
    locked.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                         serialization.BestAvailableEncryption(b"s3cret")))
    for key_path in (tmp_path / "missing.key", locked):
        ch = As2Channel(channel="as2", as2_id="X", url="https://127.0.0.1:9/as2",
                        tls_client_certificate=client.cert_path, tls_client_key=key_path)
        with pytest.raises(DeliveryRetry, match=f"partner acme's TLS client certificate .* or key {key_path}"):
            tls_context(ch, "acme")
    (tmp_path / "password").write_bytes(b"s3cret\n")
    ch = As2Channel(channel="as2", as2_id="X", tls_client_certificate=client.cert_path, tls_client_key=locked,
                    tls_client_key_password_file=tmp_path / "password")
    assert isinstance(tls_context(ch, "acme"), ssl.SSLContext)
    with pytest.raises(DeliveryRetry, match="partner acme's tls_ca .*missing.pem cannot be loaded"):
        tls_context(As2Channel(channel="as2", as2_id="X", tls_ca=tmp_path / "missing.pem"), "acme")
    with pytest.raises(ValueError, match="go together"):
        As2Channel(channel="as2", as2_id="X", tls_client_certificate=client.cert_path)


def test_lint_refuses_a_client_pair_that_does_not_load(tmp_path: Path) -> None:
    """A mistyped key path is found by lint (and at start or reload), not at the partner's first message."""
    certs = tmp_path / "certs"
    ours, theirs, client = make_cert(certs, "acme"), make_cert(certs, "acmeretail"), make_cert(certs, "tls-client")
    ws = as2_workspace(tmp_path, "https://127.0.0.1:9/as2", ours, theirs, tls_client_certificate=str(client.cert_path),
                       tls_client_key=str(certs / "tls-clinet.key"))
    done = cli("lint", config=ws.config)
    assert done.returncode != 0 and "outbound.tls_client_key: partner acme's TLS client certificate" in done.stdout \
        + done.stderr, done.stdout + done.stderr
    ws = as2_workspace(tmp_path / "ca", "https://127.0.0.1:9/as2", ours, theirs, tls_ca=str(certs / "their-ca.pem"))
    done = cli("lint", config=ws.config)
    assert done.returncode != 0 and "outbound.tls_ca: partner acme's tls_ca" in done.stdout + done.stderr, \
        done.stdout + done.stderr


def test_an_expiring_client_certificate_is_named_like_our_other_certificates(tmp_path: Path) -> None:
    """It stops the partner's deliveries on its day as our AS2 certificate would: lint (and the status page,
    metrics and the daemon's daily log, which read the same list) say so, with what to do."""
    certs = tmp_path / "certs"
    ours, theirs = make_cert(certs, "acme", days=365), make_cert(certs, "acmeretail", days=365)
    client = make_cert(certs, "tls-client", days=5)
    os.chmod(client.key_path, 0o600)
    ws = as2_workspace(tmp_path, "https://127.0.0.1:9/as2", ours, theirs, tls_client_certificate=str(client.cert_path),
                       tls_client_key=str(client.key_path))
    out = cli("lint", config=ws.config)
    text = out.stdout + out.stderr
    assert f"our AS2 HTTPS client certificate for partner acme {client.cert_path}" in text, text
    assert "in 5 days: acme's endpoint refuses our TLS connections with it: renew it" in text, text
