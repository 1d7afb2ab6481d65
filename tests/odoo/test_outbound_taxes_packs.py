"""Odoo's invoice taxes and partly packed deliveries on the outbound path: extracted from the sandbox over real
HTTP, rendered with the example partners' profiles, validated as the partner will and read back."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.config.models import GatewayConfig
from gateway.journal.archive import Archive
from gateway.odoo.client import OdooClient
from gateway.odoo.extract.invoices import extract_invoices
from gateway.odoo.extract.ship_notices import extract_ship_notices
from gateway.odoo.sandbox import SandboxServer
from gateway.odoo.scheduler import OdooScheduler
from gateway.pipeline import Pipeline
from gateway.translate.canonical import Invoice, Party, ShipNotice
from tests.helpers.examples import loaded_examples
from tests.odoo import test_outbound_odd_odoo as odd

EXAMPLES = Path(__file__).resolve().parents[2] / "gateway" / "examples"


@pytest.fixture(scope="module")
def examples() -> LoadedConfig:
    return loaded_examples()


def daemon_scheduler(examples: LoadedConfig, client: OdooClient, journal: Any,
                     tmp_path: Path) -> tuple[OdooScheduler, Pipeline]:
    """The daemon's Odoo scheduler for the example partners, rendering through a pipeline archiving in `tmp_path`
    and holding what it cannot render in quarantine there."""
    gateway = GatewayConfig(state_dir=tmp_path / "state", archive_dir=tmp_path / "archive",
                            quarantine_dir=tmp_path / "quarantine", our_ids=examples.gateway.our_ids)
    config = LoadedConfig(path=tmp_path / "gateway.yaml", gateway=gateway, partners=examples.partners,
                          profiles=examples.profiles)
    pipeline = Pipeline(config, journal, Archive(tmp_path / "archive"))
    ctx = SimpleNamespace(config=config, journal=journal, pipeline=pipeline, partners=examples.partners)
    return OdooScheduler(ctx, lambda: client), pipeline


def hierarchy(data: bytes) -> tuple[str, list[tuple[str, str]]]:
    """BSN05 and each HL's level with its parent's level, as the partner's translator walks them."""
    segments = [s.split("*") for s in data.decode().replace("\n", "").split("~") if s]
    levels = {s[1]: s[3] for s in segments if s[0] == "HL"}
    [bsn] = [s for s in segments if s[0] == "BSN"]
    return bsn[5], [(s[3], levels.get(s[2], "")) for s in segments if s[0] == "HL"]


def segments(data: bytes, tag: str) -> list[str]:
    return [s for s in data.decode().replace("\n", "").split("~") if s.startswith(tag)]


@pytest.mark.parametrize("sandbox", [18], indirect=True, ids=["odoo18"])
def test_a_partly_packed_delivery_puts_its_loose_lines_in_a_carton_of_their_own(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig) -> None:
    """BigBox's 856 is pick and pack (BSN05 0001: shipment/order/pack/item, its profile: 'one carton per HL P with
    its SSCC-18 in MAN*GM'). A delivery whose warehouse packed one line and not the other wrote the unpacked line as
    HL I directly under the order, beside the pack, which a VICS reader takes for an item in no carton. Now it is a
    pack level of its own, numbered from our GS1 prefix like any carton Odoo sends without an SSCC, and counted."""
    order_id = odd.ordered(examples, client, "bigbox", "PO-MIXED", odd.BIGBOX_DC,
                           [odd.line("1", {"buyer": "BB-1001"}, 24), odd.line("2", {"buyer": "BB-1002"}, 6)])
    odd.pack_and_ship(odoo, order_id, ["006141410000123452", None])
    [asn] = extract_ship_notices(client, examples.partners["bigbox"], journal)
    assert asn.structure == "SOPI" and asn.package_count == 1
    data, back = odd.rendered_and_read_back(examples, journal, "bigbox", asn, "856")
    structure, levels = hierarchy(data)
    assert structure == "0001"
    assert levels == [("S", ""), ("O", "S"), ("P", "O"), ("I", "P"), ("P", "O"), ("I", "P")]
    ssccs = [s.split("*")[2] for s in segments(data, "MAN*GM*")]
    assert ssccs[0] == "006141410000123452" and ssccs[1].startswith("00614141") and len(ssccs) == 2
    assert segments(data, "TD1*") == ["TD1*CTN25*2"]                 # the warehouse's carton and this one
    assert isinstance(back, ShipNotice)
    assert [[(i.line_no, i.quantity) for i in p.items] for p in back.orders[0].packs] == [[("1", 24)], [("2", 6)]]
    assert back.orders[0].items == [] and [p.sscc for p in back.orders[0].packs] == ssccs


@pytest.mark.parametrize("sandbox", [17], indirect=True, ids=["odoo17"])
def test_a_delivery_nothing_was_packed_in_is_one_carton_to_a_pick_and_pack_partner(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig) -> None:
    """To BigBox, a delivery nobody packed in Odoo went out as BSN05 0001 with its items under the order and no
    pack level at all. It is one carton (HL P with our SSCC) now, as the profile declares every carton."""
    order_id = odd.ordered(examples, client, "bigbox", "PO-UNPACKED", odd.BIGBOX_DC,
                           [odd.line("1", {"buyer": "BB-1001"}, 24), odd.line("2", {"buyer": "BB-1002"}, 6)])
    odd.pack_and_ship(odoo, order_id, [])
    [asn] = extract_ship_notices(client, examples.partners["bigbox"], journal)
    data, back = odd.rendered_and_read_back(examples, journal, "bigbox", asn, "856")
    assert hierarchy(data) == ("0001", [("S", ""), ("O", "S"), ("P", "O"), ("I", "P"), ("I", "P")])
    assert len(segments(data, "MAN*GM*00614141")) == 1 and segments(data, "TD1*") == ["TD1*CTN25*1"]
    assert isinstance(back, ShipNotice) and back.structure == "SOPI" and back.package_count == 1


@pytest.mark.parametrize("sandbox", [19], indirect=True, ids=["odoo19"])
def test_a_partner_without_cartons_gets_a_pack_level_without_an_sscc(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig) -> None:
    """Northwind numbers no cartons (its profile has no `sscc:`): a partly packed delivery's loose line is a pack
    level of its own without MAN*GM (no carton was labelled for it), so that no HL I sits beside the packs."""
    order_id = odd.ordered(examples, client, "northwind", "NW-MIXED", Party(role="ship_to", ids={"store": "0042"}),
                           [odd.line("1", {"buyer": "NW-A1"}, 10), odd.line("2", {"buyer": "NW-A2"}, 4)])
    odd.pack_and_ship(odoo, order_id, ["006141410000123452", None])
    [asn] = extract_ship_notices(client, examples.partners["northwind"], journal)
    data, back = odd.rendered_and_read_back(examples, journal, "northwind", asn, "856")
    assert hierarchy(data) == ("0001", [("S", ""), ("O", "S"), ("P", "O"), ("I", "P"), ("P", "O"), ("I", "P")])
    assert segments(data, "MAN*") == ["MAN*GM*006141410000123452"] and segments(data, "TD1*") == ["TD1*CTN25*1"]
    assert isinstance(back, ShipNotice) and [p.sscc for p in back.orders[0].packs] == ["006141410000123452", None]


@pytest.mark.parametrize("sandbox", [18], indirect=True, ids=["odoo18"])
def test_an_unpacked_delivery_is_a_shipment_order_item_856(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig) -> None:
    """Northwind takes shipment/order/item 856s (BSN05 0004), and a delivery nobody packed is one: it went out
    as 0001 (pick and pack) with no pack level at all. Now its BSN05 says the hierarchy it has."""
    order_id = odd.ordered(examples, client, "northwind", "NW-LOOSE", Party(role="ship_to", ids={"store": "0042"}),
                           [odd.line("1", {"buyer": "NW-A1"}, 10), odd.line("2", {"buyer": "NW-A2"}, 4)])
    odd.pack_and_ship(odoo, order_id, [])
    [asn] = extract_ship_notices(client, examples.partners["northwind"], journal)
    assert asn.structure == "SOI"
    data, back = odd.rendered_and_read_back(examples, journal, "northwind", asn, "856")
    assert hierarchy(data) == ("0004", [("S", ""), ("O", "S"), ("I", "O"), ("I", "O")])
    assert isinstance(back, ShipNotice) and back.structure == "SOI"
    assert sorted((i.item_ids["buyer"], i.quantity) for i in back.all_items()) == [("NW-A1", 10), ("NW-A2", 4)]


def a_tax(odoo: odoorpc.ODOO, name: str, amount: float, amount_type: str = "percent", **more: Any) -> int:
    return int(odoo.execute_kw("account.tax", "create", [{"name": name, "amount": amount, "amount_type": amount_type,
                                                          "type_tax_use": "sale", **more}]))


def formula(odoo: odoorpc.ODOO, expression: str) -> dict[str, str]:
    """A `code` tax's formula in this version's field (account_tax_python: python_compute to 17, formula from 18)."""
    version = int(odoo.version.split(".")[0])
    return {"formula": expression} if version >= 18 else {"python_compute": f"result = {expression}"}


def taxes_of(doc: Invoice) -> tuple[list[list[tuple[str, Decimal | None, Decimal | None]]], list[Decimal | None]]:
    return ([[(t.type, t.rate, t.amount) for t in ln.taxes] for ln in doc.lines], [t.amount for t in doc.taxes])


@pytest.mark.parametrize("sandbox", [17, 19], indirect=True, ids=["odoo17", "odoo19"])
def test_a_group_of_taxes_is_sent_as_its_children(sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO,
                                                  journal: Any, examples: LoadedConfig) -> None:
    """A US sales tax is often a group (state 6 % + county 1.5 %, one tax on the line): the group was left out of
    the 810's TXI and TDS added up lines and no tax, less than Odoo's total. Each child is a TXI now, with its rate,
    and the taxes add up to Odoo's."""
    state, county = a_tax(odoo, "State 6%", 6.0), a_tax(odoo, "County 1.5%", 1.5)
    group = a_tax(odoo, "Sales tax 7.5%", 0.0, "group", children_tax_ids=[(6, 0, [state, county])])
    order_id = odd.ordered(examples, client, "bigbox", "PO-GROUP", odd.BIGBOX_DC,
                           [odd.line("1", {"buyer": "BB-1001"}, 24), odd.line("2", {"buyer": "BB-1002"}, 6)])
    move = odd.invoiced(odoo, order_id, [{"tax_ids": [(6, 0, [group])]}, {"tax_ids": [(6, 0, [group])]}])
    _, tax_amount, total = odd.odoo_totals(odoo, move)
    [doc] = extract_invoices(client, examples.partners["bigbox"], journal)
    lines, totals = taxes_of(doc)
    assert [[rate for _, rate, _ in ln] for ln in lines] == [[Decimal(6), Decimal("1.5")]] * 2
    assert sum((a for ln in lines for _, _, a in ln), Decimal(0)) == sum(totals, Decimal(0)) == tax_amount > 0
    data, back = odd.rendered_and_read_back(examples, journal, "bigbox", doc, "810")
    assert data.decode().count("TXI*ST*") == 6                    # each line's two, then the invoice's two
    local = examples.partners["bigbox"].model_copy(deep=True)    # a type named for the group is its children's
    local.odoo = local.odoo.model_copy(update={"tax_types": {"Sales tax 7.5%": "local", "State 6%": "sales"}})
    [again] = extract_invoices(client, local, journal, claim_marks=False)
    assert [t.type for t in again.taxes] == ["sales", "local"]
    assert isinstance(back, Invoice) and back.check() == []
    assert taxes_of(back)[0] == lines and back.totals.total_amount == total


@pytest.mark.parametrize("sandbox", [17, 18, 19], indirect=True, ids=["odoo17", "odoo18", "odoo19"])
def test_a_division_tax_is_computed_as_odoo_does(sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO,
                                                 journal: Any, examples: LoadedConfig) -> None:
    """A 'Percentage of Price Tax Included' (division) tax of 10 % on a line of 270 is 30 (270 / 0.9 - 270, every
    version from 16 to 19), not 27: it was left out, and the INVOIC's MOA 124 fell short of MOA 176."""
    levy = a_tax(odoo, "Levy 10% incl.", 10.0, "division")
    order_id = odd.ordered(examples, client, "eurohandel", "EH-DIV", Party(role="ship_to", ids={"gln": "4012345000016"}),
                           [odd.line("1", {"gtin": "00614141000012"}, 24)])
    move = odd.invoiced(odoo, order_id, [{"tax_ids": [(6, 0, [levy])], "discount": 10.0}])
    untaxed, tax_amount, total = odd.odoo_totals(odoo, move)
    assert (untaxed, tax_amount) == (Decimal(270), Decimal(30))
    [doc] = extract_invoices(client, examples.partners["eurohandel"], journal)
    assert taxes_of(doc) == ([[("VAT", None, Decimal(30))]], [Decimal(30)]) and doc.check() == []
    _, back = odd.rendered_and_read_back(examples, journal, "eurohandel", doc, "INVOIC")
    assert isinstance(back, Invoice) and back.check() == []
    assert sum(t.amount or 0 for t in back.taxes) == back.totals.tax_amount == tax_amount
    assert back.totals.total_amount == total == Decimal(300)


@pytest.mark.parametrize("sandbox", [17, 18], indirect=True, ids=["odoo17", "odoo18"])
def test_a_formula_tax_is_odoos_own_figure(sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO,
                                           journal: Any, examples: LoadedConfig) -> None:
    """A tax computed by a formula (account_tax_python, amount type 'code': here 0.35 a unit, a deposit) is not
    evaluated by the gateway: it is Odoo's tax on the line (price_total - price_subtotal) less the line's other
    taxes, so the document says what Odoo booked. It was left out."""
    vat = a_tax(odoo, "VAT 19%", 19.0)
    deposit = a_tax(odoo, "Deposit", 0.0, "code", **formula(odoo, "quantity * 0.35"))
    order_id = odd.ordered(examples, client, "eurohandel", "EH-CODE", Party(role="ship_to", ids={"gln": "4012345000016"}),
                           [odd.line("1", {"gtin": "00614141000012"}, 10), odd.line("2", {"gtin": "00614141000029"}, 3)])
    move = odd.invoiced(odoo, order_id, [{"tax_ids": [(6, 0, [vat, deposit])]}, {"tax_ids": [(6, 0, [vat])]}])
    _, tax_amount, total = odd.odoo_totals(odoo, move)
    [doc] = extract_invoices(client, examples.partners["eurohandel"], journal)
    lines, totals = taxes_of(doc)
    assert [a for *_, a in lines[0]] == [Decimal("23.75"), Decimal("3.50")]       # 125 x 19 %, 10 x 0.35
    assert sum(totals, Decimal(0)) == tax_amount and doc.check() == []
    _, back = odd.rendered_and_read_back(examples, journal, "eurohandel", doc, "INVOIC")
    assert isinstance(back, Invoice) and back.check() == [] and back.totals.total_amount == total


@pytest.mark.parametrize("sandbox", [19], indirect=True, ids=["odoo19"])
def test_two_formula_taxes_on_a_line_hold_the_invoice_naming_them(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig) -> None:
    """Odoo gives a line's tax in all, not tax by tax: two formula taxes on one line cannot be told apart, and a
    guess would put figures on the partner's tax lines that Odoo never booked. The invoice is held with the
    reason (the other invoices of the run go out)."""
    first = a_tax(odoo, "Deposit", 0.0, "code", **formula(odoo, "quantity * 0.35"))
    second = a_tax(odoo, "Eco fee", 0.0, "code", **formula(odoo, "base * 0.02"))
    ship_to = Party(role="ship_to", ids={"gln": "4012345000016"})
    held_order = odd.ordered(examples, client, "eurohandel", "EH-TWO", ship_to, [odd.line("1", {"gtin": "00614141000012"}, 10)])
    fine_order = odd.ordered(examples, client, "eurohandel", "EH-ONE", ship_to, [odd.line("1", {"gtin": "00614141000012"}, 2)])
    odd.invoiced(odoo, held_order, [{"tax_ids": [(6, 0, [first, second])]}])
    odd.invoiced(odoo, fine_order, [{"tax_ids": [(6, 0, [first])]}])
    held: list[tuple[Invoice, str]] = []
    [doc] = extract_invoices(client, examples.partners["eurohandel"], journal,
                             hold=lambda d, why: held.append((d, why)))   # type: ignore[arg-type]
    assert doc.po_number == "EH-ONE" and taxes_of(doc)[1] == [Decimal("0.70")]
    [(kept, reason)] = held
    assert kept.po_number == "EH-TWO" and "'Deposit', 'Eco fee'" in reason and "line 1" in reason


@pytest.mark.parametrize("sandbox", [18], indirect=True, ids=["odoo18"])
async def test_the_daemons_scheduler_holds_such_an_invoice_in_quarantine(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig,
        tmp_path: Path) -> None:
    """The scheduler's 810 job holds the invoice it cannot tell tax by tax where people look (quarantine, with the
    reason naming the taxes), once however many runs find it, and sends the partner's other invoices."""
    from gateway.journal.api import Direction, State

    first = a_tax(odoo, "Deposit", 0.0, "code", **formula(odoo, "quantity * 0.35"))
    second = a_tax(odoo, "Eco fee", 0.0, "code", **formula(odoo, "base * 0.02"))
    sales = a_tax(odoo, "Sales tax", 0.0, "group", children_tax_ids=[(6, 0, [a_tax(odoo, "State 6%", 6.0)])])
    held_order = odd.ordered(examples, client, "bigbox", "PO-TWO-CODES", odd.BIGBOX_DC,
                             [odd.line("1", {"buyer": "BB-1001"}, 10)])
    sent_order = odd.ordered(examples, client, "bigbox", "PO-GROUPED", odd.BIGBOX_DC,
                             [odd.line("1", {"buyer": "BB-1001"}, 4)])
    odd.invoiced(odoo, held_order, [{"tax_ids": [(6, 0, [first, second])]}])
    odd.invoiced(odoo, sent_order, [{"tax_ids": [(6, 0, [sales])]}])

    scheduler, pipeline = daemon_scheduler(examples, client, journal, tmp_path)
    assert await scheduler.run_once("bigbox", "810") == 1
    assert await scheduler.run_once("bigbox", "810") == 0
    out = journal.find(direction=Direction.OUT, partner="bigbox", limit=10)
    [held] = [m for m in out if m.state is State.QUARANTINED]
    [sent] = [m for m in out if m.state is State.QUEUED]
    assert "'Deposit', 'Eco fee'" in (held.last_error or "") and held.doc_type == "810"
    assert b"TXI*ST*" in pipeline.archive.read(sent.sha256) and len(out) == 2


@pytest.mark.parametrize("sandbox", [18], indirect=True, ids=["odoo18"])
def test_taxes_rounded_globally_add_up_as_odoos_tax_lines(sandbox: SandboxServer, client: OdooClient,
                                                          odoo: odoorpc.ODOO, journal: Any,
                                                          examples: LoadedConfig) -> None:
    """A company that rounds taxes globally (Accounting settings) books 15 % of two lines of 12.50 as one tax line
    of 3.75 (1.875 + 1.875, rounded once), not 3.76: the document's tax is that sum rounded, as Odoo's tax line;
    each line's own tax, shown rounded, is 1.88."""
    [company] = odoo.execute_kw("res.company", "search", [[]], {"limit": 1})
    odoo.execute_kw("res.company", "write", [[company], {"tax_calculation_rounding_method": "round_globally"}])
    vat = a_tax(odoo, "VAT 15%", 15.0)
    order_id = odd.ordered(examples, client, "eurohandel", "EH-GLOBAL", Party(role="ship_to", ids={"gln": "4012345000016"}),
                           [odd.line("1", {"gtin": "00614141000012"}, 1), odd.line("2", {"gtin": "00614141000029"}, 1)])
    move = odd.invoiced(odoo, order_id, [{"price_unit": 12.5, "tax_ids": [(6, 0, [vat])]}] * 2)
    _, tax_amount, total = odd.odoo_totals(odoo, move)
    assert (tax_amount, total) == (Decimal("3.75"), Decimal("28.75"))
    [doc] = extract_invoices(client, examples.partners["eurohandel"], journal)
    assert taxes_of(doc) == ([[("VAT", Decimal(15), Decimal("1.88"))]] * 2, [Decimal("3.75")])
    _, back = odd.rendered_and_read_back(examples, journal, "eurohandel", doc, "INVOIC")
    assert isinstance(back, Invoice) and back.check() == [] and back.totals.total_amount == total
    assert [t.amount for t in back.taxes] == [Decimal("3.75")]


@pytest.mark.parametrize("sandbox", [19], indirect=True, ids=["odoo19"])
def test_a_ubl_invoice_has_a_tax_subtotal_per_child_with_its_taxable_amount(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig) -> None:
    """UBL's TaxTotal has one TaxSubtotal per tax with the amount it is on (TaxableAmount, which Peppol requires):
    a group's children each get theirs, on the lines that carry the group, and a tax on one line only is on that
    line's amount. The invoice's taxes had no taxable amount at all."""
    from gateway.config.models import PartnerConfig
    from gateway.formats import parse
    from gateway.translate import render, translate

    federal, provincial = a_tax(odoo, "GST 5%", 5.0), a_tax(odoo, "PST 7%", 7.0)
    group = a_tax(odoo, "GST+PST", 0.0, "group", children_tax_ids=[(6, 0, [federal, provincial])])
    order_id = odd.ordered(examples, client, "eurohandel", "EH-UBL", Party(role="ship_to", ids={"gln": "4012345000016"}),
                           [odd.line("1", {"gtin": "00614141000012"}, 10), odd.line("2", {"gtin": "00614141000029"}, 4)])
    move = odd.invoiced(odoo, order_id, [{"price_unit": 10.0, "tax_ids": [(6, 0, [group])]},
                                         {"price_unit": 25.0, "tax_ids": [(6, 0, [federal])]}])
    _, tax_amount, total = odd.odoo_totals(odoo, move)
    [doc] = extract_invoices(client, examples.partners["eurohandel"], journal)
    assert [(t.rate, t.taxable_amount, t.amount) for t in doc.taxes] == [
        (Decimal(5), Decimal(200), Decimal(10)), (Decimal(7), Decimal(100), Decimal(7))]
    ubl = PartnerConfig.model_validate({"id": "ubl-buyer", "xml": {"ids": ["4000000000009"]}, "documents": [
        {"type": "Invoice", "direction": d, "profile": "ubl-2.1-invoice"} for d in ("in", "out")]})
    data = render(doc, ubl, examples.profiles, journal, "Invoice", our_ids=examples.gateway.our_ids).data
    assert data.count(b"<cac:TaxSubtotal>") == 2
    [back] = translate(parse(data).transactions[0], ubl, examples.profiles)
    assert isinstance(back, Invoice) and back.check() == []
    assert [(t.rate, t.taxable_amount, t.amount) for t in back.taxes] == [(t.rate, t.taxable_amount, t.amount)
                                                                          for t in doc.taxes]
    assert back.totals.tax_amount == tax_amount == Decimal(17) and back.totals.total_amount == total


@pytest.mark.parametrize("sandbox", [17], indirect=True, ids=["odoo17"])
def test_a_fixed_tax_on_a_negative_line_is_negative(sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO,
                                                    journal: Any, examples: LoadedConfig) -> None:
    """Odoo gives a fixed tax the sign of the line's amount (math.copysign(quantity, base)): a credit line of -10.00
    on an invoice with 15 % and a 0.25 fee carries -1.50 and -0.25. Counted +0.25, the line's taxes disagreed with
    Odoo's -1.75 and the invoice was held."""
    vat, fee = a_tax(odoo, "VAT 15%", 15.0), a_tax(odoo, "Fee", 0.25, "fixed")
    order_id = odd.ordered(examples, client, "eurohandel", "EH-NEG", Party(role="ship_to", ids={"gln": "4012345000016"}),
                           [odd.line("1", {"gtin": "00614141000012"}, 10), odd.line("2", {"gtin": "00614141000029"}, 1)])
    move = odd.invoiced(odoo, order_id, [{"tax_ids": [(6, 0, [vat])]},
                                         {"price_unit": -10.0, "tax_ids": [(6, 0, [vat, fee])]}])
    _, tax_amount, _ = odd.odoo_totals(odoo, move)
    [doc] = extract_invoices(client, examples.partners["eurohandel"], journal)
    assert [t.amount for t in doc.lines[1].taxes] == [Decimal("-1.50"), Decimal("-0.25")]
    assert sum(t.amount or 0 for t in doc.taxes) == tax_amount == Decimal("17.00")      # 18.75 - 1.50 - 0.25


@pytest.mark.parametrize("sandbox", [17, 18], indirect=True, ids=["odoo17", "odoo18"])
def test_a_tax_included_in_the_price_is_odoos_figure(sandbox: SandboxServer, client: OdooClient,
                                                     odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig) -> None:
    """A line of 10.00 with 21 % included in the price: Odoo takes 1.74 out of it (10 - 10 / 1.21) and leaves 8.26;
    21 % of the 8.26 would be 1.73. The line's only tax is Odoo's own figure, so it adds up to Odoo's tax total.
    Its unit price is the 8.26 it is charged at without the tax: the 10.00 Odoo keeps made quantity x price
    disagree with the line's amount."""
    included = {"price_include_override": "tax_included"} if int(odoo.version.split(".")[0]) >= 18 else {
        "price_include": True}
    vat = a_tax(odoo, "VAT 21% incl.", 21.0, **included)
    order_id = odd.ordered(examples, client, "eurohandel", "EH-INCL", Party(role="ship_to", ids={"gln": "4012345000016"}),
                           [odd.line("1", {"gtin": "00614141000012"}, 1)])
    move = odd.invoiced(odoo, order_id, [{"price_unit": 10.0, "tax_ids": [(6, 0, [vat])]}])
    untaxed, tax_amount, total = odd.odoo_totals(odoo, move)
    assert (untaxed, tax_amount, total) == (Decimal("8.26"), Decimal("1.74"), Decimal(10))
    [doc] = extract_invoices(client, examples.partners["eurohandel"], journal)
    assert taxes_of(doc) == ([[("VAT", Decimal(21), Decimal("1.74"))]], [Decimal("1.74")])
    assert doc.lines[0].unit_price == Decimal("8.26") and doc.check() == []     # the price without the tax in it
    _, back = odd.rendered_and_read_back(examples, journal, "eurohandel", doc, "INVOIC")
    assert isinstance(back, Invoice) and back.check() == [] and back.totals.total_amount == total
