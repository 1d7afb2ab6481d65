"""Extraction from the sandbox: done deliveries, posted invoices and stock become canonical documents, once."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import odoorpc

from gateway.journal.sqlite import SqliteJournal
from gateway.odoo.client import OdooClient
from gateway.odoo.extract.inventory import extract_inventory
from gateway.odoo.extract.invoices import extract_invoices
from gateway.odoo.extract.ship_notices import extract_ship_notices
from gateway.odoo.extract.versions import outbox_key
from gateway.odoo.posting import Cache, post
from gateway.odoo.sandbox import SandboxServer
from gateway.odoo.sandbox.models import package_model
from gateway.translate.canonical import Line, Party
from tests.odoo.conftest import bigbox, northwind, order


def deliver(odoo: odoorpc.ODOO, order_id: int, packages: list[str] | None = None, partial: dict[int, float] | None = None,
            carrier: str = "UPS Ground", tracking: str = "1Z999AA10123456784") -> int:
    """What the warehouse does: pack into SSCC-labelled packages, set carrier and tracking, validate."""
    [pick] = odoo.execute_kw("sale.order", "read", [[order_id], ["picking_ids"]])[0]["picking_ids"]
    lines = odoo.execute_kw("stock.move.line", "search_read", [[("picking_id", "=", pick)], ["move_id", "product_id"]])
    packs = package_model(int(odoo.version.split(".")[0]))
    for index, line in enumerate(lines):
        vals: dict[str, Any] = {}
        if packages:
            name = packages[index % len(packages)]
            found = odoo.execute_kw(packs, "search", [[("name", "=", name)]])
            vals["result_package_id"] = found[0] if found else odoo.execute_kw(packs, "create", [{"name": name}])
        if partial and line["product_id"][0] in partial:
            vals["quantity"] = partial[line["product_id"][0]]
        if vals:
            odoo.execute_kw("stock.move.line", "write", [[line["id"]], vals])
    carrier_id = odoo.execute_kw("delivery.carrier", "search", [[("name", "=", carrier)]])[0]
    odoo.execute_kw("stock.picking", "write", [[pick], {"carrier_id": carrier_id, "carrier_tracking_ref": tracking}])
    odoo.execute_kw("stock.picking", "button_validate", [[pick]], {"context": {"skip_backorder": True}})
    return int(pick)


def invoice(odoo: odoorpc.ODOO, order_id: int) -> int:
    wizard = odoo.execute_kw("sale.advance.payment.inv", "create", [{"advance_payment_method": "delivered"}],
                             {"context": {"active_model": "sale.order", "active_ids": [order_id]}})
    odoo.execute_kw("sale.advance.payment.inv", "create_invoices", [[wizard]])
    [move] = odoo.execute_kw("sale.order", "read", [[order_id], ["invoice_ids"]])[0]["invoice_ids"][-1:]
    return int(move)


def test_done_delivery_becomes_one_ship_notice(sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO,
                                               journal: Any) -> None:
    [link] = post(client, order(), bigbox(confirm_orders=True), Cache())
    picking = deliver(odoo, link.record_id, packages=["006141410000123452", "006141410000123469"])
    [asn] = extract_ship_notices(client, bigbox(), journal)
    assert asn.number == "WH/OUT/00001" and asn.carrier_name == "UPS Ground"
    assert asn.tracking_number == "1Z999AA10123456784" and asn.package_count == 2
    assert asn.source.odoo_record == f"stock.picking,{picking}" and asn.source.odoo_write_date
    assert outbox_key(asn, "856") == f"odoo:stock.picking,{picking}@{asn.source.odoo_write_date}:856"
    [shipped] = asn.orders
    assert shipped.po_number == "PO-1001"
    assert [p.sscc for p in shipped.packs] == ["006141410000123452", "006141410000123469"]
    items = {item.line_no: item for item in asn.all_items()}
    assert items["1"].quantity == Decimal(24) and items["1"].unit == "EA" and items["1"].ordered_quantity == 24
    assert items["1"].item_ids == {"gtin": "00614141000012", "upc": "614141000012", "vendor": "WB-100",
                                   "buyer": "BB-1001"}
    assert items["2"].quantity == Decimal(2) and items["2"].unit == "CS"   # the partner's unit map, reversed
    roles = {p.role: p for p in asn.parties}
    assert roles["ship_to"].ids == {"gln": "0860001000023"} and roles["ship_from"].ids["gln"] == "0614141000005"
    assert extract_ship_notices(client, bigbox(), journal) == []          # export mark: once per version


def test_partial_delivery_and_backorder_are_two_notices(sandbox: SandboxServer, client: OdooClient,
                                                        odoo: odoorpc.ODOO, journal: Any) -> None:
    [link] = post(client, order(), bigbox(confirm_orders=True), Cache())
    deliver(odoo, link.record_id, partial={1: 20.0})
    [first] = extract_ship_notices(client, bigbox(), journal)
    assert sorted(i.quantity for i in first.all_items()) == [2, 20]
    [back] = odoo.execute_kw("stock.picking", "search", [[("backorder_id", "!=", False)]])
    odoo.execute_kw("stock.picking", "button_validate", [[back]])
    [second] = extract_ship_notices(client, bigbox(), journal)
    assert [i.quantity for i in second.all_items()] == [4] and second.orders[0].po_number == "PO-1001"


def test_other_customers_deliveries_are_not_extracted(client: OdooClient, odoo: odoorpc.ODOO, journal: Any) -> None:
    doc = order("NW-1", ship_to=Party(role="ship_to", ids={"store": "0042"}),
                lines=[Line(line_no="1", item_ids={"buyer": "NW-A1"}, quantity=Decimal(3))])
    [link] = post(client, doc, northwind(confirm_orders=True), Cache())
    deliver(odoo, link.record_id)
    assert extract_ship_notices(client, bigbox(), journal) == []
    [asn] = extract_ship_notices(client, northwind(), journal)
    ship_to = asn.party("ship_to")
    assert ship_to is not None and ship_to.ids == {"store": "0042"}


def test_posted_invoice_becomes_one_invoice(sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO,
                                            journal: Any) -> None:
    [link] = post(client, order(), bigbox(confirm_orders=True), Cache())
    deliver(odoo, link.record_id)
    move = invoice(odoo, link.record_id)
    assert extract_invoices(client, bigbox(), journal) == []              # draft: not yet
    odoo.execute_kw("account.move", "action_post", [[move]])
    [doc] = extract_invoices(client, bigbox(), journal)
    assert doc.number.startswith("INV/") and doc.po_number == "PO-1001" and doc.currency == "USD"
    assert [(line.line_no, line.quantity, line.unit, line.unit_price, line.amount) for line in doc.lines] == [
        ("1", Decimal(24), "EA", Decimal("12.5"), Decimal(300)), ("2", Decimal(2), "CS", Decimal(504), Decimal(1008))]
    assert doc.totals.total_amount == Decimal(1308) and doc.totals.line_count == 2
    assert doc.lines[1].item_ids["buyer"] == "BB-1003"
    assert doc.check() == []
    assert extract_invoices(client, bigbox(), journal) == []


def test_invoice_taxes_carry_the_partner_tax_type(sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO,
                                                  journal: Any, tmp_path: Path) -> None:
    """Odoo says a tax's rate, not whether it is a VAT or a US sales tax: the partner's settings say (a US
    retailer's 810 wants TXI*ST, not TXI*VA), by tax name first."""
    [link] = post(client, order(), bigbox(confirm_orders=True), Cache())
    deliver(odoo, link.record_id)
    move = invoice(odoo, link.record_id)
    [tax] = odoo.execute_kw("account.tax", "search", [[("name", "=", "Tax 15%")]])
    lines = odoo.execute_kw("account.move.line", "search", [[("move_id", "=", move), ("display_type", "=", "product")]])
    odoo.execute_kw("account.move.line", "write", [lines, {"tax_ids": [(6, 0, [tax])]}])
    odoo.execute_kw("account.move", "action_post", [[move]])
    [doc] = extract_invoices(client, bigbox(tax_type="sales"), journal)
    assert [(t.type, t.rate, t.amount) for t in doc.taxes] == [("sales", Decimal(15), Decimal("196.20"))]
    assert {t.type for line in doc.lines for t in line.taxes} == {"sales"}
    for name, settings, expected in (("named", {"tax_type": "sales", "tax_types": {"Tax 15%": "county"}}, "county"),
                                     ("default", {}, "VAT")):
        fresh = SqliteJournal(tmp_path / f"{name}.sqlite3")           # (the first one marked it exported)
        try:
            [again] = extract_invoices(client, bigbox(**settings), fresh)
        finally:
            fresh.close()
        assert [t.type for t in again.taxes] == [expected]


def test_inventory_reports_free_stock_once_per_slot(client: OdooClient, odoo: odoorpc.ODOO, journal: Any) -> None:
    post(client, order(), bigbox(confirm_orders=True), Cache())        # reserves 24 Blue Widgets, 24 Gadgets
    [doc] = extract_inventory(client, northwind(), journal, slot="2026-11-29 06:00")
    free = {line.item_ids["vendor"]: {q.qualifier: q.value for q in line.quantities} for line in doc.lines}
    assert free["WB-100"] == {"available": 476, "on_hand": 500}
    assert free["GL-300"] == {"available": 96, "on_hand": 120}
    assert free["SP-500"] == {"available": 0, "on_hand": 0}
    assert doc.lines[0].location == "WH" and doc.lines[0].item_ids["buyer"] == "NW-A1"
    assert extract_inventory(client, northwind(), journal, slot="2026-11-29 06:00") == []
    assert len(extract_inventory(client, northwind(), journal, slot="2026-11-29 12:00")) == 1


def test_extraction_calls_do_not_grow_with_deliveries(client: OdooClient, odoo: odoorpc.ODOO, journal: Any) -> None:
    def run(n: int) -> int:
        for i in range(n):
            [link] = post(client, order(f"PO-{n}-{i}", lines=[Line(line_no="1", item_ids={"buyer": "BB-1002"},
                                                                    quantity=Decimal(1))]),
                          bigbox(confirm_orders=True), Cache())
            deliver(odoo, link.record_id, packages=[f"0061414100000{n:02d}{i:03d}"])
        before = client.calls
        assert len(extract_ship_notices(client, bigbox(), journal, Cache())) == n
        return client.calls - before
    run(0)                      # the client's one-time look-ups (fields, models) out of the way
    assert run(1) == run(8)
