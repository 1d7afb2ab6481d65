"""X12 PO4 packs: PO401 is the pack (eaches, or inner packs, per outer), PO402/PO403 the size of each and its
unit (24 x 12 OZ), PO414 the inner pack. The 850 base profile read and wrote the inner pack in PO402, so a
VICS 'PO4*12*1*EA' (12 per case, each 1 EA) became an inner pack of 1, and an order written with an inner
pack had a size without its unit, which P0203 (PO402 and PO403 together) rejects."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from gateway.errors import TranslationError
from gateway.formats import x12
from gateway.translate import ProfileRegistry, translate
from gateway.translate.canonical import PurchaseOrder
from tests.helpers.profiles import base_profiles
from tests.translate.conftest import CORPUS
from tests.translate.helpers import interchange, registry, render_x12_base

PROFILES = base_profiles()


def order(po4: str, profiles: ProfileRegistry = PROFILES, profile: str | None = None,
          version: str = "004010") -> PurchaseOrder:
    result = x12.parse(interchange(["BEG*00*SA*PO-9**20261127", "N1*ST*DC 1*92*01",
                                    "PO1*1*48*EA*12.50*PE*BP*BB-1001", po4, "CTT*1"], version=version))
    assert not result.errors, result.errors
    [doc] = translate(result.transactions[0], None, profiles, profile=profile)
    assert isinstance(doc, PurchaseOrder)
    return doc


@pytest.mark.parametrize("version", ["004010", "005010"])
@pytest.mark.parametrize(("po4", "pack", "inner"), [("PO4*12*1*EA", 12, None),
                                                    ("PO4*24*12*OZ***********6", 24, 6),
                                                    ("PO4*4*************1", 4, 1)])
def test_the_inner_pack_is_po414_and_po402_is_the_size(po4: str, pack: int, inner: int | None, version: str) -> None:
    doc = order(po4, version=version)
    assert doc.source.version == version
    line = doc.lines[0]
    assert (line.pack_size, line.inner_pack) == (Decimal(pack), None if inner is None else Decimal(inner))


def test_an_inner_pack_is_written_in_po414_and_passes_the_outbound_check(tmp_path: Path) -> None:
    doc = order("PO4*24*12*OZ***********6")
    data = render_x12_base(doc, "850", tmp_path, PROFILES)       # render refuses what the validator rejects
    assert b"PO4*24*************6~" in data
    [back] = [d for tx in x12.parse(data).transactions for d in translate(tx, None, PROFILES)]
    assert isinstance(back, PurchaseOrder)
    assert (back.lines[0].pack_size, back.lines[0].inner_pack) == (Decimal(24), Decimal(6))


def test_a_size_without_its_unit_breaks_p0203() -> None:
    """PO402 and PO403 go together (P0203, 004010 and 005010): an order with one of them is rejected in the
    997, and our own outbound check holds a document the profile writes that way."""
    for po4, position in (("PO4*12*1", 3), ("PO4*12**EA", 2)):
        result = x12.parse(interchange(["BEG*00*SA*PO-9**20261127", "PO1*1*48*EA*12.50*PE*BP*BB-1001", po4,
                                        "CTT*1"]))
        assert [(i.segment_tag, i.element_position, i.message) for i in result.errors] == [
            ("PO4", position, "PO402, PO403 must be used together")]
        assert [t.accepted for t in result.transactions] == [False]


PO402_PARTNER = """extends: x12-004010-850
description: a partner whose guide puts the inner pack in PO402 (with EA in PO403)
structure:
  lines:
    children:
      pack:
        fields:
          inner_pack: {at: 2, number: true}
          _inner_pack_unit: {at: 3, default: EA, if: inner_pack}
"""


def test_a_partner_that_sends_the_inner_pack_in_po402_says_so_in_its_profile(tmp_path: Path) -> None:
    """docs/profiles.md's override: PO402 read as the inner pack, and written with a PO403 so that P0203 holds;
    without the unit the written order is held by the outbound check, naming the note."""
    no_unit = PO402_PARTNER.replace("          _inner_pack_unit: {at: 3, default: EA, if: inner_pack}\n", "")
    profiles = registry(tmp_path / "profiles", {"oldguide-850.yaml": PO402_PARTNER, "nounit-850.yaml": no_unit})
    doc = order("PO4*12*2*EA", profiles, "oldguide-850")
    assert (doc.lines[0].pack_size, doc.lines[0].inner_pack) == (Decimal(12), Decimal(2))
    assert b"PO4*12*2*EA~" in render_x12_base(doc, "850", tmp_path, profiles, "oldguide-850")
    with pytest.raises(TranslationError, match="PO402, PO403 must be used together"):
        render_x12_base(doc, "850", tmp_path, profiles, "nounit-850")


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no corpus at {CORPUS}")
def test_a_corpus_850s_po414_inner_pack_is_read() -> None:
    """The corpus's Bots 850 sends 'PO4*12*************1': 12 per case, one inner pack (PO414)."""
    data = (CORPUS / "x12" / "850_004010_bots_3isa_tilde.edi").read_bytes()
    docs = [d for tx in x12.parse(data).transactions for d in translate(tx, None, PROFILES)]
    packs = {(ln.pack_size, ln.inner_pack) for d in docs if isinstance(d, PurchaseOrder) for ln in d.lines}
    assert (Decimal(12), Decimal(1)) in packs
