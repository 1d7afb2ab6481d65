"""An item number that names several products in Odoo is refused saying so, not as if Odoo had none.

On a real database two things are common that the demo lacks: a customer's code kept on a product template that has
variants (product.customerinfo without a variant, as the OCA form makes it on the template: a T-shirt's code for all
its sizes), and an internal reference two active products share (Odoo does not make default_code unique: a
replacement product created as a copy keeps it). The lookup found several products and took none, and the order
was quarantined "no product in Odoo for buyer TS-1", which sends the coordinator looking for a product that is
there. It now says which products the number names and what to change. BigBox's 850 through the pipeline into the
sandbox over HTTP (17, 19).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import odoorpc

from gateway.config.loader import LoadedConfig
from gateway.journal.api import State
from gateway.odoo.sandbox import SandboxServer
from tests.odoo.test_hunt17_replaced_product_codes import examples, posted

__all__ = ["examples"]          # the module's fixture, shared


def refused_saying(message: Any, text: str) -> None:
    """The 850 was quarantined with `text` in its reason."""
    assert message.state is State.QUARANTINED
    assert text in str(message.last_error), message.last_error


async def test_a_customer_code_on_a_template_with_variants_is_refused_naming_them(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    small = odoo.execute_kw("product.product", "create", [{"name": "T-Shirt", "default_code": "TS-S"}])
    [tmpl] = odoo.execute_kw("product.product", "read", [[small], ["product_tmpl_id"]])
    odoo.execute_kw("product.product", "create", [{"product_tmpl_id": tmpl["product_tmpl_id"][0],
                                                   "default_code": "TS-L"}])
    bigbox = odoo.execute_kw("res.partner", "search", [[("ref", "=", "BIGBOX")]])[0]
    odoo.execute_kw("product.customerinfo", "create", [{"partner_id": bigbox, "product_code": "TS-1",
                                                        "product_tmpl_id": tmpl["product_tmpl_id"][0]}])
    message, _ = await posted(tmp_path, examples, sandbox, odoo, b"PO1*1*24*EA*9.00**BP*TS-1~\n")
    refused_saying(message, "line 1: no product in Odoo for buyer TS-1 (the buyer's item number TS-1 is on the product T-Shirt, "
                   "which has 2 variants: [TS-L] T-Shirt, [TS-S] T-Shirt; give the code to the variant it names")


async def test_an_internal_reference_two_products_share_is_refused_naming_both(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    odoo.execute_kw("product.product", "create", [{"name": "Blue Widget (new)", "default_code": "WB-100"}])
    message, _ = await posted(tmp_path, examples, sandbox, odoo, b"PO1*1*24*EA*12.50**VN*WB-100~\n")
    refused_saying(message, "line 1: no product in Odoo for vendor WB-100 (2 products have the internal reference WB-100: "
                   "[WB-100] Blue Widget, [WB-100] Blue Widget (new); archive one or give it another")


async def test_an_archived_products_gtin_is_refused_naming_it(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """A discontinued item (its product archived in Odoo) that the retailer still orders by its UPC: "no product in
    Odoo for upc 614141000012" sent the coordinator looking for a product that is there, archived."""
    [blue] = odoo.execute_kw("product.product", "search", [[("default_code", "=", "WB-100")]])
    odoo.execute_kw("product.product", "write", [[blue], {"active": False}])
    message, _ = await posted(tmp_path, examples, sandbox, odoo, b"PO1*1*24*EA*12.50**UP*614141000012~\n")
    refused_saying(message, "line 1: no product in Odoo for upc 614141000012 (it is the archived product [WB-100] Blue Widget: "
                   "unarchive it in Odoo and replay, or tell the partner the item is no longer sold)")
