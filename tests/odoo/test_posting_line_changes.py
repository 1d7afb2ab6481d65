"""A partner's change that lists only the lines that change (X12 860, EDIFACT ORDCHG) merged into the sale
order in the sandbox (17, 19): each line adds, deletes or changes its order line, in one write, once; held
for a person by default, for a confirmed order, and for what cannot be applied as sent. Checked with
odoorpc as an independent client; the pipeline tests run BigBox's sample 850 and 860 files, and
EuroHandel's ORDERS and ORDCHG, through the real pipeline."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.errors import OdooRejected, OdooUnavailable, TranslationError
from gateway.formats import x12
from gateway.journal.api import State
from gateway.odoo.client import OdooClient
from gateway.odoo.posting import Cache, post
from gateway.odoo.sandbox import SandboxServer
from gateway.pipeline import replay
from gateway.translate import translate
from gateway.translate.canonical import DateValue, Line, PurchaseOrder, Source
from gateway.transports.base import IntakeMeta
from tests.helpers.profiles import base_profiles
from tests.odoo.conftest import bigbox, order
from tests.odoo.test_pipeline_posting import EXAMPLES, SAMPLE, examples, pipeline_for, run
from tests.odoo.test_posting_cancel import EH_SAMPLE, pipeline_orders, sale_orders, submit

__all__ = ["examples"]      # the module-scoped fixture, re-exported for the pipeline tests below

pytestmark = pytest.mark.parametrize("sandbox", [17, 19], ids=["odoo17", "odoo19"], indirect=True)

CHANGE_860 = EXAMPLES / "samples" / "bigbox" / "later" / "860_4500001234.edi"
ORDCHG = EXAMPLES / "samples" / "eurohandel" / "later" / "ORDCHG_4500012345.edi"
BLUE = {"upc": "614141000012", "buyer": "BB-1001"}
GADGET = {"buyer": "BB-1003"}
CABLE = {"buyer": "BB-1004"}


def three_lines() -> PurchaseOrder:
    """PO-1001 as the quotation the changes below start from: 24 Blue Widgets, 2 cases of Gadget Large."""
    return order()


def change(*lines: Line, message_id: str = "02CHANGE860", **kw: Any) -> PurchaseOrder:
    doc = order(lines=list(lines), purpose="change", **kw)
    return doc.model_copy(update={"source": Source(standard_type="860", message_id=message_id)})


def rows(odoo: odoorpc.ODOO, so: int) -> list[tuple[str, float, float]]:
    found = odoo.execute_kw("sale.order.line", "search_read", [[("order_id", "=", so)]],
                            {"fields": ["product_id", "product_uom_qty", "price_unit"], "order": "sequence,id"})
    return [(r["product_id"][1], r["product_uom_qty"], r["price_unit"]) for r in found]


def note(odoo: odoorpc.ODOO, so: int) -> str:
    [row] = odoo.execute_kw("sale.order", "read", [[so], ["note"]])
    return str(row["note"] or "")


def test_an_860_adds_deletes_and_changes_lines_in_one_write_once(sandbox: SandboxServer, client: OdooClient,
                                                                 odoo: odoorpc.ODOO) -> None:
    partner = bigbox(order_changes="revise", price_policy="order")
    [created] = post(client, three_lines(), partner, Cache())
    so = created.record_id
    doc = change(Line(line_no="1", item_ids=BLUE, quantity=Decimal(30), unit_price=Decimal("12.00"), change="change"),
                 Line(line_no="2", item_ids=GADGET, change="delete"),
                 Line(line_no="3", item_ids=CABLE, quantity=Decimal(5), unit_price=Decimal("29.00"), change="add"))
    sandbox.faults.drop_after_create["sale.order.write"] = 1      # the merge lands, its answer is lost
    with pytest.raises(OdooUnavailable):
        post(client, doc, partner, Cache())
    links = post(client, doc, partner, Cache())                    # the retry finds its own work
    assert [(link.record_id, link.role) for link in links] == [(so, "found")]
    assert rows(odoo, so) == [("[WB-100] Blue Widget", 30.0, 12.0), ("[CB-400] Cable Bundle", 5.0, 29.0)]
    text = note(odoo, so)
    assert text.count("EDI change PO-1001 (message 02CHANGE860)") == 1
    assert "line 1: [WB-100] Blue Widget quantity 24 -&gt; 30" in text and "Gadget Large removed" in text
    # a later change of the same PO is merged again
    again = change(Line(line_no="3", item_ids=CABLE, quantity=Decimal(7), change="change"), message_id="03CHANGE860")
    assert post(client, again, partner, Cache())[0].role == "updated"
    assert [r[:2] for r in rows(odoo, so)] == [("[WB-100] Blue Widget", 30.0), ("[CB-400] Cable Bundle", 7.0)]


def test_an_860_whose_answer_is_lost_is_confirmed_by_its_retry(sandbox: SandboxServer, client: OdooClient,
                                                               odoo: odoorpc.ODOO) -> None:
    """With confirm_orders, the merge lands and its answer is lost before the confirmation: the retry, finding
    its note on the quotation, prices and confirms it as the first try would have."""
    partner = bigbox(order_changes="revise", confirm_orders=True)
    [created] = post(client, three_lines(), bigbox(), Cache())
    doc = change(Line(line_no="1", item_ids=BLUE, quantity=Decimal(30), unit_price=Decimal("12.00"), change="change"))
    sandbox.faults.drop_after_create["sale.order.write"] = 1
    with pytest.raises(OdooUnavailable):
        post(client, doc, partner, Cache())
    assert [link.role for link in post(client, doc, partner, Cache())] == ["found"]
    [so] = odoo.execute_kw("sale.order", "read", [[created.record_id], ["state"]])
    assert (so["state"], rows(odoo, created.record_id)[0]) == ("sale", ("[WB-100] Blue Widget", 30.0, 12.0))


def test_an_860_price_change_follows_the_price_policy(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """A change line without a quantity keeps the order line's; its price is written under the 'order' policy
    and only flagged under 'pricelist'."""
    for policy, expected in (("order", 11.0), ("pricelist", 12.5)):
        number = f"PO-{policy}"
        [created] = post(client, order(number), bigbox(order_changes="revise", price_policy=policy), Cache())
        doc = change(Line(line_no="1", item_ids=BLUE, unit_price=Decimal("11.00"), change="change"),
                     Line(line_no="2", item_ids=GADGET, change="unchanged"))
        post(client, doc.model_copy(update={"number": number}), bigbox(order_changes="revise", price_policy=policy),
             Cache())
        got = rows(odoo, created.record_id)
        assert got[0] == ("[WB-100] Blue Widget", 24.0, expected) and got[1][1] == 2.0, policy
        assert "order price 11.00, Odoo price 12.50" in note(odoo, created.record_id)


def test_an_860_moves_the_requested_date_and_keeps_the_ship_to(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    [created] = post(client, three_lines(), bigbox(order_changes="revise"), Cache())
    [before] = odoo.execute_kw("sale.order", "read", [[created.record_id], ["partner_shipping_id"]])
    doc = change(Line(line_no="1", item_ids=BLUE, change="unchanged"),
                 dates=[DateValue(qualifier="requested_delivery", date="2026-12-24")])
    doc = doc.model_copy(update={"parties": []})                  # an 860 that does not repeat the ship-to
    post(client, doc, bigbox(order_changes="revise"), Cache())
    [after] = odoo.execute_kw("sale.order", "read", [[created.record_id], ["commitment_date", "partner_shipping_id"]])
    assert after["commitment_date"].startswith("2026-12-24")
    assert after["partner_shipping_id"] == before["partner_shipping_id"]
    assert [r[1] for r in rows(odoo, created.record_id)] == [24.0, 2.0]


def test_an_860_is_held_by_default_and_for_a_confirmed_order(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    doc = change(Line(line_no="1", item_ids=BLUE, quantity=Decimal(30), change="change"))
    [created] = post(client, three_lines(), bigbox(), Cache())
    with pytest.raises(OdooRejected, match=r"odoo.order_changes: revise"):
        post(client, doc, bigbox(), Cache())
    odoo.execute_kw("sale.order", "action_confirm", [[created.record_id]])
    with pytest.raises(OdooRejected, match=r"cannot be changed: sale order .* is confirmed"):
        post(client, doc, bigbox(order_changes="revise"), Cache())
    assert [r[1] for r in rows(odoo, created.record_id)] == [24.0, 2.0]


def test_what_cannot_be_applied_is_rejected_naming_the_line(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    partner = bigbox(order_changes="revise")
    [created] = post(client, three_lines(), partner, Cache())
    not_on_order = change(Line(line_no="4", item_ids=CABLE, quantity=Decimal(3), change="change"))
    with pytest.raises(OdooRejected, match=r"line 4: \[CB-400\] Cable Bundle is not on sale order"):
        post(client, not_on_order, partner, Cache())
    unknown_kind = change(Line(line_no="1", item_ids=BLUE, quantity=Decimal(3), change="XX"))
    with pytest.raises(OdooRejected, match=r"change kind\(s\) 'XX' .*codes: line_changes"):
        post(client, unknown_kind, partner, Cache())
    # deleting a line that is already gone is no error: the note says so
    gone = change(Line(line_no="4", item_ids=CABLE, change="delete"))
    post(client, gone, partner, Cache())
    assert "Cable Bundle is not on the order (already removed)" in note(odoo, created.record_id)
    assert [r[1] for r in rows(odoo, created.record_id)] == [24.0, 2.0]


def test_a_replacement_860_keeps_only_the_lines_it_does_not_delete(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    [created] = post(client, three_lines(), bigbox(), Cache())
    doc = order(lines=[Line(line_no="1", item_ids=BLUE, quantity=Decimal(12), change="change"),
                       Line(line_no="2", item_ids=GADGET, change="delete")], purpose="replace")
    post(client, doc.model_copy(update={"source": Source(standard_type="860", message_id="05REPLACE")}), bigbox(),
         Cache())
    assert [r[:2] for r in rows(odoo, created.record_id)] == [("[WB-100] Blue Widget", 12.0)]


# --------------------------------------------------------------------------- through the pipeline

async def test_pipeline_bigbox_860_sample_is_merged_into_its_850(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """BigBox's sample 850 (3 lines), then its sample 860: line 1 quantity 24 -> 36, line 2 deleted, line 3's
    price 42.00 -> 39.90 (BigBox is on the pricelist policy: flagged), line 4 added; the 997 acknowledges the PC
    group. BigBox's next 860 for the PO is merged as well; the line 4 it adds again is on the order already."""
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)
    first = await submit(pipeline, SAMPLE.read_bytes(), SAMPLE.name)
    assert run(pipeline, first.id, {State.DONE}).state is State.DONE
    second = await submit(pipeline, CHANGE_860.read_bytes(), CHANGE_860.name)
    done = run(pipeline, second.id, {State.DONE})
    assert done.state is State.DONE, done.last_error
    [so] = pipeline_orders(odoo)
    assert [r[:2] for r in rows(odoo, so["id"])] == [("[WB-100] Blue Widget", 36.0), ("[GL-300] Gadget Large", 6.0),
                                                    ("[CB-400] Cable Bundle", 12.0)]
    text = note(odoo, so["id"])
    assert "EDI change 4500001234 (interchange 000001210 set 0001): " in text
    assert "order price 39.90, Odoo price 42.00" in text
    assert [(link.record_id, link.role) for link in journal.odoo_links(second.id)] == [(so["id"], "updated")]
    answer, ack = sorted(journal.children(second.id), key=lambda m: m.doc_type or "")
    sent = pipeline.archive.read(ack.sha256)
    assert ack.doc_type == "997" and b"AK1*PC*1210~" in sent and b"AK9*A*1*1*1~" in sent
    # the 865 answers the change now in Odoo: BCA05 the change's number, each POC line as sent with ACK*IA,
    # our sale order's name in BCA09; read back by the gateway's own 865 profile, valid against the 865 set
    assert answer.doc_type == "865" and answer.state is State.QUEUED
    text865 = pipeline.archive.read(answer.sha256).decode()
    segments = [s.strip() for s in text865.split("~") if s.strip()]
    bca = next(s for s in segments if s.startswith("BCA*")).split("*")
    assert (bca[1], bca[2], bca[3], bca[5], bca[6], bca[9]) == ("00", "AD", "4500001234", "1", "20261127", so["name"])
    assert len(bca[10]) == 8                                # the acknowledgment's own date
    # (QI and PC are both "change" in the canonical model: written back as CA, changes to line items)
    assert [s for s in segments if s.startswith(("POC*", "ACK*"))] == [
        "POC*1*CA*36**EA*12.50*PE*BP*BB-1001*VN*WB-100*UP*614141000012", "ACK*IA*36*EA",
        "POC*2*DI*0**EA***BP*BB-1002*VN*WR-200*UP*614141000029", "ACK*IA*0*EA",
        "POC*3*CA*6**EA*39.90*PE*BP*BB-1003*VN*GL-300*UP*614141000036", "ACK*IA*6*EA",
        "POC*4*AI*12**EA*30.00*PE*BP*BB-1004*VN*CB-400*UP*614141000043", "ACK*IA*12*EA"]
    parsed = x12.parse(text865.encode())
    assert parsed.errors == [] and parsed.groups[0].functional_id == "CA"
    [back] = translate(parsed.transactions[0], examples.partners["bigbox"], examples.profiles, profile="bigbox-865")
    assert (back.po_number, back.change_sequence, [ln.change for ln in back.lines]) == \
        ("4500001234", "1", ["change", "delete", "change", "add"])
    # BigBox's next change of the same PO (same PO date, a new interchange) is applied too, not taken for this one
    later = CHANGE_860.read_bytes().replace(b"000001210", b"000001211").replace(b"POC*1*QI*36*36*", b"POC*1*QD*30*30*")
    third = await submit(pipeline, later, "860_4500001234_2.edi")
    sandbox.faults.drop_after_create["sale.order.write"] = 1       # the merge is written, its answer lost
    assert run(pipeline, third.id, {State.DONE}).state is State.DONE
    # retried, the change finds its own work: one 865 for it, not two
    assert sorted(m.doc_type or "" for m in journal.children(third.id)) == ["865", "997"]
    assert any(e.to_state is State.RETRY_WAIT for e in journal.events(third.id))
    assert [r[:2] for r in rows(odoo, so["id"])] == [("[WB-100] Blue Widget", 30.0), ("[GL-300] Gadget Large", 6.0),
                                                    ("[CB-400] Cable Bundle", 12.0)]
    text = note(odoo, so["id"])
    assert "line 4: [CB-400] Cable Bundle is on the order already (added before)" in text
    assert "EDI change 4500001234 (interchange 000001210 set 0001)" in text
    assert "EDI change 4500001234 (interchange 000001211 set 0001)" in text


async def test_pipeline_an_860_before_its_850_waits_for_the_order(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """The 860 is posted first (a worker or a file ahead of its 850): it waits in RETRY_WAIT, naming why,
    and is merged once the 850 is in; with `order_wait_minutes: 0` it is quarantined at once, and says so."""
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)
    early = await submit(pipeline, CHANGE_860.read_bytes(), CHANGE_860.name)
    waiting = run(pipeline, early.id, {State.RETRY_WAIT})
    assert waiting.state is State.RETRY_WAIT and "no sale order for PO 4500001234 to change" in (waiting.last_error
                                                                                                or "")
    assert waiting.meta.get("waiting_since") and pipeline_orders(odoo) == []
    first = await submit(pipeline, SAMPLE.read_bytes(), SAMPLE.name)
    assert run(pipeline, first.id, {State.DONE}).state is State.DONE
    journal.transition(early.id, State.RETRY_WAIT, "due now", next_attempt_at=None)     # its backoff, cut short
    done = run(pipeline, early.id, {State.DONE})
    assert done.state is State.DONE, done.last_error
    assert not done.meta.get("waiting_since")
    [so] = pipeline_orders(odoo)
    assert rows(odoo, so["id"])[0][:2] == ("[WB-100] Blue Widget", 36.0)

    impatient = pipeline.config.partners["bigbox"]
    pipeline.config.partners["bigbox"] = impatient.model_copy(
        update={"odoo": impatient.odoo.model_copy(update={"order_wait_minutes": 0})})
    other = CHANGE_860.read_bytes().replace(b"4500001234", b"4500009999").replace(b"000001210", b"000001299")
    held = run(pipeline, (await submit(pipeline, other, "860_4500009999.edi")).id, {State.QUARANTINED})
    assert held.state is State.QUARANTINED
    assert "no sale order for PO 4500009999 to change" in (held.last_error or "")
    assert "(waited 0 minutes for the order)" in (held.last_error or "")


async def test_pipeline_eurohandel_ordchg_is_merged_into_its_orders(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """EuroHandel's ORDERS (48 Blue Widget, 4 cartons of Red Widget, 10 Gadget Large), then its ORDCHG: LIN
    action 3 with a QTY (48 -> 60), 2 (Red Widget removed), 3 with only a PRI (kept quantity, EuroHandel is on
    the order price policy: 39.90 written), 1 (8 Cable Bundle added); the CONTRL answers it, and an ORDRSP once
    it is merged."""
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)
    for path in (EH_SAMPLE, ORDCHG):
        message = await pipeline.submit(path.read_bytes(), IntakeMeta(channel="folder", filename=path.name))
        done = run(pipeline, message.id, {State.DONE})
        assert done.state is State.DONE, done.last_error
    [so] = sale_orders(odoo, "4500012345")
    assert rows(odoo, so["id"]) == [("[WB-100] Blue Widget", 60.0, 12.5), ("[GL-300] Gadget Large", 10.0, 39.9),
                                    ("[CB-400] Cable Bundle", 8.0, 30.0)]
    assert "EDI change 4500012345 (interchange EH000431 set 1)" in note(odoo, so["id"])
    assert [(link.record_id, link.role) for link in journal.odoo_links(message.id)] == [(so["id"], "updated")]
    contrl, answer = sorted(journal.children(message.id), key=lambda m: m.doc_type or "")
    assert contrl.doc_type == "CONTRL" and b"UCI+EH000431+" in pipeline.archive.read(contrl.sha256)
    # the ORDRSP answers the change now in Odoo (trigger change_applied): each LIN accepted as sent (1229 5), the
    # removed line with quantity 0, the repriced one without a QTY of its own (it kept its quantity); QTY+21 the
    # quantity the line now orders, QTY+113 the one to be delivered
    assert answer.doc_type == "ORDRSP" and answer.state is State.QUEUED
    text = pipeline.archive.read(answer.sha256).decode("latin-1")
    body = [s.strip() for s in text.split("'") if s.strip().startswith(("BGM", "RFF", "LIN", "QTY", "PRI"))]
    assert body == ["BGM+231+" + so["name"] + "+29", "RFF+ON:4500012345", "RFF+VN:" + so["name"],
                    "LIN+1+5+0614141000012:EN", "QTY+21:60:PCE", "QTY+113:60:PCE", "LIN+2+5+0614141000029:EN",
                    "QTY+21:0:PCE", "QTY+113:0:PCE", "LIN+3+5+0614141000036:EN", "PRI+AAA:39.90",
                    "LIN+4+5+0614141000043:EN", "QTY+21:8:PCE", "QTY+113:8:PCE", "PRI+AAA:30.00"]


def test_a_changes_unmapped_allowances_are_noted_not_applied(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """(Mapped ones are applied: tests/odoo/test_change_charges.py.)"""
    from gateway.translate.canonical import AllowanceCharge
    partner = bigbox(order_changes="revise")
    [created] = post(client, three_lines(), partner, Cache())
    doc = change(Line(line_no="1", item_ids=BLUE, quantity=Decimal(30), change="change"))
    doc = doc.model_copy(update={"allowances_charges": [AllowanceCharge(kind="charge", code="D240",
                                                                        description="FREIGHT", amount=Decimal(20))]})
    post(client, doc, partner, Cache())
    assert "<p>charge D240 FREIGHT: 20 (not applied to the Odoo order)</p>" in note(odoo, created.record_id)
    assert [r[1] for r in rows(odoo, created.record_id)] == [30.0, 2.0]


async def test_pipeline_an_answer_that_cannot_be_written_quarantines_the_change_until_replayed(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """BigBox's 865 cannot be rendered (a profile mistake): the 860 is applied in Odoo, then quarantined saying
    so; nothing polls for a change answer, so the replay after the fix is what sends it, without applying the
    change a second time."""
    import gateway.translate
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)
    first = await submit(pipeline, SAMPLE.read_bytes(), SAMPLE.name)
    assert run(pipeline, first.id, {State.DONE}).state is State.DONE
    real_render = gateway.translate.render

    def broken(doc: Any, partner: Any, profiles: Any, journal: Any, doc_type: str | None = None, **kw: Any) -> Any:
        if doc_type == "865":
            raise TranslationError("POC03 required", profile="bigbox-865.yaml:9")
        return real_render(doc, partner, profiles, journal, doc_type, **kw)

    monkeypatch.setattr(gateway.translate, "render", broken)
    change_msg = await submit(pipeline, CHANGE_860.read_bytes(), CHANGE_860.name)
    held = run(pipeline, change_msg.id, {State.QUARANTINED})
    assert held.state is State.QUARANTINED
    assert "the change of PO 4500001234 is applied in Odoo, but its 865 answer cannot be written" in (held.last_error
                                                                                                      or "")
    assert "bigbox-865.yaml:9: POC03 required" in (held.last_error or "")
    [so] = pipeline_orders(odoo)
    merged = rows(odoo, so["id"])
    assert merged[0][:2] == ("[WB-100] Blue Widget", 36.0)
    assert [m.doc_type for m in journal.children(change_msg.id)] == ["997"]
    monkeypatch.setattr(gateway.translate, "render", real_render)           # the profile fixed
    replay(journal, change_msg.id)
    assert run(pipeline, change_msg.id, {State.DONE}).state is State.DONE
    assert rows(odoo, so["id"]) == merged                                    # not applied twice
    assert sorted(m.doc_type or "" for m in journal.children(change_msg.id)) == ["865", "997"]


async def test_pipeline_a_file_of_two_changes_answers_each_once_even_when_one_waits_for_its_order(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer) -> None:
    """One 860 file changes PO 4500001234 (in Odoo) and PO 4500001235 (its 850 not yet in): the first is
    merged and answered, the second waits; once its order is in, the retry answers the second only."""
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)
    first = await submit(pipeline, SAMPLE.read_bytes(), SAMPLE.name)
    assert run(pipeline, first.id, {State.DONE}).state is State.DONE
    text = CHANGE_860.read_text()
    head, rest = text.split("ST*860*0001~\n")
    body, tail = rest.split("GE*1*1210~\n")
    second_set = ("ST*860*0002~\nBCH*04*SA*4500001235**3*20261128****20261129~\n"
                  "POC*1*QD*5*5*EA*30.00*PE*BP*BB-1004*UP*614141000043*VN*CB-400~\nCTT*1~\nSE*5*0002~\n")
    two = (head + "ST*860*0001~\n" + body + second_set + "GE*2*1210~\n" + tail).encode()
    both = await submit(pipeline, two, "860_two_changes.edi")
    waiting = run(pipeline, both.id, {State.RETRY_WAIT})
    assert waiting.state is State.RETRY_WAIT and "4500001235" in (waiting.last_error or "")
    answers = [m for m in journal.children(both.id) if m.doc_type == "865"]
    assert len(answers) == 1 and b"BCA*00*AD*4500001234*" in pipeline.archive.read(answers[0].sha256)
    later = EXAMPLES / "samples" / "bigbox" / "850_4500001235-36.edi"
    orders = await submit(pipeline, later.read_bytes(), later.name)
    assert run(pipeline, orders.id, {State.DONE}).state is State.DONE
    journal.transition(both.id, State.RETRY_WAIT, "due now", next_attempt_at=None)
    assert run(pipeline, both.id, {State.DONE}).state is State.DONE
    answers = sorted(pipeline.archive.read(m.sha256).decode().split("BCA*00*AD*")[1][:10]
                     for m in journal.children(both.id) if m.doc_type == "865")
    assert answers == ["4500001234", "4500001235"]


async def test_pipeline_a_cancellation_860_is_answered_by_an_865_without_lines(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """BigBox cancels PO 4500001234 (BCH01 01, no POC lines): the quotation is cancelled and the 865 says so
    for the PO, with no line loop (CTT*0)."""
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)
    first = await submit(pipeline, SAMPLE.read_bytes(), SAMPLE.name)
    assert run(pipeline, first.id, {State.DONE}).state is State.DONE
    text = CHANGE_860.read_text()
    head, rest = text.split("ST*860*0001~\n")
    cancel = (head + "ST*860*0001~\nBCH*01*SA*4500001234**2*20261127****20261128~\nCTT*0~\nSE*4*0001~\n"
              + "GE*1*1210~\n" + rest.split("GE*1*1210~\n")[1]).encode()
    message = await submit(pipeline, cancel, "860_cancel.edi")
    done = run(pipeline, message.id, {State.DONE})
    assert done.state is State.DONE, done.last_error
    [so] = pipeline_orders(odoo)
    assert so["state"] == "cancel"
    [answer] = [m for m in journal.children(message.id) if m.doc_type == "865"]
    sent = pipeline.archive.read(answer.sha256).decode()
    assert "BCA*00*AD*4500001234**2*20261127" in sent and "POC*" not in sent and "CTT*0~" in sent
    assert x12.parse(sent.encode()).errors == []


def _bch(purpose: str, control: int) -> bytes:
    """A BigBox 860 of PO-1001 with this BCH01 and one POC line (Blue Widget 24 -> 30)."""
    body = ["ST*860*0001", f"BCH*{purpose}*SA*PO-1001**1*20261129",
            "POC*1*QI*30**EA*12.50*PE*BP*BB-1001*UP*614141000012", "CTT*1", "SE*5*0001"]
    isa = f"ISA*00*          *00*          *ZZ*BIGBOXRETAIL   *ZZ*ACMEDIST       *261130*0900*U*00401*{control:09d}*0*P*>"
    return ("~\n".join([isa, f"GS*PC*BIGBOX*ACMEDIST*20261130*0900*{control}*X*004010", *body, f"GE*1*{control}",
                        f"IEA*1*{control:09d}"]) + "~\n").encode()


def test_an_860_whose_bch01_is_not_a_change_is_not_applied_as_a_whole_order(
        tmp_path: Path, client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """An 860 with BCH01 00 (original) read as the base profile reads it: purpose original, one POC line. Taken as
    the whole order (a resend with other content, which a revising partner's quotation takes as a replacement) it
    removed line 2; now it is held naming the purpose and the setting. With BCH01 00 mapped to change in the
    partner's profile, it is merged."""
    from gateway.translate import ProfileRegistry
    partner = bigbox(order_changes="revise")
    [created] = post(client, three_lines(), partner, Cache())
    [doc] = translate(x12.parse(_bch("00", 5)).transactions[0], None, base_profiles())
    assert doc.purpose == "original"
    with pytest.raises(OdooRejected, match=r"its purpose is 'original', not a change.*\"00\": change"):
        post(client, doc, partner, Cache())
    assert [r[1] for r in rows(odoo, created.record_id)] == [24.0, 2.0]
    (tmp_path / "bigbox-860.yaml").write_text('extends: x12-004010-860\ncodes:\n  purpose: {"00": change}\n')
    profiles = ProfileRegistry.load([tmp_path])
    [mapped] = translate(x12.parse(_bch("00", 6)).transactions[0], None, profiles, profile="bigbox-860")
    assert post(client, mapped, partner, Cache())[0].role == "updated"
    assert [r[1] for r in rows(odoo, created.record_id)] == [30.0, 2.0]


async def test_pipeline_an_ordchg_sent_as_an_original_is_held_not_applied_as_the_order(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """EuroHandel's ORDCHG with BGM 1225 9 (original) instead of 4: quarantined naming why, the order as it was."""
    pipeline, _ = pipeline_for(tmp_path, examples, sandbox)
    message = await pipeline.submit(EH_SAMPLE.read_bytes(), IntakeMeta(channel="folder", filename=EH_SAMPLE.name))
    assert run(pipeline, message.id, {State.DONE}).state is State.DONE
    [so] = sale_orders(odoo, "4500012345")
    before = rows(odoo, so["id"])
    original = ORDCHG.read_bytes().replace(b"BGM+230+4500012345+4'", b"BGM+230+4500012345+9'")
    held = await pipeline.submit(original, IntakeMeta(channel="folder", filename="ORDCHG_as_original.edi"))
    done = run(pipeline, held.id, {State.QUARANTINED})
    assert done.state is State.QUARANTINED
    assert "its purpose is 'original', not a change" in (done.last_error or "")
    assert rows(odoo, so["id"]) == before


def test_a_line_added_removed_and_added_again_is_on_the_order(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """Three changes: line 3 (Blue Widget, also line 1's product) added, deleted, added again. The third was
    skipped as 'added before' because the note said line 3 was added, though a later change removed it: the
    partner's line was lost while the answer acknowledged it. Found by the review."""
    partner = bigbox(order_changes="revise", price_policy="order")
    [created] = post(client, three_lines(), partner, Cache())
    so = created.record_id
    extra = Line(line_no="3", item_ids=BLUE, quantity=Decimal(5), unit_price=Decimal("12.50"), change="add")
    post(client, change(extra, message_id="03ADD"), partner, Cache())
    post(client, change(Line(line_no="3", item_ids=BLUE, change="delete"), message_id="04DEL"), partner, Cache())
    assert [r[:2] for r in rows(odoo, so)] == [("[WB-100] Blue Widget", 24.0), ("[GL-300] Gadget Large", 2.0)]
    post(client, change(extra.model_copy(update={"quantity": Decimal(6)}), message_id="05ADD"), partner, Cache())
    assert [r[:2] for r in rows(odoo, so)] == [("[WB-100] Blue Widget", 24.0), ("[GL-300] Gadget Large", 2.0),
                                             ("[WB-100] Blue Widget", 6.0)]
    # the same addition sent again is found, not added twice
    post(client, change(extra.model_copy(update={"quantity": Decimal(6)}), message_id="06ADD"), partner, Cache())
    assert len(rows(odoo, so)) == 3
