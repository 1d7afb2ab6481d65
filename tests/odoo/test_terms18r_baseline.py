"""Review of abe9eeb/cd163f5 (CONTENT_VERSION 2 -> 3 -> 4: the invoice's terms kind and instalments): invoices
the release of the morning (330f96e, version 2) sent are taken as the baseline after the upgrade, not held or sent
again, when Odoo writes them (a payment): the upgrade test covers a release that kept no version; this one keeps 2,
what every invoice sent yesterday carries."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import odoorpc

from gateway.journal.api import State
from gateway.odoo.client import OdooClient
from gateway.odoo.sandbox import SandboxServer
from gateway.odoo.scheduler import OdooScheduler
from tests.odoo.test_scheduler import json_render, outbound
from tests.odoo.test_scheduler_hostile import invoice_sent, next_second
from tests.odoo.test_upgrade17_content_version import EARLIER, settled


async def test_an_invoice_sent_by_version_2_and_paid_after_the_upgrade_is_not_held_or_resent(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, tmp_path: Any) -> None:
    ctx, _earlier, move = await invoice_sent(client, odoo, journal, tmp_path)
    [first] = outbound(journal)
    meta = first.meta | {"content": EARLIER, "content_version": 2}      # another digest, kept at version 2
    with sqlite3.connect(journal.path) as db:
        db.execute("UPDATE messages SET meta = ? WHERE id = ?", (json.dumps(meta), first.id))
    next_second()
    odoo.execute_kw("account.move", "write", [[move], {"payment_state": "paid"}])
    upgraded = OdooScheduler(ctx, lambda: client, render=json_render)
    assert await upgraded.run_once("bigbox", "810") == 0
    assert [(m.id, m.state) for m in outbound(journal)] == [(first.id, first.state)]
    assert first.state is not State.QUARANTINED
    settled(journal, first)
