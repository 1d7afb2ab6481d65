"""`edi-gateway render` of the UBL documents a Peppol partner gets, as its integrator checks them before going live:
no empty element (PEPPOL-EN16931-R008, fatal at the access point), an item name on every line (EN 16931 BR-25),
and CustomizationID/ProfileID where the UBL schema puts them when the partner's profile gives them."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from gateway.cli import main
from tests.translate.conftest import GOLDEN, make_workspace

NS = {"cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
      "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"}
PEPPOL = """profile: acme-peppol-{kind}
extends: ubl-2.1-{kind}
structure:
  header:
    fields:
      _customization: {{at: cbc:CustomizationID, default: "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"}}
      _profile_id: {{at: cbc:ProfileID, default: "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"}}
"""
PARTNER = """id: acme-peppol
name: ACME over Peppol
xml: {ids: ["0860001000016"]}
outbound: {channel: folder, path: outbox/acme-peppol}
documents:
  - {type: Invoice, direction: out, profile: acme-peppol-invoice, trigger: invoice_posted}
  - {type: DespatchAdvice, direction: out, profile: acme-peppol-despatchadvice, trigger: delivery_done}
"""


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    config = make_workspace(tmp_path / "ws")
    (config.parent / "partners" / "acme-peppol.yaml").write_text(PARTNER, encoding="utf-8")
    for kind in ("invoice", "despatchadvice"):
        (config.parent / "translations" / f"acme-peppol-{kind}.yaml").write_text(PEPPOL.format(kind=kind),
                                                                                encoding="utf-8")
    return config


def rendered(workspace: Path, capsys: pytest.CaptureFixture[str], source: Path, doc_type: str) -> etree._Element:
    code = main(["render", str(source), "--partner", "acme-peppol", "--type", doc_type, "--config", str(workspace)])
    out, err = capsys.readouterr()
    assert code == 0, err
    return etree.fromstring(out.encode())


def empty_elements(root: etree._Element) -> list[str]:
    return [etree.QName(el).localname for el in root.iter()
            if len(el) == 0 and not el.attrib and not (el.text or "").strip()]


@pytest.mark.parametrize(("source", "doc_type", "line"), [
    (GOLDEN / "northwind" / "810_invoice.json", "Invoice", "cac:InvoiceLine"),
    (GOLDEN / "bigbox" / "856_ship_notice.json", "DespatchAdvice", "cac:DespatchLine")], ids=["invoice", "despatch"])
def test_a_peppol_document_has_no_empty_element_and_names_every_item(
        workspace: Path, capsys: pytest.CaptureFixture[str], source: Path, doc_type: str, line: str) -> None:
    """Northwind's invoice ships to its store 0042, known by that number only: the ship-to group wrote an empty
    <cac:Delivery/>. Every line's text went to Item/Description alone, and the identifiers a Peppol profile set
    over the base were written after the header's other fields, where the schema refuses them."""
    root = rendered(workspace, capsys, source, doc_type)
    text = etree.tostring(root).decode()
    assert empty_elements(root) == [], text
    assert [etree.QName(el).localname for el in root][:4] == ["UBLVersionID", "CustomizationID", "ProfileID", "ID"]
    lines = root.findall(line, NS)
    assert lines and all((el.findtext("cac:Item/cbc:Name", namespaces=NS) or "").strip() for el in lines), text
