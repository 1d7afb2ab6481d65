"""XML: UBL and cXML named and addressed, XPath with namespaces, XSD validation, safe writing."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from gateway.config.models import XmlSettings
from gateway.formats import detect, parse
from gateway.formats import xml as xml_format
from gateway.formats.base import Syntax

UBL_ORDER = b"""<?xml version="1.0" encoding="UTF-8"?>
<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"
       xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
       xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:UBLVersionID>2.1</cbc:UBLVersionID>
  <cbc:ID>PO-4711</cbc:ID>
  <cbc:IssueDate>2026-11-29</cbc:IssueDate>
  <cac:BuyerCustomerParty><cac:Party><cbc:EndpointID schemeID="GLN">4012345000009</cbc:EndpointID></cac:Party>
  </cac:BuyerCustomerParty>
  <cac:SellerSupplierParty><cac:Party><cac:PartyIdentification><cbc:ID schemeID="GLN">0614141000005</cbc:ID>
  </cac:PartyIdentification></cac:Party></cac:SellerSupplierParty>
  <cac:OrderLine><cac:LineItem><cbc:ID>1</cbc:ID><cbc:Quantity unitCode="EA">12</cbc:Quantity></cac:LineItem></cac:OrderLine>
  <cac:OrderLine><cac:LineItem><cbc:ID>2</cbc:ID><cbc:Quantity unitCode="DZN">1</cbc:Quantity></cac:LineItem></cac:OrderLine>
</Order>"""

CXML = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.050/cXML.dtd">
<cXML payloadID="1700000000.42@buyer.example" timestamp="2026-11-29T09:15:00+01:00" xml:lang="en">
  <Header>
    <From><Credential domain="NetworkID"><Identity>AN01000000001</Identity></Credential>
          <Credential domain="DUNS"><Identity>123456789</Identity></Credential></From>
    <To><Credential domain="NetworkID"><Identity>AN02000000002</Identity></Credential></To>
    <Sender><Credential domain="NetworkID"><Identity>AN01000000001</Identity>
      <SharedSecret>s3cr3t</SharedSecret></Credential><UserAgent>Buyer 1.0</UserAgent></Sender>
  </Header>
  <Request deploymentMode="test">
    <OrderRequest><OrderRequestHeader orderID="PO-99" orderDate="2026-11-29" type="new"/></OrderRequest>
  </Request>
</cXML>"""


def test_ubl_order_is_named_numbered_and_addressed() -> None:
    r = parse(UBL_ORDER)
    assert r.syntax is Syntax.XML and r.issues == []
    [tx] = r.transactions
    env = r.interchanges[0]
    assert (tx.doc_type, tx.version, tx.control_number) == ("Order", "UBL-2.1", "PO-4711")
    assert (env.sender_qualifier, env.sender_id, env.receiver_id) == ("GLN", "4012345000009", "0614141000005")
    assert env.date == "2026-11-29"
    assert xml_format.localname(tx.tree) == "Order"


def test_xpath_with_namespace_map() -> None:
    tx = xml_format.parse(UBL_ORDER).transactions[0]
    ns = xml_format.namespaces(tx.tree)
    assert ns["ubl"] == "urn:oasis:names:specification:ubl:schema:xsd:Order-2"
    lines = xml_format.xpath(tx.tree, "cac:OrderLine/cac:LineItem", ns)
    assert [xml_format.text(li, "cbc:Quantity/@unitCode") for li in lines] == ["EA", "DZN"]
    assert xml_format.text(tx.tree, "/ubl:Order/cbc:ID") == "PO-4711"
    assert xml_format.text(tx.tree, "cbc:Note") == ""


def test_cxml_envelope_from_credentials_without_the_secret() -> None:
    r = xml_format.parse(CXML)
    assert r.issues == []
    [tx] = r.transactions
    env = r.interchanges[0]
    assert (tx.doc_type, tx.version, tx.control_number) == ("OrderRequest", "cXML-1.2.050", "PO-99")
    assert (env.sender_qualifier, env.sender_id) == ("NetworkID", "AN01000000001")
    assert (env.receiver_qualifier, env.receiver_id) == ("NetworkID", "AN02000000002")
    assert env.control_number == "1700000000.42@buyer.example" and env.test is True
    assert (env.date, env.time) == ("2026-11-29", "09:15:00")
    assert "from:DUNS:123456789" in env.raw_header
    assert not any("s3cr3t" in h for h in env.raw_header)


def test_other_xml_is_read_generically() -> None:
    r = xml_format.parse(b"<?xml version='1.0'?><ns:shipment xmlns:ns='urn:acme:asn'><id>1</id></ns:shipment>")
    [tx] = r.transactions
    assert (tx.doc_type, tx.version) == ("shipment", "urn:acme:asn")
    assert xml_format.text(tx.tree, "id") == "1"


def test_broken_xml_is_a_located_error() -> None:
    r = xml_format.parse(b"<a>\n<b></a>")
    assert r.fatal and r.errors[0].code == "syntax"
    assert "line 2" in str(r.errors[0])


def test_xsd_validation_from_a_local_schema(tmp_path: Path) -> None:
    xsd = tmp_path / "note.xsd"
    xsd.write_text("""<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
      <xs:element name="note"><xs:complexType><xs:sequence>
        <xs:element name="to" type="xs:string"/><xs:element name="qty" type="xs:integer"/>
      </xs:sequence></xs:complexType></xs:element></xs:schema>""")
    good = xml_format.parse(b"<note><to>A</to><qty>3</qty></note>").transactions[0]
    assert xml_format.validate_xsd(good, xsd) == []
    bad = xml_format.parse(b"<note><to>A</to>\n<qty>three</qty></note>").transactions[0]
    [issue] = xml_format.validate_xsd(bad, xsd)
    assert "line 2" in issue.message and issue.column == "/note/qty" and bad.accepted is False
    assert xml_format.validate_xsd(good, tmp_path / "missing.xsd")[0].code == "schema"


def test_writer_builds_escapes_and_reads_back() -> None:
    root = xml_format.element("{urn:oasis:names:specification:ubl:schema:xsd:Order-2}Order",
                              nsmap={None: "urn:oasis:names:specification:ubl:schema:xsd:Order-2",
                                     "cbc": xml_format.NS["cbc"]},
                              children=[xml_format.element("cbc:ID", "A&B <1>\x01"),
                                        xml_format.element("cbc:Note", "K\u00f6ln")])
    data = xml_format.serialize(root)
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert b"A&amp;B &lt;1&gt;" in data
    tx = xml_format.parse(data).transactions[0]
    assert (tx.doc_type, tx.control_number) == ("Order", "A&B <1>")
    doc = xml_format.serialize(etree.fromstring(CXML), doctype=xml_format.cxml_doctype("1.2.050"))
    assert b'<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.050/cXML.dtd">' in doc


def test_detect_xml_with_bom_and_utf16() -> None:
    assert detect(b"\xef\xbb\xbf<?xml version='1.0'?><a/>") is Syntax.XML
    assert detect("<?xml version='1.0' encoding='UTF-16'?><a/>".encode("utf-16")) is Syntax.XML
    r = xml_format.parse("<?xml version='1.0' encoding='UTF-16'?><a>\u00e9</a>".encode("utf-16"))
    assert xml_format.text(r.transactions[0].tree, ".") == "\u00e9"


def test_size_limit_from_partner_settings() -> None:
    r = parse(UBL_ORDER, xml=XmlSettings(max_bytes=100))
    assert r.fatal and r.errors[0].code == "size"
