"""`state/gateway.lock`'s `pid N` is what tells the next start that this run was killed, and so that what it was
posting may still run in Odoo (the in-doubt wait, `Pipeline.doubt_after_crash`). Written without fsync, a power cut
within the writeback delay (about 30 s) left the lock as the last clean stop emptied it: the next start took the
crash for a clean stop and posted again at once what Odoo may have been committing (a second sale order). And the
emptying at a clean stop, not on disk at a power cut, made the next start wait for nothing.

A power cut cannot be had in a test: the real daemon runs with a preloaded hook (this module, when
`EDI_TEST_FSYNC_LOG` is set) that notes each fsync the daemon makes with the content of the file then; the test reads
that the lock was on disk with the pid before the gateway said READY, and emptied on disk at the stop.
"""

from __future__ import annotations

import os
from pathlib import Path

FSYNC_LOG = os.environ.get("EDI_TEST_FSYNC_LOG")

if FSYNC_LOG:                  # in the daemon: note the fsyncs of gateway.lock, with what the file held then
    _fsync = os.fsync

    def _noting(fd: int) -> None:
        _fsync(fd)
        target = os.readlink(f"/proc/self/fd/{fd}")
        if target.endswith("/gateway.lock"):
            held = os.pread(fd, 64, 0).decode()
            with open(FSYNC_LOG, "a", encoding="utf-8") as log:
                log.write(f"{held.strip() or 'empty'}\n")

    os.fsync = _noting


def test_the_lock_pid_is_on_disk_before_ready_and_emptied_on_disk_at_a_clean_stop(tmp_path: Path) -> None:
    from tests.helpers.gateway import GatewayProcess, Workspace

    ws = Workspace.create(tmp_path)
    noted = tmp_path / "fsyncs.txt"
    gw = GatewayProcess(ws.config, preload=["tests.spine.test_intake18_lock_fsync"],
                        env={"EDI_TEST_FSYNC_LOG": str(noted)})
    try:
        gw.start()
        assert gw.proc is not None
        # Then by READY the pid was fsynced: a power cut from now on leaves it for the next start to find
        assert noted.read_text().splitlines() == [f"pid {gw.proc.pid}"], gw.output()
        assert gw.stop() == 0
    finally:
        gw.kill()
    # And a clean stop emptied it on disk: the next start after a power cut then waits for nothing
    assert noted.read_text().splitlines() == [f"pid {gw.proc.pid}", "empty"], gw.output()
    assert (ws.journal_path.parent / "gateway.lock").read_text() == ""
