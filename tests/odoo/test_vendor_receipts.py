"""Vendor ship notices on the receipts of our purchase orders, in the sandbox over HTTP (17, 18, 19): nothing
is received twice, a product on two PO lines is received on the right line, and serial numbers reach Odoo."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import odoorpc
import pytest

from gateway.errors import OdooRejected
from gateway.odoo.client import OdooClient
from gateway.odoo.posting import Cache, post
from gateway.translate.canonical import Pack, ShipItem, ShipNotice, ShipOrder
from tests.odoo.test_vendor_odd import purchase, widgetworks


def notice(number: str, po: str, qty: int, purpose: str = "original", **kw: Any) -> ShipNotice:
    return ShipNotice(number=number, purpose=purpose, orders=[ShipOrder(po_number=po, items=[
        ShipItem(line_no="1", item_ids={"vendor": "WW-WB-100"}, quantity=Decimal(qty))])], **kw)


def receipts(odoo: odoorpc.ODOO, po: int) -> list[dict[str, Any]]:
    """The PO's receipts in order, each with its note, state and (product, quantity) move lines."""
    picks: list[dict[str, Any]] = odoo.execute_kw("stock.picking", "search_read", [
        [("purchase_id", "=", po)], ["name", "note", "state", "move_line_ids"]], {"order": "id"})
    for pick in picks:
        pick["lines"] = sorted((m["product_id"][0], m["quantity"]) for m in odoo.execute_kw(
            "stock.move.line", "read", [pick["move_line_ids"], ["product_id", "quantity"]]))
    return picks


def received(odoo: odoorpc.ODOO, po: int) -> list[float]:
    ids = odoo.execute_kw("purchase.order.line", "search", [[("order_id", "=", po)]], {"order": "id"})
    return [r["qty_received"] for r in odoo.execute_kw("purchase.order.line", "read", [ids, ["qty_received"]])]


def validated_then_backorder(client: OdooClient, odoo: odoorpc.ODOO, **kw: Any) -> tuple[int, str, str]:
    """A PO of 100 blue + 50 red widgets whose notice ASN-R1 (60 blue) was applied and validated: a backorder
    is open. Returns the PO's id and name and the validated receipt's name."""
    po, name = purchase(odoo)
    post(client, notice("ASN-R1", name, 60, **kw), widgetworks(validate_receipts=True), Cache())
    done, backorder = receipts(odoo, po)
    assert (done["state"], backorder["state"], backorder["lines"][0]) == ("done", "assigned", (1, 40.0))
    return po, name, done["name"]


@pytest.mark.parametrize(("number", "purpose"), [("ASN-R1", "replace"), ("ASN-R1-NEW", "replace"),
                                                  ("ASN-R1", "change")])
def test_a_replacement_after_the_receipt_was_validated_is_held(client: OdooClient, odoo: odoorpc.ODOO,
                                                               number: str, purpose: str) -> None:
    """The vendor corrects ASN-R1 (60 -> 70) after we received and validated it: applied to the backorder,
    the 70 would be received on top of the 60. It is held naming the validated receipt, nothing written; the
    vendor's next shipment (a new original notice) still goes to the backorder."""
    po, name, done = validated_then_backorder(client, odoo)
    before = receipts(odoo, po)
    with pytest.raises(OdooRejected, match=rf"ship notice {number}, purchase order {name}: the notice .*"
                                           rf"{done} \(from EDI ship notice ASN-R1\) was validated on \d{{4}}-.*"
                                           r"nothing was written"):
        post(client, notice(number, name, 70, purpose), widgetworks(validate_receipts=True), Cache())
    assert receipts(odoo, po) == before and received(odoo, po) == [60.0, 0.0]
    post(client, notice("ASN-R2", name, 40), widgetworks(validate_receipts=True), Cache())
    assert received(odoo, po) == [100.0, 0.0]


def test_a_replacement_before_validation_replaces_and_its_retry_is_found(client: OdooClient,
                                                                         odoo: odoorpc.ODOO) -> None:
    """While the receipt is open a replacement (same or new number) is what the vendor ships: it replaces
    the first notice's lines; once validated, the same replacement again (a lost response) is found, not held."""
    po, name = purchase(odoo)
    post(client, notice("ASN-O1", name, 60), widgetworks(), Cache())
    post(client, notice("ASN-O1", name, 70, "replace"), widgetworks(), Cache())
    assert [r["lines"] for r in receipts(odoo, po)] == [[(1, 70.0)]]
    post(client, notice("ASN-O1B", name, 80, "replace"), widgetworks(validate_receipts=True), Cache())
    links = post(client, notice("ASN-O1B", name, 80, "replace"), widgetworks(validate_receipts=True), Cache())
    assert links[0].role == "found" and received(odoo, po) == [80.0, 0.0]
    assert post(client, notice("ASN-O1", name, 60), widgetworks(), Cache())[0].role == "found"   # a late copy


@pytest.mark.parametrize("again", ["sscc", "tracking"])
def test_the_same_shipment_under_a_new_notice_number_is_held(client: OdooClient, odoo: odoorpc.ODOO,
                                                             again: str) -> None:
    """A vendor system resending shipment ASN-S1 as ASN-S2 (an original): its pallet's SSCC, or its tracking
    number, is on the validated receipt, so the 60 are not received again on the backorder."""
    po, name = purchase(odoo)
    pallet = [Pack(sscc="006141410000005554", items=[ShipItem(item_ids={"vendor": "WW-WB-100"},
                                                              quantity=Decimal(60))])]
    first = ShipNotice(number="ASN-S1", tracking_number="1Z999AA10123456784",
                       orders=[ShipOrder(po_number=name, packs=pallet)])
    post(client, first, widgetworks(validate_receipts=True), Cache())
    done = receipts(odoo, po)[0]["name"]
    second = first.model_copy(update={"number": "ASN-S2"})
    if again == "tracking":
        second = second.model_copy(update={"orders": [ShipOrder(po_number=name, items=pallet[0].items)]})
    else:
        second = second.model_copy(update={"tracking_number": None})
    what = "tracking number 1Z999AA10123456784" if again == "tracking" else "package 006141410000005554 \\(SSCC\\)"
    with pytest.raises(OdooRejected, match=rf"ship notice ASN-S2, purchase order {name}: the notice has {what}, "
                                           rf"already received: receipt {done} \(from EDI ship notice ASN-S1\)"):
        post(client, second, widgetworks(validate_receipts=True), Cache())
    assert received(odoo, po) == [60.0, 0.0]
    third = ShipNotice(number="ASN-S3", orders=[ShipOrder(po_number=name, packs=[
        Pack(sscc="006141410000005561", items=[ShipItem(item_ids={"vendor": "WW-WB-100"}, quantity=Decimal(40))])])])
    post(client, third, widgetworks(validate_receipts=True), Cache())
    assert received(odoo, po) == [100.0, 0.0]


def items(*rows: tuple[str | None, int]) -> list[ShipItem]:
    return [ShipItem(line_no=line_no, item_ids={"vendor": "WW-WB-100"}, quantity=Decimal(qty)) for line_no, qty in rows]


@pytest.mark.parametrize(("rows", "expected"), [
    ([("3", 30), ("1", 100)], [100.0, 0.0, 30.0]),          # the PO line each names
    ([("003", 25), ("1", 60)], [60.0, 0.0, 25.0]),          # zero-padded, part of each
    ([(None, 120)], [100.0, 0.0, 20.0]),                    # none named: open quantities in line order
    ([("2", 120)], [100.0, 0.0, 20.0]),                     # line 2 is the red widget: as if none were named
    ([(None, 140)], [100.0, 0.0, 40.0]),                    # 10 over: on the last line, as any over-delivery
    ([("3", 50)], [0.0, 0.0, 50.0]),                        # a named line takes more than it has open
], ids=["named", "padded", "line-order", "wrong-line", "over", "named-over"])
def test_a_product_on_two_po_lines_is_received_on_each(client: OdooClient, odoo: odoorpc.ODOO,
                                                       rows: list[tuple[str | None, int]],
                                                       expected: list[float]) -> None:
    """Blue widgets on PO lines 1 (100) and 3 (30): the notice's quantities reach the line it names, or fill
    the lines in order; all of them landed on line 1, and line 3 stayed open for goods already received."""
    po, name = purchase(odoo, [(1, 100, 7.5), (2, 50, 5.25), (1, 30, 7.0)])
    asn = ShipNotice(number="ASN-2L", orders=[ShipOrder(po_number=name, items=items(*rows))])
    post(client, asn, widgetworks(validate_receipts=True), Cache())
    assert received(odoo, po) == expected


def dozens_on_line_one(odoo: odoorpc.ODOO, po: int) -> None:
    """The PO's first line is bought in dozens (a person changed its unit before confirming, as buyers do)."""
    uom_field = "product_uom_id" if "product_uom_id" in odoo.execute_kw("purchase.order.line", "fields_get", [],
                                                                         {"attributes": ["type"]}) else "product_uom"
    [dozen] = odoo.execute_kw("uom.uom", "search", [[("name", "=", "Dozens")]])
    [first] = odoo.execute_kw("purchase.order.line", "search", [[("order_id", "=", po)]], {"order": "id", "limit": 1})
    odoo.execute_kw("purchase.order.line", "write", [[first], {uom_field: dozen}])


@pytest.mark.parametrize(("lines", "dozens", "qty", "unit", "expected"), [
    ([(1, 5, 7.5), (2, 50, 5.25), (1, 100, 7.0)], False, 6, "CS", [5.0, 0.0, 67.0]),     # 6 dozen on units
    ([(1, 2, 90.0), (2, 50, 5.25), (1, 100, 7.0)], True, 30, "EA", [2.0, 0.0, 6.0]),     # 30 units on dozens
    ([(1, 2, 90.0), (2, 50, 5.25), (1, 10, 7.0)], True, 4, "CS", [2.0, 0.0, 24.0]),      # 2 over on the last
    ([(1, 2, 90.0), (2, 50, 5.25), (1, 10, 7.0)], True, 18, "EA", [1.5, 0.0, 0.0]),      # part of the first
    ([(1, 2, 90.0), (2, 50, 5.25), (1, 10, 7.0)], True, 5, "EA", [0.42, 0.0, 0.0]),    # 5 Units (Odoo: 0.42 dz received)
], ids=["dozens-on-units", "units-on-dozens", "over", "half-dozen", "five-units"])
def test_a_quantity_in_another_unit_is_split_over_the_lines_by_the_units_factors(
        client: OdooClient, odoo: odoorpc.ODOO, lines: list[tuple[int, float, float]], dozens: bool, qty: int,
        unit: str, expected: list[float]) -> None:
    """Blue widgets on PO lines 1 and 3, one of them maybe in dozens, the notice in cases of a dozen or in
    units: its quantity fills the lines' open quantities in line order as Odoo's unit factors count them (its
    relative_factor in 19), each line receiving its part in its own unit. It went whole to the first open
    line: 6 dozen against 5 units open left line 3 open for 67 widgets already received."""
    po, name = purchase(odoo, lines, confirm=not dozens)
    if dozens:
        dozens_on_line_one(odoo, po)
        odoo.execute_kw("purchase.order", "button_confirm", [[po]])
    asn = ShipNotice(number="ASN-DZ", orders=[ShipOrder(po_number=name, items=[
        ShipItem(item_ids={"vendor": "WW-WB-100"}, quantity=Decimal(qty), unit=unit)])])
    post(client, asn, widgetworks(validate_receipts=True, units={"CS": "Dozens"}), Cache())
    assert received(odoo, po) == pytest.approx(expected)
    done = receipts(odoo, po)[0]
    written = odoo.execute_kw("stock.move.line", "read", [done["move_line_ids"], ["quantity", "product_uom_id"]])
    assert all(float(r["quantity"]).is_integer() for r in written)   # each in the finer unit: a whole number


def track(odoo: odoorpc.ODOO, how: str = "serial", product: int = 1) -> None:
    """Odoo tracks the product (blue widgets) by serial number, or by lot."""
    [template] = odoo.execute_kw("product.product", "read", [[product], ["product_tmpl_id"]])
    odoo.execute_kw("product.template", "write", [[template["product_tmpl_id"][0]], {"tracking": how}])


def serial_lines(odoo: odoorpc.ODOO, po: int) -> list[tuple[int, float, str]]:
    """(PO line position, quantity, serial number) of the PO's received move lines."""
    lines = odoo.execute_kw("purchase.order.line", "search", [[("order_id", "=", po)]], {"order": "id"})
    moves = odoo.execute_kw("stock.move", "search_read", [[("purchase_line_id", "in", lines)],
                                                          ["purchase_line_id", "move_line_ids"]])
    out = []
    for move in moves:
        for row in odoo.execute_kw("stock.move.line", "read", [move["move_line_ids"], ["quantity", "lot_id"]]):
            out.append((lines.index(move["purchase_line_id"][0]) + 1, row["quantity"],
                        row["lot_id"][1] if row["lot_id"] else ""))
    return sorted(out)


def serial_notice(name: str, qty: int, serials: list[str], **kw: Any) -> ShipNotice:
    return ShipNotice(number="ASN-SN", orders=[ShipOrder(po_number=name, packs=[Pack(
        sscc="006141410000007770", items=[ShipItem(item_ids={"vendor": "WW-WB-100"}, quantity=Decimal(qty),
                                                   serials=serials, **kw)])])])


def test_serial_numbers_become_one_move_line_each(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """Blue widgets tracked by serial number, on PO lines 1 and 3 (2 each): the notice's four serial numbers
    are four received lines of one unit, the first two on line 1; the receipt validates, the lots exist."""
    track(odoo)
    po, name = purchase(odoo, [(1, 2, 7.5), (2, 50, 5.25), (1, 2, 7.0)])
    post(client, serial_notice(name, 4, ["SN-1", "SN-2", "SN-3", "SN-4"]), widgetworks(validate_receipts=True),
         Cache())
    assert [line for line in serial_lines(odoo, po) if line[0] != 2] == [
        (1, 1.0, "SN-1"), (1, 1.0, "SN-2"), (3, 1.0, "SN-3"), (3, 1.0, "SN-4")]
    assert received(odoo, po) == [2.0, 0.0, 2.0]
    assert sorted(r["name"] for r in odoo.execute_kw("stock.lot", "search_read", [[("product_id", "=", 1)],
                                                                                  ["name"]])) == [
        "SN-1", "SN-2", "SN-3", "SN-4"]


def test_serial_numbers_on_a_line_bought_in_dozens_are_dealt_out_by_units(client: OdooClient,
                                                                           odoo: odoorpc.ODOO) -> None:
    """Serial-tracked blue widgets on line 1 in dozens (1 dozen) and line 3 in units (2): fourteen serial
    numbers are twelve lines of one unit on line 1 and two on line 3, as the factors count a dozen."""
    track(odoo)
    po, name = purchase(odoo, [(1, 1, 90.0), (2, 50, 5.25), (1, 2, 7.0)], confirm=False)
    dozens_on_line_one(odoo, po)
    odoo.execute_kw("purchase.order", "button_confirm", [[po]])
    serials = [f"SN-{n:02d}" for n in range(1, 15)]
    post(client, serial_notice(name, 14, serials), widgetworks(validate_receipts=True), Cache())
    assert [line for line in serial_lines(odoo, po) if line[0] != 2] == [
        *((1, 1.0, s) for s in serials[:12]), (3, 1.0, "SN-13"), (3, 1.0, "SN-14")]
    assert received(odoo, po) == [1.0, 0.0, 2.0]


@pytest.mark.parametrize(("count", "held"), [(12, ""), (10, "10 serial numbers for a quantity of 1 CS (12 units)")],
                         ids=["twelve", "ten"])
def test_serial_numbers_of_a_case_are_counted_in_the_products_unit(client: OdooClient, odoo: odoorpc.ODOO,
                                                                    count: int, held: str) -> None:
    """A case of a dozen serial-tracked widgets with its serial numbers: twelve are twelve received lines of one
    unit (the case counted in the product's unit by Odoo's factors); ten are held naming both counts. Any
    quantity not in the product's own unit was held, however many serial numbers it gave."""
    track(odoo)
    po, name = purchase(odoo, [(1, 12, 7.5)])
    serials = [f"SN-{n:02d}" for n in range(1, count + 1)]
    partner = widgetworks(validate_receipts=True, units={"CS": "Dozens"})
    asn = serial_notice(name, 1, serials, unit="CS")
    if held:
        with pytest.raises(OdooRejected, match=re.escape(held)):
            post(client, asn, partner, Cache())
        assert received(odoo, po) == [0.0]
        return
    post(client, asn, partner, Cache())
    assert serial_lines(odoo, po) == [(1, 1.0, s) for s in serials]
    assert received(odoo, po) == [12.0]


def input_location(odoo: odoorpc.ODOO, po: int) -> None:
    """The PO's receipt goes to WH/Input, beside WH/Stock (two-step reception): not under where stock is."""
    [stock] = odoo.execute_kw("stock.location", "search_read", [[("complete_name", "=", "WH/Stock")],
                                                                ["location_id"]])
    where = odoo.execute_kw("stock.location", "create", [{"name": "Input", "usage": "internal",
                                                          "location_id": stock["location_id"][0]}])
    [pick] = odoo.execute_kw("stock.picking", "search", [[("purchase_id", "=", po)]])
    odoo.execute_kw("stock.picking", "write", [[pick], {"location_dest_id": where}])


@pytest.mark.parametrize("mode", ["validating", "open", "two-step"])
def test_a_serial_number_already_in_stock_is_held_before_anything_is_written(client: OdooClient,
                                                                              odoo: odoorpc.ODOO, mode: str) -> None:
    """SN-2 was received on an earlier PO and is in stock at WH/Stock: a notice giving it again is held naming
    it, its product and where it is, the receipt left as it was, whether the gateway validates the receipt or
    leaves it open, and when the receipt goes to another internal location (WH/Input). Odoo refused the
    validation only after the notice's lines were written (the receipt half applied); without
    validate_receipts the notice was written, and the person validating it was refused (or, receiving into
    WH/Input, the unit was in stock twice)."""
    track(odoo)
    _first, first_name = purchase(odoo, [(1, 2, 7.5)])
    post(client, serial_notice(first_name, 2, ["SN-1", "SN-2"]), widgetworks(validate_receipts=True), Cache())
    po, name = purchase(odoo, [(1, 2, 7.5)])
    if mode == "two-step":
        input_location(odoo, po)
    before = receipts(odoo, po)
    asn = serial_notice(name, 2, ["SN-3", "SN-2"])
    asn.number = "ASN-SN2"
    with pytest.raises(OdooRejected, match=r"line 1: serial number SN-2 of \[WB-100\] Blue Widget is in stock "
                                           r"already at WH/Stock, and a serial number is one unit; nothing was "
                                           r"written"):
        post(client, asn, widgetworks(validate_receipts=mode == "validating"), Cache())
    assert receipts(odoo, po) == before and received(odoo, po) == [0.0]


def test_every_serial_number_in_stock_is_named(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """SN-1 and SN-2 are in stock: a notice giving SN-3, SN-2 and SN-1 is held naming both and where each is, so
    the vendor is asked once, not once per serial number as each correction of the notice is held again."""
    track(odoo)
    _first, first_name = purchase(odoo, [(1, 2, 7.5)])
    post(client, serial_notice(first_name, 2, ["SN-1", "SN-2"]), widgetworks(validate_receipts=True), Cache())
    po, name = purchase(odoo, [(1, 3, 7.5)])
    with pytest.raises(OdooRejected, match=r"line 1: serial numbers SN-1 \(WH/Stock\), SN-2 \(WH/Stock\) of "
                                           r"\[WB-100\] Blue Widget are in stock already, and a serial number is one "
                                           r"unit; nothing was written"):
        post(client, serial_notice(name, 3, ["SN-3", "SN-2", "SN-1"]), widgetworks(), Cache())
    assert received(odoo, po) == [0.0]


def test_a_late_notice_for_serials_a_person_received_is_held(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """Two of four serial-tracked widgets were received by hand (the receipt has no notice, SSCC or tracking
    number); the vendor's notice for those two comes late: their serial numbers are on the validated receipt,
    so it is held naming it, not received again on the backorder. A notice for the other two is received."""
    track(odoo)
    po, name = purchase(odoo, [(1, 4, 7.5)])
    post(client, serial_notice(name, 2, ["SN-1", "SN-2"]), widgetworks(validate_receipts=True), Cache())
    done, backorder = receipts(odoo, po)
    odoo.execute_kw("stock.picking", "write", [[done["id"], backorder["id"]], {"note": False}])   # as a person received
    backorder = receipts(odoo, po)[1]       # them (no notice on the receipt, nor on the backorder Odoo copies it to)
    def loose(number: str, serials: list[str]) -> ShipNotice:          # no SSCC to recognise them by
        return ShipNotice(number=number, orders=[ShipOrder(po_number=name, items=[ShipItem(
            item_ids={"vendor": "WW-WB-100"}, quantity=Decimal(len(serials)), serials=serials)])])
    late = loose("ASN-LATE", ["SN-2", "SN-1"])
    with pytest.raises(OdooRejected, match=rf"purchase order {name}: the notice has serial number SN-1, already "
                                           rf"received: receipt {done['name']} was validated"):
        post(client, late, widgetworks(), Cache())
    assert receipts(odoo, po)[1] == backorder
    post(client, loose("ASN-REST", ["SN-3", "SN-4"]), widgetworks(validate_receipts=True), Cache())
    assert received(odoo, po) == [4.0]


@pytest.mark.parametrize(("qty", "serials", "why"), [
    (3, ["SN-1", "SN-2"], "2 serial numbers for a quantity of 3: the notice must give one per unit"),
    (2, ["SN-1", "SN-1"], "serial number SN-1 is in the notice twice"),
], ids=["count", "twice"])
def test_serial_numbers_that_do_not_add_up_are_held(client: OdooClient, odoo: odoorpc.ODOO, qty: int,
                                                    serials: list[str], why: str) -> None:
    track(odoo)
    po, name = purchase(odoo)
    before = receipts(odoo, po)
    with pytest.raises(OdooRejected, match=rf"ship notice ASN-SN, purchase order {name}, line 1: {why}"):
        post(client, serial_notice(name, qty, serials), widgetworks(validate_receipts=True), Cache())
    assert receipts(odoo, po) == before


def test_serial_numbers_of_a_product_not_tracked_by_serial_leave_one_line(client: OdooClient,
                                                                          odoo: odoorpc.ODOO) -> None:
    """Odoo does not track these widgets by serial number: the notice's serials are not lots, the quantity is
    one line (lot-tracked goods keep their batch)."""
    po, name = purchase(odoo)
    post(client, serial_notice(name, 2, ["SN-1", "SN-2"], lot="B-7"), widgetworks(), Cache())
    assert [line for line in serial_lines(odoo, po) if line[0] == 1] == [(1, 2.0, "B-7")]


@pytest.mark.parametrize("how", ["serial", "lot"])
def test_a_tracked_product_without_its_serials_or_lot_is_held_before_validation(client: OdooClient,
                                                                                odoo: odoorpc.ODOO, how: str) -> None:
    """Odoo refuses to validate a tracked product's line without its lot or serial numbers, after the notice's
    lines were written: the notice is held before, naming the line, the receipt as it was. Without
    validate_receipts the quantities are written, and the serials are scanned at the dock."""
    track(odoo, how)
    po, name = purchase(odoo)
    before = receipts(odoo, po)
    kind = "serial number" if how == "serial" else "lot"
    with pytest.raises(OdooRejected, match=rf"ship notice ASN-SN, purchase order {name}, line 1: \[WB-100\] Blue "
                                           rf"Widget is tracked by {kind} in Odoo"):
        post(client, serial_notice(name, 2, []), widgetworks(validate_receipts=True), Cache())
    assert receipts(odoo, po) == before
    post(client, serial_notice(name, 2, []), widgetworks(), Cache())
    assert [line for line in serial_lines(odoo, po) if line[0] == 1] == [(1, 2.0, "")]


@pytest.mark.parametrize("state", ["open", "validated", "never applied"])
def test_a_cancelled_notice_is_held_not_received(client: OdooClient, odoo: odoorpc.ODOO, state: str) -> None:
    """A vendor's cancellation (BSN01 01) repeats the notice it cancels: it was received like a shipment.
    It is held naming the receipt that carries the cancelled notice (a person takes the goods off it), or
    saying that none does; nothing is written."""
    po, name = purchase(odoo)
    if state != "never applied":
        post(client, notice("ASN-C1", name, 60), widgetworks(validate_receipts=state == "validated"), Cache())
    before = receipts(odoo, po)
    carried = f"which receipt {before[0]['name']} \\({state}\\) carries" if state != "never applied" else \
        "which no receipt of the purchase order carries"
    with pytest.raises(OdooRejected, match=rf"ship notice ASN-C1, purchase order {name}: the notice cancels ship "
                                           rf"notice ASN-C1, {carried}"):
        post(client, notice("ASN-C1", name, 60, "cancel"), widgetworks(validate_receipts=True), Cache())
    assert receipts(odoo, po) == before
