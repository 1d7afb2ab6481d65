"""The 810 states the kind of terms the PO stated (ITD01, ITD02), not always basic from the invoice date. A retailer's
invoice-to-PO match compares the invoice's ITD to the PO's: an 850 saying `ITD*02` (end of month) or `ITD*05`
(discount not applicable) answered with `ITD*01*3` was a terms mismatch on every invoice, and a deduction. Without a
kind in the PO, an Odoo term counted from a month's end is stated as end of month (02). A real 850 through the
pipeline to the sandbox over HTTP, the order shipped and invoiced there, the 810 by the daemon's scheduler."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.journal.api import State
from gateway.journal.archive import Archive
from gateway.journal.sqlite import open_journal
from gateway.odoo.client import OdooClient
from gateway.odoo.extract.invoices import extract_invoices
from gateway.odoo.sandbox import SandboxServer
from gateway.translate.canonical import to_json
from tests.odoo import test_outbound_odd_odoo as odd
from tests.odoo.conftest import client, odoo
from tests.odoo.test_order_header_fields import post_file, sale_order, sample
from tests.odoo.test_outbound15_check_digits import one_run
from tests.odoo.test_pipeline_posting import examples

__all__ = ["client", "examples", "odoo"]          # the fixtures, used by name

SAMPLE_TERMS = "ITD*01*3*2**30**45*****2% 30 NET 45"
VERSIONS = pytest.mark.parametrize("sandbox", [16, 19], ids=["odoo16", "odoo19"], indirect=True)


async def invoice_terms(tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient,
                        odoo: odoorpc.ODOO, terms: str) -> list[str]:
    """BigBox's sample 850 with the ITD `terms` posted, its order confirmed, shipped and invoiced in Odoo: the ITD
    of the 810 sent for it, element by element."""
    [itd] = await invoice_itds(tmp_path, examples, sandbox, client, odoo, terms)
    return itd


async def invoice_itds(tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient,
                       odoo: odoorpc.ODOO, terms: str) -> list[list[str]]:
    """As `invoice_terms`: every ITD of the 810."""
    data = sample(after="BEG*", replace=(SAMPLE_TERMS, terms))
    result, journal = await post_file(tmp_path, examples, sandbox, data, {State.QUARANTINED, State.DONE})
    assert result.state is State.DONE, result.last_error
    order_id = sale_order(sandbox, ["id"])["id"]
    odoo.execute_kw("sale.order", "action_confirm", [[order_id]])
    if sandbox.version <= 16:                   # 16 keeps what is done apart from what is reserved
        [pick] = odoo.execute_kw("sale.order", "read", [[order_id], ["picking_ids"]])[0]["picking_ids"]
        for move in odoo.execute_kw("stock.move", "search_read", [[("picking_id", "=", pick)], ["product_uom_qty"]]):
            odoo.execute_kw("stock.move", "write", [[move["id"]], {"quantity_done": move["product_uom_qty"]}])
    odd.invoiced(odoo, order_id)
    sent: list[Any] = await one_run(examples, client, journal, tmp_path, "bigbox", "810")
    [message] = sent
    assert message.state is State.QUEUED, message.last_error
    text = Archive(tmp_path / "archive").read(message.sha256).decode()
    return [s.strip().split("*") for s in text.split("~") if s.strip().startswith("ITD*")]


def month_end(sandbox: SandboxServer) -> dict[str, object]:
    """An Odoo term line counted from the month's end: 16's end_month, 17+'s delay_type."""
    return {"end_month": True} if sandbox.version <= 16 else {"delay_type": "days_after_end_of_month"}


def bigbox_term(odoo: odoorpc.ODOO, **line: object) -> None:
    """BigBox's Odoo term '2% 30, Net 45' with its line changed."""
    [term] = odoo.execute_kw("account.payment.term", "search", [[("name", "=", "2% 30, Net 45")]])
    lines = odoo.execute_kw("account.payment.term.line", "search", [[("payment_id", "=", term)]])
    odoo.execute_kw("account.payment.term.line", "write", [lines, line])


@VERSIONS
async def test_an_end_of_month_po_gets_an_end_of_month_810(tmp_path: Path, examples: LoadedConfig,
                                                           sandbox: SandboxServer, client: OdooClient,
                                                           odoo: odoorpc.ODOO) -> None:
    """ITD*02*15 (end of month, from the receipt of goods) on an Odoo term counted from the month's end."""
    bigbox_term(odoo, **month_end(sandbox))
    itd = await invoice_terms(tmp_path, examples, sandbox, client, odoo, "ITD*02*15*2**30**45*****2% 30 EOM NET 45")
    assert itd[1:4] == ["02", "15", "2"] and itd[5] == "30" and itd[7] == "45", itd


@VERSIONS
async def test_a_discount_not_applicable_po_gets_its_05(tmp_path: Path, examples: LoadedConfig,
                                                        sandbox: SandboxServer, client: OdooClient,
                                                        odoo: odoorpc.ODOO) -> None:
    """ITD*05 (discount not applicable), net 45, on a customer's Odoo term of net 45 without a discount."""
    days = "days" if sandbox.version <= 16 else "nb_days"
    term = odoo.execute_kw("account.payment.term", "create", [{"name": "Net 45", "line_ids": [
        [0, 0, {"value": "balance" if sandbox.version <= 16 else "percent", "value_amount": 100.0, days: 45}]]}])
    [bigbox] = odoo.execute_kw("res.partner", "search", [[("ref", "=", "BIGBOX")]])
    odoo.execute_kw("res.partner", "write", [[bigbox], {"property_payment_term_id": term}])
    itd = await invoice_terms(tmp_path, examples, sandbox, client, odoo, "ITD*05*3*****45*****NET 45")
    assert itd[1:3] == ["05", "3"] and itd[7] == "45" and not any(itd[3:6]), itd


@VERSIONS
async def test_an_odoo_month_end_term_is_stated_as_end_of_month_when_the_po_names_no_kind(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient,
        odoo: odoorpc.ODOO) -> None:
    bigbox_term(odoo, **month_end(sandbox))
    itd = await invoice_terms(tmp_path, examples, sandbox, client, odoo, "ITD***2**30**45*****2% 30 NET 45")
    assert itd[1:3] == ["02", "3"], itd


async def test_a_basic_po_still_gets_01_from_the_invoice_date(tmp_path: Path, examples: LoadedConfig,
                                                              sandbox: SandboxServer, client: OdooClient,
                                                              odoo: odoorpc.ODOO) -> None:
    """The sample's ITD*01*3 on the plain Odoo term: as before."""
    itd = await invoice_terms(tmp_path, examples, sandbox, client, odoo, SAMPLE_TERMS)
    assert itd[1:4] == ["01", "3", "2"] and itd[7] == "45", itd


async def test_an_instalment_po_is_not_answered_with_a_bare_04(tmp_path: Path, examples: LoadedConfig,
                                                               sandbox: SandboxServer, client: OdooClient,
                                                               odoo: odoorpc.ODOO) -> None:
    """ITD*04 (instalments): an 810 ITD with 04 needs each part's percent or amount (ITD10/ITD11, X12's relational
    condition), which the invoice does not carry; an ITD*04 without them is refused by the partner's translator
    (997 AK4 syntax error). The invoice states basic, as before."""
    itd = await invoice_terms(tmp_path, examples, sandbox, client, odoo, "ITD*04*3*****45*****30 PCT NOW BAL NET 45")
    assert itd[1:3] == ["01", "3"], itd


@VERSIONS
async def test_an_invoice_due_in_instalments_states_each_part(tmp_path: Path, examples: LoadedConfig,
                                                              sandbox: SandboxServer, client: OdooClient,
                                                              odoo: odoorpc.ODOO) -> None:
    """ITD*04 on BigBox's Odoo term '30% Now, Balance 45 Days': one ITD*04 per part, its due date (ITD09), amount
    (ITD10, N2) and percent of the invoice (ITD11), as Odoo's receivable lines have them; the first carries the
    terms' name. Before, one ITD*01 with the last due date: the retailer paid everything at 45 days."""
    days = "days" if sandbox.version <= 16 else "nb_days"
    term = odoo.execute_kw("account.payment.term", "create", [{"name": "30% Now, Balance 45 Days", "line_ids": [
        [0, 0, {"value": "percent", "value_amount": 30.0, days: 0}],
        [0, 0, {"value": "balance" if sandbox.version <= 16 else "percent", "value_amount": 70.0, days: 45}]]}])
    [bigbox] = odoo.execute_kw("res.partner", "search", [[("ref", "=", "BIGBOX")]])
    odoo.execute_kw("res.partner", "write", [[bigbox], {"property_payment_term_id": term}])
    itds = await invoice_itds(tmp_path, examples, sandbox, client, odoo, "ITD*04*3*****45*****30 PCT NOW BAL NET 45")
    [move] = odoo.execute_kw("account.move", "search_read", [[("move_type", "=", "out_invoice")],
                                                             ["invoice_date", "amount_total"]])
    parts = odoo.execute_kw("account.move.line", "search_read", [[("move_id", "=", move["id"]),
                                                                  ("display_type", "=", "payment_term")],
                                                                 ["date_maturity", "amount_currency"]],
                            {"order": "date_maturity"})

    assert [(itd[1], itd[2], itd[9], itd[10], itd[11]) for itd in itds] == [
        ("04", "3", str(p["date_maturity"]).replace("-", ""), str(round(p["amount_currency"] * 100)), share)
        for p, share in zip(parts, ["30", "70"], strict=True)], itds
    assert round(sum(p["amount_currency"] for p in parts), 2) == move["amount_total"]
    assert itds[0][12] == "30% Now, Balance 45 Days" and len(itds[1]) <= 12, itds
    fresh = open_journal(tmp_path / "fresh")
    [doc] = extract_invoices(client, examples.partners["bigbox"], fresh, claim_marks=False)
    said = json.loads(to_json(doc))["instalments"]
    assert [p["percent"] for p in said] == ["30", "70"], said        # as the JSON shown and digested, not 3E+1
    fresh.close()
