"""Vendors' files read by the base profiles and posted into the sandbox over HTTP: an X12 856 through the
real pipeline (the serial numbers in its REF*SE segments become the received lines, and a replacement,
BSN01 05, that comes after the receipt was validated is quarantined naming that receipt, nothing written to
Odoo), and an EDIFACT DESADV and a UBL DespatchAdvice whose lines name their PO line and give serials."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.config.models import PartnerConfig
from gateway.errors import TranslationError
from gateway.formats import parse
from gateway.journal.api import State
from gateway.odoo.client import OdooClient
from gateway.odoo.posting import Cache, post
from gateway.odoo.sandbox import SandboxServer
from gateway.translate import translate
from gateway.transports.base import IntakeMeta
from tests.helpers.profiles import base_profiles
from tests.odoo.test_pipeline_posting import examples, pipeline_for, run
from tests.odoo.test_vendor_odd import purchase
from tests.odoo.test_vendor_receipts import receipts, received, serial_lines, track

__all__ = ["examples"]

VENDOR = PartnerConfig.model_validate({
    "id": "widgetworks", "name": "Widget Works",
    "odoo": {"partner_ref": "WIDGETWORKS", "validate_receipts": True},
    "x12": {"ids": [{"qualifier": "ZZ", "id": "WIDGETWORKS"}], "gs_ids": ["WIDGETWORKS"], "ack": "none"},
    "documents": [{"type": "856", "direction": "in", "profile": "x12-004010-856"}]})


def asn(control: int, purpose: str, number: str, po: str, serials: list[str],
        items: list[str] | None = None) -> bytes:
    """A vendor's 856 (shipment/order/pack/item): one pallet of blue widgets, one REF*SE per unit (or these
    item levels' segments, from the HL)."""
    body = ([f"BSN*{purpose}*{number}*20261129*0900*0001", "HL*1**S", "TD1*PLT94*1****G*120*LB", "HL*2*1*O",
             f"PRF*{po}", "HL*3*2*P", "MAN*GM*006141410000001019"] + (items or [
             "HL*4*3*I", "LIN*1*VN*WW-WB-100", f"SN1**{len(serials)}*EA", *(f"REF*SE*{s}" for s in serials)])
            + [f"CTT*{3 + sum(s.startswith('HL*') for s in items) if items else 4}"])
    isa = f"ISA*00*          *00*          *ZZ*WIDGETWORKS    *ZZ*ACMEDIST       *261129*0900*U*00401*{control:09d}"
    segments = [f"{isa}*0*P*>", f"GS*SH*WIDGETWORKS*ACMEDIST*20261129*0900*{control}*X*004010",
                "ST*856*0001", *body, f"SE*{len(body) + 2}*0001", f"GE*1*{control}", f"IEA*1*{control:09d}"]
    return "".join(s + "~\n" for s in segments).encode()


async def test_serials_are_received_and_a_late_replacement_is_held(tmp_path: Path, examples: LoadedConfig,
                                                                   sandbox: SandboxServer,
                                                                   odoo: odoorpc.ODOO) -> None:
    track(odoo)
    po, name = purchase(odoo, [(1, 3, 7.5), (2, 50, 5.25)])
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)
    pipeline.config.partners["widgetworks"] = VENDOR

    async def send(control: int, purpose: str, serials: list[str]) -> object:
        message = await pipeline.submit(asn(control, purpose, "ASN-000101", name, serials),
                                        IntakeMeta(channel="sftp", filename=f"856_{control}.edi",
                                                   partner="widgetworks"))
        return run(pipeline, message.id, {State.DONE, State.QUARANTINED})

    first = await send(101, "00", ["SN-A", "SN-B", "SN-C"])
    assert first.state is State.DONE, first.last_error
    done, backorder = receipts(odoo, po)
    lots = odoo.execute_kw("stock.move.line", "read", [done["move_line_ids"], ["quantity", "lot_id"]])
    assert sorted((r["quantity"], r["lot_id"][1]) for r in lots) == [(1.0, "SN-A"), (1.0, "SN-B"), (1.0, "SN-C")]
    assert done["state"] == "done" and received(odoo, po) == [3.0, 0.0]

    again = await send(102, "05", ["SN-A", "SN-B", "SN-D"])          # the vendor corrects a serial number
    assert again.state is State.QUARANTINED
    assert f"ship notice ASN-000101, purchase order {name}: the notice replaces ship notice ASN-000101, whose " \
           f"receipt {done['name']}" in (again.last_error or "")
    reason = next((tmp_path / "quarantine" / "widgetworks").glob("*.reason.txt")).read_text()
    assert done["name"] in reason and "nothing was written" in reason
    assert receipts(odoo, po)[1] == backorder and received(odoo, po) == [3.0, 0.0]
    assert journal.odoo_links(again.id) == []


def desadv(po: str) -> bytes:
    """A vendor's D96A DESADV: serial-tracked blue widgets for PO line 3 (RFF+LI), the serial numbers as
    GIN+BN and GIR ..:BN, and blue widgets for PO line 1 named as RFF+ON's line number."""
    body = ["BGM+351+DA-77+9", "DTM+137:20261129:102", f"RFF+ON:{po}", "NAD+SU+4000000000009::9", "CPS+1",
            "LIN+1++0614141000012:EN", "PIA+1+WW-WB-100:SA", "QTY+12:2:PCE", "GIN+BN+SN-1", "GIR+3+SN-2:BN",
            "RFF+LI:3", "LIN+2++0614141000012:EN", "PIA+1+WW-WB-100:SA", "QTY+12:3:PCE", "GIN+BN+SN-3",
            "GIN+BN+SN-4", "GIN+BN+SN-5", f"RFF+ON:{po}:1"]
    return interchange(body)


def interchange(body: list[str]) -> bytes:
    """A D96A DESADV interchange of these message segments (BGM to the last line's)."""
    segments = ["UNB+UNOC:3+4000000000009:14+0614141000005:14+261129:0900+7", "UNH+1+DESADV:D:96A:UN:EAN005",
                *body, f"UNT+{len(body) + 2}+1", "UNZ+1+7"]
    return ("UNA:+.? '" + "".join(s + "'" for s in segments)).encode()


def despatch_advice(po: str) -> bytes:
    """The same shipment as a UBL 2.1 DespatchAdvice: one ItemInstance per unit, with its SerialID."""
    def line(no: str, po_line: str, serials: list[str]) -> str:
        instances = "".join(f"<cac:ItemInstance><cbc:SerialID>{s}</cbc:SerialID></cac:ItemInstance>" for s in serials)
        return (f"<cac:DespatchLine><cbc:ID>{no}</cbc:ID>"
                f'<cbc:DeliveredQuantity unitCode="EA">{len(serials)}</cbc:DeliveredQuantity>'
                f"<cac:OrderLineReference><cbc:LineID>{po_line}</cbc:LineID></cac:OrderLineReference>"
                f"<cac:Item><cbc:Name>Blue Widget</cbc:Name><cac:SellersItemIdentification><cbc:ID>WW-WB-100</cbc:ID>"
                f"</cac:SellersItemIdentification>{instances}</cac:Item></cac:DespatchLine>")
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            '<DespatchAdvice xmlns="urn:oasis:names:specification:ubl:schema:xsd:DespatchAdvice-2" '
            'xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" '
            'xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">'
            "<cbc:UBLVersionID>2.1</cbc:UBLVersionID><cbc:ID>DA-78</cbc:ID><cbc:IssueDate>2026-11-29</cbc:IssueDate>"
            f"<cac:OrderReference><cbc:ID>{po}</cbc:ID></cac:OrderReference>"
            "<cac:DespatchSupplierParty><cac:Party><cbc:EndpointID schemeID=\"0088\">4000000000009</cbc:EndpointID>"
            "</cac:Party></cac:DespatchSupplierParty>"
            + line("1", "3", ["SN-1", "SN-2"]) + line("2", "1", ["SN-3", "SN-4", "SN-5"])
            + "</DespatchAdvice>").encode()


@pytest.mark.parametrize("kind", ["DESADV", "DespatchAdvice"])
def test_desadv_and_ubl_serials_reach_the_po_line_they_name(client: OdooClient, odoo: odoorpc.ODOO,
                                                            kind: str) -> None:
    """Blue widgets on PO lines 1 (3) and 3 (2), tracked by serial: each file's lines name their PO line
    (EDIFACT RFF+LI / RFF+ON's line number, UBL OrderLineReference) and give one serial per unit, read from
    the file by the base profile and received one line each on that PO line."""
    track(odoo)
    po, name = purchase(odoo, [(1, 3, 7.5), (2, 50, 5.25), (1, 2, 7.0)])
    profile = "edifact-d96a-desadv" if kind == "DESADV" else "ubl-2.1-despatchadvice"
    data = desadv(name) if kind == "DESADV" else despatch_advice(name)
    partner = PartnerConfig.model_validate({
        "id": "widgetworks", "odoo": {"partner_ref": "WIDGETWORKS", "validate_receipts": True},
        "edifact": {"ids": [{"qualifier": "14", "id": "4000000000009"}]}, "xml": {"ids": ["4000000000009"]},
        "documents": [{"type": kind, "direction": "in", "profile": profile}]})
    result = parse(data)
    assert [str(i) for i in result.errors] == []
    [doc] = [d for tx in result.transactions for d in translate(tx, partner, base_profiles(),
                                                                profile=profile)]
    post(client, doc, partner, Cache())
    assert [line for line in serial_lines(odoo, po) if line[0] != 2] == [
        (1, 1.0, "SN-3"), (1, 1.0, "SN-4"), (1, 1.0, "SN-5"), (3, 1.0, "SN-1"), (3, 1.0, "SN-2")]
    assert received(odoo, po) == [3.0, 0.0, 2.0]


DESADV_PARTNER = PartnerConfig.model_validate({
    "id": "widgetworks", "odoo": {"partner_ref": "WIDGETWORKS", "validate_receipts": True},
    "edifact": {"ids": [{"qualifier": "14", "id": "4000000000009"}]},
    "documents": [{"type": "DESADV", "direction": "in", "profile": "edifact-d96a-desadv"}]})


def read_desadv(data: bytes) -> list[Any]:
    result = parse(data)
    assert [str(i) for i in result.errors] == []
    return [d for tx in result.transactions for d in translate(tx, DESADV_PARTNER, base_profiles(),
                                                               profile="edifact-d96a-desadv")]


def test_desadv_reads_every_identity_number_of_a_gin_and_gir(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """A GIN carries up to five C208 identity number ranges, each one number or first:last (EANCOM: a sequential
    series is one C208, its second 7402 the larger number), and GIR up to five C206 with their own qualifier:
    ten serial-tracked blue widgets given as GIN+BN+SN-01:SN-03+SN-07, GIN+BN+SN-10+SN-11, GIR with two
    serials and a batch number (BX, not a serial) and PIA with two item ids of type SN (7143 'Serial number')
    are received one line per serial. Only the first number of each GIN and GIR was read, PIA's not at all,
    and the notice was held for 3 serial numbers for a quantity of 10."""
    track(odoo)
    po, name = purchase(odoo, [(1, 10, 7.5)])
    body = ["BGM+351+DA-80+9", "DTM+137:20261129:102", f"RFF+ON:{name}", "NAD+SU+4000000000009::9", "CPS+1",
            "LIN+1++0614141000012:EN", "PIA+1+WW-WB-100:SA", "PIA+1+SN-30:SN+SN-31:SN", "QTY+12:10:PCE",
            "GIN+BN+SN-01:SN-03+SN-07",
            "GIN+BN+SN-10+SN-11", "GIR+3+SN-20:BN+L-5:BX+SN-21:BN"]
    [doc] = read_desadv(interchange(body))
    post(client, doc, DESADV_PARTNER, Cache())
    assert sorted(line[2] for line in serial_lines(odoo, po)) == [
        "SN-01", "SN-02", "SN-03", "SN-07", "SN-10", "SN-11", "SN-20", "SN-21", "SN-30", "SN-31"]
    assert received(odoo, po) == [10.0]


def test_desadv_range_that_cannot_be_counted_is_refused_naming_the_segment() -> None:
    """A range whose ends are not one prefix and a number of one width (SN-9:XY-12) has no count: the file is
    refused naming the GIN, not read as its first number only."""
    body = ["BGM+351+DA-81+9", "DTM+137:20261129:102", "RFF+ON:P00001", "NAD+SU+4000000000009::9", "CPS+1",
            "LIN+1++0614141000012:EN", "QTY+12:4:PCE", "GIN+BN+SN-9:XY-12"]
    with pytest.raises(TranslationError) as caught:
        read_desadv(interchange(body))
    assert "GIN" in str(caught.value) and "SN-9:XY-12 cannot be counted out" in str(caught.value)


def test_856_serials_in_lin_and_sln_sn_pairs(client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """Besides REF*SE, vendors give an 856 item's serial numbers as X12 235 'SN' (Serial Number) pairs: an SLN
    per unit under the item (SLN*1**I*1*EA****SN*S-1), or one item level per unit with the serial in LIN
    (LIN*2*VN*WW-WB-100*SN*S-4). Five serial-tracked widgets so given are received one line per serial; the
    SN pairs were not read, so such a notice was held for giving no serial numbers."""
    track(odoo)
    po, name = purchase(odoo, [(1, 5, 7.5)])
    items = ["HL*4*3*I", "LIN*1*VN*WW-WB-100", "SN1**3*EA", "SLN*1**I*1*EA****SN*S-1", "SLN*2**I*1*EA****SN*S-2",
             "REF*SE*S-3", "HL*5*3*I", "LIN*2*VN*WW-WB-100*SN*S-4", "SN1**1*EA", "HL*6*3*I",
             "LIN*3*VN*WW-WB-100*SN*S-5", "SN1**1*EA"]
    result = parse(asn(103, "00", "ASN-000103", name, [], items))
    assert [str(i) for i in result.errors] == []
    [doc] = [d for tx in result.transactions for d in translate(tx, VENDOR, base_profiles(),
                                                                profile="x12-004010-856")]
    post(client, doc, VENDOR, Cache())
    assert serial_lines(odoo, po) == [(1, 1.0, f"S-{n}") for n in range(1, 6)]
    assert received(odoo, po) == [5.0]


async def test_856_every_sn_pair_of_a_lin_and_sln_is_a_serial(tmp_path: Path, examples: LoadedConfig,
                                                              sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """A vendor listing a case's serial numbers as LIN pairs (LIN*1*VN*WW-WB-100*SN*S-1*SN*S-2*SN*S-3, up to
    LIN30/31) and a subline's as SLN pairs (SLN09/10, 11/12): through the daemon's pipeline each serial is its
    own received line of one unit. Only each segment's first SN pair was read, so the notice was held for 2
    serial numbers for a quantity of 6."""
    track(odoo)
    po, name = purchase(odoo, [(1, 6, 7.5)])
    pipeline, _journal = pipeline_for(tmp_path, examples, sandbox)
    pipeline.config.partners["widgetworks"] = VENDOR
    items = ["HL*4*3*I", "LIN*1*VN*WW-WB-100*SN*S-1*SN*S-2*SN*S-3", "SN1**3*EA", "HL*5*3*I",
             "LIN*2*VN*WW-WB-100", "SN1**3*EA", "SLN*1**I*3*EA****SN*S-4*SN*S-5*UP*012345678905*SN*S-6"]
    message = await pipeline.submit(asn(104, "00", "ASN-000104", name, [], items),
                                    IntakeMeta(channel="sftp", filename="856_104.edi", partner="widgetworks"))
    done = run(pipeline, message.id, {State.DONE, State.QUARANTINED})
    assert done.state is State.DONE, done.last_error
    assert serial_lines(odoo, po) == [(1, 1.0, f"S-{n}") for n in range(1, 7)]
    assert received(odoo, po) == [6.0]


async def test_desadv_pia_with_an_item_id_and_serials_gives_both(tmp_path: Path, examples: LoadedConfig,
                                                                 sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    """A LIN without a GTIN whose product is named only by PIA, with serial numbers beside the item id in the
    same PIA (PIA+1+WW-WB-100:SA+SN-1:SN, then PIA+1+SN-2:SN+SN-3:SN+WW-WB-100:SA) and more in a GIN: through
    the daemon's pipeline the product is found by its vendor number and each serial is a received line. A PIA
    whose first id was not of type SN gave no serial, one whose first was gave no item id."""
    track(odoo)
    po, name = purchase(odoo, [(1, 4, 7.5)])
    pipeline, _journal = pipeline_for(tmp_path, examples, sandbox)
    pipeline.config.partners["widgetworks"] = DESADV_PARTNER
    body = ["BGM+351+DA-82+9", "DTM+137:20261129:102", f"RFF+ON:{name}", "NAD+SU+4000000000009::9", "CPS+1",
            "LIN+1", "PIA+1+WW-WB-100:SA+SN-1:SN", "PIA+1+SN-2:SN+SN-3:SN+WW-WB-100:SA", "QTY+12:4:PCE",
            "GIN+BN+SN-4"]
    message = await pipeline.submit(interchange(body), IntakeMeta(channel="sftp", filename="desadv_82.edi",
                                                                  partner="widgetworks"))
    done = run(pipeline, message.id, {State.DONE, State.QUARANTINED})
    assert done.state is State.DONE, done.last_error
    assert serial_lines(odoo, po) == [(1, 1.0, f"SN-{n}") for n in range(1, 5)]
    assert received(odoo, po) == [4.0]


@pytest.mark.parametrize(("gin", "held"), [
    ("ABC9:ABC12", ["ABC9", "ABC10", "ABC11", "ABC12"]),
    ("A9B:A12B", ["A9B", "A10B", "A11B", "A12B"]),
    ("ABC19:ABC110", "segment 9 GIN element GIN02: range ABC19:ABC110 can be counted out two ways"),
    ("ABC00001:ABC99999", "segment 9 GIN element GIN02: range ABC00001:ABC99999 has 99999 numbers, more than"),
    ("A9B:A12C", "segment 9 GIN element GIN02: range A9B:A12C cannot be counted out: its first and last must be"),
], ids=["unpadded", "ending", "ambiguous", "mistyped", "two-endings"])
async def test_desadv_gin_range_through_the_pipeline(tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer,
                                                    odoo: odoorpc.ODOO, gin: str, held: str | list[str]) -> None:
    """Four serial-tracked widgets given as one GIN range numbered without zero padding (ABC9:ABC12), or with a
    letter after the number on both ends (A9B:A12B, refused before), are received one line each. A range that
    reads two ways, one whose ends differ after the number, or one whose mistyped end would make thousands of
    received lines, quarantines the notice naming the segment, its element and both ends, and nothing reaches
    Odoo."""
    track(odoo)
    po, name = purchase(odoo, [(1, 4, 7.5)])
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)
    pipeline.config.partners["widgetworks"] = DESADV_PARTNER
    body = ["BGM+351+DA-84+9", "DTM+137:20261129:102", f"RFF+ON:{name}", "NAD+SU+4000000000009::9", "CPS+1",
            "LIN+1++0614141000012:EN", "QTY+12:4:PCE", f"GIN+BN+{gin}"]
    message = await pipeline.submit(interchange(body), IntakeMeta(channel="sftp", filename="desadv_84.edi",
                                                                  partner="widgetworks"))
    done = run(pipeline, message.id, {State.DONE, State.QUARANTINED})
    if isinstance(held, list):                  # counted out: these serials, one received line each
        assert done.state is State.DONE, done.last_error
        assert serial_lines(odoo, po) == sorted((1, 1.0, serial) for serial in held)
        return
    assert done.state is State.QUARANTINED and held in (done.last_error or "")
    assert received(odoo, po) == [0.0] and journal.odoo_links(done.id) == []


def ship_notice_request(po: str, item: str) -> bytes:
    """A vendor's cXML ShipNoticeRequest for `po` with one ShipNoticeItem holding `item` after its ItemID."""
    return ('<?xml version="1.0" encoding="UTF-8"?><cXML payloadID="1@widgetworks" timestamp="2026-11-29T09:00:00">'
            '<Header><From><Credential domain="NetworkID"><Identity>4000000000009</Identity></Credential></From>'
            '<To><Credential domain="NetworkID"><Identity>ACMEDIST</Identity></Credential></To>'
            '<Sender><Credential domain="NetworkID"><Identity>4000000000009</Identity></Credential>'
            '<UserAgent>test</UserAgent></Sender></Header><Request><ShipNoticeRequest>'
            '<ShipNoticeHeader shipmentID="SN-CX-1" noticeDate="2026-11-29T09:00:00"/>'
            f'<ShipNoticePortion><OrderReference orderID="{po}"/>'
            f'<ShipNoticeItem quantity="3" lineNumber="1"><ItemID><SupplierPartID>WW-WB-100</SupplierPartID></ItemID>'
            f'{item}</ShipNoticeItem></ShipNoticePortion></ShipNoticeRequest></Request></cXML>').encode()


@pytest.mark.parametrize("how", ["serial", "lot"])
def test_cxml_ship_notice_serials_and_batch_reach_the_receipt(client: OdooClient, odoo: odoorpc.ODOO,
                                                              how: str) -> None:
    """A cXML ShipNoticeItem gives a serial-tracked product's serial numbers as AssetInfo serialNumber (one per
    unit) and a lot-tracked one's batch as Batch/SupplierBatchID: read by the base profile and received on the
    receipt, which validates. Neither was read, so with validate_receipts the notice was held for a tracked
    product sent without its serials or lot."""
    track(odoo, how)
    po, name = purchase(odoo, [(1, 3, 7.5)])
    item = ('<UnitOfMeasure>EA</UnitOfMeasure>' + ('<AssetInfo serialNumber="CX-1"/><AssetInfo serialNumber="CX-2"/>'
                                                    '<AssetInfo tagNumber="T-9" serialNumber="CX-3"/>'
                                                    if how == "serial" else
                                                    '<Batch><SupplierBatchID>B-77</SupplierBatchID></Batch>'))
    partner = PartnerConfig.model_validate({
        "id": "widgetworks", "odoo": {"partner_ref": "WIDGETWORKS", "validate_receipts": True},
        "xml": {"ids": ["4000000000009"]},
        "documents": [{"type": "ShipNoticeRequest", "direction": "in", "profile": "cxml-shipnoticerequest"}]})
    result = parse(ship_notice_request(name, item))
    assert [str(i) for i in result.errors] == []
    [doc] = [d for tx in result.transactions for d in translate(tx, partner, base_profiles(),
                                                                profile="cxml-shipnoticerequest")]
    post(client, doc, partner, Cache())
    expected = [(1, 1.0, "CX-1"), (1, 1.0, "CX-2"), (1, 1.0, "CX-3")] if how == "serial" else [(1, 3.0, "B-77")]
    assert serial_lines(odoo, po) == expected
    assert received(odoo, po) == [3.0]
