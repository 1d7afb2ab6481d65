"""Our SFTP server against paramiko and the OpenSSH `sftp` client, over loopback."""

from __future__ import annotations

import asyncio
import io
import os
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import paramiko
import pytest

from gateway.config.models import PartnerConfig, SftpAccountChannel, SftpServerSettings
from gateway.errors import JournalError
from gateway.journal.api import Direction, State
from gateway.outbound.sftp_channel import ACCOUNT
from gateway.transports.sftp_server import SftpServer, hash_password
from tests.transports.conftest import JournalIntake
from tests.transports.sftp_util import known_hosts_line, make_key, openssh_sftp

DOC = b"ISA*00*          *00*          *12*8005551234     *ZZ*ACMEDIST       *260101*1200*^*00501*000000007*0*P*>~\n"


@dataclass
class SftpWorld:
    """A started SftpServer with two partner accounts, their client keys and a pinned known_hosts."""

    server: SftpServer
    tmp: Path
    intake: JournalIntake
    partners: dict[str, PartnerConfig]
    settings: SftpServerSettings
    nw_key: Path
    shop_key: Path
    stranger: Path
    known_hosts: Path

    @property
    def port(self) -> int:
        assert self.server.port is not None, "server not started"
        return self.server.port

    @property
    def host_pub(self) -> bytes:
        assert self.server.host_key is not None, "server not started"
        return self.server.host_key.export_public_key()


@pytest.fixture
async def sftp(tmp_path: Path, intake: JournalIntake) -> AsyncIterator[SftpWorld]:
    keys = tmp_path / "keys"
    nw_key, shop_key, stranger = make_key(keys / "northwind"), make_key(keys / "shopmarket"), make_key(keys / "x")
    partners = {
        "northwind": PartnerConfig(id="northwind", inbound=[SftpAccountChannel(
            channel="sftp", user="northwind", authorized_keys=[Path(str(nw_key) + ".pub")],
            password_hash=hash_password("s3cret", iterations=1000))],
            outbound=SftpAccountChannel(channel="sftp", user="northwind")),
        "shopmarket": PartnerConfig(id="shopmarket", inbound=[SftpAccountChannel(
            channel="sftp", user="shopmarket", authorized_keys=[Path(str(shop_key) + ".pub")])]),
    }
    settings = SftpServerSettings(enabled=True, host="127.0.0.1", port=0, root=tmp_path / "sftp",
                                  host_key=tmp_path / "state" / "ssh_host_ed25519_key", max_file_size=64 * 1024,
                                  login_throttle_seconds=0.01, max_failed_logins=3)
    server = SftpServer(settings, partners, intake, intake.journal)
    await server.start()
    ACCOUNT.configure(settings.root, partners)
    w = SftpWorld(server, tmp_path, intake, partners, settings, nw_key, shop_key, stranger,
                  tmp_path / "known_hosts")
    w.known_hosts.write_text(known_hosts_line("127.0.0.1", w.port, w.host_pub))
    yield w
    await server.close()


def paramiko_client(w: SftpWorld, key: Path | None = None, user: str = "northwind",
                    password: str | None = None) -> paramiko.SSHClient:
    """paramiko with the host key pinned from our persisted key (RejectPolicy for anything else)."""
    ssh = paramiko.SSHClient()
    ssh.load_host_keys(str(w.known_hosts))
    ssh.set_missing_host_key_policy(paramiko.RejectPolicy())
    ssh.connect("127.0.0.1", port=w.port, username=user,
                key_filename=str(key) if key else None, password=password,
                look_for_keys=False, allow_agent=False, timeout=20, banner_timeout=20, auth_timeout=20)
    return ssh


def inbound_files(w: SftpWorld, user: str = "northwind") -> list[str]:
    return sorted(os.listdir(w.settings.root / user / "inbound"))


async def test_paramiko_upload_is_committed_before_close_returns_and_leaves_inbound(sftp: SftpWorld) -> None:
    def run() -> None:
        ssh = paramiko_client(sftp, sftp.nw_key)
        s = ssh.open_sftp()
        assert sorted(s.listdir("/")) == ["inbound", "outbound"]
        with s.open("/inbound/po-1.edi", "wb") as f:
            f.write(DOC)
        # the close returned: the journal must already hold it
        assert len(sftp.intake.messages()) == 1
        s.close()
        ssh.close()
    await asyncio.to_thread(run)
    (msg,) = sftp.intake.messages()
    assert msg.channel == "sftp" and msg.partner == "northwind" and msg.filename == "po-1.edi"
    assert sftp.intake.stored(msg) == DOC
    assert inbound_files(sftp) == []


async def test_paramiko_temp_name_then_rename(sftp: SftpWorld) -> None:
    def run() -> None:
        ssh = paramiko_client(sftp, sftp.nw_key)
        s = ssh.open_sftp()
        s.putfo(io.BytesIO(DOC), "inbound/po-2.edi.part")
        assert sftp.intake.messages() == []                    # temp names are not taken
        assert "po-2.edi.part" in s.listdir("inbound")
        s.posix_rename("inbound/po-2.edi.part", "inbound/po-2.edi")
        ssh.close()
    await asyncio.to_thread(run)
    (msg,) = sftp.intake.messages()
    assert msg.filename == "po-2.edi" and sftp.intake.stored(msg) == DOC
    assert inbound_files(sftp) == []


async def test_password_login(sftp: SftpWorld) -> None:
    def run() -> None:
        ssh = paramiko_client(sftp, None, password="s3cret")
        s = ssh.open_sftp()
        attrs = s.putfo(io.BytesIO(DOC), "inbound/pw.edi")     # paramiko stats after put
        assert attrs.st_size == len(DOC)
        ssh.close()
    await asyncio.to_thread(run)
    assert [m.filename for m in sftp.intake.messages()] == ["pw.edi"]


async def test_escape_attempts_are_refused(sftp: SftpWorld) -> None:
    outside = sftp.tmp / "secret.txt"
    outside.write_text("not for partners")
    os.symlink(outside, sftp.settings.root / "northwind" / "outbound" / "link-out")
    os.symlink(sftp.settings.root / "shopmarket", sftp.settings.root / "northwind" / "outbound" / "shop")
    os.symlink(sftp.tmp, sftp.settings.root / "northwind" / "inbound" / "escape-dir")
    os.symlink(outside, sftp.settings.root / "northwind" / "inbound" / "escape-file.edi")

    def run() -> dict[str, str]:
        ssh = paramiko_client(sftp, sftp.nw_key)
        s = ssh.open_sftp()
        failures: dict[str, str] = {}
        attempts: dict[str, Callable[[], object]] = {
            "read symlink out": lambda: s.open("/outbound/link-out").read(),
            "list symlinked other jail": lambda: s.listdir("/outbound/shop"),
            "write through symlinked dir": lambda: s.open("/inbound/escape-dir/x.edi", "wb").write(b"x"),
            "write onto symlinked file": lambda: s.open("/inbound/escape-file.edi", "wb").write(b"x"),
            "dotdot to other jail": lambda: s.open("/../shopmarket/inbound/x.edi", "wb").write(b"x"),
            "relative dotdot": lambda: s.open("../../../etc/passwd").read(),
            "absolute system path": lambda: s.stat("/etc/passwd"),
            "write into outbound": lambda: s.open("/outbound/x.edi", "wb").write(b"x"),
            "write into root": lambda: s.open("/x.edi", "wb").write(b"x"),
            "mkdir": lambda: s.mkdir("/inbound/sub"),
            "create symlink": lambda: s.symlink("/etc/passwd", "/inbound/pw"),
            "rename out of inbound": lambda: s.rename("/inbound/a.part", "/outbound/a"),
        }
        for label, attempt in attempts.items():
            try:
                attempt()
                failures[label] = "ALLOWED"
            except OSError as exc:
                failures[label] = str(exc)
        assert s.normalize("/../..") == "/"
        assert sorted(s.listdir("/..")) == ["inbound", "outbound"]
        assert sorted(s.listdir("/outbound")) == []               # symlinks are not listed
        ssh.close()
        return failures
    failures = await asyncio.to_thread(run)
    assert "ALLOWED" not in failures.values(), failures
    assert "outside your folder" in failures["read symlink out"]
    assert "outside your folder" in failures["write onto symlinked file"]
    assert outside.read_text() == "not for partners"
    assert sftp.intake.messages() == []
    assert inbound_files(sftp, "shopmarket") == []


async def test_oversized_upload_is_refused_and_nothing_stored(sftp: SftpWorld) -> None:
    def run() -> None:
        ssh = paramiko_client(sftp, sftp.nw_key)
        s = ssh.open_sftp()
        with pytest.raises(IOError, match="larger than the limit of 65536 bytes"), \
                s.open("/inbound/huge.edi", "wb") as f:
            f.write(b"x" * (70 * 1024))
            f.flush()
        ssh.close()
    await asyncio.to_thread(run)
    assert sftp.intake.messages() == []
    assert list((sftp.settings.root / ".staging" / "northwind").iterdir()) == []


async def test_failed_commit_fails_the_close_and_keeps_nothing(sftp: SftpWorld) -> None:
    """OpenSSH reports a failed close; paramiko ignores close status, so it is shown with a rename."""
    local = sftp.tmp / "po-x.edi"
    local.write_bytes(DOC)
    sftp.intake.fail = JournalError("disk full")
    r = await asyncio.to_thread(openssh_sftp, sftp.tmp, sftp.port, "northwind", sftp.nw_key, sftp.known_hosts,
                                f"put {local} inbound/po-x.edi\n", False)
    assert r.returncode != 0 and "close remote: Failure" in r.stderr      # OpenSSH prints the status only
    sftp.intake.fail = JournalError("disk full")

    def run() -> None:
        ssh = paramiko_client(sftp, sftp.nw_key)
        s = ssh.open_sftp()
        s.putfo(io.BytesIO(DOC), "inbound/po-y.edi.part")
        with pytest.raises(IOError, match="not accepted"):
            s.posix_rename("inbound/po-y.edi.part", "inbound/po-y.edi")
        assert "po-y.edi.part" in s.listdir("inbound")         # still there for a second try
        s.posix_rename("inbound/po-y.edi.part", "inbound/po-y.edi")
        ssh.close()
    await asyncio.to_thread(run)
    assert [m.filename for m in sftp.intake.messages()] == ["po-y.edi"]
    assert list((sftp.settings.root / ".staging" / "northwind").iterdir()) == []


async def test_wrong_key_refused_and_repeated_failures_lock_out(sftp: SftpWorld) -> None:
    def run() -> None:
        for _ in range(3):
            with pytest.raises(paramiko.AuthenticationException):
                paramiko_client(sftp, sftp.stranger)
        # locked out now: even the right password is refused from this address; an account's own key is not
        # (it cannot be guessed: see tests/security/test_hunt17r_sftp_lockout.py)
        with pytest.raises(paramiko.AuthenticationException):
            paramiko_client(sftp, None, password="s3cret")
    await asyncio.to_thread(run)
    assert sftp.server.locked("127.0.0.1")
    assert sftp.intake.messages() == []


async def test_other_partners_key_cannot_log_in_as_northwind(sftp: SftpWorld) -> None:
    def run() -> None:
        with pytest.raises(paramiko.AuthenticationException):
            paramiko_client(sftp, sftp.shop_key, user="northwind")
    await asyncio.to_thread(run)


async def test_openssh_sftp_batch_upload_rename_and_fetch_outbound(sftp: SftpWorld) -> None:
    journal = sftp.intake.journal
    out = journal.record_intake(direction=Direction.OUT, partner="northwind", channel="sftp",
                                filename="northwind_856_000000012.x12", sha256="2" * 64, size=5,
                                source_key="856:12", state=State.QUEUED)
    result = await ACCOUNT.deliver(out, b"ASN~\n", sftp.partners["northwind"])
    assert result.ack_pending
    journal.transition(out.id, State.SENT, result.detail, expect=State.QUEUED)
    local = sftp.tmp / "po-3.edi"
    local.write_bytes(DOC)
    fetched = sftp.tmp / "fetched.x12"
    r = await asyncio.to_thread(openssh_sftp, sftp.tmp, sftp.port, "northwind", sftp.nw_key, sftp.known_hosts,
                                f"put {local} inbound/po-3.edi.part\n"
                                "rename inbound/po-3.edi.part inbound/po-3.edi\n"
                                f"put {local} inbound/po-4.edi\nls outbound\n"
                                f"get outbound/northwind_856_000000012.x12 {fetched}\n"
                                "rm outbound/northwind_856_000000012.x12\n")
    assert "northwind_856_000000012.x12" in r.stdout
    assert sorted(m.filename for m in sftp.intake.messages()) == ["po-3.edi", "po-4.edi"]
    assert fetched.read_bytes() == b"ASN~\n"
    assert journal.get(out.id).state is State.DONE
    assert inbound_files(sftp) == []


async def test_openssh_refuses_escape_and_a_changed_host_key(sftp: SftpWorld) -> None:
    r = await asyncio.to_thread(openssh_sftp, sftp.tmp, sftp.port, "northwind", sftp.nw_key, sftp.known_hosts,
                                "cd ..\npwd\nls /\nget /etc/passwd\n", False)
    assert r.returncode != 0
    assert "Remote working directory: /" in r.stdout
    assert not (sftp.tmp / "passwd").exists()
    wrong = sftp.tmp / "wrong_known_hosts"
    other = make_key(sftp.tmp / "other_host")
    wrong.write_text(known_hosts_line("127.0.0.1", sftp.port, Path(str(other) + ".pub")))
    r = await asyncio.to_thread(openssh_sftp, sftp.tmp, sftp.port, "northwind", sftp.nw_key, wrong, "ls\n",
                                False)
    assert r.returncode != 0 and "HOST IDENTIFICATION HAS CHANGED" in r.stderr


async def test_host_key_is_persisted_across_restarts(sftp: SftpWorld) -> None:
    first = sftp.host_pub
    again = SftpServer(sftp.settings, sftp.partners, sftp.intake)
    await again.start()
    try:
        assert again.host_key is not None and again.host_key.export_public_key() == first
    finally:
        await again.close()


async def test_no_shell_no_exec(sftp: SftpWorld) -> None:
    import subprocess
    r = await asyncio.to_thread(lambda: subprocess.run(
        ["ssh", "-F", "/dev/null", "-p", str(sftp.port), "-i", str(sftp.nw_key), "-o", "IdentitiesOnly=yes",
         "-o", f"UserKnownHostsFile={sftp.known_hosts}", "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes",
         "northwind@127.0.0.1", "id"], capture_output=True, text=True, timeout=60, check=False))
    assert r.returncode != 0 and "exec request failed" in r.stderr and r.stdout == ""


async def test_keep_processed_moves_the_upload_to_inbound_processed(sftp: SftpWorld) -> None:
    sftp.settings.keep_processed = True

    def run() -> list[str]:
        ssh = paramiko_client(sftp, sftp.nw_key)
        s = ssh.open_sftp()
        s.putfo(io.BytesIO(DOC), "inbound/po-k.edi")
        listing: list[str] = s.listdir("inbound/processed")
        with pytest.raises(OSError):
            s.open("inbound/processed/po-k.edi", "wb")          # not writable, only a record
        ssh.close()
        return listing
    assert await asyncio.to_thread(run) == ["po-k.edi"]
    assert [m.filename for m in sftp.intake.messages()] == ["po-k.edi"]


async def test_close_ends_open_sessions(sftp: SftpWorld) -> None:
    import threading
    ready, done = threading.Event(), threading.Event()
    errors: list[str] = []

    def client() -> None:
        ssh = paramiko_client(sftp, sftp.nw_key)
        s = ssh.open_sftp()
        s.listdir("/")
        ready.set()
        done.wait(30)
        try:
            s.listdir("/")
        except Exception as exc:  # noqa: BLE001 - whatever paramiko raises, the session is gone
            errors.append(type(exc).__name__)
        ssh.close()
    t = threading.Thread(target=client)
    t.start()
    await asyncio.to_thread(ready.wait, 30)
    assert len(sftp.server.connections) == 1
    await sftp.server.close()
    assert not sftp.server.connections
    done.set()
    await asyncio.to_thread(t.join, 30)
    assert errors


async def test_asyncssh_client_fetches_outbound_with_get(sftp: SftpWorld) -> None:
    """asyncssh's own get() asks for the file's data ranges first; the read handle must answer it."""
    import asyncssh

    journal = sftp.intake.journal
    out = journal.record_intake(direction=Direction.OUT, partner="northwind", channel="sftp",
                                filename="northwind_810_000000021.x12", sha256="3" * 64, size=9,
                                source_key="810:21", state=State.QUEUED)
    await ACCOUNT.deliver(out, b"INVOICE~\n", sftp.partners["northwind"])
    fetched = sftp.tmp / "fetched-810.x12"
    async with (asyncssh.connect("127.0.0.1", sftp.port, username="northwind", client_keys=[str(sftp.nw_key)],
                                 known_hosts=str(sftp.known_hosts)) as conn,
                conn.start_sftp_client() as client):
        await client.get("/outbound/northwind_810_000000021.x12", str(fetched))
    assert fetched.read_bytes() == b"INVOICE~\n"


async def test_another_session_is_served_while_an_upload_is_being_made_durable(
        sftp: SftpWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fsync of a closing upload is held by the test until another partner's `ls` is answered:
    were it run on the event loop, that `ls` could only be answered after the hold ran out."""
    import threading

    staging = str(sftp.server.root / ".staging")
    real_fsync = os.fsync
    session_open, in_fsync, listed = threading.Event(), threading.Event(), threading.Event()
    released_by_listing: list[bool] = []

    def held_fsync(fd: int) -> None:
        if os.readlink(f"/proc/self/fd/{fd}").startswith(staging):
            in_fsync.set()
            released_by_listing.append(listed.wait(30))    # a bound for the failing case only
        real_fsync(fd)
    monkeypatch.setattr(os, "fsync", held_fsync)

    def other_partner() -> list[str]:
        ssh = paramiko_client(sftp, sftp.shop_key, user="shopmarket")
        s = ssh.open_sftp()
        s.listdir("/")
        session_open.set()
        assert in_fsync.wait(30), "the upload never reached its commit"
        names: list[str] = s.listdir("/")                        # answered while the upload's fsync is held
        listed.set()
        ssh.close()
        return names

    def uploader() -> int:
        assert session_open.wait(30)
        ssh = paramiko_client(sftp, sftp.nw_key)
        s = ssh.open_sftp()
        s.putfo(io.BytesIO(DOC), "inbound/held.edi")
        committed = len(sftp.intake.messages())                   # close answered only after the commit
        ssh.close()
        return committed

    names, committed = await asyncio.gather(asyncio.to_thread(other_partner), asyncio.to_thread(uploader))
    assert sorted(names) == ["inbound", "outbound"]
    assert released_by_listing == [True]
    assert committed == 1
    (msg,) = sftp.intake.messages()
    assert msg.filename == "held.edi" and sftp.intake.stored(msg) == DOC


async def test_unknown_users_and_key_only_accounts_cost_a_password_check_too(
        sftp: SftpWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    """A password login for an account that does not exist (or has no password) runs the same
    hash check, against a dummy hash of the same cost, so its timing does not reveal the account."""
    from gateway.transports import sftp_server

    checked: list[tuple[str, str]] = []
    real_check = sftp_server.check_password

    def spy(password: str, encoded: str) -> bool:
        checked.append((password, encoded))
        return real_check(password, encoded)
    monkeypatch.setattr(sftp_server, "check_password", spy)

    def run() -> None:
        for user in ("ghost", "shopmarket", "northwind"):
            with pytest.raises(paramiko.AuthenticationException):
                paramiko_client(sftp, None, user=user, password="guess")
    await asyncio.to_thread(run)
    assert [password for password, _ in checked] == ["guess", "guess", "guess"]
    known = sftp.server.accounts["northwind"].password_hash
    assert known is not None and checked[2][1] == known
    costs = {encoded.split("$")[1] for _, encoded in checked}
    assert costs == {known.split("$")[1]}                          # same algorithm and iterations for all three
    assert checked[0][1] != known and checked[1][1] != known
