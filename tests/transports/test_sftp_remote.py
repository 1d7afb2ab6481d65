"""Our poller and pusher against an OpenSSH sshd started by the test on a free loopback port."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC
from pathlib import Path

import pytest

from gateway.config.models import PartnerConfig, SftpRemoteChannel
from gateway.errors import DeliveryRejected, DeliveryRetry
from gateway.journal.api import State
from gateway.outbound.sftp_channel import REMOTE
from gateway.transports.sftp_remote import RemotePoller
from tests.helpers.net import free_port
from tests.helpers.wait import wait_for_async
from tests.transports.conftest import JournalIntake
from tests.transports.sftp_util import Sshd, make_key

pytestmark = pytest.mark.skipif(not Path("/usr/sbin/sshd").exists(), reason="openssh-server not installed")

DOC = b"UNA:+.? 'UNB+UNOC:3+4012345000009:14+0614141000005:14+260101:1200+42'\n"


class PartnerSshd(Sshd):
    """The partner's sshd: our client key is authorized; its home has out/ (we fetch) and in/ (we push)."""

    def __init__(self, tmp: Path) -> None:
        self.client_key = make_key(tmp / "keys" / "gateway")
        super().__init__(tmp, Path(str(self.client_key) + ".pub"))
        self.remote = tmp / "partner-home"
        (self.remote / "out").mkdir(parents=True)
        (self.remote / "in").mkdir()


@pytest.fixture
def sshd(tmp_path: Path) -> Iterator[PartnerSshd]:
    server = PartnerSshd(tmp_path)
    server.start()
    yield server
    server.stop()


def channel(sshd: PartnerSshd, **kw: object) -> SftpRemoteChannel:
    base: dict[str, object] = {
        "channel": "sftp_remote", "host": "127.0.0.1", "port": sshd.port, "user": sshd.user,
        "key": sshd.client_key, "known_host_key": sshd.host_pub, "remote_dir": str(sshd.remote / "out"),
        "pattern": "*.edi", "push_dir": str(sshd.remote / "in"), "interval": 0.1, "timeout": 20}
    base.update(kw)
    return SftpRemoteChannel(**base)


def poller(sshd: PartnerSshd, intake: JournalIntake, tmp_path: Path, **kw: object) -> RemotePoller:
    ch = channel(sshd, **kw)
    return RemotePoller(PartnerConfig(id="eurohandel", inbound=[ch]), ch, intake, tmp_path / "dl")


async def test_file_taken_only_when_stable_then_deleted_remotely(sshd: PartnerSshd, intake: JournalIntake,
                                                                 tmp_path: Path) -> None:
    p = poller(sshd, intake, tmp_path)
    f = sshd.remote / "out" / "orders-1.edi"
    f.write_bytes(DOC[:20])
    (sshd.remote / "out" / "orders-2.edi.part").write_bytes(DOC)        # temp name: never taken
    (sshd.remote / "out" / "notes.txt").write_bytes(b"x")              # not matching the pattern
    assert await p.poll_once() == []                                   # first sight
    f.write_bytes(DOC)                                                 # still growing
    assert await p.poll_once() == []
    (msg,) = await p.poll_once()                                       # stable across two polls
    assert msg.state is State.RECEIVED and msg.channel == "sftp_remote" and msg.partner == "eurohandel"
    assert intake.stored(msg) == DOC
    assert not f.exists()
    assert sorted(x.name for x in (sshd.remote / "out").iterdir()) == ["notes.txt", "orders-2.edi.part"]
    assert await p.poll_once() == [] and len(intake.messages()) == 1


async def test_move_after_commit(sshd: PartnerSshd, intake: JournalIntake, tmp_path: Path) -> None:
    (sshd.remote / "out" / "archive").mkdir()
    p = poller(sshd, intake, tmp_path, after="move", move_to=str(sshd.remote / "out" / "archive"))
    (sshd.remote / "out" / "o.edi").write_bytes(DOC)
    await p.poll_once()
    (_,) = await p.poll_once()
    assert (sshd.remote / "out" / "archive" / "o.edi").read_bytes() == DOC
    assert not (sshd.remote / "out" / "o.edi").exists()


async def test_commit_failure_leaves_the_remote_file(sshd: PartnerSshd, intake: JournalIntake,
                                                     tmp_path: Path) -> None:
    from gateway.errors import JournalError
    p = poller(sshd, intake, tmp_path)
    (sshd.remote / "out" / "o.edi").write_bytes(DOC)
    await p.poll_once()
    intake.fail = JournalError("archive not writable")
    with pytest.raises(JournalError):
        await p.poll_once()
    assert (sshd.remote / "out" / "o.edi").read_bytes() == DOC
    assert intake.messages() == []


async def test_refetch_after_lost_delete_is_a_duplicate_not_a_second_document(sshd: PartnerSshd,
                                                                              intake: JournalIntake,
                                                                              tmp_path: Path) -> None:
    """As after a crash between commit and remote delete: the file is fetched again, recorded DUPLICATE."""
    p = poller(sshd, intake, tmp_path)
    f = sshd.remote / "out" / "o.edi"
    f.write_bytes(DOC)
    await p.poll_once()
    (first,) = await p.poll_once()
    f.write_bytes(DOC)                                                   # the delete "did not happen"
    p2 = poller(sshd, intake, tmp_path)                                  # a restarted poller
    await p2.poll_once()
    (again,) = await p2.poll_once()
    assert first.state is State.RECEIVED and again.state is State.DUPLICATE
    assert not f.exists()


async def test_changed_host_key_is_refused(sshd: PartnerSshd, intake: JournalIntake, tmp_path: Path) -> None:
    other = make_key(tmp_path / "other")
    wrong = Path(str(other) + ".pub").read_text().split()
    p = poller(sshd, intake, tmp_path, known_host_key=f"{wrong[0]} {wrong[1]}")
    (sshd.remote / "out" / "o.edi").write_bytes(DOC)
    import asyncssh
    with pytest.raises(asyncssh.HostKeyNotVerifiable):
        await p.poll_once()
    assert intake.messages() == []
    assert (sshd.remote / "out" / "o.edi").exists()


async def test_wrong_client_key_is_refused(sshd: PartnerSshd, intake: JournalIntake, tmp_path: Path) -> None:
    import asyncssh
    p = poller(sshd, intake, tmp_path, key=make_key(tmp_path / "not-authorized"))
    with pytest.raises(asyncssh.PermissionDenied):
        await p.poll_once()


async def test_push_writes_temp_then_renames(sshd: PartnerSshd, intake: JournalIntake,
                                             tmp_path: Path) -> None:
    from datetime import datetime

    from gateway.journal.api import Direction, Message
    now = datetime.now(UTC)
    msg = Message(id="01PUSH", direction=Direction.OUT, state=State.QUEUED, partner="eurohandel",
                  channel="sftp_remote", filename="eurohandel_DESADV_7.edi", sha256="3" * 64, size=len(DOC),
                  created_at=now, updated_at=now)
    partner = PartnerConfig(id="eurohandel", outbound=channel(sshd))
    result = await REMOTE.deliver(msg, DOC, partner)
    assert "pushed" in result.detail
    assert [x.name for x in (sshd.remote / "in").iterdir()] == ["eurohandel_DESADV_7.edi"]
    assert (sshd.remote / "in" / "eurohandel_DESADV_7.edi").read_bytes() == DOC
    await REMOTE.deliver(msg, DOC, partner)                              # a retry overwrites, never doubles
    assert [x.name for x in (sshd.remote / "in").iterdir()] == ["eurohandel_DESADV_7.edi"]
    down = PartnerConfig(id="eurohandel", outbound=channel(sshd, port=free_port()))
    with pytest.raises(DeliveryRetry, match="push of eurohandel_DESADV_7.edi failed"):
        await REMOTE.deliver(msg, DOC, down)
    other = make_key(tmp_path / "other")
    bad = Path(str(other) + ".pub").read_text().split()
    wrong = PartnerConfig(id="eurohandel", outbound=channel(sshd, known_host_key=f"{bad[0]} {bad[1]}"))
    with pytest.raises(DeliveryRejected, match="does not match the pinned known_host_key"):
        await REMOTE.deliver(msg, DOC, wrong)


async def test_poller_backs_off_while_the_partner_is_down_and_reports_it(sshd: PartnerSshd,
                                                                         intake: JournalIntake,
                                                                         tmp_path: Path) -> None:
    import asyncio

    from gateway.transports.sftp_remote import _Running
    p = poller(sshd, intake, tmp_path, port=free_port(), interval=0.05)
    running = _Running()
    running.pollers = [p]
    task = asyncio.create_task(p.run())
    try:
        await wait_for_async(lambda: p.failures >= 2, message="two failed polls")
        assert p.last_error
        ok, detail = await running.health()
        assert not ok and detail.startswith("eurohandel: ") and f"{sshd.user}@127.0.0.1" in detail
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert intake.messages() == []
