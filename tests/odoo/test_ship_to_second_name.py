"""A ship-to's second name line (X12 N2: an attention line, a department) reaches Odoo: in the sale order's note
for the people packing the order, and in a delivery contact the gateway makes, but never written over a
contact Odoo already has. Real X12 files, read and translated as the pipeline does, posted to the sandbox over
HTTP and checked with odoorpc."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import odoorpc

from gateway.config.loader import LoadedConfig
from gateway.journal.api import State
from gateway.odoo.client import OdooClient
from gateway.odoo.posting import Cache, post
from gateway.odoo.sandbox import SandboxServer
from gateway.translate.canonical import PurchaseOrder
from tests.odoo.conftest import bigbox, read_x12
from tests.odoo.test_pipeline_posting import SAMPLE, examples, pipeline_for, run
from tests.odoo.test_posting_cancel import submit

__all__ = ["examples"]          # the fixture, used by name

ATTENTION = b"N2*ATTN RECEIVING DOCK 4~"


def partner_rows(odoo: odoorpc.ODOO, ids: list[int]) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = odoo.execute_kw("res.partner", "read", [ids, ["name", "street", "street2", "zip"]])
    return rows


async def test_an_existing_delivery_contact_gets_the_attention_line_in_the_order_note(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    data = SAMPLE.read_bytes().replace(b"N1*ST*BIGBOX DC 1*UL*0860001000023~\n",
                                       b"N1*ST*BIGBOX DC 1*UL*0860001000023~\n" + ATTENTION + b"\n")
    data = data.replace(b"SE*25*", b"SE*26*")
    assert ATTENTION in data
    pipeline, _journal = pipeline_for(tmp_path, examples, sandbox)
    [before] = partner_rows(odoo, [8])          # BigBox DC 1 in the demo seed, the ship-to's GLN
    message = await submit(pipeline, data, "850_4500001234_n2.edi")
    assert run(pipeline, message.id, {State.DONE}).state is State.DONE
    [so] = odoo.execute_kw("sale.order", "search_read", [[("client_order_ref", "=", "4500001234")]],
                           {"fields": ["partner_shipping_id", "note"]})
    assert so["partner_shipping_id"][0] == 8 and "ship to BIGBOX DC 1: ATTN RECEIVING DOCK 4" in so["note"]
    assert partner_rows(odoo, [8]) == [before]           # the customer's address book is not edited by a PO


def x12_850(po: str, ship_to: Sequence[str], lines: Sequence[str] = ("PO1*1*24*EA*12.50*PE*BP*BB-1001*UP*614141000012",),
            sacs: Sequence[str] = ()) -> PurchaseOrder:
    """A BigBox 850 with these header SACs, ship-to segments (N1*ST and its N2/N3/N4) and PO1 loops (`lines`),
    read and translated as the pipeline does (the base profile)."""
    body = ["ST*850*0001", f"BEG*00*SA*{po}**20261129", *sacs, "N1*BY*BIGBOX RETAIL STORES*UL*0860001000009",
            *ship_to, *lines, f"CTT*{sum(seg.startswith('PO1*') for seg in lines)}"]
    doc = read_x12(body)
    assert isinstance(doc, PurchaseOrder)
    return doc


def test_a_made_delivery_contact_carries_the_attention_line_in_street2(client: OdooClient,
                                                                       odoo: odoorpc.ODOO) -> None:
    ship_to = ["N1*ST*BIGBOX DC 9*UL*0860001000122", "N2*ATTN RECEIVING DOCK 4",
               "N3*77 FREIGHT WAY*BUILDING C", "N4*CONWAY*AR*72032*US"]
    doc = x12_850("PO-N2-1", ship_to)
    [party] = [p for p in doc.parties if p.role == "ship_to"]
    assert party.name == "BIGBOX DC 9" and party.name2 == "ATTN RECEIVING DOCK 4"
    links = post(client, doc, bigbox(create_ship_to=True), Cache())
    [contact] = [link.record_id for link in links if link.model == "res.partner" and link.role == "created"]
    assert partner_rows(odoo, [contact]) == [{"id": contact, "name": "BIGBOX DC 9", "street": "77 FREIGHT WAY",
                                              "street2": "ATTN RECEIVING DOCK 4, BUILDING C", "zip": "72032"}]
    # the next PO to that place finds the contact it made (by GLN), whatever its N2 says now
    again = x12_850("PO-N2-2", [ship_to[0], "N2*ATTN RETURNS DESK", *ship_to[2:]])
    links = post(client, again, bigbox(create_ship_to=True), Cache())
    assert [link.role for link in links if link.model == "res.partner"] == []
    [so] = odoo.execute_kw("sale.order", "search_read", [[("client_order_ref", "=", "PO-N2-2")]],
                           {"fields": ["partner_shipping_id", "note"]})
    assert so["partner_shipping_id"][0] == contact and "ship to BIGBOX DC 9: ATTN RETURNS DESK" in so["note"]
    assert partner_rows(odoo, [contact])[0]["street2"] == "ATTN RECEIVING DOCK 4, BUILDING C"
