"""Our poller against partner servers that do not do what OpenSSH's defaults do: a server that refuses our
delete or rename (a read-only drop folder), one without `posix-rename@openssh.com` whose plain SFTP v3 rename
fails over an existing file (a partner reusing one file name every day). OpenSSH's `internal-sftp -P` refuses
the named requests as such a server does (an extension it refuses, it does not offer)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gateway.journal.api import Direction, Message, State
from tests.transports.conftest import JournalIntake
from tests.transports.test_sftp_remote import DOC, PartnerSshd, poller, sshd  # noqa: F401

pytestmark = pytest.mark.skipif(not Path("/usr/sbin/sshd").exists(), reason="openssh-server not installed")

OTHER = DOC.replace(b"+42'", b"+43'")


@pytest.fixture
def refused(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[PartnerSshd]:
    """The partner's sshd, its SFTP server refusing the requests the test names
    (`@pytest.mark.parametrize("refused", ["remove"], indirect=True)`; sftp-server -P: "permission denied";
    a refused extension such as posix-rename is not offered at all)."""
    server = PartnerSshd(tmp_path)
    server.config.write_text(server.config.read_text().replace(
        "ForceCommand internal-sftp\n", f"ForceCommand internal-sftp -P {request.param}\n"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def partner(sshd: PartnerSshd) -> PartnerSshd:  # noqa: F811  (the fixture imported above)
    """The partner's sshd as OpenSSH comes."""
    return sshd


def pushed(name: str) -> Message:
    """An outbound message to push under `name`."""
    now = datetime.now(UTC)
    return Message(id="01PUSH", direction=Direction.OUT, state=State.QUEUED, partner="eurohandel",
                   channel="sftp_remote", filename=name, sha256="3" * 64, size=len(DOC), created_at=now,
                   updated_at=now)


@pytest.mark.parametrize("refused", ["remove"], indirect=True)
async def test_a_refused_delete_leaves_the_file_taken_once_and_the_other_files_still_come(
        refused: PartnerSshd, intake: JournalIntake, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    out = refused.remote / "out"
    (out / "a-orders.edi").write_bytes(DOC)
    (out / "b-orders.edi").write_bytes(OTHER)
    p = poller(refused, intake, tmp_path)
    assert await p.poll_once() == []
    with caplog.at_level(logging.WARNING, logger="gateway.transports.sftp_remote"):
        taken = await p.poll_once()
    assert [intake.stored(m) for m in taken] == [DOC, OTHER]
    assert all(m.state is State.RECEIVED for m in taken)
    assert (out / "a-orders.edi").exists() and (out / "b-orders.edi").exists()     # their server said no
    assert "refused" in caplog.text and "a-orders.edi" in caplog.text
    for _ in range(3):                                   # left there, unchanged: not fetched again every poll
        assert await p.poll_once() == []
    assert len(intake.messages()) == 2
    (out / "a-orders.edi").write_bytes(DOC + b"\n")      # the partner wrote it again: a new version is taken
    await p.poll_once()
    (again,) = await p.poll_once()
    assert intake.stored(again) == DOC + b"\n"


@pytest.mark.parametrize("refused", ["posix-rename"], indirect=True)
async def test_a_move_over_a_name_the_archive_already_holds_keeps_both(
        refused: PartnerSshd, intake: JournalIntake, tmp_path: Path) -> None:
    """Without posix-rename, SFTP v3 rename refuses an existing target: yesterday's orders.edi in the
    partner's archive folder blocked today's orders.edi, fetched again every poll."""
    out = refused.remote / "out"
    (out / "archive").mkdir()
    (out / "archive" / "orders.edi").write_bytes(b"yesterday")
    (out / "orders.edi").write_bytes(DOC)
    p = poller(refused, intake, tmp_path, after="move", move_to=str(out / "archive"))
    await p.poll_once()
    (msg,) = await p.poll_once()
    assert not (out / "orders.edi").exists()
    assert (out / "archive" / "orders.edi").read_bytes() == b"yesterday"
    assert (out / "archive" / f"orders.edi.{msg.id}").read_bytes() == DOC
    assert await p.poll_once() == [] and len(intake.messages()) == 1


@pytest.mark.parametrize("refused", ["posix-rename"], indirect=True)
async def test_a_push_again_to_a_server_without_posix_rename_replaces_the_file(
        refused: PartnerSshd, tmp_path: Path) -> None:
    """Works already (kept as a guard): a retried push of one name to an SFTP v3 server removes the old file
    and renames, so the partner finds one file, the last one sent."""
    from gateway.config.models import PartnerConfig
    from gateway.outbound.sftp_channel import REMOTE
    from tests.transports.test_sftp_remote import channel
    partner = PartnerConfig(id="eurohandel", outbound=channel(refused))
    msg = pushed("eurohandel_DESADV_8.edi")
    await REMOTE.deliver(msg, DOC, partner)
    await REMOTE.deliver(msg, OTHER, partner)
    assert [x.name for x in (refused.remote / "in").iterdir()] == ["eurohandel_DESADV_8.edi"]
    assert (refused.remote / "in" / "eurohandel_DESADV_8.edi").read_bytes() == OTHER


@pytest.mark.parametrize("refused", ["read"], indirect=True)
async def test_a_file_their_server_will_not_let_us_read_is_skipped_and_said_once(
        refused: PartnerSshd, tmp_path: Path, intake: JournalIntake, caplog: pytest.LogCaptureFixture) -> None:
    (refused.remote / "out" / "o.edi").write_bytes(DOC)
    p = poller(refused, intake, tmp_path)
    with caplog.at_level(logging.WARNING, logger="gateway.transports.sftp_remote"):
        for _ in range(4):
            assert await p.poll_once() == []
    assert caplog.text.count("o.edi could not be downloaded") == 1
    assert (refused.remote / "out" / "o.edi").exists() and intake.messages() == []


@pytest.mark.parametrize("refused", ["posix-rename,remove"], indirect=True)
async def test_a_push_to_a_drop_folder_without_delete_or_posix_rename(refused: PartnerSshd) -> None:
    """A write-only drop folder on an SFTP v3 server (no delete, no posix-rename: many Windows MFT servers):
    the push removed the final name before renaming whether or not it was there, was refused, and retried
    until dead. A new name needs no delete."""
    from gateway.config.models import PartnerConfig
    from gateway.outbound.sftp_channel import REMOTE
    from tests.transports.test_sftp_remote import channel
    result = await REMOTE.deliver(pushed("eurohandel_INVOIC_9.edi"), DOC,
                                  PartnerConfig(id="eurohandel", outbound=channel(refused)))
    assert "pushed" in result.detail
    assert [x.name for x in (refused.remote / "in").iterdir()] == ["eurohandel_INVOIC_9.edi"]


async def test_the_pattern_ignores_case(partner: PartnerSshd, tmp_path: Path, intake: JournalIntake) -> None:
    """`*.edi` agreed, ORDERS.EDI written by the partner's (mainframe, Windows) system: it stayed on their
    server, unseen and unsaid."""
    (partner.remote / "out" / "ORDERS.EDI").write_bytes(DOC)
    (partner.remote / "out" / "ORDERS.TXT").write_bytes(DOC)
    p = poller(partner, intake, tmp_path)
    await p.poll_once()
    (msg,) = await p.poll_once()
    assert msg.filename == "ORDERS.EDI"
    assert [x.name for x in (partner.remote / "out").iterdir()] == ["ORDERS.TXT"]


@pytest.fixture
def several_host_keys(tmp_path: Path) -> Iterator[tuple[PartnerSshd, list[Path]]]:
    """The partner's sshd with RSA and ECDSA host keys beside its ed25519 one."""
    import subprocess
    server = PartnerSshd(tmp_path)
    extra = []
    for kind in ("rsa", "ecdsa"):
        key = server.dir / f"ssh_host_{kind}_key"
        subprocess.run(["ssh-keygen", "-q", "-t", kind, "-N", "", "-f", str(key)], check=True)
        extra.append(key)
    server.config.write_text(server.config.read_text().replace(
        f"HostKey {server.host_key}\n", "".join(f"HostKey {k}\n" for k in (server.host_key, *extra))))
    server.start()
    yield server, extra
    server.stop()


async def test_a_pinned_rsa_or_ecdsa_key_of_a_server_that_also_has_ed25519_is_used(
        several_host_keys: tuple[PartnerSshd, list[Path]], intake: JournalIntake, tmp_path: Path) -> None:
    """Works already (kept as a guard): partners often hand over their RSA key; their sshd offers ed25519 too,
    and the key exchange picks the algorithm of the key pinned."""
    server, extra = several_host_keys
    for n, key in enumerate(extra):
        (server.remote / "out" / f"o{n}.edi").write_bytes(DOC if n == 0 else OTHER)
        p = poller(server, intake, tmp_path, known_host_key=" ".join(Path(f"{key}.pub").read_text().split()[:2]))
        await p.poll_once()
        assert len(await p.poll_once()) == 1, key.name
