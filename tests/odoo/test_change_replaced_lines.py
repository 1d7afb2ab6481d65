"""A change that deletes a line and adds one under the same number (the partner replacing the line's item, or
re-adding it with a new quantity) through the real pipeline, BigBox's and EuroHandel's profiles and the sandbox
(17, 19): the old line leaves the sale order, the new one takes its number, and the answers (865, ORDRSP, then the
855, 856 and 810 rebuilt from the partner's messages) name the lines as Odoo now has them.

Keyed by the line number alone, the delete was looked up as the added item: BigBox's Red Widget stayed on the order
("already removed") while its 865 said it was deleted, a re-added Red Widget was removed and taken for "on the order
already", and EuroHandel's delete of line 2 removed its Blue Widget line 1 instead."""

from __future__ import annotations

from pathlib import Path

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.journal.api import State
from gateway.odoo.client import OdooClient
from gateway.odoo.sandbox import SandboxServer
from gateway.transports.base import IntakeMeta
from tests.odoo.test_crossdock import scheduler
from tests.odoo.test_outbound_changed_lines import PADDED_850, acknowledging, segments, sent
from tests.odoo.test_outbound_odd_odoo import invoiced
from tests.odoo.test_pipeline_posting import examples, pipeline_for, run
from tests.odoo.test_posting_cancel import EH_SAMPLE, pipeline_orders, sale_orders, submit
from tests.odoo.test_posting_line_changes import CHANGE_860, ORDCHG, rows

__all__ = ["examples"]      # the module-scoped fixture, re-exported for the tests below

pytestmark = pytest.mark.parametrize("sandbox", [17, 19], ids=["odoo17", "odoo19"], indirect=True)

RED_DELETED = "POC*002*DI*0*0*EA***BP*BB-1002*UP*614141000029*VN*WR-200"
CABLE_ADDED = "POC*002*AI*12*12*EA*30.00*PE*BP*BB-1004*UP*614141000043*VN*CB-400"
RED_ADDED = "POC*002*AI*60*60*EA*8.50*PE*BP*BB-1002*UP*614141000029*VN*WR-200"


def change_860(*pocs: str) -> bytes:
    """BigBox's sample 860 for the padded PO (lines 001, 002, 003) with these POC lines."""
    head, _, rest = CHANGE_860.read_text().partition("POC*")
    tail = rest[rest.index("CTT*"):].replace("CTT*4~", f"CTT*{len(pocs)}~").replace("SE*11*", f"SE*{len(pocs) + 6}*")
    return (head + "~\n".join(pocs) + "~\n" + tail).encode()


def sequenced(odoo: odoorpc.ODOO, so: int) -> list[tuple[int, str, float]]:
    found = odoo.execute_kw("sale.order.line", "search_read", [[("order_id", "=", so)]],
                            {"fields": ["sequence", "product_id", "product_uom_qty"], "order": "sequence,id"})
    return [(r["sequence"], r["product_id"][1], r["product_uom_qty"]) for r in found]


@pytest.mark.parametrize(("pocs", "new"), [
    ((RED_DELETED, CABLE_ADDED), ("[CB-400] Cable Bundle", 12, "BB-1004")),
    ((CABLE_ADDED, RED_DELETED), ("[CB-400] Cable Bundle", 12, "BB-1004")),     # the add listed first
    ((RED_DELETED, RED_ADDED), ("[WR-200] Red Widget", 60, "BB-1002")),
    ((RED_ADDED, RED_DELETED), ("[WR-200] Red Widget", 60, "BB-1002")),
], ids=["replaced", "replaced-add-first", "re-added", "re-added-add-first"])
async def test_an_860_deleting_and_adding_line_002_replaces_it_under_its_number(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO,
        pocs: tuple[str, ...], new: tuple[str, int, str]) -> None:
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)
    acknowledging(pipeline)
    for data, name in ((PADDED_850, "850_padded.edi"), (change_860(*pocs), "860_replace.edi")):
        message = run(pipeline, (await submit(pipeline, data, name)).id, {State.DONE, State.QUARANTINED})
        assert message.state is State.DONE, message.last_error
    [so] = pipeline_orders(odoo)
    name, quantity, buyer = new
    assert sequenced(odoo, so["id"]) == [(1, "[WB-100] Blue Widget", 24), (2, name, quantity),
                                         (3, "[GL-300] Gadget Large", 6)]
    [row] = odoo.execute_kw("sale.order", "read", [[so["id"]], ["note"]])
    assert "line 002 (delete): [WR-200] Red Widget removed" in row["note"]
    assert f"line 002 (add): {name} added" in row["note"]
    # the 865 answers both POC lines as done, which they now are
    [answer] = [m for m in journal.children(message.id) if m.doc_type == "865"]
    acks = [seg[1] for seg in segments(pipeline.archive.read(answer.sha256), "ACK")]
    assert acks == ["IA", "IA"]
    # the documents sent back name the new line 002 with its item, and the Red Widget no more than once
    odoo.execute_kw("sale.order", "action_confirm", [[so["id"]]])
    poll = scheduler(pipeline, client)
    assert await poll.run_once("bigbox", "855") == 1
    assert [(s[1], s[2], s[7]) for s in segments(sent(pipeline, "855"), "PO1")] == [
        ("001", "24", "BB-1001"), ("002", str(quantity), buyer), ("003", "6", "BB-1003")]
    invoiced(odoo, so["id"])
    assert await poll.run_once("bigbox", "856") == 1
    assert await poll.run_once("bigbox", "810") == 1
    assert sorted((s[1], s[3]) for s in segments(sent(pipeline, "856"), "LIN")) == [
        ("001", "BB-1001"), ("002", buyer), ("003", "BB-1003")]
    assert [(s[1], s[2], s[7]) for s in segments(sent(pipeline, "810"), "IT1")] == [
        ("001", "24", "BB-1001"), ("002", str(quantity), buyer), ("003", "6", "BB-1003")]


async def test_an_ordchg_deleting_line_2_and_adding_a_line_2_keeps_line_1(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """EuroHandel's ORDERS (1 Blue Widget 48, 2 Red Widget 4 cartons, 3 Gadget Large 10), then an ORDCHG with LIN
    2 action 2 (Red Widget deleted) and LIN 2 action 1 (24 Blue Widgets added at 12.00): line 1's 48 Blue Widgets
    stay, the new Blue Widgets take line 2."""
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)
    text = ORDCHG.read_bytes().decode("latin-1")
    start, end = text.index("LIN+1+3"), text.index("UNS+S")
    body = "LIN+2+2+0614141000029:EN'LIN+2+1+0614141000012:EN'QTY+21:24:PCE'PRI+AAA:12.00'"
    change = (text[:start] + body + text[end:]).replace("CNT+2:4'", "CNT+2:2'").replace("UNT+19+1", "UNT+13+1")
    for data, name in ((EH_SAMPLE.read_bytes(), EH_SAMPLE.name), (change.encode("latin-1"), "ORDCHG_replace.edi")):
        message = await pipeline.submit(data, IntakeMeta(channel="folder", filename=name))
        done = run(pipeline, message.id, {State.DONE, State.QUARANTINED})
        assert done.state is State.DONE, done.last_error
    [so] = sale_orders(odoo, "4500012345")
    assert sequenced(odoo, so["id"]) == [(1, "[WB-100] Blue Widget", 48), (2, "[WB-100] Blue Widget", 24),
                                         (3, "[GL-300] Gadget Large", 10)]
    assert [r[2] for r in rows(odoo, so["id"])] == [12.5, 12.0, 42.0]
    [answer] = [m for m in journal.children(message.id) if m.doc_type == "ORDRSP"]
    lins = [s.strip() for s in pipeline.archive.read(answer.sha256).decode("latin-1").split("'")
            if s.strip().startswith("LIN")]
    assert lins == ["LIN+2+5+0614141000029:EN", "LIN+2+5+0614141000012:EN"]
