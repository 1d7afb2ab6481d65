"""A start after a kill reads `state/inflight` as the killed run left it: cut short mid-line (a machine crash's
unflushed page), not ascii, or naming messages finished since. None of that stops the start or counts a kill on a
message that is not at a step."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.x12 import purchase_order
from tests.spine.test_poison17_crash_loop import _kills, _workspace, run_like_systemd


@pytest.mark.parametrize("left", [b"running 01M8QHZQ9BZSAJ", b"\xff\xfe\x00running x\n", b"\x00" * 4096,
                                  b"suspect \nrunning \nstopping running\n"])
def test_a_stale_or_cut_inflight_list_does_not_stop_the_start(tmp_path: Path, left: bytes) -> None:
    # Given a killed run's lock and a list it left cut or garbled, and a file to process
    ws = _workspace(tmp_path)
    state = ws.root / "state"
    state.mkdir(parents=True, exist_ok=True)
    (state / "gateway.lock").write_text("pid 999999\n")
    (state / "inflight").write_bytes(left)
    ws.drop("po1.x12", purchase_order(1))

    # When the gateway starts Then it processes the file as any other, no kill counted
    codes, log = run_like_systemd(ws, {}, 1)
    assert codes == [0], log
    [row] = ws.messages(direction="in")
    assert row["state"] == "done" and not _kills(ws, row["id"]), log
    assert "Traceback" not in log
