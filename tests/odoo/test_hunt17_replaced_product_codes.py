"""A customer's item number that moved to a new product, the old one archived, as a distributor replaces an item.

Odoo keeps a product's customer codes (OCA product.customerinfo) and vendor codes (product.supplierinfo) when the
product is archived: neither model has an `active` field, and archiving a product leaves them as they were. So
after the Blue Widget is replaced by the Blue Widget II (a new product, BigBox's code BB-1001 added to it, the old
one archived), product.customerinfo holds BB-1001 twice, the archived product's row first (lower id, the same
sequence). The lookup took the first row only: its product, archived, is not found by the product search, so BigBox's
850 naming the item by BB-1001 alone was quarantined "no product in Odoo for buyer BB-1001", though Odoo's own
customer code list shows BB-1001 on the product it now sells. BigBox's 850 through the pipeline into the sandbox
over HTTP (17, 19).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.journal.api import State
from gateway.odoo.client import OdooClient
from gateway.odoo.sandbox import SandboxServer
from tests.odoo.test_caseorders15_gtin import BLUE, order_lines
from tests.odoo.test_pipeline_posting import SAMPLE, examples, pipeline_for, run
from tests.odoo.test_posting_cancel import pipeline_orders, submit
from tests.odoo.test_stock_feed_dropped import lines
from tests.odoo.test_stock_feed_levels import feed, scheduler_for

__all__ = ["examples"]          # the module's fixture, shared

BY_THEIR_CODE = b"PO1*1*24*EA*12.50**BP*BB-1001~\nPID*F****BLUE WIDGET~\n"


async def posted(tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO,
                 line: bytes, **settings: Any) -> tuple[Any, dict[str, Any]]:
    """BigBox's sample 850 with its Blue Widget line replaced by `line` (`settings`: BigBox's odoo ones) through the
    pipeline: the message as it ended (done or quarantined) and the sale order's first line, if any."""
    message, first, _pipeline = await posted_by(tmp_path, examples, sandbox, odoo, line, **settings)
    return message, first


async def posted_by(tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO,
                    line: bytes, **settings: Any) -> tuple[Any, dict[str, Any], Any]:
    """`posted`, and the pipeline it went through (its journal, archive and configuration)."""
    pipeline, _journal = pipeline_for(tmp_path, examples, sandbox)
    partner = pipeline.config.partners["bigbox"]
    pipeline.config.partners["bigbox"] = partner.model_copy(update={
        "odoo": partner.odoo.model_copy(update=settings)})
    data = SAMPLE.read_bytes().replace(b"\r\n", b"\n")
    assert data.count(BLUE) == 1
    edi = data.replace(BLUE, line).replace(b"SE*25*0001", f"SE*{25 - 3 + line.count(b'~')}*0001".encode())
    message = run(pipeline, (await submit(pipeline, edi, SAMPLE.name)).id, {State.DONE, State.QUARANTINED})
    orders = pipeline_orders(odoo)
    return message, (order_lines(odoo, orders[0]["id"], sandbox.version)[0] if orders else {}), pipeline


def replaced(odoo: odoorpc.ODOO, model: str, code: str, *, on_template: bool) -> int:
    """The Blue Widget replaced by the Blue Widget II, which takes over the partner's `code` in `model` (a row of its
    own, on the variant or, `on_template`, on its template as the OCA form makes it for a product without variants);
    the old product archived, its row left as Odoo leaves it. The new product's id."""
    [old] = odoo.execute_kw("product.product", "search", [[("default_code", "=", "WB-100")]])
    [row] = odoo.execute_kw(model, "search_read", [[("product_code", "=", code)]],
                            {"fields": ["partner_id", "product_tmpl_id"]})
    new = odoo.execute_kw("product.product", "create", [{"name": "Blue Widget II", "default_code": "WB-110",
                                                          "barcode": "00614141000111", "list_price": 12.5}])
    [tmpl] = odoo.execute_kw("product.product", "read", [[new], ["product_tmpl_id"]])
    odoo.execute_kw(model, "create", [{"partner_id": row["partner_id"][0], "product_code": code,
                                       "product_tmpl_id": tmpl["product_tmpl_id"][0],
                                       **({} if on_template else {"product_id": new})}])
    odoo.execute_kw("product.product", "write", [[old], {"active": False}])
    return int(new)


@pytest.mark.parametrize("on_template", [False, True], ids=["variant", "template"])
async def test_a_customer_code_moved_to_the_replacing_product_finds_it(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO, on_template: bool) -> None:
    new = replaced(odoo, "product.customerinfo", "BB-1001", on_template=on_template)
    message, first = await posted(tmp_path, examples, sandbox, odoo, BY_THEIR_CODE)
    assert message.state is State.DONE, message.last_error
    assert first["product_id"][0] == new


async def test_the_846_reports_a_moved_customer_code_once_with_the_replacing_products_stock(
        client: OdooClient, odoo: odoorpc.ODOO, journal: Any, tmp_path: Path, examples: LoadedConfig) -> None:
    """Northwind's code NW-A1 moved from the archived Blue Widget to the Blue Widget II, which has 40 in stock. The
    feed named NW-A1 twice: at 0 for the archived product (left in product.customerinfo) and at 40 for the new one,
    and a retailer's system that keeps the last line it reads for an item (or refuses an item given twice) stopped
    selling it. Its only line is now the one Odoo sells; the archived product's line keeps its own numbers at 0."""
    new = replaced(odoo, "product.customerinfo", "NW-A1", on_template=False)
    stock = odoo.execute_kw("stock.location", "search", [[("usage", "=", "internal")]], {"limit": 1})[0]
    odoo.execute_kw("stock.quant", "create", [{"product_id": new, "location_id": stock, "quantity": 40.0}])
    said = lines(await feed(scheduler_for(examples, client, journal, tmp_path)))
    named = {item: qty for item, qty in said.items() if "*NW-A1*" in f"*{item}*"}
    assert named == {"IN*NW-A1*VN*WB-110*UP*614141000111*UK*00614141000111": ["QTY*33*40*EA", "QTY*17*40*EA"]}, said
    # the archived product's own numbers still say it is gone
    assert said["VN*WB-100*UP*614141000012*UK*00614141000012"] == ["QTY*33*0*EA", "QTY*17*0*EA"]
