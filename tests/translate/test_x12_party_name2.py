"""X12 N2 (a party's second name line: an attention line, a department) is the party's `name2`.

The 850 base profile read N2 into the party's name, so `N1*ST*BIGBOX DC 1` + `N2*ATTN RECEIVING DOCK 4` shipped to
a delivery contact named "ATTN RECEIVING DOCK 4", and every N1 of an 850 we wrote got an N2 repeating its name. The
810 and 856 did not read N2 at all (the corpus's edinet invoices carry one per party).
"""

from __future__ import annotations

from pathlib import Path

from gateway.formats import x12
from gateway.translate import translate
from gateway.translate.canonical import Invoice, PurchaseOrder
from tests.helpers.profiles import base_profiles
from tests.translate.conftest import CORPUS
from tests.translate.helpers import PO_BODY, interchange, render_x12_base

PROFILES = base_profiles()


def _order(body: list[str]) -> PurchaseOrder:
    docs = translate(x12.parse(interchange(body)).transactions[0], None, PROFILES)
    assert isinstance(docs[0], PurchaseOrder)
    return docs[0]


def test_n2_is_the_second_name_line_not_the_name(tmp_path: Path) -> None:
    body = [seg for seg in PO_BODY]
    at = body.index("N1*ST*STORE 7*UL*0860001000023") + 1
    body[at:at] = ["N2*ATTN RECEIVING DOCK 4"]
    doc = _order(body)
    ship_to = next(p for p in doc.parties if p.role == "ship_to")
    assert (ship_to.name, ship_to.name2) == ("STORE 7", "ATTN RECEIVING DOCK 4")
    written = render_x12_base(doc, "850", tmp_path, PROFILES).decode()
    assert "N1*ST*STORE 7*UL*0860001000023~\nN2*ATTN RECEIVING DOCK 4~" in written.replace("\r", "")
    assert _order_from(written) == doc.model_copy(update={"source": _order_from(written).source})


def test_a_party_without_n2_is_written_without_one(tmp_path: Path) -> None:
    doc = _order(PO_BODY)
    written = render_x12_base(doc, "850", tmp_path, PROFILES).decode()
    assert "\nN2*" not in written and "N1*ST*STORE 7*UL*0860001000023~" in written


def _order_from(text: str) -> PurchaseOrder:
    docs = translate(x12.parse(text.encode()).transactions[0], None, PROFILES)
    assert isinstance(docs[0], PurchaseOrder)
    return docs[0]


def test_a_corpus_810s_parties_keep_their_n2() -> None:
    result = x12.parse((CORPUS / "x12" / "810_004010_edinet_c.edi").read_bytes())
    invoice = translate(result.transactions[0], None, PROFILES)[0]
    assert isinstance(invoice, Invoice)
    assert [(p.name, p.name2) for p in invoice.parties] == [("Aaron Copeland", "Aaron Copeland"),
                                                             ("XYZ Bank", "XYZ Bank")]
