"""The SFTP server's host key and its public half (`state/ssh_host_ed25519_key.pub`, what an operator hands partners
to pin): a stop between writing the key and its `.pub` (SIGKILL, power cut) left the `.pub` empty or missing for
good, since the next start reused the key and wrote nothing (seen in the chaos run, seed 7702 of
EDI_CHAOS_SEED=7700 EDI_CHAOS_SEEDS=3 EDI_CHAOS_ROUNDS=16: the partner's known_hosts line came out of an empty file)."""

from __future__ import annotations

import stat
from pathlib import Path

import asyncssh
import pytest

from gateway.transports.sftp_server import load_host_key


def public_half(path: Path) -> bytes:
    return bytes(asyncssh.read_public_key(str(path.with_name(path.name + ".pub"))).public_data)


@pytest.mark.parametrize("left", ["empty", "missing", "cut", "another key"])
def test_a_start_writes_the_public_half_again_when_it_does_not_hold_the_key(tmp_path: Path, left: str) -> None:
    path = tmp_path / "state" / "ssh_host_ed25519_key"
    key = load_host_key(path)
    pub = path.with_name(path.name + ".pub")
    whole = pub.read_bytes()
    if left == "missing":
        pub.unlink()
    else:
        pub.write_bytes({"empty": b"", "cut": whole[:20],
                         "another key": asyncssh.generate_private_key("ssh-ed25519").export_public_key()}[left])
    again = load_host_key(path)
    assert again.public_data == key.public_data                 # the same key, kept: partners pinned it
    assert public_half(path) == key.public_data and pub.read_bytes() == whole
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and not list(pub.parent.glob(".*.tmp"))


def test_a_public_half_that_holds_the_key_is_left_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "ssh_host_ed25519_key"
    key = load_host_key(path)
    pub = path.with_name(path.name + ".pub")
    pub.write_bytes(pub.read_bytes().rstrip(b"\n") + b" gateway@acme\n")     # an operator's comment
    before = pub.stat().st_ino
    load_host_key(path)
    assert pub.stat().st_ino == before and pub.read_bytes().endswith(b" gateway@acme\n")
    assert public_half(path) == key.public_data


def test_the_public_half_is_replaced_whole_never_cut_under_a_reader(tmp_path: Path) -> None:
    """Written to a new file renamed over it: someone copying it for a partner as the gateway starts reads the old
    file whole (or the new one), never a truncated one."""
    path = tmp_path / "ssh_host_ed25519_key"
    load_host_key(path)
    pub = path.with_name(path.name + ".pub")
    stale = asyncssh.generate_private_key("ssh-ed25519").export_public_key()
    pub.write_bytes(stale)
    with pub.open("rb") as reading:
        load_host_key(path)
        assert reading.read() == stale
