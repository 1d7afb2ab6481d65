"""A procurement buyer's cXML OrderRequest as Ariba-style networks send it (NetworkID credentials, a ShipTo of two
Street lines under an addressID, the order's shipping cost in OrderRequestHeader/Shipping), through the daemon's
pipeline into the sandbox over HTTP, checked with odoorpc."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.config.models import OurIds, PartnerConfig, XmlSettings
from gateway.journal.api import State
from gateway.odoo.sandbox import SandboxServer
from gateway.transports.base import IntakeMeta
from tests.odoo.test_pipeline_posting import examples, pipeline_for, run

__all__ = ["examples"]          # the module fixture, shared

pytestmark = pytest.mark.parametrize("sandbox", [17, 19], ids=["odoo17", "odoo19"], indirect=True)


def buyer(**odoo: Any) -> PartnerConfig:
    return PartnerConfig.model_validate({
        "id": "bigbox-ariba", "name": "BigBox over Ariba",
        "odoo": {"partner_ref": "BIGBOX", "create_ship_to": True, **odoo}, "xml": {"ids": ["AN01000000123"]},
        "documents": [{"type": "OrderRequest", "direction": "in", "profile": "cxml-orderrequest"}]})


def order_request(number: str, shipping: str = "") -> bytes:
    """BigBox's OrderRequest `number` for 10 blue widgets to its new plant, whose address is a building and a
    street (two Street elements), with `shipping` inside OrderRequestHeader."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.050/cXML.dtd">
<cXML payloadID="{number}.1732790000@ariba.example" timestamp="2026-11-28T09:00:00-06:00" xml:lang="en-US">
<Header><From><Credential domain="NetworkID"><Identity>AN01000000123</Identity></Credential></From>
<To><Credential domain="NetworkID"><Identity>AN01000000999</Identity></Credential></To>
<Sender><Credential domain="NetworkID"><Identity>AN01000000001</Identity><SharedSecret>x</SharedSecret></Credential>
<UserAgent>Ariba Network</UserAgent></Sender></Header>
<Request deploymentMode="production"><OrderRequest>
<OrderRequestHeader orderID="{number}" orderDate="2026-11-28T09:00:00-06:00" type="new">
<Total><Money currency="USD">{"137.50" if shipping else "125.00"}</Money></Total>
<ShipTo><Address addressID="PLANT-42" isoCountryCode="US"><Name xml:lang="en">BigBox Plant 42</Name>
<PostalAddress><DeliverTo>Receiving</DeliverTo><Street>Building 4</Street><Street>100 Industrial Pkwy</Street>
<City>Bentonville</City><State>AR</State><PostalCode>72712</PostalCode><Country isoCountryCode="US">United States</Country>
</PostalAddress></Address></ShipTo>{shipping}
</OrderRequestHeader>
<ItemOut quantity="10" lineNumber="1"><ItemID><SupplierPartID>WB-100</SupplierPartID></ItemID>
<ItemDetail><UnitPrice><Money currency="USD">12.50</Money></UnitPrice><Description xml:lang="en">Blue Widget</Description>
<UnitOfMeasure>EA</UnitOfMeasure><Classification domain="UNSPSC">31160000</Classification></ItemDetail></ItemOut>
</OrderRequest></Request></cXML>""".encode()


SHIPPING = '<Shipping><Money currency="USD">12.50</Money><Description xml:lang="en">Ground</Description></Shipping>'


async def submit(tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, partner: PartnerConfig,
                 data: bytes) -> Any:
    pipeline, _journal = pipeline_for(tmp_path, examples, sandbox)
    pipeline.config.partners[partner.id] = partner
    message = await pipeline.submit(data, IntakeMeta(channel="sftp", filename="order.xml", partner=partner.id))
    return run(pipeline, message.id, {State.DONE, State.QUARANTINED}, rounds=60)


def sale_order(odoo: odoorpc.ODOO, ref: str) -> dict[str, Any]:
    [order] = odoo.execute_kw("sale.order", "search_read", [[("client_order_ref", "=", ref)]],
                              {"fields": ["order_line", "note", "partner_shipping_id", "amount_untaxed"]})
    return dict(order)


async def test_a_ship_to_of_two_street_lines_is_made_with_both(tmp_path: Path, examples: LoadedConfig,
                                                              sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """PostalAddress holds Street+ (Ariba: the building, then the street). Only the first was read: the plant's
    delivery contact was made as 'Building 4', Bentonville, with no street at all for the carrier."""
    done = await submit(tmp_path, examples, sandbox, buyer(), order_request("CX-STREETS"))
    assert done.state is State.DONE, done.last_error
    order = sale_order(odoo, "CX-STREETS")
    [ship] = odoo.execute_kw("res.partner", "read", [[order["partner_shipping_id"][0]],
                                                     ["name", "street", "street2", "city", "zip", "type"]])
    assert (ship["name"], ship["street"], ship["street2"], ship["city"], ship["zip"], ship["type"]) == (
        "BigBox Plant 42", "Building 4", "100 Industrial Pkwy", "Bentonville", "72712", "delivery")


async def test_the_orders_shipping_cost_is_a_freight_charge(tmp_path: Path, examples: LoadedConfig,
                                                           sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """OrderRequestHeader/Shipping/Money is what the buyer agreed to pay for shipping (its Total 137.50 is the
    widgets' 125.00 and it). It was not read: the sale order was 125.00 with no word of it. Now it is the
    order's freight charge: an order line on the partner's freight product (odoo.charge_products)."""
    kind = "detailed_type" if sandbox.version < 18 else "type"
    odoo.execute_kw("product.product", "create", [{"name": "Freight", "default_code": "SVC-FREIGHT", kind: "service",
                                                   "list_price": 0.0, "invoice_policy": "order"}])
    partner = buyer(charge_products={"freight": "SVC-FREIGHT"})
    done = await submit(tmp_path, examples, sandbox, partner, order_request("CX-SHIP", SHIPPING))
    assert done.state is State.DONE, done.last_error
    order = sale_order(odoo, "CX-SHIP")
    rows = odoo.execute_kw("sale.order.line", "read", [order["order_line"], ["product_id", "product_uom_qty",
                                                                            "price_unit"]])
    assert sorted((r["product_id"][1].split("]")[0].strip("["), r["product_uom_qty"], r["price_unit"])
                  for r in rows) == [("SVC-FREIGHT", 1.0, 12.5), ("WB-100", 10.0, 12.5)]
    assert order["amount_untaxed"] == 137.5


async def test_a_ship_to_is_found_by_its_address_id(tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer,
                                                   odoo: odoorpc.ODOO) -> None:
    """ShipTo/Address/@addressID is the buyer's own code for the place, stable where its Name is not (Coupa writes
    the requester's name there). Northwind's store 0042 (Reference 0042 in Odoo) ordered for by J. Madden: the
    order ships to the store. addressID was read and never looked at: the order was held, 'ship-to address 0042 is
    not a delivery address of Northwind Traders in Odoo'."""
    partner = PartnerConfig.model_validate({
        "id": "northwind-coupa", "name": "Northwind over Coupa", "odoo": {"gln": "0860001000016"},
        "xml": {"ids": ["AN01000000123"]},
        "documents": [{"type": "OrderRequest", "direction": "in", "profile": "cxml-orderrequest"}]})
    data = order_request("CX-ADDRID").replace(b'addressID="PLANT-42"', b'addressID="0042"').replace(
        b"BigBox Plant 42", b"J. Madden")
    done = await submit(tmp_path, examples, sandbox, partner, data)
    assert done.state is State.DONE, done.last_error
    assert sale_order(odoo, "CX-ADDRID")["partner_shipping_id"][1].endswith("Northwind Store 0042")


async def test_a_buyer_and_we_are_known_by_any_of_the_credentials(tmp_path: Path, examples: LoadedConfig,
                                                                 sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """A From or To holds one Credential per domain: the network's id (NetworkID) first, then the DUNS the
    buyer and we agreed on. Only the first of each was compared: a buyer set up by its DUNS had every order
    refused, 'carries sender id AN01000000123, not one of its configured ids', and one addressed to our DUNS
    after our network id would have been taken for another supplier's."""
    partner = buyer().model_copy(update={"xml": XmlSettings(ids=["123456789"])})
    ours = OurIds.model_validate({**(examples.gateway.our_ids or OurIds()).model_dump(exclude_none=True),
                                  "xml": "DUNS:614141000"})
    config = dataclasses.replace(examples, gateway=examples.gateway.model_copy(update={"our_ids": ours}))
    data = order_request("CX-CREDS").replace(
        b'<Identity>AN01000000123</Identity></Credential></From>',
        b'<Identity>AN01000000123</Identity></Credential><Credential domain="DUNS"><Identity>123456789</Identity>'
        b'</Credential></From>').replace(
        b'<Identity>AN01000000999</Identity></Credential></To>',
        b'<Identity>AN01000000999</Identity></Credential><Credential domain="DUNS"><Identity>614141000</Identity>'
        b'</Credential></To>')
    done = await submit(tmp_path, config, sandbox, partner, data)
    assert done.state is State.DONE, done.last_error
    assert sale_order(odoo, "CX-CREDS")["order_line"]


async def test_the_buyers_extrinsic_header_fields_are_in_the_orders_note(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """Ariba and Coupa put what has no element of its own in named Extrinsics: the cost center the invoice must
    quote, the requester the goods are for. They were not read at all; they are now in the sale order's note,
    'name: value', as the PO's references are (an empty one is left out)."""
    data = order_request("CX-EXTR").replace(
        b"</OrderRequestHeader>", b'<Extrinsic name="CostCenter">CC-100</Extrinsic><Extrinsic name="Requester">'
        b'Jane Buyer</Extrinsic><Extrinsic name="Empty"> </Extrinsic></OrderRequestHeader>')
    done = await submit(tmp_path, examples, sandbox, buyer(), data)
    assert done.state is State.DONE, done.last_error
    note = str(sale_order(odoo, "CX-EXTR")["note"])
    assert "CostCenter: CC-100" in note and "Requester: Jane Buyer" in note and "Empty" not in note
