"""An EANCOM retailer's own article number, PIA+5+4711:IN, finds the product by the customer's code in Odoo, as an
X12 PO1's IN does. The EDIFACT base reads IN as `buyer_item`; the product lookup asked only `buyer` (product.customerinfo
and the case-GTIN rule), so EuroHandel's line naming the Blue Widget by its article number alone, which Odoo has as
EuroHandel's customer code, was quarantined "no product in Odoo for buyer_item 4711", where BigBox's
`PO1*...*IN*4711` (the X12 base picks BP, else IN, as the buyer's number) was posted. The line is now posted, and the
ORDRSP answers it under the number and type the retailer sent (PIA+5+4711:IN), not as BP. Through the pipeline into
the sandbox over HTTP (17, 19); fails without `lookup.buyer_number`."""

from __future__ import annotations

from pathlib import Path

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.odoo.client import OdooClient
from gateway.odoo.sandbox import SandboxServer
from tests.odoo.test_caseorders15_gtin import eurohandel_ordered, examples, ordrsp_first_line

__all__ = ["examples"]

pytestmark = pytest.mark.parametrize("sandbox", [17, 19], ids=["odoo17", "odoo19"], indirect=True)

BY_ARTICLE = b"LIN+1'\nPIA+5+4711:IN'\nIMD+F++:::Blue Widget'\nQTY+21:48:PCE'\nMOA+203:600.00'\nPRI+AAA:12.50'\n"


def customer_code(odoo: odoorpc.ODOO, ref: str, code: str, default_code: str) -> None:
    """The customer's own code for our product, as a person enters it on the product (product.customerinfo)."""
    [partner] = odoo.execute_kw("res.partner", "search", [[("ref", "=", ref)]])
    [row] = odoo.execute_kw("product.product", "search_read", [[("default_code", "=", default_code)]],
                            {"fields": ["product_tmpl_id"]})
    odoo.execute_kw("product.customerinfo", "create", [{"partner_id": partner, "product_id": row["id"],
                                                        "product_tmpl_id": row["product_tmpl_id"][0],
                                                        "product_code": code}])


async def test_an_article_number_typed_in_finds_the_customers_code_and_is_answered_as_sent(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient,
        odoo: odoorpc.ODOO) -> None:
    customer_code(odoo, "EUROHANDEL", "4711", "WB-100")
    pipeline, so = await eurohandel_ordered(tmp_path, examples, sandbox, odoo, BY_ARTICLE)
    [first] = odoo.execute_kw("sale.order.line", "search_read", [[("order_id", "=", so)]],
                              {"fields": ["product_id", "product_uom_qty", "price_unit"], "order": "sequence,id"})[:1]
    assert first["product_id"][1].endswith("Blue Widget") and first["product_uom_qty"] == 48.0, first
    line = await ordrsp_first_line(pipeline, client, odoo, so)
    assert "PIA+5+4711:IN'" in line and ":BP" not in line, line
