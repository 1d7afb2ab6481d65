"""The 856 and 810 of orders by their cases' GTINs cost the same Odoo calls whatever their line count: the
packagings of all the orders' lines are read in one call per run (`extraction._line_cases`), not one per line
(on 19 one more, only in a run with a quantity that is not whole cases: `extraction._CaseUnits`).
Orders through the pipeline, deliveries and invoices in the sandbox, the scheduler's runs counted (17, 19)."""

from __future__ import annotations

from pathlib import Path

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.journal.api import State
from gateway.odoo.client import OdooClient
from gateway.odoo.sandbox import SandboxServer
from tests.odoo.test_caseorders15_gtin import CASE_GTIN, examples
from tests.odoo.test_crossdock import sample_with, scheduler
from tests.odoo.test_outbound_odd_odoo import invoiced
from tests.odoo.test_pipeline_posting import pipeline_for, run
from tests.odoo.test_posting_cancel import submit
from tests.odoo.test_stock15_cases import packaging

__all__ = ["examples"]          # the module's fixture, shared

pytestmark = pytest.mark.parametrize("sandbox", [17, 19], ids=["odoo17", "odoo19"], indirect=True)

CASES = {"WB-100": (CASE_GTIN, "300.00"), "WR-200": ("10614141000026", "210.00"),
         "GL-300": ("10614141000033", "1008.00")}


async def test_ship_notices_and_invoices_of_case_lines_cost_the_same_calls_for_one_line_or_three(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient,
        odoo: odoorpc.ODOO) -> None:
    for code, (gtin, _) in CASES.items():
        packaging(odoo, sandbox.version, code, "Case of 24", 24, gtin)
    lines = [f"PO1*{n}*2*CA*{price}**UK*{gtin}" for n, (gtin, price) in enumerate(CASES.values(), 1)]   # in stock
    pipeline, _ = pipeline_for(tmp_path, examples, sandbox)
    poll = scheduler(pipeline, client)

    async def calls(number: str, count: int, control: str) -> tuple[int, int]:
        edi = sample_with([*lines[:count], f"CTT*{count}*{2 * count}"]).replace(b"4500001234", number.encode()) \
            .replace(b"1201", control.encode())            # each its own interchange and group number
        message = run(pipeline, (await submit(pipeline, edi, f"850_{number}.edi")).id, {State.DONE, State.QUARANTINED})
        assert message.state is State.DONE, message.last_error
        [so] = odoo.execute_kw("sale.order", "search", [[("client_order_ref", "=", number)]])
        odoo.execute_kw("sale.order", "action_confirm", [[so]])
        invoiced(odoo, so)
        before = client.calls
        assert await poll.run_once("bigbox", "856") == 1
        shipping = client.calls - before
        before = client.calls
        assert await poll.run_once("bigbox", "810") == 1
        return shipping, client.calls - before
    await calls("PO-WARM", 1, "1301")                # the client's one-time look-ups (fields, models) out of the way
    assert await calls("PO-ONE", 1, "1401") == await calls("PO-THREE", 3, "1501")
