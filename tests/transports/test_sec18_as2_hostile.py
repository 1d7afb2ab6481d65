"""The AS2 port as an attacker on the network sees it: headers that are not UTF-8 or URLs that cannot be read, a
signature by another partner's certificate, a Message-ID used first by someone unauthenticated. Each is refused or
answered without a 500, and what is refused keeps no state (no journal row, no ledger entry, no MDN queued).
Real sockets on 127.0.0.1; the messages are built by openssl."""

from __future__ import annotations

import asyncio
import logging

import pytest

from gateway.config.models import As2Channel, PartnerConfig
from gateway.transports.as2 import mdn
from gateway.transports.as2.server import As2Server, partner_table
from tests.transports.as2_peer import as2_headers, build_message, verify_mdn
from tests.transports.conftest import JournalIntake
from tests.transports.test_as2_limits import read_response
from tests.transports.test_as2_server import PAYLOAD, World, mdn_fields, mdn_sink, post, start_server
from tests.transports.test_as2_server import world as world  # noqa: PLC0414  (fixture)


async def raw_post(port: int, headers: dict[str, bytes], body: bytes) -> tuple[int, dict[str, str], bytes]:
    """POST /as2 with header values sent as these bytes (curl and aiohttp would not send all of them)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = b"".join(k.encode() + b": " + v + b"\r\n" for k, v in headers.items())
    writer.write(b"POST /as2 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: %d\r\n%s\r\n%s" % (len(body), head, body))
    await writer.drain()
    try:
        return await read_response(reader)
    finally:
        writer.close()


def errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_receipt_url_that_is_not_utf8_is_refused_before_anything_is_stored(
        world: World, intake: JournalIntake, caplog: pytest.LogCaptureFixture) -> None:
    """Its bytes came as lone surrogates that the async MDN queue could not store: the message was committed, then a
    500 and a traceback; the partner, without an MDN, sent it again (a duplicate) and never got one."""
    server = await start_server(world, intake)
    try:
        assert server.port
        ctype, body, _ = build_message(world.tmp / "u", PAYLOAD, signer=world.partner, recipient=world.ours)
        headers = {k: v.encode() for k, v in as2_headers("BIGBOX-AS2", "ACMEDIST", "<u@bigbox>", ctype).items()}
        headers["Receipt-Delivery-Option"] = b"http://as2.bigbox.example/mdn/M\xfcller"
        code, _, text = await raw_post(server.port, headers, body.read_bytes())
        assert code == 400 and b"Receipt-Delivery-Option header is not UTF-8 text" in text
        assert intake.messages() == [] and server.ledger.owed_mdns() == [] and errors(caplog) == []
        assert server.ledger.seen("bigbox", "<u@bigbox>", 30) is None
    finally:
        await server.close()


async def test_a_receipt_url_that_cannot_be_read_gets_its_mdn_kept_unsent(
        world: World, intake: JournalIntake, caplog: pytest.LogCaptureFixture) -> None:
    """'http://[::1/mdn' (an unclosed bracket) made the URL check raise: a 500 and a traceback instead of the
    message being taken and its MDN kept unsent, as for any URL the partner's settings refuse."""
    server = await start_server(world, intake)
    try:
        ctype, body, _ = build_message(world.tmp / "b", PAYLOAD, signer=world.partner, recipient=world.ours)
        reply = await post(world, body, as2_headers("BIGBOX-AS2", "ACMEDIST", "<b@bigbox>", ctype,
                                                    async_url="http://[::1/mdn"))
        assert reply.status == 200 and b"the asynchronous MDN is not sent: the URL cannot be read" in reply.body
        (got,) = intake.messages()
        assert got.meta["async_mdn"]["state"] == "refused"
        ((owed,),) = [server.ledger.owed_mdns()]
        assert (owed.state, owed.message_id) == ("refused", "<b@bigbox>")
        assert errors(caplog) == []
    finally:
        await server.close()


def with_second_partner(server: As2Server, world: World) -> None:
    """Northwind, a configured partner too, whose certificate is the 'stranger' one."""
    northwind = PartnerConfig(id="northwind", inbound=[As2Channel(
        channel="as2", as2_id="NORTHWIND-AS2", certificates=[world.stranger.cert_path])])
    server.partners.update(partner_table({"northwind": northwind}))


async def test_a_message_signed_by_another_partners_certificate_is_refused(world: World,
                                                                          intake: JournalIntake) -> None:
    """Northwind (or anyone holding its key) signing as BigBox: only BigBox's certificates verify a message whose
    AS2-From is BigBox's."""
    server = await start_server(world, intake)
    with_second_partner(server, world)
    try:
        ctype, body, _ = build_message(world.tmp / "n", PAYLOAD, signer=world.stranger, recipient=world.ours)
        reply = await post(world, body, as2_headers("BIGBOX-AS2", "ACMEDIST", "<n@bigbox>", ctype))
        assert reply.status == 200
        fields = mdn_fields(verify_mdn(world.tmp, reply.headers["content-type"], reply.body, world.ours))
        assert fields["disposition"].endswith("processed/error: authentication-failed")
        assert intake.messages() == [] and server.ledger.seen("bigbox", "<n@bigbox>", 30) is None
    finally:
        await server.close()


async def test_a_message_id_used_first_by_an_unauthenticated_sender_does_not_shadow_the_partners(
        world: World, intake: JournalIntake) -> None:
    """A stranger who guesses the partner's next Message-ID and sends it unsigned first gets an error MDN; the
    partner's own message under that id is then processed, not answered as a duplicate."""
    server = await start_server(world, intake)
    try:
        ctype, body, _ = build_message(world.tmp / "x", b"forged", signer=None, recipient=world.ours)
        reply = await post(world, body, as2_headers("BIGBOX-AS2", "ACMEDIST", "<next@bigbox>", ctype))
        fields = mdn_fields(verify_mdn(world.tmp, reply.headers["content-type"], reply.body, world.ours))
        assert fields["disposition"].endswith("processed/error: insufficient-message-security")
        ctype, body, _ = build_message(world.tmp / "y", PAYLOAD, signer=world.partner, recipient=world.ours)
        reply = await post(world, body, as2_headers("BIGBOX-AS2", "ACMEDIST", "<next@bigbox>", ctype))
        fields = mdn_fields(verify_mdn(world.tmp, reply.headers["content-type"], reply.body, world.ours))
        assert fields["disposition"].endswith("; processed")
        (got,) = intake.messages()
        assert intake.stored(got) == PAYLOAD
    finally:
        await server.close()


async def test_an_async_mdn_signed_by_another_partners_certificate_settles_nothing(
        world: World, intake: JournalIntake) -> None:
    server = await start_server(world, intake)
    with_second_partner(server, world)
    settled: list[str] = []

    async def on_mdn(partner: PartnerConfig, got: mdn.Mdn) -> str:
        settled.append(got.original_message_id)
        return "settled"
    server.on_mdn = on_mdn
    try:
        assert server.port
        headers, body = mdn.build(original_message_id="<out1@edi-gateway>", our_id="BIGBOX-AS2",
                                  partner_id="ACMEDIST", disposition=mdn.Disposition("processed"), mic=("abc=", "sha-256"),
                                  text="ok", signer=world.stranger.identity)
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        writer.write(f"POST /as2/mdn HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {len(body)}\r\n{head}\r\n".encode()
                     + body)
        try:
            code, _, _ = await read_response(reader)
        finally:
            writer.close()
        assert code == 403 and settled == []
    finally:
        await server.close()


async def test_a_disposition_notification_to_naming_an_inside_url_gets_the_mdn_in_the_response(
        world: World, intake: JournalIntake) -> None:
    """Disposition-Notification-To is a mailbox that only asks for an MDN: one naming an inside URL is never POSTed
    to (only Receipt-Delivery-Option asks for an asynchronous MDN, and that is checked); the MDN comes back in the
    HTTP response."""
    received, runner, port = await mdn_sink()
    server = await start_server(world, intake, mdn_allow=())
    try:
        ctype, body, _ = build_message(world.tmp / "d", PAYLOAD, signer=world.partner, recipient=world.ours)
        headers = as2_headers("BIGBOX-AS2", "ACMEDIST", "<d@bigbox>", ctype)
        headers["Disposition-Notification-To"] = f"http://127.0.0.1:{port}/mdn"
        reply = await post(world, body, headers)
        fields = mdn_fields(verify_mdn(world.tmp, reply.headers["content-type"], reply.body, world.ours))
        assert reply.status == 200 and fields["disposition"].endswith("; processed")
        await asyncio.sleep(0.3)
        assert received == [] and server.ledger.owed_mdns() == []
    finally:
        await server.close()
        await runner.cleanup()


DEEP_BER = b"\x30\x80" * 5000          # a SEQUENCE of indefinite length in one, 5,000 deep (10 KB)


async def test_ber_nested_thousands_deep_gets_an_error_mdn_without_a_traceback(
        world: World, intake: JournalIntake, caplog: pytest.LogCaptureFixture) -> None:
    """Reading it recursed until Python's stack ran out: a RecursionError, logged at ERROR with its traceback for
    every such message anyone sent, and an MDN saying 'internal error'. It is refused as unreadable."""
    server = await start_server(world, intake)
    try:
        assert server.port
        headers = {k: v.encode() for k, v in as2_headers("BIGBOX-AS2", "ACMEDIST", "<deep@bigbox>", "x").items()}
        headers["Content-Type"] = b"application/pkcs7-mime; smime-type=enveloped-data"
        code, response_headers, body = await raw_post(server.port, headers, DEEP_BER)
        assert code == 200
        report = verify_mdn(world.tmp, response_headers["content-type"], body, world.ours).decode()
        assert "processed/error: decryption-failed" in report and "nested more than 64 levels" in report
        assert intake.messages() == [] and errors(caplog) == []
    finally:
        await server.close()


async def test_an_async_mdn_whose_signature_is_nested_thousands_deep_is_refused(
        world: World, intake: JournalIntake, caplog: pytest.LogCaptureFixture) -> None:
    server = await start_server(world, intake)
    try:
        assert server.port
        report_ct, report = 'multipart/report; report-type=disposition-notification; boundary="r"', (
            b"--r\r\nContent-Type: text/plain\r\n\r\nok\r\n--r--\r\n")
        body = (b'--s\r\nContent-Type: ' + report_ct.encode() + b"\r\n\r\n" + report + b"\r\n--s\r\n"
                b"Content-Type: application/pkcs7-signature\r\n\r\n" + DEEP_BER + b"\r\n--s--\r\n")
        head = ("Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256; "
                "boundary=\"s\"\r\nAS2-From: BIGBOX-AS2\r\nAS2-To: ACMEDIST\r\n")
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(f"POST /as2/mdn HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {len(body)}\r\n{head}\r\n"
                     .encode() + body)
        try:
            code, _, text = await read_response(reader)
        finally:
            writer.close()
        assert code in (400, 403), text
        assert errors(caplog) == []
    finally:
        await server.close()
