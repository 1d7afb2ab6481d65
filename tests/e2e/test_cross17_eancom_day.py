"""Today's areas together, end to end through the real daemon and the Odoo sandbox over HTTP (17, 19).

Südmarkt (the EANCOM retailer of test_hunt17_edifact_retailer, YAML-only profiles) orders three things in one
ORDERS: Blue Widgets priced net and gross (PRI+AAA, PRI+AAB: the net one is the price), a gift set by our number
only (a kit: mrp phantom BoM of a Blue and two Red Widgets), and freight as a header ALC (on the partner's
odoo.charge_products product). Our Blue Widget's name has a ':' in it. The delivery is validated, the invoice posted
at 19 % VAT on every line, freight included. Each document is read as the retailer reads it:

- the DESADV announces the gift sets as sets (kits in ship notices), the ':' released (?:);
- the INVOIC bills the net price, names the DESADV's delivery and day (RFF+DQ, DTM+35), states both VAT numbers
  (RFF+VA), gives the freight its own ALC with its VAT (charges off the lines keep their tax), every line and the
  summary category S at 19 % with a taxable amount of the lines plus the freight, and foots;
- read back through Südmarkt's own profile, the INVOIC says the same: the names with ':' whole, the totals.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import odoorpc
from ruamel.yaml import YAML

from gateway.odoo.sandbox import SandboxServer
from tests.e2e.test_hunt17_edifact_retailer import (
    DC,
    HQ,
    ODOO,
    OUR_VAT,
    after,
    counted,
    customer,
    delivered,
    segments,
    workspace,
)
from tests.e2e.test_hunt17_x12_retailer import charge_product
from tests.e2e.test_hunt17r_edifact_partial_invoices import billed, sent
from tests.helpers.gateway import GatewayProcess, Workspace, cli
from tests.helpers.wait import wait_for
from tests.odoo.test_extraction import deliver, invoice
from tests.odoo.test_outbound_taxes_packs import a_tax
from tests.odoo.test_stock15_kits import kit
from tests.odoo.test_taxcat17_invoices import our_company_in

PO = "4711-9911"
ORDERS = f"""UNA:+,? '
UNB+UNOC:3+{HQ}:14+0614141000005:14+261130:2314+SM0000901'
UNH+1+ORDERS:D:01B:UN:EAN010'
BGM+220+{PO}+9'
DTM+137:20261130:102'
DTM+2:20261207:102'
NAD+BY+{HQ}::9++Südmarkt Handels AG'
NAD+DP+{DC}::9++Zentrallager Süd'
CUX+2:EUR:9'
ALC+C++++FC'
MOA+23:15'
LIN+1++0614141000012:SRV'
QTY+21:24:PCE'
PRI+AAA:12,5:::1:PCE'
PRI+AAB:13,16:::1:PCE'
LIN+2'
PIA+5+GS1:SA'
QTY+21:2:PCE'
PRI+AAA:40:::1:PCE'
UNS+S'
CNT+2:2'
UNT+20+1'
UNZ+1+SM0000901'
""".replace("\n", "").encode("latin-1")


def cross_workspace(root: Path, server: SandboxServer) -> Workspace:
    """Südmarkt's workspace, its freight posted on our freight product."""
    ws = workspace(root, server)
    path = root / "partners" / "suedmarkt.yaml"
    partner = YAML(typ="safe").load(path.read_text())
    partner["odoo"]["charge_products"] = {"freight": "SVC-FREIGHT"}
    ws.write_partner("suedmarkt", partner)
    return ws


def posted(ws: Workspace, name: str, data: bytes, doc_type: str, po: str, odoo: odoorpc.ODOO) -> int:
    """`data` dropped into the inbox and posted (not quarantined): the sale order of `po`."""
    ws.drop(name, data)
    [inbound] = wait_for(lambda: [m for m in ws.messages(direction="in", doc_type=doc_type)
                                  if m["state"] in ("done", "quarantined")], timeout=60, message=f"the {doc_type}")
    assert inbound["state"] == "done", inbound["last_error"]
    [so] = odoo.execute_kw("sale.order", "search", [[("client_order_ref", "=", po)]])
    return int(so)


def moa(segs: list[list[str]], qualifier: str) -> list[Decimal]:
    return [Decimal(s[1].split(":")[1]) for s in segs if s[0] == "MOA" and s[1].split(":")[0] == qualifier]


@ODOO
def test_an_eancom_day_crosses_net_prices_kits_freight_vat_categories_vat_numbers_and_deliveries(
        tmp_path: Path, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    customer(odoo)
    our_company_in(odoo, "DE", OUR_VAT)                     # a German seller: 19 % is S, no exemption
    charge_product(odoo, "SVC-FREIGHT", "Freight")
    kit(odoo, sandbox.version, "GS1", [("WB-100", 1), ("WR-200", 2)])
    [blue] = odoo.execute_kw("product.product", "search", [[("default_code", "=", "WB-100")]])
    odoo.execute_kw("product.product", "write", [[blue], {"name": "Blue Widget: large"}])
    vat = a_tax(odoo, "MwSt 19%", 19.0)
    ws = cross_workspace(tmp_path / "gw", sandbox)
    with GatewayProcess(ws.config) as gw:
        so = posted(ws, "ORDERS_cross17.edi", ORDERS, "ORDERS", PO, odoo)
        lines = odoo.execute_kw("sale.order.line", "search_read", [[("order_id", "=", so)],
                                                                    ["product_id", "product_uom_qty", "price_unit"]])
        assert sorted((ln["product_id"][1], ln["product_uom_qty"], ln["price_unit"]) for ln in lines) == [
            ("[GS1] Kit GS1", 2.0, 40.0), ("[SVC-FREIGHT] Freight", 1.0, 15.0),
            ("[WB-100] Blue Widget: large", 24.0, 12.5)], lines          # the net price; the freight a line
        odoo.execute_kw("sale.order", "action_confirm", [[so]])

        deliver(odoo, so)
        notice = segments(delivered(ws, "DESADV"))
        [despatch] = [s for s in notice if s[:2] == ["BGM", "351"]]
        [shipped] = [s for s in notice if s[0] == "DTM" and s[1].startswith("11:")]
        quantities = [s[1] for s in notice if s[0] == "QTY" and s[1].startswith("12:")]
        assert quantities == ["12:24:PCE", "12:2:PCE"], notice             # two sets, not their six widgets
        assert ["IMD", "F", "", ":::Blue Widget?: large"] in notice, notice       # ':' released
        counted(notice)

        move = invoice(odoo, so)
        taxed = odoo.execute_kw("account.move.line", "search", [[("move_id", "=", move),
                                                                 ("display_type", "=", "product")]])
        odoo.execute_kw("account.move.line", "write", [taxed, {"tax_ids": [(6, 0, [vat])]}])
        odoo.execute_kw("account.move", "action_post", [[move]])
        text = delivered(ws, "INVOIC")
        bill = segments(text)
        counted(bill)
        assert ["RFF", f"DQ:{despatch[2]}"] in bill and ["DTM", "35:" + shipped[1][3:]] in bill, bill
        [bill_to] = [s for s in bill if s[:2] == ["NAD", "IV"]]
        [ours] = [s for s in bill if s[:2] == ["NAD", "SU"]]
        assert after(bill, bill_to) == ["RFF", "VA:DE811234567"] and after(bill, ours) == ["RFF", f"VA:{OUR_VAT}"]
        head, summary = text.split("UNS+S'")
        freight = head[head.index("ALC+"):head.index("LIN+")]
        assert [s.strip() for s in freight.split("'") if s.strip()] == ["ALC+C++++FC:::freight", "MOA+8:15",
                                                       "TAX+7+VAT+++:::19+S"], freight
        assert ["PRI", "AAA:12.5"] in bill and ["IMD", "F", "", ":::[WB-100] Blue Widget?: large"] in bill, bill
        line_taxes = [s for s in segments(head[head.index("LIN+"):]) if s[0] == "TAX"]
        assert line_taxes == [["TAX", "7", "VAT", "", "", ":::19", "S"]] * 2, head
        tail = segments(summary)
        assert [s for s in tail if s[0] == "TAX"] == [["TAX", "7", "VAT", "", "", ":::19", "S"]], summary
        lines_total = Decimal(24) * Decimal("12.5") + 2 * 40
        assert moa(tail, "79") == [lines_total] and moa(tail, "125") == [lines_total + 15], summary
        tax = (lines_total + 15) * Decimal("0.19")
        assert moa(tail, "124") == [tax] and moa(tail, "77") == [lines_total + 15 + tax], summary
        assert "FTX+TXD" not in text, text                      # S charges tax: no exemption words

        (tmp_path / "invoic.edi").write_bytes(text.encode("latin-1"))
        read = cli("translate", str(tmp_path / "invoic.edi"), "--partner", "suedmarkt", "--json", config=ws.config)
        assert read.returncode == 0, read.stderr
        back = json.loads(read.stdout)
        assert [ln["description"] for ln in back["lines"]] == ["[WB-100] Blue Widget: large", "[GS1] Kit GS1"], back
        assert [(c["kind"], c["code"], c["amount"], [(t["category"], t["rate"]) for t in c["taxes"]])
                for c in back["allowances_charges"]] == [("charge", "freight", "15", [("S", "19")])], back
        assert Decimal(back["totals"]["total_amount"]) == lines_total + 15 + tax, back["totals"]
        assert not ws.messages(state="quarantined")
        assert "Traceback" not in gw.output()


@ODOO
def test_an_order_to_a_store_by_its_number_is_answered_naming_the_store_so(
        tmp_path: Path, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """NAD+DP+117::92: the store by the number the retailer gave it (3055 92, assigned by the buyer), which Odoo
    keeps as the store contact's Reference. The order finds that contact (351c449, shared by X12 and EDIFACT); the
    DESADV and INVOIC name the store as the ORDERS did. They named it NAD+DP+++Markt 117 Augsburg, no party id at
    all (X12 got its 92 back, EDIFACT not), which a retailer's DESADV check refuses: it cannot tell the store."""
    hq = customer(odoo)
    odoo.execute_kw("res.partner", "create", [{"name": "Markt 117 Augsburg", "parent_id": hq, "type": "delivery",
                                               "ref": "117", "street": "Maxstraße 1", "city": "Augsburg"}])
    ws = workspace(tmp_path / "gw", sandbox)
    order = ORDERS.replace(f"NAD+DP+{DC}::9++Zentrallager Süd'".encode("latin-1"),
                           "NAD+DP+117::92++Markt 117'".encode("latin-1"))
    order = order.replace(b"ALC+C++++FC'MOA+23:15'", b"").replace(b"LIN+2'PIA+5+GS1:SA'QTY+21:2:PCE'PRI+AAA:40:::1:PCE'",
                                                                  b"").replace(b"CNT+2:2'UNT+20+1", b"CNT+2:1'UNT+14+1")
    with GatewayProcess(ws.config) as gw:
        so = posted(ws, "ORDERS_store.edi", order, "ORDERS", PO, odoo)
        [placed] = odoo.execute_kw("sale.order", "read", [[so], ["partner_shipping_id"]])
        assert placed["partner_shipping_id"][1].endswith("Markt 117 Augsburg"), placed
        odoo.execute_kw("sale.order", "action_confirm", [[so]])
        deliver(odoo, so)
        notice = segments(delivered(ws, "DESADV"))
        odoo.execute_kw("account.move", "action_post", [[invoice(odoo, so)]])
        bill = segments(delivered(ws, "INVOIC"))
        for said in (notice, bill):
            [store] = [s for s in said if s[:2] == ["NAD", "DP"]]
            assert store[2:5] == ["117::92", "", "Markt 117 Augsburg"], store
        assert not ws.messages(state="quarantined")
        assert "Traceback" not in gw.output()


@ODOO
def test_each_invoice_of_kits_shipped_in_two_deliveries_names_its_own_delivery(
        tmp_path: Path, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """Two gift sets (a Blue and two Red Widgets each), the first delivery short of Red Widgets: it completes one
    set, its backorder the other; each is invoiced as Odoo invoices delivered quantities (1 set, then 1). The second
    INVOIC names only the backorder (RFF+DQ), as a line of plain items does since 2ba205c; a kit line named every
    done delivery of its order, so it named the first again, which a retailer matching INVOIC to DESADV refuses as
    billed already."""
    customer(odoo)
    sets = kit(odoo, sandbox.version, "GS1", [("WB-100", 1), ("WR-200", 2)])
    odoo.execute_kw("product.product", "write", [[sets], {"invoice_policy": "delivery"}])       # as shipped
    [red] = odoo.execute_kw("product.product", "search", [[("default_code", "=", "WR-200")]])
    ws = workspace(tmp_path / "gw", sandbox)
    order = ORDERS.replace(b"ALC+C++++FC'MOA+23:15'", b"").replace(
        b"LIN+1++0614141000012:SRV'QTY+21:24:PCE'PRI+AAA:12,5:::1:PCE'PRI+AAB:13,16:::1:PCE'", b"").replace(
        b"CNT+2:2'UNT+20+1", b"CNT+2:1'UNT+14+1")
    with GatewayProcess(ws.config) as gw:
        so = posted(ws, "ORDERS_kits.edi", order, "ORDERS", PO, odoo)
        odoo.execute_kw("sale.order", "action_confirm", [[so]])
        first = deliver(odoo, so, partial={red: 2.0})                   # 2 Blue, 2 Red: one whole set
        moves = [invoice(odoo, so)]
        odoo.execute_kw("account.move", "action_post", [moves])
        [backorder] = odoo.execute_kw("stock.picking", "search", [[("backorder_id", "=", first)]])
        odoo.execute_kw("stock.picking", "button_validate", [[backorder]])            # the other 2 Red
        despatches = sent(ws, "DESADV", 2)
        moves.append(invoice(odoo, so))
        odoo.execute_kw("account.move", "action_post", [moves[1:]])
        by_number = {next(s[2] for s in d if s[0] == "BGM"): d for d in sent(ws, "INVOIC", 2)}
        one, two = (by_number[m["name"]] for m in odoo.execute_kw("account.move", "read", [moves, ["name"]]))
        numbers = [next(s[2] for s in d if s[:2] == ["BGM", "351"]) for d in despatches]
        assert [[s[1] for s in d if s[0] == "QTY" and s[1].startswith("12:")] for d in despatches] == [
            ["12:1:PCE"], ["12:1:PCE"]], despatches                          # a set in each
        assert billed(one)[0] == [numbers[0]] and billed(two)[0] == [numbers[1]], (one, two)
        assert ["QTY", "47:1:PCE"] in two, two
        assert not ws.messages(state="quarantined")
        assert "Traceback" not in gw.output()
