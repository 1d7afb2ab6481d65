"""CONTRL: built from what we read (UCI / UCF / UCM / UCS / UCD), read back from partners, matched to what we sent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from gateway import acks
from gateway.acks import contrl
from gateway.config.models import EdifactId, EdifactSettings, OurIds, PartnerConfig
from gateway.formats import edifact
from gateway.journal.api import Direction
from gateway.journal.sqlite import SqliteJournal
from tests.helpers.corpus import corpus_files, needs_corpus

NOW = datetime(2026, 11, 29, 9, 30, tzinfo=UTC)
OURS = OurIds(edifact=EdifactId(qualifier="14", id="0614141000005"))

GOOD_BODY = ("BGM+220+PO1+9'DTM+137:20261129:102'NAD+BY+4012345000009::9'LIN+1++00614141000012:EN'"
             "QTY+21:12:PCE'UNS+S'")


def interchange(*bodies: str, ref: str = "77", ung: bool = False, ack: bool = True) -> bytes:
    msgs = []
    for n, body in enumerate(bodies, start=1):
        segs = [s for s in body.split("'") if s]
        msgs.append(f"UNH+M{n}+ORDERS:D:96A:UN:EAN008'" + "".join(s + "'" for s in segs) + f"UNT+{len(segs) + 2}+M{n}'")
    inner = "".join(msgs)
    if ung:
        inner = f"UNG+ORDERS+4012345000009:14+0614141000005:14+261129:0900+G1+UN+D:96A'{inner}UNE+{len(bodies)}+G1'"
        count = 1
    else:
        count = len(bodies)
    request = "++++1" if ack else ""        # UNB 0031: acknowledgement requested
    return (f"UNA:+.? 'UNB+UNOC:3+4012345000009:14+0614141000005:14+261129:0915+{ref}{request}'{inner}"
            f"UNZ+{count}+{ref}'").encode("latin-1")


def partner(**edi: object) -> PartnerConfig:
    return PartnerConfig(id="eurohandel", edifact=EdifactSettings(ids=[EdifactId(qualifier="14", id="4012345000009")],
                                                                  **edi))



def segments(data: bytes) -> list[str]:
    return [s.strip() for s in data.decode("latin-1").split("'") if s.strip()][2:-2]   # UNA.., UNB / UNT, UNZ


def test_clean_interchange_gets_positive_contrl_with_ucm_per_message(journal: SqliteJournal) -> None:
    result = edifact.parse(interchange(GOOD_BODY, GOOD_BODY))
    assert result.issues == []
    [doc] = acks.build(result, partner(), OURS, journal)
    assert doc.doc_type == "CONTRL" and doc.expects_ack is None
    assert segments(doc.data) == [
        "UNH+1+CONTRL:D:3:UN",
        "UCI+77+4012345000009:14+0614141000005:14+7",
        "UCM+M1+ORDERS:D:96A:UN:EAN008+7",
        "UCM+M2+ORDERS:D:96A:UN:EAN008+7",
    ]
    back = edifact.parse(doc.data)
    assert back.issues == [], [str(i) for i in back.issues]      # our CONTRL validates against CONTRL's table
    env = back.interchanges[0]
    assert (env.sender_id, env.receiver_id, env.control_number) == ("0614141000005", "4012345000009", "1")
    assert doc.control_number == "1" and doc.transaction_numbers == ["1"]


def test_numbers_come_from_the_journal_and_never_repeat(journal: SqliteJournal) -> None:
    result = edifact.parse(interchange(GOOD_BODY))
    first = acks.build(result, partner(), OURS, journal)[0]
    second = acks.build(result, partner(), OURS, journal)[0]
    assert (first.control_number, second.control_number) == ("1", "2")


def test_contrl_off_or_only_on_errors(journal: SqliteJournal) -> None:
    clean = edifact.parse(interchange(GOOD_BODY))
    assert acks.build(clean, partner(contrl=False), OURS, journal) == []
    assert acks.build(clean, partner(contrl_on_success=False), OURS, journal) == []
    broken = edifact.parse(interchange(GOOD_BODY.replace("DTM+137:20261129:102'", "")))
    assert len(acks.build(broken, partner(contrl_on_success=False), OURS, journal)) == 1


def test_contrl_requested_answers_exactly_the_interchanges_that_ask(journal: SqliteJournal) -> None:
    requested = partner(contrl="requested", contrl_on_success=False)
    # an interchange asking for acknowledgement (UNB 0031 = 1) gets one, even when it is clean
    [doc] = contrl.build(edifact.parse(interchange(GOOD_BODY)), requested, OURS, journal, now=NOW)
    assert "UCI+77+4012345000009:14+0614141000005:14+7" in segments(doc.data)
    # one that does not ask gets none, clean or broken
    assert acks.build(edifact.parse(interchange(GOOD_BODY, ack=False)), requested, OURS, journal) == []
    broken = interchange(GOOD_BODY.replace("DTM+137:20261129:102'", ""), ack=False)
    assert acks.build(edifact.parse(broken), requested, OURS, journal) == []
    # the default (true) answers both
    assert len(acks.build(edifact.parse(interchange(GOOD_BODY, ack=False)), partner(), OURS, journal)) == 1


def test_segment_and_element_errors_become_ucs_and_ucd(journal: SqliteJournal) -> None:
    bad = GOOD_BODY.replace("DTM+137:20261129:102'", "").replace("QTY+21:12:PCE'", "QTY+21:12x:PCE'")
    result = edifact.parse(interchange(GOOD_BODY, bad))
    [doc] = contrl.build(result, partner(), OURS, journal, now=NOW)
    assert segments(doc.data)[1:] == [
        "UCI+77+4012345000009:14+0614141000005:14+7",
        "UCM+M1+ORDERS:D:96A:UN:EAN008+7",
        "UCM+M2+ORDERS:D:96A:UN:EAN008+4",
        "UCS+2+13",                       # mandatory DTM missing after BGM (position 2), detected at NAD
        "UCS+5",                          # QTY
        "UCD+37+2:2",                     # 6060 not numeric (the segment tag is data element position 1)
    ]
    assert b"+261129:0930+" in doc.data


def test_unt_count_error_is_reported_in_the_ucm(journal: SqliteJournal) -> None:
    data = interchange(GOOD_BODY).replace(b"UNT+8+M1", b"UNT+9+M1")
    [doc] = contrl.build(edifact.parse(data), partner(), OURS, journal, now=NOW)
    assert "UCM+M1+ORDERS:D:96A:UN:EAN008+4+29+UNT+2" in segments(doc.data)


def test_interchange_error_rejects_at_uci(journal: SqliteJournal) -> None:
    data = interchange(GOOD_BODY).replace(b"UNZ+1+77", b"UNZ+1+78")
    [doc] = contrl.build(edifact.parse(data), partner(), OURS, journal, now=NOW)
    assert segments(doc.data)[1:] == ["UCI+77+4012345000009:14+0614141000005:14+4+28+UNZ+3"]


def test_groups_get_ucf(journal: SqliteJournal) -> None:
    result = edifact.parse(interchange(GOOD_BODY, ung=True))
    assert result.issues == []
    [doc] = contrl.build(result, partner(), OURS, journal, now=NOW)
    assert segments(doc.data)[1:] == [
        "UCI+77+4012345000009:14+0614141000005:14+7",
        "UCF+G1+4012345000009:14+0614141000005:14+7",
        "UCM+M1+ORDERS:D:96A:UN:EAN008+7",
    ]
    assert edifact.parse(doc.data).issues == []


def test_syntax_4_partner_gets_version_4_contrl(journal: SqliteJournal) -> None:
    [doc] = contrl.build(edifact.parse(interchange(GOOD_BODY)), partner(syntax_version="4", una=False),
                         OURS, journal, now=NOW)
    assert doc.data.startswith(b"UNB+UNOC:4+0614141000005:14+4012345000009:14+20261129:0930+")
    assert b"UNH+1+CONTRL:4:1:UN'" in doc.data


def test_a_contrl_is_not_acknowledged(journal: SqliteJournal) -> None:
    [doc] = contrl.build(edifact.parse(interchange(GOOD_BODY)), partner(), OURS, journal, now=NOW)
    assert contrl.build(edifact.parse(doc.data), partner(), OURS, journal) == []


def test_read_our_own_contrl_round_trip(journal: SqliteJournal) -> None:
    bad = GOOD_BODY.replace("QTY+21:12:PCE'", "QTY+21:12x:PCE'")
    [doc] = contrl.build(edifact.parse(interchange(GOOD_BODY, bad)), partner(), OURS, journal, now=NOW)
    tx = edifact.parse(doc.data).transactions[0]
    assert acks.is_ack(tx)
    ack = acks.read(tx)
    assert (ack.ack_standard, ack.interchange_control, ack.status) == ("CONTRL", "77", "partially_accepted")
    assert [(t.control_number, t.doc_type, t.status) for t in ack.transactions] == [
        ("M1", "ORDERS", "accepted"), ("M2", "ORDERS", "rejected")]
    assert ack.transactions[1].errors == ["element 2.2: error 37 (invalid type of characters)"]


def test_read_corpus_contrl_rejection() -> None:
    data = b"UNB+UNOC:3+RECIPIENT:12+SENDER PHONE:12+090819:1435+1++++++1\nUNH+GESMES1+CONTRL:D:3:UN+1F\n" \
           b"UCI+1+SENDER PHONE+RECIPIENT+4\nUNT+3+GESMES1\nUNZ+1+1"
    ack = contrl.read(edifact.parse(data).transactions[0])
    assert (ack.interchange_control, ack.status, ack.transactions) == ("1", "rejected", [])


def test_inbound_contrl_matches_the_interchange_we_sent(journal: SqliteJournal) -> None:
    # Given an outbound ORDRSP we sent as interchange 5 and told the journal to expect a CONTRL for
    sent = journal.record_intake(direction=Direction.OUT, partner="eurohandel", channel="folder",
                                 filename="out.edi", sha256="b" * 64, size=10, source_key=None)
    journal.expect_ack(sent.id, "eurohandel", "CONTRL", "5", None, NOW + timedelta(hours=24))
    # When the partner's CONTRL for interchange 5 arrives and is read
    theirs = (b"UNA:+.? 'UNB+UNOC:3+4012345000009:14+0614141000005:14+261129:1000+900'"
              b"UNH+1+CONTRL:D:3:UN'UCI+5+0614141000005:14+4012345000009:14+7'UCM+1+ORDRSP:D:96A:UN+7'"
              b"UNT+4+1'UNZ+1+900'")
    ack = acks.read(edifact.parse(theirs).transactions[0])
    # Then the journal finds our message from the UCI reference
    assert ack.status == "accepted"
    assert journal.match_ack("eurohandel", "CONTRL", ack.interchange_control or "", ack.group_control) == sent.id


@needs_corpus
def test_contrl_for_every_corpus_interchange_is_itself_valid(journal: SqliteJournal) -> None:
    built = 0
    for path in corpus_files("edifact", "*.edi"):
        result = edifact.parse(path.read_bytes())
        for doc in contrl.build(result, partner(), OURS, journal, now=NOW):
            back = edifact.parse(doc.data)
            assert back.issues == [], (path.name, [str(i) for i in back.issues])
            ack = contrl.read(back.transactions[0])
            assert ack.interchange_control == result.interchanges[0].control_number or len(result.interchanges) > 1
            built += 1
    assert built >= 40
