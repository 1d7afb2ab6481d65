"""A vendor's bill for a PO line its 855 split into parts (4 now, 6 backordered on a line of their own), through the
daemon's pipeline into the sandbox over HTTP (17, 19). Before, Widget Works' 810 billing line 1's 10 blue widgets
went on PO line 1 alone (10 of 4, noted 'billed beyond received'), and the backordered part's line stayed 'to bill'
forever: the order never showed fully billed and the purchaser's three-way match was off by 6 on two lines. The
bill line is now spread as the receipt side fills them: the line up to what Odoo's bill control leaves to bill,
then its parts, one bill line per PO line at the same price, and the bill's notes say so."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.journal.api import State
from gateway.odoo.client import OdooClient
from gateway.odoo.posting import Cache, post
from gateway.odoo.sandbox import SandboxServer
from gateway.translate.canonical import Document
from gateway.transports.base import IntakeMeta
from tests.odoo.conftest import read_x12
from tests.odoo.test_cross16_billed_ack import daemon
from tests.odoo.test_pipeline_posting import examples, pipeline_for, run
from tests.odoo.test_vendor16_acks import x12_855
from tests.odoo.test_vendor_bill_checks import VENDOR as BILL_VENDOR
from tests.odoo.test_vendor_bill_checks import bill, x12_810
from tests.odoo.test_vendor_odd import purchase, widgetworks
from tests.odoo.test_vendor_receipts import notice

__all__ = ["examples"]

pytestmark = pytest.mark.parametrize("sandbox", [17, 19], ids=["odoo17", "odoo19"], indirect=True)

SPLIT_855 = ["PO1*1*10*EA*7.50**VN*WW-WB-100", "ACK*IA*4*EA*068*20261205", "ACK*IB*6*EA*068*20261220"]


def to_bill(odoo: odoorpc.ODOO, po: int) -> list[tuple[float, float, float]]:
    """(ordered, billed, left to bill) of the PO's product lines in Odoo's order."""
    ids = odoo.execute_kw("purchase.order.line", "search", [[("order_id", "=", po), ("display_type", "=", False)]],
                          {"order": "sequence, id"})
    return [(r["product_qty"], r["qty_invoiced"], r["qty_to_invoice"]) for r in odoo.execute_kw(
        "purchase.order.line", "read", [ids, ["product_qty", "qty_invoiced", "qty_to_invoice"]])]


def line_ids(odoo: odoorpc.ODOO, po: int) -> list[int]:
    return list(odoo.execute_kw("purchase.order.line", "search", [[("order_id", "=", po),
                                                                   ("display_type", "=", False)]],
                                {"order": "sequence, id"}))


async def test_a_bill_for_a_split_line_is_spread_over_its_parts(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient,
        odoo: odoorpc.ODOO) -> None:
    """10 blue ordered, acknowledged 4 now + 6 backordered; all 10 shipped and received (4 on line 1, 6 on the
    part). The 810 bills line 1's 10 and line 2's 6 red: 4 on line 1, 6 on the part, 6 red on line 2, at 7.50;
    every line fully billed, no 'beyond received' note, the spread said; the total as the vendor states it."""
    po, name = purchase(odoo, [(1, 10, 7.5), (2, 6, 5.25)])
    send = daemon(tmp_path, examples, sandbox)
    await send(x12_855(1901, name, SPLIT_855), "855_1901.edi")
    post(client, notice("ASN-1901", name, 10), widgetworks(validate_receipts=True), Cache())
    red = notice("ASN-1901R", name, 6)
    red.orders[0].items[0].line_no, red.orders[0].items[0].item_ids = "2", {"vendor": "WW-WR-200"}
    post(client, red, widgetworks(validate_receipts=True), Cache())
    blue, reds, part = line_ids(odoo, po)
    await send(x12_810(1902, "WW-INV-1902", name, ["IT1*1*10*EA*7.50**VN*WW-WB-100", "IT1*2*6*EA*5.25**VN*WW-WR-200"],
                       ["TDS*10650"]), "810_1902.edi")
    made = bill(odoo, "WW-INV-1902")
    assert made["lines"] == [(4.0, 7.5, blue), (6.0, 5.25, reds), (6.0, 7.5, part)]
    assert made["amount_total"] == 106.5
    assert to_bill(odoo, po) == [(4.0, 4.0, 0.0), (6.0, 6.0, 0.0), (6.0, 6.0, 0.0)]
    notes = made["narration"]
    assert (f"EDI bill line spread: invoice WW-INV-1902, line 1 bills 10 of purchase order {name} line 1 ([WB-100] "
            "Blue Widget), which the vendor&#x27;s acknowledgment split into parts: 4 on line 1, 6 on line 3") in notes
    assert "differ" not in notes, notes


async def test_a_bill_ahead_of_the_backorder_and_one_per_shipment(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient,
        odoo: odoorpc.ODOO) -> None:
    """Only the 4 came. A bill of all 10 puts 4 on line 1 and 6 on the part, the part's noted as beyond what was
    received (0 of 6: a three-way match holds it), not line 1's. A vendor billing per shipment instead (4, then 6,
    both naming line 1) has its second bill on the part: line 1 is billed in full already."""
    po, name = purchase(odoo, [(1, 10, 7.5), (2, 6, 5.25)])
    send = daemon(tmp_path, examples, sandbox)
    await send(x12_855(1911, name, SPLIT_855), "855_1911.edi")
    post(client, notice("ASN-1911", name, 4), widgetworks(validate_receipts=True), Cache())
    blue, _reds, part = line_ids(odoo, po)
    await send(x12_810(1912, "WW-INV-1912", name, ["IT1*1*10*EA*7.50**VN*WW-WB-100"], ["TDS*7500"]), "810_1912.edi")
    ahead = bill(odoo, "WW-INV-1912")
    assert ahead["lines"] == [(4.0, 7.5, blue), (6.0, 7.5, part)]
    assert (f"purchase order {name} line 3 ([WB-100] Blue Widget): this bill 6, billed before 0, received 0 (ordered "
            "6): more than was received") in ahead["narration"]
    assert f"purchase order {name} line 1 " not in ahead["narration"].split("EDI lines differ", 1)[1]

    po, name = purchase(odoo, [(1, 10, 7.5), (2, 6, 5.25)])
    await send(x12_855(1921, name, SPLIT_855), "855_1921.edi")
    post(client, notice("ASN-1921", name, 4), widgetworks(validate_receipts=True), Cache())
    blue, _reds, part = line_ids(odoo, po)
    await send(x12_810(1922, "WW-INV-1922", name, ["IT1*1*4*EA*7.50**VN*WW-WB-100"], ["TDS*3000"]), "810_1922.edi")
    assert bill(odoo, "WW-INV-1922")["lines"] == [(4.0, 7.5, blue)]
    assert "EDI" not in str(bill(odoo, "WW-INV-1922")["narration"] or "")      # within line 1: not spread
    post(client, notice("ASN-1923", name, 6), widgetworks(validate_receipts=True), Cache())
    await send(x12_810(1923, "WW-INV-1923", name, ["IT1*1*6*EA*7.50**VN*WW-WB-100"], ["TDS*4500"]), "810_1923.edi")
    second = bill(odoo, "WW-INV-1923")
    assert second["lines"] == [(6.0, 7.5, part)]
    assert "differ" not in second["narration"], second["narration"]
    assert to_bill(odoo, po)[0::2] == [(4.0, 4.0, 0.0), (6.0, 6.0, 0.0)]


def acknowledged(client: OdooClient, odoo: odoorpc.ODOO, acks: list[str], ordered: float = 10) -> tuple[int, str]:
    """A PO of `ordered` blue widgets at 7.50 (and 6 red) whose line 1 Widget Works' 855 answers with `acks`."""
    po, name = purchase(odoo, [(1, ordered, 7.5), (2, 6, 5.25)])
    doc = read_x12(["ST*855*0001", f"BAK*00*AC*{name}*20261201****SO-{po}",
                    f"PO1*1*{ordered:g}*EA*7.50**VN*WW-WB-100", *acks, "CTT*1"],
                   gs="PR", sender="WIDGETWORKS", app="WIDGETWORKS")
    post(client, doc, widgetworks(), Cache())
    return po, name


def x12_bill(number: str, po: str, lines: list[str], total: int) -> Document:
    return read_x12(["ST*810*0001", f"BIG*20261129*{number}**{po}", "N1*RI*WIDGET WORKS INC*UL*0860001000030",
                     *lines, f"TDS*{total}", f"CTT*{len(lines)}"], gs="IN", sender="WIDGETWORKS", app="WIDGETWORKS")


def test_calls_do_not_grow_with_lines_spread_over_parts(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """Ten invoice lines each spread over a split PO line cost the calls one does: the parts are found among the
    PO lines the bill reads anyway."""
    partner, cache = widgetworks(), Cache()

    def calls(number: str, lines: int) -> int:
        _po, name = acknowledged(client, odoo, ["ACK*IA*4*EA*068*20261205", "ACK*IB*6*EA*068*20261220"], 10 * lines)
        doc = x12_bill(number, name, ["IT1*1*10*EA*7.50**VN*WW-WB-100"] * lines, 7500 * lines)
        before = client.calls
        post(client, doc, partner, cache)
        spread = [r["purchase_line_id"][0] for r in odoo.execute_kw(
            "account.move.line", "search_read", [[("move_id.ref", "=", number), ("purchase_line_id", "!=", False)],
                                                 ["purchase_line_id"]])]
        assert len(set(spread)) == 2, spread
        return client.calls - before

    calls("WW-INV-WARM", 1)
    assert calls("WW-INV-TEN", 10) == calls("WW-INV-ONE", 1)


def test_a_bill_in_cases_is_spread_where_its_unit_divides_and_noted_where_not(client: OdooClient,
                                                                              odoo: odoorpc.ODOO) -> None:
    """The PO is in Units, the vendor bills in cases of a dozen (CS mapped to Odoo's Dozens). 24 ordered, 12 now and
    12 backordered: 2 CS are 1 CS on each line. 12 ordered, 4 now and 8 backordered: 1 CS does not divide into
    them (0.33 CS on a bill line is not 4 Units), so it stays on line 1 and the note says to move it by hand."""
    partner = widgetworks(units={"CS": "Dozens"})
    po, name = acknowledged(client, odoo, ["ACK*IA*12*EA*068*20261205", "ACK*IB*12*EA*068*20261220"], 24)
    blue, _reds, part = line_ids(odoo, po)
    post(client, x12_bill("WW-INV-CS2", name, ["IT1*1*2*CS*90.00**VN*WW-WB-100"], 18000), partner, Cache())
    assert bill(odoo, "WW-INV-CS2")["lines"] == [(1.0, 90.0, blue), (1.0, 90.0, part)]
    assert to_bill(odoo, po)[0::2] == [(12.0, 12.0, -12.0), (12.0, 12.0, -12.0)]        # none received yet

    po, name = acknowledged(client, odoo, ["ACK*IA*4*EA*068*20261205", "ACK*IB*8*EA*068*20261220"], 12)
    blue, _reds, part = line_ids(odoo, po)
    post(client, x12_bill("WW-INV-CS1", name, ["IT1*1*1*CS*90.00**VN*WW-WB-100"], 9000), partner, Cache())
    uneven = bill(odoo, "WW-INV-CS1")
    assert uneven["lines"] == [(1.0, 90.0, blue)]
    assert (f"EDI bill line not spread: invoice WW-INV-CS1, line 1: purchase order {name} line 1 ([WB-100] Blue "
            "Widget) has parts the vendor backordered, and 1 of the bill line&#x27;s unit does not divide into them"
            in uneven["narration"]), uneven["narration"]


def test_a_credit_for_a_cancelled_backorder_takes_back_its_part(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """4 came, 10 were billed (4 on line 1, 6 on the part), then the vendor cancels the backorder (its 855 rejects
    the 6: the part orders 0, billed 6) and credits 6 of line 1 (810 BIG07 CR, REF*IV). The credit takes the 6 back
    from the part, billed beyond what it orders; before, it went on line 1 (billed -2 of 4) and the part stayed
    billed 6 of 0, both off in the three-way match. A further credit of 2 (nothing billed on the part any more)
    comes off line 1."""
    po, name = acknowledged(client, odoo, ["ACK*IA*4*EA*068*20261205", "ACK*IB*6*EA*068*20261220"])
    post(client, notice(f"ASN-{po}", name, 4), widgetworks(validate_receipts=True), Cache())
    blue, _reds, part = line_ids(odoo, po)
    post(client, x12_bill(f"WW-INV-{po}", name, ["IT1*1*10*EA*7.50**VN*WW-WB-100"], 7500), widgetworks(), Cache())
    cancel = read_x12(["ST*855*0001", f"BAK*00*AC*{name}*20261202****SO-{po}-2", "PO1*1*10*EA*7.50**VN*WW-WB-100",
                       "ACK*IA*4*EA*068*20261205", "ACK*IR*6*EA", "CTT*1"],
                      gs="PR", sender="WIDGETWORKS", app="WIDGETWORKS")
    post(client, cancel, widgetworks(), Cache())
    assert to_bill(odoo, po)[0::2] == [(4.0, 4.0, 0.0), (0.0, 6.0, -6.0)]

    def credit(number: str, qty: int) -> dict[str, Any]:
        memo = read_x12(["ST*810*0001", f"BIG*20261203*{number}**{name}***CR", f"REF*IV*WW-INV-{po}",
                         "N1*RI*WIDGET WORKS INC*UL*0860001000030", f"IT1*1*{qty}*EA*7.50**VN*WW-WB-100",
                         f"TDS*{qty * 750}", "CTT*1"], gs="IN", sender="WIDGETWORKS", app="WIDGETWORKS")
        post(client, memo, widgetworks(), Cache())
        return bill(odoo, number)

    made = credit(f"WW-CM-{po}", 6)
    assert made["lines"] == [(6.0, 7.5, part)]
    assert to_bill(odoo, po)[0::2] == [(4.0, 4.0, 0.0), (0.0, 0.0, 0.0)]
    assert "credits 6 of purchase order" in made["narration"] and "6 on line 3" in made["narration"]
    assert credit(f"WW-CM-{po}-2", 2)["lines"] == [(2.0, 7.5, blue)]      # nothing billed on the part any more


def test_a_split_line_billed_at_another_price_is_noted_once(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """The vendor bills line 1's 10 at 7.95 (ordered at 7.50): both bill lines at 7.95, and the price said once,
    not once per part the line was spread over."""
    po, name = acknowledged(client, odoo, ["ACK*IA*4*EA*068*20261205", "ACK*IB*6*EA*068*20261220"])
    blue, _reds, part = line_ids(odoo, po)
    post(client, x12_bill(f"WW-INV-P{po}", name, ["IT1*1*10*EA*7.95**VN*WW-WB-100"], 7950), widgetworks(), Cache())
    made = bill(odoo, f"WW-INV-P{po}")
    assert made["lines"] == [(4.0, 7.95, blue), (6.0, 7.95, part)]
    assert made["narration"].count("billed at 7.95, the purchase order&#x27;s price is 7.50") == 1, made["narration"]


def test_a_bill_beyond_a_line_whose_backorder_was_cancelled_stays_on_the_line(client: OdooClient,
                                                                               odoo: odoorpc.ODOO) -> None:
    """The vendor cancelled the backordered 6 (its later 855 rejects them: the part orders 0), 4 came, and it bills
    all 10 all the same: nothing goes on the cancelled part (a bill line on a line ordering nothing); the 10 stay on
    line 1, noted as billed beyond what it orders, as for any line."""
    po, name = acknowledged(client, odoo, ["ACK*IA*4*EA*068*20261205", "ACK*IB*6*EA*068*20261220"])
    cancel = read_x12(["ST*855*0001", f"BAK*00*AC*{name}*20261202****SO-{po}-2", "PO1*1*10*EA*7.50**VN*WW-WB-100",
                       "ACK*IA*4*EA*068*20261205", "ACK*IR*6*EA", "CTT*1"],
                      gs="PR", sender="WIDGETWORKS", app="WIDGETWORKS")
    post(client, cancel, widgetworks(), Cache())
    post(client, notice(f"ASN-{po}", name, 4), widgetworks(validate_receipts=True), Cache())
    blue, _reds, _part = line_ids(odoo, po)
    post(client, x12_bill(f"WW-INV-X{po}", name, ["IT1*1*10*EA*7.50**VN*WW-WB-100"], 7500), widgetworks(), Cache())
    made = bill(odoo, f"WW-INV-X{po}")
    assert made["lines"] == [(10.0, 7.5, blue)]
    assert f"purchase order {name} line 1 ([WB-100] Blue Widget): billed 10, ordered 4" in made["narration"]
    assert "spread" not in made["narration"]


async def test_an_invoic_naming_the_split_line_is_spread_too(tmp_path: Path, examples: LoadedConfig,
                                                             sandbox: SandboxServer, client: OdooClient,
                                                             odoo: odoorpc.ODOO) -> None:
    """The same through an EDIFACT INVOIC naming PO line 1 by RFF+LI (EANCOM's line reference) and one naming no
    line at all (the blue widgets' only original line is found by product and price): each spread, 4 and 6."""
    pipeline, _journal = pipeline_for(tmp_path, examples, sandbox)
    pipeline.config.partners["widgetworks"] = BILL_VENDOR
    for control, reference in ((1931, ["RFF+LI:1"]), (1932, [])):
        po, name = acknowledged(client, odoo, ["ACK*IA*4*EA*068*20261205", "ACK*IB*6*EA*068*20261220"])
        body = [f"BGM+380+WW-EU-{control}+9", "DTM+137:20261129:102", f"RFF+ON:{name}", "NAD+SU+4000000000009::9",
                "LIN+1", "PIA+5+WW-WB-100:SA", "QTY+47:10:PCE", "PRI+AAA:7.50", *reference, "UNS+S", "MOA+77:75"]
        segments = [f"UNB+UNOC:3+4000000000009:14+0614141000005:14+261129:0900+{control}",
                    "UNH+1+INVOIC:D:96A:UN:EAN008", *body, f"UNT+{len(body) + 2}+1", f"UNZ+1+{control}"]
        message = await pipeline.submit(("UNA:+.? '" + "".join(s + "'" for s in segments)).encode(),
                                        IntakeMeta(channel="sftp", filename=f"invoic_{control}.edi",
                                                   partner="widgetworks"))
        done = run(pipeline, message.id, {State.DONE, State.QUARANTINED}, rounds=60)
        assert done.state is State.DONE, done.last_error
        blue, _reds, part = line_ids(odoo, po)
        assert bill(odoo, f"WW-EU-{control}")["lines"] == [(4.0, 7.5, blue), (6.0, 7.5, part)], control


def test_a_vendor_numbering_its_own_lines_has_its_bill_spread_too(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """Widget Works numbers its lines 10, 20, ... in its 855 and 810 (PO101 / IT101 10 for our line 1): the 855 finds
    line 1 by its product and names the backordered part '(backordered by the vendor, line 10)'. The bill for its
    line 10 finds line 1 the same way and is spread over it and that part, not left on line 1 alone."""
    po, name = purchase(odoo, [(1, 10, 7.5), (2, 6, 5.25)])
    ack = read_x12(["ST*855*0001", f"BAK*00*AC*{name}*20261201****SO-{po}", "PO1*10*10*EA*7.50**VN*WW-WB-100",
                    "ACK*IA*4*EA*068*20261205", "ACK*IB*6*EA*068*20261220", "CTT*1"],
                   gs="PR", sender="WIDGETWORKS", app="WIDGETWORKS")
    post(client, ack, widgetworks(), Cache())
    blue, _reds, part = line_ids(odoo, po)
    assert odoo.execute_kw("purchase.order.line", "read", [[part], ["name"]])[0]["name"].endswith(
        "(backordered by the vendor, line 10)")
    post(client, x12_bill(f"WW-INV-N{po}", name, ["IT1*10*10*EA*7.50**VN*WW-WB-100"], 7500), widgetworks(), Cache())
    assert bill(odoo, f"WW-INV-N{po}")["lines"] == [(4.0, 7.5, blue), (6.0, 7.5, part)]


def test_a_line_backordered_in_two_parts_is_billed_on_each(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """4 now, 3 backordered to 12-20 and 3 to 12-28: two parts. A bill of 10 for line 1 goes 4, 3 and 3; a bill of
    12 (2 over what was ordered) puts the 2 on the last part, noted."""
    for number, qty, last in (("A", 10, 3.0), ("B", 12, 5.0)):
        po, name = acknowledged(client, odoo, ["ACK*IA*4*EA*068*20261205", "ACK*IB*3*EA*068*20261220",
                                               "ACK*IB*3*EA*068*20261228"])
        blue, _reds, first, second = line_ids(odoo, po)
        post(client, x12_bill(f"WW-INV-2P{number}{po}", name, [f"IT1*1*{qty}*EA*7.50**VN*WW-WB-100"], qty * 750),
             widgetworks(), Cache())
        made = bill(odoo, f"WW-INV-2P{number}{po}")
        assert made["lines"] == sorted([(4.0, 7.5, blue), (3.0, 7.5, first), (last, 7.5, second)])
    assert f"purchase order {name} line 4 ([WB-100] Blue Widget): this bill 5, billed before 0, received 0 " \
           "(ordered 3)" in made["narration"], made["narration"]
