"""How an EANCOM order line's own allowances (ALC in the LIN group) are posted, by the price they go with: a price
qualified PRI+AAA ('calculation net') has them in already, so the sale order line keeps it with no Discount (%)
on top; PRI+AAB (gross) gets them as the discount; a line amount (MOA+203) equal to quantity x price decides
before the qualifier. The same for an ORDCHG's changed line, and the ORDRSP answering it states each price with
the qualifier the partner sent. EuroHandel's sample files through the daemon's pipeline into the sandbox over
HTTP, checked with odoorpc."""

from __future__ import annotations

import html
from pathlib import Path

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.journal.api import State
from gateway.odoo.sandbox import SandboxServer
from gateway.transports.base import IntakeMeta
from tests.odoo.conftest import odoo, sandbox
from tests.odoo.test_change_charges import order_note
from tests.odoo.test_pipeline_posting import examples, pipeline_for, run
from tests.odoo.test_posting_cancel import EH_SAMPLE
from tests.odoo.test_posting_line_changes import ORDCHG

__all__ = ["examples", "odoo", "sandbox"]          # fixtures, used by name

pytestmark = pytest.mark.parametrize("sandbox", [16, 19], ids=["odoo16", "odoo19"], indirect=True)

NET = b"MOA+203:600.00'\nPRI+AAA:12.50'"                 # the sample's LIN 1: 48 x 12.50
GROSS = b"MOA+203:420.00'\nPRI+AAA:105.00'"              # its LIN 2: 4 cartons x 105.00
LARGE = b"MOA+203:420.00'\nPRI+AAA:42.00'"               # its LIN 3: 10 x 42.00


def sample(*edits: tuple[bytes, bytes]) -> bytes:
    """EuroHandel's sample ORDERS (PO 4500012345) with these replacements, its UNT counted again."""
    data = EH_SAMPLE.read_bytes()
    for old, new in edits:
        assert data.count(old) == 1
        data = data.replace(old, new)
    return counted(data)


def counted(data: bytes) -> bytes:
    """`data` with its UNT giving its segments from UNH on."""
    head, tail = data.split(b"UNT+", 1)
    segments = head[head.index(b"UNH+"):].count(b"'")
    return head + b"UNT+" + str(segments + 1).encode() + tail[tail.index(b"+"):]


def lines(odoo: odoorpc.ODOO) -> list[tuple[str, float, float, float]]:
    """The sample order's goods lines: (internal reference, quantity, price, discount %)."""
    rows = odoo.execute_kw("sale.order.line", "search_read", [[("order_id.client_order_ref", "=", "4500012345"),
                                                                ("display_type", "=", False)]],
                           {"fields": ["product_id", "product_uom_qty", "price_unit", "discount"],
                            "order": "sequence,id"})
    refs = {p["id"]: p["default_code"] for p in odoo.execute_kw(
        "product.product", "read", [[r["product_id"][0] for r in rows], ["default_code"]])}
    return [(refs[r["product_id"][0]], r["product_uom_qty"], r["price_unit"], r["discount"]) for r in rows]


async def test_an_orders_line_priced_net_gets_no_discount_on_top(tmp_path: Path, examples: LoadedConfig,
                                                                 sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """LIN 1 net 12.50 with its 10 % (PRI+AAA, no MOA+203): 12.50 as agreed, not 11.25. LIN 2 gross 105.00 with
    its 10 % (PRI+AAB, no amount): 105.00 less 10 %. LIN 3 PRI+AAA 42.00 beside MOA+203 378.00 (10 x 42.00 less
    10 %): the amount says the price is gross, so 10 % off. Before, all three got 10 % off: the customer was
    invoiced 60.00 less on LIN 1 than it ordered."""
    alc = b"\nALC+A++++DI'\nPCD+1:10'"
    data = sample((NET, b"PRI+AAA:12.50'" + alc), (GROSS, b"PRI+AAB:105.00'" + alc),
                  (LARGE, b"MOA+203:378.00'\nPRI+AAA:42.00'" + alc))
    pipeline, _ = pipeline_for(tmp_path, examples, sandbox)
    message = await pipeline.submit(data, IntakeMeta(channel="folder", filename=EH_SAMPLE.name))
    done = run(pipeline, message.id, {State.DONE, State.QUARANTINED})
    assert done.state is State.DONE, done.last_error
    assert lines(odoo) == [("WB-100", 48.0, 12.5, 0.0), ("WR-200", 4.0, 105.0, 10.0), ("GL-300", 10.0, 42.0, 10.0)]
    note = order_note(odoo, "4500012345")
    assert "line 1: allowance discount: 10% (in its price already: its price 12.50 is net, PRI+AAA; not applied " \
           "again)" in note
    assert "line 2: allowance discount: 10% (order line discount 10.00%)" in note


async def test_an_ordchg_line_priced_net_loses_the_discount_and_its_ordrsp_says_how_each_price_was_sent(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """The order's LIN 1 gross 12.50 less 10 %; the ORDCHG restates it at 60 net 11.25 (PRI+AAA) with the same
    10 % for information: 11.25 and no discount, not 11.25 less the 10 % it had (10.125). Its LIN 3 is repriced
    gross (PRI+AAB:39.90): the ORDRSP accepting it says PRI+AAB:39.90, not a net 39.90 (PRI+AAA) the partner
    never agreed."""
    alc = b"\nALC+A++++DI'\nPCD+1:10'"
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)
    message = await pipeline.submit(sample((NET, b"PRI+AAB:12.50'" + alc)),
                                    IntakeMeta(channel="folder", filename=EH_SAMPLE.name))
    assert run(pipeline, message.id, {State.DONE, State.QUARANTINED}).state is State.DONE
    assert lines(odoo)[0] == ("WB-100", 48.0, 12.5, 10.0)
    change = ORDCHG.read_bytes()
    change = counted(change.replace(b"QTY+21:60:PCE'", b"QTY+21:60:PCE'\nPRI+AAA:11.25'" + alc, 1)
                     .replace(b"PRI+AAA:39.90'", b"PRI+AAB:39.90'", 1))
    message = await pipeline.submit(change, IntakeMeta(channel="folder", filename=ORDCHG.name))
    done = run(pipeline, message.id, {State.DONE, State.QUARANTINED})
    assert done.state is State.DONE, done.last_error
    assert lines(odoo)[0] == ("WB-100", 60.0, 11.25, 0.0)
    assert ("line 1: allowance discount: 10% (in its price already: its price 11.25 is net, PRI+AAA; not applied "
            "again, was 10.00%)") in order_note(odoo, "4500012345")
    [answer] = [m for m in journal.children(message.id) if m.doc_type == "ORDRSP"]
    sent = pipeline.archive.read(answer.sha256).decode("latin-1")
    assert "PRI+AAA:11.25'" in sent and "PRI+AAB:39.90'" in sent, sent


@pytest.mark.parametrize("ordered", [b"PRI+AAA:12.50'", b"MOA+203:600.00'\nPRI+AAB:12.50'"], ids=["aaa", "moa"])
async def test_an_ordchg_restating_a_net_lines_allowance_without_a_price_keeps_it_net(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO, ordered: bytes) -> None:
    """The order's LIN 1 at 12.50 with its 10 % in it (net, PRI+AAA; or its MOA+203 48 x 12.50): 12.50, no
    discount. The ORDCHG raises it to 60 and restates the 10 % with no PRI or MOA+203 of its own (the price stays
    as ordered): the price still has it in, so no discount; before, the 10 % came off 12.50 (11.25)."""
    alc = b"\nALC+A++++DI'\nPCD+1:10'"
    pipeline, _ = pipeline_for(tmp_path, examples, sandbox)
    message = await pipeline.submit(sample((NET, ordered + alc)),
                                    IntakeMeta(channel="folder", filename=EH_SAMPLE.name))
    assert run(pipeline, message.id, {State.DONE, State.QUARANTINED}).state is State.DONE
    assert lines(odoo)[0] == ("WB-100", 48.0, 12.5, 0.0)
    change = counted(ORDCHG.read_bytes().replace(b"QTY+21:60:PCE'", b"QTY+21:60:PCE'" + alc, 1))
    message = await pipeline.submit(change, IntakeMeta(channel="folder", filename=ORDCHG.name))
    done = run(pipeline, message.id, {State.DONE, State.QUARANTINED})
    assert done.state is State.DONE, done.last_error
    assert lines(odoo)[0] == ("WB-100", 60.0, 12.5, 0.0)
    assert ("line 1: allowance discount: 10% (in its price already: its price 12.5 is the order's, which has them "
            "in; not applied again)") in html.unescape(order_note(odoo, "4500012345"))
