"""An 846 QTY loop with several SCH lines (a split schedule) keeps every share and its date.

Vendors announce stock arriving in parts: QTY*63*300 (on order) then SCH*100...*20261211 and
SCH*200...*20261218. Each SCH becomes its own canonical quantity with its date, and what the SCH
leave of QTY02 stays as an undated quantity; written back, each dated quantity is its own QTY loop
with one SCH (the base profile's form), which reads back to the same quantities.
"""

from __future__ import annotations

from decimal import Decimal

from gateway.config.loader import LoadedConfig
from gateway.formats import x12
from gateway.journal.sqlite import SqliteJournal
from gateway.translate import render, translate
from gateway.translate.canonical import InventoryAdvice
from tests.translate.conftest import RENDER_TIME

ADVICE = """\
ISA*00*          *00*          *12*8005551234     *ZZ*ACMEDIST       *261202*1630*^*00501*000000001*0*P*:~
GS*IB*NORTHWIND*ACMEDIST*20261202*1630*1*X*005010~
ST*846*0001*005010~
BIA*00*MM*INV-1*20261204~
LIN*1*IN*NW-A1*UP*614141000012~
QTY*33*500*EA~
QTY*63*300*EA~
SCH*100*EA***018*20261211~
SCH*200*EA***018*20261218~
LIN*2*IN*NW-A2~
QTY*63*12*CA~
SCH*5*CA***018*20261209~
LIN*3*IN*NW-A3~
QTY*63*40*EA~
SCH*40*EA***018*20261220~
SE*14*0001~
GE*1*1~
IEA*1*000000001~
"""


def _quantities(doc: InventoryAdvice) -> list[list[tuple[str, Decimal, str, str | None]]]:
    return [[(q.qualifier, q.value, q.unit, q.date) for q in line.quantities] for line in doc.lines]


def test_each_sch_of_a_qty_loop_is_a_quantity_with_its_date(config: LoadedConfig) -> None:
    result = x12.parse(ADVICE.encode())
    assert result.errors == []
    [doc] = translate(result.transactions[0], None, config.profiles)
    assert isinstance(doc, InventoryAdvice)
    assert _quantities(doc) == [
        [("available", Decimal(500), "EA", None),
         ("on_order", Decimal(100), "EA", "2026-12-11"), ("on_order", Decimal(200), "EA", "2026-12-18")],
        # 5 of the 12 cases have a date; the other 7 are on order without one
        [("on_order", Decimal(7), "CS", None), ("on_order", Decimal(5), "CS", "2026-12-09")],
        [("on_order", Decimal(40), "EA", "2026-12-20")]]          # one SCH for all of it: one quantity


def test_a_split_schedule_is_written_as_one_qty_loop_per_date_and_reads_back(
        config: LoadedConfig, journal: SqliteJournal) -> None:
    [doc] = translate(x12.parse(ADVICE.encode()).transactions[0], None, config.profiles)
    partner = config.partners["northwind"]
    rendered = render(doc, partner, config.profiles, journal, "846", our_ids=config.gateway.our_ids,
                      now=RENDER_TIME)
    text = rendered.data.decode()
    assert "QTY*63*100*EA~\nSCH*100*EA***018*20261211~\nQTY*63*200*EA~\nSCH*200*EA***018*20261218~" in text
    back = translate(x12.parse(rendered.data).transactions[0], partner, config.profiles, profile="northwind-846")
    assert _quantities(back[0]) == _quantities(doc)          # type: ignore[arg-type]
