"""997 / 999 / TA1 for malformed X12 written here, run through the in-process pipeline (real reader,
validator, journal and archive; no Odoo) or the ack builder, the acknowledgement's bytes checked against
X12: AK5 / IK5 per set, AK9 counts (AK904: sets accepted, A or E), AK303 loop ids, C030 positions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, closing
from datetime import datetime
from itertools import count
from pathlib import Path
from typing import Any, Protocol

import pytest

from gateway.acks import x12 as acks
from gateway.config.loader import load
from gateway.formats import x12
from gateway.journal.api import Message, State
from gateway.journal.archive import Archive
from gateway.journal.sqlite import SqliteJournal
from gateway.pipeline import Pipeline
from gateway.transports.base import IntakeMeta
from tests.acks.test_x12_acks import (
    ISA_4010,
    OUR,
    _sent,
    file_of,
    partner,
    pyx12_errors,
    substitute_healthcare_codes,
)
from tests.helpers.gateway import Workspace
from tests.helpers.x12 import purchase_order
from tests.spine.test_daemon import ACME


class Make(Protocol):
    def __call__(self, x12: dict[str, Any] | None = None) -> Pipeline: ...


@pytest.fixture
def make(tmp_path: Path) -> Iterator[Make]:
    """In-process pipelines for partner acme, its `x12:` settings overridden; journals closed after the test."""
    numbers = count()
    with ExitStack() as journals:
        def build(x12: dict[str, Any] | None = None) -> Pipeline:
            acme = {**ACME, "x12": {**ACME["x12"], **(x12 or {})}}                # type: ignore[dict-item]
            config = load(Workspace.create(tmp_path / f"ws{next(numbers)}",
                                           partners={"acme": acme}).config, environ={})
            journal = journals.enter_context(closing(SqliteJournal(config.gateway.state_dir / "journal.sqlite3")))
            return Pipeline(config, journal, Archive(config.gateway.archive_dir))
        yield build


def run(pipeline: Pipeline, data: bytes, name: str) -> tuple[Message, list[list[str]]]:
    """The message after its inbound steps, and the body segments of each 997 it got (ST to SE excluded)."""
    message = pipeline.submit_sync(data, IntakeMeta(channel="folder", filename=name, source_key=name))
    done = pipeline.advance(message.id)
    bodies = []
    for ack in pipeline.journal.children(message.id):
        if ack.doc_type in ("997", "999"):
            for tx in x12.parse(pipeline.archive.read(ack.sha256)).transactions:
                bodies.append(["*".join(s.fields) for s in tx.segments[1:-1]])
    return done, bodies


def test_sets_of_a_group_rejected_by_its_trailer_are_acknowledged_rejected(make: Make) -> None:
    """A GE01 that miscounts rejects the group, and the gateway does not translate its sets; the 997 said
    AK5*A for each and counted them accepted in AK904 (AK9*R*2*1*1*5), so a partner reading set by set took
    the order as delivered while it never reached Odoo."""
    pipeline = make()
    good, bad = purchase_order(10), purchase_order(11).replace(b"GE*1*11~", b"GE*2*11~")
    done, [first, second] = run(pipeline, good + bad, "two.x12")
    assert done.state is State.DONE
    assert "PO0000011" not in (pipeline.journal.get_blob(done.id, "canonical") or "")
    assert first == ["AK1*PO*10", "AK2*850*0010", "AK5*A", "AK9*A*1*1*1"]
    assert second == ["AK1*PO*11", "AK2*850*0011", "AK5*R", "AK9*R*2*1*0*5"]


@pytest.mark.parametrize(("fault", "ak9"), [
    (lambda t: t.replace("GE*1*101", "GE*1*102"), "AK9*R*1*1*0*4"),         # GE02 is not GS06
    (lambda t: t.replace("GE*1*101~\n", ""), "AK9*R*1*1*0*3"),              # no GE
])
def test_every_group_fault_rejects_its_sets(fault: Any, ak9: str, journal: SqliteJournal) -> None:
    data = fault(file_of(ISA_4010, "004010", [["ST*850*0001", "BEG*00*SA*PO-1**20260115",
                                                "PO1*1*10*EA*12.50**UP*614141000012", "CTT*1", "SE*5*0001"]])
                 .decode()).encode()
    result = x12.parse(data)
    assert acks.accepted_transactions(result, partner()) == []
    [doc] = acks.build(result, partner(), OUR, journal, now=datetime(2026, 11, 30, 9, 5))
    text = doc.data.decode()
    assert "AK5*R~" in text and ak9 + "~" in text
    assert pyx12_errors(substitute_healthcare_codes(doc.data, "PO", "850")) == []


ISA_5010_BIGBOX = ISA_4010.replace("*U*00401*", "*^*00501*").replace("*>~", "*:~")


def ack_text(data: bytes, journal: SqliteJournal, ack: str = "997") -> list[str]:
    [doc] = acks.build(x12.parse(data), partner(ack=ack), OUR, journal, now=datetime(2026, 11, 30, 9, 5))
    back = x12.parse(doc.data)
    assert not back.errors, [str(i) for i in back.errors]            # our 997 / 999 is valid itself
    if ack == "999" or back.groups[0].version == "004010":          # pyx12's maps: 004010 997, 005010 999
        assert pyx12_errors(substitute_healthcare_codes(doc.data, "PO", "850")) == []
    return ["*".join(s.fields) for s in back.transactions[0].segments[1:-1]]


def order(*middle: str) -> list[str]:
    segs = ["ST*850*0001", "BEG*00*SA*PO-1**20260115", *middle]
    return [*segs, f"SE*{len(segs) + 1}*0001"]


def test_a_segment_in_a_loop_names_its_loop_in_ak303_and_ik303(journal: SqliteJournal) -> None:
    """AK303 / IK303 carry the loop id of the transaction set diagram; an element error in a segment inside a
    loop (N1 or PO1 here) left it empty, so the partner was not told which N1 or PO1 iteration's segment."""
    data = order("N1*ST*STORE 1*92*1", "N3*" + "A" * 60, "PO1*1*10*EA*12.50**UP*614141000012",
                 "PID*F****" + "D" * 81, "CTT*1")
    text = ack_text(file_of(ISA_4010, "004010", [data]), journal)
    assert text[2:7] == ["AK3*N1*3*N1*8", "AK4*4*67*4*1", "AK3*N3*4*N1*8", "AK4*1*166*5*" + "A" * 60,
                         "AK3*PID*6*PID*8"]
    text = ack_text(file_of(ISA_5010_BIGBOX, "005010", [data]), journal, ack="999")
    assert "IK3*N3*4*N1*8" in text and "IK3*PID*6*PID*8" in text
    # a missing mandatory loop is reported at its trigger segment, which is in that loop
    no_lines = order("CTT*1")
    assert "AK3*PO1*3*PO1*3" in ack_text(file_of(ISA_4010, "004010", [no_lines]), journal)
    # a header segment is in no loop: AK303 stays empty
    header = order("DTM*002*2026011X", "PO1*1*10*EA*12.50**UP*614141000012", "CTT*1")
    assert "AK3*DTM*3**8" in ack_text(file_of(ISA_4010, "004010", [header]), journal)


def test_ik401_names_the_repetition_at_fault(journal: SqliteJournal) -> None:
    """C030-03 (005010): the second of two repetitions is at fault: IK401 is 2::2 (element 2, no component,
    repetition 2); it said 2, as if the first repetition were wrong."""
    data = order("PO1*1*10*EA*12.50**UP*614141000012", "DTM*002*20260101^2026X101", "CTT*1")
    text = ack_text(file_of(ISA_5010_BIGBOX, "005010", [data]), journal, ack="999")
    assert "IK3*DTM*4*PO1*8" in text and "IK4*2>>2*373*8*2026X101" in text


def test_a_used_composite_without_its_mandatory_component_is_reported(journal: SqliteJournal) -> None:
    """REF04 (C040) is optional, but when used C040-02 is mandatory: REF*DP*12**ZZ was acknowledged AK5*A.
    It is now an AK4 4>2 code 1 (accepted with errors: the composite itself is optional)."""
    data = order("REF*DP*12**ZZ", "PO1*1*10*EA*12.50**UP*614141000012", "CTT*1")
    text = ack_text(file_of(ISA_4010, "004010", [data]), journal)
    assert text[2:5] == ["AK3*REF*3**8", "AK4*4>2*127*1", "AK5*E*5"]


def test_a_ta1_about_an_isa_date_that_is_no_date_carries_a_valid_date(journal: SqliteJournal) -> None:
    """ISA09 261315 (month 13) is six digits: the TA1 rejecting it with 014 echoed it as TA102, so our TA1
    was invalid in turn; TA102 / TA103 are now ours when the partner's are no date or time."""
    data = file_of(ISA_4010.replace("*260115*1030*", "*261315*2570*"), "004010",
                   [order("PO1*1*10*EA*12.50**UP*614141000012", "CTT*1")])
    [ta1] = acks.build(x12.parse(data), partner(ta1=True), OUR, journal, now=datetime(2026, 11, 30, 9, 5))
    back = x12.parse(ta1.data)
    assert not back.errors, [str(i) for i in back.errors]
    assert back.transactions[0].segments[0].fields == ["TA1", "000000101", "261130", "0905", "R", "014"]


def test_codes_and_references_are_ones_the_acknowledged_version_has(journal: SqliteJournal) -> None:
    """004010's element 723 stops at 10 and AK402 (725) is a number: too many components in REF04 went out as
    AK4*4*C040*13, which pyx12 (and a strict translator) refuses twice. Now AK4*4**3 (too many data elements);
    a 005010 group keeps 13. A rule's element gets its reference (AK4*2*127*2)."""
    data = order("REF*DP*12**ZZ>A>ZZ>B>ZZ>C>ZZ>D", "REF*DP", "PO1*1*10*EA*12.50**UP*614141000012", "CTT*1")
    text = ack_text(file_of(ISA_4010, "004010", [data]), journal)
    assert text[2:6] == ["AK3*REF*3**8", "AK4*4**3*ZZAZZBZZCZZD", "AK3*REF*4**8", "AK4*2*127*2"]
    [doc] = acks.build(x12.parse(file_of(ISA_4010, "004010", [data])), partner(), OUR, journal)
    assert pyx12_errors(substitute_healthcare_codes(doc.data, "PO", "850")) == []
    data5 = [seg.replace(">", ":") for seg in data]                  # that ISA's component separator
    assert "AK4*4**13*ZZ:A:ZZ:B:ZZ:C:ZZ:D" in ack_text(file_of(ISA_5010_BIGBOX, "005010", [data5]), journal)


def test_a_repeated_group_number_is_coded_as_the_version_says(journal: SqliteJournal) -> None:
    """AK905 19 is "group control number not unique" from 004050 on; in 004010 it means "S1E security end
    segment missing". A 004010 interchange repeating GS06 now gets 6 (group control number violates syntax)."""
    sets = [order("PO1*1*10*EA*12.50**UP*614141000012", "CTT*1")]
    one = file_of(ISA_4010, "004010", sets).decode()
    groups = one[one.index("GS*"):one.index("IEA*")]
    twice = one.replace(groups, groups + groups).replace("IEA*1*", "IEA*2*").encode()
    [doc] = acks.build(x12.parse(twice), partner(), OUR, journal)
    assert "AK9*R*1*1*0*6~" in doc.data.decode()
    one5 = file_of(ISA_5010_BIGBOX, "005010", sets).decode()
    twice5 = one5.replace(groups.replace("004010", "005010"), groups.replace("004010", "005010") * 2)
    [doc] = acks.build(x12.parse(twice5.replace("IEA*1*", "IEA*2*").encode()), partner(), OUR, journal)
    assert "AK9*R*1*1*0*19~" in doc.data.decode()


def test_ak404_copies_the_bad_value_as_sent_less_our_delimiters(journal: SqliteJournal) -> None:
    """AK404 kept letters, digits and ' .-/' only: a name too long, 'J&J SONS, INC. #12 (...)', came back
    without its '&', ',', '#', '(' and ')', so the partner could not search its file for it. Only what
    would break our own 997 (its delimiters, control characters) is left out now."""
    name = "J&J SONS, INC. #12 (" + "X" * 45 + ")"
    data = order(f"N1*ST*{name}>A", "PO1*1*10*EA*12.50**UP*614141000012", "CTT*1")
    text = ack_text(file_of(ISA_4010, "004010", [data]), journal)
    assert f"AK4*2*93*5*{name}A" in text                 # '>' is our component separator: left out


def test_accept_with_errors_off_rejects_a_set_with_errors_and_says_so(make: Make) -> None:
    """x12.accept_with_errors: false had no effect: the pipeline translated every accepted set, so a set with
    errors noted went to Odoo while the setting promised it would not (only an unused helper read it). Now
    such a set is rejected in the 997 (AK5*R*5, its errors listed) and not translated; with the default
    (true) it is acknowledged E and goes on."""
    warn = purchase_order(21).replace(b"CTT*1~", b"CTT*1*" + b"9" * 11 + b"~")      # CTT02 too long: a warning
    lenient, strict = make(), make({"accept_with_errors": False})
    done, [body] = run(lenient, warn, "warn.x12")
    assert done.state is State.DONE and "PO0000021" in (lenient.journal.get_blob(done.id, "canonical") or "")
    assert body[-3:] == ["AK4*2*347*5*99999999999", "AK5*E*5", "AK9*E*1*1*1"]
    held, [body] = run(strict, warn, "warn.x12")
    assert held.state is State.QUARANTINED and "accept_with_errors: false" in (held.last_error or "")
    assert body[-3:] == ["AK4*2*347*5*99999999999", "AK5*R*5", "AK9*R*1*1*0"]


def test_a_partners_997_rejecting_our_group_says_why(journal: SqliteJournal) -> None:
    """AK905 (the group's error: our GE01 miscounted, say) was not read: the message we sent was marked
    'rejected' and nothing said why. It is now in the reason: 997 rejected (AK905 5 (...))."""
    ours = _sent(journal, "997", "555")
    theirs = ("ISA*00*          *00*          *ZZ*BIGBOXRETAIL   *ZZ*ACMEDIST       *260116*0900*U*00401*"
              "000000777*0*P*>~GS*FA*BIGBOX*ACMEDIST*20260116*0900*777*X*004010~"
              "ST*997*0001~AK1*SH*555~AK9*R*2*1*0*5~SE*4*0001~GE*1*777~IEA*1*000000777~")
    [tx] = x12.parse(theirs.encode()).transactions
    read = acks.read(tx)
    assert read.notes == ["AK905 5 (number of included transaction sets does not match)"]
    assert acks.apply(read, "bigbox", journal) == [ours]
    events = journal.events(ours)
    assert journal.get(ours).state is State.REJECTED
    assert "997 rejected (AK905 5 (number of included transaction sets does not match))" in events[-1].reason


def test_ak404_leaves_out_characters_outside_ascii(journal: SqliteJournal) -> None:
    """A name too long with an 'Ü' and an 'É' in it (an 850 from a translator writing UTF-8): AK404 copied
    them, and pyx12 refused our 997 ('AK404 is type AN, contains an invalid character'), so the partner's
    translator held to X12's character sets would drop the acknowledgement of the very error. The copy now
    keeps the printable ASCII of the value; the 997 and 999 validate."""
    name = "MÜLLER GMBH É " + "X" * 50
    data = order(f"N1*ST*{name}", "PO1*1*10*EA*12.50**UP*614141000012", "CTT*1")
    text = ack_text(file_of(ISA_4010, "004010", [data]), journal)          # pyx12-checked in ack_text
    assert "AK4*2*93*5*MLLER GMBH  " + "X" * 50 in text
    text = ack_text(file_of(ISA_5010_BIGBOX, "005010", [data]), journal, ack="999")
    assert "IK4*2*93*5*MLLER GMBH  " + "X" * 50 in text


def _piped(*body: str) -> bytes:
    """An 850 interchange whose ISA declares '|' as element separator (ours is '*'), with `body` as its set."""
    isa = purchase_order(40).decode().split("~\n", 1)[0].replace("*", "|")
    segs = ["GS|PO|ACMERETAIL|ACMEDIST|20261129|0850|40|X|004010", *body, "GE|1|40", "IEA|1|000000040"]
    return (isa + "~\n" + "".join(s + "~\n" for s in segs)).encode()


def test_a_partners_damaged_segment_ids_do_not_keep_its_997_from_being_written(make: Make) -> None:
    """A partner whose ISA says '|' wrote its N1 with '*' (a translator configured twice): the reader takes
    'N1*ST*DC 1' for the segment id, and the 997 refused to be written ('AK301 value 'N1*' contains the element
    separator '*''): the file was quarantined with that as its reason, telling the coordinator to change the
    partner's delimiters, and the partner got no 997 for a set that was rejected. AK301 now quotes the id's
    leading letters and digits; a segment with no id at all ('|X') gets no AK3, its set still AK5*R*5; an ST02
    with our separator in it is quoted without it."""
    pipeline = make()
    done, [body] = run(pipeline, _piped("ST|850|0040", "BEG|00|SA|PO0000040||20261129", "N1*ST*DC 1",
                                        "PO1|1|2|EA|12.5||UP|614141000011", "CTT|1", "SE|6|0040"), "mixed.x12")
    assert "AK3" not in (done.last_error or "")
    assert body == ["AK1*PO*40", "AK2*850*0040", "AK3*N1*3**1", "AK5*R*5", "AK9*R*1*1*0"]
    done, [body] = run(pipeline, _piped("ST|850|0041", "BEG|00|SA|PO0000041||20261129", "|X",
                                        "PO1|1|2|EA|12.5||UP|614141000011", "CTT|1", "SE|6|0041"), "noid.x12")
    assert body == ["AK1*PO*40", "AK2*850*0041", "AK5*R*5", "AK9*R*1*1*0"]
    done, [body] = run(pipeline, _piped("ST|850|00*2", "BEG|00|SA|PO0000042||20261129",
                                        "PO1|1|2|EA|12.5||UP|614141000011", "CTT|1", "SE|5|00*2"), "st02.x12")
    assert body[:2] == ["AK1*PO*40", "AK2*850*0002"]
