"""CSV and XML files carry no interchange control numbers: a document received before is known by its own key
(CSV order number, UBL ID + IssueDate, cXML payloadID) and a digest of its content. The same content again,
under another file name or AS2 Message-ID, is a DUPLICATE naming the first message; the same number with
other content is a corrected resend, processed and said so (as X12 processes one sent under a new ISA13)."""

from __future__ import annotations

import logging
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gateway.config.loader import load
from gateway.journal.api import Message, State
from gateway.journal.archive import Archive
from gateway.journal.sqlite import SqliteJournal
from gateway.odoo.sandbox import SandboxServer
from gateway.pipeline import Pipeline
from gateway.transports.base import IntakeMeta
from tests.helpers.gateway import GatewayProcess, Workspace, cli
from tests.helpers.net import free_port
from tests.helpers.wait import wait_for
from tests.odoo.test_pipeline_posting import EXAMPLES, pipeline_for
from tests.odoo.test_pipeline_posting import run as advance_until

CORPUS = Path("/work/shared/corpus/xml")
SHOP = {"name": "Shop", "csv": {"delimiter": ",", "group_by": "order_number"},
        "documents": [{"type": "csv-order", "direction": "in", "profile": "csv-order"}]}
VENDOR = {"name": "Vendor", "xml": {"ids": ["4000000000009", "supplierid"]},
          "documents": [{"type": "Invoice", "direction": "in", "profile": "ubl-2.1-invoice"},
                        {"type": "InvoiceDetailRequest", "direction": "in", "profile": "cxml-invoicedetailrequest"}]}
PARTNERS: dict[str, dict[str, Any]] = {"shop": SHOP, "vendor": VENDOR}

HEADER = "order_number,order_date,sku,quantity,unit_price\n"


def orders(*rows: str) -> bytes:
    return (HEADER + "".join(f"{row}\n" for row in rows)).encode()


PO1 = ("PO1,2026-11-28,WB-100,2,12.50", "PO1,2026-11-28,GL-300,1,42.00")
PO2 = ("PO2,2026-11-28,WB-100,5,12.50",)


def ubl_invoice(number: str = "INV-42", issued: str = "2026-12-01", quantity: str = "48",
                indent: str = "  ") -> bytes:
    """A small UBL 2.1 invoice; `indent` changes the bytes, not the document."""
    amount = f"{int(quantity) * 12.5:.2f}"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
{indent}<cbc:UBLVersionID>2.1</cbc:UBLVersionID>
{indent}<cbc:ID>{number}</cbc:ID>
{indent}<cbc:IssueDate>{issued}</cbc:IssueDate>
{indent}<cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>
{indent}<cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
{indent}<cac:AccountingSupplierParty><cac:Party><cbc:EndpointID schemeID="0088">4000000000009</cbc:EndpointID>
{indent}</cac:Party></cac:AccountingSupplierParty>
{indent}<cac:OrderReference><cbc:ID>4500012345</cbc:ID></cac:OrderReference>
{indent}<cac:LegalMonetaryTotal><cbc:LineExtensionAmount currencyID="EUR">{amount}</cbc:LineExtensionAmount>
{indent}</cac:LegalMonetaryTotal>
{indent}<cac:InvoiceLine><cbc:ID>1</cbc:ID><cbc:InvoicedQuantity unitCode="EA">{quantity}</cbc:InvoicedQuantity>
{indent}<cbc:LineExtensionAmount currencyID="EUR">{amount}</cbc:LineExtensionAmount>
{indent}<cac:Item><cbc:Description>Blue Widget</cbc:Description>
{indent}<cac:SellersItemIdentification><cbc:ID>WB-100</cbc:ID></cac:SellersItemIdentification></cac:Item>
{indent}<cac:Price><cbc:PriceAmount currencyID="EUR">12.50</cbc:PriceAmount></cac:Price></cac:InvoiceLine>
</Invoice>
""".encode()


def cxml_invoice() -> bytes:
    """A cXML invoice of a third party's (Coupa's sample in the corpus)."""
    return (CORPUS / "cxml_InvoiceDetailRequest_officeluv_tax-total.xml").read_bytes()


@pytest.fixture
def pipeline(tmp_path: Path) -> Iterator[Pipeline]:
    ws = Workspace.create(tmp_path, partners=PARTNERS)
    config = load(ws.config, environ={})
    journal = SqliteJournal(config.gateway.state_dir / "journal.sqlite3")
    yield Pipeline(config, journal, Archive(config.gateway.archive_dir))
    journal.close()


def run(pipeline: Pipeline, data: bytes, name: str, partner: str, channel: str = "folder") -> Message:
    message = pipeline.submit_sync(data, IntakeMeta(channel=channel, filename=name, source_key=name,
                                                    partner=partner))
    return pipeline.advance(message.id)


def numbers(pipeline: Pipeline, message: Message) -> list[str]:
    """The numbers of the documents a message translated (what went on towards Odoo)."""
    blob = pipeline.journal.get_blob(message.id, "canonical") or ""
    return sorted(line.split('"number":"')[1].split('"')[0] for line in blob.splitlines() if line.startswith("{"))


def test_a_csv_file_sent_again_under_another_name_is_a_duplicate_of_the_first(pipeline: Pipeline) -> None:
    first = run(pipeline, orders(*PO1, *PO2), "orders-0600.csv", "shop")
    assert first.state is State.DONE and numbers(pipeline, first) == ["PO1", "PO2"]
    again = run(pipeline, orders(*PO1, *PO2), "orders-0600-resent.csv", "shop", channel="sftp")
    assert again.state is State.DUPLICATE and again.meta["duplicate_of"] == first.id
    [event] = [e for e in pipeline.journal.events(again.id) if e.to_state is State.DUPLICATE]
    assert event.reason == (f"all 2 documents were received before: CSV document PO1 (rows 2-3) as {first.id} "
                            "(done), ...")


def test_a_csv_file_repeating_an_order_among_new_ones_takes_only_the_new_ones(pipeline: Pipeline) -> None:
    first = run(pipeline, orders(*PO1), "a.csv", "shop")
    # PO1 again (in another place of another export), PO2 new
    mixed = run(pipeline, orders(*PO2, *PO1), "b.csv", "shop")
    assert mixed.state is State.DONE and numbers(pipeline, mixed) == ["PO2"]
    assert mixed.meta["parse"]["repeated_documents"] == [1]
    assert f"CSV document PO1 (rows 3-4) was received before as {first.id} (done); it is not processed again" \
        in mixed.meta["parse"]["issues"]
    [event] = [e for e in pipeline.journal.events(mixed.id) if e.to_state is State.PARSED]
    assert event.reason == f"parsed csv csv; left out, 1 received before: CSV document PO1 (rows 3-4) as {first.id}"


def test_a_corrected_csv_order_is_processed_and_names_the_one_it_revises(pipeline: Pipeline) -> None:
    first = run(pipeline, orders(*PO1), "a.csv", "shop")
    corrected = run(pipeline, orders(PO1[0], "PO1,2026-11-28,GL-300,3,42.00"), "a-corrected.csv", "shop")
    assert corrected.state is State.DONE and numbers(pipeline, corrected) == ["PO1"]
    assert corrected.meta["revises"] == [first.id]
    [event] = [e for e in pipeline.journal.events(corrected.id) if e.to_state is State.PARSED]
    assert f"CSV document PO1 (rows 2-3) revises {first.id} (same number, other content)" in event.reason
    # the first version sent once more is still the first one's duplicate
    stale = run(pipeline, orders(*PO1), "a-again.csv", "shop")
    assert stale.state is State.DUPLICATE and stale.meta["duplicate_of"] == first.id


def test_a_batch_of_corrections_names_the_earlier_message_once(pipeline: Pipeline,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    """A partner's whole export sent again with every order changed: one pointer, one log line, and an event
    that stays short."""
    caplog.set_level(logging.INFO, logger="gateway.pipeline")
    first = run(pipeline, orders(*(f"PO{n},2026-11-28,WB-100,1,12.50" for n in range(20))), "day.csv", "shop")
    again = run(pipeline, orders(*(f"PO{n},2026-11-28,WB-100,2,12.50" for n in range(20))), "day-2.csv", "shop")
    assert again.state is State.DONE and len(numbers(pipeline, again)) == 20
    assert again.meta["revises"] == [first.id]
    [event] = [e for e in pipeline.journal.events(again.id) if e.to_state is State.PARSED]
    assert event.reason.count("revises") == 5 and event.reason.endswith("; ...")
    [said] = [r.getMessage() for r in caplog.records if "corrected resend" in r.getMessage()]
    assert said.startswith("day-2.csv from shop: 20 corrected resends: CSV document PO0 (row 2) revises")


def test_ubl_documents_are_known_by_id_and_issue_date(pipeline: Pipeline) -> None:
    first = run(pipeline, ubl_invoice(), "inv.xml", "vendor")
    assert first.state is State.DONE and numbers(pipeline, first) == ["INV-42"]
    # the same invoice written out differently (indentation): the same document
    again = run(pipeline, ubl_invoice(indent="    "), "inv-again.xml", "vendor")
    assert again.state is State.DUPLICATE and again.meta["duplicate_of"] == first.id
    assert "UBL Invoice INV-42 of 2026-12-01 was received before as" in (pipeline.journal.events(again.id)[-1].reason)
    corrected = run(pipeline, ubl_invoice(quantity="40"), "inv-corrected.xml", "vendor")
    assert corrected.state is State.DONE and corrected.meta["revises"] == [first.id]
    # the same number issued on another day is another invoice, not a correction
    other = run(pipeline, ubl_invoice(issued="2027-12-01"), "inv-next-year.xml", "vendor")
    assert other.state is State.DONE and not other.meta.get("revises")


def test_a_cxml_payload_resent_with_another_header_is_a_duplicate(pipeline: Pipeline) -> None:
    data = cxml_invoice()
    first = run(pipeline, data, "coupa.xml", "vendor")
    assert first.state is State.DONE, first.last_error
    # a retry carries the same payloadID; its timestamp and the route's credentials may differ
    retry = data.replace(b'timestamp="2009-05-04T01:24:51-07:00"', b'timestamp="2009-05-04T02:00:00-07:00"') \
        .replace(b"<SharedSecret>secret</SharedSecret>", b"<SharedSecret>other</SharedSecret>")
    assert retry != data
    again = run(pipeline, retry, "coupa-retry.xml", "vendor", channel="as2")
    assert again.state is State.DUPLICATE and again.meta["duplicate_of"] == first.id
    # the same payloadID with another body: a correction
    changed = data.replace(b'<Money currency="USD">365</Money>', b'<Money currency="USD">360</Money>', 1)
    assert changed != data
    corrected = run(pipeline, changed, "coupa-changed.xml", "vendor")
    assert corrected.state is State.DONE and corrected.meta["revises"] == [first.id]


def test_a_duplicate_replayed_on_purpose_is_processed(pipeline: Pipeline) -> None:
    first = run(pipeline, ubl_invoice(), "inv.xml", "vendor")
    again = run(pipeline, ubl_invoice(), "inv-again.xml", "vendor")
    assert again.state is State.DUPLICATE
    pipeline.replay(again.id)
    replayed = pipeline.advance(again.id)
    assert replayed.state is State.DONE and numbers(pipeline, replayed) == ["INV-42"]
    assert first.state is State.DONE


def test_the_daemon_knows_a_file_sent_again_after_a_restart(tmp_path: Path) -> None:
    """The real daemon: a partner's CSV export and a vendor's UBL invoice dropped into their inbox folders, the
    daemon restarted, the same files dropped again under new names (a resend by a partner's scheduler), then a
    corrected invoice. `edi-gateway show`, the status page and `edi-gateway replay` see it all."""
    port = free_port()
    inboxes = [{"path": f"inbox/{p}", "processed": f"inbox/{p}/done", "min_age": 0.2, "partner": p}
               for p in PARTNERS]
    ws = Workspace.create(tmp_path, {"inbox": inboxes, "ops": {"enabled": True, "host": "127.0.0.1",
                                                               "port": port}}, partners=PARTNERS)

    def settled(count: int) -> bool:
        return sum(m["state"] in ("done", "duplicate", "quarantined") for m in ws.messages(direction="in")) == count

    csv_file, invoice = orders(*PO1, *PO2), ubl_invoice()
    with GatewayProcess(ws.config):
        ws.drop("orders-0600.csv", csv_file, ws.root / "inbox" / "shop")
        ws.drop("INV-42.xml", invoice, ws.root / "inbox" / "vendor")
        wait_for(lambda: settled(2), message="the first copies processed")
    with GatewayProcess(ws.config) as gw:
        ws.drop("orders-0600 (1).csv", csv_file, ws.root / "inbox" / "shop")
        ws.drop("INV-42-resent.xml", invoice, ws.root / "inbox" / "vendor")
        wait_for(lambda: settled(4), message="the second copies settled")
        ws.drop("INV-42-corrected.xml", ubl_invoice(quantity="40"), ws.root / "inbox" / "vendor")
        wait_for(lambda: settled(5), message="the correction processed")
        rows = {m["filename"]: m for m in ws.messages(direction="in")}
        assert {name: m["state"] for name, m in rows.items()} == {
            "orders-0600.csv": "done", "INV-42.xml": "done", "orders-0600 (1).csv": "duplicate",
            "INV-42-resent.xml": "duplicate", "INV-42-corrected.xml": "done"}, [m["last_error"] for m in rows.values()]
        first, dup = rows["INV-42.xml"]["id"], rows["INV-42-resent.xml"]["id"]
        # the status page: the duplicates counted in the partner's flow, the copy pointing to the first
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/partners/vendor", timeout=10) as page:
            assert "1 duplicate<" in page.read().decode()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/messages/{dup}", timeout=10) as page:
            assert f'<dt>Duplicate of</dt><dd><a href="/messages/{first}">{first}</a></dd>' in page.read().decode()
        corrected = rows["INV-42-corrected.xml"]["id"]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/messages/{corrected}", timeout=10) as page:
            assert f'<dt>Revises</dt><dd><a href="/messages/{first}">{first}</a></dd>' in page.read().decode()
        shown = cli("show", dup, config=ws.config)
        assert shown.returncode == 0 and f"same as   {first}" in shown.stdout, shown.stdout
        assert f"edi-gateway replay {dup}" in shown.stdout
        assert f"UBL Invoice INV-42 of 2026-12-01 was received before as {first} (done)" in shown.stdout
        assert f"revises   {first}" in cli("show", corrected, config=ws.config).stdout
        # replayed on purpose, the copy is processed after all
        assert cli("replay", dup, config=ws.config).returncode == 0
        wait_for(lambda: ws.messages(id=dup)[0]["state"] == "done", message="the replayed copy processed")
        assert "Traceback" not in gw.output()


def test_odoo_gets_a_resent_export_once_and_a_correction_it_cannot_apply_is_said(tmp_path: Path) -> None:
    """ShopMarket's CSV export posted to the Odoo sandbox over HTTP; the same export again makes no second
    call; a corrected order is processed as X12 processes one under a new ISA13. A correction of what the sale
    order does not hold apart from its note (the carrier) is found and left as first received, which the message
    says (a person changes it in Odoo); one of its lines or quantities is held (tests/odoo/test_resent_originals)."""
    server = SandboxServer(version=17, seed_name="demo")
    server.start()
    try:
        pipeline, journal = pipeline_for(tmp_path, load(EXAMPLES / "gateway.yaml"), server)
        export = (EXAMPLES / "samples" / "shopmarket" / "orders_20261128_0600.csv").read_bytes()
        first = run(pipeline, export, "orders_20261128_0600.csv", "shopmarket", channel="sftp")
        assert first.state is State.DONE, first.last_error
        made = [link.role for link in journal.odoo_links(first.id) if link.model == "sale.order"]
        assert made == ["created"] * 3
        calls = server.faults.calls
        again = run(pipeline, export, "orders_20261128_0600 (2).csv", "shopmarket", channel="sftp")
        assert again.state is State.DUPLICATE and again.meta["duplicate_of"] == first.id
        assert server.faults.calls == calls                       # Odoo was not asked anything
        corrected = export.replace(b";DPD Express", b";GLS Express")
        assert corrected != export
        fixed = run(pipeline, corrected, "orders_20261128_0615.csv", "shopmarket", channel="sftp")
        assert fixed.state is State.DONE and fixed.meta["revises"] == [first.id]
        [link] = [link for link in journal.odoo_links(fixed.id) if link.role == "found"]
        [posted] = [e for e in journal.events(fixed.id) if e.to_state is State.POSTED]
        assert posted.reason == ("posted 1 document to Odoo; corrected, but found in Odoo as first received and "
                                 f"left as it is (change it there): SM-2026-118736 (sale.order,{link.record_id})")
    finally:
        server.stop()


def test_a_correction_of_an_order_odoo_refused_is_created_and_not_said_to_be_left(tmp_path: Path) -> None:
    """The first export named a product Odoo does not know (quarantined); the partner's corrected export is
    posted, and the order it creates, found again after a lost response, is no correction left unapplied."""
    server = SandboxServer(version=17, seed_name="demo")
    server.start()
    try:
        pipeline, journal = pipeline_for(tmp_path, load(EXAMPLES / "gateway.yaml"), server)
        export = (EXAMPLES / "samples" / "shopmarket" / "orders_20261128_0600.csv").read_bytes()
        head, *rows = export.decode().splitlines(keepends=True)
        one = head + "".join(r for r in rows if r.startswith("SM-2026-118736"))
        wrong = run(pipeline, one.replace(";WB-100;0614141000012;", ";NOPE-1;;").encode(), "a.csv", "shopmarket")
        assert wrong.state is State.QUARANTINED and "NOPE-1" in (wrong.last_error or ""), wrong.last_error
        server.faults.drop_after_create["sale.order"] = 1
        fixed = advance_until(pipeline, run(pipeline, one.encode(), "a-fixed.csv", "shopmarket").id, {State.DONE})
        assert fixed.state is State.DONE and fixed.meta["revises"] == [wrong.id]
        assert [link.role for link in journal.odoo_links(fixed.id) if link.model == "sale.order"] == ["found"]
        [posted] = [e for e in journal.events(fixed.id) if e.to_state is State.POSTED]
        assert posted.reason == "posted 1 document to Odoo"
    finally:
        server.stop()
