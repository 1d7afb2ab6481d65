"""The stock feed in the retailer's cases (`odoo.stock_packaging`): whole packagings, unit CA, the case's GTIN.

Given the demo world in the sandbox Odoo (over loopback HTTP) with product packagings entered as a person does in
Inventory (16-18: product.packaging; 19: a packaging unit of the product and its barcode), when the scheduler runs
the partner's 846 / CSV feed through the real profiles, then each product goes out in whole cases of the packaging
the partner's setting names (or the one whose barcode is the partner's item code), the line's GTIN is the case's,
and a product with no such packaging is left out, not sent in units a case-counting system would read as cases.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.config.models import PartnerConfig
from gateway.odoo.client import OdooClient
from gateway.odoo.extract.inventory import extract_inventory
from gateway.odoo.posting import Cache, post
from gateway.odoo.sandbox import SandboxServer
from gateway.translate.canonical import Line
from tests.odoo.conftest import bigbox, northwind, order
from tests.odoo.test_extraction_incoming import product, purchase
from tests.odoo.test_stock_feed_csv import rows, with_stock_feed
from tests.odoo.test_stock_feed_levels import examples, feed, item, new_product, northwind_code, scheduler_for

__all__ = ["examples"]          # the module's fixture, shared


def packaging(odoo: odoorpc.ODOO, version: int, code: str, name: str, qty: float, barcode: str = "",
              sales: bool = True) -> None:
    """A packaging of product `code` holding `qty` of its unit, as entered in Odoo: 16-18 a product.packaging
    (Sales ticked or not); 19 a unit of `qty` Units added to the product's Packagings, its barcode for the product
    in product.uom."""
    pid = product(odoo, code)
    if version <= 18:
        odoo.execute_kw("product.packaging", "create", [{"product_id": pid, "name": name, "qty": qty,
                                                         "barcode": barcode or False, "sales": sales}])
        return
    units = odoo.execute_kw("uom.uom", "search", [[("name", "=", "Units")]])[0]
    uom = odoo.execute_kw("uom.uom", "create", [{"name": name, "relative_factor": qty, "relative_uom_id": units}])
    tmpl = odoo.execute_kw("product.product", "read", [[pid], ["product_tmpl_id"]])[0]["product_tmpl_id"][0]
    odoo.execute_kw("product.template", "write", [[tmpl], {"uom_ids": [(4, uom)]}])
    if barcode:
        odoo.execute_kw("product.uom", "create", [{"product_id": pid, "uom_id": uom, "barcode": barcode}])


def in_cases(examples: LoadedConfig, partner: str, setting: str, **changes: Any) -> PartnerConfig:
    """The example partner with `odoo.stock_packaging: setting`."""
    base = examples.partners[partner]
    return base.model_copy(update={"odoo": base.odoo.model_copy(update={"stock_packaging": setting}), **changes})


async def test_the_846_reports_whole_cases_of_the_named_packaging_with_the_cases_gtin(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig,
        tmp_path: Path) -> None:
    v = sandbox.version
    packaging(odoo, v, "WB-100", "Case of 24", 24, "10614141000019")
    packaging(odoo, v, "WR-200", "Inner pack of 6", 6)          # the first, but not what the partner counts in
    packaging(odoo, v, "WR-200", "Case of 12", 12)
    packaging(odoo, v, "CB-400", "Display of 8", 8, "10614141000057")   # Northwind lists the display's GTIN
    packaging(odoo, v, "SP-500", "case", 10)
    if v <= 18:
        packaging(odoo, v, "GL-300", "Case of 6", 6, sales=False)     # not for sales: no case Northwind can order
    customer = odoo.execute_kw("res.partner", "search", [[("ref", "=", "NORTHWIND")]])[0]
    info = odoo.execute_kw("product.customerinfo", "search", [[("partner_id", "=", customer),
                                                               ("product_code", "=", "NW-A4")]])
    odoo.execute_kw("product.customerinfo", "write", [info, {"product_code": "10614141000057"}])
    post(client, order(lines=[Line(line_no="1", item_ids={"upc": "614141000012"}, quantity=Decimal(30))]),
         bigbox(confirm_orders=True), Cache())                    # 30 Blue Widgets reserved for BigBox
    purchase(odoo, v, [("SP-500", 25, "Units", "2026-12-11 09:00:00"), ("SP-500", 7, "Units", "2026-12-14 09:00:00"),
                       ("SP-500", 4, "Units", "2026-12-16 09:00:00")])
    scheduler = scheduler_for(examples, client, journal, tmp_path)
    # on the base 005010 profile: Northwind's own calls a dozen CA (its case code is taken)
    documents = [d.model_copy(update={"profile": "x12-005010-846"}) if d.type == "846" else d
                 for d in examples.partners["northwind"].documents]
    scheduler.ctx.partners["northwind"] = in_cases(examples, "northwind", "Case", documents=documents)
    segments = await feed(scheduler)
    lins = [s for s in segments if s.startswith("LIN*")]
    # 470 free of 500: 19 whole cases of 24 to order, 20 on the shelf; the line names the case by its GTIN-14
    assert lins[0] == "LIN*1*BP*NW-A1*VN*WB-100*UP*614141000012*UK*10614141000019"
    assert item(segments, "WB-100")[1:4] == ["PO4*24", "QTY*33*19*CA", "QTY*17*20*CA"]     # the case's size
    assert item(segments, "WR-200")[1:4] == ["PO4*12", "QTY*33*25*CA", "QTY*17*25*CA"]
    assert item(segments, "CB-400")[1:4] == ["PO4*8", "QTY*33*10*CA", "QTY*17*10*CA"]
    # nothing on hand; 25, 7 and 4 arriving: 2 whole cases of 10 by the 11th, a third by the 14th, no fourth
    assert item(segments, "SP-500")[1:8] == ["PO4*10", "QTY*33*0*CA", "QTY*17*0*CA", "QTY*63*2*CA",
                                             "SCH*2*CA***018*20261211", "QTY*63*1*CA", "SCH*1*CA***018*20261214"]
    assert item(segments, "SP-500")[8] == "N1*WH**91*WH"
    assert not [s for s in segments if "GL-300" in s]           # no case for sale: left out, not 120 'cases'
    assert [s for s in segments if s.startswith("CTT*")] == ["CTT*4"]


async def test_a_csv_feed_counts_the_packaging_for_sales_and_says_its_gtin(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig,
        tmp_path: Path) -> None:
    v = sandbox.version
    packaging(odoo, v, "WB-100", "Single", 1, "614141000999")     # first, but one unit is no case
    packaging(odoo, v, "WB-100", "Case of 24", 24, "10614141000019")
    packaging(odoo, v, "WR-200", "Tray", 20)
    scheduler = scheduler_for(examples, client, journal, tmp_path)
    shop = with_stock_feed(examples)
    scheduler.ctx.partners["shopmarket"] = shop.model_copy(
        update={"odoo": shop.odoo.model_copy(update={"stock_packaging": "sales"})})
    got = await rows(scheduler, "2026-12-04 06:00")
    assert [(r["sku"], r["gtin"], r["quantity"], r["unit"]) for r in got] == [
        ("WB-100", "10614141000019", "20", "CS"), ("WR-200", "00614141000029", "15", "CS")]


def test_a_feed_in_cases_costs_the_same_calls_however_many_products_have_packagings(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any) -> None:
    v = sandbox.version
    partner = northwind(stock_packaging="sales")

    def calls(slot: str) -> int:
        before = client.calls
        assert len(extract_inventory(client, partner, journal, Cache(), slot=slot)) == 1
        return client.calls - before
    for n, code in enumerate(("WB-100", "WR-200", "GL-300", "CB-400", "SP-500"), 1):
        packaging(odoo, v, code, f"Case of {n * 6}", n * 6, f"1061414100{n:03d}0")
    calls("2026-12-04 03:00")   # the client's one-time look-ups (fields, models) out of the way
    one = calls("2026-12-04 04:00")
    for n in range(3):
        northwind_code(odoo, new_product(odoo, v, f"Boxed {n}", "storable", default_code=f"BX-{n}"), f"NW-X{n}")
        packaging(odoo, v, f"BX-{n}", f"Case of {n + 2}", n + 2)
    assert calls("2026-12-04 08:00") == one


@pytest.mark.parametrize("sandbox", [16, 18], indirect=True, ids=["odoo16", "odoo18"])
def test_a_packaging_is_named_by_its_package_type_too(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any) -> None:
    # 16-18: the packaging is called what the buyer wrote ("Carton 20"), its package type is the warehouse's Case
    case = odoo.execute_kw("stock.package.type", "create", [{"name": "Case"}])
    odoo.execute_kw("product.packaging", "create", [{"product_id": product(odoo, "WR-200"), "name": "Carton 20",
                                                     "qty": 20, "package_type_id": case}])
    packaging(odoo, sandbox.version, "WR-200", "Pallet of 600", 600)
    [doc] = extract_inventory(client, northwind(stock_packaging="case"), journal, Cache(), slot="2026-12-04 08:00")
    assert [(line.item_ids["vendor"], [(q.qualifier, q.value, q.unit) for q in line.quantities])
            for line in doc.lines] == [("WR-200", [("available", 15, "CS"), ("on_hand", 15, "CS")])]


def test_a_partner_whose_cs_is_an_odoo_unit_is_warned_its_feed_counts_other_cases(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any,
        caplog: pytest.LogCaptureFixture) -> None:
    # BigBox's CS is Odoo's Dozens (its orders in CS are posted as dozens); its feed would say CS for cases of 24
    packaging(odoo, sandbox.version, "WB-100", "Case of 24", 24)
    with caplog.at_level(logging.WARNING):
        [doc] = extract_inventory(client, bigbox(stock_packaging="sales"), journal, Cache(), slot="2026-12-04 08:00")
    assert doc.lines[0].quantities[0].unit == "CS"
    assert "maps to the Odoo unit 'Dozens': its orders in CS are posted in that unit" in caplog.text
