"""A retailer's allowance and charge posted on odoo.charge_products products go back as the invoice's own (e1f7f1b),
off its lines: each keeps its VAT. A German retailer's order with freight (ALC C FC, 15.00) and a discount (ALC A
DI, 10.00), posted, delivered and invoiced in the Odoo sandbox over HTTP with every line at 21 %: the INVOIC the
daemon's scheduler sends states the ALCs' own TAX (21 %, S) and foots; the UBL invoice's AllowanceCharges carry
their TaxCategory and its LegalMonetaryTotal foots with them (EN 16931 BR-32, BR-37, BR-CO-13). Before, the
charge was a line with its tax; off the lines it went out with no category: the 21 % summary's taxable amount had
15.00 - 10.00 that no line or allowance/charge of that category accounted for, and the UBL total was not its
LineExtensionAmount plus its tax."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import odoorpc
import pytest
from lxml import etree

from gateway.config.loader import LoadedConfig
from gateway.config.models import OurIds
from gateway.odoo.client import OdooClient
from gateway.odoo.extract.invoices import extract_invoices
from gateway.odoo.posting import Cache, post
from gateway.odoo.sandbox import SandboxServer
from gateway.translate import render
from gateway.translate.canonical import AllowanceCharge, PurchaseOrder, Source
from tests.e2e.test_hunt17_x12_retailer import charge_product
from tests.helpers.content_models import problems
from tests.odoo import test_outbound_odd_odoo as odd
from tests.odoo.conftest import client, journal
from tests.odoo.test_outbound_taxes_packs import a_tax, examples
from tests.odoo.test_taxcat17_invoices import (
    DC,
    GTINS,
    NS,
    UBL_BUYER,
    our_company_in,
    segments,
    sent_by_daemon,
    with_settings,
)
from tests.translate.test_ubl_schema import MODELS

__all__ = ["client", "examples", "journal"]

CHARGES = {"freight": "SVC-FREIGHT", "discount": "SVC-DISCOUNT"}
# UBL 2.1's AllowanceCharge sequence, TaxCategory included (common/UBL-CommonAggregateComponents-2.1.xsd)
WITH_TAX = {**MODELS, "AllowanceCharge": (["ChargeIndicator", "AllowanceChargeReasonCode?", "AllowanceChargeReason*",
                                           "MultiplierFactorNumeric?", "Amount", "BaseAmount?", "TaxCategory*"], [])}


def charged_order(examples: LoadedConfig, client: OdooClient, odoo: odoorpc.ODOO, number: str) -> int:
    """EuroHandel's order of three lines with freight 15.00 and a discount 10.00 on its charge products, posted,
    delivered and invoiced with every invoice line at 21 % VAT; returns the invoice."""
    charge_product(odoo, "SVC-FREIGHT", "Freight")
    charge_product(odoo, "SVC-DISCOUNT", "Discount")
    vat = a_tax(odoo, "VAT 21%", 21.0)
    partner = examples.partners["eurohandel"].model_copy(deep=True)
    partner.odoo = partner.odoo.model_copy(update={"confirm_orders": True, "price_policy": "odoo",
                                                   "charge_products": CHARGES})
    doc = PurchaseOrder(number=number, parties=[DC], lines=[odd.line(str(n), {"gtin": g}, 10)
                                                            for n, g in enumerate(GTINS, 1)],
                        allowances_charges=[AllowanceCharge(kind="charge", code="freight", amount=Decimal(15),
                                                            description="Fracht"),
                                            AllowanceCharge(kind="allowance", code="discount", amount=Decimal(10),
                                                            description="Rabatt")],
                        source=Source(standard_type="ORDERS", message_id=f"01{number}"))
    order_id = post(client, doc, partner, Cache())[0].record_id
    return odd.invoiced(odoo, order_id, [{"tax_ids": [(6, 0, [vat])]}] * 5)


def amount(tree: Any, path: str) -> Decimal:
    return Decimal(tree.findtext(path, namespaces=NS) or "0")


@pytest.mark.parametrize("sandbox", [17, 19], indirect=True, ids=["odoo17", "odoo19"])
async def test_an_invoics_and_a_ubl_invoices_freight_and_discount_keep_their_vat(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig,
        tmp_path: Path) -> None:
    our_company_in(odoo, "NL", "NL123456789B01")
    charged_order(examples, client, odoo, "EH-CHARGE-VAT")
    config, partner = with_settings(examples, "eurohandel", charge_products=CHARGES)

    written = await sent_by_daemon(config, client, journal, tmp_path, "eurohandel", "INVOIC")
    head, summary = written.split("UNS+S'")
    groups = head[head.index("ALC+"):head.index("LIN+")]                 # SG15: each ALC, its MOA, its TAX
    assert [s.strip() for s in groups.split("'") if s.strip()] == [
        "ALC+C++++FC:::Fracht", "MOA+8:15", "TAX+7+VAT+++:::21+S",
        "ALC+A++++DI:::Rabatt", "MOA+8:10", "TAX+7+VAT+++:::21+S"], written
    moa = {s.split(":")[0]: Decimal(s.split(":")[1]) for s in segments(summary, "MOA+")}
    assert moa["MOA+125"] == moa["MOA+79"] + 15 - 10, summary                   # the 21 % base: lines and ALCs
    assert moa["MOA+79"] + 15 - 10 + moa["MOA+176"] == moa["MOA+77"], summary

    [invoice] = extract_invoices(client, partner, journal, claim_marks=False)
    out = render(invoice, UBL_BUYER, examples.profiles, journal, "Invoice",
                 our_ids=OurIds.model_validate({"xml": "0614141000005"}))
    tree = etree.fromstring(out.data)
    assert problems(tree, WITH_TAX) == [], out.data.decode()
    said = [(c.findtext("cbc:ChargeIndicator", namespaces=NS), c.findtext("cac:TaxCategory/cbc:ID", namespaces=NS),
             c.findtext("cac:TaxCategory/cbc:Percent", namespaces=NS)) for c in tree.iterfind("cac:AllowanceCharge", NS)]
    assert said == [("true", "S", "21"), ("false", "S", "21")], out.data.decode()
    total = "cac:LegalMonetaryTotal/cbc:"
    exclusive = amount(tree, total + "TaxExclusiveAmount")
    assert exclusive == amount(tree, total + "LineExtensionAmount") + 15 - 10 == \
        amount(tree, total + "ChargeTotalAmount") - amount(tree, total + "AllowanceTotalAmount") + \
        amount(tree, total + "LineExtensionAmount"), out.data.decode()
    assert exclusive + amount(tree, "cac:TaxTotal/cbc:TaxAmount") == amount(tree, total + "TaxInclusiveAmount")
    assert amount(tree, "cac:TaxTotal/cac:TaxSubtotal/cbc:TaxableAmount") == exclusive
