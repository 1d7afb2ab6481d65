"""XML reader and writer: UBL 2.x, cXML and in-house schemas, read safely.

Safety first, because XML is the one format whose parser can be turned against us:
- documents over `XmlSettings.max_bytes` are refused before parsing;
- a DOCTYPE that declares entities (internal subset with <!ENTITY) is refused outright:
  that is how XXE and billion-laughs payloads are built, and no B2B document needs one;
- lxml runs with resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
  so an external DTD (cXML names one) is never fetched and nothing is expanded.

Then the document is named: UBL by its root namespace (doc_type "Order", version "UBL-2.1"),
cXML by the element inside Request/Response/Message (doc_type "OrderRequest", version
"cXML-1.2.014", From/To credentials and payloadID in the Envelope), anything else by its
root element's local name.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from gateway.config.models import XmlSettings
from gateway.formats.base import Envelope, Issue, ParseResult, Severity, Syntax, Transaction

UBL_DOC_PREFIX = "urn:oasis:names:specification:ubl:schema:xsd:"
NS: dict[str, str] = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "ext": "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2",
}

# UBL document -> the party that sends it and the party that receives it.
_UBL_PARTIES = {
    "Order": ("BuyerCustomerParty", "SellerSupplierParty"),
    "OrderChange": ("BuyerCustomerParty", "SellerSupplierParty"),
    "OrderCancellation": ("BuyerCustomerParty", "SellerSupplierParty"),
    "RequestForQuotation": ("BuyerCustomerParty", "SellerSupplierParty"),
    "OrderResponse": ("SellerSupplierParty", "BuyerCustomerParty"),
    "OrderResponseSimple": ("SellerSupplierParty", "BuyerCustomerParty"),
    "Invoice": ("AccountingSupplierParty", "AccountingCustomerParty"),
    "CreditNote": ("AccountingSupplierParty", "AccountingCustomerParty"),
    "DespatchAdvice": ("DespatchSupplierParty", "DeliveryCustomerParty"),
    "ReceiptAdvice": ("DeliveryCustomerParty", "DespatchSupplierParty"),
}

# cXML request -> the attribute of its header that holds the document number.
_CXML_NUMBERS = {
    "OrderRequest": ("OrderRequestHeader", "orderID"),
    "ShipNoticeRequest": ("ShipNoticeHeader", "shipmentID"),
    "InvoiceDetailRequest": ("InvoiceDetailRequestHeader", "invoiceID"),
    "ConfirmationRequest": ("ConfirmationHeader", "confirmID"),
    "StatusUpdateRequest": ("DocumentReference", "payloadID"),
}

_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_SUBSET_END = re.compile(rb"\]\s*>")
_CXML_DTD_VERSION = re.compile(r"cXML/([0-9.]+)/")


def _parser(encoding: str | None = None) -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                           dtd_validation=False, remove_blank_text=False, encoding=encoding)


_LEADING_DECLARATION = re.compile(rb"^(\xef\xbb\xbf)?([ \t\r\n]+)(<\?xml[ \t\r\n][^>]*\?>)")
_DECLARED_ENCODING = re.compile(rb"^(?:\xef\xbb\xbf)?<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']")


def _declaration_first(data: bytes) -> bytes:
    """`data` with blank lines before its XML declaration moved after it.

    A web shop's export script that prints a newline before `<?xml` (PHP's classic) makes a document
    no XML parser takes ("XML declaration allowed only at the start"); moved after the declaration,
    the blanks keep every line where the partner's file has it.
    """
    m = _LEADING_DECLARATION.match(data)
    if m is None:
        return data
    return (m.group(1) or b"") + m.group(3) + m.group(2) + data[m.end():]


_INVALID_BYTES = 81                # libxml2's XML_ERR_INVALID_ENCODING ("Invalid bytes in character encoding")


def _as_cp1252(exc: etree.XMLSyntaxError, data: bytes) -> str:
    """For bytes not valid in the declared encoding: the line at fault as Windows-1252 reads it, so whoever reads
    the reason sees whether the partner's declaration is what is wrong (it is the partner's to correct)."""
    line = exc.position[0] if exc.position else 0
    if exc.code != _INVALID_BYTES or not 0 < line <= data.count(b"\n") + 1:
        return ""
    text = " ".join(data.split(b"\n")[line - 1].decode("cp1252", "replace").split())
    shown = text if len(text) <= 120 else text[:117] + "..."
    return (f"; read as Windows-1252 that line is {shown!r}: if so, the document is Windows-1252 or ISO-8859-1 "
            "and its XML declaration should say so (ask the partner to correct it)")


def _utf8_mislabelled(data: bytes) -> str:
    """The one-byte encoding a document declares when its bytes are valid UTF-8 with some not ASCII, else "".

    A template that says ISO-8859-1 around UTF-8 text would have 'Köln' read as 'KÃ¶ln' and posted so."""
    m = _DECLARED_ENCODING.match(data)
    if m is None or data.isascii():
        return ""
    declared = m.group(1).decode("ascii")
    try:
        if codecs.lookup(declared).name.startswith(("utf", "utf_")):
            return ""
        data.decode("utf-8")
    except (LookupError, UnicodeDecodeError):
        return ""
    return declared


def parse(data: bytes, settings: XmlSettings | None = None) -> ParseResult:
    """Read one XML document; never raises on bad or hostile input (refusals become ERROR Issues)."""
    s = settings or XmlSettings()
    result = ParseResult(syntax=Syntax.XML)
    refusal = check_safe(data, s.max_bytes)
    if refusal is not None:
        result.issues.append(refusal)
        return result
    data = _declaration_first(data)
    encoding = _utf8_mislabelled(data)
    if encoding:
        result.issues.append(Issue(Severity.INFO, f"read as UTF-8, not as {encoding} (its XML declaration): its "
                                   "bytes are valid UTF-8, which text in a one-byte encoding practically never is",
                                   code="encoding", level="interchange", interchange=0))
    parser = _parser("utf-8" if encoding else None)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line, col = (exc.position if exc.position else (None, None))
        where = f" (line {line}, column {col})" if line and f"line {line}" not in exc.msg else ""
        result.issues.append(Issue(Severity.ERROR, f"not well-formed XML: {exc.msg}{where}{_as_cp1252(exc, data)}",
                                   code="syntax", level="interchange", interchange=0))
        return result
    except ValueError as exc:          # e.g. a str with an encoding declaration: not our case, but never raise
        result.issues.append(Issue(Severity.ERROR, f"not readable as XML: {exc}", code="syntax",
                                   level="interchange", interchange=0))
        return result
    tree = root.getroottree()
    dtd = tree.docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        result.issues.append(_entity_refusal())
        return result
    entity = _undeclared_entity(parser)
    if entity is not None:
        result.issues.append(Issue(Severity.ERROR, f"entity {entity[0]} (line {entity[1]}) is not one of "
                                   "XML's own (&amp; &lt; &gt; &quot; &apos;) and is declared, if anywhere, in a DTD "
                                   "the gateway does not load: its text is not known, and reading around it would "
                                   "drop it ('Caf&eacute;' read as 'Caf'); ask the partner to write the character "
                                   "itself or as a character reference (&#233;)", code="syntax", level="interchange",
                                   interchange=0))
        return result
    env, tx = describe(root)
    result.interchanges.append(env)
    result.transactions.append(tx)
    result.segment_count = sum(1 for _ in root.iter())     # elements, the XML counterpart of segments
    return result


_UNDECLARED = re.compile(r"Entity '([^']+)' not defined")


def _undeclared_entity(parser: etree.XMLParser) -> tuple[str, int] | None:
    """(`&name;`, line) of the first entity reference no loaded DTD declares, from libxml2's warning.

    libxml2 lets one through when the document names an external DTD (never loaded here): in text it is kept
    as an Entity node, but in an attribute it is dropped without a trace ('Caf&eacute;' read as 'Caf'), so
    the parser's log, which has both, is what is asked."""
    for error in parser.error_log:
        if error.type == etree.ErrorTypes.WAR_UNDECLARED_ENTITY:
            named = _UNDECLARED.search(error.message)
            return (f"&{named.group(1)};" if named else error.message), error.line
    return None


def check_safe(data: bytes, max_bytes: int) -> Issue | None:
    """Why `data` must not be parsed (too big, entity declarations), or None when it may be."""
    if len(data) > max_bytes:
        return Issue(Severity.ERROR, f"XML document is {len(data):,} bytes, over the {max_bytes:,}-byte limit "
                     "(xml.max_bytes): refused without parsing", code="size", level="interchange",
                     interchange=0)
    if _declares_entities(_ascii_view(data)):
        return _entity_refusal()
    return None


def _declares_entities(data: bytes) -> bool:
    """True when a DOCTYPE has an internal subset with an <!ENTITY declaration."""
    doctype = _DOCTYPE.search(data)
    if doctype is None:
        return False
    close = data.find(b">", doctype.end())
    bracket = data.find(b"[", doctype.end())
    if bracket < 0 or (0 <= close < bracket):
        return False                      # external DTD only: named, never loaded
    end = _SUBSET_END.search(data, bracket)
    subset = data[bracket:end.end() if end else len(data)]
    return _ENTITY_DECL.search(subset) is not None


def _entity_refusal() -> Issue:
    return Issue(Severity.ERROR, "XML document declares entities in its DOCTYPE (<!ENTITY ...>): refused, the "
                 "gateway never expands entities (XXE / billion-laughs protection)", code="security",
                 level="interchange", interchange=0)


def _ascii_view(data: bytes) -> bytes:
    """`data` in an ASCII-compatible encoding for scanning (UTF-16/32 documents are re-encoded)."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or data[:2] in (b"<\x00", b"\x00<") or data[:4] in (
            b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00"):
        for codec in ("utf-32", "utf-16"):
            try:
                return data.decode(codec).encode("utf-8", "replace")
            except UnicodeDecodeError:
                continue
        return data.replace(b"\x00", b"")
    return data


def namespace_mismatch(root: Any, wanted: dict[str, str]) -> str:
    """Why a profile whose prefixes name `wanted` cannot read the document under `root`, or "": none of its
    namespaces is one the document uses (a partner's schema moved to urn:...:v2, or dropped its namespace),
    so each of its XPaths would find nothing and the reason be a missing field far from the cause."""
    if not wanted:
        return ""
    used = {uri for uri in (root.nsmap or {}).values() if uri}
    used.add(etree.QName(root).namespace or "")
    if used & set(wanted.values()):
        return ""
    used |= {uri for el in root.iter() if isinstance(el.tag, str) for uri in (el.nsmap or {}).values() if uri}
    if used & set(wanted.values()):
        return ""
    sent = ", ".join(sorted(u for u in used if u)) or "none"
    named = ", ".join(f"{prefix}: {uri}" for prefix, uri in sorted(wanted.items()))
    return (f"the document's namespaces ({sent}) are none of those the profile's XPaths name ({named}): they "
            "would find nothing in it; a new version of the partner's schema? (a profile for it: namespaces)")


def localname(el: Any) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def namespaces(root: Any) -> dict[str, str]:
    """Prefix map for XPath on this document: UBL's cac/cbc/ext, `ubl` for the root namespace, and the
    document's own prefixes."""
    ns = dict(NS)
    for prefix, uri in (root.nsmap or {}).items():
        if prefix:
            ns.setdefault(prefix, uri)
    root_ns = etree.QName(root).namespace
    if root_ns:
        ns["ubl" if root_ns.startswith(UBL_DOC_PREFIX) else "doc"] = root_ns
    return ns


def xpath(node: Any, expr: str, ns: dict[str, str] | None = None) -> list[Any]:
    """XPath with the document's namespace map (see `namespaces`)."""
    root = node.getroottree().getroot()
    result = node.xpath(expr, namespaces=ns or namespaces(root))
    return list(result) if isinstance(result, list) else [result]


def text(node: Any, expr: str, ns: dict[str, str] | None = None) -> str:
    """The text of the first match of `expr` (elements, attributes or string results), stripped; "" if none."""
    for hit in xpath(node, expr, ns):
        if isinstance(hit, str):
            return hit.strip()
        if hasattr(hit, "text"):
            return (hit.text or "").strip()
    return ""


def describe(root: Any) -> tuple[Envelope, Transaction]:
    """Envelope and Transaction for a parsed document: UBL, cXML or generic."""
    name = localname(root)
    ns_uri = etree.QName(root).namespace or ""
    if ns_uri.startswith(UBL_DOC_PREFIX):
        return _ubl(root, name)
    if name == "cXML":
        return _cxml(root)
    env = Envelope(syntax=Syntax.XML, version=ns_uri, encoding=root.getroottree().docinfo.encoding or "")
    tx = Transaction(syntax=Syntax.XML, doc_type=name, version=ns_uri, envelope=env, tree=root)
    return env, tx


def _ubl(root: Any, name: str) -> tuple[Envelope, Transaction]:
    ns = namespaces(root)
    version = text(root, "cbc:UBLVersionID", ns)
    version = f"UBL-{version}" if version else "UBL-2"
    env = Envelope(syntax=Syntax.XML, version=version, encoding=root.getroottree().docinfo.encoding or "",
                   control_number=text(root, "cbc:ID", ns), date=text(root, "cbc:IssueDate", ns),
                   time=text(root, "cbc:IssueTime", ns))
    sender, receiver = _UBL_PARTIES.get(name, ("", ""))
    if sender:
        env.sender_qualifier, env.sender_id = _ubl_party_id(root, sender, ns)
        env.receiver_qualifier, env.receiver_id = _ubl_party_id(root, receiver, ns)
    env.raw_header = [f"{k}:{v}" for k, v in (("profile", text(root, "cbc:ProfileID", ns)),
                                                ("customization", text(root, "cbc:CustomizationID", ns))) if v]
    tx = Transaction(syntax=Syntax.XML, doc_type=name, version=version, control_number=env.control_number,
                     envelope=env, tree=root)
    return env, tx


def _ubl_party_id(root: Any, role: str, ns: dict[str, str]) -> tuple[str, str]:
    """(scheme, id) of a UBL party: its EndpointID, else its first PartyIdentification/ID, else a GLN-like
    CustomerAssignedAccountID / SupplierAssignedAccountID."""
    for expr in (f"cac:{role}/cac:Party/cbc:EndpointID", f"cac:{role}/cac:Party/cac:PartyIdentification/cbc:ID",
                 f"cac:{role}/cbc:CustomerAssignedAccountID", f"cac:{role}/cbc:SupplierAssignedAccountID"):
        hits = xpath(root, expr, ns)
        if hits and (hits[0].text or "").strip():
            return hits[0].get("schemeID", "") or hits[0].get("schemeAgencyID", ""), hits[0].text.strip()
    return "", ""


def identities(env: Envelope, side: str) -> list[str]:
    """Every id a document gives for its sender (`side` "from") or receiver ("to"): the envelope's, then each of
    a cXML From/To's other Credentials (Ariba's NetworkID first, then the buyer's DUNS), as the partner or we may
    be known by any of them."""
    first = env.sender_id if side == "from" else env.receiver_id
    found = [first.strip()] if first.strip() else []
    for entry in env.raw_header if env.syntax is Syntax.XML else ():
        named, _, rest = entry.partition(":")
        identity = rest.partition(":")[2].strip()
        if named == side and identity and identity not in found:
            found.append(identity)
    return found


def _cxml(root: Any) -> tuple[Envelope, Transaction]:
    docinfo = root.getroottree().docinfo
    # The DTD named in the DOCTYPE is authoritative; the version attribute is deprecated in cXML.
    m = _CXML_DTD_VERSION.search(docinfo.system_url or "")
    version = m.group(1) if m else (root.get("version") or "")
    version = f"cXML-{version}" if version else "cXML"
    stamp = root.get("timestamp", "")
    env = Envelope(syntax=Syntax.XML, version=version, encoding=docinfo.encoding or "",
                   control_number=root.get("payloadID", ""), date=stamp[:10], time=stamp[11:19])
    raw: list[str] = []
    for side in ("From", "To", "Sender"):
        for cred in root.findall(f"Header/{side}/Credential"):
            identity = (cred.findtext("Identity") or "").strip()
            domain = cred.get("domain", "")
            raw.append(f"{side.lower()}:{domain}:{identity}")      # never the SharedSecret
            if side == "From" and not env.sender_id:
                env.sender_qualifier, env.sender_id = domain, identity
            if side == "To" and not env.receiver_id:
                env.receiver_qualifier, env.receiver_id = domain, identity
    env.raw_header = raw
    body = None
    for wrapper in ("Request", "Message", "Response"):
        holder = root.find(wrapper)
        if holder is None:
            continue
        env.test = holder.get("deploymentMode", "production") == "test"
        body = next((c for c in holder if isinstance(c.tag, str) and c.tag != "Status"), None)
        break
    doc_type = localname(body) if body is not None else "cXML"
    number = env.control_number
    header_attr = _CXML_NUMBERS.get(doc_type)
    if body is not None and header_attr is not None:
        header = body.find(header_attr[0])
        if header is not None and header.get(header_attr[1]):
            number = header.get(header_attr[1])
    tx = Transaction(syntax=Syntax.XML, doc_type=doc_type, version=version, control_number=number,
                     envelope=env, tree=root)
    return env, tx


# ----------------------------------------------------------------------------- XSD validation

class _LocalSchemasOnly(etree.Resolver):  # type: ignore[misc]
    """Refuses every schema location that is not a local file, and remembers which.

    `no_network` covers the parser's own loads only; libxml2's schema compiler loads
    xs:import / xs:include / xs:redefine itself, through the document's resolvers. A refused
    location gets a stand-in that is no schema, so nothing is fetched and loading fails.
    """

    def __init__(self) -> None:
        super().__init__()
        self.refused: list[str] = []

    def resolve(self, url: str | None, pubid: str | None, context: Any) -> Any:
        scheme = urlsplit(url or "").scheme.lower()
        if scheme in ("", "file") or (len(scheme) == 1 and scheme.isalpha()):   # a path ("C:" on Windows)
            return None
        self.refused.append(str(url))
        return self.resolve_string("<refused/>", context)


@lru_cache(maxsize=32)
def _schema(path: str) -> etree.XMLSchema:
    parser = _parser()
    local = _LocalSchemasOnly()
    parser.resolvers.add(local)
    try:
        schema = etree.XMLSchema(etree.parse(path, parser))
    except etree.XMLSchemaParseError:
        if not local.refused:
            raise
    if local.refused:                 # also when libxml2 let a failed xs:import pass as a warning
        raise etree.XMLSchemaParseError(f"schema location {local.refused[0]} refused: schemas are read "
                                        "from local files only")
    return schema


def validate_xsd(tx: Transaction, schema_path: str | Path) -> list[Issue]:
    """Issues of `tx` against an XSD (profile option); each names the line and the element's XPath.

    Schemas are read from local files only (imports and includes resolved on disk, never
    over the network).
    """
    try:
        schema = _schema(str(Path(schema_path).resolve()))
    except (OSError, etree.XMLSchemaParseError, etree.XMLSyntaxError) as exc:
        return [Issue(Severity.ERROR, f"XSD {schema_path} cannot be loaded: {exc}", code="schema",
                      level="interchange", interchange=0)]
    if schema.validate(tx.tree):
        return []
    issues = []
    for err in schema.error_log:
        issues.append(Issue(Severity.ERROR, f"line {err.line}: {err.message}", code="schema", level="element",
                            interchange=0, transaction=tx.index, column=err.path or ""))
    if issues:
        tx.accepted = False
    return issues


# ----------------------------------------------------------------------------- writing

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean_text(value: str) -> str:
    """`value` without the characters XML 1.0 cannot carry (control characters), so serialising never fails."""
    return _XML_INVALID.sub("", value)


def cxml_doctype(version: str = "1.2.050", dtd: str = "cXML.dtd") -> str:
    """The DOCTYPE line cXML receivers expect (names the DTD; we never load it ourselves)."""
    return f'<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/{version}/{dtd}">'


def serialize(root: Any, *, doctype: str | None = None, pretty: bool = True, encoding: str = "UTF-8") -> bytes:
    """Bytes of an lxml tree with an XML declaration; refuses a DOCTYPE that declares entities."""
    if doctype is not None and "<!ENTITY" in doctype.upper():
        raise ValueError("refusing to write a DOCTYPE with entity declarations")
    data: bytes = etree.tostring(root, xml_declaration=True, encoding=encoding, pretty_print=pretty,
                                 doctype=doctype)
    return data


def element(tag: str, text_value: str | None = None, nsmap: dict[str | None, str] | None = None,
            attrib: dict[str, str] | None = None, children: Iterable[Any] = ()) -> Any:
    """Build an element with cleaned text; `tag` may be "{uri}local" or a "prefix:local" from `NS`."""
    if ":" in tag and not tag.startswith("{"):
        prefix, local = tag.split(":", 1)
        tag = f"{{{NS[prefix]}}}{local}"
    el = etree.Element(tag, nsmap=nsmap, attrib={k: clean_text(v) for k, v in (attrib or {}).items()})
    if text_value is not None:
        el.text = clean_text(text_value)
    for child in children:
        el.append(child)
    return el
