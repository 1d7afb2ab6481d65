"""A partner that knows us under an id of its own (`our_ids:` in its partner file): its files addressed to that id
are posted, and our acknowledgements and documents to it come from that id; another partner's file sent to it is
not addressed to us. Through the pipeline, the Odoo sandbox over HTTP and the scheduler."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.config.models import DocumentSettings, EdifactId, PartnerOurIds, X12Id, XmlSettings
from gateway.formats import parse
from gateway.journal.api import Direction, State
from gateway.odoo.client import OdooClient
from gateway.odoo.sandbox import SandboxServer
from gateway.pipeline import Pipeline
from gateway.transports.base import IntakeMeta
from tests.odoo.test_crossdock import scheduler
from tests.odoo.test_extraction import deliver
from tests.odoo.test_pipeline_posting import EXAMPLES, examples, pipeline_for, run
from tests.odoo.test_xml_orders import cxml_text

__all__ = ["examples"]      # the module-scoped fixture, re-exported

SAMPLES = EXAMPLES / "samples"
SUBSIDIARY = "4099999000017"          # the GLN EuroHandel knows us by (a subsidiary's), not gateway.yaml's


def known_as(pipeline: Pipeline, partner: str, **ids: Any) -> None:
    config = pipeline.config.partners[partner]
    pipeline.config.partners[partner] = config.model_copy(update={"our_ids": PartnerOurIds(**ids)})


async def taken(pipeline: Pipeline, data: bytes, name: str) -> Any:
    """`data` from the shared inbox (the envelope says who sent it), advanced until it is done or quarantined."""
    message = await pipeline.submit(data, IntakeMeta(channel="folder", filename=name))
    return run(pipeline, message.id, {State.DONE, State.QUARANTINED})


def sent(pipeline: Pipeline, doc_type: str, parent: str | None = None) -> bytes:
    """The one `doc_type` we sent (in answer to message `parent`)."""
    [message] = [m for m in pipeline.journal.find(direction=Direction.OUT, limit=50)
                 if m.doc_type == doc_type and parent in (None, m.parent_id)]
    return pipeline.archive.read(message.sha256)


def x12_senders(data: bytes) -> tuple[str, str, str]:
    """ISA05, ISA06 and GS02 of a file we send."""
    result = parse(data)
    assert [str(i) for i in result.errors] == []
    [env], [group] = result.interchanges, result.groups
    return env.sender_qualifier.strip(), env.sender_id.strip(), group.sender_id


@pytest.mark.parametrize("sandbox", [18], indirect=True, ids=["odoo18"])
async def test_a_vendor_number_as_isa_receiver_is_ours_for_its_partner_only(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """BigBox knows us as ZZ*VENDOR4471 (its vendor number for us): its 850 to ZZ*VENDOR4471 / GS03 VENDOR4471 is
    posted, the 997 and the 856 go out from ZZ*VENDOR4471 (GS02 too, not gateway.yaml's gs ACMEDIST). Northwind's
    850 sent to that id is quarantined as not addressed to us."""
    pipeline, _ = pipeline_for(tmp_path, examples, sandbox)
    known_as(pipeline, "bigbox", x12=X12Id(qualifier="ZZ", id="VENDOR4471"))
    data = (SAMPLES / "bigbox" / "850_4500001234.edi").read_bytes()
    data = data.replace(b"*ZZ*ACMEDIST       *", b"*ZZ*VENDOR4471     *").replace(b"*BIGBOX*ACMEDIST*",
                                                                                 b"*BIGBOX*VENDOR4471*")
    done = await taken(pipeline, data, "850_4500001234.edi")
    assert done.state is State.DONE, done.last_error
    assert x12_senders(sent(pipeline, "997")) == ("ZZ", "VENDOR4471", "VENDOR4471")
    [so] = odoo.execute_kw("sale.order", "search", [[("client_order_ref", "=", "4500001234")]])
    odoo.execute_kw("sale.order", "action_confirm", [[so]])
    deliver(odoo, so)
    assert await scheduler(pipeline, client).run_once("bigbox", "856") == 1
    asn = sent(pipeline, "856")
    assert x12_senders(asn) == ("ZZ", "VENDOR4471", "VENDOR4471")
    assert parse(asn).interchanges[0].receiver_id.strip() == "BIGBOXRETAIL"

    other = (SAMPLES / "northwind" / "850_NW-77001.edi").read_bytes()
    other = other.replace(b"*ZZ*ACMEDIST       *", b"*ZZ*VENDOR4471     *").replace(b"*NORTHWIND*ACMEDIST*",
                                                                                   b"*NORTHWIND*VENDOR4471*")
    refused = await taken(pipeline, other, "850_NW-77001.edi")
    assert refused.state is State.QUARANTINED
    assert ("addressed to ZZ/VENDOR4471, GS03 VENDOR4471, not to us (the id partner bigbox knows us by; the "
            "sender is partner northwind)") in (refused.last_error or "")


@pytest.mark.parametrize("sandbox", [19], indirect=True, ids=["odoo19"])
async def test_a_subsidiary_gln_as_unb_recipient_is_ours_for_its_partner_only(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO) -> None:
    """EuroHandel orders from our subsidiary's GLN: its ORDERS to UNB recipient 4099999000017:14 is posted, the
    CONTRL and the DESADV go out from that GLN. Another EDIFACT partner's ORDERS to it is not addressed to us."""
    pipeline, _ = pipeline_for(tmp_path, examples, sandbox)
    known_as(pipeline, "eurohandel", edifact=EdifactId(qualifier="14", id=SUBSIDIARY))
    data = (SAMPLES / "eurohandel" / "ORDERS_4500012345.edi").read_bytes()
    data = data.replace(b"+0614141000005:14+", f"+{SUBSIDIARY}:14+".encode())
    done = await taken(pipeline, data, "ORDERS_4500012345.edi")
    assert done.state is State.DONE, done.last_error
    assert f"UNB+UNOC:3+{SUBSIDIARY}:14+4012345000009:14+".encode() in sent(pipeline, "CONTRL", done.id)
    # its orders to gateway.yaml's GLN are ours too, and their CONTRL answers from the GLN they were sent to
    earlier = await taken(pipeline, (SAMPLES / "eurohandel" / "ORDERS_4500012346-47.edi").read_bytes(), "ORDERS.edi")
    assert earlier.state is State.DONE, earlier.last_error
    assert b"UNB+UNOC:3+0614141000005:14+4012345000009:14+" in sent(pipeline, "CONTRL", earlier.id)
    [so] = odoo.execute_kw("sale.order", "search", [[("client_order_ref", "=", "4500012345")]])
    odoo.execute_kw("sale.order", "action_confirm", [[so]])
    deliver(odoo, so)
    assert await scheduler(pipeline, client).run_once("eurohandel", "DESADV") == 1
    [env] = parse(sent(pipeline, "DESADV")).interchanges
    assert (env.sender_id, env.sender_qualifier, env.receiver_id) == (SUBSIDIARY, "14", "4012345000009")

    eurohandel = pipeline.config.partners["eurohandel"]
    pipeline.config.partners["lagerhaus"] = eurohandel.model_copy(update={
        "id": "lagerhaus", "our_ids": None,
        "edifact": eurohandel.edifact.model_copy(update={"ids": [EdifactId(qualifier="14", id="4098765000002")]})})
    other = data.replace(b"+4012345000009:14+", b"+4098765000002:14+").replace(b"EH000417", b"LH000001")
    refused = await taken(pipeline, other, "ORDERS_lagerhaus.edi")
    assert refused.state is State.QUARANTINED
    assert f"addressed to 14/{SUBSIDIARY}, not to us (the id partner eurohandel knows us by; the sender is " \
           "partner lagerhaus)" in (refused.last_error or "")


def bigbox_knows_us_by_duns(pipeline: Any) -> bytes:
    """BigBox (`our_ids.xml: "DUNS:123456789"`) and Northwind (no id of its own) sending cXML OrderRequests; BigBox's
    order To that DUNS."""
    for name, ids in (("bigbox", {"xml": "DUNS:123456789"}), ("northwind", None)):
        config = pipeline.config.partners[name]
        pipeline.config.partners[name] = config.model_copy(update={
            "xml": XmlSettings(ids=[name]), "our_ids": PartnerOurIds(**ids) if ids else None,
            "documents": [*config.documents, DocumentSettings(type="OrderRequest", direction="in",
                                                              profile="cxml-orderrequest")]})
    order = cxml_text("CX-DUNS", "new", "30", [("1", "WB-100", 24, None)])
    return order.replace(b'<To><Credential domain="NetworkId"><Identity>us</Identity>',
                         b'<To><Credential domain="DUNS"><Identity>123456789</Identity>')


@pytest.mark.parametrize("sandbox", [17], indirect=True, ids=["odoo17"])
async def test_a_cxml_order_to_the_duns_a_partner_knows_us_by_is_ours(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer) -> None:
    """BigBox's cXML OrderRequest To DUNS 123456789 (its `our_ids.xml: "DUNS:123456789"`, the id the Credentials
    we send it carry) is posted; Northwind's to it is not addressed to us. gateway.yaml's own cXML id is
    acme-net. (An id written with its domain was compared whole with the Identity received: never equal.)"""
    pipeline, _ = pipeline_for(tmp_path, examples, sandbox)
    gateway = pipeline.config.gateway
    pipeline.config.gateway = gateway.model_copy(update={"our_ids": gateway.our_ids.model_copy(
        update={"xml": "acme-net"})})
    order = bigbox_knows_us_by_duns(pipeline)
    done = await taken(pipeline, order, "order.xml")
    assert done.state is State.DONE, done.last_error
    other = order.replace(b"<Identity>bigbox</Identity>", b"<Identity>northwind</Identity>").replace(
        b"CX-DUNS", b"CX-NW")
    refused = await taken(pipeline, other, "order-nw.xml")
    assert refused.state is State.QUARANTINED
    assert "addressed to DUNS/123456789, not to us" in (refused.last_error or "")
