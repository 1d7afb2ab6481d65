"""A PDF, a spreadsheet, a web page or a scan sent by mistake where EDI is expected is named for what it is, kept byte for byte,
and the quarantine says the partner must send the right file: no setting or replay ever makes it readable.

Found dropping a PDF printout of an order into the shared inbox: the reason was "not an X12, EDIFACT or XML
document, nor CSV from a partner with `csv:` settings (file starts with b'%PDF-1.4...')", and the .reason.txt
told the coordinator to fix the cause "in Odoo, a partner or profile file" and replay it. An HTML page (a portal's
"session expired" saved as the order) was read as XML and refused as carrying no sender id.
"""

from __future__ import annotations

from pathlib import Path

from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.wait import wait_for
from tests.helpers.x12 import purchase_order

ACME = {"name": "Acme Retail", "x12": {"ids": [{"qualifier": "ZZ", "id": "ACMERETAIL"}]}}
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
XLSX = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml" + bytes(40)
FAX = b"II*\x00\x08\x00\x00\x00" + bytes(64)
HTML = b"\xef\xbb\xbf\r\n<!DOCTYPE HTML>\n<html><head><title>Sign in</title></head><body>Session expired</body></html>\n"


def test_a_pdf_a_spreadsheet_a_web_page_and_a_fax_are_named_kept_and_asked_for_again(tmp_path: Path) -> None:
    inboxes = [{"path": "inbox", "processed": "inbox/processed", "min_age": 0.3},
               {"path": "inbox-acme", "processed": None, "min_age": 0.3, "partner": "acme"}]
    ws = Workspace.create(tmp_path, {"inbox": inboxes}, partners={"acme": ACME})
    files = {"PO 4711.pdf": PDF, "orders.xlsx": XLSX, "order.xml": HTML}
    with GatewayProcess(ws.config):
        for name, data in files.items():
            ws.drop(name, data)
        ws.drop("scan.tif", FAX, ws.root / "inbox-acme")
        ws.drop("after.x12", purchase_order(601))
        wait_for(lambda: ws.count(direction="in", state="quarantined") == 4 and ws.count(direction="in", state="done") == 1,
                 message="four quarantined, the order after them done")
    rows = {m["filename"]: m for m in ws.messages(direction="in")}
    for name, data, kind, folder in (("PO 4711.pdf", PDF, "a PDF", "unknown"),
                                     ("orders.xlsx", XLSX, "a zip file (or an Excel .xlsx or Word .docx)", "unknown"),
                                     ("order.xml", HTML, "an HTML page (a web portal's login or error page?)",
                                      "unknown"), ("scan.tif", FAX, "a TIFF image (a fax?)", "acme")):
        row = rows[name]
        assert row["last_error"] == (f"parse: the file is {kind}, not an X12, EDIFACT, XML or CSV document (sent by "
                                     "mistake?): ask the partner for the EDI file itself")
        assert ws.archived(row["sha256"]).read_bytes() == data
        [copy] = (ws.root / "quarantine" / folder).glob(f"{row['id']}_*[!t]")
        assert copy.read_bytes() == data
        text = Path(f"{copy}.reason.txt").read_text()
        assert "The file itself is wrong" in text and "edi-gateway replay" not in text, text


XHTML = (b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
         b'"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n<html xmlns="http://www.w3.org/1999/xhtml">'
         b"<head><title>Error 500</title></head><body>Session expired</body></html>\n")


def test_an_xhtml_page_behind_an_xml_declaration_is_named_too(tmp_path: Path) -> None:
    """A portal built on an older Java web framework writes its error page as XHTML, an XML declaration first: it
    was read as XML and refused for its missing sender id. An XML export whose root element only starts with
    'html' is no web page, and not called one."""
    inboxes = [{"path": "inbox-acme", "processed": None, "min_age": 0.3, "partner": "acme"}]
    ws = Workspace.create(tmp_path, {"inbox": inboxes}, partners={"acme": ACME})
    with GatewayProcess(ws.config):
        ws.drop("orders.xml", XHTML, ws.root / "inbox-acme")
        ws.drop("export.xml", b"<htmlExport><order>4711</order></htmlExport>\n", ws.root / "inbox-acme")
        wait_for(lambda: ws.count(direction="in", state="quarantined") == 2, message="both quarantined")
        rows = {m["filename"]: m for m in ws.messages(direction="in")}
    row = rows["orders.xml"]
    assert "HTML page" not in rows["export.xml"]["last_error"], rows["export.xml"]["last_error"]
    assert row["last_error"] == ("parse: the file is an HTML page (a web portal's login or error page?), not an X12, "
                                 "EDIFACT, XML or CSV document (sent by mistake?): ask the partner for the EDI file "
                                 "itself")
    [copy] = (ws.root / "quarantine" / "acme").glob(f"{row['id']}_*[!t]")
    assert copy.read_bytes() == XHTML
