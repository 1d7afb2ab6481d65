"""X12 SAC06 (378, the percent qualifier): what an allowance or charge percent (SAC07) is a percent of.

The base profiles read it into the canonical `percent_basis` as a word of x12-common's `percent_basis` list
(the same words an EDIFACT 5245 or UBL basis can map to) and write it back as the partner sent it; a percent
without a basis goes out with 1 (item list cost), and a basis never goes out without its percent (P0607).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from gateway.formats import x12
from gateway.translate import translate
from gateway.translate.canonical import AllowanceCharge, Document, Invoice, PurchaseOrder
from tests.helpers.profiles import base_profiles
from tests.translate.conftest import CORPUS
from tests.translate.helpers import interchange, render_x12_base

PROFILES = base_profiles()


def read(data: bytes) -> list[Document]:
    result = x12.parse(data)
    assert not result.errors, result.errors
    return [d for tx in result.transactions for d in translate(tx, None, PROFILES)]


def order(*sacs: str, line_sacs: tuple[str, ...] = ()) -> PurchaseOrder:
    [doc] = read(interchange(["BEG*00*SA*PO-9**20261127", *sacs, "N1*ST*DC 1*92*01",
                              "PO1*1*36*EA*12.50*PE*BP*BB-1001", *line_sacs, "CTT*1"]))
    assert isinstance(doc, PurchaseOrder)
    return doc


@pytest.mark.parametrize(("code", "word"), [("1", "item_list_cost"), ("2", "item_net_cost"),
                                            ("3", "discount_gross"), ("4", "discount_net"),
                                            ("5", "base_price_per_unit"), ("6", "base_price_amount"),
                                            ("7", "base_price_amount_less_discount"), ("Z", "mutual"),
                                            ("8", "8")])          # a code the list does not have: kept as sent
def test_a_partners_percent_basis_is_read_as_a_word_and_written_back_as_it_came(
        code: str, word: str, tmp_path: Path) -> None:
    doc = order(f"SAC*A*C310****{code}*2", line_sacs=(f"SAC*C*D240****{code}*5",))
    assert [(ac.percent, ac.percent_basis) for ac in doc.allowances_charges] == [(Decimal(2), word)]
    assert [(ac.percent, ac.percent_basis) for ac in doc.lines[0].allowances_charges] == [(Decimal(5), word)]
    data = render_x12_base(doc, "850", tmp_path, PROFILES)    # render refuses what the X12 validator rejects
    assert f"SAC*A*C310****{code}*2~".encode() in data and f"SAC*C*D240****{code}*5~".encode() in data
    [back] = read(data)
    assert isinstance(back, PurchaseOrder)
    assert back.allowances_charges == doc.allowances_charges
    assert back.lines[0].allowances_charges == doc.lines[0].allowances_charges


def test_a_percent_without_a_basis_goes_out_as_item_list_cost_and_a_basis_alone_not_at_all(tmp_path: Path) -> None:
    """SAC06 and SAC07 go together (P0607): our own percents (an order or invoice built from Odoo) have no
    basis and come off the gross, so 1; a basis left on an amount-only charge has no percent to qualify."""
    doc = order("SAC*A*C310***1000").model_copy(update={"allowances_charges": [
        AllowanceCharge(kind="allowance", code="discount", percent=Decimal(2)),
        AllowanceCharge(kind="charge", code="freight", amount=Decimal(5), percent_basis="item_net_cost")]})
    data = render_x12_base(doc, "850", tmp_path, PROFILES)
    assert b"SAC*A*C310****1*2~" in data and b"SAC*C*D240***500~" in data
    back = read(data)[0]
    assert isinstance(back, PurchaseOrder)
    assert [(ac.percent, ac.percent_basis) for ac in back.allowances_charges] == [(Decimal(2), "item_list_cost"),
                                                                                 (None, None)]


def test_an_invoice_lines_percent_charge_keeps_its_percent_and_basis(tmp_path: Path) -> None:
    """The 810's IT1-loop SAC read and wrote the amount only: a line's 'SAC*C*D360***5887*2*7' (7 % of the
    net cost) went out as 'SAC*C*D360***5887', the percent lost."""
    body = ["BIG*20261127*INV-1**PO-9", "IT1*1*16*CA*52.56**UA*001055503223", "SAC*C*D360***5887*2*7",
            "TDS*90044", "CTT*1"]
    [doc] = read(interchange(body, st="810", gs="IN"))
    assert isinstance(doc, Invoice)
    [charge] = doc.lines[0].allowances_charges
    assert (charge.amount, charge.percent, charge.percent_basis) == (Decimal("58.87"), Decimal(7), "item_net_cost")
    assert b"SAC*C*D360***5887*2*7~" in render_x12_base(doc, "810", tmp_path, PROFILES)


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no corpus at {CORPUS}")
@pytest.mark.parametrize(("name", "sac"), [("810_004010_bots_1.edi", "SAC*C*D360***5887*2*7~"),
                                           ("810_004010_edinet_d.edi", "SAC*A*C310***1175*3*5~"),
                                           ("850_004010_bots_3isa_tilde.edi", "SAC*A*F800****Z*10*")])
def test_corpus_percents_go_back_out_with_the_partners_basis(name: str, sac: str, tmp_path: Path) -> None:
    """Third-party files: each percent's SAC06 (2 item net cost, 3 discount/gross, Z mutually defined) is in
    what the base profile writes from the document read; it was written back as 1 (item list cost)."""
    data = (CORPUS / "x12" / name).read_bytes()
    assert sac.encode() in data.replace(b"\r", b"").replace(b"\n", b"")
    docs = [d for tx in x12.parse(data).transactions for d in translate(tx, None, PROFILES)]
    written = b"".join(render_x12_base(doc, doc.source.standard_type or "", tmp_path / str(n), PROFILES)
                       for n, doc in enumerate(docs))
    assert sac.encode() in written
