"""A retailer's own item number with a wrong check digit: BigBox orders the Blue Widget by UPC 614141000013 (its
GS1 check digit is 2), and Odoo has that same number as the product's Barcode (imported from the retailer's item
file, as test and demo catalogues and internal numbers in GTIN fields often are). The 855, 856 and 810 echo the
number the retailer sent, which is what its system matches the line by; holding them (5c63dbd) stopped every
document of its orders for that product, and nothing a coordinator corrects in Odoo would have released them (the
line keeps the partner's number). They go out now, the number noted in the log; a Barcode typed wrong in Odoo that
the partner never sent is still held (test_outbound15_check_digits).

BigBox's 850 through the pipeline into the sandbox Odoo over HTTP; the 855, 856 and 810 through the scheduler and
the example profiles."""

from __future__ import annotations

import logging
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.journal.api import Direction, State
from gateway.odoo.client import OdooClient
from gateway.odoo.sandbox import SandboxServer
from gateway.odoo.scheduler import OdooScheduler
from tests.odoo import test_outbound_odd_odoo as odd
from tests.odoo.test_extraction_incoming import product
from tests.odoo.test_order_acks import ACK
from tests.odoo.test_pipeline_posting import SAMPLE, examples, pipeline_for, run
from tests.odoo.test_posting_cancel import pipeline_orders, submit

__all__ = ["examples"]          # the module's fixture, shared

THEIRS = "614141000013"         # the Blue Widget's UPC 614141000012 with its last digit one off


async def sent(pipeline: Any, client: OdooClient, doc_type: str) -> bytes:
    """The `doc_type` one run of the daemon's scheduler sends BigBox, failing with the reason when it is held."""
    ctx = SimpleNamespace(config=pipeline.config, journal=pipeline.journal, pipeline=pipeline,
                          partners=pipeline.config.partners)
    await OdooScheduler(ctx, lambda: client).run_once("bigbox", doc_type)
    [message] = [m for m in pipeline.journal.find(direction=Direction.OUT, limit=50) if m.doc_type == doc_type]
    assert message.state is not State.QUARANTINED, message.last_error
    return bytes(pipeline.archive.read(message.sha256))


@pytest.mark.parametrize("sandbox", [17], indirect=True, ids=["odoo17"])
async def test_a_upc_the_retailer_ordered_by_goes_back_as_sent_in_its_855_856_and_810(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO,
        caplog: pytest.LogCaptureFixture) -> None:
    # Given the Blue Widget's Barcode in Odoo as BigBox's item file has it, and BigBox's 850 naming it so
    odoo.execute_kw("product.product", "write", [[product(odoo, "WB-100")], {"barcode": THEIRS}])
    pipeline, _journal = pipeline_for(tmp_path, examples, sandbox)
    partner = pipeline.config.partners["bigbox"]
    pipeline.config.partners["bigbox"] = partner.model_copy(update={"documents": [*partner.documents, ACK]})
    data = SAMPLE.read_bytes().replace(b"UP*614141000012", f"UP*{THEIRS}".encode())
    message = await submit(pipeline, data, SAMPLE.name)
    assert run(pipeline, message.id, {State.DONE, State.QUARANTINED}).state is State.DONE
    [so] = pipeline_orders(odoo)
    odoo.execute_kw("sale.order", "action_confirm", [[so["id"]]])
    # When the order is confirmed, shipped and invoiced, each document goes out naming the item as BigBox did
    with caplog.at_level(logging.WARNING, logger="gateway.translate"):
        assert f"UP*{THEIRS}".encode() in await sent(pipeline, client, "855")
        odd.invoiced(odoo, so["id"])
        assert THEIRS.encode() in await sent(pipeline, client, "856")
        assert f"UP*{THEIRS}".encode() in await sent(pipeline, client, "810")
    # And the log says, for each, that the number's check digit is wrong and the partner is to be told
    noted = [r.getMessage() for r in caplog.records if f"UPC {THEIRS}" in r.getMessage()]
    assert len(noted) == 3 and all("should be 2 (614141000012)" in n and "tell the partner" in n for n in noted)
