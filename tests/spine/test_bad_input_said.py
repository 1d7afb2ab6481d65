"""What is wrong with a file is said where the operator looks, also when the rest of the file went on.

Found through the daemon: a file whose 850 was taken and whose 810 (a type the partner is not set up to send) was
rejected in the 997 showed as `done`, its events saying "parsed x12 810, 850" and `show` nothing more: the
rejected set was visible only in the acknowledgement the partner got. And an interchange whose ISA names '~' as the
segment terminator while its segments end in line ends was quarantined as "functional group 1201 has no GE
trailer; the file ends before the IEA trailer", leaving out the one finding that says why: no segment after the
ISA ends in '~' (which now says so in those words).
"""

from __future__ import annotations

from pathlib import Path

from tests.helpers.gateway import GatewayProcess, Workspace, cli
from tests.helpers.wait import wait_for
from tests.helpers.x12 import purchase_order
from tests.spine.test_undeclared_documents import invoice_and_order

ACME = {"name": "Acme Retail", "x12": {"ids": [{"qualifier": "ZZ", "id": "ACMERETAIL"}]},
        "documents": [{"type": "850", "direction": "in", "profile": "x12-004010-850"}]}


def _settled(ws: Workspace, count: int) -> bool:
    return ws.count(direction="in") == count and all(
        m["state"] in ("done", "quarantined") for m in ws.messages(direction="in"))


def test_a_set_rejected_beside_one_taken_is_said_in_the_events_and_in_show(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path, partners={"acme": ACME})
    with GatewayProcess(ws.config):
        ws.drop("mixed.x12", invoice_and_order(301))
        wait_for(lambda: _settled(ws, 1), message="the file read")
    [row] = ws.messages(direction="in")
    assert row["state"] == "done", row["last_error"]
    why = ("1 of 2 sets rejected, not translated: interchange 1, group 2, transaction 1, segment 1 ST: partner acme "
           "is not set up to send 810 (its documents: 850)")
    [parsed] = [e for e in ws.events(row["id"]) if e["to_state"] == "parsed"]
    assert parsed["reason"].startswith(f"parsed x12 810, 850; {why}"), parsed["reason"]
    shown = cli("show", row["id"], config=ws.config).stdout
    assert ("findings  (what the file's validation noted; a rejected set is not translated)\n"
            "  interchange 1, group 2, transaction 1, segment 1 ST: partner acme is not set up to send 810") in shown
    assert "next " not in shown


def test_segments_that_do_not_end_in_the_isa_terminator_are_named_as_the_cause(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path, partners={"acme": ACME})
    lines = purchase_order(302).replace(b"~\n", b"\n").replace(b"*>\n", b"*>~\n", 1)
    with GatewayProcess(ws.config):
        ws.drop("lines.x12", lines)
        ws.drop("next.x12", purchase_order(303))
        wait_for(lambda: _settled(ws, 2), message="both read")
    rows = {m["filename"]: m for m in ws.messages(direction="in")}
    assert rows["next.x12"]["state"] == "done"
    assert rows["lines.x12"]["state"] == "quarantined"
    assert rows["lines.x12"]["last_error"].startswith(
        "parse: rejected: interchange 1, segment GS: the last segment GS has no segment terminator '~': the 8 lines "
        "from it on end in line ends, not in the ISA's '~' (its character 106); interchange 1, group 1: functional "
        "group 302 has no GE trailer; "), \
        rows["lines.x12"]["last_error"]
