"""A stop that systemd ends with SIGKILL (TimeoutStopSec ran out while a long step still ran, a reboot that would
not wait) is no poison kill: the file being worked on is not counted, run alone, nor set aside. Before, two such
stops during the same long step (an Odoo post of a big order) quarantined a fine file as "killed twice alone".

The real daemon as a subprocess, its step made slow by `tests.helpers.poison_points`, SIGTERM then SIGKILL.
"""

from __future__ import annotations

import signal
from pathlib import Path

from tests.helpers.gateway import GatewayProcess
from tests.helpers.wait import wait_for
from tests.helpers.x12 import purchase_order
from tests.spine.test_poison17_crash_loop import HOOK, _kills, _workspace, run_like_systemd


def _inflight(path: Path) -> str:
    return path.read_text() if path.exists() else ""


def test_a_stop_ended_by_sigkill_counts_no_kill(tmp_path: Path) -> None:
    # Given a file whose parse takes longer than the drain systemd waits for (drain_seconds past TimeoutStopSec)
    ws = _workspace(tmp_path)
    ws.settings["drain_seconds"] = 120
    ws.write_config()
    inflight = ws.root / "state" / "inflight"
    env = {"EDI_TEST_SLOW": "SLOW2", "EDI_TEST_SLOW_SECONDS": "60", "EDI_TEST_POISON_STEP": "parse"}
    ws.drop("slow.x12", purchase_order(2, po="SLOW2"))

    # When twice the gateway is stopped while that parse runs, and killed by systemd before the drain ends
    for _ in range(2):
        gw = GatewayProcess(ws.config, preload=HOOK, env=env).start()
        try:
            wait_for(lambda: "running" in _inflight(inflight), timeout=30, message="its parse begun")
            gw.signal(signal.SIGTERM)
            gw.wait_notification("STOPPING=1")
            try:     # the stop noted (right after STOPPING=1); without it the kill below is counted as before
                wait_for(lambda: "stopping" in _inflight(inflight), timeout=3, message="stop noted")
            except AssertionError:
                pass
        finally:
            gw.kill()

    # Then the next start (the step now quick) counts no kill: the file is done, nothing set aside
    codes, log = run_like_systemd(ws, {"EDI_TEST_POISON_STEP": "parse"}, 1)
    assert codes == [0], log
    [row] = ws.messages(direction="in")
    assert row["state"] == "done" and not _kills(ws, row["id"]), (row, log)
    assert ws.count(state="quarantined") == 0


def test_a_suspect_stays_one_through_a_stop_ended_by_sigkill(tmp_path: Path) -> None:
    # Given a file the gateway was killed on once, so that the next start runs it alone
    ws = _workspace(tmp_path)
    ws.settings["drain_seconds"] = 120
    ws.write_config()
    inflight = ws.root / "state" / "inflight"
    ws.drop("big.x12", purchase_order(2, po="SLOW2"))
    once = tmp_path / "kill.once"
    once.touch()
    gw = GatewayProcess(ws.config, preload=HOOK, wait_ready=False,
                        env={"EDI_TEST_POISON": "SLOW2", "EDI_TEST_POISON_ONCE": str(once)}).start()
    assert gw.proc is not None and gw.proc.wait(60) == -9, gw.output()
    gw.kill()

    # When its run alone is stopped and killed by systemd before the drain ends
    gw = GatewayProcess(ws.config, preload=HOOK, env={"EDI_TEST_SLOW": "SLOW2", "EDI_TEST_SLOW_SECONDS": "60"}).start()
    try:
        wait_for(lambda: "running" in _inflight(inflight), timeout=30, message="its parse begun")
        gw.signal(signal.SIGTERM)
        gw.wait_notification("STOPPING=1")
        wait_for(lambda: "stopping" in _inflight(inflight), timeout=10, message="stop noted")
    finally:
        gw.kill()

    # Then the next start runs it alone still (the kill it had is kept, the stop's not counted)
    codes, log = run_like_systemd(ws, {}, 1)
    assert codes == [0], log
    [row] = ws.messages(direction="in")
    assert f"running {row['id']} alone" in log, log
    assert row["state"] == "done" and [k.rsplit(": ", 1)[1] for k in _kills(ws, row["id"])] == ["kill 1"], log
