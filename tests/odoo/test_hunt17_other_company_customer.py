"""A customer that belongs to another company of the database is refused saying so.

In a multi-company database a customer is often created while working in one company and so belongs to it
(res.partner `company_id`); Odoo's multi-company rule hides it from calls made in another company. The gateway,
working in its own company (odoo.company_id, else the API user's default), quarantined BigBox's orders "no company in
Odoo with reference 'BIGBOX'", though the coordinator sees BigBox in Odoo with that reference. The refusal now names
the company it belongs to and the two ways out. BigBox's 850 through the pipeline into the sandbox over HTTP (16,
17, 19: multi-company rules are alike).
"""

from __future__ import annotations

from pathlib import Path

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.journal.api import State
from gateway.odoo.sandbox import SandboxServer
from tests.odoo.test_multi_company import second_company
from tests.odoo.test_pipeline_posting import SAMPLE, examples, pipeline_for, run
from tests.odoo.test_posting_cancel import submit

__all__ = ["examples"]      # the module-scoped fixture, shared

pytestmark = pytest.mark.parametrize("sandbox", [16, 17, 19], ids=["odoo16", "odoo17", "odoo19"], indirect=True)


async def test_a_customer_of_another_company_is_refused_naming_it(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, odoo: odoorpc.ODOO) -> None:
    canada = second_company(odoo)
    bigbox = odoo.execute_kw("res.partner", "search", [[("ref", "=", "BIGBOX")]])
    odoo.execute_kw("res.partner", "write", [bigbox, {"company_id": canada}])
    pipeline, _journal = pipeline_for(tmp_path, examples, sandbox)
    message = run(pipeline, (await submit(pipeline, SAMPLE.read_bytes(), SAMPLE.name)).id,
                  {State.DONE, State.QUARANTINED})
    assert message.state is State.QUARANTINED
    assert ("no company in Odoo with reference 'BIGBOX' or GLN 0860001000009 in Acme Distribution, the company the gateway works in; "
            f"BigBox Retail belongs to Acme Distribution Canada (company id {canada}): in Odoo, clear its Company to "
            "share it, or run a gateway for that company (odoo.company_id)") in str(message.last_error), \
        message.last_error
