"""Partner identification from the envelope and the channel, and the refusals quarantine relies on."""

from __future__ import annotations

import pytest

from gateway.config.loader import LoadedConfig
from gateway.config.models import EdifactId, EdifactSettings, OurIds, PartnerConfig, XmlSettings
from gateway.errors import PartnerUnknown
from gateway.formats.base import Envelope, ParseResult, Syntax, Transaction
from gateway.translate import identify
from gateway.transports.base import IntakeMeta
from tests.translate.conftest import EXAMPLES
from tests.translate.helpers import PO_BODY, interchange, parse

BIGBOX = ("ZZ", "BIGBOXRETAIL")
NORTHWIND = ("12", "8005551234")


def meta(channel: str = "folder", partner: str | None = None) -> IntakeMeta:
    return IntakeMeta(channel=channel, filename="in.edi", partner=partner)


def test_envelope_isa_sender_names_the_partner(config: LoadedConfig) -> None:
    result = parse((EXAMPLES / "samples" / "northwind" / "850_NW-77001.edi").read_bytes())
    assert identify(result, meta(), config.partners, config.gateway.our_ids).id == "northwind"


def test_gs02_alone_is_enough(config: LoadedConfig) -> None:
    result = parse(interchange(PO_BODY, sender=("ZZ", "BB-NEWHUB"), gs_sender="BIGBOX"))
    assert identify(result, meta(), config.partners, config.gateway.our_ids).id == "bigbox"


def test_channel_partner_with_matching_envelope(config: LoadedConfig) -> None:
    result = parse(interchange(PO_BODY, sender=BIGBOX, gs_sender="BIGBOX"))
    assert identify(result, meta("as2", "bigbox"), config.partners, config.gateway.our_ids).id == "bigbox"


def test_channel_partner_cannot_send_as_another(config: LoadedConfig) -> None:
    result = parse(interchange(PO_BODY, sender=BIGBOX, gs_sender="BIGBOX"))
    with pytest.raises(PartnerUnknown, match="sftp partner northwind carries ISA05/06 ZZ/BIGBOXRETAIL.*belongs to bigbox"):
        identify(result, meta("sftp", "northwind"), config.partners, config.gateway.our_ids)


def test_channel_partner_with_foreign_ids_is_refused(config: LoadedConfig) -> None:
    result = parse(interchange(PO_BODY, sender=("ZZ", "STRANGER"), gs_sender="STRANGER"))
    with pytest.raises(PartnerUnknown, match="not one of its configured ids"):
        identify(result, meta("sftp", "northwind"), config.partners, config.gateway.our_ids)


def test_unknown_sender_is_refused_with_the_ids(config: LoadedConfig) -> None:
    result = parse(interchange(PO_BODY, sender=("ZZ", "NOBODY"), gs_sender="NOBODY"))
    with pytest.raises(PartnerUnknown, match="no partner matches ISA05/06 ZZ/NOBODY, GS02 NOBODY"):
        identify(result, meta(), config.partners, config.gateway.our_ids)


def test_unknown_channel_partner(config: LoadedConfig) -> None:
    result = parse(interchange(PO_BODY, sender=BIGBOX))
    with pytest.raises(PartnerUnknown, match="names partner 'ghost'"):
        identify(result, meta("sftp", "ghost"), config.partners, config.gateway.our_ids)


def test_test_interchange_for_a_production_partner_is_refused(config: LoadedConfig) -> None:
    result = parse(interchange(PO_BODY, sender=BIGBOX, gs_sender="BIGBOX", test="T"))
    # its partner's, rejected at its envelope (TA1 020): kept under the partner, which is told
    assert identify(result, meta(), config.partners, config.gateway.our_ids).id == "bigbox"
    [error] = result.errors
    assert (error.code, error.segment_tag, error.element_position) == ("020", "ISA", 15)
    assert "test interchange (ISA15) but partner bigbox is in production" in str(error)
    assert not any(tx.accepted for tx in result.transactions)


def test_production_interchange_for_a_partner_in_test(config: LoadedConfig) -> None:
    partners = dict(config.partners)
    x12 = partners["bigbox"].x12
    assert x12 is not None
    partners["bigbox"] = partners["bigbox"].model_copy(update={"x12": x12.model_copy(update={"test": True})})
    result = parse(interchange(PO_BODY, sender=BIGBOX, gs_sender="BIGBOX", test="P"))
    assert identify(result, meta(), partners, config.gateway.our_ids).id == "bigbox"
    assert "set up for testing" in str(result.errors[0]) and not result.transactions[0].accepted
    test_result = parse(interchange(PO_BODY, sender=BIGBOX, gs_sender="BIGBOX", test="T"))
    assert identify(test_result, meta(), partners, config.gateway.our_ids).id == "bigbox"


def test_interchange_for_someone_else_is_refused(config: LoadedConfig) -> None:
    result = parse(interchange(PO_BODY, sender=BIGBOX, gs_sender="BIGBOX", receiver="OTHERCO"))
    with pytest.raises(PartnerUnknown, match="addressed to ZZ/OTHERCO, GS03 OTHERCO, not to us"):
        identify(result, meta(), config.partners, config.gateway.our_ids)
    wrong_gs = parse(interchange(PO_BODY, sender=BIGBOX, gs_sender="BIGBOX").replace(
        b"GS*PO*BIGBOX*ACMEDIST", b"GS*PO*BIGBOX*SOMEONE"))
    with pytest.raises(PartnerUnknown, match="GS03 SOMEONE, not to us"):
        identify(wrong_gs, meta(), config.partners, config.gateway.our_ids)


def test_inactive_partner_is_not_matched(config: LoadedConfig) -> None:
    partners = {k: v.model_copy(update={"active": k != "bigbox"}) for k, v in config.partners.items()}
    result = parse(interchange(PO_BODY, sender=BIGBOX, gs_sender="BIGBOX"))
    with pytest.raises(PartnerUnknown):
        identify(result, meta(), partners, config.gateway.our_ids)


def _result(env: Envelope, syntax: Syntax) -> ParseResult:
    return ParseResult(syntax=syntax, interchanges=[env],
                       transactions=[Transaction(syntax=syntax, doc_type="ORDERS", envelope=env)])


def test_edifact_unb_sender_with_qualifier() -> None:
    euro = PartnerConfig(id="eurohandel", edifact=EdifactSettings(ids=[EdifactId(qualifier="14", id="4012345000009")]))
    ours = OurIds(edifact=EdifactId(qualifier="14", id="0614141000005"))
    env = Envelope(syntax=Syntax.EDIFACT, sender_qualifier="14", sender_id="4012345000009",
                   receiver_qualifier="14", receiver_id="0614141000005", control_number="17")
    assert identify(_result(env, Syntax.EDIFACT), meta(), {"eurohandel": euro}, ours).id == "eurohandel"
    env.sender_qualifier = "ZZ"
    with pytest.raises(PartnerUnknown, match="UNB sender 4012345000009:ZZ"):
        identify(_result(env, Syntax.EDIFACT), meta(), {"eurohandel": euro}, ours)
    env.sender_qualifier, env.test = "14", True
    test = _result(env, Syntax.EDIFACT)
    assert identify(test, meta(), {"eurohandel": euro}, ours).id == "eurohandel"     # rejected: CONTRL 25
    assert "UNB 0035" in str(test.errors[0]) and test.errors[0].code == "25" and not test.transactions[0].accepted


def test_xml_sender_id_and_channel_only_csv_partner() -> None:
    buyer = PartnerConfig(id="cx", xml=XmlSettings(ids=["AN01000000001"]))
    shop = PartnerConfig(id="shopmarket")
    env = Envelope(syntax=Syntax.XML, sender_id="AN01000000001")
    assert identify(_result(env, Syntax.XML), meta(), {"cx": buyer, "shopmarket": shop}, None).id == "cx"
    csv_result = ParseResult(syntax=Syntax.CSV, transactions=[Transaction(syntax=Syntax.CSV, doc_type="csv")])
    assert identify(csv_result, meta("sftp", "shopmarket"), {"cx": buyer, "shopmarket": shop}, None).id == "shopmarket"
    with pytest.raises(PartnerUnknown, match="channel does not say who sent it"):
        identify(csv_result, meta("folder"), {"cx": buyer, "shopmarket": shop}, None)


def test_isa_of_one_partner_and_gs02_of_another_is_refused(config: LoadedConfig) -> None:
    """Both claim the file in the shared inbox; it went to whichever partner file came first."""
    result = parse(interchange(PO_BODY, sender=BIGBOX, gs_sender="NORTHWIND"))
    with pytest.raises(PartnerUnknown, match=r"ISA05/06 ZZ/BIGBOXRETAIL, GS02 NORTHWIND name different partners "
                                             r"\(bigbox, northwind\)"):
        identify(result, meta(), config.partners, config.gateway.our_ids)


def test_each_group_names_its_partner(config: LoadedConfig) -> None:
    """A hub's interchange (an ISA id nobody has) with a BIGBOX group, then a NORTHWIND one: only the first group
    was looked at, and NORTHWIND's order went to bigbox."""
    text = interchange(PO_BODY, sender=("ZZ", "BB-NEWHUB"), gs_sender="BIGBOX").decode()
    head, rest = text.split("GS*", 1)
    group = "GS*" + rest[:rest.index("IEA*")]
    second = group.replace("GS*PO*BIGBOX*", "GS*PO*NORTHWIND*").replace("*101*X*", "*102*X*").replace(
        "GE*1*101", "GE*1*102")
    data = (head + group + second + rest[rest.index("IEA*"):]).replace("IEA*1*", "IEA*2*").encode()
    result = parse(data)
    assert len(result.groups) == 2 and not result.errors, result.errors
    with pytest.raises(PartnerUnknown, match=r"one file holds documents of two partners \(bigbox, northwind\)"):
        identify(result, meta(), config.partners, config.gateway.our_ids)
    same = data.replace(b"GS*PO*NORTHWIND*", b"GS*PO*BIGBOX*")
    assert identify(parse(same), meta(), config.partners, config.gateway.our_ids).id == "bigbox"
