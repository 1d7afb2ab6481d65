"""An upload to our SFTP server that kills the gateway while it is taken in (at its close, before it is a message).
Its close was never answered, so the partner's client uploaded it again, and each upload killed the gateway again.
The kills are now counted on the account, name and size (`gateway.poison`); at the limit the upload is moved, unread,
to the quarantine with a .reason.txt and its close refused saying so, while other uploads go through.

The real daemon as a subprocess, the archive-copy kill hook of tests/spine/test_intake18_crash_loop.py, uploads with
paramiko and OpenSSH's sftp.
"""

from __future__ import annotations

import signal
from pathlib import Path

import paramiko

from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.net import free_port
from tests.helpers.wait import wait_for
from tests.helpers.x12 import purchase_order
from tests.spine.test_daemon import ACME
from tests.transports.sftp_util import known_hosts_line, make_key, openssh_sftp, paramiko_session

HOOK = ["tests.spine.test_intake18_crash_loop"]


def _upload(ws: Workspace, key: Path, port: int, name: str, data: bytes) -> str:
    """'ok', or what refused it: the server's message, or 'dropped' when the connection died under it."""
    try:
        ssh = paramiko_session(ws.root, key, port, user="acme")
    except (OSError, EOFError, paramiko.SSHException):
        return "dropped"
    try:
        with ssh.open_sftp() as sftp, sftp.open(f"/inbound/{name}", "wb") as handle:
            handle.write(data)
        return "ok"
    except OSError as exc:
        return str(exc)
    except (EOFError, paramiko.SSHException):
        return "dropped"
    finally:
        ssh.close()


def _openssh_put(ws: Workspace, key: Path, port: int, name: str, data: bytes) -> str:
    """OpenSSH's sftp, which says when the server refuses a close (paramiko's client ignores that: its partners
    take a refused upload for a delivered one); 'ok' or what it printed."""
    local = ws.root.parent / "peer" / name
    local.parent.mkdir(parents=True, exist_ok=True)
    local.write_bytes(data)
    known = ws.root / "known_hosts"
    known.write_text(known_hosts_line("127.0.0.1", port, ws.root / "state" / "ssh_host_ed25519_key.pub"))
    r = openssh_sftp(local.parent, port, "acme", key, known, f"put {local} inbound/{name}\n", check=False)
    return "ok" if r.returncode == 0 else r.stdout + r.stderr


def test_an_upload_that_kills_the_gateway_when_taken_in_is_refused_at_the_limit_and_kept(tmp_path: Path) -> None:
    key, port = make_key(tmp_path / "keys" / "acme"), free_port()
    ws = Workspace.create(tmp_path / "gw", {"sftp_server": {"enabled": True, "host": "127.0.0.1", "port": port}},
                          partners={"acme": {**ACME, "inbound": [{"channel": "sftp", "user": "acme",
                                                                  "authorized_keys": [f"{key}.pub"]}]}})
    poison = purchase_order(1, po="KILLS1")
    env = {"EDI_TEST_INTAKE_POISON": "KILLS1"}
    # Given a partner whose upload kills the gateway at its close, and who uploads it again after each kill
    for _ in (1, 2):
        gw = GatewayProcess(ws.config, preload=HOOK, env=env).start()
        assert _upload(ws, key, port, "po1.x12", poison) == "dropped"
        assert gw.proc is not None and gw.proc.wait(30) == -signal.SIGKILL, gw.output()
        gw.kill()

    # When it uploads it a third time, and another order, and the first once more
    with GatewayProcess(ws.config, preload=HOOK, env=env) as gw:
        refused = _openssh_put(ws, key, port, "po1.x12", poison)
        fine = _upload(ws, key, port, "po2.x12", purchase_order(2))
        again = _openssh_put(ws, key, port, "po1.x12", poison)
        # and then its next order under the same name, exactly as long (a partner with a fixed file name)
        nxt = purchase_order(1, po="NEXT01")
        assert len(nxt) == len(poison)
        following = _openssh_put(ws, key, port, "po1.x12", nxt)
        assert following == "ok", (following, gw.output())    # not the file set aside: taken
        wait_for(lambda: [r["state"] for r in ws.messages(direction="in")] == ["done", "done"],
                 message="the other orders")
        output = gw.output()

    # Then the gateway lived: the upload refused saying why, kept unread with its reason; the other one processed
    for said in (refused, again):       # (OpenSSH names the status only; WinSCP shows the server's text)
        assert "close remote: Failure" in said, (said, output)
    assert fine == "ok"
    kept = sorted((ws.root / "quarantine" / "acme").glob("po1.x12.killed-*[0-9]Z"))
    assert len(kept) == 2 and all(k.read_bytes() == poison for k in kept), output
    reason = Path(f"{kept[0]}.reason.txt").read_text()
    assert "the gateway was killed 2 times while taking this file in, before it was recorded (2 of them while it " \
        "was taken alone)" in reason and "uploaded by acme as inbound/po1.x12" in reason, reason
    assert "SFTP upload acme/inbound/po1.x12 set aside" in output and "Traceback" not in output, output
    assert sorted(r["filename"] for r in ws.messages(direction="in")) == ["po1.x12", "po2.x12"]
    assert all(b"KILLS1" not in ws.archived(r["sha256"]).read_bytes() for r in ws.messages(direction="in"))
