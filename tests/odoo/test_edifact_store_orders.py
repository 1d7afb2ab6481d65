"""An EANCOM ORDERS with split delivery (LOC+7/QTY+11 per store under its lines) through the real pipeline into
the sandbox: `odoo.store_orders` treats it as it treats an X12 850's SDQ, one order to the DC with the split in
its note, or one order per store shipped to the store's contact (by GLN). Checked with odoorpc."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.journal.api import State
from gateway.odoo.sandbox import SandboxServer
from gateway.transports.base import IntakeMeta
from tests.odoo.test_pipeline_posting import examples, pipeline_for, run
from tests.translate.test_edifact_allocations import split_order

__all__ = ["examples"]      # the module-scoped fixture, re-exported

pytestmark = pytest.mark.parametrize("sandbox", [19], ids=["odoo19"], indirect=True)


async def post_split_order(tmp: Path, examples: LoadedConfig, sandbox: SandboxServer, **odoo: Any) -> None:
    """EuroHandel's sample ORDERS with line 1 split 12/36 between two stores and line 3 all for the first, posted
    with the partner's `odoo` settings changed by `odoo`."""
    pipeline, _ = pipeline_for(tmp, examples, sandbox)
    partner = pipeline.config.partners["eurohandel"]
    pipeline.config.partners["eurohandel"] = partner.model_copy(
        update={"odoo": partner.odoo.model_copy(update=odoo)})
    message = await pipeline.submit(split_order(), IntakeMeta(channel="folder", filename="ORDERS_split.edi"))
    done = run(pipeline, message.id, {State.DONE, State.QUARANTINED})
    assert done.state is State.DONE, done.last_error


def sale_orders(odoo: odoorpc.ODOO) -> list[tuple[str, str, list[tuple[str, float]]]]:
    """(ship-to GLN or name, note, [(product code, quantity)]) of the PO's sale orders."""
    out = []
    for so in odoo.execute_kw("sale.order", "search_read", [[("client_order_ref", "=", "4500012345")]],
                              {"fields": ["partner_shipping_id", "order_line", "note"], "order": "id"}):
        [ship] = odoo.execute_kw("res.partner", "read", [[so["partner_shipping_id"][0]], ["barcode", "name"]])
        lines = odoo.execute_kw("sale.order.line", "read", [so["order_line"], ["product_id", "product_uom_qty"]])
        out.append((ship["barcode"] or ship["name"], str(so["note"] or ""),
                    sorted((r["product_id"][1].split("]")[0].strip("["), r["product_uom_qty"]) for r in lines
                           if r["product_id"])))
    return out


async def test_one_order_to_the_dc_with_the_stores_split_in_its_note(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    await post_split_order(tmp_path, examples, sandbox)
    [(ship, note, lines)] = sale_orders(odoo)
    assert (ship, lines) == ("4012345000016", [("GL-300", 10.0), ("WB-100", 48.0), ("WR-200", 4.0)])
    assert "line 1 for gln 4012345000023: 12, 4012345000030: 36" in note
    assert "line 3 for gln 4012345000023: 10" in note


async def test_split_makes_one_order_per_store_shipped_to_its_gln(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    await post_split_order(tmp_path, examples, sandbox, store_orders="split", create_ship_to=True)
    assert sorted((ship, lines) for ship, _, lines in sale_orders(odoo)) == [
        ("4012345000016", [("WR-200", 4.0)]),                  # the DC (NAD+DP): what no store is given
        ("4012345000023", [("GL-300", 10.0), ("WB-100", 12.0)]), ("4012345000030", [("WB-100", 36.0)])]
