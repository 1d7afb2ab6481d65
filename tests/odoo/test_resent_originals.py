"""A PO sent again as an original (X12 850 BEG01 00 under a new ISA13, a corrected CSV export) whose sale
order Odoo has: found when it says what the order has; with other content, a quotation of a partner whose
changes are revised is replaced, anything else is held naming each difference. Never a second sale order,
and the gateway's own retry after a lost response stays quiet. Through the pipeline against the sandbox over
HTTP, with the example partners' files; odoorpc checks what Odoo holds."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.errors import OdooRejected, OdooUnavailable
from gateway.journal.api import State
from gateway.odoo.client import OdooClient
from gateway.odoo.posting import Cache, post
from gateway.odoo.sandbox import SandboxServer
from gateway.pipeline import Pipeline
from gateway.translate.canonical import AllowanceCharge, Line, PurchaseOrder
from gateway.transports.base import IntakeMeta
from tests.odoo.conftest import bigbox, order
from tests.odoo.test_pipeline_posting import EXAMPLES, SAMPLE, examples, pipeline_for, run
from tests.odoo.test_posting_cancel import pipeline_orders, revised_850, submit
from tests.odoo.test_posting_charges import CHARGES, DISCOUNT, FREIGHT, services, x12_order
from tests.odoo.test_posting_line_changes import note, rows
from tests.odoo.test_store_orders import allocated, orders_of

__all__ = ["examples", "services"]      # fixtures, re-exported

SHOP_EXPORT = EXAMPLES / "samples" / "shopmarket" / "orders_20261128_0600.csv"
EH_ORDERS = EXAMPLES / "samples" / "eurohandel" / "ORDERS_4500012345.edi"


def renumbered(data: bytes, control: bytes) -> bytes:
    """The same 850 under interchange and group `control` (4 digits) instead of 1201: the partner's resend."""
    return data.replace(b"000001201", b"00000" + control).replace(b"*1201*X*", b"*" + control + b"*X*") \
        .replace(b"GE*1*1201~", b"GE*1*" + control + b"~")


def set_order_changes(pipeline: Pipeline, partner: str, value: str) -> None:
    config = pipeline.config.partners[partner]
    pipeline.config.partners[partner] = config.model_copy(
        update={"odoo": config.odoo.model_copy(update={"order_changes": value})})


def posted_reason(journal: Any, message_id: str) -> str:
    [posted] = [e for e in journal.events(message_id) if e.to_state is State.POSTED]
    return str(posted.reason)


ORIGINAL = [("[WB-100] Blue Widget", 24.0, 12.5), ("[WR-200] Red Widget", 48.0, 8.75),
            ("[GL-300] Gadget Large", 6.0, 42.0)]


@pytest.mark.parametrize("sandbox", [17, 19], ids=["odoo17", "odoo19"], indirect=True)
async def test_x12_second_original_same_content_is_found_other_content_replaces_the_quotation(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)       # BigBox: order_changes revise
    first = await submit(pipeline, SAMPLE.read_bytes(), SAMPLE.name)
    assert run(pipeline, first.id, {State.DONE}).state is State.DONE
    [so] = pipeline_orders(odoo)

    same = await submit(pipeline, renumbered(SAMPLE.read_bytes(), b"1202"), "850_4500001234_again.edi")
    assert run(pipeline, same.id, {State.DONE}).state is State.DONE
    assert [(link.record_id, link.role) for link in journal.odoo_links(same.id)] == [(so["id"], "found")]
    assert posted_reason(journal, same.id) == "posted 1 document to Odoo"
    assert rows(odoo, so["id"]) == ORIGINAL

    # an original again, two lines only, the first with 30 instead of 24
    other = revised_850(b"00", b"1203").replace(b"PO1*1*24*EA*", b"PO1*1*30*EA*")
    message = await submit(pipeline, other, "850_4500001234_resent.edi")
    done = run(pipeline, message.id, {State.DONE})
    assert done.state is State.DONE, done.last_error
    assert [(link.record_id, link.role) for link in journal.odoo_links(message.id)] == [(so["id"], "updated")]
    [after] = pipeline_orders(odoo)
    assert after["id"] == so["id"]
    assert rows(odoo, so["id"]) == [("[WB-100] Blue Widget", 30.0, 12.5), ("[WR-200] Red Widget", 48.0, 8.75)]
    assert ("EDI replacement 4500001234 (interchange 000001203 set 0001): 3 line(s) replaced by 2 (sent again as "
            "an original with other content: line 1 ([WB-100] Blue Widget): Odoo has 24 Units, the order says 30 EA; "
            "[GL-300] Gadget Large: Odoo has 6 Units, the order does not list it)") in note(odoo, so["id"])

    resent = await submit(pipeline, revised_850(b"00", b"1204").replace(b"PO1*1*24*EA*", b"PO1*1*30*EA*"),
                          "850_4500001234_resent_again.edi")
    assert run(pipeline, resent.id, {State.DONE}).state is State.DONE       # what the order has now: found
    assert [link.role for link in journal.odoo_links(resent.id)] == ["found"]
    assert len(pipeline_orders(odoo)) == 1


async def test_x12_second_original_of_a_confirmed_order_is_held_naming_each_difference(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    pipeline, _journal = pipeline_for(tmp_path, examples, sandbox)
    first = await submit(pipeline, SAMPLE.read_bytes(), SAMPLE.name)
    assert run(pipeline, first.id, {State.DONE}).state is State.DONE
    [so] = pipeline_orders(odoo)
    odoo.execute_kw("sale.order", "action_confirm", [[so["id"]]])

    other = renumbered(SAMPLE.read_bytes(), b"1205").replace(b"PO1*2*48*EA*8.75*", b"PO1*2*48*EA*9.10*") \
        .replace(b"DTM*002*20261208~", b"DTM*002*20261215~").replace(b"N1*ST*BIGBOX DC 1*UL*0860001000023~",
                                                                   b"N1*ST*BIGBOX DC 2*UL*0860001000030~")
    message = await submit(pipeline, other, "850_4500001234_resent.edi")
    held = run(pipeline, message.id, {State.QUARANTINED, State.DONE})
    assert held.state is State.QUARANTINED
    reason = held.last_error or ""
    assert reason.startswith(f"post: order 4500001234: sent again as an original (interchange 000001205 set 0001) with "
                             f"other content than sale order {so['name']} has in Odoo: ship-to: Odoo has ")
    assert "the order says gln 0860001000030; requested date: Odoo has 2026-12-08 " in reason
    assert "the order says 2026-12-15; line 2 ([WR-200] Red Widget): price: Odoo has 8.75, the order says 9.10; " \
        f"sale order {so['name']} is confirmed (state sale), so it is not replaced automatically. Change the order " \
        f"in Odoo if the partner means it (then `edi-gateway replay {message.id}` finds it as it is)" in reason
    assert rows(odoo, so["id"]) == ORIGINAL and len(pipeline_orders(odoo)) == 1


async def test_a_hold_partner_s_quotation_is_held_and_replay_with_revise_replaces_it(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    pipeline, _journal = pipeline_for(tmp_path, examples, sandbox)
    set_order_changes(pipeline, "bigbox", "hold")
    first = await submit(pipeline, SAMPLE.read_bytes(), SAMPLE.name)
    assert run(pipeline, first.id, {State.DONE}).state is State.DONE
    [so] = pipeline_orders(odoo)
    message = await submit(pipeline, revised_850(b"00", b"1206"), "850_4500001234_resent.edi")
    held = run(pipeline, message.id, {State.QUARANTINED, State.DONE})
    assert held.state is State.QUARANTINED
    assert ": [GL-300] Gadget Large: Odoo has 6 Units, the order does not list it; it is not applied automatically " \
        "(odoo.order_changes: hold; with revise, a resend with other content replaces a quotation, and " \
        f"`edi-gateway replay {message.id}` applies this one)" in (held.last_error or "")
    assert rows(odoo, so["id"]) == ORIGINAL

    set_order_changes(pipeline, "bigbox", "revise")
    pipeline.replay(message.id)
    done = run(pipeline, message.id, {State.DONE})
    assert done.state is State.DONE, done.last_error
    assert rows(odoo, so["id"]) == ORIGINAL[:2] and len(pipeline_orders(odoo)) == 1


async def test_own_retry_after_a_lost_response_is_found_quietly_though_odoo_priced_it_otherwise(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """The create lands and its answer is lost before the 'order' price policy wrote the partner's price:
    the order Odoo has then carries the pricelist's 12.50, not the 13.10 sent. The retry knows the order as its
    own (its note names the interchange), finds it and writes the price, as a first try would have."""
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)
    sandbox.faults.drop_after_create["sale.order"] = 1
    data = SAMPLE.read_bytes().replace(b"PO1*1*24*EA*12.50*", b"PO1*1*24*EA*13.10*")
    message = await submit(pipeline, data, SAMPLE.name)
    assert pipeline.advance(message.id).state is State.RETRY_WAIT
    done = run(pipeline, message.id, {State.DONE, State.QUARANTINED})
    assert done.state is State.DONE, done.last_error
    assert [link.role for link in journal.odoo_links(message.id)] == ["found"]
    assert posted_reason(journal, message.id) == "posted 1 document to Odoo"
    [so] = pipeline_orders(odoo)
    assert rows(odoo, so["id"])[0] == ("[WB-100] Blue Widget", 24.0, 13.1)
    assert "EDI 850 4500001234 of 2026-11-27 (interchange 000001201 set 0001)" in note(odoo, so["id"])
    assert "replacement" not in note(odoo, so["id"])


async def test_a_corrected_csv_export_is_held_then_replaces_the_quotation_on_replay_with_revise(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """ShopMarket (order_changes hold) exports its orders again with 12 Blue Widgets instead of 10 on
    SM-2026-118736: the file's two other orders are repeats the gateway skips, the corrected one is held
    naming the line (it was found and left as first received)."""
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)
    export = SHOP_EXPORT.read_bytes()
    first = pipeline.submit_sync(export, IntakeMeta(channel="sftp", filename="a.csv", partner="shopmarket"))
    assert run(pipeline, first.id, {State.DONE}).state is State.DONE
    corrected = export.replace(b"Blue Widget;10;12,50;125,00", b"Blue Widget;12;12,50;150,00")
    message = pipeline.submit_sync(corrected, IntakeMeta(channel="sftp", filename="b.csv", partner="shopmarket"))
    held = run(pipeline, message.id, {State.QUARANTINED, State.DONE})
    assert held.state is State.QUARANTINED
    assert f"post: order SM-2026-118736: sent again as an original (message {message.id}) with other content than " \
        "sale order" in (held.last_error or "")
    assert "line 1 ([WB-100] Blue Widget): Odoo has 10 Units, the order says 12 EA" in (held.last_error or "")
    assert journal.odoo_links(message.id) == []

    set_order_changes(pipeline, "shopmarket", "revise")
    pipeline.replay(message.id)
    done = run(pipeline, message.id, {State.DONE})
    assert done.state is State.DONE, done.last_error
    [so] = odoo.execute_kw("sale.order", "search_read", [[("client_order_ref", "=", "SM-2026-118736")]],
                           {"fields": ["order_line"]})
    assert rows(odoo, so["id"])[0][:2] == ("[WB-100] Blue Widget", 12.0)


# --------------------------------------------------------------------------- what counts as other content

NOTED = ["sent again by the VAN"]     # a resend that differs in what is not compared (its notes)


def again(doc: PurchaseOrder, message_id: str = "01RESENT", **changes: Any) -> PurchaseOrder:
    """The order as another message of the partner says it (a new journal id names it)."""
    return doc.model_copy(update={"source": doc.source.model_copy(update={"message_id": message_id}), **changes})


@pytest.mark.parametrize("sandbox", [17], ids=["odoo17"], indirect=True)
def test_a_price_is_other_content_only_where_the_gateway_sets_it(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """Under the 'pricelist' policy Odoo's prices stand whatever the order says, so another price sent is no
    difference; under 'order' it is, and so is a line's discount (an allowance) it did not have."""
    first = order()
    post(client, first, bigbox(price_policy="pricelist"), Cache())
    repriced = [first.lines[0].model_copy(update={"unit_price": Decimal("13.00")}), first.lines[1]]
    links = post(client, again(first, lines=repriced), bigbox(price_policy="pricelist"), Cache())
    assert [link.role for link in links] == ["found"]
    with pytest.raises(OdooRejected, match=r"line 1 \(\[WB-100\] Blue Widget\): price: Odoo has 12.50, the order "
                                           r"says 13.00; it is not applied automatically \(odoo.order_changes: hold"):
        post(client, again(first, lines=repriced), bigbox(), Cache())
    discounted = [first.lines[0], first.lines[1].model_copy(update={"allowances_charges": [
        AllowanceCharge(kind="allowance", percent=Decimal(5))]})]
    with pytest.raises(OdooRejected, match=r"line 2 \(\[GL-300\] Gadget Large\): discount: Odoo has 0(\.0)?%, "
                                           r"the order says 5.0%"):
        post(client, again(first, lines=discounted), bigbox(price_policy="pricelist"), Cache())
    # a note of its own, which is not compared: the rest is compared (the same content is found unread)
    assert [link.role for link in post(client, again(first, notes=NOTED), bigbox(), Cache())] == ["found"]  # 2 CS = 2 Dozens


@pytest.mark.parametrize("sandbox", [17], ids=["odoo17"], indirect=True)
def test_store_orders_are_found_again_and_one_with_other_content_is_held(client: OdooClient,
                                                                         odoo: odoorpc.ODOO) -> None:
    partner = bigbox(store_orders="split", create_ship_to=True, order_changes="revise")
    first = allocated()
    post(client, first, partner, Cache())
    links = post(client, again(first, notes=NOTED), partner, Cache())
    assert [link.role for link in links if link.model == "sale.order"] == ["found"] * 3
    more = [first.lines[0].model_copy(update={"quantity": Decimal(42), "allocations": {"0107": Decimal(12),
                                                                                       "0203": Decimal(30)}}),
            *first.lines[1:]]
    with pytest.raises(OdooRejected, match=r"for store 0203: sent again as an original \(message 01MORE\) with other "
                                           r"content than sale order S\d+ has in Odoo: line 1 \(\[WB-100\] Blue Widget\)"
                                           r": Odoo has 24 Units, the order says 30 EA; it is one of the PO's sale "
                                           r"orders \(one per place it ships to\)"):
        post(client, again(first, "01MORE", lines=more), partner, Cache())
    assert len(orders_of(odoo, "PO-SDQ")) == 3


@pytest.mark.parametrize("sandbox", [17], ids=["odoo17"], indirect=True)
async def test_edifact_orders_sent_again_under_a_new_unb(tmp_path: Path, examples: LoadedConfig,
                                                         sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """EuroHandel's ORDERS (BGM 9) again under a new UNB: its cartons of Red Widget (KAR, 12 a carton) compare
    as the units Odoo counts, so it is found; again with 60 Blue Widgets instead of 48, the quotation is
    replaced (EuroHandel's changes are revised)."""
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)
    data = EH_ORDERS.read_bytes()
    for ref, body in ((b"EH000417", data), (b"EH000418", data), (b"EH000419", data.replace(b"QTY+21:48:PCE'",
                                                                                          b"QTY+21:60:PCE'"))):
        message = await pipeline.submit(body.replace(b"EH000417", ref), IntakeMeta(channel="folder",
                                                                                  filename=f"{ref.decode()}.edi"))
        done = run(pipeline, message.id, {State.DONE, State.QUARANTINED})
        assert done.state is State.DONE, done.last_error
        assert [link.role for link in journal.odoo_links(message.id) if link.model == "sale.order"] == \
            [{b"EH000417": "created", b"EH000418": "found", b"EH000419": "updated"}[ref]]
    [so] = odoo.execute_kw("sale.order", "search_read", [[("client_order_ref", "=", "4500012345")]],
                           {"fields": ["state"]})
    assert rows(odoo, so["id"])[0][:2] == ("[WB-100] Blue Widget", 60.0)
    assert "EDI replacement 4500012345 (interchange EH000419 set 1): 3 line(s) replaced by 3 (sent again as an " \
        "original with other content: line 1 ([WB-100] Blue Widget): Odoo has 48 Units, the order says 60 " in \
        note(odoo, so["id"])


@pytest.mark.parametrize("sandbox", [19], ids=["odoo19"], indirect=True)
def test_a_case_price_counted_in_units_is_named_to_the_cent(client: OdooClient) -> None:
    """2 cases of 12 widgets at 160.00 a case, Odoo counting the widgets in Units (no unit mapped to CS): posted
    at 13.33 a unit. Sent again at 170.00 a case, the difference names 14.17 a unit, as Odoo would keep it, not
    14.16666666666666666666666667."""
    def in_cases(price: str) -> list[Line]:
        return [Line(line_no="1", item_ids={"buyer": "BB-1001"}, quantity=Decimal(2), unit="CS",
                     pack_size=Decimal(12), unit_price=Decimal(price))]
    first = order(lines=in_cases("160.00"))
    post(client, first, bigbox(units={}), Cache())
    assert [link.role for link in post(client, again(first, lines=in_cases("160.00")), bigbox(units={}),
                                       Cache())] == ["found"]
    with pytest.raises(OdooRejected) as held:
        post(client, again(first, lines=in_cases("170.00")), bigbox(units={}), Cache())
    assert "price: Odoo has 13.33, the order says 14.17;" in str(held.value)


@pytest.mark.parametrize("sandbox", [17, 19], ids=["odoo17", "odoo19"], indirect=True)
def test_lines_odoo_adds_are_no_difference_a_line_a_person_adds_is(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """A shipping line (Delivery's is_delivery), a down payment and a section on the quotation are Odoo's own:
    the partner's resend is found. A product line a person added is named: the order does not list it."""
    first = order()
    [link] = post(client, first, bigbox(), Cache())
    [cable] = odoo.execute_kw("product.product", "search", [[("default_code", "=", "CB-400")]])
    odoo.execute_kw("sale.order", "write", [[link.record_id], {"order_line": [
        [0, 0, {"product_id": cable, "product_uom_qty": 1, "price_unit": 9.95, "is_delivery": True}],
        [0, 0, {"product_id": cable, "product_uom_qty": 1, "price_unit": 50.0, "is_downpayment": True}],
        [0, 0, {"display_type": "line_section", "name": "Rush"}]]}])
    assert [link.role for link in post(client, again(first, notes=NOTED), bigbox(), Cache())] == ["found"]
    odoo.execute_kw("sale.order", "write", [[link.record_id], {"order_line": [
        [0, 0, {"product_id": cable, "product_uom_qty": 3, "price_unit": 30.0}]]}])
    with pytest.raises(OdooRejected, match=r"has in Odoo: \[CB-400\] Cable Bundle: Odoo has 3 Units, the order does "
                                           r"not list it; it is not applied"):
        post(client, again(first, "01RESENT2", notes=NOTED), bigbox(), Cache())


@pytest.mark.parametrize("sandbox", [17], ids=["odoo17"], indirect=True)
def test_charge_lines_compare_by_their_amounts(client: OdooClient, services: dict[str, int]) -> None:
    """An 850's freight (an amount) and promotional discount (2 % of the lines) are order lines on service
    products: the same order under a new ISA13 is found; with freight of 60.00 instead of 50.00 it is not."""
    partner = bigbox(charge_products=CHARGES)
    doc = x12_order("PO-CH-R", [FREIGHT, DISCOUNT])
    post(client, doc, partner, Cache())
    resent = doc.model_copy(update={"source": doc.source.model_copy(update={"interchange_control": "000000002"})})
    assert [link.role for link in post(client, resent, partner, Cache())] == ["found"]
    dearer = x12_order("PO-CH-R", [FREIGHT.replace("*5000*", "*6000*"), DISCOUNT])
    dearer = dearer.model_copy(update={"source": dearer.source.model_copy(update={"interchange_control": "000000003"})})
    with pytest.raises(OdooRejected, match=r"has in Odoo: FREIGHT \(\[SVC-FREIGHT\] Freight\): price: Odoo has 50.00, "
                                           r"the order says 60.00; it is not applied"):
        post(client, dearer, partner, Cache())


@pytest.mark.parametrize("sandbox", [17], ids=["odoo17"], indirect=True)
def test_a_replacing_resend_whose_answer_is_lost_is_found_by_its_retry(sandbox: SandboxServer, client: OdooClient,
                                                                      odoo: odoorpc.ODOO) -> None:
    """The resend's replacement lands and Odoo's answer is lost: the retry finds its own note on the order
    (the message made it what it is), so it is found, priced, and nothing is replaced twice."""
    first = order()
    [created] = post(client, first, bigbox(order_changes="revise"), Cache())
    more = again(first, lines=[first.lines[0].model_copy(update={"quantity": Decimal(30),
                                                                   "unit_price": Decimal("12.90")})])
    sandbox.faults.drop_after_create["sale.order.write"] = 1
    with pytest.raises(OdooUnavailable):
        post(client, more, bigbox(order_changes="revise"), Cache())
    assert rows(odoo, created.record_id) == [("[WB-100] Blue Widget", 30.0, 12.5)]     # before the price policy
    links = post(client, more, bigbox(order_changes="revise"), Cache())
    assert [(link.record_id, link.role) for link in links] == [(created.record_id, "found")]
    assert rows(odoo, created.record_id) == [("[WB-100] Blue Widget", 30.0, 12.9)]
    assert note(odoo, created.record_id).count("EDI replacement PO-1001 (message 01RESENT): 2 line(s) replaced by "
                                               "1 (sent again as an original with other content: ") == 1


@pytest.mark.parametrize("confirmed", [False, True], ids=["quotation", "confirmed"])
async def test_a_resend_of_the_same_content_is_found_whatever_people_changed_in_odoo_since(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO, confirmed: bool) -> None:
    """A salesperson corrected a quantity (the customer phoned); the partner's VAN then delivers the same 850
    again under a new ISA13. It says what made the order, so it is found: the quotation of a partner whose
    changes are revised is not put back to 24, a confirmed order is not held for a difference its own people
    made. The order's note carries the content's digest; another content is still compared (tests above)."""
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)       # BigBox: order_changes revise
    first = await submit(pipeline, SAMPLE.read_bytes(), SAMPLE.name)
    assert run(pipeline, first.id, {State.DONE}).state is State.DONE
    [so] = pipeline_orders(odoo)
    [line_1] = odoo.execute_kw("sale.order.line", "search", [[("order_id", "=", so["id"]), ("product_uom_qty", "=", 24)]])
    odoo.execute_kw("sale.order.line", "write", [[line_1], {"product_uom_qty": 20}])
    if confirmed:
        odoo.execute_kw("sale.order", "action_confirm", [[so["id"]]])
    edited = [("[WB-100] Blue Widget", 20.0, 12.5), *ORIGINAL[1:]]
    assert rows(odoo, so["id"]) == edited

    again = await submit(pipeline, renumbered(SAMPLE.read_bytes(), b"1206"), "850_4500001234_van_again.edi")
    done = run(pipeline, again.id, {State.DONE, State.QUARANTINED})
    assert done.state is State.DONE, done.last_error
    assert [(link.record_id, link.role) for link in journal.odoo_links(again.id)] == [(so["id"], "found")]
    assert rows(odoo, so["id"]) == edited and len(pipeline_orders(odoo)) == 1
