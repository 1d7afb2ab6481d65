"""An AS2 message that kills the gateway while it is opened (decrypted, verified, decompressed: OpenSSL and zlib on
what the partner sent), before it is a message. The partner got no MDN, so it sent the message again, same
Message-ID, as AS2 products do on their retry schedule: each resend killed the gateway again, for as long as the
partner kept trying. Now the kills are counted on the partner and Message-ID (`gateway.poison`, state/intake-kills);
at the limit the message is kept unopened, as received, in the quarantine with a .reason.txt and refused with an
error MDN, so the partner stops sending it and tells a person, while other messages go through.

The real daemon as a subprocess, a preloaded hook (this module, when `EDI_TEST_AS2_POISON` is set) that SIGKILLs it
when an opened message holds a marker, signed and encrypted messages posted with openssl and curl.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

POISON = os.environ.get("EDI_TEST_AS2_POISON", "").encode()

if POISON:                   # in the daemon: opening a poison message kills it
    import gateway.transports.as2.server as as2_server

    _unpack = as2_server.unpack

    def _killing_unpack(*args: Any, **kwargs: Any) -> Any:
        got = _unpack(*args, **kwargs)
        if POISON in got.payload.read_bytes():
            os.kill(os.getpid(), signal.SIGKILL)
        return got

    as2_server.unpack = _killing_unpack


def test_an_as2_message_that_kills_the_gateway_when_opened_is_refused_at_the_limit_and_kept(tmp_path: Path) -> None:
    from tests.helpers.gateway import GatewayProcess, Workspace
    from tests.helpers.net import free_port
    from tests.helpers.wait import wait_for
    from tests.helpers.x12 import purchase_order
    from tests.spine.test_daemon import ACME
    from tests.transports.as2_peer import Reply, as2_headers, build_message, curl_post
    from tests.transports.certs import make_cert

    certs = tmp_path / "certs"
    ours, theirs = make_cert(certs, "acme"), make_cert(certs, "acmeretail")
    port = free_port()
    ws = Workspace.create(tmp_path / "gw", {
        "our_ids": {"x12": {"qualifier": "ZZ", "id": "ACMEDIST"}, "as2_id": "ACMEDIST"},
        "as2_server": {"enabled": True, "host": "127.0.0.1", "port": port, "certificate": str(ours.cert_path),
                       "private_key": str(ours.key_path)}},
        partners={"acme": {**ACME, "inbound": [{"channel": "as2", "as2_id": "ACME-AS2",
                                                "certificates": [str(theirs.cert_path)]}]}})
    poison = purchase_order(1, po="KILLS1")

    def post(message_id: str, data: bytes) -> Reply | None:
        folder = tmp_path / "peer" / f"{message_id.strip('<>')}-{os.urandom(4).hex()}"
        ctype, body, _ = build_message(folder, data, signer=theirs, recipient=ours)
        try:
            return curl_post(f"http://127.0.0.1:{port}/as2", body,
                             as2_headers("ACME-AS2", "ACMEDIST", message_id, ctype), folder)
        except AssertionError:          # no answer: the gateway died
            return None

    env = {"EDI_TEST_AS2_POISON": "KILLS1"}
    # Given a partner that sends a message whose opening kills the gateway, and sends it again after each kill
    for kill in (1, 2):
        gw = GatewayProcess(ws.config, preload=["tests.spine.test_intake18_as2_kill"], env=env).start()
        assert post("<poison@acme>", poison) is None
        assert gw.proc is not None and gw.proc.wait(30) == -signal.SIGKILL, gw.output()
        gw.kill()

    # When it sends it a third time, and another order beside it
    with GatewayProcess(ws.config, preload=["tests.spine.test_intake18_as2_kill"], env=env) as gw:
        refused = post("<poison@acme>", poison)
        fine = post("<fine@acme>", purchase_order(2))
        again = post("<poison@acme>", poison)
        wait_for(lambda: [r["state"] for r in ws.messages(direction="in")] == ["done"], message="the other order")
        output = gw.output()

    # Then the gateway lived: the poison message refused with an error MDN, kept unopened as received, twice
    for reply in (refused, again):
        assert reply is not None and reply.status == 200, output
        assert b"processed/error: unexpected-processing-error" in reply.body, reply.body
        assert b"failed each time it opened this message" in reply.body
    assert fine is not None and b"processed/error" not in fine.body and b"processed" in fine.body
    kept = sorted((ws.root / "quarantine" / "acme").glob("poison_acme.as2.killed-*[0-9]Z"))
    assert len(kept) == 2, list((ws.root / "quarantine").rglob("*"))
    said = Path(f"{kept[0]}.reason.txt").read_text()
    assert "the gateway was killed 2 times while taking this file in, before it was recorded (2 of them while it " \
        "was taken alone)" in said and "AS2 message <poison@acme> from acme" in said, said
    assert "send the message again with a new Message-ID" in said
    assert b"Content-Type: application/pkcs7-mime" in kept[0].read_bytes()[:200]     # as received: encrypted
    assert "AS2 message <poison@acme> from acme set aside" in output and "Traceback" not in output, output
    # nothing of it in the journal; the other order processed once
    [row] = ws.messages(direction="in")
    assert row["filename"] != "poison_acme.as2" and b"KILLS1" not in ws.archived(row["sha256"]).read_bytes()
