"""A file that kills the gateway while it is taken in, before it is a message (its copy into the archive; an AS2
message's decryption, verification or decompression), stayed in the inbox folder: under systemd's Restart= the
gateway took it again at each start and died again, for ever, and nothing else went through. The guard of files that
kill the gateway after intake (state/inflight, `gateway.poison`) now notes the files being taken in too: the start
after a kill counts it, the file is taken alone after that, and at the limit it leaves the inbox for the quarantine
with a .reason.txt, unread, while the other files flow.

The real daemon as a subprocess with a preloaded hook (this module, when `EDI_TEST_INTAKE_POISON` is set) that
SIGKILLs it, as an OOM kill or a crash in a C library would, whenever the archive is handed a file holding a marker;
the daemon is started again each time it dies, as systemd does.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

POISON = os.environ.get("EDI_TEST_INTAKE_POISON", "").encode()
SLOW = os.environ.get("EDI_TEST_INTAKE_SLOW", "").encode()

if POISON:                   # in the daemon: the archive's copy of a poison file kills it
    from gateway.journal.archive import Archive

    _put = Archive.put
    _slow_taking = threading.Event()

    def _killing_put(self: Archive, data: Any) -> str:
        content = data.read_bytes() if isinstance(data, Path) else bytes(data)
        if SLOW and SLOW in content:
            _slow_taking.set()
            time.sleep(1.5)
        if POISON in content:
            if SLOW:
                _slow_taking.wait(3.0)      # the slow file is surely being taken beside it at the kill
            os.kill(os.getpid(), signal.SIGKILL)
        return _put(self, data)

    Archive.put = _killing_put               # type: ignore[method-assign]


def _run_like_systemd(ws: Any, env: dict[str, str], files: int, starts: int = 6,
                      first: dict[str, str] | None = None) -> tuple[list[int], str]:
    """Start the gateway again whenever it dies until every good file is settled, then stop it; the exit codes.
    `first`: more of the environment for the first start only."""
    from tests.helpers.gateway import GatewayProcess
    from tests.helpers.wait import wait_for
    from tests.spine.test_poison17_crash_loop import _settled

    codes: list[int] = []
    logs: list[str] = []
    for start in range(starts):
        gw = GatewayProcess(ws.config, preload=["tests.spine.test_intake18_crash_loop"],
                            env={**env, **((first or {}) if start == 0 else {})}, wait_ready=False).start()
        assert gw.proc is not None
        deadline = time.monotonic() + 60
        while gw.proc.poll() is None and not _settled(ws, files) and time.monotonic() < deadline:
            time.sleep(0.05)
        if gw.proc.poll() is None:
            try:
                gw.wait_notification("READY=1")
                wait_for(lambda: _settled(ws, files), timeout=60, message=f"settled after {len(codes)} kills")
            except AssertionError as exc:
                gw.kill()
                raise AssertionError(f"{exc}: {ws.messages()}\n{''.join(logs)}{gw.output()}") from None
            codes.append(gw.stop())
            return codes, "".join(logs) + gw.output()
        codes.append(gw.proc.returncode)
        gw.kill()
        logs.append(gw.output() + f"--- exit {gw.proc.returncode}\n")
    raise AssertionError(f"still dying after {starts} starts: {codes}\n{''.join(logs)}")


def test_a_file_that_kills_the_gateway_while_taken_in_is_set_aside_and_the_rest_flows(tmp_path: Path) -> None:
    from tests.helpers.gateway import Workspace
    from tests.helpers.x12 import purchase_order
    from tests.spine.test_crash import check_nothing_lost_nothing_doubled
    from tests.spine.test_daemon import ACME

    # Given an inbox with a file whose intake kills the gateway, one slow to take (beside it at the first kill),
    # and two more
    ws = Workspace.create(tmp_path, {"inbox": [{"path": "inbox", "processed": "inbox/processed", "min_age": 0.05}]},
                          partners={"acme": ACME})
    ws.inbox.mkdir(exist_ok=True)
    good = {"b_slow.x12": purchase_order(2, po="SLOW2"), "c3.x12": purchase_order(3), "c4.x12": purchase_order(4)}
    poison = purchase_order(1, po="KILLS1")
    ws.drop("a_poison.x12", poison)
    for name, data in good.items():
        ws.drop(name, data)

    # When the gateway is started again each time it dies
    codes, log = _run_like_systemd(ws, {"EDI_TEST_INTAKE_POISON": "KILLS1"}, len(good),
                                   first={"EDI_TEST_INTAKE_SLOW": "SLOW2"})

    # Then it died two or three times (beside the slow file, then taken alone, after the other files) and the next
    # start set it aside
    assert codes[-1] == 0 and set(codes[:-1]) == {-9} and 2 <= len(codes) - 1 <= 3, log
    assert not (ws.inbox / "a_poison.x12").exists()
    [kept] = (ws.root / "quarantine" / "unknown").glob("a_poison.x12.killed-*[0-9]Z")
    assert kept.read_bytes() == poison                       # kept whole, never read by the gateway
    said = Path(f"{kept}.reason.txt").read_text()
    assert f"the gateway was killed {len(codes) - 1} times while taking this file in, before it was recorded" in said
    assert f"move the file back into {ws.inbox}" in said and "smaller files" in said, said
    assert "set aside: a_poison.x12" in log and "taking inbox file" in log and "in alone" in log, log
    # no message for it (it never was one); the others each processed once, the slow one included
    assert all(r["filename"] != "a_poison.x12" for r in ws.messages())
    rows = {r["filename"]: r for r in ws.messages(direction="in")}
    assert {n: rows[n]["state"] for n in good} == dict.fromkeys(good, "done")
    check_nothing_lost_nothing_doubled(ws, good, "intake poison")
    assert not (ws.root / "state" / "intake-kills").exists()   # the counts of files taken or set aside let go
    assert "Traceback" not in log
