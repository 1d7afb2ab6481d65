"""AS2 receiver against openssl cms + curl as the independent partner."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from gateway.config.models import (
    As2Channel,
    As2KeyPair,
    As2ServerSettings,
    GatewayConfig,
    OurIds,
    OutboxSettings,
    PartnerConfig,
)
from gateway.journal.api import State
from gateway.transports.as2 import mdn
from gateway.transports.as2.ledger import Ledger
from gateway.transports.as2.server import As2Server, partner_table
from gateway.transports.destinations import Destinations
from tests.helpers.disk import small_disk
from tests.helpers.net import free_port
from tests.helpers.wait import wait_for_async
from tests.transports.as2_peer import (
    Reply,
    as2_headers,
    build_message,
    compressed_entity,
    curl_post,
    openssl,
    serve,
    verify_mdn,
)
from tests.transports.certs import Cert, make_cert
from tests.transports.conftest import JournalIntake

PAYLOAD = b"ISA*00*          *00*          *ZZ*BIGBOXRETAIL   *ZZ*ACMEDIST       *260101*1200*U*00401*000000001*0*P*>~\n"


@dataclass
class World:
    """Our certificate, the partner's current and next one, a stranger's; `url` and `server` once a server is started."""

    tmp: Path
    ours: Cert
    partner: Cert
    partner_new: Cert
    stranger: Cert
    url: str = ""
    server: As2Server | None = None


@pytest.fixture
def world(tmp_path: Path) -> World:
    certs = tmp_path / "certs"
    return World(tmp_path, ours=make_cert(certs, "acme", dns="localhost"), partner=make_cert(certs, "bigbox"),
                 partner_new=make_cert(certs, "bigbox-2027"), stranger=make_cert(certs, "stranger"))


async def start_server(world: World, intake: JournalIntake, *, tls: bool = False, require_signed: bool = True,
                       require_encrypted: bool = True, max_body: int = 200 * 1024 * 1024,
                       min_backoff: float = 5.0, max_backoff: float | None = None, our_as2_id: str | None = None,
                       previous: list[Cert] | None = None, mdn_allow: tuple[str, ...] = ("127.0.0.1",),
                       **limits: Any) -> As2Server:
    """`limits`: as2_server settings such as max_connections, idle_timeout, body_deadline; `mdn_allow`: the
    partner's async_mdn_allow (its MDN URLs are on loopback here)."""
    settings = As2ServerSettings(enabled=True, host="127.0.0.1", port=0, certificate=world.ours.cert_path,
                                 private_key=world.ours.key_path, max_body=max_body,
                                 previous_keys=[As2KeyPair(certificate=c.cert_path, private_key=c.key_path)
                                                for c in previous or []],
                                 tls_certificate=world.ours.cert_path if tls else None,
                                 tls_key=world.ours.key_path if tls else None, **limits)
    config = GatewayConfig(as2_server=settings, our_ids=OurIds(as2_id="ACMEDIST"),
                           outbox=OutboxSettings(min_backoff=min_backoff, max_backoff=max_backoff or min_backoff * 4))
    partner = PartnerConfig(id="bigbox", inbound=[As2Channel(
        channel="as2", as2_id="BIGBOX-AS2", certificates=[world.partner.cert_path, world.partner_new.cert_path],
        require_signed=require_signed, require_encrypted=require_encrypted, our_as2_id=our_as2_id,
        async_mdn_allow=list(mdn_allow))])
    server = As2Server(config, {"bigbox": partner}, intake, Ledger(world.tmp / "state" / "as2.sqlite3"),
                       world.tmp / "state" / "as2-work", journal=intake.journal)
    await server.start()
    world.server = server
    world.url = f"{'https' if tls else 'http'}://{'localhost' if tls else '127.0.0.1'}:{server.port}/as2"
    return server


async def post(world: World, body: Path, headers: dict[str, str], cacert: Path | None = None) -> Reply:
    return await asyncio.to_thread(curl_post, world.url, body, headers, world.tmp, cacert)


def mdn_fields(report: bytes) -> dict[str, str]:
    text = report.decode()
    part = text[text.index("message/disposition-notification"):]
    fields: dict[str, str] = {}
    for line in part.split("\r\n")[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            fields[k.strip().lower()] = v.strip()
    return fields


async def test_signed_encrypted_message_gets_signed_mdn_with_mic(world: World, intake: JournalIntake) -> None:
    server = await start_server(world, intake)
    try:
        ctype, body, entity = build_message(world.tmp / "m1", PAYLOAD, signer=world.partner,
                                            recipient=world.ours)
        reply = await post(world, body, as2_headers("BIGBOX-AS2", "ACMEDIST", "<m1@bigbox>", ctype))
        assert reply.status == 200
        report = verify_mdn(world.tmp, reply.headers["content-type"], reply.body, world.ours)
        fields = mdn_fields(report)
        assert fields["disposition"].endswith("; processed")
        expected_mic = base64.b64encode(hashlib.sha256(entity.read_bytes()).digest()).decode()
        assert fields["received-content-mic"] == f"{expected_mic}, sha-256"
        assert fields["original-message-id"] == "<m1@bigbox>"
        (msg,) = intake.messages()
        assert msg.state == State.RECEIVED and msg.partner == "bigbox" and msg.filename == "po.edi"
        assert intake.stored(msg) == PAYLOAD
        assert msg.meta["as2_message_id"] == "<m1@bigbox>"
    finally:
        await server.close()


@pytest.mark.parametrize("digest,micalg,cipher", [("sha1", "sha1", "-des3"), ("sha512", "sha-512", "-aes128"),
                                                  ("sha384", "sha384", "-aes192")])
async def test_digest_and_cipher_matrix(world: World, intake: JournalIntake, digest: str, micalg: str,
                                        cipher: str) -> None:
    server = await start_server(world, intake)
    try:
        ctype, body, entity = build_message(world.tmp / "mx", PAYLOAD, signer=world.partner_new,
                                            recipient=world.ours, digest=digest, cipher=cipher)
        reply = await post(world, body, as2_headers("BIGBOX-AS2", "ACMEDIST", "<mx@bigbox>", ctype, micalg=micalg))
        fields = mdn_fields(verify_mdn(world.tmp, reply.headers["content-type"], reply.body, world.ours))
        assert fields["disposition"].endswith("; processed")
        mic = base64.b64encode(hashlib.new(digest, entity.read_bytes()).digest()).decode()
        assert fields["received-content-mic"] == f"{mic}, {micalg}"        # the partner's own spelling
        assert len(intake.messages()) == 1
    finally:
        await server.close()


async def test_pss_signature_oaep_encryption_and_compressed_payload(world: World,
                                                                    intake: JournalIntake) -> None:
    """RSASSA-PSS + RSAES-OAEP from openssl, around compressed-data built with asn1crypto (base64 part)."""
    server = await start_server(world, intake)
    try:
        ctype, body, entity = build_message(
            world.tmp / "pss", PAYLOAD, signer=world.partner, recipient=world.ours, compress=True,
            sign_opts=("-keyopt", "rsa_padding_mode:pss"), encrypt_opts=("-keyopt", "rsa_padding_mode:oaep"))
        reply = await post(world, body, as2_headers("BIGBOX-AS2", "ACMEDIST", "<pss@bigbox>", ctype))
        fields = mdn_fields(verify_mdn(world.tmp, reply.headers["content-type"], reply.body, world.ours))
        assert fields["disposition"].endswith("; processed"), fields
        mic = base64.b64encode(hashlib.sha256(entity.read_bytes()).digest()).decode()
        assert fields["received-content-mic"] == f"{mic}, sha-256"
        (msg,) = intake.messages()
        assert intake.stored(msg) == PAYLOAD and msg.meta["layers"] == ["encrypted", "signed", "compressed"]
    finally:
        await server.close()


async def test_duplicate_message_id_gets_duplicate_mdn_and_is_not_processed_again(world: World,
                                                                                  intake: JournalIntake) -> None:
    server = await start_server(world, intake)
    try:
        ctype, body, _ = build_message(world.tmp / "d", PAYLOAD, signer=world.partner, recipient=world.ours)
        headers = as2_headers("BIGBOX-AS2", "ACMEDIST", "<dup@bigbox>", ctype)
        first = await post(world, body, headers)
        second = await post(world, body, headers)
        assert mdn_fields(verify_mdn(world.tmp, first.headers["content-type"], first.body, world.ours))[
            "disposition"].endswith("; processed")
        fields = mdn_fields(verify_mdn(world.tmp, second.headers["content-type"], second.body, world.ours))
        assert fields["disposition"].endswith("processed/warning: duplicate-document")
        assert len(intake.messages()) == 1
    finally:
        await server.close()


@pytest.mark.parametrize("case", ["wrong_key", "unsigned", "tampered", "unencrypted"])
async def test_refusals_store_nothing(world: World, intake: JournalIntake, case: str) -> None:
    server = await start_server(world, intake)
    try:
        signer = {"wrong_key": world.stranger, "unsigned": None}.get(case, world.partner)
        recipient = None if case == "unencrypted" else world.ours
        ctype, body, _ = build_message(world.tmp / case, PAYLOAD, signer=signer, recipient=recipient,
                                       tamper=case == "tampered")
        reply = await post(world, body, as2_headers("BIGBOX-AS2", "ACMEDIST", f"<{case}@bigbox>", ctype))
        assert reply.status == 200
        fields = mdn_fields(verify_mdn(world.tmp, reply.headers["content-type"], reply.body, world.ours))
        expected = {"wrong_key": "processed/error: authentication-failed",
                    "tampered": "processed/error: authentication-failed",
                    "unsigned": "processed/error: insufficient-message-security",
                    "unencrypted": "processed/error: insufficient-message-security"}[case]
        assert fields["disposition"].endswith(expected)
        report = verify_mdn(world.tmp, reply.headers["content-type"], reply.body, world.ours).decode()
        if case == "tampered":
            assert "MIC mismatch" in report
        if case == "wrong_key":
            assert "does not verify with any configured partner certificate" in report
        assert intake.messages() == []
        assert list(intake.archive) == []
    finally:
        await server.close()


async def test_garbage_body_gets_error_mdn_and_storage_failure_gets_503(world: World,
                                                                        intake: JournalIntake) -> None:
    from gateway.errors import JournalError
    server = await start_server(world, intake)
    try:
        junk = world.tmp / "junk"
        junk.write_bytes(b"\x30\x80\x06\x09not really asn1" * 10)
        ctype = "application/pkcs7-mime; smime-type=enveloped-data"
        reply = await post(world, junk, as2_headers("BIGBOX-AS2", "ACMEDIST", "<junk@x>", ctype,
                                                    async_url="http://127.0.0.1:9/elsewhere"))
        assert reply.status == 200                      # answered here, not POSTed to the sender's URL
        fields = mdn_fields(verify_mdn(world.tmp, reply.headers["content-type"], reply.body, world.ours))
        assert fields["disposition"].endswith("processed/error: decryption-failed")
        ctype, body, _ = build_message(world.tmp / "ok", PAYLOAD, signer=world.partner, recipient=world.ours)
        intake.fail = JournalError("archive not writable")
        reply = await post(world, body, as2_headers("BIGBOX-AS2", "ACMEDIST", "<full@x>", ctype))
        assert reply.status == 503 and b"send it again" in reply.body
        assert intake.messages() == []
        reply = await post(world, body, as2_headers("BIGBOX-AS2", "ACMEDIST", "<full@x>", ctype))
        assert reply.status == 200 and len(intake.messages()) == 1   # the resend is taken, once
    finally:
        await server.close()


async def test_unknown_partner_and_wrong_recipient_are_refused_before_reading(world: World,
                                                                              intake: JournalIntake) -> None:
    server = await start_server(world, intake)
    try:
        ctype, body, _ = build_message(world.tmp / "u", PAYLOAD, signer=world.partner, recipient=world.ours)
        reply = await post(world, body, as2_headers("NOBODY", "ACMEDIST", "<u@x>", ctype))
        assert reply.status == 403 and b"'NOBODY' is not a configured partner" in reply.body
        reply = await post(world, body, as2_headers("BIGBOX-AS2", "SOMEONE", "<u@x>", ctype))
        assert reply.status == 403 and b"is not our AS2 id" in reply.body
        assert intake.messages() == []
    finally:
        await server.close()


async def test_oversized_body_is_refused(world: World, intake: JournalIntake) -> None:
    server = await start_server(world, intake, max_body=4096)
    try:
        ctype, body, _ = build_message(world.tmp / "big", PAYLOAD * 100, signer=world.partner,
                                       recipient=world.ours)
        reply = await post(world, body, as2_headers("BIGBOX-AS2", "ACMEDIST", "<big@x>", ctype))
        assert reply.status == 413
        assert intake.messages() == []
    finally:
        await server.close()


async def test_unsigned_unencrypted_allowed_by_profile_with_unsigned_mdn(world: World,
                                                                         intake: JournalIntake) -> None:
    server = await start_server(world, intake, require_signed=False, require_encrypted=False)
    try:
        ctype, body, _ = build_message(world.tmp / "plain", PAYLOAD, signer=None, recipient=None)
        reply = await post(world, body, as2_headers("BIGBOX-AS2", "ACMEDIST", "<plain@x>", ctype,
                                                    signed_mdn=False))
        assert reply.status == 200
        got = mdn.read(reply.headers["content-type"], reply.body, [], require_signed=False)
        assert got.disposition.ok and not got.signed
        assert intake.stored(intake.messages()[0]) == PAYLOAD
    finally:
        await server.close()


async def test_corrupt_compressed_layer_gets_decompression_failed_and_stores_nothing(
        world: World, intake: JournalIntake) -> None:
    server = await start_server(world, intake, require_signed=False, require_encrypted=False)
    try:
        inner = b"Content-Type: application/edi-x12\r\n\r\n" + PAYLOAD
        der = bytearray(base64.b64decode(compressed_entity(inner).partition(b"\r\n\r\n")[2]))
        at = der.index(zlib.compress(inner))
        der[at:at + 2] = b"\x00\x00"                          # no zlib header: the inflate fails
        body = world.tmp / "corrupt.p7z"
        body.write_bytes(bytes(der))
        reply = await post(world, body, as2_headers("BIGBOX-AS2", "ACMEDIST", "<zip@x>",
                                                    "application/pkcs7-mime; smime-type=compressed-data",
                                                    signed_mdn=False))
        assert reply.status == 200
        got = mdn.read(reply.headers["content-type"], reply.body, [], require_signed=False)
        assert str(got.disposition) == "processed/error: decompression-failed"
        assert intake.messages() == []
    finally:
        await server.close()


async def test_async_mdn_is_posted_to_receipt_delivery_option(world: World, intake: JournalIntake) -> None:
    received: list[tuple[dict[str, str], bytes]] = []
    got_one = asyncio.Event()

    async def sink(request: web.Request) -> web.Response:
        received.append((dict(request.headers), await request.read()))
        got_one.set()
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/mdn", sink)
    runner, port = await serve(app)
    server = await start_server(world, intake)
    try:
        ctype, body, _ = build_message(world.tmp / "a", PAYLOAD, signer=world.partner, recipient=world.ours)
        reply = await post(world, body, as2_headers("BIGBOX-AS2", "ACMEDIST", "<async@bigbox>", ctype,
                                                    async_url=f"http://127.0.0.1:{port}/mdn"))
        assert reply.status == 200 and b"asynchronously" in reply.body
        await asyncio.wait_for(got_one.wait(), 20)
        headers, mdn_body = received[0]
        fields = mdn_fields(verify_mdn(world.tmp, headers["Content-Type"], mdn_body, world.ours))
        assert fields["original-message-id"] == "<async@bigbox>"
        assert fields["disposition"].endswith("; processed")
        assert len(intake.messages()) == 1
    finally:
        await server.close()
        await runner.cleanup()


async def mdn_sink() -> tuple[list[bytes], web.AppRunner, int]:
    """A partner's async MDN endpoint (POST /mdn) on loopback: the bodies it got, its runner and port."""
    received: list[bytes] = []

    async def sink(request: web.Request) -> web.Response:
        received.append(await request.read())
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/mdn", sink)
    runner, port = await serve(app)
    return received, runner, port


@pytest.mark.parametrize("host", ["127.0.0.1", "[::1]", "[::ffff:127.0.0.1]", "127.0.0.2"])
async def test_an_async_mdn_url_naming_a_loopback_address_is_refused_and_the_message_still_taken(
        world: World, intake: JournalIntake, host: str) -> None:
    """A partner's Receipt-Delivery-Option pointing into the gateway's host (or network) is not POSTed to unless
    its channel's async_mdn_allow lists it: the message is taken and flagged, the MDN is kept unsent (for `edi-gateway
    mdn resend`), the log says why."""
    received, runner, port = await mdn_sink()
    server = await start_server(world, intake, mdn_allow=())
    try:
        ctype, body, _ = build_message(world.tmp / "a", PAYLOAD, signer=world.partner, recipient=world.ours)
        reply = await post(world, body, as2_headers("BIGBOX-AS2", "ACMEDIST", "<ssrf@bigbox>", ctype,
                                                    async_url=f"http://{host}:{port}/mdn"))
        assert reply.status == 200 and b"the asynchronous MDN is not sent" in reply.body
        (got,) = intake.messages()
        assert intake.stored(got) == PAYLOAD
        assert got.meta["async_mdn"]["state"] == "refused"
        assert "loopback address, which the partner's async_mdn_allow does not list" in got.meta["async_mdn"]["reason"]
        ((owed,),) = [server.ledger.owed_mdns()]
        assert (owed.state, owed.journal_id, owed.message_id) == ("refused", got.id, "<ssrf@bigbox>")
        await asyncio.sleep(0.3)
        assert received == []
    finally:
        await server.close()
        await runner.cleanup()


@pytest.mark.parametrize("allow", [(), ("http://localhost:{port}/",)], ids=["refused", "url-prefix-allowed"])
async def test_a_name_is_checked_on_the_addresses_it_resolves_to_when_the_mdn_is_sent(
        world: World, intake: JournalIntake, allow: tuple[str, ...], caplog: pytest.LogCaptureFixture) -> None:
    """`localhost` passes the look at the URL (a name) and is refused as it is connected to (127.0.0.1/::1): what
    a name resolves to is checked at send time, where a rebinding name would show its real address. Listed as a
    URL prefix, the same URL is used."""
    received, runner, port = await mdn_sink()
    server = await start_server(world, intake, mdn_allow=tuple(a.format(port=port) for a in allow))
    caplog.set_level(logging.INFO, "gateway.transports.as2")
    try:
        ctype, body, _ = build_message(world.tmp / "n", PAYLOAD, signer=world.partner, recipient=world.ours)
        reply = await post(world, body, as2_headers("BIGBOX-AS2", "ACMEDIST", "<name@bigbox>", ctype,
                                                    async_url=f"http://localhost:{port}/mdn"))
        assert reply.status == 200 and b"asynchronously" in reply.body
        rows = await wait_for_async(lambda: server.ledger._db.execute(
            "SELECT done, attempts, last_error FROM mdn_out WHERE done != 0").fetchall(), message="the MDN settled")
        if allow:
            assert rows == [(1, 0, None)] and len(received) == 1 and b"<name@bigbox>" in received[0]
            (got,) = intake.messages()     # the log names what a coordinator looks up, not the queue's row number
            assert (f"async MDN for <name@bigbox> (message {got.id}, partner bigbox) sent to "
                    f"http://localhost:{port}/mdn") in caplog.text
        else:
            ((done, attempts, error),) = rows
            assert (done, attempts) == (3, 0) and received == []
            assert error.startswith("localhost: ") and "is a loopback address" in error
        assert len(intake.messages()) == 1
    finally:
        await server.close()
        await runner.cleanup()


async def test_an_mdn_refused_when_sent_is_noted_on_its_message_and_goes_out_once_queued_again(
        world: World, intake: JournalIntake) -> None:
    """Refused as it is POSTed (a name resolving to loopback): the inbound message says so, not only the log. The
    partner's URL then listed (as a SIGHUP reload does) and the MDN queued again (`edi-gateway mdn resend`): it is
    sent, and the message says that too."""
    received, runner, port = await mdn_sink()
    server = await start_server(world, intake, mdn_allow=())
    try:
        ctype, body, _ = build_message(world.tmp / "n", PAYLOAD, signer=world.partner, recipient=world.ours)
        reply = await post(world, body, as2_headers("BIGBOX-AS2", "ACMEDIST", "<late@bigbox>", ctype,
                                                    async_url=f"http://localhost:{port}/mdn"))
        assert reply.status == 200
        (got,) = intake.messages()
        note = await wait_for_async(lambda: intake.journal.get(got.id).meta.get("async_mdn"), message="noted")
        assert note["state"] == "refused" and "is a loopback address" in note["reason"]
        assert note["url"] == f"http://localhost:{port}/mdn"
        (owed,) = server.ledger.owed_mdns(key="late@bigbox")
        assert (owed.state, owed.journal_id) == ("refused", got.id)
        assert server.ledger.owed_mdns(key=got.id) == [owed]
        server.partners = partner_table({"bigbox": PartnerConfig(id="bigbox", inbound=[
            server.partners["BIGBOX-AS2"].channel.model_copy(update={"async_mdn_allow": [f"http://localhost:{port}/"]})
        ])})
        server.ledger.requeue_mdn(owed.id)
        await wait_for_async(lambda: received, message="the MDN sent once queued again")
        assert len(received) == 1 and b"<late@bigbox>" in received[0]
        note = await wait_for_async(lambda: intake.journal.get(got.id).meta["async_mdn"]["state"] == "sent"
                                    and intake.journal.get(got.id).meta["async_mdn"], message="noted as sent")
        assert "reason" not in note
    finally:
        await server.close()
        await runner.cleanup()


async def test_an_mdn_queued_again_while_its_post_hangs_keeps_the_new_url_when_that_post_fails(
        world: World, intake: JournalIntake) -> None:
    """`edi-gateway mdn resend ID --url NEW` (another process, its own connection to the ledger) while the daemon's
    POST to the partner's old, dead MDN address hangs: the old POST's failure, when it comes, does not put the MDN
    off by the backoff (an hour here) nor give it up; it goes to the new address within seconds, once."""
    arrived, release = asyncio.Event(), asyncio.Event()

    async def dead_end(request: web.Request) -> web.Response:
        arrived.set()
        await release.wait()
        return web.Response(status=500, text="gateway gone")

    old = web.Application()
    old.router.add_post("/mdn", dead_end)
    old_runner, old_port = await serve(old)
    received, runner, port = await mdn_sink()
    server = await start_server(world, intake, min_backoff=3600.0)
    try:
        ctype, body, _ = build_message(world.tmp / "r", PAYLOAD, signer=world.partner, recipient=world.ours)
        reply = await post(world, body, as2_headers("BIGBOX-AS2", "ACMEDIST", "<race@bigbox>", ctype,
                                                    async_url=f"http://127.0.0.1:{old_port}/mdn"))
        assert reply.status == 200 and b"asynchronously" in reply.body
        await asyncio.wait_for(arrived.wait(), 30)
        command = Ledger(world.tmp / "state" / "as2.sqlite3")
        try:
            (owed,) = command.owed_mdns(key="race@bigbox")
            command.requeue_mdn(owed.id, f"http://127.0.0.1:{port}/mdn")
        finally:
            command.close()
        release.set()
        await wait_for_async(lambda: received, timeout=15, message="the MDN sent to its new address")
        assert len(received) == 1 and b"<race@bigbox>" in received[0]
        assert [(r.state, r.url) for r in server.ledger.owed_mdns(key="race@bigbox")] == [
            ("sent", f"http://127.0.0.1:{port}/mdn")]
    finally:
        await server.close()
        await runner.cleanup()
        await old_runner.cleanup()


async def test_https_with_configured_certificate(world: World, intake: JournalIntake) -> None:
    server = await start_server(world, intake, tls=True)
    try:
        ctype, body, _ = build_message(world.tmp / "tls", PAYLOAD, signer=world.partner, recipient=world.ours)
        reply = await post(world, body, as2_headers("BIGBOX-AS2", "ACMEDIST", "<tls@bigbox>", ctype),
                           cacert=world.ours.cert_path)
        assert reply.status == 200
        fields = mdn_fields(verify_mdn(world.tmp, reply.headers["content-type"], reply.body, world.ours))
        assert fields["disposition"].endswith("; processed")
    finally:
        await server.close()


async def test_async_mdn_is_retried_until_the_partner_endpoint_answers(world: World,
                                                                       intake: JournalIntake) -> None:
    port = free_port()
    got: list[bytes] = []

    async def sink(request: web.Request) -> web.Response:
        got.append(await request.read())
        return web.Response(text="ok")

    server = await start_server(world, intake, min_backoff=0.05)
    runner = None
    try:
        ctype, body, _ = build_message(world.tmp / "r", PAYLOAD, signer=world.partner, recipient=world.ours)
        reply = await post(world, body, as2_headers("BIGBOX-AS2", "ACMEDIST", "<retry@bigbox>", ctype,
                                                    async_url=f"http://127.0.0.1:{port}/mdn"))
        assert reply.status == 200
        # the first attempts find nobody listening
        rows = await wait_for_async(lambda: [r for r in server.ledger._db.execute(
            "SELECT attempts, last_error FROM mdn_out").fetchall() if r[0] >= 2], message="two failed MDN posts")
        assert rows[0][1]
        app = web.Application()
        app.router.add_post("/mdn", sink)
        runner, _ = await serve(app, port)
        await wait_for_async(lambda: got, message="the MDN delivered once the partner listens")
        assert len(got) == 1 and b"<retry@bigbox>" in got[0]
        assert len(intake.messages()) == 1
    finally:
        await server.close()
        if runner is not None:
            await runner.cleanup()


async def test_an_async_mdn_answered_503_with_retry_after_waits_that_long(world: World,
                                                                          intake: JournalIntake) -> None:
    """The partner's MDN endpoint is busy and says when to come back: that wait, not our 0.05 s backoff
    (capped at outbox.max_backoff, 0.2 s here, in the second case)."""
    answers: list[str] = []

    async def busy(request: web.Request) -> web.Response:
        await request.read()
        answers.append("503")
        return web.Response(status=503, text="busy", headers={"Retry-After": "120"})

    app = web.Application()
    app.router.add_post("/mdn", busy)
    runner, port = await serve(app)
    try:
        for max_backoff, waits in ((300.0, 120.0), (0.2, 0.2)):
            server = await start_server(world, intake, min_backoff=0.05, max_backoff=max_backoff)
            try:
                ctype, body, _ = build_message(world.tmp / "b", PAYLOAD, signer=world.partner, recipient=world.ours)
                reply = await post(world, body, as2_headers("BIGBOX-AS2", "ACMEDIST", f"<busy{waits}@bigbox>",
                                                            ctype, async_url=f"http://127.0.0.1:{port}/mdn"))
                assert reply.status == 200
                ((attempts, error, next_at),) = await wait_for_async(lambda db=server.ledger._db: db.execute(
                    "SELECT attempts, last_error, next_at FROM mdn_out WHERE attempts > 0 AND "
                    "id = (SELECT MAX(id) FROM mdn_out)").fetchall(), message="the busy answer recorded")
                assert attempts >= 1 and error == "HTTP 503"
                if waits > 1:
                    assert attempts == 1 and waits - 10 < next_at - time.time() <= waits
                else:
                    await wait_for_async(lambda: len(answers) >= 4, message="retried within max_backoff")
            finally:
                await server.close()
    finally:
        await runner.cleanup()


async def test_file_name_from_content_disposition_is_reduced_to_a_safe_base_name(world: World,
                                                                                 intake: JournalIntake) -> None:
    server = await start_server(world, intake)
    try:
        ctype, body, _ = build_message(world.tmp / "fn", PAYLOAD, signer=world.partner, recipient=world.ours,
                                       filename="../../etc/po 850.edi")
        reply = await post(world, body, as2_headers("BIGBOX-AS2", "ACMEDIST", "<fn@bigbox>", ctype))
        assert reply.status == 200
        assert intake.messages()[0].filename == "po_850.edi"
    finally:
        await server.close()


# --------------------------------------------------------------------------- opaque signatures (signed-data)

def _opaque(tmp: Path, signer: Cert, recipient: Cert, tamper: bool = False,
            stream: bool = False) -> tuple[Path, Path]:
    """openssl's opaque signature (-nodetach: the entity inside the SignedData), optionally with one payload
    byte changed inside it, as a binary pkcs7-mime entity, encrypted for `recipient`: (body, signed entity)."""
    tmp.mkdir(parents=True, exist_ok=True)
    entity = tmp / "entity"
    entity.write_bytes(b'Content-Type: application/edi-x12\r\nContent-Disposition: attachment; filename="po.edi"'
                       b"\r\n\r\n" + PAYLOAD)
    der = tmp / "signed.der"
    r = openssl("cms", "-sign", "-nodetach", "-binary", "-md", "sha256", "-in", entity, "-signer",
                signer.cert_path, "-inkey", signer.key_path, *(("-stream",) if stream else ()), "-outform", "DER",
                "-out", der)
    assert r.returncode == 0, r.stderr
    data = der.read_bytes()
    if tamper:
        at = data.index(PAYLOAD[:8])
        data = data[:at] + PAYLOAD[:8].swapcase() + data[at + 8:]
    wrapped = tmp / "signed.mime"
    wrapped.write_bytes(b"Content-Type: application/pkcs7-mime; smime-type=signed-data; name=smime.p7m\r\n"
                        b"Content-Transfer-Encoding: binary\r\n\r\n" + data)
    body = tmp / "body"
    r = openssl("cms", "-encrypt", "-binary", "-aes256", "-in", wrapped, "-outform", "DER", "-out", body,
                "-recip", recipient.cert_path)
    assert r.returncode == 0, r.stderr
    return body, entity


ENVELOPED = "application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m"


@pytest.mark.parametrize("stream", [False, True], ids=["der", "ber-indefinite"])
async def test_an_opaque_signature_is_verified_and_the_entity_inside_is_kept(world: World, intake: JournalIntake,
                                                                            stream: bool) -> None:
    server = await start_server(world, intake)
    try:
        body, entity = _opaque(world.tmp / "opaque", world.partner, world.ours, stream=stream)
        if stream:                                   # indefinite lengths inside, as streaming signers write
            assert b"\x24\x80" in (world.tmp / "opaque" / "signed.der").read_bytes()
        reply = await post(world, body, as2_headers("BIGBOX-AS2", "ACMEDIST", "<opaque@bigbox>", ENVELOPED))
        fields = mdn_fields(verify_mdn(world.tmp, reply.headers["content-type"], reply.body, world.ours))
        assert fields["disposition"].endswith("; processed"), fields
        mic = base64.b64encode(hashlib.sha256(entity.read_bytes()).digest()).decode()
        assert fields["received-content-mic"] == f"{mic}, sha-256"       # over the signed entity, as RFC 4130
        (msg,) = intake.messages()
        assert intake.stored(msg) == PAYLOAD and msg.meta["layers"] == ["encrypted", "signed"]
        assert msg.filename == "po.edi"
    finally:
        await server.close()


@pytest.mark.parametrize("case", ["tampered", "wrong_key"])
async def test_an_opaque_signature_that_does_not_verify_is_refused(world: World, intake: JournalIntake,
                                                                   case: str) -> None:
    server = await start_server(world, intake)
    try:
        signer = world.stranger if case == "wrong_key" else world.partner
        body, _ = _opaque(world.tmp / case, signer, world.ours, tamper=case == "tampered")
        reply = await post(world, body, as2_headers("BIGBOX-AS2", "ACMEDIST", f"<op-{case}@bigbox>", ENVELOPED))
        report = verify_mdn(world.tmp, reply.headers["content-type"], reply.body, world.ours).decode()
        assert mdn_fields(report.encode())["disposition"].endswith("processed/error: authentication-failed")
        assert ("MIC mismatch" if case == "tampered" else "does not verify with any configured partner") in report
        assert intake.messages() == [] and list(intake.archive) == []
    finally:
        await server.close()


async def test_a_partner_that_knows_us_by_another_as2_id(world: World, intake: JournalIntake) -> None:
    # BigBox's AS2 setup names us ACME-FOR-BIGBOX: that is the AS2-To it sends and the AS2-From of our MDN;
    # our main id is then refused from BigBox (it would be a misrouted message) and a stranger id from anyone
    server = await start_server(world, intake, our_as2_id="ACME-FOR-BIGBOX")
    try:
        ctype, body, _ = build_message(world.tmp / "local", PAYLOAD, signer=world.partner, recipient=world.ours)
        reply = await post(world, body, as2_headers("BIGBOX-AS2", "ACME-FOR-BIGBOX", "<local@bigbox>", ctype))
        assert reply.status == 200 and reply.headers["as2-from"] == "ACME-FOR-BIGBOX"
        fields = mdn_fields(verify_mdn(world.tmp, reply.headers["content-type"], reply.body, world.ours))
        assert fields["disposition"].endswith("; processed") and fields["final-recipient"] == "rfc822; ACME-FOR-BIGBOX"
        (msg,) = intake.messages()
        assert msg.meta["as2_to"] == "ACME-FOR-BIGBOX"
        reply = await post(world, body, as2_headers("BIGBOX-AS2", "ACMEDIST", "<main@bigbox>", ctype))
        assert reply.status == 403 and b"is not the AS2 id partner 'BIGBOX-AS2' knows us by" in reply.body
        reply = await post(world, body, as2_headers("BIGBOX-AS2", "SOMEONE", "<other@bigbox>", ctype))
        assert reply.status == 403 and b"is not our AS2 id" in reply.body
        assert len(intake.messages()) == 1
    finally:
        await server.close()


async def test_a_message_encrypted_to_our_previous_certificate_opens_during_our_rollover(
        world: World, intake: JournalIntake, caplog: pytest.LogCaptureFixture) -> None:
    """We moved to a new certificate; BigBox still encrypts to the old one. With the old key pair in
    previous_keys the message is opened, the MDN is signed with the new key, and the journal and the
    log say BigBox has not switched. Without it: decryption-failed, nothing stored."""
    old = make_cert(world.tmp / "certs", "acme-2025")
    ctype, body, _ = build_message(world.tmp / "old", PAYLOAD, signer=world.partner, recipient=old)
    server = await start_server(world, intake)
    try:
        reply = await post(world, body, as2_headers("BIGBOX-AS2", "ACMEDIST", "<old1@bigbox>", ctype))
        fields = mdn_fields(verify_mdn(world.tmp, reply.headers["content-type"], reply.body, world.ours))
        assert fields["disposition"].endswith("processed/error: decryption-failed")
        assert intake.messages() == []
    finally:
        await server.close()
    server = await start_server(world, intake, previous=[old])
    try:
        with caplog.at_level("WARNING"):
            reply = await post(world, body, as2_headers("BIGBOX-AS2", "ACMEDIST", "<old2@bigbox>", ctype))
        fields = mdn_fields(verify_mdn(world.tmp, reply.headers["content-type"], reply.body, world.ours))
        assert fields["disposition"].endswith("; processed")
        (msg,) = intake.messages()
        assert intake.stored(msg) == PAYLOAD
        serial = format(old.identity.cert.serial_number, "X")
        assert msg.meta["encrypted_to_previous_certificate"] == serial
        assert any("encrypted to our previous certificate" in r.getMessage() and serial in r.getMessage()
                   and "bigbox" in r.getMessage() for r in caplog.records)
        # the current certificate still works, and is not reported
        ctype, body, _ = build_message(world.tmp / "new", PAYLOAD, signer=world.partner, recipient=world.ours)
        reply = await post(world, body, as2_headers("BIGBOX-AS2", "ACMEDIST", "<new1@bigbox>", ctype))
        assert reply.status == 200 and len(intake.messages()) == 2
        (fresh,) = [m for m in intake.messages() if m.meta["as2_message_id"] == "<new1@bigbox>"]
        assert "encrypted_to_previous_certificate" not in fresh.meta
        # encrypted to both of our certificates (openssl orders the recipient infos): the current key opens it
        ctype, body, _ = build_message(world.tmp / "both", PAYLOAD + b"\n", signer=world.partner, recipient=old,
                                       encrypt_opts=("-recip", str(world.ours.cert_path)))
        reply = await post(world, body, as2_headers("BIGBOX-AS2", "ACMEDIST", "<both@bigbox>", ctype))
        assert reply.status == 200
        (both,) = [m for m in intake.messages() if m.meta["as2_message_id"] == "<both@bigbox>"]
        assert "encrypted_to_previous_certificate" not in both.meta
    finally:
        await server.close()


async def test_a_partner_url_that_hangs_does_not_hold_back_other_partners_mdns(world: World,
                                                                                intake: JournalIntake) -> None:
    """Async MDNs go to the URL each sender names. One that accepts the POST and never answers held every
    later MDN back until it timed out (a probe measured 182 s); destinations are now posted side by side."""
    hung, release = asyncio.Event(), asyncio.Event()
    got: list[bytes] = []

    async def hang(request: web.Request) -> web.Response:
        hung.set()
        await release.wait()
        return web.Response(text="late")

    async def sink(request: web.Request) -> web.Response:
        got.append(await request.read())
        return web.Response(text="ok")

    slow_app, fast_app = web.Application(), web.Application()
    slow_app.router.add_post("/mdn", hang)
    fast_app.router.add_post("/mdn", sink)
    (slow, slow_port), (fast, fast_port) = await serve(slow_app), await serve(fast_app)
    server = await start_server(world, intake)
    try:
        for name, port in (("hung", slow_port), ("fast", fast_port)):
            ctype, body, _ = build_message(world.tmp / name, PAYLOAD + name.encode(), signer=world.partner,
                                           recipient=world.ours)
            reply = await post(world, body, as2_headers("BIGBOX-AS2", "ACMEDIST", f"<{name}@bigbox>", ctype,
                                                        async_url=f"http://127.0.0.1:{port}/mdn"))
            assert reply.status == 200
            if name == "hung":
                await asyncio.wait_for(hung.wait(), 20)        # the first MDN's POST is stuck there
        await wait_for_async(lambda: got, message="the other partner's MDN, while the first still hangs")
        assert not release.is_set() and b"<fast@bigbox>" in got[0]
    finally:
        release.set()
        await server.close()
        await slow.cleanup()
        await fast.cleanup()


async def test_a_full_work_disk_answers_503_and_stores_nothing(world: World, intake: JournalIntake) -> None:
    """The body is written to the work folder as it arrives: when that disk is full the sender gets a 503
    (send it again later), no MDN, nothing stored, and the server goes on (it was a 500 and a traceback)."""
    with small_disk(world.tmp / "state" / "as2-work", "64k"):
        server = await start_server(world, intake, min_free_mb=0)     # (the write fails, not min_free_mb's check)
        try:
            ctype, body, _ = build_message(world.tmp / "big", PAYLOAD * 2000, signer=world.partner,
                                           recipient=world.ours, compress=False)
            reply = await post(world, body, as2_headers("BIGBOX-AS2", "ACMEDIST", "<full@bigbox>", ctype))
            assert reply.status == 503 and b"send it again later" in reply.body
            assert intake.messages() == []
            ctype, body, _ = build_message(world.tmp / "small", PAYLOAD, signer=world.partner, recipient=world.ours)
            reply = await post(world, body, as2_headers("BIGBOX-AS2", "ACMEDIST", "<small@bigbox>", ctype))
            assert reply.status == 200 and len(intake.messages()) == 1         # still serving
        finally:
            await server.close()


def test_async_mdn_allow_entries_are_checked_when_the_partner_is_read() -> None:
    """An entry is an address, a network or an http(s) URL prefix; a prefix without a path ends at its host."""
    ch = As2Channel(channel="as2", as2_id="X", async_mdn_allow=["10.20.0.0/16", "::1", "HTTPS://As2.Partner.Example"])
    assert ch.async_mdn_allow == ["10.20.0.0/16", "::1/128", "https://as2.partner.example/"]
    policy = Destinations.of(ch.async_mdn_allow)
    assert policy.check_url("https://as2.partner.example/mdn") is None
    assert policy.check_url("http://[::1]:4080/mdn") is None
    assert policy.listed("https://as2.partner.example.evil/mdn") is False
    assert policy.listed("https://as2.partner.example@127.0.0.1/mdn") is False
    assert "only http and https" in (policy.check_url("file:///etc/passwd") or "")
    assert "loopback" in (policy.check_url("http://[::ffff:127.0.0.1]/") or "")
    for bad in ("intranet", "https:///mdn", "10.20.0.0/33"):
        with pytest.raises(ValueError, match="async_mdn_allow"):
            As2Channel(channel="as2", as2_id="X", async_mdn_allow=[bad])


async def test_a_queued_mdn_whose_signature_cannot_be_read_is_sent_as_queued(world: World, intake: JournalIntake,
                                                                           caplog: pytest.LogCaptureFixture) -> None:
    """Before it POSTs an MDN the sender reads who signed it (to sign again one an earlier key pair of ours
    signed): a row it cannot read is sent as it is, with a warning, not left to stop the sender."""
    got, runner, port = await mdn_sink()
    caplog.set_level(logging.INFO, "gateway.transports.as2")
    server = await start_server(world, intake)
    try:
        body = (b"--b\r\nContent-Type: text/plain\r\n\r\nreport\r\n--b\r\nContent-Type: application/pkcs7-signature"
                b"\r\nContent-Transfer-Encoding: base64\r\n\r\nbm90IENNUw==\r\n--b--\r\n")
        server.ledger.queue_mdn("bigbox", f"http://127.0.0.1:{port}/mdn", {
            "Content-Type": 'multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="b"'},
            body, message_id="<odd@bigbox>")
        await wait_for_async(lambda: got, message="the MDN sent as queued")
        assert got == [body]
        assert "async MDN for <odd@bigbox> (message -, partner bigbox): its signature cannot be read" in caplog.text
    finally:
        await server.close()
        await runner.cleanup()
