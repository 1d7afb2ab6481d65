"""A retailer whose GLN is kept on one of its contacts, not on the company, is still found by it.

A partner file may name a retailer by its GLN only (odoo.gln; Northwind's here), and its 850s say N1*BY*NORTHWIND STORES*UL*0860001000016.
Many companies keep that GLN, under which the retailer buys and is invoiced, on its purchasing or invoice address (a
contact of type invoice under the company) rather than on the company. The lookup asked only companies (no parent),
so every Northwind order was quarantined "no company in Odoo with GLN 0860001000016", though Odoo has that GLN on
Northwind's contact. The contact's company is now the customer, when no company has the GLN itself. Northwind's
sample 850 through the pipeline into the sandbox over HTTP (17, 19).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import odoorpc

from gateway.config.loader import LoadedConfig
from gateway.journal.api import State
from gateway.odoo.client import OdooClient
from gateway.odoo.extract.ship_notices import extract_ship_notices
from gateway.odoo.sandbox import SandboxServer
from gateway.translate.canonical import Party
from gateway.transports.base import IntakeMeta
from tests.odoo.test_outbound_odd_odoo import line, ordered, pack_and_ship, rendered_and_read_back
from tests.odoo.test_pipeline_posting import EXAMPLES, examples, pipeline_for, run
from tests.odoo.test_posting_cancel import sale_orders

__all__ = ["examples"]      # the module-scoped fixture, shared

NW_850 = EXAMPLES / "samples" / "northwind" / "850_NW-77001.edi"


async def test_a_gln_on_the_customers_invoice_address_finds_the_customer(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    [northwind] = odoo.execute_kw("res.partner", "search", [[("ref", "=", "NORTHWIND")]])
    odoo.execute_kw("res.partner", "write", [[northwind], {"barcode": False}])
    odoo.execute_kw("res.partner", "create", [{"name": "Northwind Accounts Payable", "parent_id": northwind,
                                               "type": "invoice", "barcode": "0860001000016"}])
    pipeline, _journal = pipeline_for(tmp_path, examples, sandbox)
    partner = pipeline.config.partners["northwind"]            # named by its GLN only
    pipeline.config.partners["northwind"] = partner.model_copy(update={
        "odoo": partner.odoo.model_copy(update={"partner_ref": None})})
    message = await pipeline.submit(NW_850.read_bytes(), IntakeMeta(channel="sftp", filename=NW_850.name,
                                                                    partner="northwind"))
    done = run(pipeline, message.id, {State.DONE, State.QUARANTINED})
    assert done.state is State.DONE, done.last_error
    [order] = odoo.execute_kw("sale.order", "search_read", [[("client_order_ref", "=", "NW-77001")]],
                              {"fields": ["partner_id"]})
    assert order["partner_id"][0] == northwind
    assert sale_orders(odoo, "NW-77001")[0]["state"] == "draft"


def test_the_856_names_the_retailer_by_its_gln_kept_on_a_contact(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig) -> None:
    """The same retailer's ship notice: its buyer party (N1*BY) is the company, which has no GLN in Odoo, so it went
    out without one, and a retailer matching ASNs by the buyer's GLN could not place it. The partner file's GLN
    (odoo.gln, the retailer's as it names itself) is used where the company has none."""
    [northwind] = odoo.execute_kw("res.partner", "search", [[("ref", "=", "NORTHWIND")]])
    odoo.execute_kw("res.partner", "write", [[northwind], {"barcode": False}])
    order_id = ordered(examples, client, "northwind", "NW-GLN", Party(role="ship_to", ids={"store": "0042"}),
                       [line("1", {"buyer": "NW-A1"}, 10)])
    pack_and_ship(odoo, order_id, [])
    [asn] = extract_ship_notices(client, examples.partners["northwind"], journal)
    data, _ = rendered_and_read_back(examples, journal, "northwind", asn, "856")
    buyer = [s for s in data.decode().replace("\n", "").split("~") if s.startswith("N1*BY*")]
    assert buyer and buyer[0].endswith("*UL*0860001000016"), buyer
