"""An MDN to a message we did not sign is checked on its MIC whatever algorithm the partner chose (RFC 4130 7.3.1).

Mendelson answers an unsigned message with a SHA-1 MIC whatever micalg was asked, over the entity with its headers
(RFC 5402 4.3); OpenAS2 over the content alone (RFC 4130 7.3.1) for one not encrypted. A MIC in another algorithm
than ours was not checked at all: a partner that received other bytes than we sent (a gateway in between rewrote
the line ends, say) answered 'processed' with their SHA-1 and the message was taken as delivered, done. Now the
MIC is compared with ours in its algorithm: a mismatch rejects the message, as one in our own algorithm does; and a
MIC over the entity with its headers where we expected the content alone (Mendelson, unencrypted) is no longer
taken for a mismatch.

The daemon sends our 856 unsigned to a partner on 127.0.0.1 that opens it with openssl (or asn1crypto + zlib for
a compressed-only one) and answers with its MDN, signed by openssl (sync) or unsigned (async)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import zlib
from pathlib import Path

import pytest
from aiohttp import ClientSession, web
from asn1crypto import cms as acms

from tests.transports.as2_daemon import send_one
from tests.transports.as2_peer import openssl_decrypt, openssl_signed_mdn, serve
from tests.transports.certs import Cert, make_cert
from tests.transports.test_delivery_hostile import Partner, as2_workspace

pytestmark = pytest.mark.slow


class Unsigning(Partner):
    """Opens our unsigned message and answers with a MIC in `alg` over the entity with its headers (`form` 'entity')
    or its content alone ('content'), of what it got or (`altered`) of it with CRLF line ends."""

    def __init__(self, tmp: Path, theirs: Cert, alg: str, form: str, altered: bool = False) -> None:
        super().__init__(theirs)
        self.tmp, self.alg, self.form, self.altered = tmp, alg, form, altered

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = dict(request.headers)
        self.posts.append(headers)
        report = await asyncio.to_thread(self.report, headers, body)
        url = headers.get("Receipt-Delivery-Option")
        if url is None:
            ctype, mdn_body = await asyncio.to_thread(openssl_signed_mdn, self.tmp, report, self.theirs)
            return web.Response(body=mdn_body, headers={"Content-Type": ctype})
        head, _, mdn_body = report.partition(b"\r\n\r\n")
        mdn_headers = {"Content-Type": head.decode().split(":", 1)[1].strip(), "AS2-From": "ACMERETAIL-AS2",
                       "AS2-To": "ACMEDIST", "AS2-Version": "1.2", "Message-ID": "<mdn-1@acmeretail>"}
        async with ClientSession() as session, session.post(url, data=mdn_body, headers=mdn_headers) as resp:
            self.mdn_answers.append(f"{resp.status} {await resp.text()}")
        return web.Response(text="ok")

    def report(self, headers: dict[str, str], body: bytes) -> bytes:
        ctype = headers["Content-Type"]
        if "enveloped-data" in ctype:
            entity = openssl_decrypt(self.tmp, body, self.theirs)
        else:                                   # compressed-data, its entity's headers in the HTTP headers
            info = acms.ContentInfo.load(body)
            entity = zlib.decompress(info["content"]["encap_content_info"]["content"].native)
        if self.altered:
            entity = entity.replace(b"\r\n", b"\n").replace(b"~", b"~\r\n")
        data = entity if self.form == "entity" else entity.partition(b"\r\n\r\n")[2]
        mic = base64.b64encode(hashlib.new(self.alg.replace("-", ""), data).digest()).decode()
        return ("Content-Type: multipart/report; report-type=disposition-notification; boundary=\"rep\"\r\n\r\n"
                "--rep\r\nContent-Type: text/plain\r\n\r\nreceived\r\n"
                "--rep\r\nContent-Type: message/disposition-notification\r\n\r\n"
                "Reporting-UA: peer\r\nFinal-Recipient: rfc822; ACMEDIST\r\n"
                f"Original-Message-ID: {headers['Message-ID']}\r\nReceived-Content-MIC: {mic}, {self.alg}\r\n"
                "Disposition: automatic-action/MDN-sent-automatically; processed\r\n\r\n--rep--\r\n").encode()


async def sent_to(tmp_path: Path, peer: Unsigning, until: tuple[str, ...], **channel: object) -> dict[str, object]:
    """Our 856 sent unsigned to `peer` by the daemon: its journal row once in one of `until`."""
    app = web.Application()
    app.router.add_post("/as2", peer.handle)
    runner, port = await serve(app)
    try:
        ws = as2_workspace(tmp_path, f"http://127.0.0.1:{port}/as2", make_cert(tmp_path / "certs", "acme"),
                           peer.theirs, outbox={"min_backoff": 0.2, "max_backoff": 0.4}, sign=False, **channel)
        final, _ = await send_one(ws, peer, until)
    finally:
        await runner.cleanup()
    return final


@pytest.mark.parametrize("alg, altered, final", [("sha1", False, "done"), ("sha1", True, "rejected"),
                                                 ("sha-512", True, "rejected")],
                         ids=["sha1-same-content", "sha1-other-content", "sha512-other-content"])
async def test_a_signed_mdn_to_our_unsigned_message_is_checked_in_the_partners_algorithm(
        tmp_path: Path, alg: str, altered: bool, final: str) -> None:
    """Encrypted, unsigned, sha-256 asked for: the partner answers with the MIC of the decrypted entity in `alg`."""
    peer = Unsigning(tmp_path, make_cert(tmp_path / "certs", "acmeretail"), alg, "entity", altered)
    row = await sent_to(tmp_path, peer, ("done", "rejected", "dead"), mdn="sync")
    assert row["state"] == final, (row["state"], row["last_error"])
    if final == "rejected":
        assert "MDN MIC mismatch" in str(row["last_error"]) and "(both sha-" in str(row["last_error"])
    assert len(peer.posts) == 1


async def test_a_mendelson_style_mic_over_the_uncompressed_entity_of_a_compressed_only_message_is_a_receipt(
        tmp_path: Path) -> None:
    """Compressed, neither signed nor encrypted (over HTTPS, say), sha1 our digest: Mendelson's MIC is over the
    uncompressed entity with its headers (RFC 5402 4.3), ours over its content (RFC 4130 7.3.1, OpenAS2): it was
    taken for a mismatch and the message rejected, though the partner had it whole."""
    peer = Unsigning(tmp_path, make_cert(tmp_path / "certs", "acmeretail"), "sha1", "entity")
    row = await sent_to(tmp_path, peer, ("done", "rejected", "dead"), mdn="sync", encrypt=False, compress=True,
                        digest="sha1")
    assert row["state"] == "done", (row["state"], row["last_error"])


async def test_an_unsigned_async_mdn_quoting_our_mic_in_another_algorithm_settles_the_message(
        tmp_path: Path) -> None:
    """An unsigned async MDN settles only what it quotes the MIC of (anyone can POST one): a partner answering in
    SHA-1 (asked nothing: we sign nothing, nor ask a signed MDN) had its MDN ignored, our message left sent and
    overdue; its SHA-1 MIC of what we sent is now that proof."""
    peer = Unsigning(tmp_path, make_cert(tmp_path / "certs", "acmeretail"), "sha1", "entity")
    row = await sent_to(tmp_path, peer, ("done", "rejected", "dead"), mdn="async", mdn_signed=False)
    assert row["state"] == "done", (row["state"], row["last_error"])
    assert len(peer.mdn_answers) == 1 and peer.mdn_answers[0].startswith("200 ") and "ignored" not in \
        peer.mdn_answers[0], peer.mdn_answers


def test_a_ledger_of_an_earlier_release_keeps_its_rows_and_its_sent_table_as_it_was(tmp_path: Path) -> None:
    """A message sent before the upgrade keeps its one MIC (an MDN in another algorithm to it is not checked); the
    MICs by algorithm are kept apart, so that `sent` keeps the six columns an earlier release writes (a downgrade)."""
    import sqlite3

    from gateway.transports.as2.ledger import Ledger, SentRecord

    path = tmp_path / "as2.sqlite3"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE sent (message_id TEXT PRIMARY KEY, journal_id TEXT NOT NULL, partner TEXT NOT NULL, "
               "mic TEXT NOT NULL, mic_alg TEXT NOT NULL, at REAL NOT NULL)")
    db.execute("INSERT INTO sent VALUES ('<old@us>', 'J1', 'acme', 'bWlj', 'sha256', 0)")
    db.commit()
    db.close()
    ledger = Ledger(path)
    try:
        assert ledger.sent("<old@us>") == SentRecord("<old@us>", "J1", "acme", "bWlj", "sha256", {})
        ledger.record_sent(SentRecord("<new@us>", "J2", "acme", "bmV3", "sha256", {"sha1": ["c2hh"]}))
        assert ledger.sent("new@us") == SentRecord("<new@us>", "J2", "acme", "bmV3", "sha256", {"sha1": ["c2hh"]})
        ledger.record_sent(SentRecord("<new@us>", "J2", "acme", "bmV3", "sha256", {}))        # built again, signed
        assert ledger.sent("<new@us>") == SentRecord("<new@us>", "J2", "acme", "bmV3", "sha256", {})
    finally:
        ledger.close()
    db = sqlite3.connect(path)
    try:
        db.execute("INSERT OR REPLACE INTO sent VALUES ('<down@us>', 'J3', 'acme', 'ZG93bg==', 'sha256', 0)")
    finally:
        db.close()
