"""The ORDRSP states a line's price with the PRI qualifier (5125) its order gave: AAB (gross) back as AAB, not as
a net AAA price the partner never agreed. A price basis of another syntax (an X12 PO105 'PE') is no 5125 code
and is not written: the price goes out as AAA, as before. The pipeline test is test_net_prices."""

from __future__ import annotations

from pathlib import Path

from gateway.config.loader import load
from gateway.journal.sqlite import SqliteJournal
from gateway.translate import render
from gateway.translate.canonical import from_json
from tests.helpers.examples import example_workspace
from tests.translate.conftest import GOLDEN, RENDER_TIME


def test_an_x12_price_basis_does_not_go_into_pri(tmp_path: Path) -> None:
    config = load(example_workspace(tmp_path / "ws", ("eurohandel",)))
    doc = from_json((GOLDEN / "northwind" / "855_ack.json").read_bytes())
    assert {line.price_basis for line in doc.lines} == {"PE"}
    journal = SqliteJournal(tmp_path / "j.sqlite3")
    try:
        written = render(doc, config.partners["eurohandel"], config.profiles, journal, "ORDRSP",
                         our_ids=config.gateway.our_ids, now=RENDER_TIME).data.decode()
    finally:
        journal.close()
    prices = [s.strip() for s in written.split("'") if s.strip().startswith("PRI+")]
    assert prices == ["PRI+AAA:150.00", "PRI+AAA:8.75", "PRI+AAA:360.00"]
