"""A cXML OrderRequest stating its shipping cost both as OrderRequestHeader/Shipping and as a Shipping
Modification of its Total, through the daemon's pipeline into the sandbox over HTTP, checked with odoorpc."""

from __future__ import annotations

from pathlib import Path

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.journal.api import State
from gateway.odoo.sandbox import SandboxServer
from tests.odoo.test_pipeline_posting import examples
from tests.odoo.test_xmlhunt18_cxml_order import SHIPPING, buyer, order_request, sale_order, submit

__all__ = ["examples"]          # the module fixture, shared

pytestmark = pytest.mark.parametrize("sandbox", [17, 19], ids=["odoo17", "odoo19"], indirect=True)

MODIFICATION = (b'<Modifications><Modification><OriginalPrice><Money currency="USD">125.00</Money></OriginalPrice>'
                b'<AdditionalCost><Money currency="USD">12.50</Money></AdditionalCost><ModificationDetail '
                b'name="Shipping"><Description xml:lang="en">Ground</Description></ModificationDetail></Modification>'
                b'</Modifications>')


async def test_a_shipping_cost_stated_twice_is_charged_once(tmp_path: Path, examples: LoadedConfig,
                                                            sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """The buyer's Total (137.50) names the 12.50 shipping as a Modification and its Shipping element says the
    same 12.50. Both were read as freight charges since 79bdd4e: two freight lines, 150.00 for an order of
    137.50, and nothing in Odoo compares the Total. One freight line now."""
    kind = "detailed_type" if sandbox.version < 18 else "type"
    odoo.execute_kw("product.product", "create", [{"name": "Freight", "default_code": "SVC-FREIGHT", kind: "service",
                                                   "list_price": 0.0, "invoice_policy": "order"}])
    data = order_request("CX-SHIP2", SHIPPING).replace(b"</Money></Total>", b"</Money>" + MODIFICATION + b"</Total>")
    done = await submit(tmp_path, examples, sandbox, buyer(charge_products={"freight": "SVC-FREIGHT"}), data)
    assert done.state is State.DONE, done.last_error
    order = sale_order(odoo, "CX-SHIP2")
    rows = odoo.execute_kw("sale.order.line", "read", [order["order_line"], ["product_id", "price_unit"]])
    assert sorted((r["product_id"][1].split("]")[0].strip("["), r["price_unit"]) for r in rows) == [
        ("SVC-FREIGHT", 12.5), ("WB-100", 12.5)]
    assert order["amount_untaxed"] == 137.5
