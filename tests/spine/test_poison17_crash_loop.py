"""A file whose processing kills the gateway (an OOM kill of a huge file, a segfault in a C library) is set aside
after a few kills, instead of being taken again at every restart while systemd restarts the gateway every few
seconds and little else goes through.

The real daemon as a subprocess, a test hook (`tests.helpers.poison_points`) that SIGKILLs it whenever a step works
on a file holding a marker, and a loop that starts it again each time it dies, as systemd's Restart= does.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from tests.helpers.gateway import GatewayProcess, Workspace, cli
from tests.helpers.wait import wait_for
from tests.helpers.x12 import purchase_order
from tests.spine.test_crash import ACTIVE, check_nothing_lost_nothing_doubled
from tests.spine.test_daemon import ACME

HOOK = ["tests.helpers.poison_points"]
KILLED = "the gateway was killed while"


def _settled(ws: Workspace, files: int) -> bool:
    rows = ws.messages(direction="in")
    return len(rows) >= files and not any(p.is_file() for p in ws.inbox.iterdir()) and \
        not any(r["state"] in ACTIVE for r in ws.messages())


def run_like_systemd(ws: Workspace, env: dict[str, str], files: int, starts: int = 8) -> tuple[list[int], str]:
    """Start the gateway again whenever it dies (systemd's Restart=on-failure) until every message is settled, then
    stop it cleanly; each run's exit code (-9: killed) and the runs' logs."""
    codes: list[int] = []
    logs: list[str] = []
    for _ in range(starts):
        gw = GatewayProcess(ws.config, preload=HOOK, env=env, wait_ready=False).start()
        assert gw.proc is not None
        deadline = time.monotonic() + 90
        while gw.proc.poll() is None and not _settled(ws, files) and time.monotonic() < deadline:
            time.sleep(0.1)
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


def _kills(ws: Workspace, message_id: str) -> list[str]:
    return [e["reason"] for e in ws.events(message_id) if e["reason"].startswith(KILLED)]


def _workspace(tmp_path: Path) -> Workspace:
    ws = Workspace.create(tmp_path, {"inbox": [{"path": "inbox", "processed": "inbox/processed", "min_age": 0.05}]},
                          partners={"acme": ACME})
    ws.inbox.mkdir(exist_ok=True)
    return ws


def test_a_file_that_kills_the_gateway_is_set_aside_at_its_third_kill_and_the_rest_goes_through(
        tmp_path: Path) -> None:
    # Given a poison file (each parse of it kills the gateway) dropped with four good ones, one of them slow enough
    # to be parsed beside it when it kills
    ws = _workspace(tmp_path)
    dropped = {"poison.x12": purchase_order(1, po="POISON1", lines=3), "slow.x12": purchase_order(2, po="SLOW2")}
    dropped |= {f"po{n}.x12": purchase_order(n, lines=n) for n in range(3, 6)}
    for name, data in dropped.items():
        ws.drop(name, data)
    env = {"EDI_TEST_POISON": "POISON1", "EDI_TEST_POISON_STEP": "parse", "EDI_TEST_SLOW": "SLOW2"}

    # When the gateway is started again each time it dies
    codes, log = run_like_systemd(ws, env, len(dropped))

    # Then it died three times (beside the slow file, then twice alone), and the fourth start set the file aside
    assert codes == [-9, -9, -9, 0], log
    rows = {r["filename"]: r for r in ws.messages(direction="in")}
    poison = rows["poison.x12"]
    assert poison["state"] == "quarantined"
    reason = poison["last_error"]
    assert reason.startswith("the gateway was killed 3 times while reading this file (step parse, 2 of them while "
                             "it ran alone); it is set aside so the rest can go on: look at its size ("), reason
    assert f"`edi-gateway show {poison['id']}`, then `edi-gateway replay {poison['id']}`" in reason
    assert f"`edi-gateway close {poison['id']} --reason TEXT`" in reason
    kills = _kills(ws, poison["id"])
    assert [k.rsplit(": ", 1)[1] for k in kills] == ["kill 1", "kill 2", "kill 3"], kills
    assert "beside" in kills[0] and "(step parse, alone)" in kills[1] and "(step parse, alone)" in kills[2]
    [copy] = (ws.root / "quarantine").glob(f"*/{poison['id']}_*.x12")
    assert copy.read_bytes() == dropped["poison.x12"]
    said = Path(f"{copy}.reason.txt").read_text()
    # what to do is about what killed it, not "after fixing the cause in Odoo or a partner file", there and in show
    next_step = (f"Give the gateway what it lacked (memory: systemd's MemoryMax=, the machine's), then: edi-gateway "
                 f"replay {poison['id']}\nOr have the partner send it in smaller files, and end this entry: "
                 f"edi-gateway close {poison['id']} --reason TEXT")
    assert reason in said and said.endswith(f"{next_step}\n") and "Odoo, a partner or profile" not in said, said
    shown = cli("show", str(poison["id"]), config=ws.config).stdout
    assert "Give the gateway what it lacked" in shown and "Odoo, a partner or profile" not in shown, shown
    assert json.loads(poison["meta"])["killed"]["set_aside"] is True
    # the slow file, killed once beside it, ran alone at the next start and finished; nothing else set aside
    slow = rows["slow.x12"]
    assert slow["state"] == "done" and len(_kills(ws, slow["id"])) == 1
    assert {r["filename"] for r in ws.messages(state="quarantined")} == {"poison.x12"}
    assert all(rows[name]["state"] == "done" for name in dropped if name != "poison.x12")
    check_nothing_lost_nothing_doubled(ws, dropped, "poison")
    assert "Traceback" not in log

    # When the gateway is restarted cleanly (no kill) Then nothing changes: no kill counted, nothing run again
    before = {r["id"]: (r["state"], len(ws.events(r["id"]))) for r in ws.messages()}
    codes, log = run_like_systemd(ws, env, len(dropped))
    assert codes == [0], log
    assert {r["id"]: (r["state"], len(ws.events(r["id"]))) for r in ws.messages()} == before


def test_a_single_kill_sets_nothing_aside(tmp_path: Path) -> None:
    # Given a file that kills the gateway once only (the kernel's OOM kill while something else ate the memory)
    ws = _workspace(tmp_path)
    dropped = {"big.x12": purchase_order(1, po="POISON1", lines=3), "po2.x12": purchase_order(2)}
    for name, data in dropped.items():
        ws.drop(name, data)
    once = tmp_path / "kill.once"
    once.touch()
    env = {"EDI_TEST_POISON": "POISON1", "EDI_TEST_POISON_STEP": "translate", "EDI_TEST_POISON_ONCE": str(once)}

    codes, log = run_like_systemd(ws, env, len(dropped))

    # Then the restart counted the kill, ran the file alone and finished it: nothing quarantined, nothing doubled
    assert codes == [-9, 0], log
    rows = {r["filename"]: r for r in ws.messages(direction="in")}
    assert rows["big.x12"]["state"] == "done" and ws.count(state="quarantined") == 0
    assert [k.split(" (")[1] for k in _kills(ws, rows["big.x12"]["id"])] in (
        ["step translate, alone): kill 1"], ["step translate, beside 1 other message): kill 1"])
    assert f"running {rows['big.x12']['id']} alone" in log
    check_nothing_lost_nothing_doubled(ws, dropped, "one kill")


def test_a_stop_that_cuts_a_step_short_is_no_kill(tmp_path: Path) -> None:
    # Given a file whose parse takes longer than drain_seconds
    ws = _workspace(tmp_path)
    ws.settings["drain_seconds"] = 0.5
    ws.write_config()
    env = {"EDI_TEST_SLOW": "SLOW2", "EDI_TEST_SLOW_SECONDS": "3", "EDI_TEST_POISON_STEP": "parse"}
    gw = GatewayProcess(ws.config, preload=HOOK, env=env).start()
    try:
        ws.drop("slow.x12", purchase_order(2, po="SLOW2"))
        wait_for(lambda: "running" in (ws.root / "state" / "inflight").read_text()
                 if (ws.root / "state" / "inflight").exists() else False, message="its parse begun")
        # When the gateway is stopped (SIGTERM) while that parse runs: the drain ends before it
        assert gw.stop() == 0
    finally:
        gw.kill()
    assert "work still running" in gw.output()
    # Then the next start counts no kill: the file is processed as any other
    codes, log = run_like_systemd(ws, env, 1)
    assert codes == [0], log
    [row] = ws.messages(direction="in")
    assert row["state"] == "done" and not _kills(ws, row["id"])


def test_an_acknowledgement_whose_delivery_kills_the_gateway_is_set_dead_and_the_rest_goes_out(
        tmp_path: Path) -> None:
    # Given two orders, the 997 of the first killing the gateway whenever it is written to the partner's folder
    ws = _workspace(tmp_path)
    dropped = {"po777.x12": purchase_order(777), "po778.x12": purchase_order(778)}
    for name, data in dropped.items():
        ws.drop(name, data)
    env = {"EDI_TEST_POISON": "AK1*PO*777", "EDI_TEST_POISON_STEP": "delivery"}

    codes, log = run_like_systemd(ws, env, len(dropped))

    # Then that 997 is dead, saying why and how to send it again; the orders and the other 997 went through
    assert codes[-1] == 0 and set(codes[:-1]) == {-9} and 2 <= len(codes) - 1 <= 3, log
    acks = {r["parent_id"]: r for r in ws.messages(direction="out")}
    orders = {r["filename"]: r for r in ws.messages(direction="in")}
    poison = acks[orders["po777.x12"]["id"]]
    assert poison["state"] == "dead"
    assert poison["last_error"].startswith(f"the gateway was killed {len(codes) - 1} times while delivering this "
                                           "file (step delivery"), poison["last_error"]
    assert f"then `edi-gateway resend {poison['id']}`" in poison["last_error"]
    assert acks[orders["po778.x12"]["id"]]["state"] == "done"
    assert all(r["state"] == "done" for r in orders.values()) and ws.count(state="quarantined") == 0
    delivered = [p.name for p in (ws.root / "outbox" / "acme").iterdir()]
    assert delivered == [acks[orders["po778.x12"]["id"]]["filename"]]
