"""A file that kills the gateway while it is taken in, in an inbox folder the gateway may read but not change (a
read-only mount, a folder another user owns). At the limit it was copied to the quarantine, but could not leave the
inbox: the set-aside said "stays in the inbox", was tried again 2 s later, and copied it again, every 2 s, until the
disk was full. Now it is set aside once, not taken again while it stays unchanged, and its count is kept, so that a
restart sets it aside at once instead of dying on it twice more.

The real daemon as a subprocess with the archive-copy kill hook of tests/spine/test_intake18_crash_loop.py, restarted
as systemd does; the inbox a read-only bind mount (root only).
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.wait import wait_for
from tests.helpers.x12 import purchase_order
from tests.spine.test_daemon import ACME

HOOK = ["tests.spine.test_intake18_crash_loop"]
ENV = {"EDI_TEST_INTAKE_POISON": "KILLS1"}


def test_a_file_that_kills_the_gateway_in_a_read_only_inbox_is_set_aside_once(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("a read-only bind mount needs root")
    ws = Workspace.create(tmp_path, {"inbox": [{"path": "inbox", "processed": "inbox/processed", "min_age": 0.05}]},
                          partners={"acme": ACME})
    (ws.inbox / "processed").mkdir(parents=True, exist_ok=True)
    poison = purchase_order(1, po="KILLS1")
    ws.drop("po1.x12", poison)
    inbox = str(ws.inbox)
    if subprocess.run(["mount", "--bind", inbox, inbox], check=False).returncode != 0:
        pytest.skip("cannot bind-mount here")
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", inbox], check=True)
        # Given a gateway that died twice taking the file in (alone); each process kept referenced: a log file is
        # named after the object's id, and a new one under a freed id appends to an old one's log
        started: list[GatewayProcess] = []
        for _ in (1, 2):
            gw = GatewayProcess(ws.config, preload=HOOK, env=ENV, wait_ready=False).start()
            started.append(gw)
            assert gw.proc is not None and gw.proc.wait(60) == -9, gw.output()
            gw.kill()

        # When it starts again, sets the file aside, and runs on a while (an inbox retries a failed file after 2 s)
        with GatewayProcess(ws.config, preload=HOOK, env=ENV) as gw:
            started.append(gw)
            wait_for(lambda: "set aside: po1.x12" in gw.output(), message="set aside")
            time.sleep(2.5)            # one retry of a failed file (RETRY_SECONDS 2) would have come
            first = gw.output()
        # and once more (a deploy), the file still in the inbox
        with GatewayProcess(ws.config, preload=HOOK, env=ENV) as again:
            started.append(again)
            wait_for(lambda: "set aside: po1.x12" in again.output(), message=f"set aside again:\n{again.output()}")
            assert again.proc is not None and again.proc.poll() is None
            second = again.output()
    finally:
        subprocess.run(["umount", "-l", inbox], check=False)

    # Then it was copied once per start, never killed the gateway again, and stays where it is, as it must
    kept = sorted((ws.root / "quarantine" / "unknown").glob("po1.x12.killed-*[0-9]Z"))
    assert len(kept) == 2 and all(k.read_bytes() == poison for k in kept), first + second
    assert first.count("set aside: po1.x12") == 1 and "but it cannot leave" in first, first
    assert "killed while taking" not in second and "Traceback" not in first + second, second
    assert (ws.inbox / "po1.x12").read_bytes() == poison
    assert ws.messages() == []
