"""CONTRL positions and codes as ISO 9735 defines them, checked on malformed interchanges written here.

- S011 0098 (UCI, UCF, UCM, UCD): "the segment tag has position number 1", so the first data element after
  the tag is 2 (service directory, syntax 3 and 4 alike);
- UCS 0096: counted from UNH = 1; a missing segment is reported at "the last segment processed before the
  position where the missing segment was expected";
- a missing UNT or UNE is named in 0013 of the UCM / UCF, a segment missing before UNT is a UCS, not a UCM;
- UCI S002 / S003 are the subject interchange's sender and recipient as they were in its UNB (the CONTRL's
  own UNB is the one that swaps them).
"""

from __future__ import annotations

from gateway.acks import contrl
from gateway.formats import edifact
from gateway.journal.sqlite import SqliteJournal
from tests.acks.test_contrl import GOOD_BODY, NOW, OURS, interchange, partner, segments

UCI_OK = "UCI+77+4012345000009:14+0614141000005:14+7"
UCM = "UCM+M1+ORDERS:D:96A:UN:EAN008"


def contrl_of(data: bytes, journal: SqliteJournal) -> list[str]:
    [doc] = contrl.build(edifact.parse(data), partner(), OURS, journal, now=NOW)
    assert edifact.parse(doc.data).issues == []          # still a valid CONTRL
    return segments(doc.data)[1:]


def test_data_element_positions_count_the_segment_tag_as_one(journal: SqliteJournal) -> None:
    # BGM+220+<40 characters>+9: 1004 is BGM's second data element, position 3 counting the tag
    too_long = interchange(GOOD_BODY.replace("BGM+220+PO1+9", "BGM+220+" + "P" * 40 + "+9"))
    assert contrl_of(too_long, journal) == [UCI_OK, f"{UCM}+4", "UCS+2", "UCD+39+3"]
    # QTY+21:1x:PCE: 6060 is component 2 of C186, the first data element: 2:2
    not_numeric = interchange(GOOD_BODY.replace("QTY+21:12:PCE", "QTY+21:1x:PCE"))
    assert contrl_of(not_numeric, journal) == [UCI_OK, f"{UCM}+4", "UCS+6", "UCD+37+2:2"]
    # UNS+S+X: the surplus data element is the second, position 3
    surplus = interchange(GOOD_BODY.replace("UNS+S", "UNS+S+X"))
    assert contrl_of(surplus, journal) == [UCI_OK, f"{UCM}+4", "UCS+7", "UCD+16+3"]


def test_trailer_faults_name_their_element_counting_the_tag(journal: SqliteJournal) -> None:
    unt_count = interchange(GOOD_BODY).replace(b"UNT+8+M1", b"UNT+9+M1")
    assert contrl_of(unt_count, journal) == [UCI_OK, f"{UCM}+4+29+UNT+2"]
    unt_reference = interchange(GOOD_BODY).replace(b"UNT+8+M1", b"UNT+8+M9")
    assert contrl_of(unt_reference, journal) == [UCI_OK, f"{UCM}+4+28+UNT+3"]
    unz_reference = interchange(GOOD_BODY).replace(b"UNZ+1+77", b"UNZ+1+78")
    assert contrl_of(unz_reference, journal) == ["UCI+77+4012345000009:14+0614141000005:14+4+28+UNZ+3"]
    une_count = interchange(GOOD_BODY, ung=True).replace(b"UNE+1+G1", b"UNE+2+G1")
    assert contrl_of(une_count, journal) == [
        UCI_OK, "UCF+G1+4012345000009:14+0614141000005:14+4+29+UNE+2", f"{UCM}+4"]


def test_a_missing_segment_is_reported_at_the_last_segment_read_before_it(journal: SqliteJournal) -> None:
    # BGM missing: the last segment read before its place is UNH, position 1 (DTM, where it shows, is 2)
    no_bgm = interchange(GOOD_BODY.replace("BGM+220+PO1+9'", ""))
    assert contrl_of(no_bgm, journal) == [UCI_OK, f"{UCM}+4", "UCS+1+13"]
    # DTM missing after BGM (position 2), noticed at NAD (position 3)
    no_dtm = interchange(GOOD_BODY.replace("DTM+137:20261129:102'", ""))
    assert contrl_of(no_dtm, journal) == [UCI_OK, f"{UCM}+4", "UCS+2+13"]


def test_a_segment_missing_before_unt_is_a_ucs_not_a_missing_unt(journal: SqliteJournal) -> None:
    # UNS (mandatory) missing: noticed at UNT, reported after QTY (6); the UNT is there and is not at fault
    no_uns = interchange(GOOD_BODY.replace("UNS+S'", ""))
    assert contrl_of(no_uns, journal) == [UCI_OK, f"{UCM}+4", "UCS+6+13"]


def test_a_missing_unt_or_une_is_named_in_the_ucm_or_ucf(journal: SqliteJournal) -> None:
    no_unt = interchange(GOOD_BODY).replace(b"UNT+8+M1'", b"")
    assert contrl_of(no_unt, journal) == [UCI_OK, f"{UCM}+4+13+UNT"]
    no_une = interchange(GOOD_BODY, ung=True).replace(b"UNE+1+G1'", b"")
    assert contrl_of(no_une, journal) == [
        UCI_OK, "UCF+G1+4012345000009:14+0614141000005:14+4+13+UNE", f"{UCM}+4"]


def test_uci_names_the_subject_interchange_as_received_and_the_contrl_goes_back(journal: SqliteJournal) -> None:
    [doc] = contrl.build(edifact.parse(interchange(GOOD_BODY)), partner(), OURS, journal, now=NOW)
    back = edifact.parse(doc.data)
    env = back.interchanges[0]
    assert (env.sender_id, env.receiver_id) == ("0614141000005", "4012345000009")     # UNB swapped
    assert segments(doc.data)[1] == UCI_OK                                            # UCI as received


def test_uci_and_ucf_repeat_the_partners_composites_whatever_its_component_separator(
        journal: SqliteJournal) -> None:
    """A partner whose UNA makes '^' the component separator: the UCF wrote its UNG sender as one value
    '4012345000009^14' (our separator is ':'), so S006 lost its qualifier; and a routing address in the UNB
    (S002 0008, S003 0014) was dropped from the UCI, which must carry the UNB's values."""
    caret = interchange(GOOD_BODY, ung=True).decode("latin-1").replace("UNA:+.? '", "UNA^+.? '").replace(":", "^")
    assert contrl_of(caret.encode("latin-1"), journal)[:2] == [
        UCI_OK, "UCF+G1+4012345000009:14+0614141000005:14+7"]
    routed = interchange(GOOD_BODY).replace(b"+4012345000009:14+0614141000005:14+",
                                            b"+4012345000009:14:BOX7+0614141000005:14:DESK2+")
    assert contrl_of(routed, journal)[0] == "UCI+77+4012345000009:14:BOX7+0614141000005:14:DESK2+7"


def test_a_unh_element_at_fault_is_reported_in_the_ucm_once(journal: SqliteJournal) -> None:
    """UNH S009 without its agency: the UCM names it (13, UNH, 3:4 here as the reader found it); the same
    element was repeated as UCS+1 / UCD, which ISO 9735-4 leaves to the UCM."""
    short = interchange(GOOD_BODY).replace(b"ORDERS:D:96A:UN:EAN008", b"ORDERS:D:96A")
    [doc] = contrl.build(edifact.parse(short), partner(), OURS, journal, now=NOW)
    # the UCM echoes S009 with the agency (0051, mandatory there too) the message left out: the CONTRL saying
    # so was itself invalid, 'mandatory component 0051 of S009 (UCM element 2.4) is missing'
    assert segments(doc.data)[1:] == [UCI_OK, "UCM+M1+ORDERS:D:96A:UN+4+13+UNH+3"]
    assert edifact.parse(doc.data).issues == []


def test_syntax_4_names_the_repetition_at_fault(journal: SqliteJournal) -> None:
    """Syntax 4's S011 has 0136, the occurrence of a repeated element: UNS+S*12 (repetition separator '*'),
    the second occurrence is not alphabetic: UCD+37+2::2. A syntax 3 CONTRL has no place for it: UCD+37+2."""
    data = interchange(GOOD_BODY.replace("UNS+S", "UNS+S*12")).replace(b"UNA:+.? '", b"UNA:+.?*'") \
        .replace(b"UNOC:3", b"UNOC:4")
    [doc] = contrl.build(edifact.parse(data), partner(syntax_version="4"), OURS, journal, now=NOW)
    assert edifact.parse(doc.data).issues == []
    assert segments(doc.data)[-2:] == ["UCS+7", "UCD+37+2::2"]
    assert contrl_of(data, journal)[-1] == "UCD+37+2"


def test_uci_and_ucf_composites_fit_the_contrl_and_keep_a_released_separator(journal: SqliteJournal) -> None:
    """Since UCI / UCF repeat the partner's composites whole, a composite with more components than the
    CONTRL's has made our CONTRL invalid: a UNG sender with a third component came back as
    UCF+G1+4012345000009:14:X (S006 has two), which our own reader refuses (16, too many constituents), and a
    syntax 4 UNB's internal id (S002 0042) went into a syntax 3 CONTRL, whose S002 has three. A sender id with
    a released ':' (40123?:45000009) was split at it: UCI+77+40123:45000009:14, another id and a qualifier too
    long. The surplus is left out now, and the split is at the partner's own separators only."""
    three = interchange(GOOD_BODY, ung=True).replace(b"UNG+ORDERS+4012345000009:14+",
                                                     b"UNG+ORDERS+4012345000009:14:X+")
    assert contrl_of(three, journal)[:2] == [UCI_OK, "UCF+G1+4012345000009:14+0614141000005:14+7"]   # and valid
    internal = interchange(GOOD_BODY).replace(b"UNOC:3+4012345000009:14+", b"UNOC:4+4012345000009:14:BOX7:INT1+") \
        .replace(b"261129:0915", b"20261129:0915")
    assert contrl_of(internal, journal)[0] == "UCI+77+4012345000009:14:BOX7+0614141000005:14+7"
    [doc] = contrl.build(edifact.parse(internal), partner(syntax_version="4"), OURS, journal, now=NOW)
    assert segments(doc.data)[1] == "UCI+77+4012345000009:14:BOX7:INT1+0614141000005:14+7"
    released = interchange(GOOD_BODY).replace(b"+4012345000009:14+", b"+40123?:45000009:14+")
    [doc] = contrl.build(edifact.parse(released), partner(), OURS, journal, now=NOW)
    assert segments(doc.data)[1] == "UCI+77+40123?:45000009:14+0614141000005:14+7"


def test_a_missing_segment_has_its_own_ucs_apart_from_the_segment_before_it(journal: SqliteJournal) -> None:
    """DTM missing after a BGM whose document number is too long: both were reported under one UCS,
    UCS+2+13 then UCD+39+3, which says segment 2 is missing and that its element 3 is too long. The BGM's
    fault and the missing segment after it are two UCS now, in that order."""
    data = interchange(GOOD_BODY.replace("DTM+137:20261129:102'", "").replace("BGM+220+PO1+9",
                                                                             "BGM+220+" + "P" * 40 + "+9"))
    assert contrl_of(data, journal) == [UCI_OK, f"{UCM}+4", "UCS+2", "UCD+39+3", "UCS+2+13"]
