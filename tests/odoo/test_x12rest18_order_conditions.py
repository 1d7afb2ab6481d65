"""A big-box retailer's 850 header says how the order may ship (CSH), who the buyer is (PER), what kind of payment
terms it states (ITD01/02), and each line's retail price (CTP in the PO1 loop). Before, none of these was read: a
`CSH*SC` ship-complete order became a sale order shipping each product as it came in (Odoo's default), so the
warehouse shipped it in parts and the retailer charged back each partial; nobody in Odoo saw who to call, that the
terms were end of month from receipt of goods, or the shelf price the labels needed. Each through the real pipeline
and the Odoo sandbox over HTTP."""

from __future__ import annotations

from pathlib import Path

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.formats import x12
from gateway.journal.api import State
from gateway.odoo.client import OdooClient
from gateway.odoo.posting import Cache, post
from gateway.odoo.sale_orders import content_mark
from gateway.odoo.sandbox import SandboxServer
from gateway.translate import translate
from gateway.translate.canonical import PurchaseOrder
from tests.helpers.profiles import base_profiles
from tests.odoo.conftest import bigbox
from tests.odoo.test_change_charges import PARTNER, order_note, x12_change
from tests.odoo.test_order_header_fields import odoo_of, post_file, sale_order, sample
from tests.odoo.test_pipeline_posting import examples
from tests.odoo.test_posting_charges import x12_order

__all__ = ["examples"]          # the module fixture, shared

ALL_VERSIONS = pytest.mark.parametrize("sandbox", [16, 17, 19], ids=["odoo16", "odoo17", "odoo19"], indirect=True)

EOM_TERMS = ("ITD*01*3*2**30**45*****2% 30 NET 45~", "ITD*02*15*2**10**30*****2% 10 EOM NET 30~")


def _conditions(csh: str = "CSH*SC~") -> bytes:
    """BigBox's sample 850 (PER*BD JANE MORALES already in it) with a sales requirement after its ITD, the terms end
    of month from receipt of goods, and a retail price on line 1."""
    data = sample(after="ITD*", add=csh, replace=EOM_TERMS).decode()
    lines = data.splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith("PO1*1*"))
    lines.insert(at + 1, "CTP**RES*19.99~\n")
    return "".join(lines).replace(f"SE*{26 if csh else 25}*0001", f"SE*{27 if csh else 26}*0001").encode()


def _read(data: bytes) -> PurchaseOrder:
    [tx] = x12.parse(data).transactions
    [doc] = translate(tx, bigbox(), base_profiles())
    assert isinstance(doc, PurchaseOrder)
    return doc


@ALL_VERSIONS
async def test_a_ship_complete_order_ships_all_at_once_and_its_note_says_the_rest(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer) -> None:
    result, _ = await post_file(tmp_path, examples, sandbox, _conditions(), {State.QUARANTINED, State.DONE})
    assert result.state is State.DONE, result.last_error
    order = sale_order(sandbox, ["picking_policy", "note", "order_line"])
    assert order["picking_policy"] == "one"
    note = order["note"]
    assert "<p>EDI sales requirement: ship complete: one delivery with every line in full, no partial shipment</p>" \
        in note
    assert "<p>buyer: JANE MORALES, phone 5015550100</p>" in note
    assert "<p>payment terms type: end of month, counted from the receipt of goods</p>" in note
    assert "<p>line 1 retail price: 19.99</p>" in note
    prices = odoo_of(sandbox).execute_kw("sale.order.line", "read", [order["order_line"], ["price_unit", "sequence"]])
    assert sorted(row["price_unit"] for row in prices) == [8.75, 12.5, 42.0]     # the retail price sells nothing


async def test_a_no_back_order_po_is_said_in_the_note_and_keeps_odoos_shipping_policy(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer) -> None:
    result, _ = await post_file(tmp_path, examples, sandbox, _conditions("CSH*N~"), {State.QUARANTINED, State.DONE})
    assert result.state is State.DONE, result.last_error
    order = sale_order(sandbox, ["picking_policy", "note"])
    assert order["picking_policy"] == "direct"
    assert ("<p>EDI sales requirement: no back order: ship what is available and cancel the rest (validate the "
            "delivery with No Backorder)</p>") in order["note"]


async def test_an_order_without_them_is_posted_as_before(tmp_path: Path, examples: LoadedConfig,
                                                         sandbox: SandboxServer) -> None:
    data = sample(after="ITD*", replace=("PER*BD*JANE MORALES*TE*5015550100~\n", ""))
    data = data.replace(b"SE*25*0001", b"SE*24*0001")
    result, _ = await post_file(tmp_path, examples, sandbox, data, {State.QUARANTINED, State.DONE})
    assert result.state is State.DONE, result.last_error
    order = sale_order(sandbox, ["picking_policy", "note"])
    assert order["picking_policy"] == "direct"
    assert not any(said in order["note"] for said in ("sales requirement", "buyer:", "terms type", "retail price"))


def test_the_content_mark_of_an_order_posted_before_is_kept() -> None:
    """An order posted by the release before (which read none of CSH, the header PER, ITD01/02, CTP) and sent again
    as it was is found as the same content: the new fields are not in its mark, or each such resend would be held
    as 'sent again with other content'."""
    doc = _read(_conditions())
    assert doc.sales_requirements == ["ship_complete"] and doc.line_prices
    before = doc.model_copy(update={"sales_requirements": None, "contacts": None, "terms_type": None,
                                    "terms_basis": None, "line_prices": None})
    assert content_mark(doc) == content_mark(before)


def test_an_005010_order_reads_them_as_the_004010_one() -> None:
    doc = _read(_conditions().replace(b"*00401*", b"*00501*").replace(b"004010VICS", b"005010"))
    assert (doc.sales_requirements, doc.terms_type, doc.terms_basis) == (["ship_complete"], "end_of_month",
                                                                          "receipt_of_goods")
    assert [(c.function, c.name, c.phone) for c in doc.contacts or ()] == [("buyer", "JANE MORALES", "5015550100")]
    assert [(p.line_no, p.kind, str(p.price)) for p in doc.line_prices or ()] == [("1", "retail", "19.99")]
    assert doc.lines[0].unit_price == 12.5 and doc.source.version == "005010"


@pytest.mark.parametrize("sandbox", [16, 19], ids=["odoo16", "odoo19"], indirect=True)
def test_an_860_making_a_quotation_ship_complete_sets_its_shipping_policy(client: OdooClient,
                                                                         odoo: odoorpc.ODOO) -> None:
    """The buyer's 860 (a header-only change, BCH01 04) adds CSH*SC to an order posted without it: merged into the
    quotation as its header is, its Shipping Policy and note say so."""
    post(client, x12_order("PO-SC-1", []), PARTNER, Cache())
    post(client, x12_change("PO-SC-1", ["CSH*SC"], pocs=[]), PARTNER, Cache())
    [so] = odoo.execute_kw("sale.order", "search_read", [[("client_order_ref", "=", "PO-SC-1")]],
                           {"fields": ["picking_policy"]})
    assert so["picking_policy"] == "one"
    assert "EDI sales requirement: ship complete" in order_note(odoo, "PO-SC-1")


async def test_a_price_multiplier_is_said_and_never_applied(tmp_path: Path, examples: LoadedConfig,
                                                            sandbox: SandboxServer) -> None:
    """A bookseller's CTP without a price, only a discount multiplier (CTP06 DIS, CTP07 .57: 43 % off the line's
    list price): it was dropped without a word; now the note says it was not applied, for a person to check the
    price (the gateway cannot tell what the multiplier applies to)."""
    data = sample(after="PO1*1*", add="CTP******DIS*.57~")
    result, _ = await post_file(tmp_path, examples, sandbox, data, {State.QUARANTINED, State.DONE})
    assert result.state is State.DONE, result.last_error
    order = sale_order(sandbox, ["note", "order_line"])
    assert ("<p>line 1 price multiplier 0.57 (DIS) stated and not applied to the line&#x27;s price 12.50 (PE): check "
            "the price</p>") in order["note"]
    prices = odoo_of(sandbox).execute_kw("sale.order.line", "read", [order["order_line"], ["price_unit"]])
    assert sorted(row["price_unit"] for row in prices) == [8.75, 12.5, 42.0]


async def test_each_csh_is_kept_and_ship_complete_wins_whatever_its_place(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer) -> None:
    """An 850 heading may carry up to five CSH: CSH*P4 (do not preship) then CSH*SC. The last one read was the
    requirement, so the ship-complete one was lost behind the other; now each is kept, and the order ships complete."""
    data = sample(after="ITD*", add="CSH*P4~CSH*SC~")
    assert _read(data).sales_requirements == ["do_not_preship", "ship_complete"]
    result, _ = await post_file(tmp_path, examples, sandbox, data, {State.QUARANTINED, State.DONE})
    assert result.state is State.DONE, result.last_error
    order = sale_order(sandbox, ["picking_policy", "note"])
    assert order["picking_policy"] == "one"
    assert "<p>EDI sales requirement: do not preship</p>" in order["note"]
    assert "<p>EDI sales requirement: ship complete: one delivery" in order["note"]


@pytest.mark.parametrize("sandbox", [17], ids=["odoo17"], indirect=True)
def test_a_second_860_differing_only_in_its_csh_is_applied(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """Two header-only 860s under change number 1 (BigBox numbers each change 1), the first CSH*SC, the second,
    days later, CSH*N. The CSH is not in the content mark (UNMARKED), so the second had the first's mark and was
    found as 'this content applied already': no back order never reached the order's note, the 865 saying
    accepted. A third, a true resend of the second, is found as before (nothing written twice)."""
    post(client, x12_order("PO-SC-2", []), PARTNER, Cache())
    post(client, x12_change("PO-SC-2", ["CSH*SC"], pocs=[], control=2), PARTNER, Cache())
    [link] = post(client, x12_change("PO-SC-2", ["CSH*N"], pocs=[], control=3), PARTNER, Cache())
    assert link.role == "updated"
    note = order_note(odoo, "PO-SC-2")
    assert "EDI sales requirement: no back order" in note
    [again] = post(client, x12_change("PO-SC-2", ["CSH*N"], pocs=[], control=4), PARTNER, Cache())
    assert again.role == "found" and order_note(odoo, "PO-SC-2") == note
