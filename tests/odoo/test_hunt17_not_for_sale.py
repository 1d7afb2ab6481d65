"""An order line for a product Odoo does not sell (Can be Sold unticked) is refused naming it.

Distributors untick "Can be Sold" (product `sale_ok`) on items they stop selling but still stock or buy (a part
phased out, a component sold only inside kits). Odoo's order form then no longer offers the product on a sale
line, and the gateway's own stock feed reports it as 0 to order; but Odoo's ORM does not enforce it, and an 850
naming the item by its UPC was posted as any other line, a sale the distributor had ruled out. Such a line is now
refused like an unknown one, saying which product and what to do. BigBox's 850 through the pipeline into the
sandbox over HTTP (17, 19).
"""

from __future__ import annotations

from pathlib import Path

import odoorpc

from gateway.config.loader import LoadedConfig
from gateway.journal.api import State
from gateway.odoo.sandbox import SandboxServer
from tests.odoo.test_hunt17_replaced_product_codes import examples, posted

__all__ = ["examples"]          # the module's fixture, shared


async def test_a_line_for_a_product_not_for_sale_is_refused_naming_it(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    [blue] = odoo.execute_kw("product.product", "search", [[("default_code", "=", "WB-100")]])
    odoo.execute_kw("product.product", "write", [[blue], {"sale_ok": False}])
    message, first = await posted(tmp_path, examples, sandbox, odoo, b"PO1*1*24*EA*12.50**UP*614141000012~\n")
    assert message.state is State.QUARANTINED and not first
    assert "line 1: [WB-100] Blue Widget is not for sale in Odoo (Can be Sold, Sales in 19, is unticked on the " \
           "product, so Odoo's order form would not offer it): tick it and replay, or tell the partner the item is no longer sold" \
           in str(message.last_error), message.last_error
