"""lint said nothing of two partner files' keys others could use (hunt 17).

The SSH private key we log into a partner's SFTP server with (`sftp_remote` `key`) is as secret as our AS2 key:
readable by others, anyone on the machine logs into the partner's server as us. OpenSSH's client refuses such a
key ("UNPROTECTED PRIVATE KEY FILE"), asyncssh takes it, and lint warned of every other key but this one. An
`authorized_keys` file of one of our SFTP accounts that others may write lets anyone on the machine add a key and
log in as that partner (OpenSSH's StrictModes refuses it). lint now warns of both, at their line, through the real
CLI; a tight setup stays quiet."""

from __future__ import annotations

import os
from pathlib import Path

from tests.helpers.gateway import Workspace, cli
from tests.transports.sftp_util import make_key


def _workspace(tmp: Path, key_mode: int, pub_mode: int) -> Workspace:
    ours, theirs = make_key(tmp / "keys" / "ours"), make_key(tmp / "keys" / "theirs")
    os.chmod(ours, key_mode)
    os.chmod(f"{theirs}.pub", pub_mode)
    remote = {"channel": "sftp_remote", "host": "127.0.0.1", "port": 2022, "user": "acme", "key": str(ours),
              "known_host_key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl",
              "remote_dir": "out"}
    return Workspace.create(tmp / "gw", {"sftp_server": {"enabled": True, "host": "127.0.0.1", "port": 0}},
                            partners={"acme": {"inbound": [remote, {"channel": "sftp", "user": "acme",
                                                                    "authorized_keys": [f"{theirs}.pub"]}],
                                               "outbound": remote}})


def _warnings(ws: Workspace) -> list[str]:
    done = cli("lint", config=ws.config)
    assert done.returncode == 0, done.stdout + done.stderr            # warnings, not errors
    return [line for line in done.stdout.splitlines() if line.startswith("warning:")]


def test_lint_warns_of_a_readable_sftp_key_and_writable_authorized_keys(tmp_path: Path) -> None:
    ws = _workspace(tmp_path, 0o644, 0o666)
    warnings = _warnings(ws)
    partner = str(ws.root / "partners" / "acme.yaml")
    for name in ("inbound[0].key:", "outbound.key:"):
        [line] = [w for w in warnings if name in w]
        assert "readable by group or others" in line and line.startswith(f"warning: {partner}:"), warnings
        assert line.split(":", 3)[2].isdecimal(), line                  # at its line in the partner file
    [line] = [w for w in warnings if "inbound[1].authorized_keys[0]:" in w]
    assert "writable by others" in line and "log in as acme" in line, warnings


def test_lint_is_quiet_for_a_private_key_and_authorized_keys_others_only_read(tmp_path: Path) -> None:
    assert _warnings(_workspace(tmp_path, 0o600, 0o644)) == []
