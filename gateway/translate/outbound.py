"""Outbound: a canonical document -> the partner's file, in its envelope, with journal control numbers."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from gateway.config.models import DocumentSettings, OurIds, PartnerConfig, effective_our_ids
from gateway.errors import ConfigError, TranslationError
from gateway.formats.base import Delimiters, Issue, ParseResult, Severity, Syntax
from gateway.journal.api import Journal
from gateway.outbound.rendered import RenderedDocument
from gateway.translate import engine, values
from gateway.translate.canonical import Document
from gateway.translate.edifact_allocations import GROUPS
from gateway.translate.inbound import fill_totals, to_plain, translate
from gateway.translate.profile import Profile, ProfileRegistry
from gateway.translate.x12_terms import instalments_out

log = logging.getLogger("gateway.translate")

# canonical document -> the X12 / EDIFACT type names a partner's `documents:` may use for it
DEFAULT_TYPES = {
    "ShipNotice": ("856", "DESADV"), "Invoice": ("810", "INVOIC"), "InventoryAdvice": ("846", "INVRPT"),
    "PurchaseOrderAck": ("855", "ORDRSP"), "PurchaseOrder": ("850", "ORDERS"),
}


def document_setting(doc: Document, partner: PartnerConfig, profiles: ProfileRegistry,
                     doc_type: str | None) -> DocumentSettings:
    outs = [d for d in partner.documents if d.direction == "out"]
    if doc_type is not None:
        found = next((d for d in outs if d.type == doc_type), None)
    else:
        found = next((d for d in outs if d.profile in profiles
                      and profiles.get(d.profile).document == doc.doc_type), None)
    if found is None:
        wanted = doc_type or doc.doc_type
        have = ", ".join(d.type for d in outs) or "none"
        raise ConfigError(f"partner {partner.id} has no outbound document {wanted} (outbound: {have})")
    return found


def segments_of(profile: Profile, data: Mapping[str, Any], now: datetime | None = None,
                decimal: str = ".") -> list[engine.OutSegment]:
    assert profile.root is not None
    return engine.SegmentWriter(profile.root, profile.syntax, now=now or datetime.now(), decimal=decimal).write(data)


FREE_TEXT = {"x12": frozenset({"352", "93", "166", "387"}),                # description, name, address line, routing
             "edifact": frozenset({"7008", "3036", "3042", "3124", "4440"})}  # description, name, street, line, text
"""Elements that hold prose: a value longer than the standard allows is cut to fit, not refused. An Odoo product
name of 90 characters in PID05 (at most 80) or IMD 7008 (35) is the daily case; an identifier too long is not
shortened (the partner would match on it): it makes the document fail its check instead."""
SHORTEST_FREE_TEXT = 35
"""No FREE_TEXT element allows fewer characters (EDIFACT an..35), so shorter values are never looked up."""


PLAIN_TEXT = {"x12": FREE_TEXT["x12"] | {"19"}, "edifact": FREE_TEXT["edifact"]}
"""Prose whose delimiters and line breaks become spaces, written in ASCII in X12 (`_plain_text`): the FREE_TEXT
elements and X12's city (N401: 'Montréal' went out so beside a name made ASCII). A city is not cut (it is not
FREE_TEXT): one over N401's 30 characters is a typing error to correct in Odoo, not text to shorten."""


@lru_cache(maxsize=4096)
def _element(syntax: str, version: str, tag: str, pos: int, comp: int) -> tuple[str, int]:
    """The data element at element `pos` (component `comp`, 0 for a simple element) of segment `tag`, and its
    maximum length; ("", 0) where the standard defines none."""
    if syntax == "x12":
        from gateway.formats.x12_validate import dictionary
        d = dictionary()
        refs = d.segments.get(tag, {}).get("el", [])
        ref = refs[pos - 1][0] if pos <= len(refs) else ""
        if ref in d.composites:
            parts = d.composites[ref]
            ref = parts[comp - 1][0] if 0 < comp <= len(parts) else ""
        return (ref, int(d.elements[ref][2])) if ref in d.elements else ("", 0)
    from gateway.formats import edifact_defs
    directory = edifact_defs.directory(version)
    if directory is None:
        return "", 0
    erefs = directory.segments.get(tag, [])
    ref = erefs[pos - 1].ref if pos <= len(erefs) else ""
    if ref in directory.composites:
        cparts = directory.composites[ref]
        ref = cparts[comp - 1].ref if 0 < comp <= len(cparts) else ""
    return (ref, directory.elements[ref].max) if ref in directory.elements else ("", 0)


def _free_text_max(syntax: str, version: str, tag: str, pos: int, comp: int) -> int | None:
    """The maximum length of element `pos` (component `comp`, 0 for a simple element) of segment `tag` when
    it is free text (FREE_TEXT), else None."""
    ref, most = _element(syntax, version, tag, pos, comp)
    return most if ref in FREE_TEXT[syntax] else None


def _fit_free_text(segments: list[engine.OutSegment], syntax: str, version: str) -> None:
    """Cut free-text values (see FREE_TEXT) to the length their element allows, in place."""
    for tag, elements in segments:
        for pos, value in elements.items():
            for comp, raw in (value.items() if isinstance(value, dict) else ((0, value),)):
                if isinstance(raw, str) and len(raw) > SHORTEST_FREE_TEXT:
                    limit = _free_text_max(syntax, version, tag, pos, comp)
                    if limit is not None and len(raw) > limit:
                        cut = raw[:limit].rstrip()
                        if comp:
                            value[comp] = cut
                        else:
                            elements[pos] = cut


CONTROL = "\x00-\x1f\x7f-\x9f"
"""Control characters: no X12 or EDIFACT character set has them, and a line break inside a value reads as nothing
at best (the partner's reader drops it as line wrapping) and as the end of a segment at worst. The C1 ones
(U+0080-U+009F) are, in Odoo text, a Windows dash or quote imported as Latin-1 ('Kabel \x96 3m'): written as they
are, the byte is a control in UNOC, and the read-back check (which reads it as Windows-1252) held the document."""


def _x12_marks(delimiters: Delimiters, version: str) -> re.Pattern[str]:
    """What cannot stand in an X12 value: X12 has no escape, so a '*' reads as the next element, a component or
    repetition separator inside a simple element as an error."""
    repetition = delimiters.repetition if version[:6] >= "004020" else None     # ISA11 is one from 00402 on
    marks = "".join(re.escape(c) for c in {delimiters.element, delimiters.segment, delimiters.component,
                                           repetition or ""} if c)
    return re.compile(f"[{marks}{CONTROL}]+")


EDIFACT_MARKS = re.compile(f"[{CONTROL}]+")
"""What cannot stand in an EDIFACT value (its delimiters are escaped with the release character)."""


def ascii_text(text: str) -> str:
    """`text` in the ASCII X12's basic and extended character sets are made of, as the EDIFACT writer fits text to
    UNOA (`edifact.fit_text`: typographic quotes and dashes plain, 'Société' as 'Societe'), and a character with no
    ASCII reading as '?'. A name in UTF-8 is refused by translators that check the character set (AK4 code 6) and
    counted in bytes by others, over its element's length."""
    from gateway.formats.edifact import fit_text
    return fit_text(text, "ascii").encode("ascii", "replace").decode("ascii")


def _plain_text(segments: list[engine.OutSegment], syntax: str, version: str, bad: re.Pattern[str],
                profile: Profile, what: str) -> None:
    """Values that hold a character matching `bad` (a delimiter X12 cannot escape, a control character), in place:
    in prose (see PLAIN_TEXT) each run of them becomes one space, so that a product named 'WIDGET *NEW*' or
    'SIZE > 10', or on two lines (Odoo's invoice label: the product, then its sales description), goes out as
    prose; anything else is refused naming it. X12 prose is made ASCII too (`ascii_text`); an identifier
    outside ASCII goes as it is (the partner matches it as it has it)."""
    ascii_only = syntax == "x12"
    for tag, elements in segments:
        for pos, value in elements.items():
            for comp, raw in (value.items() if isinstance(value, dict) else ((0, value),)):
                if not isinstance(raw, str):
                    continue
                marked, foreign = bad.search(raw) is not None, ascii_only and not raw.isascii()
                if not marked and not foreign:
                    continue
                if _element(syntax, version, tag, pos, comp)[0] not in PLAIN_TEXT[syntax]:
                    found = bad.search(raw)
                    if found is None:
                        continue
                    raise TranslationError(f"{what}: {tag}{pos:02d}{f'-{comp}' if comp else ''} {raw!r} holds "
                                           f"{found[0]!r}, which {syntax.upper()} reads as a delimiter or cannot "
                                           "carry; correct the value in Odoo, or the partner's delimiters",
                                           f"segment {tag}, element {pos}", profile=profile.location)
                clean = " ".join(bad.sub(" ", ascii_text(raw) if foreign else raw).split())
                if comp:
                    value[comp] = clean
                else:
                    elements[pos] = clean


def _in_unoa(segments: list[engine.OutSegment], identifiers: set[str]) -> None:
    """Every value of `segments` in UNOA's repertoire (`edifact.unoa_text`: capitals, stand-ins), in place, but the
    `identifiers` (`_identifiers`): an order number, item or party code goes back as the partner sent it or Odoo
    has it, since the partner's system matches it character by character ('po-123a' is no 'PO-123A' there), and a
    partner that sent it in lowercase under UNOA reads lowercase (the reader notes such text, it does not refuse it).
    After the profile wrote them, so that code lists still see the canonical words; before the free text is cut to
    fit, since a stand-in ('(AT)' for '@') may be longer than its character."""
    from gateway.formats.edifact import unoa_text
    for _, elements in segments:
        for pos, value in elements.items():
            if isinstance(value, dict):
                for comp, raw in value.items():
                    if isinstance(raw, str) and raw not in identifiers:
                        value[comp] = unoa_text(raw)
            elif isinstance(value, str) and value not in identifiers:
                elements[pos] = unoa_text(value)


def _identifiers(value: Any, key: str = "") -> Iterator[str]:
    """The identifiers in a document's plain data: order numbers (`po_number`), reference values, item and party
    ids, which `_in_unoa` leaves as they are."""
    if isinstance(value, list):
        for item in value:
            yield from _identifiers(item, key)
    elif isinstance(value, dict):
        if key in ("item_ids", "ids"):
            yield from (v for v in value.values() if isinstance(v, str))
        elif key == "references" and isinstance(value.get("value"), str):
            yield value["value"]
        for name, item in value.items():
            if name == "po_number" and isinstance(item, str):
                yield item
            elif isinstance(item, (dict, list)):
                yield from _identifiers(item, name)


def _elements(elements: dict[int, Any], component: str) -> list[str]:
    """X12 elements as text, a composite's components joined by `component`, trailing empty ones left out."""
    out = []
    for parts in _composites(elements):
        while parts and not parts[-1]:
            parts.pop()
        out.append(component.join(parts))
    while out and not out[-1]:
        out.pop()
    return out


def _composites(elements: dict[int, Any]) -> list[list[str]]:
    """EDIFACT elements as lists of their components, which the writer takes literally: a ':' in a value (a
    contact 'Lager A+B: Tor 3', an item '16:9 Display') is released as '?:', where joined into one string it read
    as the next component ('Lager A+B' and ' Tor 3' as two party names)."""
    out: list[list[str]] = [[] for _ in range(max(elements, default=0))]
    for pos, value in elements.items():
        if isinstance(value, dict):
            parts = [""] * max(value)
            for comp, raw in value.items():
                parts[comp - 1] = raw
            out[pos - 1] = parts
        else:
            out[pos - 1] = [value]
    return out


def assign_ssccs(data: dict[str, Any], profile: Profile, partner: PartnerConfig, journal: Journal) -> None:
    """Give every pack without an SSCC a new one from the GS1 prefix in the profile's `sscc:` settings."""
    prefix = profile.sscc.get("company_prefix")
    if not prefix:
        return
    extension = profile.sscc.get("extension", "0")

    def walk(packs: list[dict[str, Any]]) -> None:
        for pack in packs:
            if not pack.get("sscc"):
                serial = journal.next_control_number(partner.id, "sscc")
                pack["sscc"] = values.make_sscc(extension, prefix, serial)
            walk(pack.get("packs", []))
    for order in data.get("orders", []):
        walk(order.get("packs", []))


def _item_places(profile: Profile) -> tuple[bool, bool]:
    """Whether the profile writes a ship notice's items of an order (no package) and items inside packages."""
    assert profile.root is not None
    loose = packed = False

    def walk(node: engine.Node, in_pack: bool) -> None:
        nonlocal loose, packed
        if node.read_only:
            return
        last = (node.each or "").rsplit(".", 1)[-1]
        if last == "items":
            packed, loose = packed or in_pack, loose or not in_pack
        for child in node.children:
            walk(child, in_pack or last == "packs")
    walk(profile.root, False)
    return loose, packed


def writes_each_order(profile: Profile) -> bool:
    """Whether the profile writes every order of a ship notice (an X12 856's HL O each), not just the first (a
    DESADV or UBL despatch advice: one order per message): only then can a DC shipment go out order by store."""
    assert profile.root is not None

    def walk(node: engine.Node) -> bool:
        return (not node.read_only and node.each == "orders") or any(walk(child) for child in node.children)
    return walk(profile.root)


def marks_item_stores(profile: Profile) -> bool:
    """Whether the profile writes the store each shipped item goes to (an EANCOM DESADV's LOC+7/QTY+11 under the
    LIN, `each: _allocations`): a DC shipment can then go out as one order, its items marked by store."""
    assert profile.root is not None

    def walk(node: engine.Node) -> bool:
        return (not node.read_only and node.each == GROUPS) or any(walk(child) for child in node.children)
    return profile.document == "ShipNotice" and walk(profile.root)


def _states_the_order(profile: Profile) -> bool:
    """Whether the profile writes the order number in an RFF+ON of its own (the SG1 group with its DTM+171)."""
    assert profile.root is not None
    return any(not node.read_only and node.tag == "RFF" and (1, 1, frozenset({"ON"})) in node.when_at
               and any(f.path.endswith("po_number") for f in node.fields_out) for node in profile.root.children)


def _state_the_order_once(data: dict[str, Any], profile: Profile) -> None:
    """Odoo's documents name their order twice, as the order number and among the references (for the formats
    that have no place of their own for it); an EDIFACT profile that states the order in its own RFF+ON wrote it
    again from the references, a second RFF+ON in SG1 (one with its DTM+171, one without) that a retailer's system
    keeping references lists twice. The reference is left out where it is that same number."""
    numbers = {data.get("po_number"), *(order.get("po_number") for order in data.get("orders", [])[:1])} - {None}
    if numbers and _states_the_order(profile):
        data["references"] = [ref for ref in data.get("references", [])
                              if not (ref.get("qualifier") == "customer_order" and ref.get("value") in numbers)]


def fit_items_to_profile(data: dict[str, Any], profile: Profile) -> None:
    """A ship notice's items where the partner's profile has a place for them, so that none is left out: a profile
    with no items inside packages (a CSV confirmation, one row per item; a UBL despatch advice, its lines apart from
    its handling units) gets the packed items as the order's items too; one with items only inside packages (the
    DESADV, LIN in CPS groups) gets the items shipped without a package as one group of their own, with no SSCC."""
    if data.get("doc_type") != "ShipNotice":
        return
    loose, packed = _item_places(profile)
    if loose == packed:
        return

    def in_packs(packs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [item for pack in packs for item in [*pack.get("items", []), *in_packs(pack.get("packs", []))]]
    for order in data.get("orders", []):
        if loose:
            order["items"] = [*order.get("items", []), *in_packs(order.get("packs", []))]
        elif order.get("items"):
            order["packs"] = [*order.get("packs", []), _pack_of(order.pop("items"))]


PICK_AND_PACK = ("SOPI", "SOTPI")      # ship notice hierarchies with every item in a pack (BSN05 0001)


def _pack_of(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"level": "pack", "items": items, "packs": []}


def pack_loose_items(data: dict[str, Any], profile: Profile) -> None:
    """Every item of a pick-and-pack ship notice under a pack, where the profile has a place for items beside the
    packs too (an X12 856): VICS's shipment/order/pack/item (BSN05 0001) has no item directly under an order, and
    the lines a warehouse did not put in a package in Odoo were written so, beside the packed ones. They go in one
    pack of their own per order. Before `assign_ssccs`: a profile that gives cartons our SSCCs (`sscc:`, as
    BigBox's, whose HL P each carry MAN*GM) declares every carton labelled, and gives that pack one too, and then
    also a delivery nothing was packed in is pick and pack (one pack, BSN05 0001), counted in TD1; a profile
    without writes such a delivery as shipment/order/item (0004), and a pack of loose items without MAN*GM. An
    order with no pack at all in a document that says 0001 is left as it is there (a file read without BSN05)."""
    if data.get("doc_type") != "ShipNotice" or _item_places(profile) != (True, True):
        return
    labelled = bool(profile.sscc.get("company_prefix"))
    if not labelled and data.get("structure") not in PICK_AND_PACK:
        return
    added = 0
    for order in data.get("orders", []):
        if order.get("items") and (order.get("packs") or labelled):
            order["packs"] = [*order.get("packs", []), _pack_of(order.pop("items"))]
            added += 1
    if added and labelled:
        data["structure"] = "SOPI" if data.get("structure") not in PICK_AND_PACK else data["structure"]
        data["package_count"] = (data.get("package_count") or 0) + added


def render(doc: Document, partner: PartnerConfig, profiles: ProfileRegistry, journal: Journal,
           doc_type: str | None = None, *, our_ids: OurIds | None = None, now: datetime | None = None,
           check: bool = True) -> RenderedDocument:
    """The partner's outbound file for `doc`: profile picked from the partner's `documents:`.

    `check`: an X12 or EDIFACT file is validated as the partner will and refused when it breaks its
    standard (see `_checked`); off only to look at what a profile writes (`edi-gateway render`, tests)."""
    setting = document_setting(doc, partner, profiles, doc_type)
    profile = profiles.get(setting.profile)
    if profile.document != doc.doc_type:
        fitting = [d.type for d in partner.documents if d.direction == "out" and d.profile in profiles
                   and profiles.get(d.profile).document == doc.doc_type]
        instead = f"; partner {partner.id}'s {', '.join(fitting)} write{'s' if len(fitting) == 1 else ''} one" \
            if fitting else f"; none of partner {partner.id}'s outbound documents writes one"
        raise TranslationError(f"the document is a {doc.doc_type}, but partner {partner.id}'s {setting.type} "
                               f"(profile {profile.name}) writes a {profile.document}{instead}",
                               profile=f"{profile.path}:{profile.data.where[1]}")
    our = effective_our_ids(partner, our_ids or profiles.our_ids)      # the partner's `our_ids:` first
    data = to_plain(doc)
    fill_totals(data)
    pack_loose_items(data, profile)                # before the SSCCs: a carton of a labelling partner
    assign_ssccs(data, profile, partner, journal)
    fit_items_to_profile(data, profile)            # after the SSCCs: a group of loose items is no package
    if doc.doc_type == "Invoice":
        instalments_out(data, profile)             # X12 ITD*04 a part: before the hook, as the packs
    hook = profile.hooks.get("before_write")
    if hook is not None:
        try:
            data = hook(data) or data
        except TranslationError as exc:           # the hook refused the document, saying why: no failure of it
            where = profile.where("hooks")
            raise TranslationError(exc.message, exc.location, profile=f"{where[0]}:{where[1]}") from None
        except Exception as exc:  # noqa: BLE001 - a profile hook failed: name it
            where = profile.where("hooks")
            raise TranslationError(f"before_write hook failed: {type(exc).__name__}: {exc}",
                                   profile=f"{where[0]}:{where[1]}") from None
    when = now or datetime.now()
    read_back: ParseResult | None = None           # the written file read back: once, for both checks
    if profile.syntax in ("x12", "edifact"):
        write = _render_x12 if profile.syntax == "x12" else _render_edifact
        rendered = write(profile, data, partner, our, journal, setting.type, when, doc)
        if check:
            read_back = _read_back(rendered)
            _checked(rendered, profile, doc, read_back)
    elif profile.syntax == "csv":
        rendered = _render_csv(profile, data, partner, setting.type, doc)
    else:
        rendered = _render_xml(profile, data, partner, our, journal, setting.type, when, doc)
    if check:
        _charges_kept(rendered, profile, profiles, partner, doc, read_back)
        _compliant(rendered, profile, data, doc, read_back)
    return rendered


def _compliant(rendered: RenderedDocument, profile: Profile, data: dict[str, Any], doc: Document,
               read_back: ParseResult | None) -> None:
    """Refuse a file a retailer's compliance check would refuse though its syntax is right (`compliance`): a
    barcode or our GLN with a wrong GS1 check digit, an 810 whose TDS01 is not its lines, charges and taxes. The
    footing is checked on Odoo's invoices: a partner's own 810 rendered again (`edi-gateway render`) keeps its
    TDS01 whatever its rules of adding (Ariba's summary SACs repeat its lines')."""
    from gateway.translate.compliance import invoice_not_footing, wrong_check_digits
    found, noted = wrong_check_digits(data, rendered.data, doc.source.ordered_gtins or ())
    if noted:
        log.warning("partner %s: the %s for %s %s goes out with a number whose check digit is wrong: %s",
                    doc.source.partner, rendered.doc_type, doc.doc_type, doc.number, "; ".join(noted))
    from_odoo = (doc.source.odoo_record or "").startswith("account.move,")     # TDS01 is Odoo's total
    footing = invoice_not_footing(read_back) if read_back is not None and from_odoo else None
    found += [footing] if footing else []
    if found:
        raise TranslationError(f"the {rendered.doc_type} written for {doc.doc_type} {doc.number} would be refused "
                               f"by the partner's compliance check: {'; '.join(found)}", profile=profile.location)


def _read_back(rendered: RenderedDocument) -> ParseResult:
    """The rendered file as a reader sees it."""
    from gateway.formats import parse
    return parse(rendered.data, syntax=rendered.syntax)


def problems(rendered: RenderedDocument, read_back: ParseResult | None = None) -> list[Issue]:
    """The errors a validating reader finds in a rendered X12 or EDIFACT file (none for XML and CSV);
    `read_back`: the file already read (`_read_back`), not read again.

    Warnings count too: what the reader lets in from a partner with a warning (a BOL of 40 characters in an
    optional REF02 of 30, a city over N401's 30) is accepted with errors (AK5 E) at best, refused by a strict
    translator, and charged back by a retailer's compliance check; what we send must have none."""
    if rendered.syntax not in (Syntax.X12, Syntax.EDIFACT):
        return []
    result = read_back if read_back is not None else _read_back(rendered)
    found = [i for i in result.issues if i.severity is not Severity.INFO]
    return found + _over_older_limits(result) if rendered.syntax is Syntax.X12 else found


OLDER_X12_MAX = {"127": 30, "358": 10, "207": 10, "364": 80}
"""Elements 005010 lengthened, at their maximum before it (X12 004010's dictionary): REF02, BAK08, BIA03, BCA09
and SAC13 (127) held 30 characters, IT102 (358) 10 digits. The reader's dictionary has the longer maxima, so that
an older partner's longer value is taken in; what we send a 004010 partner keeps to its own."""


def _over_older_limits(result: ParseResult) -> list[Issue]:
    """The values of a pre-005010 transaction longer than its version allows (see OLDER_X12_MAX)."""
    from gateway.formats.x12_validate import check_value, dictionary
    d = dictionary()
    found = []
    for tx in result.transactions:
        version = tx.version or (tx.group.version if tx.group else "")
        if version[:6] >= "005010":
            continue
        for number, seg in enumerate(tx.segments, start=1):
            for pos, (ref, _) in enumerate(d.segments.get(seg.tag, {}).get("el", []), start=1):
                if ref not in OLDER_X12_MAX or pos >= len(seg.fields) or not seg.fields[pos]:
                    continue
                spec = d.elements[ref]
                problem = check_value(seg.fields[pos], [spec[0], spec[1], OLDER_X12_MAX[ref], spec[3]])
                if problem is not None:
                    found.append(Issue(Severity.ERROR, f"{seg.tag}{pos:02d} ({spec[3]}): {problem[1]} in X12 {version}",
                                       problem[0], level="element", segment_tag=seg.tag, segment_position=number,
                                       element_position=pos, element_ref=ref, value=seg.fields[pos][:99]))
    return found


def _checked(rendered: RenderedDocument, profile: Profile, doc: Document,
             read_back: ParseResult | None = None) -> RenderedDocument:
    """`rendered`, read back and validated as the partner's translator will: refused when it breaks its
    standard (a value too long for its element, a mandatory element or segment missing, a pair half filled).

    Sent anyway, such a file comes back rejected in the partner's 997 / CONTRL hours later, or is
    charged back; refused here with its location, the scheduler holds the document with the reason
    until the data in Odoo or the profile is fixed, and nothing invalid leaves the gateway."""
    errors = problems(rendered, read_back)
    if not errors:
        return rendered
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    raise TranslationError(f"the {rendered.doc_type} written for {doc.doc_type} {doc.number} would not pass the "
                           f"partner's validation: {errors[0]}{more}; correct the value in Odoo, or the profile "
                           "if it wrote the element wrongly", profile=profile.location)


def _charges_kept(rendered: RenderedDocument, profile: Profile, profiles: ProfileRegistry, partner: PartnerConfig,
                  doc: Document, read_back: ParseResult | None = None) -> None:
    """Refuse an invoice whose written file leaves out an allowance or charge the invoice has: read back with
    the same profile, every (kind, code, amount) must be there. A profile may have no place for one (cXML's
    summary has ShippingAmount and SpecialHandlingAmount only); sent anyway, the partner pays the lines and
    not the freight, and nobody is told. Held instead, naming what has no place."""
    wanted = getattr(doc, "allowances_charges", None)
    if doc.doc_type != "Invoice" or not wanted:
        return
    try:
        result = read_back if read_back is not None else _read_back(rendered)
        back = [d for tx in result.transactions for d in translate(tx, partner, profiles, profile=profile.name)]
    except Exception as exc:  # noqa: BLE001 - a profile that cannot read its own file is lint's to name
        log.debug("%s %s: not read back for its charges (%s)", rendered.doc_type, doc.number, exc)
        return
    left_out = [f"{c.kind} {c.code or '(no code)'} {c.amount if c.amount is not None else f'{c.percent} %'}"
                for c in _not_kept(wanted, [c for d in back for c in getattr(d, "allowances_charges", [])])]
    if left_out:
        raise TranslationError(f"the {rendered.doc_type} written for invoice {doc.number} has no place for "
                               f"{', '.join(left_out)} (profile {profile.name} writes no such "
                               f"{'one' if len(left_out) == 1 else 'ones'}); the partner would not be charged it. "
                               "Map it in the partner's profile, or invoice it another way", profile=profile.location)


def _not_kept(wanted: list[Any], kept: list[Any]) -> list[Any]:
    """The wanted allowances and charges the written file does not charge. Compared by kind and code (a charge
    without one by its description) and the sum of their amounts: a syntax with one place for freight writes
    two as their sum, which is what the partner pays. A charge given only as a percent is kept when its kind
    and code are there at all: the file states its Money, computed from its base."""
    def key(charge: Any) -> tuple[str, str | None]:
        return charge.kind, charge.code or charge.description

    totals: dict[tuple[str, str | None], Decimal] = {}
    for charge in kept:
        totals[key(charge)] = totals.get(key(charge), Decimal(0)) + (charge.amount or Decimal(0))
    wanted_totals: dict[tuple[str, str | None], Decimal] = {}
    percent_only = set()
    for charge in wanted:
        wanted_totals[key(charge)] = wanted_totals.get(key(charge), Decimal(0)) + (charge.amount or Decimal(0))
        if charge.amount is None:
            percent_only.add(key(charge))
    missing = {k for k, total in wanted_totals.items()
               if k not in totals or (k not in percent_only and totals[k] != total)}
    return [charge for charge in wanted if key(charge) in missing]


def _render_x12(profile: Profile, data: dict[str, Any], partner: PartnerConfig, our: OurIds | None,
                journal: Journal, doc_type: str, when: datetime, doc: Document) -> RenderedDocument:
    from gateway.formats.x12_writer import OutGroup, OutTransaction, write_interchange
    settings = partner.x12
    if settings is None or not settings.ids:
        raise ConfigError(f"partner {partner.id}: x12.ids is needed to address an X12 interchange")
    if our is None or our.x12 is None:
        raise ConfigError("our_ids.x12 (gateway.yaml) is needed to send X12")
    d = settings.delimiters
    delims = Delimiters(element=d.element, component=d.component, segment=d.segment,
                        repetition=d.repetition, suffix=d.suffix)
    written = segments_of(profile, data, when)
    _plain_text(written, "x12", settings.version, _x12_marks(delims, settings.version), profile,
                f"the {doc_type} for {doc.doc_type} {doc.number}")
    _fit_free_text(written, "x12", settings.version)
    body = [[tag, *_elements(elements, d.component)] for tag, elements in written]
    isa = journal.next_control_number(partner.id, "isa")
    gs = journal.next_control_number(partner.id, "gs")
    st = f"{journal.next_control_number(partner.id, 'st', 9999):04d}"
    version = settings.version
    receiver = settings.ids[0]
    group = OutGroup(functional_id=profile.functional_group or "XX", sender=our.gs or our.x12.id,
                     receiver=(settings.gs_ids[0] if settings.gs_ids else receiver.id), control_number=str(gs),
                     version=version, date=when.strftime("%Y%m%d"), time=when.strftime("%H%M"),
                     transactions=[OutTransaction(profile.message, st, body,
                                                  version if version >= "005010" else "")])
    data_bytes = write_interchange(delims, (our.x12.qualifier, our.x12.id), (receiver.qualifier, receiver.id),
                                   isa, [group], version=version[:5], when=when, ack_requested=settings.ta1 is True,
                                   test=settings.test)
    return RenderedDocument(doc_type=doc_type, syntax=Syntax.X12,
                            filename=f"{partner.id}_{doc_type}_{isa:09d}.x12", data=data_bytes,
                            control_number=f"{isa:09d}", group_number=str(gs), transaction_numbers=[st],
                            expects_ack=settings.ack if settings.ack != "none" else None,
                            source_record=doc.source.odoo_record, number=doc.number)


def _render_edifact(profile: Profile, data: dict[str, Any], partner: PartnerConfig, our: OurIds | None,
                    journal: Journal, doc_type: str, when: datetime, doc: Document) -> RenderedDocument:
    from gateway.formats.edifact import CHARSETS, Party, Writer, fit_texts
    settings = partner.edifact
    if settings is None or not settings.ids:
        raise ConfigError(f"partner {partner.id}: edifact.ids is needed to address an EDIFACT interchange")
    if our is None or our.edifact is None:
        raise ConfigError("our_ids.edifact (gateway.yaml) is needed to send EDIFACT")
    unb = journal.next_control_number(partner.id, "unb")
    unh = journal.next_control_number(partner.id, "unh")
    receiver = settings.ids[0]
    delimiters = None
    if settings.decimal != ".":
        from gateway.formats.edifact import DEFAULT_DELIMITERS
        repetition = DEFAULT_DELIMITERS.repetition or ("*" if settings.syntax_version == "4" else None)
        delimiters = Delimiters(element=DEFAULT_DELIMITERS.element, component=DEFAULT_DELIMITERS.component,
                                segment=DEFAULT_DELIMITERS.segment, repetition=repetition,
                                release=DEFAULT_DELIMITERS.release, decimal=settings.decimal)
    writer = Writer(sender=Party(our.edifact.id, our.edifact.qualifier),
                    recipient=Party(receiver.id, receiver.qualifier, tuple(settings.recipient_internal)),
                    control_number=str(unb), date=when.strftime("%y%m%d"), time=when.strftime("%H%M"),
                    syntax=settings.syntax, syntax_version=settings.syntax_version, una=settings.una,
                    test=settings.test, ack_request=bool(settings.contrl), delimiters=delimiters)
    version = settings.version or profile.version
    message_type = f"{profile.message}:{version[0]}:{version[1:]}:UN" + (f":{profile.agency}" if profile.agency else "")
    _state_the_order_once(data, profile)
    # text the partner's character set lacks as its stand-in before the profile spreads and cuts it (fit_texts)
    fitted = fit_texts(data, CHARSETS.get(settings.syntax, "utf-8"))
    written = segments_of(profile, fitted, when, settings.decimal)
    _plain_text(written, "edifact", version, EDIFACT_MARKS, profile, f"the {doc_type} for {doc.doc_type} {doc.number}")
    if settings.syntax == "UNOA":
        _in_unoa(written, set(_identifiers(fitted)))
    _fit_free_text(written, "edifact", version)
    body = [(tag, _composites(elements)) for tag, elements in written]
    writer.message(str(unh), message_type, body)
    return RenderedDocument(doc_type=doc_type, syntax=Syntax.EDIFACT,
                            filename=f"{partner.id}_{doc_type}_{unb}.edi", data=writer.to_bytes(),
                            control_number=str(unb), transaction_numbers=[str(unh)],
                            expects_ack="CONTRL" if settings.contrl else None,
                            source_record=doc.source.odoo_record, number=doc.number)


def _render_csv(profile: Profile, data: dict[str, Any], partner: PartnerConfig, doc_type: str,
                doc: Document) -> RenderedDocument:
    from gateway.formats import csv as csv_format
    assert profile.root is not None
    rows = engine.write_rows(profile.root, data, partner.csv.decimal if partner.csv else ".")
    columns = list(profile.columns)
    for row in rows:
        columns.extend(k for k in row if k not in columns)
    numbers = {f.address for node in profile.root.walk() for f in node.fields_out if f.numeric}
    body = csv_format.write(rows, partner.csv, columns, numbers)
    return RenderedDocument(doc_type=doc_type, syntax=Syntax.CSV, filename=f"{partner.id}_{doc_type}_{doc.number}.csv",
                            data=body, source_record=doc.source.odoo_record, number=doc.number)


def _render_xml(profile: Profile, data: dict[str, Any], partner: PartnerConfig, our: OurIds | None,
                journal: Journal, doc_type: str, when: datetime, doc: Document) -> RenderedDocument:
    from lxml import etree

    from gateway.formats import xml as xml_format
    from gateway.translate import xmltree
    assert profile.root is not None
    if not profile.root_element:
        raise ConfigError("an XML profile needs root: (the document element, e.g. ubl:Order)",
                          profile.path, profile.data.where[1])
    where = profile.where("root")
    nsmap = {(k or None): v for k, v in profile.namespaces.items()}
    root = etree.Element(xmltree.qname(profile.root_element, profile.namespaces, where), nsmap=nsmap)
    try:
        engine.write_xml(profile.root, data, root, now=when)
    except ValueError:                             # lxml: "All strings must be XML compatible"
        found = _not_xml(data)
        if found is None:
            raise
        raise TranslationError(f"the {doc_type} for {doc.doc_type} {doc.number}: {found[0]} {found[1]!r} holds a "
                               "control character, which XML cannot carry; correct the value in Odoo",
                               profile=profile.location) from None
    doctype = profile.data.get("doctype")
    control = ""
    if etree.QName(root).localname == "cXML":
        control = _cxml_envelope(root, partner, our, journal, when)
        doctype = doctype or xml_format.cxml_doctype()
    body = xml_format.serialize(root, doctype=doctype)
    return RenderedDocument(doc_type=doc_type, syntax=Syntax.XML, filename=f"{partner.id}_{doc_type}_{doc.number}.xml",
                            data=body, control_number=control, source_record=doc.source.odoo_record, number=doc.number)


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _not_xml(value: Any, path: str = "document") -> tuple[str, str] | None:
    """The first string in `value` (a document as plain data) holding a character XML 1.0 cannot carry (a form
    feed pasted into a product description), with its path: lxml refuses it without saying which; uncaught,
    the scheduler logged the failure at every run and the document was neither sent nor held."""
    if isinstance(value, str):
        return (path, value) if _NOT_XML.search(value) else None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        found = _not_xml(item, f"{path}.{key}")
        if found is not None:
            return found
    return None


def _credential(parent: Any, identity: str) -> None:
    """A cXML Credential; an id written `DUNS:123456789` names its domain, else NetworkID."""
    from lxml import etree
    domain, _, ident = identity.rpartition(":") if ":" in identity else ("NetworkID", "", identity)
    cred = etree.SubElement(parent, "Credential", domain=domain)
    etree.SubElement(cred, "Identity").text = ident


def _cxml_envelope(root: Any, partner: PartnerConfig, our: OurIds | None, journal: Journal, when: datetime) -> str:
    """cXML root attributes (payloadID from the journal, timestamp) and the Header: From us, To the
    partner (partner.xml.ids[0]), Sender us. No SharedSecret: the transport authenticates us."""
    from lxml import etree
    ours = our.xml if our is not None else None
    theirs = partner.xml.ids[0] if partner.xml is not None and partner.xml.ids else None
    if not ours or not theirs:
        raise ConfigError(f"cXML to partner {partner.id} needs our_ids.xml (gateway.yaml) and "
                          f"xml.ids in partners/{partner.id}.yaml for the Header From/To credentials")
    number = journal.next_control_number(partner.id, "payload")
    stamp = (when if when.tzinfo else when.astimezone()).isoformat(timespec="seconds")   # with its offset
    host = ours.rpartition(":")[2].replace(" ", "")
    payload = f"{when.strftime('%Y%m%d%H%M%S')}.{number}@{host}"
    root.set("payloadID", payload)
    root.set("timestamp", stamp)
    header = etree.Element("Header")
    for side, identity in (("From", ours), ("To", theirs), ("Sender", ours)):
        _credential(etree.SubElement(header, side), identity)
    etree.SubElement(header[2], "UserAgent").text = "edi-gateway"
    root.insert(0, header)
    return payload
