"""The demo partners' own acknowledgement writers, read back by the gateway's readers: what a partner
sends must be a valid 997/999/CONTRL that names what we sent, or the demo's last step proves nothing."""

from __future__ import annotations

import pytest

from gateway import acks
from gateway.demo.partners import X12Party, edifact_contrl, x12_functional_ack
from gateway.formats import parse

OUR_856 = (b"ISA*00*          *00*          *ZZ*ACMEDIST       *12*8005551234     *261129*0919*^*00501*000000005*0*P*:~\n"
           b"GS*SH*ACMEDIST*NORTHWIND*20261129*0919*5*X*005010~\nST*856*0005*005010~\nBSN*00*WH/OUT/4*20261129*0919~\n"
           b"SE*3*0005~\nST*856*0006*005010~\nBSN*00*WH/OUT/5*20261129*0919~\nSE*3*0006~\nGE*2*5~\n"
           b"IEA*1*000000005~\n")
OUR_DESADV = ("UNA:+.? '\nUNB+UNOC:3+0614141000005:14+4012345000009:14+261129:0923+4++++1'\n"
              "UNH+4+DESADV:D:96A:UN:EAN005'\nBGM+351+WH/OUT/00006+9'\nUNT+3+4'\nUNZ+1+4'\n").encode("latin-1")


@pytest.mark.parametrize("kind", ["999", "997"])
def test_x12_ack_reads_back_as_an_accepted_ack_of_our_group(kind: str) -> None:
    data = x12_functional_ack(OUR_856, kind, X12Party("12", "8005551234"), X12Party("ZZ", "ACMEDIST"), 42)
    assert data is not None
    result = parse(data)
    assert not result.errors, result.errors
    (tx,) = result.transactions
    ack = acks.read(tx)
    assert ack.ack_standard == kind and ack.status == "accepted"
    assert ack.group_control == "5" and ack.functional_id == "SH"
    assert [t.control_number for t in ack.transactions] == ["0005", "0006"]
    env = result.interchanges[0]
    assert (env.sender_qualifier, env.sender_id.strip()) == ("12", "8005551234")


def test_contrl_reads_back_as_an_accepted_ack_of_our_interchange() -> None:
    data = edifact_contrl(OUR_DESADV, 7)
    assert data is not None
    result = parse(data)
    assert not result.errors, result.errors
    (tx,) = result.transactions
    ack = acks.read(tx)
    assert ack.ack_standard == "CONTRL" and ack.status == "accepted"
    assert ack.interchange_control == "4"


def test_acknowledgements_are_not_acknowledged() -> None:
    ours_997 = x12_functional_ack(OUR_856, "997", X12Party("12", "8005551234"), X12Party("ZZ", "ACMEDIST"), 1)
    assert ours_997 is not None
    assert x12_functional_ack(ours_997, "997", X12Party("ZZ", "A"), X12Party("ZZ", "B"), 2) is None
    contrl = edifact_contrl(OUR_DESADV, 1)
    assert contrl is not None and edifact_contrl(contrl, 2) is None
    assert x12_functional_ack(b"not x12", "997", X12Party("ZZ", "A"), X12Party("ZZ", "B"), 1) is None
