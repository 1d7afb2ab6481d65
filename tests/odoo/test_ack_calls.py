"""An 855 run costs the same Odoo calls for two orders in cases as for one: the products' own units, which a line
ordered in cases is compared in, are read once per run. They were read again for every order acknowledged
(`_ordered_in` made per order). Real 850s through the pipeline, confirmed in the sandbox over HTTP (odoorpc), the
scheduler's 855 run counted on its client."""

from __future__ import annotations

from pathlib import Path

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.journal.api import State
from gateway.odoo.client import OdooClient
from gateway.odoo.sandbox import SandboxServer
from tests.odoo.test_crossdock import scheduler
from tests.odoo.test_outbound_changed_lines import acknowledging
from tests.odoo.test_pipeline_posting import SAMPLE, examples, pipeline_for, run
from tests.odoo.test_posting_cancel import sale_orders, submit

__all__ = ["examples"]

pytestmark = pytest.mark.parametrize("sandbox", [17], ids=["odoo17"], indirect=True)


def in_cases(po: int) -> bytes:
    """BigBox's sample 850 with its first line in cases of 12, as PO `po` under its own control numbers."""
    return SAMPLE.read_bytes().replace(b"PO1*1*24*EA*12.50*PE*", b"PO1*1*2*CS*150.00*PE*") \
        .replace(b"4500001234", str(po).encode()).replace(b"000001201", f"{po % 10**9:09d}".encode()) \
        .replace(b"*1201*", f"*{po % 10**6}*".encode()) \
        .replace(b"GE*1*1201~", f"GE*1*{po % 10**6}~".encode())


async def test_acks_in_cases_read_the_products_units_once_per_run(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO) -> None:
    pipeline, _ = pipeline_for(tmp_path, examples, sandbox)
    acknowledging(pipeline)
    runner = scheduler(pipeline, client)

    async def confirmed(*pos: int) -> int:
        """Post and confirm these orders, then the calls of the 855 run that acknowledges them."""
        for po in pos:
            message = await submit(pipeline, in_cases(po), f"850_{po}.edi")
            assert run(pipeline, message.id, {State.DONE}).state is State.DONE
            [so] = sale_orders(odoo, str(po))
            odoo.execute_kw("sale.order", "action_confirm", [[so["id"]]])
        before = client.calls
        assert await runner.run_once("bigbox", "855") == len(pos)
        return client.calls - before

    await confirmed(4500002001)          # the client's one-time look-ups out of the way
    one = await confirmed(4500002002)
    assert await confirmed(4500002003, 4500002004) == one
