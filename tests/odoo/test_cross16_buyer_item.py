"""An EANCOM retailer's own article number, PIA+5+4711:IN, finds the product by the customer's code in Odoo, as an
X12 PO1's IN does. The EDIFACT base reads IN as `buyer_item`; the product lookup asked only `buyer` (product.customerinfo
and the case-GTIN rule), so EuroHandel's line naming the Blue Widget by its article number alone, which Odoo has as
EuroHandel's customer code, was quarantined "no product in Odoo for buyer_item 4711", where BigBox's
`PO1*...*IN*4711` (the X12 base picks BP, else IN, as the buyer's number) was posted. The line is now posted, and the
ORDRSP, DESADV and INVOIC name it once, under the type the retailer sent (4711:IN): not also as BP, which Odoo's
customer code (`buyer`) beside the line's IN had added (`PIA+1+...+4711:IN+4711:BP`). Through the pipeline into the
sandbox over HTTP (17, 19); fails without `lookup.buyer_number` (quarantined) or `standing_orders.theirs_over`."""

from __future__ import annotations

from pathlib import Path

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.journal.api import Direction, State
from gateway.odoo.client import OdooClient
from gateway.odoo.sandbox import SandboxServer
from gateway.transports.base import IntakeMeta
from tests.odoo import test_outbound_odd_odoo as odd
from tests.odoo.test_caseorders15_gtin import eurohandel_ordered, examples, ordrsp_first_line
from tests.odoo.test_outbound_taxes_packs import daemon_scheduler
from tests.odoo.test_pipeline_posting import run

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
    odd.invoiced(odoo, so)
    scheduler, out_pipeline = daemon_scheduler(pipeline.config, client, pipeline.journal, tmp_path / "out")
    for doc_type in ("DESADV", "INVOIC"):          # shipped and billed under the number as sent, once
        assert await scheduler.run_once("eurohandel", doc_type) == 1
        [out] = [m for m in pipeline.journal.find(direction=Direction.OUT, partner="eurohandel", limit=20)
                 if m.doc_type == doc_type]
        assert out.state is not State.QUARANTINED, out.last_error
        sent = out_pipeline.archive.read(out.sha256).decode("latin-1")
        first_line = sent.split("LIN+1+")[1].split("LIN+2+")[0]
        assert "4711:IN" in first_line and first_line.count("4711") == 1, (doc_type, first_line)


CHANGE = Path(__file__).resolve().parents[2] / "gateway" / "examples" / "samples" / "eurohandel" / "later" / \
    "ORDCHG_4500012345.edi"


async def test_an_ordchg_naming_the_line_by_its_article_number_changes_that_line(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """EuroHandel's sample ORDCHG with its first line named by the article number alone (LIN+1+3, PIA+5+4711:IN,
    QTY+21:60): the quotation's Blue Widget line orders 60 (no second line, no hold)."""
    customer_code(odoo, "EUROHANDEL", "4711", "WB-100")
    pipeline, so = await eurohandel_ordered(tmp_path, examples, sandbox, odoo, BY_ARTICLE)
    data = CHANGE.read_bytes().replace(b"LIN+1+3+0614141000012:EN'", b"LIN+1+3'\nPIA+5+4711:IN'")
    data = data.replace(b"UNT+19+1'", b"UNT+20+1'")
    message = await pipeline.submit(data, IntakeMeta(channel="folder", filename=CHANGE.name))
    done = run(pipeline, message.id, {State.DONE, State.QUARANTINED})
    assert done.state is State.DONE, done.last_error
    lines = odoo.execute_kw("sale.order.line", "search_read", [[("order_id", "=", so), ("display_type", "=", False)]],
                            {"fields": ["product_id", "product_uom_qty"], "order": "sequence,id"})
    blue = [line["product_uom_qty"] for line in lines if line["product_id"][1].endswith("Blue Widget")]
    assert blue == [60.0], lines
