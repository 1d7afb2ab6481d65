"""A file on a partner's SFTP server that kills the gateway while it is taken in (before it is a message) stayed on
that server, and the poller fetched it again at each start: a crash loop as with an inbox folder. The kills are now
counted on its remote path, size and mtime (`gateway.poison`); at the limit its download is kept, unread, in the
quarantine with a .reason.txt, and the partner's copy goes as after a take. A partner's server that refuses the
delete (a read-only drop folder) leaves it there: the next start fetches it again and sets it aside at once, its
count kept until the partner's copy is gone, instead of dying on it twice more at every restart.

The real daemon as a subprocess polling a real OpenSSH sshd, the archive-copy kill hook of
tests/spine/test_intake18_crash_loop.py, restarted each time it dies as systemd does.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.wait import wait_for
from tests.helpers.x12 import purchase_order
from tests.spine.test_daemon import ACME
from tests.transports.sftp_util import Sshd, make_key

HOOK = ["tests.spine.test_intake18_crash_loop"]


@pytest.mark.skipif(not Path("/usr/sbin/sshd").exists(), reason="openssh-server not installed")
def test_a_remote_file_that_kills_the_gateway_when_taken_in_is_set_aside_and_removed(tmp_path: Path) -> None:
    key = make_key(tmp_path / "keys" / "gateway")
    sshd = Sshd(tmp_path, Path(f"{key}.pub"))
    as_shipped = sshd.config.read_text()
    # a read-only drop folder first: the partner's server refuses our delete
    sshd.config.write_text(as_shipped.replace("ForceCommand internal-sftp\n", "ForceCommand internal-sftp -P remove\n"))
    sshd.start()
    try:
        remote = tmp_path / "partner" / "out"
        remote.mkdir(parents=True)
        ws = Workspace.create(tmp_path / "gw", {}, partners={"acme": {**ACME, "inbound": [{
            "channel": "sftp_remote", "host": "127.0.0.1", "port": sshd.port, "user": sshd.user, "key": str(key),
            "known_host_key": sshd.host_pub, "remote_dir": str(remote), "pattern": "*.x12", "interval": 0.2}]}})
        poison = purchase_order(1, po="KILLS1")
        (remote / "a_good.x12").write_bytes(purchase_order(2))
        (remote / "b_poison.x12").write_bytes(poison)
        env = {"EDI_TEST_INTAKE_POISON": "KILLS1"}

        def set_aside(gw: GatewayProcess) -> bool:
            return f"{remote}/b_poison.x12 set aside" in gw.output()

        # When the gateway is started again each time it dies, until it sets the file aside
        codes, logs = [], []
        for _ in range(5):
            gw = GatewayProcess(ws.config, preload=HOOK, env=env, wait_ready=False).start()
            assert gw.proc is not None
            deadline = time.monotonic() + 60
            while gw.proc.poll() is None and not set_aside(gw) and time.monotonic() < deadline:
                time.sleep(0.05)
            if gw.proc.poll() is None:
                gw.wait_notification("READY=1")
                wait_for(lambda: "done" in [r["state"] for r in ws.messages(direction="in")],
                         message=f"the good file done:\n{gw.output()}")
                codes.append(gw.stop())
                logs.append(gw.output())
                break
            codes.append(gw.proc.returncode)
            gw.kill()
            logs.append(gw.output())
        log = "".join(logs)
        # Then it died two or three times, and the next start kept the file in the quarantine; their server
        # refused the delete: left there
        assert codes[-1] == 0 and set(codes[:-1]) == {-9} and 2 <= len(codes) - 1 <= 3, log
        assert (remote / "b_poison.x12").exists() and "refused to delete" in log, log

        # When the partner's server lets us delete again and the gateway is restarted (it fetches the file again)
        sshd.stop()
        sshd.config.write_text(as_shipped)
        sshd.start()
        with GatewayProcess(ws.config, preload=HOOK, env=env) as gw:
            wait_for(lambda: not any(remote.iterdir()) or gw.proc is None or gw.proc.poll() is not None,
                     message=f"the partner's folder emptied:\n{gw.output()}")
            assert gw.proc is not None and gw.proc.poll() is None, gw.output()
            log += gw.output()
    finally:
        sshd.stop()

    # Then it lived: set aside again at once, without a kill, and removed remotely; the counts let go
    kept = sorted((ws.root / "quarantine" / "acme").glob("b_poison.x12.killed-*[0-9]Z"))
    assert len(kept) == 2 and all(k.read_bytes() == poison for k in kept), log
    said = Path(f"{kept[0]}.reason.txt").read_text()
    assert f"the gateway was killed {len(codes) - 1} times while taking this file in" in said
    assert f"It was {remote}/b_poison.x12 on 127.0.0.1" in said and "put the file back" in said, said
    assert "Traceback" not in log, log
    assert not (ws.root / "state" / "intake-kills").exists()
    # the good file processed once (fetched again at each start while their server kept it: duplicates)
    rows = ws.messages(direction="in")
    assert {r["filename"] for r in rows} == {"a_good.x12"}, rows
    assert [r["state"] for r in rows].count("done") == 1 and {r["state"] for r in rows} == {"done", "duplicate"}
