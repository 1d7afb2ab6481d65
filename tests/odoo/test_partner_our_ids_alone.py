"""A partner's own `our_ids:` for a syntax gateway.yaml has no id for (here cXML: gateway.yaml's our_ids has no
`xml`) is still checked: only that partner's files may be addressed to it. Through the pipeline and the sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.config.loader import LoadedConfig
from gateway.journal.api import State
from gateway.odoo.sandbox import SandboxServer
from tests.odoo.test_partner_our_ids import bigbox_knows_us_by_duns, taken
from tests.odoo.test_pipeline_posting import examples, pipeline_for

__all__ = ["examples"]      # the module-scoped fixture, re-exported


@pytest.mark.parametrize("sandbox", [17], indirect=True, ids=["odoo17"])
async def test_another_partners_order_to_an_id_only_a_partner_file_has_is_not_ours(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer) -> None:
    """BigBox knows us as DUNS 123456789 and gateway.yaml names no cXML id of ours: Northwind's OrderRequest To
    that DUNS, and BigBox's own To an id that is none of ours, were posted (with no gateway.yaml id for cXML the
    receiver was not looked at, whatever the sender's partner file said)."""
    pipeline, _ = pipeline_for(tmp_path, examples, sandbox)
    assert pipeline.config.gateway.our_ids is not None and pipeline.config.gateway.our_ids.xml is None
    order = bigbox_knows_us_by_duns(pipeline)
    done = await taken(pipeline, order, "order.xml")
    assert done.state is State.DONE, done.last_error

    other = order.replace(b"<Identity>bigbox</Identity>", b"<Identity>northwind</Identity>").replace(
        b"CX-DUNS", b"CX-NW")
    refused = await taken(pipeline, other, "order-nw.xml")
    assert refused.state is State.QUARANTINED
    assert "addressed to DUNS/123456789, not to us (the id partner bigbox knows us by; the sender is partner " \
           "northwind)" in (refused.last_error or "")

    stray = order.replace(b"<Identity>123456789</Identity>", b"<Identity>987654321</Identity>").replace(
        b"CX-DUNS", b"CX-STRAY")
    misaddressed = await taken(pipeline, stray, "order-stray.xml")
    assert misaddressed.state is State.QUARANTINED
    assert "addressed to DUNS/987654321, not to us" in (misaddressed.last_error or "")
