"""A partner's order change (X12 850 BEG01 04, EDIFACT BGM 1225 4, cXML type=update) and replacement
(BEG01 05) in the sandbox (17, 19): held for a person by default; with `odoo.order_changes: revise` a
change is the whole revised order and rewrites the quotation's header and lines, once. Checked with
odoorpc as an independent client."""

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
from gateway.translate.canonical import DateValue, Line, Party, Source
from tests.odoo.conftest import bigbox, order
from tests.odoo.test_pipeline_posting import SAMPLE, examples, pipeline_for, run
from tests.odoo.test_posting_cancel import line_rows, pipeline_orders, revised_850, sale_orders, submit

__all__ = ["examples"]      # the module-scoped fixture, re-exported for the pipeline tests below

pytestmark = pytest.mark.parametrize("sandbox", [17, 19], ids=["odoo17", "odoo19"], indirect=True)

NEW_DC = Party(role="ship_to", name="BigBox DC 9", ids={"gln": "0860001000993"})


def revision(purpose: str, message_id: str = "02CHANGE", ship_to: Party | None = None) -> Any:
    """PO-1001 again: one line (10 x BB-1002), delivery wanted on 2026-12-20, a new reference and note."""
    lines = [Line(line_no="1", item_ids={"buyer": "BB-1002"}, quantity=Decimal(10), unit_price=Decimal("8.75"))]
    doc = order(lines=lines, purpose=purpose, ship_to=ship_to,
                dates=[DateValue(qualifier="requested_delivery", date="2026-12-20")], notes=["deliver to door 4"])
    return doc.model_copy(update={"source": Source(standard_type="850", message_id=message_id)})


def header(odoo: odoorpc.ODOO, so: int) -> dict[str, Any]:
    [row] = odoo.execute_kw("sale.order", "read", [[so], ["commitment_date", "partner_shipping_id", "note",
                                                         "state"]])
    return dict(row)


def test_a_change_is_held_by_default_with_the_setting_named(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    [created] = post(client, order(), bigbox(), Cache())
    with pytest.raises(OdooRejected, match=r"a change of order .* is not applied automatically; change the order in "
                                           r"Odoo \(or set odoo.order_changes: revise"):
        post(client, revision("change"), bigbox(), Cache())
    assert len(line_rows(odoo, created.record_id)) == 2          # untouched


def test_a_change_with_revise_rewrites_the_quotation_header_and_lines_once(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO) -> None:
    partner = bigbox(order_changes="revise", create_ship_to=True)
    [created] = post(client, order(), partner, Cache())
    before = header(odoo, created.record_id)
    sandbox.faults.drop_after_create["sale.order.write"] = 1      # the change lands, its answer is lost
    with pytest.raises(OdooUnavailable):
        post(client, revision("change", ship_to=NEW_DC), partner, Cache())
    links = post(client, revision("change", ship_to=NEW_DC), partner, Cache())
    assert [(link.record_id, link.role) for link in links] == [(created.record_id, "found")]
    after = header(odoo, created.record_id)
    assert line_rows(odoo, created.record_id) == [("[WR-200] Red Widget", 10.0)] and after["state"] == "draft"
    assert after["commitment_date"].startswith("2026-12-20") and before["commitment_date"] != after["commitment_date"]
    [dc] = odoo.execute_kw("res.partner", "search_read", [[("barcode", "=", "0860001000993")]], {"fields": ["name"]})
    assert after["partner_shipping_id"][0] == dc["id"] != before["partner_shipping_id"][0]
    assert after["note"].count("EDI change PO-1001 (message 02CHANGE): 2 line(s) replaced by 1") == 1
    assert "deliver to door 4" in after["note"]
    # a later change of the same PO is applied again; still one order
    assert post(client, revision("change", "03CHANGE"), partner, Cache())[0].role == "updated"
    assert len(sale_orders(odoo)) == 1


def test_a_replacement_rewrites_the_header_too(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    [created] = post(client, order(), bigbox(), Cache())
    links = post(client, revision("replace", "02REPLACE"), bigbox(), Cache())
    assert [(link.record_id, link.role) for link in links] == [(created.record_id, "updated")]
    after = header(odoo, created.record_id)
    assert after["commitment_date"].startswith("2026-12-20")
    assert "EDI replacement PO-1001 (message 02REPLACE): 2 line(s) replaced by 1" in after["note"]


def test_a_change_of_a_confirmed_order_is_held_even_with_revise(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    partner = bigbox(order_changes="revise")
    post(client, order(), bigbox(confirm_orders=True), Cache())
    [so] = sale_orders(odoo)
    with pytest.raises(OdooRejected, match=f"PO PO-1001 cannot be changed: sale order {so['name']} is confirmed"):
        post(client, revision("change"), partner, Cache())
    assert len(line_rows(odoo, so["id"])) == 2


def test_a_change_of_an_unknown_order_is_rejected(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    with pytest.raises(OdooRejected, match="no sale order for PO PO-1001 to change"):
        post(client, revision("change"), bigbox(order_changes="revise"), Cache())
    assert sale_orders(odoo) == []


# --------------------------------------------------------------------------- through the pipeline

async def test_pipeline_x12_beg01_04_revises_the_quotation_when_the_partner_says_so(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)
    bigbox_config = pipeline.config.partners["bigbox"]          # the example says revise; start from the default
    pipeline.config.partners["bigbox"] = bigbox_config.model_copy(
        update={"odoo": bigbox_config.odoo.model_copy(update={"order_changes": "hold"})})
    first = await submit(pipeline, SAMPLE.read_bytes(), SAMPLE.name)
    assert run(pipeline, first.id, {State.DONE}).state is State.DONE
    change = revised_850(b"04", b"1204").replace(b"DTM*002*20261208~", b"DTM*002*20261222~")
    held = await submit(pipeline, change, "850_4500001234_change.edi")
    message = run(pipeline, held.id, {State.QUARANTINED})
    assert message.state is State.QUARANTINED and "odoo.order_changes: revise" in (message.last_error or "")
    [so] = pipeline_orders(odoo)
    assert len(line_rows(odoo, so["id"])) == 3

    bigbox_config = pipeline.config.partners["bigbox"]
    pipeline.config.partners["bigbox"] = bigbox_config.model_copy(
        update={"odoo": bigbox_config.odoo.model_copy(update={"order_changes": "revise"})})
    again = await submit(pipeline, change.replace(b"000001204", b"000001205").replace(b"*1204*X*", b"*1205*X*")
                         .replace(b"GE*1*1204~", b"GE*1*1205~"), "850_4500001234_change_again.edi")
    done = run(pipeline, again.id, {State.DONE})
    assert done.state is State.DONE, done.last_error
    [so] = pipeline_orders(odoo)
    after = header(odoo, so["id"])
    assert len(line_rows(odoo, so["id"])) == 2 and after["state"] == "draft"
    assert after["commitment_date"].startswith("2026-12-22")
    assert "EDI change 4500001234 (interchange 000001205 set 0001)" in after["note"]
    assert [(link.record_id, link.role) for link in journal.odoo_links(again.id)] == [(so["id"], "updated")]
