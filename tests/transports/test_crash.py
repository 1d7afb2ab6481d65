"""SIGKILL between receipt and acknowledgement, restart, sender retries: the file is processed once.

The real daemon runs as a subprocess (`python -m gateway run`); `crash_hook` kills it right
after the intake commit, before the SFTP close/rename, the AS2 MDN or the remote delete.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gateway.journal.sqlite import SqliteJournal
from gateway.outbound.outbox import resend
from gateway.transports.as2 import mdn
from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.net import free_port
from tests.helpers.wait import wait_for
from tests.spine.test_acks_hostile import ASN, queue_asn, row
from tests.transports.as2_peer import as2_headers, build_message, curl_post
from tests.transports.certs import Cert, make_cert
from tests.transports.sftp_util import Sshd, known_hosts_line, make_key, paramiko_session
from tests.transports.test_delivery_hostile import Partner, as2_workspace
from tests.transports.test_delivery_hostile import partner as as2_partner  # noqa: F401 - a fixture

pytestmark = pytest.mark.slow

DOC = (b"ISA*00*          *00*          *12*8005551234     *ZZ*ACMEDIST       *260101*1200*^*00501*000000007*0*P*>~"
       b"GS*PO*NORTHWIND*ACMEDIST*20260101*1200*7*X*005010~ST*850*0001~BEG*00*SA*PO-7**20260101~SE*3*0001~"
       b"GE*1*7~IEA*1*000000007~\n")


def died(gw: GatewayProcess, timeout: float) -> None:
    """Wait for the armed daemon to kill itself at the crash point, then reap it."""
    assert gw.proc is not None
    gw.proc.wait(timeout)
    gw.kill()


def crashing(ws: Workspace, channel: str, tmp: Path) -> GatewayProcess:
    marker = tmp / "crash.armed"
    marker.write_text("1")
    return GatewayProcess(ws.config, preload=["tests.transports.crash_hook"],
                          env={"EDI_TEST_CRASH_MARKER": str(marker), "EDI_TEST_CRASH_CHANNEL": channel})


def processed_once(ws: Workspace, channel: str) -> list[dict[str, Any]]:
    rows = [m for m in ws.messages(direction="in") if m["channel"] == channel]
    return [m for m in rows if m["state"] != "duplicate"]


def test_sftp_server_crash_after_commit(tmp_path: Path) -> None:
    key = make_key(tmp_path / "keys" / "northwind")
    port = free_port()
    ws = Workspace.create(tmp_path / "gw", {"sftp_server": {"enabled": True, "host": "127.0.0.1", "port": port,
                                                             "login_throttle_seconds": 0.01}},
                          partners={"northwind": {"inbound": [{"channel": "sftp", "user": "northwind",
                                                               "authorized_keys": [str(key) + ".pub"]}]}})
    gw = crashing(ws, "sftp", tmp_path).start()
    host_pub = (ws.root / "state" / "ssh_host_ed25519_key.pub").read_text()
    known = tmp_path / "known_hosts"
    known.write_text(known_hosts_line("127.0.0.1", port, host_pub.encode()))
    local = tmp_path / "po-7.edi"
    local.write_bytes(DOC)

    def upload() -> subprocess.CompletedProcess[str]:
        from tests.transports.sftp_util import openssh_sftp
        return openssh_sftp(tmp_path, port, "northwind", key, known, f"put {local} inbound/po-7.edi\n", False)

    first = upload()
    assert first.returncode != 0                      # the daemon died before the close was confirmed
    died(gw, 30)
    assert len(processed_once(ws, "sftp")) == 1       # but the commit had happened
    with GatewayProcess(ws.config):
        again = upload()                               # the partner sends again, as it got no OK
        assert again.returncode == 0, again.stderr
        wait_for(lambda: len([m for m in ws.messages(direction="in") if m["channel"] == "sftp"]) == 2)
        assert (ws.root / "state" / "ssh_host_ed25519_key.pub").read_text() == host_pub
    rows = [m for m in ws.messages(direction="in") if m["channel"] == "sftp"]
    assert sorted(m["state"] == "duplicate" for m in rows) == [False, True]
    assert len(processed_once(ws, "sftp")) == 1
    assert list((ws.root / "sftp" / "northwind" / "inbound").iterdir()) == []


def test_as2_crash_after_commit_before_mdn(tmp_path: Path) -> None:
    certs = tmp_path / "certs"
    ours, partner = make_cert(certs, "acme"), make_cert(certs, "bigbox")
    port = free_port()
    ws = Workspace.create(tmp_path / "gw", {"as2_server": {"enabled": True, "host": "127.0.0.1", "port": port,
                                                            "as2_id": "ACMEDIST", "certificate": str(ours.cert_path),
                                                            "private_key": str(ours.key_path)}},
                          partners={"bigbox": {"inbound": [{"channel": "as2", "as2_id": "BIGBOX-AS2",
                                                            "certificates": [str(partner.cert_path)]}]}})
    ctype, body, _ = build_message(tmp_path / "msg", DOC, signer=partner, recipient=ours)
    headers = as2_headers("BIGBOX-AS2", "ACMEDIST", "<crash-1@bigbox>", ctype)
    url = f"http://127.0.0.1:{port}/as2"
    gw = crashing(ws, "as2", tmp_path).start()
    with pytest.raises(AssertionError):                 # curl: empty reply, no MDN
        curl_post(url, body, headers, tmp_path)
    died(gw, 30)
    assert len(processed_once(ws, "as2")) == 1
    with GatewayProcess(ws.config):
        reply = curl_post(url, body, headers, tmp_path)  # the partner resends: same Message-ID
        assert reply.status == 200
        assert b"processed/warning: duplicate-document" in reply.body
    assert len(processed_once(ws, "as2")) == 1


@pytest.mark.skipif(not Path("/usr/sbin/sshd").exists(), reason="openssh-server not installed")
def test_sftp_poller_crash_after_commit_before_remote_delete(tmp_path: Path) -> None:
    key = make_key(tmp_path / "keys" / "gateway")
    sshd = Sshd(tmp_path, Path(str(key) + ".pub"))
    sshd.start()
    try:
        remote = tmp_path / "partner" / "out"
        remote.mkdir(parents=True)
        ws = Workspace.create(tmp_path / "gw", {}, partners={"eurohandel": {"inbound": [{
            "channel": "sftp_remote", "host": "127.0.0.1", "port": sshd.port, "user": sshd.user, "key": str(key),
            "known_host_key": sshd.host_pub, "remote_dir": str(remote), "pattern": "*.edi", "interval": 0.2}]}})
        (remote / "orders-9.edi").write_bytes(DOC)
        gw = crashing(ws, "sftp_remote", tmp_path).start()
        died(gw, 60)                                     # polls twice, commits, dies before the delete
        assert (remote / "orders-9.edi").exists()
        assert len(processed_once(ws, "sftp_remote")) == 1
        with GatewayProcess(ws.config):
            wait_for(lambda: not (remote / "orders-9.edi").exists(), timeout=60)
        rows = [m for m in ws.messages(direction="in") if m["channel"] == "sftp_remote"]
        assert sorted(m["state"] == "duplicate" for m in rows) == [False, True]
    finally:
        sshd.stop()


async def asn_killed_after_sent(tmp_path: Path, peer: Partner, url: str, ours: Cert,
                                mdn_mode: str) -> tuple[Workspace, str]:
    """An ASN queued for the AS2 partner and the daemon started to die once it writes the ASN's SENT, dead:
    the workspace and the message id."""
    ws = as2_workspace(tmp_path, url, ours, peer.theirs, mdn=mdn_mode, outbox={"min_backoff": 0.1, "max_backoff": 0.5})
    peer.ledger_path = ws.root / "state" / "as2.sqlite3"
    marker = tmp_path / "kill.marker"
    marker.touch()
    mid = await asyncio.to_thread(queue_asn, ws, None)
    gw = GatewayProcess(ws.config, preload=["tests.helpers.kill_points"],
                        env={"EDI_TEST_KILL_AT": "after_sent", "EDI_TEST_KILL_MARKER": str(marker)})
    await asyncio.to_thread(gw.start)
    await asyncio.to_thread(died, gw, 60)
    assert not marker.exists()
    return ws, mid


async def restarted_until_settled(ws: Workspace, mid: str, settled: Callable[[str], bool]) -> Any:
    """The daemon started again until message `mid`'s state is `settled`: its journal row."""
    restarted = await asyncio.to_thread(GatewayProcess(ws.config).start)
    try:
        await asyncio.to_thread(wait_for, lambda: settled(row(ws, mid)["state"]), 60, 0.05,
                                "the message settled after the restart")
    finally:
        await asyncio.to_thread(restarted.stop)
    return row(ws, mid)


async def test_as2_negative_sync_mdn_survives_a_crash_right_after_sent(
        tmp_path: Path, as2_partner: tuple[Partner, str, Cert]) -> None:  # noqa: F811 (the fixture above)
    """Our POST is answered with a negative synchronous MDN and the daemon dies once SENT is written: the restart
    finished the SENT message as delivered (no acknowledgement expected), the partner's refusal lost. SENT and
    REJECTED are one commit, so the message is still QUEUED after the crash and its resend (same Message-ID) is
    refused again."""
    peer, url, ours = as2_partner
    peer.disposition, peer.mdn_first = mdn.Disposition("processed", "error", "authentication-failed"), False
    ws, mid = await asn_killed_after_sent(tmp_path, peer, url, ours, "sync")
    assert len(peer.posts) == 1
    final = await restarted_until_settled(ws, mid, lambda state: state in ("rejected", "done", "dead"))
    assert final["state"] == "rejected", [(e["to_state"], e["reason"]) for e in ws.events(mid)]
    assert "processed/error: authentication-failed" in final["last_error"]
    assert len({p["Message-ID"] for p in peer.posts}) == 1      # sent again as the same message


# ------------------------------------------------------------------ our SFTP server's outbound/: kill, restart, fetch

OUT_NAME = "acme_856_000000012.x12"


def sftp_outbound_world(tmp: Path) -> tuple[Workspace, Path, int]:
    """acme's documents wait in the `northwind` jail of our SFTP server; the partner logs in with `key`."""
    key, port = make_key(tmp / "keys" / "northwind"), free_port()
    account = {"channel": "sftp", "user": "northwind"}
    ws = Workspace.create(tmp / "gw", {"sftp_server": {"enabled": True, "host": "127.0.0.1", "port": port}},
                          partners={"acme": {"inbound": [{**account, "authorized_keys": [f"{key}.pub"]}],
                                             "outbound": account}})
    return ws, key, port


def fetch_and_delete(ws: Workspace, key: Path, port: int) -> bytes:
    """The partner's SFTP client (paramiko, our host key pinned): get outbound/<file>, then delete it."""
    ssh = paramiko_session(ws.root, key, port)
    try:
        sftp = ssh.open_sftp()
        with sftp.open(f"/outbound/{OUT_NAME}", "rb") as f:
            data = f.read()
        sftp.remove(f"/outbound/{OUT_NAME}")
        sftp.close()
        return bytes(data)
    finally:
        ssh.close()


def killed_at(ws: Workspace, point: str, tmp: Path, expects: str | None, mid: str | None = None) -> str:
    """Queue our 856 for the SFTP pickup (or deliver `mid`, queued already), SIGKILL the daemon at `point` of its
    placement; the message id."""
    marker = tmp / "kill.marker"
    marker.touch()
    # a message queued before the start (`mid`) may be placed, and the daemon killed there, before it says READY
    gw = GatewayProcess(ws.config, preload=["tests.helpers.kill_points"], wait_ready=mid is None,
                        env={"EDI_TEST_KILL_AT": point, "EDI_TEST_KILL_MARKER": str(marker)}).start()
    mid = mid or queue_asn(ws, expects)
    died(gw, 60)
    assert not marker.exists() and row(ws, mid)["state"] == "queued"
    return mid


def kinds_awaited(ws: Workspace, mid: str) -> list[str]:
    return sorted(r["kind"] for r in ws._query("SELECT kind FROM ack_expectations WHERE message_id = ?", (mid,)))


def fetched_then_resent(ws: Workspace, key: Path, port: int) -> str:
    """Our 856 placed, fetched and settled, its index entry left behind (as a crash right after the settling
    leaves it), then resent by the operator while the daemon is down: QUEUED again, not placed yet."""
    with GatewayProcess(ws.config):
        mid = queue_asn(ws, None)
        wait_for(lambda: row(ws, mid)["state"] == "sent", timeout=60, message="placed")
        assert fetch_and_delete(ws, key, port) == ASN
        wait_for(lambda: row(ws, mid)["state"] == "done", timeout=30, message="settled by the fetch")
    (ws.root / "sftp" / ".delivered" / "northwind" / OUT_NAME).write_text(mid)
    journal = SqliteJournal(ws.journal_path)
    try:
        resend(journal, mid)
    finally:
        journal.close()
    return mid


@pytest.mark.parametrize("expects,history", [(None, "new"), ("997", "new"), (None, "resent")],
                         ids=["no-ack", "awaits-997", "resent-after-a-fetch"])
def test_a_file_placed_before_a_crash_and_fetched_before_its_redelivery_is_not_placed_again(
        tmp_path: Path, expects: str | None, history: str) -> None:
    """Killed once the file is in outbound/, before SENT. After the restart the partner fetches and deletes it
    while the outbox's re-delivery is under way (held just before it places the file): the fetch settles the
    message, and the re-delivery, finding the index entry without the file or its staged bytes, places nothing.
    The same for a resend of a message fetched before, whose old index entry must not pass for this delivery's."""
    ws, key, port = sftp_outbound_world(tmp_path)
    outbound = ws.root / "sftp" / "northwind" / "outbound"
    earlier = fetched_then_resent(ws, key, port) if history == "resent" else None
    mid = killed_at(ws, "after_place", tmp_path, expects, earlier)
    assert [p.name for p in outbound.iterdir()] == [OUT_NAME]
    hold = tmp_path / "hold"
    hold.touch()
    with GatewayProcess(ws.config, preload=["tests.helpers.kill_points"], env={"EDI_TEST_HOLD_MARKER": str(hold)}):
        got = fetch_and_delete(ws, key, port)            # answered once the fetch is in the journal
        hold.unlink()                                    # the re-delivery goes on
        wait_for(lambda: row(ws, mid)["state"] != "queued", timeout=30, message="the re-delivery done")
        assert list(outbound.iterdir()) == []           # not placed again
        wait_for(lambda: json.loads(row(ws, mid)["meta"]).get("fetched_by") == "northwind", timeout=30,
                 message="settled by the fetch")
        wait_for(lambda: not (ws.root / "sftp" / ".delivered" / "northwind" / OUT_NAME).exists(), timeout=30,
                 message="the index entry forgotten once settled")
    assert got == ASN
    assert list(outbound.iterdir()) == []
    assert row(ws, mid)["state"] == ("done" if expects is None else "sent")
    assert kinds_awaited(ws, mid) == ([] if expects is None else [expects])     # the pickup is settled
    reasons = [e["reason"] for e in ws.events(mid)]
    since = reasons[reasons.index("resend requested") + 1:] if history == "resent" else reasons
    assert not any("waiting in northwind:outbound" in r for r in since)    # this delivery never recorded a placing


def test_a_crash_between_the_index_entry_and_the_rename_is_not_taken_for_a_fetch(tmp_path: Path) -> None:
    """Killed with the index entry written but the file not yet in outbound/: at the restart neither the
    server's start-up check nor the outbox may read the missing file as fetched; it is placed, then fetched once."""
    ws, key, port = sftp_outbound_world(tmp_path)
    outbound = ws.root / "sftp" / "northwind" / "outbound"
    mid = killed_at(ws, "after_index", tmp_path, None)
    assert list(outbound.iterdir()) == []
    assert (ws.root / "sftp" / ".delivered" / "northwind" / OUT_NAME).read_text() == mid
    with GatewayProcess(ws.config):
        wait_for(lambda: row(ws, mid)["state"] == "sent", timeout=60, message="placed after the restart")
        assert fetch_and_delete(ws, key, port) == ASN
        wait_for(lambda: row(ws, mid)["state"] == "done", timeout=30, message="settled by the fetch")
    assert list(outbound.iterdir()) == []
    assert list((ws.root / "sftp" / ".outgoing" / "northwind").iterdir()) == []


def test_a_file_placed_before_a_crash_is_not_placed_twice_and_its_fetch_settles_it(tmp_path: Path) -> None:
    """Killed once the file is in outbound/, before SENT; nobody fetches during the restart. The re-delivery
    finds the file waiting and leaves it (a partner already downloading it reads one file), then one fetch."""
    ws, key, port = sftp_outbound_world(tmp_path)
    outbound = ws.root / "sftp" / "northwind" / "outbound"
    mid = killed_at(ws, "after_place", tmp_path, None)
    placed = (outbound / OUT_NAME).stat().st_ino
    with GatewayProcess(ws.config):
        wait_for(lambda: row(ws, mid)["state"] == "sent", timeout=60, message="re-delivered after the restart")
        assert (outbound / OUT_NAME).stat().st_ino == placed
        assert "already waiting in northwind:outbound/" in row(ws, mid)["meta"]
        assert fetch_and_delete(ws, key, port) == ASN
        wait_for(lambda: row(ws, mid)["state"] == "done", timeout=30, message="settled by the fetch")
    assert list(outbound.iterdir()) == []


# ------------------------------------------------------------------ a local folder another system picks up from

@pytest.mark.parametrize("picked_up", [True, False], ids=["picked-up-while-down", "still-there"])
def test_a_file_written_to_a_folder_before_a_crash_is_not_written_twice(tmp_path: Path, picked_up: bool) -> None:
    """Killed once the file is renamed into outbox/acme/, before SENT. Another system takes it while the daemon
    is down (or does not): after the restart the message is settled without writing the file again (or
    rewriting the one still there), and the index entry goes once SENT is recorded."""
    ws = Workspace.create(tmp_path / "gw", {}, partners={"acme": {"name": "ACME"}})
    folder = ws.root / "outbox" / "acme"
    mid = killed_at(ws, "after_write", tmp_path, None)
    assert [p.name for p in folder.iterdir()] == [OUT_NAME]
    written = (folder / OUT_NAME).stat().st_ino
    if picked_up:
        (folder / OUT_NAME).rename(tmp_path / "taken")
    with GatewayProcess(ws.config):
        wait_for(lambda: row(ws, mid)["state"] == "done", timeout=60, message="settled after the restart")
    if picked_up:
        assert list(folder.iterdir()) == [] and (tmp_path / "taken").read_bytes() == ASN
        assert "was picked up" in row(ws, mid)["meta"]
    else:
        assert [p.name for p in folder.iterdir()] == [OUT_NAME] and (folder / OUT_NAME).stat().st_ino == written
    index = ws.root / "state" / "folder-index" / "acme"
    assert list(index.iterdir()) == []                   # forgotten once SENT was recorded
    (index / OUT_NAME).write_text(mid)                   # as a crash right after SENT leaves it
    with GatewayProcess(ws.config):
        pass
    assert list(index.iterdir()) == []                   # forgotten at the next start: its message is settled
