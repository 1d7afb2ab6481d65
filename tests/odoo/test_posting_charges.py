"""PO allowances and charges as sale order lines on service products (odoo.charge_products), over real HTTP
against the sandbox in 17 and 19 mode, checked with odoorpc as an independent client."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

import odoorpc
import pytest

from gateway.errors import OdooRejected
from gateway.odoo.client import OdooClient
from gateway.odoo.posting import Cache, post
from gateway.odoo.sandbox import SandboxServer
from gateway.translate.canonical import AllowanceCharge, PurchaseOrder
from tests.odoo.conftest import API_KEY_19, bigbox, order, read_x12
from tests.odoo.test_extraction import deliver, invoice

CHARGES = {"freight": "SVC-FREIGHT", "allowance": "SVC-DISCOUNT"}   # canonical words: SAC02 D240 is freight


@pytest.fixture(params=[17, 19], ids=["odoo17", "odoo19"])
def sandbox(request: pytest.FixtureRequest) -> Iterator[SandboxServer]:
    """Overrides conftest's: the charge lines are checked in the oldest and the newest mode."""
    server = SandboxServer(version=request.param, seed_name="demo",
                           api_keys=[API_KEY_19] if request.param >= 19 else [])
    server.start()
    yield server
    server.stop()


@pytest.fixture
def services(sandbox: SandboxServer, odoo: odoorpc.ODOO) -> dict[str, int]:
    """The service products an integrator creates for freight and discounts (not in the demo seed)."""
    kind = "detailed_type" if sandbox.version < 18 else "type"
    return {code: odoo.execute_kw("product.product", "create", [{"name": name, "default_code": code,
                                                                  kind: "service", "list_price": 0.0,
                                                                  "invoice_policy": "order"}])
            for code, name in (("SVC-FREIGHT", "Freight"), ("SVC-DISCOUNT", "Discount"))}


def x12_order(po: str, sacs: Sequence[str], line1: Sequence[str] = (), line2: Sequence[str] = ()) -> PurchaseOrder:
    """A BigBox 850 read and translated as the pipeline does, with these SAC segments in the header (`sacs`)
    and inside each PO1 loop (`line1`, `line2`)."""
    body = ["ST*850*0001", f"BEG*00*SA*{po}**20261129", *sacs,
            "N1*BY*BIGBOX RETAIL STORES*UL*0860001000009", "N1*ST*BIGBOX DC 1*UL*0860001000023",
            "PO1*1*24*EA*12.50*PE*BP*BB-1001*UP*614141000012", *line1,
            "PO1*2*10*EA*8.75*PE*BP*BB-1002", *line2, "CTT*2"]
    doc = read_x12(body)
    assert isinstance(doc, PurchaseOrder)
    return doc


def sac(kind: str, code: str, amount: str = "", percent: str = "", description: str = "", basis: str = "3") -> str:
    """A SAC segment; a percent's basis (SAC06) is 3, discount/gross, unless said."""
    elements = [kind, code, "", "", amount, basis if percent else "", percent, *[""] * 7, description]
    return "SAC*" + "*".join(elements).rstrip("*")


FREIGHT = sac("C", "D240", amount="5000", description="FREIGHT")            # $50.00 (implied 2 decimals)
DISCOUNT = sac("A", "C310", percent="2", description="PROMO DISCOUNT")       # 2 % of the order
HANDLING = sac("C", "H090", amount="1500", description="SPECIAL HANDLING")  # not mapped


def read_order(odoo: odoorpc.ODOO, ref: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    [so] = odoo.execute_kw("sale.order", "search_read", [[("client_order_ref", "=", ref)]],
                           {"fields": ["note", "tag_ids", "order_line", "amount_untaxed", "state"]})
    lines = odoo.execute_kw("sale.order.line", "read", [so["order_line"]],
                            {"fields": ["product_id", "name", "product_uom_qty", "price_unit", "sequence"]})
    return so, sorted(lines, key=lambda r: r["sequence"])


def test_mapped_charges_become_order_lines(client: OdooClient, odoo: odoorpc.ODOO,
                                           services: dict[str, int]) -> None:
    doc = x12_order("PO-CH-1", [FREIGHT, DISCOUNT, HANDLING])
    assert [(ac.kind, ac.code, ac.amount, ac.percent) for ac in doc.allowances_charges] == [
        ("charge", "freight", Decimal("50.00"), None), ("allowance", "discount", None, Decimal(2)),
        ("charge", "special_handling", Decimal("15.00"), None)]
    links = post(client, doc, bigbox(charge_products=CHARGES), Cache())
    assert [(link.model, link.role) for link in links] == [("sale.order", "created")]
    so, lines = read_order(odoo, "PO-CH-1")
    assert [(r["product_id"][0], r["name"], r["product_uom_qty"], r["price_unit"]) for r in lines[2:]] == [
        (services["SVC-FREIGHT"], "FREIGHT", 1.0, 50.0),
        (services["SVC-DISCOUNT"], "PROMO DISCOUNT", 1.0, -7.75)]    # 2 % of 24 x 12.50 + 10 x 8.75 = 387.50
    assert [r["price_unit"] for r in lines[:2]] == [12.5, 8.75]
    assert so["amount_untaxed"] == pytest.approx(387.50 + 50 - 7.75)
    note = so["note"]
    assert "charge freight FREIGHT: 50.00 (order line SVC-FREIGHT, 50.00)" in note
    assert "allowance discount PROMO DISCOUNT: 2% (order line SVC-DISCOUNT, -7.75)" in note
    assert "charge special_handling SPECIAL HANDLING: 15.00 (not applied to the Odoo order)" in note
    assert note.count("not applied") == 1
    assert so["tag_ids"] == [] and "EDI price check" not in note     # charge lines are no price mismatches

    again = post(client, doc, bigbox(charge_products=CHARGES), Cache())
    assert [(link.model, link.role, link.record_id) for link in again] == [("sale.order", "found", so["id"])]
    assert read_order(odoo, "PO-CH-1") == (so, lines)                    # nothing created, nothing changed


def test_charges_cost_no_call_in_steady_state(client: OdooClient, services: dict[str, int]) -> None:
    cache = Cache()
    partner = bigbox(charge_products=CHARGES)
    post(client, x12_order("WARM", [FREIGHT, DISCOUNT]), partner, cache)
    counts = {}
    for po, sacs in (("PLAIN", []), ("CHARGED", [FREIGHT, DISCOUNT, HANDLING])):
        before = client.calls
        post(client, x12_order(po, sacs), partner, cache)
        counts[po] = client.calls - before
    # duplicate check, create (charge lines in the same call), price check
    assert counts == {"PLAIN": 3, "CHARGED": 3}


def test_percent_unknown_under_pricelist_policy_stays_in_the_note(client: OdooClient, odoo: odoorpc.ODOO,
                                                                  services: dict[str, int]) -> None:
    post(client, x12_order("PO-CH-2", [FREIGHT, DISCOUNT]),
         bigbox(charge_products=CHARGES, price_policy="pricelist"), Cache())
    so, lines = read_order(odoo, "PO-CH-2")
    assert [(r["name"], r["price_unit"]) for r in lines[2:]] == [("FREIGHT", 50.0)]
    assert ("allowance discount PROMO DISCOUNT: 2% (not applied to the Odoo order: a percent without a base amount, "
            "and the line prices come from the Odoo pricelist (price_policy pricelist))") in so["note"]


def test_percent_of_the_base_amount_sent(client: OdooClient, odoo: odoorpc.ODOO, services: dict[str, int]) -> None:
    doc = order("PO-CH-3", allowances_charges=[AllowanceCharge(kind="allowance", code="C310", percent=Decimal(10),
                                                               base_amount=Decimal("200.00"))])
    post(client, doc, bigbox(charge_products=CHARGES, price_policy="pricelist"), Cache())
    _, lines = read_order(odoo, "PO-CH-3")
    assert [(r["name"], r["price_unit"], r["sequence"]) for r in lines[2:]] == [("C310", -20.0, 3)]


def test_mapped_product_missing_in_odoo_is_rejected(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """(A setting written with the partner's code, from before the canonical words, still finds its charge.)"""
    with pytest.raises(OdooRejected) as info:
        post(client, x12_order("PO-CH-4", [FREIGHT]), bigbox(charge_products={"D240": "SVC-FREIGHT"}), Cache())
    assert str(info.value) == ("order PO-CH-4, charge freight: no product with internal reference 'SVC-FREIGHT' in "
                               "Odoo (partner setting odoo.charge_products maps 'D240' to it); create the service "
                               "product or change the partner setting")
    assert odoo.execute_kw("sale.order", "search", [[("client_order_ref", "=", "PO-CH-4")]]) == []


def test_confirmed_order_ships_goods_and_invoices_the_charges(client: OdooClient, odoo: odoorpc.ODOO,
                                                             services: dict[str, int]) -> None:
    [link] = post(client, x12_order("PO-CH-5", [FREIGHT, DISCOUNT]), bigbox(charge_products=CHARGES,
                                                                             confirm_orders=True), Cache())
    so, _ = read_order(odoo, "PO-CH-5")
    assert so["state"] == "sale"
    [pick] = odoo.execute_kw("sale.order", "read", [[link.record_id], ["picking_ids"]])[0]["picking_ids"]
    moved = odoo.execute_kw("stock.move", "search_read", [[("picking_id", "=", pick)], ["product_id"]])
    assert sorted(m["product_id"][1] for m in moved) == ["[WB-100] Blue Widget", "[WR-200] Red Widget"]
    deliver(odoo, link.record_id)
    move = odoo.execute_kw("account.move", "read", [[invoice(odoo, link.record_id)],
                                                    ["invoice_line_ids", "amount_untaxed"]])[0]
    lines = odoo.execute_kw("account.move.line", "read", [move["invoice_line_ids"], ["product_id", "price_unit"]])
    assert sorted((r["product_id"][0], r["price_unit"]) for r in lines if r["product_id"][0] in services.values()) \
        == sorted([(services["SVC-FREIGHT"], 50.0), (services["SVC-DISCOUNT"], -7.75)])
    assert move["amount_untaxed"] == pytest.approx(so["amount_untaxed"]) == pytest.approx(429.75)


def test_replacement_rewrites_the_charge_lines_once(client: OdooClient, odoo: odoorpc.ODOO,
                                                    services: dict[str, int]) -> None:
    partner = bigbox(charge_products=CHARGES)
    post(client, x12_order("PO-CH-6", [FREIGHT, HANDLING]), partner, Cache())
    replacement = x12_order("PO-CH-6", [sac("C", "D240", amount="7500", description="FREIGHT"), DISCOUNT])
    replacement = replacement.model_copy(update={"purpose": "replace",
                                                 "source": replacement.source.model_copy(update={"message_id": "R1"})})
    assert post(client, replacement, partner, Cache())[0].role == "updated"
    so, lines = read_order(odoo, "PO-CH-6")
    assert [(r["name"], r["price_unit"]) for r in lines[2:]] == [("FREIGHT", 75.0), ("PROMO DISCOUNT", -7.75)]
    assert "allowance discount PROMO DISCOUNT: 2% (order line SVC-DISCOUNT, -7.75)" in so["note"]
    assert post(client, replacement, partner, Cache())[0].role == "found"
    assert read_order(odoo, "PO-CH-6") == (so, lines)


def test_percent_of_unpriced_lines_stays_in_the_note(client: OdooClient, odoo: odoorpc.ODOO,
                                                     services: dict[str, int]) -> None:
    doc = order("PO-CH-7", allowances_charges=[AllowanceCharge(kind="allowance", code="C310", percent=Decimal(5))])
    doc = doc.model_copy(update={"lines": [doc.lines[0], doc.lines[1].model_copy(update={"unit_price": None})]})
    post(client, doc, bigbox(charge_products=CHARGES), Cache())
    so, lines = read_order(odoo, "PO-CH-7")
    assert len(lines) == 2
    assert ("allowance C310: 5% (not applied to the Odoo order: a percent without a base amount, and a line "
            "without a price)") in so["note"]
