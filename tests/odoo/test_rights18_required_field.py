"""A field a module or Studio made required on sale orders, which the gateway does not fill: the order quarantined
through the real daemon and the sandbox over HTTP (17, 19), the reason naming the field, the order and what to do;
posted by `replay` once the field has a default in Odoo.

Before, the reason was Odoo's own text: "The operation cannot be completed: - Create/update: a mandatory field is
not set. - Delete: another model requires the record being deleted...", naming no order (in a batch file, which one?)
and speaking of a delete the gateway never made.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.odoo.sandbox import SandboxServer
from gateway.odoo.sandbox.orm import Field
from gateway.odoo.sandbox.seed import api_user
from tests.helpers.gateway import GatewayProcess, cli
from tests.helpers.wait import wait_for
from tests.odoo.test_rights18_check import EVERYTHING, EXAMPLES, KEY, secret, workspace


@pytest.mark.parametrize("sandbox", [17, 19], indirect=True)
def test_an_order_refused_for_a_required_field_names_field_and_order_and_is_posted_once_it_has_a_default(
        tmp_path: Path, sandbox: SandboxServer) -> None:
    api_user(sandbox.db, "edi", "edi", EVERYTHING, [KEY])
    # Studio: a required Sales Region on sale orders (a NOT NULL column), no default yet
    region = Field("char", "Sales Region", required=True)
    sandbox.db.models["sale.order"].fields["x_studio_region"] = region
    ws = workspace(tmp_path, sandbox.url, vendor=False)
    with GatewayProcess(ws.config, env=secret(sandbox)):
        ws.drop("850.edi", (EXAMPLES / "samples" / "northwind" / "850_NW-77001.edi").read_bytes())
        [held] = wait_for(lambda: ws.messages(state="quarantined"), message="the order held")
        reason = held["last_error"]
        assert "PurchaseOrder NW-77001: odoo.exceptions.ValidationError: Sales Region (x_studio_region) is " \
               "mandatory on each Sales Order (sale.order), made so by a module or Studio, and the gateway does " \
               "not fill it" in reason, reason
        assert "give the field a default value in Odoo" in reason and "Delete:" not in reason
        shown = cli("show", held["id"], config=ws.config).stdout
        assert "x_studio_region" in shown and f"edi-gateway replay {held['id']}" in shown
        region.default = "West"                    # the integrator sets a default value (ir.default)
        assert cli("replay", held["id"], config=ws.config).returncode == 0
        wait_for(lambda: ws.count(direction="in", state="done") == 1, message="the order posted after the replay")
