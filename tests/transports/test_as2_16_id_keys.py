"""A key pair of its own for one of our AS2 ids (`as2_server.identities`): a distributor with two companies, each
known to its partners by its own AS2 id, may need a certificate each. One key pair served every id: a partner
encrypting to the second company's certificate got a decryption-failed MDN, and everything that company sent was
signed with the first one's key.

Through the real daemon: Acme EU (our id ACME-EU, its own pair) and BigBox (our id ACMEDIST, the current pair).
openssl + curl send each a message encrypted to the certificate of the id it is addressed to, and check whose
signature its MDN carries; our 856 to Acme EU is opened and its signature checked by openssl on the partner's
side."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp import web

from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.net import free_port
from tests.helpers.wait import wait_for
from tests.spine.test_acks_hostile import queue_asn, row
from tests.transports.as2_peer import (
    as2_headers,
    build_message,
    curl_post,
    openssl,
    openssl_decrypt,
    serve,
    verify_mdn,
)
from tests.transports.certs import Cert, make_cert
from tests.transports.test_as2_mdn_resend import PAYLOAD, Sink, settled

pytestmark = pytest.mark.slow


@dataclass
class Certs:
    ours: Cert          # ACMEDIST, as2_server.certificate
    eu: Cert            # ACME-EU's own
    acme: Cert          # the partner Acme EU's
    bigbox: Cert        # the partner BigBox's


def signed_by(tmp: Path, content_type: str, body: bytes, cert: Cert) -> bool:
    """openssl verifies a multipart/signed body with `cert` as the only trusted certificate."""
    f = tmp / "signed.eml"
    f.write_bytes(f"MIME-Version: 1.0\r\nContent-Type: {content_type}\r\n\r\n".encode() + body)
    return openssl("cms", "-verify", "-in", f, "-CAfile", cert.cert_path, "-out", tmp / "verified").returncode == 0


class AcmeEu:
    """Acme EU's AS2 endpoint: opens our message with its key, keeps the signed entity's Content-Type and body."""

    def __init__(self, tmp: Path, theirs: Cert) -> None:
        self.tmp, self.theirs = tmp, theirs
        self.got: list[tuple[dict[str, str], str, bytes]] = []

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        entity = await asyncio.to_thread(openssl_decrypt, self.tmp, body, self.theirs)
        head, _, signed = entity.partition(b"\r\n\r\n")
        ctype = " ".join(ln.split(":", 1)[1].strip() for ln in head.decode().replace("\r\n\t", " ")
                         .replace("\r\n ", " ").split("\r\n") if ln.lower().startswith("content-type:"))
        self.got.append((dict(request.headers), ctype, signed))
        return web.Response(text="ok")


async def test_each_of_our_as2_ids_opens_signs_and_answers_with_its_own_key_pair(tmp_path: Path) -> None:
    d = tmp_path / "certs"
    c = Certs(make_cert(d, "acme-distribution"), make_cert(d, "acme-distribution-eu"), make_cert(d, "acme-eu"),
              make_cert(d, "bigbox"))
    peer = AcmeEu(tmp_path / "peer", c.acme)
    (tmp_path / "peer").mkdir()
    app = web.Application()
    app.router.add_post("/as2", peer.handle)
    runner, peer_port = await serve(app)
    port, sink = free_port(), Sink()
    sink_port = await sink.start()
    ws = Workspace.create(tmp_path / "gw", {
        "our_ids": {"as2_id": "ACMEDIST"},
        "as2_server": {"enabled": True, "host": "127.0.0.1", "port": port, "certificate": str(c.ours.cert_path),
                       "private_key": str(c.ours.key_path),
                       "identities": {"ACME-EU": {"certificate": str(c.eu.cert_path),
                                                  "private_key": str(c.eu.key_path)}}}},
        partners={"acme": {"inbound": [{"channel": "as2", "as2_id": "ACMEEU-AS2", "our_as2_id": "ACME-EU",
                                        "certificates": [str(c.acme.cert_path)], "async_mdn_allow": ["127.0.0.1"]}],
                           "outbound": {"channel": "as2", "as2_id": "ACMEEU-AS2", "our_as2_id": "ACME-EU",
                                        "url": f"http://127.0.0.1:{peer_port}/as2", "mdn": "none",
                                        "certificates": [str(c.acme.cert_path)]}},
                  "bigbox": {"inbound": [{"channel": "as2", "as2_id": "BIGBOX-AS2",
                                          "certificates": [str(c.bigbox.cert_path)]}]}})
    gw = await asyncio.to_thread(GatewayProcess(ws.config).start)
    try:
        replies = {}
        for name, sender, frm, to, our_pair, url in (
                ("eu", c.acme, "ACMEEU-AS2", "ACME-EU", c.eu, None),
                ("dist", c.bigbox, "BIGBOX-AS2", "ACMEDIST", c.ours, None),
                ("eu-async", c.acme, "ACMEEU-AS2", "ACME-EU", c.eu, f"http://127.0.0.1:{sink_port}/mdn")):
            ctype, body, _ = build_message(tmp_path / name, PAYLOAD, signer=sender, recipient=our_pair)
            replies[name] = await asyncio.to_thread(curl_post, f"http://127.0.0.1:{port}/as2", body, as2_headers(
                frm, to, f"<{name}@partner>", ctype, async_url=url), tmp_path)
        mid = await asyncio.to_thread(queue_asn, ws, None)
        await asyncio.to_thread(wait_for, lambda: row(ws, mid)["state"] in ("done", "dead", "rejected"), 60, 0.05,
                                "our 856 to Acme EU sent")
        await asyncio.to_thread(wait_for, lambda: settled(ws) in (["sent"], ["failed"], ["refused"]), 60, 0.05,
                                "the async MDN sent")
    finally:
        await asyncio.to_thread(gw.stop)
        await runner.cleanup()
        await sink.stop()
    for name, own, other in (("eu", c.eu, c.ours), ("dist", c.ours, c.eu)):
        reply = replies[name]
        assert reply.status == 200
        report = verify_mdn(tmp_path / name, reply.headers["content-type"], reply.body, own).decode()
        assert "automatic-action/MDN-sent-automatically; processed\r\n" in report, report
        assert not signed_by(tmp_path / name, reply.headers["content-type"], reply.body, other)
    # the async MDN, signed as it was queued and again just before it goes out (after a rotation of ours): by
    # ACME-EU's key both times
    [(mdn_headers, mdn_body)] = sink.got
    assert mdn_headers["AS2-From"] == "ACME-EU"
    (tmp_path / "async").mkdir()
    assert signed_by(tmp_path / "async", mdn_headers["Content-Type"], mdn_body, c.eu)
    assert not signed_by(tmp_path / "async", mdn_headers["Content-Type"], mdn_body, c.ours)
    assert row(ws, mid)["state"] == "done", row(ws, mid)["last_error"]
    [(headers, ctype, signed)] = peer.got
    assert headers["AS2-From"] == "ACME-EU"
    assert signed_by(tmp_path / "peer", ctype, signed, c.eu) and not signed_by(tmp_path / "peer", ctype, signed, c.ours)


def test_lint_checks_an_ids_own_pair_like_our_current_one(tmp_path: Path) -> None:
    """Its certificate must belong to its key (an error), its key readable only by us (a warning), and its expiry
    is watched (a warning within 30 days), as for as2_server.certificate; and its id must be one we are known by
    (a typo left the id on the current pair without a word)."""
    import os

    from tests.helpers.gateway import cli

    d = tmp_path / "certs"
    ours, eu, other = make_cert(d, "acme-distribution"), make_cert(d, "acme-distribution-eu", days=10), \
        make_cert(d, "someone")
    os.chmod(ours.key_path, 0o600)

    def lint(key: Cert, mode: int, as2_id: str = "ACME-EU") -> str:
        os.chmod(key.key_path, mode)
        ws = Workspace.create(tmp_path / f"gw-{key.name}-{mode:o}-{as2_id}", {
            "our_ids": {"as2_id": "ACMEDIST"},
            "as2_server": {"enabled": True, "host": "127.0.0.1", "port": free_port(),
                           "certificate": str(ours.cert_path), "private_key": str(ours.key_path),
                           "identities": {as2_id: {"certificate": str(eu.cert_path),
                                                   "private_key": str(key.key_path)}}}},
            partners={"acme": {"inbound": [{"channel": "as2", "as2_id": "ACMEEU-AS2", "our_as2_id": "ACME-EU",
                                            "certificates": [str(other.cert_path)]}]}})
        result = cli("lint", "--config", str(ws.config))
        return result.stdout + result.stderr

    mismatched = lint(other, 0o600)
    assert "as2_server.identities.ACME-EU.certificate does not belong to its private_key" in mismatched, mismatched
    readable = lint(eu, 0o644)
    assert "does not belong" not in readable and "as2_server.identities.ACME-EU.private_key" in readable, readable
    assert "acme-distribution-eu" in readable and "expires" in readable, readable
    assert "ok (1 partner" in readable and "not one of our AS2 ids" not in readable, readable
    typo = lint(eu, 0o600, "ACME_EU")
    assert "as2_server.identities has a key pair for 'ACME_EU', which is not one of our AS2 ids (ACME-EU, " \
        "ACMEDIST" in typo, typo


def test_the_passphrase_of_an_ids_own_key_is_masked_in_the_log(tmp_path: Path) -> None:
    """As those of our current and previous keys: registered as a secret when the configuration is loaded."""
    import io
    import logging

    from gateway import logs
    from gateway.config.models import GatewayConfig

    phrase = tmp_path / "eu.pass"
    phrase.write_text("EU-k3y-Phrase\n")
    logs.register_config_secrets(GatewayConfig.model_validate({"as2_server": {"identities": {"ACME-EU": {
        "certificate": "eu.crt", "private_key": "eu.key", "private_key_password_file": str(phrase)}}}}))
    buffer = io.StringIO()
    logger = logging.getLogger("test.edi.as2_16")
    logger.propagate, logger.level = False, logging.DEBUG
    handler = logs.make_handler("text", buffer)  # type: ignore[arg-type]
    logger.addHandler(handler)
    try:
        logger.debug("loading %s", ["eu.key", "EU-k3y-Phrase"])
    finally:
        logger.removeHandler(handler)
    assert "EU-k3y-Phrase" not in buffer.getvalue() and "'***'" in buffer.getvalue()
