"""A vendor's 810 under an interchange control number used before (held: other sets), replayed with `edi-gateway
replay` to be processed as new, through the real pipeline and the sandbox over HTTP: a credit sent as an invoice
whose every line is negative (made a vendor credit note, in_refund) is found again by vendor, reference and the
move type it was made with, not made twice; a new invoice under the reused number is made."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.journal.api import State
from gateway.odoo.sandbox import SandboxServer
from gateway.transports.base import IntakeMeta
from tests.odoo.conftest import odoo, sandbox
from tests.odoo.test_pipeline_posting import examples, pipeline_for, run
from tests.odoo.test_vendor_bill_checks import VENDOR, x12_810
from tests.odoo.test_vendor_odd import purchase
from tests.spine.test_replay_as_new_changes import replayed

__all__ = ["examples", "odoo", "sandbox"]      # the fixtures, for the tests below

pytestmark = pytest.mark.parametrize("sandbox", [16, 19], ids=["odoo16", "odoo19"], indirect=True)

def moves(odoo: odoorpc.ODOO, ref: str) -> list[tuple[str, float]]:
    rows = odoo.execute_kw("account.move", "search_read", [[("ref", "=", ref)], ["move_type", "amount_total"]])
    return sorted((r["move_type"], r["amount_total"]) for r in rows)


async def test_a_replayed_credit_is_found_and_a_new_invoice_under_the_number_is_made(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    _po, name = purchase(odoo)
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)
    pipeline.config.partners["widgetworks"] = VENDOR

    async def send(data: bytes, file: str, held: bool = False) -> Any:
        message = await pipeline.submit(data, IntakeMeta(channel="sftp", filename=file, partner="widgetworks"))
        message = run(pipeline, message.id, {State.DONE, State.QUARANTINED})
        if held:
            return replayed(pipeline, message)
        assert message.state is State.DONE, message.last_error
        return message

    credit = x12_810(301, "WW-CR-1", name, ["IT1*1*-10*EA*7.50**VN*WW-WB-100"], ["TDS*-7500"])
    await send(credit, "810_credit.edi")
    assert moves(odoo, "WW-CR-1") == [("in_refund", 75.0)]
    other_form = await send(credit.replace(b"*0001~", b"*0002~"), "810_credit_again.edi", held=True)
    assert [link.role for link in journal.odoo_links(other_form.id)] == ["found"]
    assert moves(odoo, "WW-CR-1") == [("in_refund", 75.0)]
    new = await send(x12_810(301, "WW-INV-2", name, ["IT1*1*20*EA*7.50**VN*WW-WB-100"], ["TDS*15000"]),
                     "810_new.edi", held=True)
    assert [link.role for link in journal.odoo_links(new.id)] == ["created"]
    assert moves(odoo, "WW-INV-2") == [("in_invoice", 150.0)] and moves(odoo, "WW-CR-1") == [("in_refund", 75.0)]
