"""The documents sent to a customer who speaks French name its items in French, all of them: the 810 carries Odoo's
invoice line text (written in the customer's language, as Odoo prints the invoice), and the 855, 856 and 846 read
the products' names in the customer's language (res.partner `lang`) to match. Units stay the codes the gateway
maps from Odoo's English names. A French Odoo 19 whose English is archived, over both protocols."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from gateway.config.loader import LoadedConfig
from gateway.journal.sqlite import open_journal
from gateway.odoo.client import connect
from gateway.odoo.extract.inventory import extract_inventory
from gateway.odoo.extract.invoices import extract_invoices
from gateway.odoo.extract.order_acks import extract_order_acks
from gateway.odoo.extract.ship_notices import extract_ship_notices
from gateway.odoo.sandbox import SandboxServer
from tests.odoo.conftest import settings_for
from tests.odoo.test_odoo_language import PROTOCOLS, french, odoo_for
from tests.odoo.test_outbound_odd_odoo import BIGBOX_DC, invoiced, line, ordered
from tests.odoo.test_pipeline_posting import examples

__all__ = ["examples", "french"]      # fixtures, re-exported for the tests below


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_every_document_to_a_french_customer_names_its_items_in_french(
        tmp_path: Path, examples: LoadedConfig, french: SandboxServer, protocol: str) -> None:
    poster = connect(settings_for(french, protocol="jsonrpc"), retry_base=0.01)
    order_id = ordered(examples, poster, "bigbox", "PO-FR-10", BIGBOX_DC,
                       [line("1", {"buyer": "BB-1001"}, 24), line("2", {"buyer": "BB-1003"}, 1, "DZN")])
    invoiced(odoo_for(french), order_id)
    client = connect(settings_for(french, protocol=protocol), retry_base=0.01)
    journal = open_journal(tmp_path / "journal")
    partner = examples.partners["bigbox"]
    [ack] = extract_order_acks(client, partner, journal)
    [notice] = extract_ship_notices(client, partner, journal)
    [bill] = extract_invoices(client, partner, journal)
    [stock] = extract_inventory(client, partner, journal, slot="2026-11-29 06:00")
    journal.close()
    assert [(ln.description, ln.unit) for ln in ack.lines] == [("Widget bleu", "EA"), ("Grand gadget", "DZN")]
    assert [(i.description, i.unit) for i in notice.all_items()] == [("Widget bleu", "EA"), ("Grand gadget", "DZN")]
    assert [(ln.description, ln.unit) for ln in bill.lines] == [("[WB-100] Widget bleu", "EA"),
                                                                ("[GL-300] Grand gadget", "DZN")]
    stocked = {ln.item_ids["vendor"]: (ln.description, ln.quantities[0].unit) for ln in stock.lines}
    assert stocked["WB-100"] == ("Widget bleu", "EA") and stocked["GL-300"] == ("Grand gadget", "EA")
    assert ack.lines[0].quantity == Decimal(24)
