"""Our SFTP server against what partners' clients really do around an upload: temp names we know and ones we do
not, a second open to add to a file, a resume, pieces written out of order (paramiko, asyncssh, OpenSSH)."""

from __future__ import annotations

import asyncio
import random

import asyncssh
import pytest

from tests.helpers.wait import wait_for_async
from tests.transports.sftp_util import openssh_sftp
from tests.transports.test_sftp_hostile import asyncssh_client, staged
from tests.transports.test_sftp_server import DOC, SftpWorld, inbound_files, paramiko_client, sftp  # noqa: F401


@pytest.fixture
def world(sftp: SftpWorld) -> SftpWorld:  # noqa: F811  (the fixture imported above)
    """The SFTP server of test_sftp_server, with two partner accounts."""
    return sftp


async def test_spring_integrations_writing_suffix_is_a_temp_name(world: SftpWorld) -> None:
    """Spring Integration (and so many Java integrations) uploads `name.writing` and renames it: the temp file
    was taken at its close as a document named `po.edi.writing`, and the rename failed ("does not exist"),
    so the partner's flow reported the upload failed and sent it again."""
    def run() -> None:
        ssh = paramiko_client(world, world.nw_key)
        s = ssh.open_sftp()
        with s.open("/inbound/po-7.edi.writing", "wb") as f:
            f.write(DOC)
        assert world.intake.messages() == []
        s.rename("/inbound/po-7.edi.writing", "/inbound/po-7.edi")          # SFTP v3 rename, as Spring's
        ssh.close()
    await asyncio.to_thread(run)
    (msg,) = world.intake.messages()
    assert msg.filename == "po-7.edi" and world.intake.stored(msg) == DOC
    assert inbound_files(world) == []


async def test_a_rename_after_an_upload_under_a_temp_name_we_do_not_know_is_answered_ok(world: SftpWorld) -> None:
    """`.inprogress` is no temp name of ours: the upload is taken when it closes; the client's rename to the
    final name failed ("does not exist") and the partner resent the file."""
    conn, client = await asyncssh_client(world)
    async with conn:
        async with client.open("/inbound/po-8.inprogress", "wb") as f:
            await f.write(DOC)
        await client.rename("/inbound/po-8.inprogress", "/inbound/po-8.edi")
        assert (await client.stat("/inbound/po-8.edi")).size == len(DOC)     # as a client checks after
        with pytest.raises(asyncssh.SFTPNoSuchFile):
            await client.rename("/inbound/po-8.inprogress", "/inbound/po-8.edi")   # gone now, as it says
    (msg,) = world.intake.messages()
    assert msg.filename == "po-8.inprogress" and world.intake.stored(msg) == DOC


async def test_adding_to_a_file_taken_at_its_close_is_refused_not_taken_as_a_second_document(
        world: SftpWorld) -> None:
    """Write, close, open again to append: the tail was taken as a document of its own."""
    conn, client = await asyncssh_client(world)
    async with conn:
        async with client.open("/inbound/po-9.edi", "wb") as f:
            await f.write(DOC[:40])
        with pytest.raises(asyncssh.SFTPFailure, match="taken when its upload closed"):
            await client.open("/inbound/po-9.edi", "ab")
    (msg,) = world.intake.messages()
    assert world.intake.stored(msg) == DOC[:40]
    assert staged(world) == []


async def test_openssh_reput_of_a_file_taken_at_its_close_is_refused_not_taken_with_a_gap(
        world: SftpWorld) -> None:
    """OpenSSH `reput` (FileZilla's and WinSCP's resume alike) writes from the size the server states: the
    upload holding only the rest was taken, its first bytes read as NULs."""
    (world.tmp / "part.edi").write_bytes(DOC[:30])
    (world.tmp / "whole.edi").write_bytes(DOC)
    r = await asyncio.to_thread(openssh_sftp, world.tmp, world.port, "northwind", world.nw_key, world.known_hosts,
                                f"put {world.tmp / 'part.edi'} /inbound/po-10.edi\n"
                                f"reput {world.tmp / 'whole.edi'} /inbound/po-10.edi\n", check=False)
    assert r.returncode != 0, r.stdout + r.stderr
    (msg,) = world.intake.messages()
    assert world.intake.stored(msg) == DOC[:30]
    assert staged(world) == [] and inbound_files(world) == []


async def test_pieces_written_out_of_order_are_one_whole_upload(world: SftpWorld) -> None:
    """Works already (kept as a guard): rclone's multi-thread upload writes its pieces in any order."""
    conn, client = await asyncssh_client(world)
    pieces = [(n, DOC[n:n + 10]) for n in range(0, len(DOC), 10)]
    random.Random(7).shuffle(pieces)
    async with conn:
        f = await client.open("/inbound/po-11.edi", asyncssh.FXF_WRITE | asyncssh.FXF_CREAT | asyncssh.FXF_TRUNC,
                              encoding=None)
        for offset, piece in pieces:
            await f.write(piece, offset)
        await f.close()
    (msg,) = world.intake.messages()
    assert world.intake.stored(msg) == DOC


async def test_an_upload_written_in_too_many_scattered_pieces_is_refused(world: SftpWorld) -> None:
    """The written stretches an upload keeps track of are bounded: one byte every other byte is refused once
    they pass MAX_SPANS, and nothing is taken."""
    from gateway.transports.sftp_server import MAX_SPANS
    conn, client = await asyncssh_client(world)
    async with conn:
        f = await client.open("/inbound/po-12.edi", asyncssh.FXF_WRITE | asyncssh.FXF_CREAT | asyncssh.FXF_TRUNC,
                              encoding=None)
        await asyncio.gather(*(f.write(b"x", 2 * n) for n in range(MAX_SPANS)))      # pipelined, as clients do
        await f.write(b"x", 2 * MAX_SPANS)
        with pytest.raises(asyncssh.SFTPFailure, match="too many separate pieces"):
            await f.write(b"x", 2 * MAX_SPANS + 2)
        with pytest.raises(asyncssh.SFTPFailure):
            await f.close()
    assert world.intake.messages() == [] and staged(world) == []


async def test_winscp_sending_a_name_again_in_one_session_deletes_the_first_before_its_rename(
        world: SftpWorld) -> None:
    """WinSCP (plain SFTP v3 rename, its default) uploads `.filepart`, finds the final name there (our stat
    answers for a file taken this session) and deletes it before renaming: the delete was refused ("files may
    only be read from outbound/") and the second upload failed."""
    corrected = DOC.replace(b"000000007", b"000000008")

    def run() -> None:
        ssh = paramiko_client(world, world.nw_key)
        s = ssh.open_sftp()
        with s.open("/inbound/po-13.edi", "wb") as f:
            f.write(DOC)
        with s.open("/inbound/po-13.edi.filepart", "wb") as f:
            f.write(corrected)
        s.stat("/inbound/po-13.edi")
        s.remove("/inbound/po-13.edi")
        s.rename("/inbound/po-13.edi.filepart", "/inbound/po-13.edi")
        s.utime("/inbound/po-13.edi", (1_000_000, 1_000_000))             # its preserved timestamp, ignored
        ssh.close()
    await asyncio.to_thread(run)
    assert sorted(world.intake.stored(m) for m in world.intake.messages()) == [DOC, corrected]
    assert inbound_files(world) == []


async def test_renaming_a_downloaded_file_in_outbound_is_refused_saying_what_to_do(world: SftpWorld) -> None:
    """A partner's client set to rename or archive a file after download was told "files may only be written
    directly into inbound/", which says nothing of what it should do instead."""
    (world.settings.root / "northwind" / "outbound" / "ack-1.edi").write_bytes(DOC)

    def run() -> str:
        ssh = paramiko_client(world, world.nw_key)
        s = ssh.open_sftp()
        assert s.open("/outbound/ack-1.edi").read() == DOC
        try:
            s.rename("/outbound/ack-1.edi", "/outbound/ack-1.edi.done")
        except PermissionError as exc:
            return str(exc)
        finally:
            ssh.close()
        return "renamed"
    said = await asyncio.to_thread(run)
    assert "delete a file once downloaded" in said
    assert (world.settings.root / "northwind" / "outbound" / "ack-1.edi").read_bytes() == DOC


async def test_an_upload_under_a_temp_name_with_bytes_never_written_is_refused_not_taken_with_nuls(
        world: SftpWorld) -> None:
    """A temp-name upload was stored in inbound/ as written, holes and all, and its rename to the final name
    took it: a resume from past the end of the `.part` there (or of one already renamed and taken), or several
    handles writing one piece each of a file (each its own upload), gave a document whose missing bytes read
    as NULs. Such an upload is refused at its close, saying from which byte; a resume from where the `.part`
    ends still works."""
    flags = asyncssh.FXF_WRITE | asyncssh.FXF_CREAT
    conn, client = await asyncssh_client(world)
    async with conn:
        f = await client.open("/inbound/po-14.edi.part", flags, encoding=None)
        await f.write(DOC[30:], 30)                                 # the first 30 bytes never come
        with pytest.raises(asyncssh.SFTPFailure, match="bytes from 0 on were never written") as refused:
            await f.close()
        assert "taken" not in str(refused.value)                  # it was not: the partner must not think so
        assert inbound_files(world) == []
        async with client.open("/inbound/po-15.edi.part", "wb") as f:
            await f.write(DOC[:30])
        f = await client.open("/inbound/po-15.edi.part", flags, encoding=None)     # OpenSSH reput, WinSCP resume
        await f.write(DOC[30:], (await client.stat("/inbound/po-15.edi.part")).size or 0)
        await f.close()
        await client.rename("/inbound/po-15.edi.part", "/inbound/po-15.edi")
    (msg,) = world.intake.messages()
    assert msg.filename == "po-15.edi" and world.intake.stored(msg) == DOC
    assert staged(world) == [] and inbound_files(world) == []


async def test_a_temp_name_upload_cut_off_with_a_gap_is_kept_only_up_to_the_gap(world: SftpWorld) -> None:
    """A session ending under a temp-name upload keeps it in inbound/ for a resume, which starts from its size:
    with pieces written out of order (a client's parallel writes) and one missing when the connection dropped,
    the file kept ran to the last piece, the resume sent nothing more, and the rename took a document with NULs
    where the missing piece belonged. It is kept up to its first missing byte."""
    conn, client = await asyncssh_client(world)
    f = await client.open("/inbound/po-16.edi.part", "wb")
    await f.write(DOC[:20], 0)
    await f.write(DOC[40:], 40)                                     # 20..40 never arrives
    conn.close()                                                    # the connection drops, no close
    await conn.wait_closed()
    await wait_for_async(lambda: not staged(world), message="the cut-off upload kept")
    conn, client = await asyncssh_client(world)
    async with conn:
        size = (await client.stat("/inbound/po-16.edi.part")).size or 0      # as WinSCP and OpenSSH reput do
        f = await client.open("/inbound/po-16.edi.part", asyncssh.FXF_WRITE, encoding=None)
        await f.write(DOC[size:], size)
        await f.close()
        await client.rename("/inbound/po-16.edi.part", "/inbound/po-16.edi")
    (msg,) = world.intake.messages()
    assert world.intake.stored(msg) == DOC
