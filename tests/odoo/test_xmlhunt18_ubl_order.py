"""A Peppol BIS 3 customer's UBL 2.1 Order as it really comes (prefixes of its own, schemeID 0088 GLNs, Peppol's
CustomizationID/ProfileID, a price per BaseQuantity), through the daemon's pipeline into the sandbox over HTTP,
checked with odoorpc."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.config.models import PartnerConfig
from gateway.journal.api import State
from gateway.odoo.sandbox import SandboxServer
from gateway.transports.base import IntakeMeta
from tests.odoo.test_pipeline_posting import examples, pipeline_for, run

__all__ = ["examples"]          # the module fixture, shared

pytestmark = pytest.mark.parametrize("sandbox", [17, 19], ids=["odoo17", "odoo19"], indirect=True)

PEPPOL_BUYER = PartnerConfig.model_validate({
    "id": "bigbox-peppol", "name": "BigBox over Peppol", "odoo": {"partner_ref": "BIGBOX"},
    "xml": {"ids": ["0860001000009"]},
    "documents": [{"type": "Order", "direction": "in", "profile": "ubl-2.1-order"}]})


def peppol_order(number: str, price: str, base: str) -> bytes:
    """A Peppol BIS 3 order (prefixes `o`, `a`, `b`; no UBLVersionID, as Peppol writes it) for 20 red widgets at
    `price` per `base` units, to BigBox DC 1 by its GLN under scheme 0088."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<o:Order xmlns:o="urn:oasis:names:specification:ubl:schema:xsd:Order-2"
 xmlns:a="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:b="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
<b:CustomizationID>urn:fdc:peppol.eu:poacc:trns:order:3</b:CustomizationID>
<b:ProfileID>urn:fdc:peppol.eu:poacc:bis:ordering:3</b:ProfileID>
<b:ID>{number}</b:ID><b:IssueDate>2026-11-28</b:IssueDate><b:DocumentCurrencyCode>USD</b:DocumentCurrencyCode>
<a:BuyerCustomerParty><a:Party><b:EndpointID schemeID="0088">0860001000009</b:EndpointID>
<a:PartyName><b:Name>BigBox Retail</b:Name></a:PartyName></a:Party></a:BuyerCustomerParty>
<a:SellerSupplierParty><a:Party><b:EndpointID schemeID="0088">0614141000005</b:EndpointID>
<a:PartyName><b:Name>Acme Distribution</b:Name></a:PartyName></a:Party></a:SellerSupplierParty>
<a:Delivery><a:DeliveryLocation><b:ID schemeID="0088">0860001000023</b:ID></a:DeliveryLocation></a:Delivery>
<a:AnticipatedMonetaryTotal><b:LineExtensionAmount currencyID="USD">175.00</b:LineExtensionAmount>
<b:PayableAmount currencyID="USD">175.00</b:PayableAmount></a:AnticipatedMonetaryTotal>
<a:OrderLine><a:LineItem><b:ID>1</b:ID><b:Quantity unitCode="C62">20</b:Quantity>
<b:LineExtensionAmount currencyID="USD">175.00</b:LineExtensionAmount>
<a:Price><b:PriceAmount currencyID="USD">{price}</b:PriceAmount><b:BaseQuantity unitCode="C62">{base}</b:BaseQuantity>
</a:Price><a:Item><b:Name>Red Widget</b:Name><a:SellersItemIdentification><b:ID>WR-200</b:ID>
</a:SellersItemIdentification></a:Item></a:LineItem></a:OrderLine></o:Order>""".encode()


async def submit(tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, data: bytes) -> Any:
    pipeline, _journal = pipeline_for(tmp_path, examples, sandbox)
    pipeline.config.partners[PEPPOL_BUYER.id] = PEPPOL_BUYER
    message = await pipeline.submit(data, IntakeMeta(channel="as2", filename="order.xml", partner=PEPPOL_BUYER.id))
    return run(pipeline, message.id, {State.DONE, State.QUARANTINED}, rounds=60)


def sale_lines(odoo: odoorpc.ODOO, ref: str) -> tuple[list[tuple[str, float, float]], str]:
    [order] = odoo.execute_kw("sale.order", "search_read", [[("client_order_ref", "=", ref)]],
                              {"fields": ["order_line", "note"]})
    rows = odoo.execute_kw("sale.order.line", "read", [order["order_line"], ["product_id", "product_uom_qty",
                                                                            "price_unit"]])
    return ([(r["product_id"][1].split("]")[0].strip("["), r["product_uom_qty"], r["price_unit"]) for r in rows],
            str(order["note"] or ""))


async def test_a_ubl_order_price_for_ten_is_posted_per_unit(tmp_path: Path, examples: LoadedConfig,
                                                           sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """20 red widgets at 87.50 per 10 (Peppol BT-149, Price/BaseQuantity; the line's amount 175.00): the sale line
    is 20 at 8.75. The Order profile read BaseQuantity nowhere (the Invoice's did): the quotation was 20 at 87.50,
    1750.00 for an order of 175.00, with only an 'EDI check' remark in its note."""
    done = await submit(tmp_path, examples, sandbox, peppol_order("PPL-BQ-10", "87.50", "10"))
    assert done.state is State.DONE, done.last_error
    lines, note = sale_lines(odoo, "PPL-BQ-10")
    assert lines == [("WR-200", 20.0, 8.75)]
    assert "EDI check" not in note


async def test_a_ubl_order_base_quantity_of_zero_is_held(tmp_path: Path, examples: LoadedConfig,
                                                       sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """A price for 0 units is no price: held naming it, no quotation made."""
    held = await submit(tmp_path, examples, sandbox, peppol_order("PPL-BQ-0", "87.50", "0"))
    assert held.state is State.QUARANTINED
    assert "Price/BaseQuantity '0' is not a quantity" in (held.last_error or "")
    assert odoo.execute_kw("sale.order", "search", [[("client_order_ref", "=", "PPL-BQ-0")]]) == []


async def test_a_ubl_order_change_is_not_posted_as_a_new_order(tmp_path: Path, examples: LoadedConfig,
                                                             sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """The partner's documents name the UBL Order only; its buyer sends an OrderChange (UBL 2.1's change of an
    order, under a number of its own). The partner's one XML profile took it as any XML file and read it as an
    original Order: a second quotation under the change's number, the order it changes untouched. It is held now,
    naming the type, and nothing is made in Odoo."""
    change = peppol_order("PPL-CHG-1", "8.75", "1").replace(b"xsd:Order-2", b"xsd:OrderChange-2").replace(
        b"<o:Order ", b"<o:OrderChange ").replace(b"</o:Order>", b"</o:OrderChange>")
    held = await submit(tmp_path, examples, sandbox, change)
    assert held.state is State.QUARANTINED
    assert "no inbound profile for it and no base profile translates xml OrderChange" in (held.last_error or "")
    assert odoo.execute_kw("sale.order", "search", [[("client_order_ref", "=", "PPL-CHG-1")]]) == []


async def test_a_rec21_package_code_is_the_partners_case(tmp_path: Path, examples: LoadedConfig,
                                                       sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """Peppol's unit list is Rec 20 with Rec 21's packages as X-codes: 2 XCS is two cases, the unit the partner maps
    (odoo.units CS: Dozens). XCS was read as it came and the order held for a unit no setting names."""
    partner = PEPPOL_BUYER.model_copy(update={"odoo": PEPPOL_BUYER.odoo.model_copy(update={"units": {"CS": "Dozens"}})})
    data = peppol_order("PPL-XCS", "105.00", "1").replace(b'unitCode="C62">20<', b'unitCode="XCS">2<').replace(
        b"175.00", b"210.00")
    pipeline, _journal = pipeline_for(tmp_path, examples, sandbox)
    pipeline.config.partners[partner.id] = partner
    message = await pipeline.submit(data, IntakeMeta(channel="as2", filename="order.xml", partner=partner.id))
    done = run(pipeline, message.id, {State.DONE, State.QUARANTINED}, rounds=60)
    assert done.state is State.DONE, done.last_error
    [order] = odoo.execute_kw("sale.order", "search_read", [[("client_order_ref", "=", "PPL-XCS")]],
                              {"fields": ["order_line"]})
    uom = "product_uom_id" if sandbox.version >= 19 else "product_uom"          # renamed in 19
    [line] = odoo.execute_kw("sale.order.line", "read", [order["order_line"], ["product_uom_qty", uom]])
    assert (line["product_uom_qty"], line[uom][1]) == (2.0, "Dozens")
