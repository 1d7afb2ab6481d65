"""The order an EDIFACT DESADV or INVOIC answers is stated once in SG1: RFF+ON, with its DTM+171 where the order
date is known (the DESADV). Odoo's documents carry the order number twice, as the order and among the references,
and both were written: `RFF+ON:4500012345' DTM+171:20261127:102' RFF+ON:4500012345'`, which a retailer's system
keeping references lists twice. EuroHandel's own sample ORDERS goes through the pipeline into the Odoo sandbox,
the order is delivered and invoiced there, and the daemon's scheduler sends the DESADV and INVOIC, with the
example partner's D96A profiles and with the D01B base profiles."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.journal.api import Direction, State
from gateway.odoo.client import OdooClient
from gateway.odoo.sandbox import SandboxServer
from gateway.transports.base import IntakeMeta
from tests.odoo import test_outbound_odd_odoo as odd
from tests.odoo.test_outbound_taxes_packs import daemon_scheduler, examples
from tests.odoo.test_pipeline_posting import pipeline_for, run
from tests.odoo.test_posting_cancel import EH_SAMPLE

__all__ = ["examples"]                             # the fixture, used by name


def header(message: str) -> list[str]:
    """The segments of a message's SG1 (from the first RFF to the first NAD), as written."""
    segments = [s.strip() for s in message.split("'") if s.strip()]
    start = next(i for i, s in enumerate(segments) if s.startswith("RFF+"))
    end = next(i for i, s in enumerate(segments) if s.startswith("NAD+"))
    return segments[start:end]


def on_d01b(examples: LoadedConfig) -> LoadedConfig:
    """The example workspace with EuroHandel on the D01B base profiles (EANCOM 2002)."""
    partner = examples.partners["eurohandel"].model_copy(deep=True)
    assert partner.edifact is not None
    partner.edifact.version = "D01B"
    for setting in partner.documents:
        if setting.type in ("DESADV", "INVOIC"):
            setting.profile = f"edifact-d01b-{setting.type.lower()}"
    return dataclasses.replace(examples, partners={**examples.partners, "eurohandel": partner})


@pytest.mark.parametrize("sandbox", [18], indirect=True, ids=["odoo18"])
@pytest.mark.parametrize("version", ["D96A", "D01B"])
async def test_the_order_is_stated_once_in_sg1_with_its_date(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, examples: LoadedConfig, tmp_path: Path,
        version: str) -> None:
    config = examples if version == "D96A" else on_d01b(examples)
    pipeline, journal = pipeline_for(tmp_path, config, sandbox)
    message = await pipeline.submit(EH_SAMPLE.read_bytes(), IntakeMeta(channel="folder", filename=EH_SAMPLE.name))
    assert run(pipeline, message.id, {State.DONE, State.QUARANTINED}).state is State.DONE
    [order_id] = odoo.execute_kw("sale.order", "search", [[("client_order_ref", "=", "4500012345")]])
    odoo.execute_kw("sale.order", "action_confirm", [[order_id]])
    odd.invoiced(odoo, order_id)
    scheduler, _ = daemon_scheduler(config, client, journal, tmp_path)
    sent: dict[str, str] = {}
    for doc_type in ("DESADV", "INVOIC"):
        assert await scheduler.run_once("eurohandel", doc_type) == 1
        [out] = [m for m in journal.find(direction=Direction.OUT, partner="eurohandel", limit=20)
                 if m.doc_type == doc_type]
        assert out.state is not State.QUARANTINED, out.last_error
        sent[doc_type] = pipeline.archive.read(out.sha256).decode("latin-1")
        assert f"{doc_type}:{version[0]}:{version[1:]}:UN" in sent[doc_type]
    # the order and its date, once: EuroHandel's (its DTM+137 of 27 November), not the day Odoo confirmed it
    assert header(sent["DESADV"]) == ["RFF+ON:4500012345", "DTM+171:20261127:102"]
    # an invoice has no order date in Odoo's data: the order alone, then our sale order
    assert [s for s in header(sent["INVOIC"]) if s.startswith("RFF+ON")] == ["RFF+ON:4500012345"]
    assert header(sent["INVOIC"])[-2].startswith("RFF+VN:S")
    assert header(sent["INVOIC"])[-1] == "RFF+DQ:WH/OUT/00001"             # and the delivery it bills (99425e1)
