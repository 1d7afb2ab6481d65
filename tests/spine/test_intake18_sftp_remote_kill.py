"""A file on a partner's SFTP server that kills the gateway while it is taken in (before it is a message) stayed on
that server, and the poller fetched it again at each start: a crash loop as with an inbox folder. The kills are now
counted on its remote path, size and mtime (`gateway.poison`); at the limit its download is kept, unread, in the
quarantine with a .reason.txt, and the partner's copy goes as after a take.

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

        # When the gateway is started again each time it dies, until the partner's folder is empty
        codes, logs = [], []
        for _ in range(5):
            gw = GatewayProcess(ws.config, preload=HOOK, env={"EDI_TEST_INTAKE_POISON": "KILLS1"},
                                wait_ready=False).start()
            assert gw.proc is not None
            deadline = time.monotonic() + 60
            while gw.proc.poll() is None and any(remote.iterdir()) and time.monotonic() < deadline:
                time.sleep(0.05)
            if gw.proc.poll() is None:
                gw.wait_notification("READY=1")
                wait_for(lambda: [r["state"] for r in ws.messages(direction="in")] == ["done"],
                         message=f"the good file done:\n{gw.output()}")
                codes.append(gw.stop())
                logs.append(gw.output())
                break
            codes.append(gw.proc.returncode)
            gw.kill()
            logs.append(gw.output())
        log = "".join(logs)
    finally:
        sshd.stop()

    # Then it died two or three times, and the next start kept the file in the quarantine and removed it remotely
    assert codes[-1] == 0 and set(codes[:-1]) == {-9} and 2 <= len(codes) - 1 <= 3, log
    [kept] = (ws.root / "quarantine" / "acme").glob("b_poison.x12.killed-*[0-9]Z")
    assert kept.read_bytes() == poison
    said = Path(f"{kept}.reason.txt").read_text()
    assert f"the gateway was killed {len(codes) - 1} times while taking this file in" in said
    assert f"It was {remote}/b_poison.x12 on 127.0.0.1" in said and "put the file back" in said, said
    assert f"{remote}/b_poison.x12 set aside" in log and "Traceback" not in log, log
    [row] = ws.messages(direction="in")
    assert row["filename"] == "a_good.x12" and row["state"] == "done"
