"""The AS2 server and sender under awkward or hostile traffic, over real sockets on 127.0.0.1.

MDNs that arrive in several TCP writes, bodies full of boundary lines, connections that stall,
more requests than the server takes at once, nested compression.
"""

from __future__ import annotations

import asyncio
import base64
import io
import logging
import os
import quopri
import random
import threading
import tracemalloc
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from gateway.config.models import As2Channel, PartnerConfig
from gateway.transports.as2 import mdn, mime
from tests.helpers.wait import wait_for_async
from tests.transports.as2_peer import as2_headers, build_message, compressed_entity, serve
from tests.transports.certs import make_cert
from tests.transports.conftest import JournalIntake
from tests.transports.test_as2_client import DOC, Peer, outbound_message, partner_for, sender_for
from tests.transports.test_as2_server import PAYLOAD, World, post, start_server
from tests.transports.test_as2_server import world as world  # noqa: PLC0414  (fixture)


async def exchange(port: int, pieces: list[bytes], pause: float = 0.3) -> bytes:
    """Send `pieces` as separate TCP writes `pause` seconds apart, then read the answer to EOF."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for i, piece in enumerate(pieces):
            if i:
                await asyncio.sleep(pause)
            writer.write(piece)
            await writer.drain()
        return await asyncio.wait_for(reader.read(), 30)
    finally:
        writer.close()


def http_post(path: str, headers: dict[str, str], body: bytes) -> bytes:
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {len(body)}\r\nConnection: close\r\n"
            f"{head}\r\n").encode()


def status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


def signed_mdn(world: World) -> tuple[dict[str, str], bytes]:
    """A correctly signed MDN from the partner for one of our messages (about 2.5 KB)."""
    headers, body = mdn.build(original_message_id="<out1@edi-gateway>", our_id="BIGBOX-AS2", partner_id="ACMEDIST",
                              disposition=mdn.Disposition("processed"), mic=("abc=", "sha-256"), text="ok",
                              signer=world.partner.identity)
    return headers, body


@pytest.fixture
async def mdn_server(world: World, intake: JournalIntake) -> AsyncIterator[tuple[int, list[mdn.Mdn]]]:
    """Our AS2 server's port, and the MDNs it hands on as async receipts."""
    server = await start_server(world, intake)
    # this partner's channel waives signed MDNs, so unsigned ones are parsed too
    known = server.partners["BIGBOX-AS2"]
    known.partner = known.partner.model_copy(update={"outbound": As2Channel(
        channel="as2", as2_id="BIGBOX-AS2", mdn_signed=False)})
    got: list[mdn.Mdn] = []

    async def on_mdn(partner: PartnerConfig, m: mdn.Mdn) -> str:
        got.append(m)
        return "settled"
    server.on_mdn = on_mdn
    assert server.port
    try:
        yield server.port, got
    finally:
        await server.close()


# ---------------------------------------------------------------- A2: bodies that come in several TCP writes
async def test_an_async_mdn_sent_in_two_tcp_writes_is_read_whole(world: World,
                                                                  mdn_server: tuple[int, list[mdn.Mdn]]) -> None:
    port, got = mdn_server
    headers, body = signed_mdn(world)
    assert len(body) > 2000
    answer = await exchange(port, [http_post("/as2/mdn", headers, body) + body[:1000], body[1000:]])
    assert status(answer) == 200, answer
    assert [m.original_message_id for m in got] == ["<out1@edi-gateway>"] and got[0].signed


async def test_an_async_mdn_in_two_http_chunks_is_read_whole(world: World,
                                                              mdn_server: tuple[int, list[mdn.Mdn]]) -> None:
    port, got = mdn_server
    headers, body = signed_mdn(world)
    head = http_post("/as2/mdn", headers, body).replace(f"Content-Length: {len(body)}".encode(),
                                                        b"Transfer-Encoding: chunked")
    half = len(body) // 2
    first = f"{half:x}\r\n".encode() + body[:half] + b"\r\n"
    second = f"{len(body) - half:x}\r\n".encode() + body[half:] + b"\r\n0\r\n\r\n"
    answer = await exchange(port, [head + first, second])
    assert status(answer) == 200, answer
    assert len(got) == 1 and got[0].disposition.ok


class SplitPeer(Peer):
    """The openssl AS2 peer, answering its signed synchronous MDN in two writes 0.3 s apart."""

    async def handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        self.requests.append((dict(request.headers), body))
        answer = await asyncio.to_thread(self.answer, dict(request.headers), body)
        assert isinstance(answer.body, bytes) and len(answer.body) > 2000
        resp = web.StreamResponse(headers=answer.headers)
        resp.content_length = len(answer.body)
        await resp.prepare(request)
        await resp.write(answer.body[:1000])
        await asyncio.sleep(0.3)
        await resp.write(answer.body[1000:])
        await resp.write_eof()
        return resp


@pytest.fixture
async def split_peer(tmp_path: Path) -> AsyncIterator[SplitPeer]:
    certs = tmp_path / "certs"
    p = SplitPeer(tmp_path, make_cert(certs, "acme"), make_cert(certs, "bigbox"))
    app = web.Application()
    app.router.add_post("/as2", p.handle)
    runner, port = await serve(app)
    p.url = f"http://127.0.0.1:{port}/as2"
    yield p
    await runner.cleanup()


async def test_a_sync_mdn_answered_in_two_tcp_writes_settles_the_message(tmp_path: Path,
                                                                         split_peer: SplitPeer) -> None:
    result = await sender_for(tmp_path, split_peer.ours).send(outbound_message(), DOC, partner_for(split_peer))
    assert result.detail == "MDN processed"
    assert split_peer.payloads == [DOC]


# ---------------------------------------------------------------- A1: bodies full of boundary lines
BOUNDARY_LINES = b"--b\n" * 10_000
SIGNED_CT = 'multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="b"'


async def test_a_signed_message_of_boundary_lines_is_refused_after_the_parts_it_may_have(
        world: World, intake: JournalIntake) -> None:
    server = await start_server(world, intake)
    try:
        assert server.port
        headers = as2_headers("BIGBOX-AS2", "ACMEDIST", "<lines@bigbox>", SIGNED_CT, signed_mdn=False)
        answer = await exchange(server.port, [http_post("/as2", headers, BOUNDARY_LINES) + BOUNDARY_LINES])
        head, _, body = answer.partition(b"\r\n\r\n")
        ctype = next(ln.split(b":", 1)[1].strip().decode() for ln in head.split(b"\r\n")
                     if ln.lower().startswith(b"content-type:"))
        got = mdn.read(ctype, body, [], require_signed=False)
        assert str(got.disposition) == "processed/error: integrity-check-failed"
        assert "multipart/signed has more than 2 parts" in got.text
        assert intake.messages() == []
    finally:
        await server.close()


@pytest.mark.parametrize("ctype,refusal", [
    (SIGNED_CT, "multipart/signed has more than 2 parts"),
    ('multipart/report; report-type=disposition-notification; boundary="b"', "multipart/report has more than 8 parts"),
])
async def test_an_async_mdn_of_boundary_lines_is_refused_after_the_parts_it_may_have(
        world: World, mdn_server: tuple[int, list[mdn.Mdn]], ctype: str, refusal: str) -> None:
    port, got = mdn_server
    headers = {"AS2-From": "BIGBOX-AS2", "AS2-To": "ACMEDIST", "Content-Type": ctype}
    answer = await exchange(port, [http_post("/as2/mdn", headers, BOUNDARY_LINES) + BOUNDARY_LINES])
    assert status(answer) == 400 and f"not a valid MDN: {refusal}".encode() in answer, answer
    assert got == []


async def test_an_async_mdn_is_read_off_the_event_loop(world: World, mdn_server: tuple[int, list[mdn.Mdn]],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Parsing and verifying an MDN is CPU work: done in a worker thread, AS2 and SFTP keep being served."""
    threads: list[int] = []
    read = mdn.read

    def spy(*args: Any, **kw: Any) -> mdn.Mdn:
        threads.append(threading.get_ident())
        return read(*args, **kw)
    monkeypatch.setattr(mdn, "read", spy)
    port, got = mdn_server
    headers, body = signed_mdn(world)
    answer = await exchange(port, [http_post("/as2/mdn", headers, body) + body])
    assert status(answer) == 200 and len(got) == 1
    assert threads and threading.get_ident() not in threads


# ---------------------------------------------------------------- A3: connections that stall, too many requests
async def read_response(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
    """One HTTP response (status, headers, body by Content-Length), without waiting for the connection to end."""
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:] if ln)}
    body = await asyncio.wait_for(reader.readexactly(int(headers.get("content-length", "0"))), 30)
    return int(lines[0].split()[1]), headers, body


async def open_request(port: int, path: str, headers: dict[str, str], body: bytes,
                       sent: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A request whose body stops after `sent` bytes (the connection stays open)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(http_post(path, headers, body) + body[:sent])
    await writer.drain()
    return reader, writer


@pytest.mark.parametrize("path", ["/as2", "/as2/mdn"])
async def test_a_body_that_stalls_is_dropped_after_the_deadline(world: World, intake: JournalIntake,
                                                                path: str) -> None:
    server = await start_server(world, intake, body_deadline=0.5)
    try:
        assert server.port
        body = b"x" * 5000
        headers = as2_headers("BIGBOX-AS2", "ACMEDIST", "<stall@bigbox>", SIGNED_CT)
        reader, writer = await open_request(server.port, path, headers, body, sent=1000)
        try:
            code, _, text = await read_response(reader)
        finally:
            writer.close()
        assert code == 408 and b"request body not received in time" in text
        assert intake.messages() == []
        await wait_for_async(lambda: not any((world.tmp / "state" / "as2-work").iterdir()),
                             message="the work folder of the dropped request removed")
    finally:
        await server.close()


@pytest.mark.parametrize("path", ["/as2", "/as2/mdn"])
async def test_a_sender_that_hangs_up_mid_body_is_a_warning_not_an_error(world: World, intake: JournalIntake,
                                                                         path: str,
                                                                         caplog: pytest.LogCaptureFixture) -> None:
    server = await start_server(world, intake)
    try:
        assert server.port
        headers = as2_headers("BIGBOX-AS2", "ACMEDIST", "<cut@bigbox>", SIGNED_CT)
        _, writer = await open_request(server.port, path, headers, b"x" * 5000, sent=1000)
        writer.close()
        logged = await wait_for_async(lambda: [(r.levelname, r.getMessage()) for r in caplog.records
                                               if r.levelno >= logging.WARNING], message="a log record")
        assert len(logged) == 1 and logged[0][0] == "WARNING", logged
        assert "from bigbox not received: the connection closed" in logged[0][1]
        assert intake.messages() == [] and not any((world.tmp / "state" / "as2-work").iterdir())
    finally:
        await server.close()


async def test_a_malformed_request_is_logged_in_one_line_without_its_bytes(
        mdn_server: tuple[int, list[mdn.Mdn]], caplog: pytest.LogCaptureFixture) -> None:
    """aiohttp's parser refuses bytes after a `Connection: close` request; the log must not quote them."""
    port, _ = mdn_server
    body = b"ISA*00*CONFIDENTIAL-PRICE-LIST~\r\n" * 20
    request = http_post("/as2/mdn", {"AS2-From": "NOBODY"}, body).replace(
        f"Content-Length: {len(body)}".encode(), b"Content-Length: 10")
    assert status(await exchange(port, [request + body])) == 400
    logged = await wait_for_async(lambda: [r for r in caplog.records if r.levelno >= logging.WARNING],
                                  message="a log record")
    assert [(r.levelname, r.getMessage()) for r in logged] == [
        ("WARNING", "malformed HTTP request from 127.0.0.1 refused (HTTP 400): Data after `Connection: close`")]
    assert not any("CONFIDENTIAL" in (r.getMessage() + str(r.exc_text or "")) for r in caplog.records)


async def test_a_connection_that_never_finishes_its_headers_is_closed(world: World, intake: JournalIntake) -> None:
    server = await start_server(world, intake, idle_timeout=0.5)
    try:
        assert server.port
        idle_reader, idle = await asyncio.open_connection("127.0.0.1", server.port)
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(b"POST /as2 HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        try:
            assert await asyncio.wait_for(reader.read(), 30) == b""          # closed by the server
            assert await asyncio.wait_for(idle_reader.read(), 30) == b""
        finally:
            writer.close()
            idle.close()
    finally:
        await server.close()


async def test_requests_beyond_the_cap_are_told_to_come_back(world: World, mdn_server: tuple[int, list[mdn.Mdn]]
                                                             ) -> None:
    port, got = mdn_server
    assert world.server is not None
    world.server.settings.max_in_flight = 1
    headers, body = signed_mdn(world)
    reader, writer = await open_request(port, "/as2/mdn", headers, body, sent=1000)   # holds the one slot
    try:
        await wait_for_async(lambda: world.server and world.server.in_flight == 1, message="the first request in")
        second_reader, second = await open_request(port, "/as2/mdn", headers, body, sent=len(body))
        code, beyond, text = await read_response(second_reader)
        second.close()
        assert code == 503 and beyond["retry-after"] == "30" and b"try again later" in text
        writer.write(body[1000:])
        code, _, _ = await read_response(reader)
        assert code == 200 and len(got) == 1
    finally:
        writer.close()
    assert status(await exchange(port, [http_post("/as2/mdn", headers, body) + body])) == 200
    assert len(got) == 2


async def test_connections_beyond_the_cap_are_closed_and_the_open_ones_still_served(
        world: World, intake: JournalIntake, caplog: pytest.LogCaptureFixture) -> None:
    """A flood of connections that send nothing must not use up the daemon's file descriptors (the journal and
    the archive need them): beyond as2_server.max_connections a new one is closed at once, logged once."""
    server = await start_server(world, intake, max_connections=3, idle_timeout=120)
    opened: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    try:
        assert server.port
        for _ in range(3):
            opened.append(await asyncio.open_connection("127.0.0.1", server.port))
        await wait_for_async(lambda: server._runner is not None and server._runner.server is not None
                             and len(server._runner.server.connections) == 3, message="three connections open")
        for _ in range(5):
            reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
            assert await asyncio.wait_for(reader.read(), 30) == b""       # closed by the server, unanswered
            writer.close()
        refusals = [r for r in caplog.records if "AS2 connection from 127.0.0.1 refused" in r.getMessage()]
        assert len(refusals) == 1 and "as2_server.max_connections" in refusals[0].getMessage()
        reader, writer = opened[0]                                        # an open one is served
        writer.write(http_post("/as2", {"AS2-From": "NOBODY"}, b""))
        assert status(await asyncio.wait_for(reader.read(), 30)) == 400
        opened.pop(0)
        await wait_for_async(lambda: server._runner is not None and server._runner.server is not None
                             and len(server._runner.server.connections) == 2, message="its connection gone")
        assert status(await exchange(server.port, [http_post("/as2/mdn", {"AS2-From": "NOBODY"}, b"")])) == 403
    finally:
        for _, writer in opened:
            writer.close()
        await server.close()


async def test_connections_still_in_their_tls_handshake_count_against_the_cap(
        world: World, intake: JournalIntake, caplog: pytest.LogCaptureFixture) -> None:
    """Over HTTPS, connections that never send their TLS hello hold sockets as much as idle ones: they count from
    their accept, so one beyond max_connections is closed at once, not after idle_timeout; once one of them
    goes, a partner's real TLS request is served."""
    server = await start_server(world, intake, tls=True, max_connections=3, idle_timeout=120)
    stalled: list[asyncio.StreamWriter] = []
    try:
        assert server.port
        for _ in range(3):
            stalled.append((await asyncio.open_connection("127.0.0.1", server.port))[1])
        await wait_for_async(lambda: server.site and len(server.site.handshakes) == 3, message="3 in handshake")
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        assert await asyncio.wait_for(reader.read(), 30) == b""          # closed at once, not in 120 s
        writer.close()
        refusals = [r for r in caplog.records if "AS2 connection from 127.0.0.1 refused" in r.getMessage()]
        assert len(refusals) == 1 and "3 connections are open" in refusals[0].getMessage()
        stalled.pop().close()                                               # one handshake given up
        await wait_for_async(lambda: server.site and len(server.site.handshakes) == 2, message="its slot freed")
        stalled[-1].write(b"POST /as2 HTTP/1.1\r\nHost: x\r\n\r\n")    # one that speaks HTTP, not TLS
        await wait_for_async(lambda: server.site and len(server.site.handshakes) == 1, message="a failed one freed")
        ctype, body, _ = build_message(world.tmp / "tls", PAYLOAD, signer=world.partner, recipient=world.ours)
        reply = await post(world, body, as2_headers("BIGBOX-AS2", "ACMEDIST", "<tls-cap@bigbox>", ctype),
                           cacert=world.ours.cert_path)
        assert reply.status == 200 and len(intake.messages()) == 1
    finally:
        for writer in stalled:
            writer.close()
        await server.close()


async def test_responses_do_not_name_python_or_aiohttp(mdn_server: tuple[int, list[mdn.Mdn]]) -> None:
    port, _ = mdn_server
    answer = await exchange(port, [http_post("/as2/mdn", {"AS2-From": "NOBODY"}, b"")])
    assert status(answer) == 403
    assert b"\r\nServer: edi-gateway\r\n" in answer and b"aiohttp" not in answer and b"Python" not in answer


# ---------------------------------------------------------------- A5: work done before the sender is known
def compressed_der(entity: bytes) -> bytes:
    """A CMS CompressedData (DER) holding `entity`."""
    return base64.b64decode(compressed_entity(entity).partition(b"\r\n\r\n")[2])


async def test_nested_compression_shares_one_decompression_budget(world: World, intake: JournalIntake) -> None:
    """Three compressed layers, each within max_body, that together inflate past it, are refused;
    the same payload in one layer is taken."""
    server = await start_server(world, intake, require_signed=False, require_encrypted=False, max_body=1 << 20)
    try:
        payload = os.urandom(300_000)                       # incompressible: every layer inflates to about its size
        inner = b"Content-Type: application/octet-stream\r\n\r\n" + payload
        layers = [inner, compressed_entity(inner)]
        layers.append(compressed_entity(layers[-1]))
        assert all(len(x) < 1 << 20 for x in layers) and sum(map(len, layers)) > 1 << 20
        for name, der, expected in [("nested", compressed_der(layers[-1]), "processed/error: decompression-failed"),
                                    ("single", compressed_der(inner), "processed")]:
            body = world.tmp / f"{name}.p7z"
            body.write_bytes(der)
            reply = await post(world, body, as2_headers("BIGBOX-AS2", "ACMEDIST", f"<{name}@x>",
                                                        "application/pkcs7-mime; smime-type=compressed-data",
                                                        signed_mdn=False))
            got = mdn.read(reply.headers["content-type"], reply.body, [], require_signed=False)
            assert str(got.disposition) == expected, (name, got.text)
        (msg,) = intake.messages()
        assert intake.stored(msg) == payload
    finally:
        await server.close()


async def test_a_quoted_printable_body_is_decoded_without_holding_it_in_memory(world: World,
                                                                               intake: JournalIntake) -> None:
    """A 24 MB quoted-printable body, refused as it does not decrypt: Python's peak allocations while it
    is received and decoded stay a few MiB, not the body's size."""
    server = await start_server(world, intake)
    body = world.tmp / "qp.body"
    body.write_bytes(b"=41" * (8 << 20))
    headers = as2_headers("BIGBOX-AS2", "ACMEDIST", "<qp@x>", "application/pkcs7-mime; smime-type=enveloped-data",
                          signed_mdn=False)
    headers["Content-Transfer-Encoding"] = "quoted-printable"
    tracemalloc.start()
    try:
        reply = await post(world, body, headers)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        await server.close()
    got = mdn.read(reply.headers["content-type"], reply.body, [], require_signed=False)
    assert str(got.disposition) == "processed/error: decryption-failed"
    assert peak < 16 << 20, f"peak {peak >> 20} MiB"             # 8 MiB here; 56 MiB when decoded whole


@pytest.mark.parametrize("chunk,line", [(7, 1 << 20), (40, 5), (3, 4)])
def test_quoted_printable_decoded_in_pieces_reads_as_decoded_whole(tmp_path: Path, chunk: int, line: int,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Tiny chunks and line limits, so escapes, soft line breaks and malformed '=' fall on every cut."""
    monkeypatch.setattr(mime, "CHUNK", chunk)
    monkeypatch.setattr(mime, "MAX_QP_LINE", line)
    pieces = [b"=", b"=4", b"1", b"A", b" ", b"\t", b"\r\n", b"\n", b"=\r\n", b"=\n", b"=3D", b"=ZZ", b"=41", b"\r"]
    rng = random.Random(chunk)
    decoded = 0
    for n in range(1500):
        data = b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 60)))
        path = tmp_path / "qp"
        path.write_bytes(b"Content-Transfer-Encoding: quoted-printable\r\n\r\n" + data)
        out = io.BytesIO()
        try:
            written = mime.decode_body(mime.read_entity(path), out)
        except mime.MimeError as exc:                   # only a line longer than MAX_QP_LINE with no safe cut
            assert "quoted-printable line longer than" in str(exc) and line < 1 << 20
            continue
        assert out.getvalue() == quopri.decodestring(data) and written == len(out.getvalue()), data
        decoded += 1
    assert decoded > 1000
