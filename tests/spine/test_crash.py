"""SIGKILL at many random points of intake and processing, then a restart: nothing lost, nothing doubled."""

from __future__ import annotations

import hashlib
import itertools
import json
import random
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.helpers.edifact import orders
from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.wait import wait_for
from tests.helpers.x12 import purchase_order
from tests.spine.test_daemon import ACME

EURO = {"name": "EuroHandel", "edifact": {"ids": [{"qualifier": "14", "id": "4012345000009"}], "contrl": True}}
ACTIVE = ("received", "parsed", "translated", "posted", "queued", "retry_wait")


def _settled(ws: Workspace) -> bool:
    """Every message finished, or waiting on a part of the gateway that is not installed."""
    if any(p.is_file() for p in ws.inbox.iterdir()):
        return False
    return all(not (r["state"] in ACTIVE) or (r["last_error"] or "").startswith("waiting in")
               for r in ws.messages())


@pytest.mark.slow
def test_sigkill_at_random_points_loses_nothing_and_doubles_nothing(tmp_path: Path) -> None:
    seed = random.randrange(1_000_000)
    rng = random.Random(seed)
    ws = Workspace.create(tmp_path, {"inbox": [{"path": "inbox", "processed": "inbox/processed",
                                                "min_age": 0.05}]}, partners={"acme": ACME, "euro": EURO})
    ws.inbox.mkdir(exist_ok=True)
    dropped: dict[str, bytes] = {}
    control = 1

    def drop_batch(count: int) -> None:
        nonlocal control
        for _ in range(count):
            kind = rng.random()
            if kind < 0.15:
                data = f"not edi {control} {rng.random()}".encode()
                name = f"junk{control}.txt"
            elif kind < 0.55:
                data = orders(control, lines=rng.randint(1, 30))
                name = f"orders{control}.edi"
            else:
                data = purchase_order(control, lines=rng.randint(1, 30))
                name = f"po{control}.x12"
            dropped[name] = data
            ws.drop(name, data)
            control += 1

    kills = 0
    for _ in range(10):
        drop_batch(rng.randint(2, 6))
        # most kills after READY (intake and processing), some during start-up and resume
        gw = GatewayProcess(ws.config, wait_ready=rng.random() < 0.7).start()
        time.sleep(rng.uniform(0.0, 0.3))
        drop_batch(rng.randint(0, 4))           # some arrive while it runs
        time.sleep(rng.uniform(0.0, 0.5))
        gw.kill()
        kills += 1
    with GatewayProcess(ws.config) as gw:
        wait_for(lambda: _settled(ws), timeout=90, message=f"all settled (seed {seed})")

    check_nothing_lost_nothing_doubled(ws, dropped, f"seed {seed}")
    assert kills == 10
    print(f"seed {seed}: {len(dropped)} files, states {Counter(r['state'] for r in ws.messages())}")


def check_nothing_lost_nothing_doubled(ws: Workspace, dropped: dict[str, bytes], label: str) -> None:
    """The invariants after any crash and restart, for files dropped into the shared inbox."""
    inbound = ws.messages(direction="in")
    originals = [r for r in inbound if r["state"] != "duplicate"]
    by_sha = Counter(r["sha256"] for r in originals)
    expected = {hashlib.sha256(d).hexdigest(): n for n, d in dropped.items()}
    # nothing lost: every file has its message and its bytes; nothing doubled: exactly one each
    assert set(by_sha) == set(expected), label
    assert all(count == 1 for count in by_sha.values()), f"{label}: {by_sha.most_common(3)}"
    for row in originals:
        assert ws.archived(row["sha256"]).read_bytes() == dropped[expected[row["sha256"]]]
    assert sorted(p.name for p in ws.processed.iterdir() if ".01" not in p.name) == sorted(dropped)
    # a row recorded twice (killed after the commit, before the file left the inbox) says so
    for row in inbound:
        if row["state"] == "duplicate":
            assert json.loads(row["meta"])["duplicate_of"] in {r["id"] for r in originals}
    # no acknowledgement or document created twice for one inbound message
    outbound = ws.messages(direction="out")
    per_parent = Counter((r["parent_id"], r["doc_type"]) for r in outbound)
    assert all(n == 1 for n in per_parent.values()), f"{label}: {per_parent.most_common(3)}"
    # delivered ones are finished unless the partner owes us an acknowledgement
    assert all(json.loads(r["meta"]).get("expects_ack") for r in outbound if r["state"] == "sent"), label
    controls = Counter((r["partner"], r["doc_type"], r["control_number"]) for r in outbound if r["control_number"])
    assert all(n == 1 for n in controls.values()), label
    # every event log starts at received and follows the state machine (transition() checked each step)
    for row in originals:
        events = ws.events(row["id"])
        assert events[0]["to_state"] == "received"
        assert all(a["to_state"] == b["from_state"] for a, b in itertools.pairwise(events))


@pytest.mark.parametrize("point", ["after_archive", "after_commit", "after_ack", "after_write"])
def test_sigkill_at_each_named_point_then_restart(tmp_path: Path, point: str) -> None:
    """Deterministic kill points: between archive and commit, commit and release, ack and PARSED,
    delivery and SENT. After the restart the invariants hold and the file was processed once."""
    ws = Workspace.create(tmp_path, {"inbox": [{"path": "inbox", "processed": "inbox/processed",
                                                "min_age": 0.05}]}, partners={"acme": ACME, "euro": EURO})
    marker = tmp_path / "kill.marker"
    marker.touch()
    dropped = {"orders1.edi": orders(1, lines=3)}
    ws.drop("orders1.edi", dropped["orders1.edi"])
    gw = GatewayProcess(ws.config, preload=["tests.helpers.kill_points"],
                        env={"EDI_TEST_KILL_AT": point, "EDI_TEST_KILL_MARKER": str(marker)}).start()
    try:
        assert gw.proc is not None
        gw.proc.wait(60)
        assert gw.proc.returncode == -9 and not marker.exists(), gw.output()
    finally:
        gw.kill()
    with GatewayProcess(ws.config):
        wait_for(lambda: _settled(ws) and ws.count(direction="out", state="done") == 1, timeout=60,
                 message=f"settled after a kill {point}")
    check_nothing_lost_nothing_doubled(ws, dropped, point)
    [ack] = ws.messages(direction="out")
    assert (ws.root / "outbox" / "euro" / ack["filename"]).read_bytes() == ws.archived(ack["sha256"]).read_bytes()
    if point == "after_commit":     # the inbox file was still there: taken again, recorded as a duplicate
        assert ws.count(direction="in", state="duplicate") == 1
