"""855 purchase order acknowledgments from confirmed sale orders (`trigger: order_confirmed`), in the sandbox
(17, 19): BigBox's sample 850 goes through the real pipeline, a person changes and confirms the quotation in
Odoo (odoorpc, an independent client), and the scheduler queues one X12 855 that says what changed."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.config.models import DocumentSettings
from gateway.formats import x12
from gateway.journal.api import Direction, State
from gateway.odoo.client import OdooClient
from gateway.odoo.sandbox import SandboxServer
from gateway.odoo.scheduler import OdooScheduler, kind_of
from gateway.translate import translate
from tests.odoo.test_pipeline_posting import SAMPLE, examples, pipeline_for, run
from tests.odoo.test_posting_cancel import pipeline_orders, submit

__all__ = ["examples"]      # the module-scoped fixture, re-exported for the tests below

pytestmark = pytest.mark.parametrize("sandbox", [17, 19], ids=["odoo17", "odoo19"], indirect=True)

ACK = DocumentSettings(type="855", direction="out", profile="x12-004010-855", trigger="order_confirmed")


async def bigbox_with_855(tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer,
                          client: OdooClient) -> tuple[Any, OdooScheduler]:
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)
    partner = pipeline.config.partners["bigbox"]
    pipeline.config.partners["bigbox"] = partner.model_copy(update={"documents": [*partner.documents, ACK]})
    ctx = SimpleNamespace(config=pipeline.config, journal=journal, pipeline=pipeline,
                          partners=pipeline.config.partners)
    first = await submit(pipeline, SAMPLE.read_bytes(), SAMPLE.name)
    assert run(pipeline, first.id, {State.DONE}).state is State.DONE
    return pipeline, OdooScheduler(ctx, lambda: client)


def sent_855(pipeline: Any) -> list[bytes]:
    return [pipeline.archive.read(m.sha256) for m in pipeline.journal.find(direction=Direction.OUT, limit=50)
            if m.doc_type == "855"]


def test_order_confirmed_is_the_order_ack_kind(sandbox: SandboxServer) -> None:
    assert kind_of(ACK) == "order_ack"
    assert kind_of(ACK.model_copy(update={"trigger": "schedule", "schedule": "0 6 * * *"})) == "order_ack"


async def test_a_confirmed_order_is_acknowledged_once_with_what_changed(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO) -> None:
    pipeline, scheduler = await bigbox_with_855(tmp_path, examples, sandbox, client)
    [so] = pipeline_orders(odoo)
    assert await scheduler.run_once("bigbox", "855") == 0                  # a quotation: nothing to say yet
    lines = odoo.execute_kw("sale.order.line", "search_read", [[("order_id", "=", so["id"])]],
                            {"fields": ["sequence", "product_uom_qty"], "order": "sequence"})
    odoo.execute_kw("sale.order.line", "write", [[lines[1]["id"]], {"product_uom_qty": 40}])   # 48 -> 40
    odoo.execute_kw("sale.order.line", "unlink", [[lines[2]["id"]]])                          # no gadgets
    odoo.execute_kw("sale.order", "action_confirm", [[so["id"]]])
    assert await scheduler.run_once("bigbox", "855") == 1
    assert await scheduler.run_once("bigbox", "855") == 0                  # once per confirmation
    [data] = sent_855(pipeline)
    result = x12.parse(data)
    assert [str(i) for i in result.issues] == []          # BAK08 is our order number, BAK09 the day (not a date)
    assert b"BAK*00*AC*4500001234*20261127****S" in data and b"DTM*067*20261208~" in data  # promised day
    assert b"PO1*1*24*EA*12.50*PE*BP*BB-1001*" in data and b"ACK*IA*24*EA~" in data           # as they sent it
    assert b"PO1*2*48*EA*8.75*PE*BP*BB-1002*" in data and b"ACK*IC*40*EA~" in data           # what Odoo holds
    assert b"PO1*3*6*EA*42.00*PE*BP*BB-1003*" in data and b"ACK*IR*6*EA~" in data           # 6 rejected
    [ack] = translate(result.transactions[0], None, pipeline.config.profiles, profile="x12-004010-855")
    assert [(line.line_no, line.status, line.quantity) for line in ack.lines] == [  # type: ignore[attr-defined]
        ("1", "accepted", 24), ("2", "changed", 40), ("3", "rejected", 0)]


async def test_an_unchanged_order_is_accepted_as_sent(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO) -> None:
    pipeline, scheduler = await bigbox_with_855(tmp_path, examples, sandbox, client)
    [so] = pipeline_orders(odoo)
    odoo.execute_kw("sale.order", "action_confirm", [[so["id"]]])
    assert await scheduler.run_once("bigbox", "855") == 1
    [data] = sent_855(pipeline)
    assert b"BAK*00*AD*4500001234" in data and data.count(b"ACK*IA*") == 3 and b"ACK*IC" not in data


async def test_an_order_typed_in_odoo_is_acknowledged_as_it_stands_only_with_a_po_number(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO) -> None:
    pipeline, scheduler = await bigbox_with_855(tmp_path, examples, sandbox, client)
    [so] = pipeline_orders(odoo)
    customer = odoo.execute_kw("sale.order", "read", [[so["id"]], ["partner_id"]])[0]["partner_id"][0]
    [product] = odoo.execute_kw("product.product", "search", [[("default_code", "=", "WB-100")]])
    for ref in ("PHONE-77", False):
        typed = odoo.execute_kw("sale.order", "create", [{"partner_id": customer, "client_order_ref": ref,
                                                          "order_line": [[0, 0, {"product_id": product,
                                                                                 "product_uom_qty": 5}]]}])
        odoo.execute_kw("sale.order", "action_confirm", [[typed]])
    assert await scheduler.run_once("bigbox", "855") == 1                  # the one with a PO number
    [data] = sent_855(pipeline)
    assert b"BAK*00*AD*PHONE-77*" in data and b"ACK*IA*5*EA~" in data


async def test_a_line_ordered_in_cases_that_odoo_counts_in_units_is_accepted_as_sent(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """2 cases of 12 (PO4*12, no Odoo unit mapped to CS) at 150.00 a case are posted as 24 units at 12.50: the
    same order, so the 855 echoes the partner's 2 cases as accepted rather than reporting a change to 24 EA."""
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)
    partner = pipeline.config.partners["bigbox"]
    pipeline.config.partners["bigbox"] = partner.model_copy(update={"documents": [*partner.documents, ACK]})
    cases = SAMPLE.read_bytes().replace(b"PO1*1*24*EA*12.50*PE*", b"PO1*1*2*CS*150.00*PE*")
    message = await submit(pipeline, cases, "850_cases.edi")
    assert run(pipeline, message.id, {State.DONE}).state is State.DONE
    [so] = pipeline_orders(odoo)
    [first] = odoo.execute_kw("sale.order.line", "search_read", [[("order_id", "=", so["id"]), ("sequence", "=", 1)]],
                              {"fields": ["product_uom_qty", "price_unit"]})
    assert (first["product_uom_qty"], first["price_unit"]) == (24.0, 12.5)
    odoo.execute_kw("sale.order", "action_confirm", [[so["id"]]])
    ctx = SimpleNamespace(config=pipeline.config, journal=journal, pipeline=pipeline,
                          partners=pipeline.config.partners)
    assert await OdooScheduler(ctx, lambda: client).run_once("bigbox", "855") == 1
    [data] = sent_855(pipeline)
    # the partner's CS goes back as X12's CA (the base code list writes the first code of a unit)
    assert b"PO1*1*2*CA*150.00*" in data and b"ACK*IA*2*CA~" in data and b"BAK*00*AD*" in data


async def test_the_ack_reads_the_partners_order_and_no_later_message_of_it(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The 850 sent again twice by the VAN (found: linked to the same order). The 855 is made against the original,
    which is the first message linked to the order: the later ones are not read and parsed for it."""
    from tests.odoo.test_resent_originals import renumbered  # (that module imports this one)
    pipeline, scheduler = await bigbox_with_855(tmp_path, examples, sandbox, client)
    for control in (b"1206", b"1207"):
        again = await submit(pipeline, renumbered(SAMPLE.read_bytes(), control), f"850_again_{control.decode()}.edi")
        assert run(pipeline, again.id, {State.DONE}).state is State.DONE
    [so] = pipeline_orders(odoo)
    linked = pipeline.journal.linked_messages("sale.order", so["id"])
    assert len(linked) == 3
    odoo.execute_kw("sale.order", "action_confirm", [[so["id"]]])
    read: list[str] = []
    get_blob = pipeline.journal.get_blob
    monkeypatch.setattr(pipeline.journal, "get_blob", lambda message_id, name: (
        read.append(message_id) if name == "canonical" else None, get_blob(message_id, name))[1])
    assert await scheduler.run_once("bigbox", "855") == 1
    assert read == linked[:1]
    [data] = sent_855(pipeline)
    assert data.count(b"ACK*IA*") == 3


async def test_each_line_is_acknowledged_under_the_partners_zero_padded_number(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """PO lines 001 (24 Blue Widgets) and 002 (6 more of them), which Odoo numbers 1 and 2; a person deletes line 1
    before confirming. The 855 rejects 001 and accepts 002 as sent, each under the partner's own number: 001 is
    not taken for the remaining line of the same product."""
    from tests.odoo.test_crossdock import padded_850  # (it imports this module's helpers)
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)
    partner = pipeline.config.partners["bigbox"]
    pipeline.config.partners["bigbox"] = partner.model_copy(update={"documents": [*partner.documents, ACK]})
    message = await submit(pipeline, padded_850(), "850_padded.edi")
    assert run(pipeline, message.id, {State.DONE}).state is State.DONE
    [so] = pipeline_orders(odoo)
    [first] = odoo.execute_kw("sale.order.line", "search", [[("order_id", "=", so["id"]), ("sequence", "=", 1)]])
    odoo.execute_kw("sale.order.line", "unlink", [[first]])
    odoo.execute_kw("sale.order", "action_confirm", [[so["id"]]])
    ctx = SimpleNamespace(config=pipeline.config, journal=journal, pipeline=pipeline,
                          partners=pipeline.config.partners)
    assert await OdooScheduler(ctx, lambda: client).run_once("bigbox", "855") == 1
    [data] = sent_855(pipeline)
    rows = [seg.split("*") for seg in data.decode().replace("\n", "").split("~")]
    assert [row[1:3] for row in rows if row[0] in ("PO1", "ACK")] == [["001", "24"], ["IR", "24"],
                                                                       ["002", "6"], ["IA", "6"]]


async def test_a_price_changed_below_the_cent_is_acknowledged_as_changed(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """A database keeping prices to 4 digits: the partner ordered at 0.0149 a unit, the order line says 0.0125 when
    it is confirmed. The 855 compared the two to the cent (0.01 both) and echoed the line as accepted; it compares
    them to the database's Product Price digits, as posting does (`lookup.price_digits`), and reports the change."""
    [precision] = odoo.execute_kw("decimal.precision", "search", [[("name", "=", "Product Price")]])
    odoo.execute_kw("decimal.precision", "write", [[precision], {"digits": 4}])
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)
    partner = pipeline.config.partners["bigbox"]
    pipeline.config.partners["bigbox"] = partner.model_copy(update={"documents": [*partner.documents, ACK]})
    fine = SAMPLE.read_bytes().replace(b"PO1*1*24*EA*12.50*PE*", b"PO1*1*24*EA*0.0149*PE*")
    message = await submit(pipeline, fine, "850_fine.edi")
    assert run(pipeline, message.id, {State.DONE}).state is State.DONE
    [so] = pipeline_orders(odoo)
    [first] = odoo.execute_kw("sale.order.line", "search", [[("order_id", "=", so["id"]), ("sequence", "=", 1)]])
    odoo.execute_kw("sale.order.line", "write", [[first], {"price_unit": 0.0125}])
    odoo.execute_kw("sale.order", "action_confirm", [[so["id"]]])
    ctx = SimpleNamespace(config=pipeline.config, journal=journal, pipeline=pipeline,
                          partners=pipeline.config.partners)
    assert await OdooScheduler(ctx, lambda: client).run_once("bigbox", "855") == 1
    [data] = sent_855(pipeline)
    [ack] = translate(x12.parse(data).transactions[0], pipeline.config.partners["bigbox"], pipeline.config.profiles)
    first_line = ack.lines[0]
    assert (first_line.line_no, first_line.status, first_line.unit_price) == ("1", "changed", Decimal("0.0125")), data
