"""X12 prices given for a quantity of units (639 basis of unit price: HP per hundred, TP per thousand, PD per dozen):
the base profiles read PO104 / IT104 / POC06 as the price of one and posted PO1*1*500*EA*12.50*HP (62.50) as a line
of 6,250.00; then such lines were held. Now the price is divided as it is read, Odoo gets the price of one (when
its Product Price digits keep it), and what we send back (855, 810) states the price per the partner's basis again.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.config.models import OurIds, PartnerConfig
from gateway.errors import OdooRejected
from gateway.formats import x12
from gateway.journal.api import State
from gateway.journal.sqlite import SqliteJournal
from gateway.odoo.client import OdooClient
from gateway.odoo.posting import Cache, post
from gateway.odoo.sandbox import SandboxServer
from gateway.odoo.scheduler import OdooScheduler
from gateway.translate import render, translate
from gateway.translate.canonical import Document
from tests.helpers.profiles import base_profiles
from tests.odoo.conftest import bigbox, client, odoo, read_x12, sandbox
from tests.odoo.test_case_prices import DC_1, goods
from tests.odoo.test_change_charges import x12_change
from tests.odoo.test_crossdock import scheduler
from tests.odoo.test_order_acks import ACK, sent_855
from tests.odoo.test_outbound_changed_lines import segments, sent
from tests.odoo.test_outbound_odd_odoo import invoiced
from tests.odoo.test_pipeline_posting import SAMPLE, examples, pipeline_for, run
from tests.odoo.test_posting_cancel import pipeline_orders, submit
from tests.odoo.test_price_digits_kept import product_price_digits
from tests.odoo.test_ship_to_second_name import x12_850
from tests.odoo.test_vendor_odd import purchase, widgetworks

__all__ = ["client", "examples", "odoo", "sandbox"]          # fixtures, used by name

BLUE_PE = b"PO1*1*24*EA*12.50*PE*BP*BB-1001"


@pytest.mark.parametrize("sandbox", [19], ids=["odoo19"], indirect=True)
async def test_an_850_per_hundred_posts_the_price_of_one_and_the_855_answers_per_hundred(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient,
        odoo: odoorpc.ODOO) -> None:
    # Given BigBox's 850 with 500 blue widgets at 12.50 per hundred (62.50), Product Price kept to 3 digits
    data = SAMPLE.read_bytes()
    assert data.count(BLUE_PE) == 1
    product_price_digits(odoo, 3)
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)
    partner = pipeline.config.partners["bigbox"]
    pipeline.config.partners["bigbox"] = partner.model_copy(update={"documents": [*partner.documents, ACK]})
    message = await submit(pipeline, data.replace(BLUE_PE, b"PO1*1*500*EA*12.50*HP*BP*BB-1001"), SAMPLE.name)
    done = run(pipeline, message.id, {State.DONE, State.QUARANTINED})
    # Then the sale order line is 500 at 0.125, 62.50, not 6,250.00
    assert done.state is State.DONE, done.last_error
    [so] = pipeline_orders(odoo)
    rows = odoo.execute_kw("sale.order.line", "search_read", [[("order_id", "=", so["id"])]],
                           {"fields": ["product_uom_qty", "price_unit", "price_subtotal"], "order": "sequence,id"})
    assert (rows[0]["product_uom_qty"], rows[0]["price_unit"], rows[0]["price_subtotal"]) == (500.0, 0.125, 62.5)
    # When it is confirmed, the 855 states the price as BigBox did: 12.50 per hundred
    odoo.execute_kw("sale.order", "action_confirm", [[so["id"]]])
    ctx = SimpleNamespace(config=pipeline.config, journal=journal, pipeline=pipeline, partners=pipeline.config.partners)
    assert await OdooScheduler(ctx, lambda: client).run_once("bigbox", "855") == 1
    [ack] = sent_855(pipeline)
    assert next(row[:6] for row in segments(ack, "PO1")) == ["PO1", "1", "500", "EA", "12.50", "HP"]
    assert next(row[:3] for row in segments(ack, "ACK")) == ["ACK", "IA", "500"]
    # and so does the 810 of its invoice
    invoiced(odoo, so["id"])
    assert await scheduler(pipeline, client).run_once("bigbox", "810") == 1
    assert next(row[:6] for row in segments(sent(pipeline, "810"), "IT1")) == ["IT1", "1", "500", "EA", "12.50", "HP"]


def test_at_two_digits_the_price_of_one_per_hundred_is_held_naming_the_digits(client: OdooClient,
                                                                             odoo: odoorpc.ODOO) -> None:
    """12.50 per 100 is 0.125 a widget; Odoo's 0.13 at 2 digits would make 500 of them 65.00: the digits check
    holds it as it holds 0.125 PE."""
    doc = x12_850("PO-HP-1", DC_1, ["PO1*1*500*EA*12.50*HP*BP*BB-1001"])
    with pytest.raises(OdooRejected, match=r"order PO-HP-1, line 1: 500 EA at 0\.125 each is 62\.50; Odoo keeps a "
                                           r"Unit Price to 2 decimals \(0\.13\), which makes the line 65\.00, 2\.50 "
                                           r"more; not posted: give Product Price 3 digits"):
        post(client, doc, bigbox(units={}, price_policy="order"), Cache())
    assert odoo.execute_kw("sale.order", "search", [[("client_order_ref", "=", "PO-HP-1")]]) == []


def test_an_810_per_thousand_is_billed_at_the_price_of_one(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """Widget Works bills 100 blue widgets at 7,500.00 per thousand (IT105 TP), 750.00: the bill line is 100 at
    7.50, the PO's price, not 7,500.00 a widget."""
    _po, name = purchase(odoo)
    doc = read_x12(["ST*810*0001", f"BIG*20261129*WW-TP-1**{name}", "N1*RI*WIDGET WORKS INC*UL*0860001000030",
                    "IT1*1*100*EA*7500.00*TP*VN*WW-WB-100", "TDS*75000", "CTT*1"],
                   gs="IN", sender="WIDGETWORKS", app="WIDGETWORKS")
    assert doc.lines[0].unit_price == Decimal("7.5") and doc.lines[0].price_basis == "TP"
    post(client, doc, widgetworks(units={}), Cache())
    [move] = odoo.execute_kw("account.move", "search_read", [[("ref", "=", "WW-TP-1")]],
                             {"fields": ["invoice_line_ids", "amount_untaxed"]})
    rows = odoo.execute_kw("account.move.line", "read", [move["invoice_line_ids"], ["quantity", "price_unit"]])
    assert [(r["quantity"], r["price_unit"]) for r in rows] == [(100.0, 7.5)]
    assert move["amount_untaxed"] == 750.0


def test_a_line_an_860_adds_per_hundred_is_added_at_the_price_of_one(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """The 860 adds 60 red widgets at 8.50 per 100 (POC07 HP): 0.085 a widget, 5.10, at 3 digits."""
    product_price_digits(odoo, 3)
    partner = bigbox(units={}, price_policy="order", order_changes="revise")
    post(client, x12_850("PO-HP-2", DC_1), partner, Cache())
    change = x12_change("PO-HP-2", [], ["POC*002*AI*60*60*EA*8.50*HP*BP*BB-1002*UP*614141000029*VN*WR-200"])
    post(client, change, partner, Cache())
    assert goods(odoo, "PO-HP-2") == [(24.0, 12.5), (60.0, 0.085)]


def round_trip(doc: Document, doc_type: str, profile: str, tmp_path: Path) -> tuple[bytes, Document]:
    partner = PartnerConfig.model_validate({
        "id": "basis", "x12": {"ids": [{"qualifier": "ZZ", "id": "BASIS"}]},
        "documents": [{"type": doc_type, "direction": "out", "profile": profile}]})
    profiles = base_profiles()
    journal = SqliteJournal(tmp_path / "render.sqlite3")
    try:
        our = OurIds.model_validate({"x12": {"qualifier": "ZZ", "id": "ACMEDIST"}})
        data = render(doc, partner, profiles, journal, doc_type, our_ids=our, now=datetime(2026, 12, 1)).data
    finally:
        journal.close()
    [again] = translate(x12.parse(data).transactions[0], None, profiles, profile=profile)
    return data, again


@pytest.mark.parametrize(("version", "basis", "per"), [("004010", "HP", "12.50"), ("005010", "TP", "4.00"),
                                                       ("004010", "PD", "12.50"), ("005010", "PE", "0.125")])
def test_what_is_read_per_a_basis_is_written_per_it_and_reads_back_the_same(
        tmp_path: Path, version: str, basis: str, per: str) -> None:
    """translate(render(doc)) has doc's lines for the 850, 810 and 860 (totals are counted on the way), and the file states the price as it was sent."""
    cases = {"850": ["ST*850*0001", "BEG*00*SA*PO-RT-1**20261129", f"PO1*1*500*EA*{per}*{basis}*BP*BB-1001",
                     "CTT*1"],
             "810": ["ST*810*0001", "BIG*20261129*INV-RT-1**PO-RT-1", f"IT1*1*500*EA*{per}*{basis}*VN*WW-WB-100",
                     "TDS*6250", "CTT*1"],
             "860": ["ST*860*0001", "BCH*04*SA*PO-RT-1**1*20261129",
                     f"POC*1*AI*500*500*EA*{per}*{basis}*BP*BB-1001", "CTT*1"]}
    for doc_type, body in cases.items():
        profile = f"x12-{version}-{doc_type}"
        segs = [*body, f"SE*{len(body) + 1}*0001"]
        isa = "00401" if version == "004010" else "00501"
        head = f"ISA*00*          *00*          *ZZ*BASIS          *ZZ*ACMEDIST       *261129*0850*U*{isa}"
        text = "~".join([f"{head}*000000001*0*P*>",
                         f"GS*PO*BASIS*ACMEDIST*20261129*0850*1*X*{version}", *segs, "GE*1*1", "IEA*1*000000001~"])
        [doc] = translate(x12.parse(text.encode()).transactions[0], None, base_profiles(), profile=profile)
        data, again = round_trip(doc, doc_type, profile, tmp_path)
        assert again.lines == doc.lines, doc_type             # type: ignore[attr-defined]
        assert f"*{per}*{basis}*".encode() in data, (doc_type, data)


def test_an_860_price_change_per_hundred_changes_the_price_of_one(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """POC*1*PC ... 1100.00*HP: the 24 blue widgets are now 11.00 each (1,100.00 per hundred), not 1,100.00 each."""
    partner = bigbox(units={}, price_policy="order", order_changes="revise")
    post(client, x12_850("PO-HP-3", DC_1), partner, Cache())
    change = x12_change("PO-HP-3", [], ["POC*1*PC*24*24*EA*1100.00*HP*BP*BB-1001*UP*614141000012"])
    post(client, change, partner, Cache())
    assert goods(odoo, "PO-HP-3") == [(24.0, 11.0)]
