"""Outbound over the partner-facing transports through the real daemon's outbox.

SFTP push with the partner's server down first (retried with backoff, then delivered),
a file waiting in our SFTP server that the partner fetches (settles SENT -> DONE), and an
AS2 send whose asynchronous MDN comes back to the daemon's receipt endpoint.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from gateway.config.models import As2Channel, As2ServerSettings, GatewayConfig, OurIds, PartnerConfig
from gateway.journal.api import Direction, State
from gateway.journal.archive import Archive
from gateway.journal.sqlite import SqliteJournal
from gateway.transports.as2.ledger import Ledger
from gateway.transports.as2.server import As2Server
from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.net import free_port
from tests.helpers.wait import wait_for
from tests.transports.certs import make_cert
from tests.transports.conftest import JournalIntake
from tests.transports.sftp_util import Sshd, known_hosts_line, make_key, openssh_sftp

pytestmark = pytest.mark.slow

ASN = b"ISA*00*          *00*          *ZZ*ACMEDIST       *12*8005551234     *260101*1200*^*00501*000000012*0*P*>~\n"


def queue(ws: Workspace, partner: str, channel: str, name: str, data: bytes, expects: str | None = None) -> str:
    """An outbound message QUEUED for the outbox; with `expects` ("999") it awaits that ack, overdue already."""
    sha = Archive(ws.root / "archive").put(data)
    journal = SqliteJournal(ws.journal_path)
    try:
        mid = journal.record_intake(direction=Direction.OUT, partner=partner, channel=channel, filename=name,
                                    sha256=sha, size=len(data), source_key=f"test:{name}", state=State.QUEUED,
                                    syntax="x12", meta={"expects_ack": expects} if expects else None).id
        if expects:
            journal.expect_ack(mid, partner, expects, "000000012", "12", datetime.now(UTC) - timedelta(hours=1))
        return mid
    finally:
        journal.close()


def overdue(ws: Workspace) -> list[str]:
    journal = SqliteJournal(ws.journal_path)
    try:
        return [m.id for m in journal.overdue_acks(datetime.now(UTC))]
    finally:
        journal.close()


def state(ws: Workspace, mid: str) -> str:
    return str(ws.messages(id=mid)[0]["state"])


@pytest.mark.skipif(not Path("/usr/sbin/sshd").exists(), reason="openssh-server not installed")
def test_sftp_push_retries_through_the_outbox_until_the_partner_is_up(tmp_path: Path) -> None:
    key = make_key(tmp_path / "keys" / "gateway")
    sshd = Sshd(tmp_path, Path(str(key) + ".pub"))          # port chosen, not started yet
    drop = tmp_path / "partner" / "in"
    drop.mkdir(parents=True)
    ws = Workspace.create(tmp_path / "gw", {}, partners={"eurohandel": {"outbound": {
        "channel": "sftp_remote", "host": "127.0.0.1", "port": sshd.port, "user": sshd.user, "key": str(key),
        "known_host_key": sshd.host_pub, "remote_dir": str(drop), "timeout": 10}}})
    try:
        with GatewayProcess(ws.config):
            mid = queue(ws, "eurohandel", "sftp_remote", "DESADV_1.edi", ASN)
            wait_for(lambda: ws.messages(id=mid)[0]["attempts"] >= 1, timeout=60, message="first failure")
            row = ws.messages(id=mid)[0]
            assert row["state"] in ("retry_wait", "queued") and "push of DESADV_1.edi failed" in row["last_error"]
            sshd.start()
            wait_for(lambda: state(ws, mid) == "done", timeout=90, message="pushed after recovery")
        assert (drop / "DESADV_1.edi").read_bytes() == ASN
        assert sorted(p.name for p in drop.iterdir()) == ["DESADV_1.edi"]
    finally:
        sshd.stop()


@pytest.mark.parametrize("expects", [None, "999"], ids=["no-ack", "awaits-999"])
def test_file_fetched_from_our_sftp_server_settles_the_message(tmp_path: Path, expects: str | None) -> None:
    key = make_key(tmp_path / "keys" / "northwind")
    port = free_port()
    ws = Workspace.create(tmp_path / "gw", {"sftp_server": {"enabled": True, "host": "127.0.0.1", "port": port}},
                          partners={"northwind": {
                              "inbound": [{"channel": "sftp", "user": "northwind",
                                           "authorized_keys": [str(key) + ".pub"]}],
                              "outbound": {"channel": "sftp", "user": "northwind"}}})
    with GatewayProcess(ws.config):
        mid = queue(ws, "northwind", "sftp", "northwind_856_12.x12", ASN, expects)
        wait_for(lambda: state(ws, mid) == "sent", timeout=60, message="placed in outbound/")
        known = tmp_path / "known_hosts"
        known.write_bytes(known_hosts_line("127.0.0.1", port,
                                           (ws.root / "state" / "ssh_host_ed25519_key.pub")).encode())
        got = tmp_path / "got.x12"
        openssh_sftp(tmp_path, port, "northwind", key, known,
                     f"get outbound/northwind_856_12.x12 {got}\nrm outbound/northwind_856_12.x12\n")
        if expects is None:
            wait_for(lambda: state(ws, mid) == "done", timeout=30, message="settled by the fetch")
        else:
            wait_for(lambda: json.loads(ws.messages(id=mid)[0]["meta"]).get("fetched_by") == "northwind",
                     timeout=30, message="the fetch noted")
            # fetched is delivered, not acknowledged: the 999 is still awaited, and its window has passed
            assert state(ws, mid) == "sent"
            assert mid in overdue(ws)
    assert got.read_bytes() == ASN
    if expects is None:
        assert "fetched and deleted by northwind" in ws.events(mid)[-1]["reason"]


@pytest.mark.parametrize("expects", [None, "997"], ids=["no-ack", "awaits-997"])
async def test_as2_send_with_async_mdn_through_the_daemon(tmp_path: Path, intake: JournalIntake,
                                                          expects: str | None) -> None:
    certs = tmp_path / "certs"
    acme, bigbox = make_cert(certs, "acme"), make_cert(certs, "bigbox")
    # the partner: our AS2 server code as an independent process-local receiver
    recv = As2Server(GatewayConfig(our_ids=OurIds(as2_id="BIGBOX-AS2"), as2_server=As2ServerSettings(
        enabled=True, port=0, certificate=bigbox.cert_path, private_key=bigbox.key_path)),
        {"acme": PartnerConfig(id="acme", inbound=[As2Channel(channel="as2", as2_id="ACMEDIST",
                                                              certificates=[acme.cert_path],
                                                              async_mdn_allow=["127.0.0.1"])])},
        intake, Ledger(tmp_path / "recv" / "as2.sqlite3"), tmp_path / "recv" / "work")
    await recv.start()
    port = free_port()
    ws = Workspace.create(tmp_path / "gw", {"as2_server": {
        "enabled": True, "host": "127.0.0.1", "port": port, "as2_id": "ACMEDIST", "certificate": str(acme.cert_path),
        "private_key": str(acme.key_path), "public_url": f"http://127.0.0.1:{port}/as2"}},
        partners={"bigbox": {"outbound": {"channel": "as2", "as2_id": "BIGBOX-AS2", "url":
                                          f"http://127.0.0.1:{recv.port}/as2", "mdn": "async",
                                          "certificates": [str(bigbox.cert_path)], "compress": True}}})
    try:
        gw = await asyncio.to_thread(GatewayProcess(ws.config).start)
        try:
            mid = await asyncio.to_thread(queue, ws, "bigbox", "as2", "bigbox_856_12.x12", ASN, expects)
            if expects is None:
                await asyncio.to_thread(wait_for, lambda: state(ws, mid) == "done", 60, 0.05, "async MDN settled")
                reasons = [e["reason"] for e in ws.events(mid)]
                assert any("awaiting async MDN" in r for r in reasons) and "async MDN processed" in reasons[-1]
            else:
                # the MDN says delivered; the 997 is still awaited (its window passed): SENT, overdue for it alone
                await asyncio.to_thread(wait_for, lambda: "mdn" in json.loads(ws.messages(id=mid)[0]["meta"]),
                                        60, 0.05, "async MDN noted")
                assert state(ws, mid) == "sent" and mid in overdue(ws)
                kinds = [r["kind"] for r in ws._query("SELECT kind FROM ack_expectations WHERE message_id = ?",
                                                      (mid,))]
                assert kinds == ["997"]
                assert json.loads(ws.messages(id=mid)[0]["meta"])["awaits"] is None    # the overdue one is the 997
        finally:
            await asyncio.to_thread(gw.stop)
        (got,) = intake.messages()
        assert intake.stored(got) == ASN and got.meta["as2_message_id"].startswith(f"<{mid}@")
    finally:
        await recv.close()
