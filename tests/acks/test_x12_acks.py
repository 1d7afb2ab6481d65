"""997 / 999 / TA1 built from real validation reports, checked by our reader and by pyx12; partners' acks read."""

from __future__ import annotations

import io
import json
import logging
from datetime import UTC, datetime, timedelta

from gateway.acks import x12 as acks
from gateway.config.models import OurIds, PartnerConfig, X12Id, X12Settings
from gateway.formats import x12
from gateway.formats.base import Severity
from gateway.journal.api import Direction, State
from gateway.journal.sqlite import SqliteJournal

ISA_4010 = ("ISA*00*          *00*          *ZZ*BIGBOXRETAIL   *ZZ*ACMEDIST       *260115*1030*U*00401*"
            "000000101*1*P*>~")
ISA_5010 = ("ISA*00*          *00*          *ZZ*8005551234     *ZZ*ACMEDIST       *260115*1030*^*00501*"
            "000000202*0*P*:~")
GOOD_850 = ["ST*850*0001", "BEG*00*SA*PO-4711**20260115", "PO1*1*10*EA*12.50**UP*614141000012", "CTT*1",
            "SE*5*0001"]
# BEG05 is not a date, PO1 quantity is not a number, an unknown segment, and a missing BEG
BAD_850 = ["ST*850*0002", "BEG*00*SA*PO-4712**2026011X", "PO1*1*TEN*EA*12.50**UP*614141000012", "ZZZ*1",
           "CTT*1", "SE*6*0002"]
NO_BEG_850 = ["ST*850*0003", "PO1*1*10*EA*12.50**UP*614141000012", "CTT*1", "SE*4*0003"]


def file_of(isa: str, version: str, sets: list[list[str]], gs06: str = "101") -> bytes:
    segs = [f"GS*PO*BIGBOX*ACMEDIST*20260115*1030*{gs06}*X*{version}"]
    for s in sets:
        segs += s
    segs += [f"GE*{len(sets)}*{gs06}", f"IEA*1*{isa.split('*')[13]}"]
    return (isa + "\n" + "".join(s + "~\n" for s in segs)).encode()



def partner(ack: str = "997", ta1: bool = False) -> PartnerConfig:
    return PartnerConfig(id="bigbox", x12=X12Settings(ids=[X12Id(qualifier="ZZ", id="BIGBOXRETAIL")], ack=ack,
                                                      ta1=ta1))


OUR = OurIds(x12=X12Id(qualifier="ZZ", id="ACMEDIST"), gs="ACMEDIST")


def pyx12_errors(data: bytes) -> list[str]:
    """Validate with pyx12 (independent). Returns its error messages; [] when valid."""
    import pyx12.params
    import pyx12.x12n_document
    param = pyx12.params.params()
    out = io.StringIO()
    errors: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.levelno >= logging.ERROR:
                errors.append(record.getMessage())
    log = logging.getLogger("pyx12")
    keep = Keep()
    log.addHandler(keep)
    try:
        ok = pyx12.x12n_document.x12n_document(param, io.StringIO(data.decode()), None, None, fd_json=out)
    finally:
        log.removeHandler(keep)

    def collect(node: object) -> None:
        if isinstance(node, dict):
            errors.extend(json.dumps(e) for e in node.get("errors", []))
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)
    collect(json.loads(out.getvalue() or "{}"))
    return errors if errors or ok else ["pyx12 rejected the document"]


def substitute_healthcare_codes(data: bytes, ak1: str, ak2: str) -> bytes:
    """pyx12's 997/999 maps are for health care: AK101 admits HC etc., AK201 only 270..837.

    We validate everything else with pyx12 and check these two elements ourselves (below).
    """
    text = data.decode()
    text = text.replace(f"AK1*{ak1}*", "AK1*HC*")
    return text.replace(f"AK2*{ak2}*", "AK2*837*").encode()


def test_997_for_a_group_with_good_and_bad_sets(journal: SqliteJournal) -> None:
    result = x12.parse(file_of(ISA_4010, "004010", [GOOD_850, BAD_850, NO_BEG_850]))
    docs = acks.build(result, partner(), OUR, journal)
    assert [d.doc_type for d in docs] == ["997"]
    doc = docs[0]
    ack = x12.parse(doc.data)
    assert not ack.errors, [str(i) for i in ack.errors]              # our own reader and 997 definition
    env = ack.interchanges[0]
    assert (env.sender_id, env.receiver_id, env.version) == ("ACMEDIST", "BIGBOXRETAIL", "00401")
    assert ack.groups[0].functional_id == "FA" and ack.groups[0].version == "004010"
    assert doc.control_number == env.control_number and doc.group_number == ack.groups[0].control_number
    segs = [s for s in ack.transactions[0].segments]
    text = ["*".join(s.fields) for s in segs]
    # AK101/AK201 are checked here, since pyx12 cannot (see substitute_healthcare_codes)
    assert text[1] == "AK1*PO*101"
    assert [t for t in text if t.startswith("AK2")] == ["AK2*850*0001", "AK2*850*0002", "AK2*850*0003"]
    assert [t for t in text if t.startswith("AK5")] == ["AK5*A", "AK5*R*5", "AK5*R*5"]
    assert "AK3*BEG*2**8" in text and "AK4*5*373*8*2026011X" in text      # bad date, located
    assert "AK3*PO1*3*PO1*8" in text and "AK4*2*330*6*TEN" in text      # in loop PO1 (AK303)
    assert any(t.startswith("AK3*ZZZ*4*") for t in text)                     # unknown segment
    assert "AK3*BEG*2**3" in text                                            # mandatory BEG missing, seen at PO1
    assert text[-2] == "AK9*P*3*3*1"
    assert pyx12_errors(substitute_healthcare_codes(doc.data, "PO", "850")) == []


def test_sets_accepted_with_errors_go_on_only_when_the_partner_allows() -> None:
    warn_850 = ["ST*850*0004", "BEG*00*SA*PO-4713**20260115", "PO1*1*10*EA*12.50**UP*614141000012",
                "CTT*1*" + "9" * 11, "SE*5*0004"]                # CTT02 too long: accepted with errors
    result = x12.parse(file_of(ISA_4010, "004010", [GOOD_850, BAD_850, warn_850]))
    lenient = PartnerConfig(id="bigbox", x12=X12Settings(accept_with_errors=True))
    strict = PartnerConfig(id="bigbox", x12=X12Settings(accept_with_errors=False))
    assert [t.control_number for t in acks.accepted_transactions(result, lenient)] == ["0001", "0004"]
    assert [t.control_number for t in acks.accepted_transactions(result, strict)] == ["0001"]


def test_999_for_005010_and_numbers_from_the_journal(journal: SqliteJournal) -> None:
    data = file_of(ISA_5010, "005010", [GOOD_850, BAD_850])
    p = partner(ack="999")
    first = acks.build(x12.parse(data), p, OUR, journal)
    second = acks.build(x12.parse(data), p, OUR, journal)
    assert [d.doc_type for d in first] == ["999"]
    assert int(second[0].control_number) == int(first[0].control_number) + 1
    ack = x12.parse(first[0].data)
    assert not ack.errors, [str(i) for i in ack.errors]
    text = ["*".join(s.fields) for s in ack.transactions[0].segments]
    assert ack.groups[0].version == "005010X231A1" and text[0].endswith("*005010X231A1")
    assert text[1] == "AK1*PO*101*005010"
    assert "IK3*BEG*2**8" in text and "IK4*5*373*8*2026011X" in text
    assert [t for t in text if t.startswith("IK5")] == ["IK5*A", "IK5*R*5"]
    delimiters = ack.interchanges[0].delimiters
    assert ack.interchanges[0].version == "00501" and delimiters is not None and delimiters.repetition == "^"
    assert pyx12_errors(substitute_healthcare_codes(first[0].data, "PO", "850")) == []


def test_pyx12_is_a_real_check() -> None:
    """The independent validator does fail a broken 997 (so the tests above can fail)."""
    bad = ("ISA*00*          *00*          *ZZ*ACMEDIST       *ZZ*BIGBOXRETAIL   *260115*1030*U*00401*"
           "000000001*0*P*>~GS*FA*ACMEDIST*BIGBOX*20260115*1030*1*X*004010~ST*997*0001~AK1*HC*101~"
           "AK9*Q*1*1*1~SE*4*0001~GE*1*1~IEA*1*000000001~")
    assert pyx12_errors(bad.encode()) != []


def test_ta1_when_asked_and_interchange_rejected(journal: SqliteJournal) -> None:
    text = file_of(ISA_4010, "004010", [GOOD_850]).decode().replace("IEA*1*000000101", "IEA*1*000000999")
    result = x12.parse(text.encode())
    docs = acks.build(result, partner(ta1=True), OUR, journal)
    assert [d.doc_type for d in docs] == ["TA1"]
    ta1 = x12.parse(docs[0].data)
    seg = ta1.transactions[0].segments[0]
    assert ta1.transactions[0].doc_type == "TA1" and not ta1.errors
    assert seg.fields == ["TA1", "000000101", "260115", "1030", "R", "001"]
    assert not ta1.groups
    # without TA1 configured, the partner still hears about it in the 997
    docs = acks.build(result, partner(ta1=False), OUR, journal)
    assert [d.doc_type for d in docs] == ["997"]
    assert "AK9*R*1*1*0" in docs[0].data.decode()


def test_a_ta1_about_a_malformed_isa13_is_itself_valid(journal: SqliteJournal) -> None:
    """The TA1 that tells a partner its ISA13 is not 9 digits quotes it as far as it can: echoing '00000080X'
    (and a date that is no date) made our own TA1 invalid, so the partner's translator refused it in turn."""
    text = file_of(ISA_4010, "004010", [GOOD_850]).decode()
    text = text.replace("*000000101*", "*00000080X*", 1).replace("*260115*1030*", "*26011X*10:3*", 1)
    docs = acks.build(x12.parse(text.encode()), partner(ta1=True), OUR, journal,
                      now=datetime(2026, 11, 30, 9, 5))
    ta1 = x12.parse(docs[0].data)
    assert not ta1.errors, [str(i) for i in ta1.errors]
    assert ta1.transactions[0].segments[0].fields[:4] == ["TA1", "000000080", "261130", "0905"]


def test_clean_interchange_with_isa14_gets_accepting_ta1_and_997(journal: SqliteJournal) -> None:
    docs = acks.build(x12.parse(file_of(ISA_4010, "004010", [GOOD_850])), partner(ta1=True), OUR, journal)
    assert [d.doc_type for d in docs] == ["TA1", "997"]
    assert "TA1*000000101*260115*1030*A*000" in docs[0].data.decode()
    assert "AK9*A*1*1*1" in docs[1].data.decode()


def test_no_ack_for_none_and_never_an_ack_for_an_ack(journal: SqliteJournal) -> None:
    result = x12.parse(file_of(ISA_4010, "004010", [GOOD_850]))
    assert acks.build(result, partner(ack="none"), OUR, journal) == []
    ours = acks.build(result, partner(), OUR, journal)[0]
    assert acks.build(x12.parse(ours.data), partner(), OUR, journal) == []


def test_duplicate_interchange_is_reported_and_not_acknowledged_twice(journal: SqliteJournal) -> None:
    data = file_of(ISA_4010, "004010", [GOOD_850])
    first = x12.parse(data)
    assert x12.check_duplicates(first, journal, "bigbox", "MSG1") == []
    again = x12.parse(data)
    found = x12.check_duplicates(again, journal, "bigbox", "MSG2")
    assert [(i.code, i.level) for i in found] == [("025", "interchange")] and "MSG1" in found[0].message
    assert not again.transactions[0].accepted
    assert acks.build(again, partner(), OUR, journal) == []
    assert [d.doc_type for d in acks.build(again, partner(ta1=True), OUR, journal)] == ["TA1"]


def _sent(journal: SqliteJournal, kind: str, group: str) -> str:
    msg = journal.record_intake(direction=Direction.OUT, partner="bigbox", channel="as2", filename="856.x12",
                                sha256="ab" * 32, size=10, source_key=None, state=State.QUEUED)
    journal.transition(msg.id, State.SENT, "delivered")
    journal.expect_ack(msg.id, "bigbox", kind, "000000555", group, datetime.now(UTC) + timedelta(hours=1))
    return msg.id


def test_partner_997_marks_our_message_accepted_or_rejected(journal: SqliteJournal) -> None:
    ok_id = _sent(journal, "997", "555")
    bad_id = _sent(journal, "997", "556")
    corpus_like = ("ISA*00*          *00*          *ZZ*BIGBOXRETAIL   *ZZ*ACMEDIST       *260116*0900*U*00401*"
                   "000000777*0*P*>~GS*FA*BIGBOX*ACMEDIST*20260116*0900*777*X*004010~"
                   "ST*997*0001~AK1*SH*555~AK2*856*0001~AK5*A~AK9*A*1*1*1~SE*6*0001~"
                   "ST*997*0002~AK1*SH*556~AK2*856*0002~AK3*HL*4**8~AK4*3*735*7*Z~AK5*R*5~AK9*R*1*1*0~SE*8*0002~"
                   "GE*2*777~IEA*1*000000777~")
    result = x12.parse(corpus_like.encode())
    assert not result.errors
    read = [acks.read(t) for t in result.transactions]
    assert [(a.group_control, a.status) for a in read] == [("555", "accepted"), ("556", "rejected")]
    assert read[1].transactions[0].errors == ["segment HL at position 4: error 8", "element 3 (ref 735): error 7",
                                              "set error codes 5"]
    assert acks.apply(read[0], "bigbox", journal) == [ok_id]
    assert acks.apply(read[1], "bigbox", journal) == [bad_id]
    assert journal.get(ok_id).state is State.DONE and journal.get(bad_id).state is State.REJECTED


def test_overdue_acknowledgements_are_listed(journal: SqliteJournal) -> None:
    late = _sent(journal, "997", "600")
    assert acks.overdue(journal, datetime.now(UTC)) == []
    assert acks.overdue(journal, datetime.now(UTC) + timedelta(hours=2)) == [late]


def test_partner_ta1_is_read() -> None:
    text = ("ISA*00*          *00*          *ZZ*BIGBOXRETAIL   *ZZ*ACMEDIST       *260116*0900*U*00401*"
            "000000778*0*P*>~TA1*000000555*260115*1030*R*022~IEA*0*000000778~")
    result = x12.parse(text.encode())
    ack = acks.read(result.transactions[0])
    assert (ack.ack_standard, ack.interchange_control, ack.status, ack.notes) == \
        ("TA1", "000000555", "rejected", ["TA105 022"])
    assert not [i for i in result.issues if i.severity is Severity.ERROR]
