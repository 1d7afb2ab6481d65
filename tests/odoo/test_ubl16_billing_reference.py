"""A UBL credit note we send names the invoice it credits (cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID).

Since 8911b7a a credit note made with Odoo's Reverse button knows the invoice it reverses (REF*IV, RFF+IV, cXML
InvoiceIDInfo), but the UBL profiles read BillingReference only: a UBL partner got an Invoice of type 381 naming its
order and no invoice, which a buyer's AP matches by hand (and a Dutch Peppol receiver refuses: a credit note there
must reference its invoice). It is now written where UBL 2.1 puts it, after OrderReference and before the parties,
through the daemon's scheduler on the sandbox's account.move.reversal wizard; a plain invoice names none."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import odoorpc
import pytest
from lxml import etree

from gateway.config.loader import LoadedConfig
from gateway.config.models import OurIds
from gateway.journal.api import State
from gateway.journal.archive import Archive
from gateway.odoo.client import OdooClient
from gateway.odoo.sandbox import SandboxServer
from tests.helpers.content_models import problems
from tests.odoo import test_outbound_odd_odoo as odd
from tests.odoo.test_edifact16_invoic_footing import DC
from tests.odoo.test_invoices16_reversal import reversed_with_reason
from tests.odoo.test_odoo16 import do_all
from tests.odoo.test_outbound15_check_digits import one_run
from tests.odoo.test_outbound_taxes_packs import examples
from tests.translate import test_ubl_schema as ubl

__all__ = ["examples"]                             # the fixture, used by name

CBC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}"
CAC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2}"
# UBL 2.1's Invoice sequence with BillingReference in its place (maindoc/UBL-Invoice-2.1.xsd)
_AFTER = ubl.MODELS["Invoice"][0].index("OrderReference?") + 1
MODELS = {**ubl.MODELS, "Invoice": ([*ubl.MODELS["Invoice"][0][:_AFTER], "BillingReference*",
                                     *ubl.MODELS["Invoice"][0][_AFTER:]], []),
          "BillingReference": (["InvoiceDocumentReference?"], []), "InvoiceDocumentReference": (["ID"], [])}


def _as_ubl_partner(examples: LoadedConfig) -> LoadedConfig:
    """The examples with EuroHandel taking its invoices as UBL 2.1 (a Peppol-style buyer) instead of INVOIC."""
    partner = examples.partners["eurohandel"].model_copy(deep=True)
    partner = partner.model_validate({**partner.model_dump(exclude_none=True), "xml": {"ids": ["4012345000009"]},
                                      "documents": [{"type": "Invoice", "direction": "out",
                                                     "profile": "ubl-2.1-invoice", "trigger": "invoice_posted"}]})
    gateway = examples.gateway.model_copy(update={"our_ids": OurIds.model_validate(
        {**(examples.gateway.our_ids or OurIds()).model_dump(exclude_none=True), "xml": "0614141000005"})})
    return dataclasses.replace(examples, partners={**examples.partners, "eurohandel": partner}, gateway=gateway)


@pytest.mark.parametrize("sandbox", [16, 19], indirect=True, ids=["odoo16", "odoo19"])
async def test_a_reversed_invoice_goes_out_in_ubl_naming_the_invoice_it_credits(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, examples: LoadedConfig,
        tmp_path: Path) -> None:
    config = _as_ubl_partner(examples)
    order_id = odd.ordered(config, client, "eurohandel", "EH-UBL-CREDIT", DC,
                           [odd.line("1", {"gtin": "00614141000012"}, 10)])
    if sandbox.version == 16:                       # 16 validates what is done, the moves' quantity_done
        do_all(odoo, odoo.execute_kw("sale.order", "read", [[order_id], ["picking_ids"]])[0]["picking_ids"][0])
    invoice = odd.invoiced(odoo, order_id)
    reversed_with_reason(odoo, invoice, "damaged in transit")
    [row] = odoo.execute_kw("account.move", "read", [[invoice], ["name"]])
    sent = await one_run(config, client, journal, tmp_path, "eurohandel", "Invoice")
    assert len(sent) == 2 and all(m.state is not State.QUARANTINED for m in sent), [m.last_error for m in sent]
    written = [etree.fromstring(Archive(tmp_path / "archive").read(m.sha256)) for m in sent]
    [credit] = [w for w in written if w.findtext(f"{CBC}InvoiceTypeCode") == "381"]
    [plain] = [w for w in written if w.findtext(f"{CBC}InvoiceTypeCode") == "380"]
    assert credit.findtext(f"{CAC}OrderReference/{CBC}ID") == "EH-UBL-CREDIT"
    assert credit.findtext(f"{CAC}BillingReference/{CAC}InvoiceDocumentReference/{CBC}ID") == row["name"]
    assert problems(credit, MODELS) == [], etree.tostring(credit).decode()
    assert plain.find(f"{CAC}BillingReference") is None and problems(plain, MODELS) == []
