"""The Odoo API user's groups against the flows the partners use: `edi-gateway odoo-check`, and the daemon's check at
start and reload (log, /healthz, `edi-gateway status`), against the sandbox over HTTP in 16, 17, 18 and 19 mode.

Before, nothing looked: a user with Sales: User: Own Documents Only had the orders of customers whose salesperson is
someone else refused and their 855/856/810 never sent, a user without Billing had every 810 held "Odoo refused a
read", each found weeks later in the quarantine.
"""

from __future__ import annotations

import shutil
import signal
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from gateway.odoo.sandbox import SandboxServer
from gateway.odoo.sandbox.seed import api_user
from tests.helpers.gateway import GatewayProcess, Workspace, cli
from tests.helpers.net import free_port
from tests.helpers.wait import wait_for

EXAMPLES = Path(__file__).resolve().parents[2] / "gateway" / "examples"
KEY = "9d3c0b8e4a7f41d2b6c5e8f0a1b2c3d4e5f6a7b8"        # the edi user's API key (19: JSON-2 takes no password)
OWN_ONLY = ["sales_team.group_sale_salesman", "stock.group_stock_user"]
EVERYTHING = ["sales_team.group_sale_manager", "stock.group_stock_user", "purchase.group_purchase_user",
              "account.group_account_invoice"]
# a vendor: its invoices become bills, its ship notices receipts
ACME = {"name": "Acme Supply", "odoo": {"partner_ref": "ACME"},
        "x12": {"ids": [{"qualifier": "ZZ", "id": "ACMESUPPLY"}], "gs_ids": ["ACMESUPPLY"], "version": "004010"},
        "inbound": [{"channel": "folder"}], "outbound": {"channel": "folder", "path": "outbox/acme"},
        "documents": [{"type": "810", "direction": "in", "profile": "x12-004010-810"},
                      {"type": "856", "direction": "in", "profile": "x12-004010-856"}]}


def workspace(root: Path, url: str, vendor: bool = True, ops_port: int | None = None) -> Workspace:
    """Northwind (850 in; 855, 856, 810, 846 out) and, with `vendor`, Acme (810 and 856 in), as the user `edi`."""
    our_ids = YAML().load((EXAMPLES / "gateway.yaml").read_text())["our_ids"]
    ops = {"enabled": True, "port": ops_port, "min_free_mb": 0} if ops_port else {"enabled": False, "min_free_mb": 0}
    ws = Workspace.create(root, {"our_ids": dict(our_ids), "ops": ops, "odoo": {
        "enabled": True, "url": url, "database": "demo", "username": "edi", "retry_max": 1,
        "poll_seconds": 3600}})
    example = YAML().load((EXAMPLES / "partners" / "northwind.yaml").read_text())
    partner = {**example, "inbound": [{"channel": "folder"}], "outbound": {"channel": "folder",
                                                                           "path": "outbox/northwind"}}
    ws.write_partner("northwind", {k: v for k, v in partner.items() if k != "id"})
    for profile in (EXAMPLES / "translations").glob("northwind-*.yaml"):
        shutil.copy(profile, ws.root / "translations")
    if vendor:
        ws.write_partner("acme", ACME)
    return ws


def secret(server: SandboxServer) -> dict[str, str]:
    return {"EDI_GATEWAY_ODOO_PASSWORD": KEY if server.version >= 19 else "edi"}


def status_naming(ws: Workspace, text: str) -> str:
    """`edi-gateway status` once it says `text` ('' until then)."""
    out = cli("status", config=ws.config).stdout
    return out if text in out else ""


@pytest.mark.parametrize("sandbox", [16, 17, 18, 19], indirect=True)
def test_odoo_check_names_each_missing_group_and_the_flows_that_need_it(tmp_path: Path, sandbox: SandboxServer) -> None:
    api_user(sandbox.db, "edi", "edi", OWN_ONLY, [KEY])
    ws = workspace(tmp_path, sandbox.url)
    done = cli("odoo-check", config=ws.config, env=secret(sandbox))
    out = done.stdout
    assert done.returncode == 1, (out, done.stderr)
    assert f"Odoo {sandbox.version}.0 at " in out and "user 'edi'" in out
    assert "sale orders in: northwind 850" in out and "vendor invoices in (bills): acme 810" in out
    problems = [line for line in out.splitlines() if line.startswith("problem: ")]
    assert len(problems) == 3, out
    own = next(p for p in problems if "Own Documents Only" in p)
    assert "give it Sales: User: All Documents (sales_team.group_sale_salesman_all_leads)" in own
    for flow in ("sale orders in (northwind 850)", "order acknowledgments out (northwind 855)",
                 "ship notices out (northwind 856)", "invoices out (northwind 810)"):
        assert flow in own, own
    invoices = next(p for p in problems if p.startswith("problem: invoices out (northwind 810)"))
    assert "give it Invoicing: Billing (account.group_account_invoice) (it may not read account.move, " \
           "read account.move.line)" in invoices
    bills = next(p for p in problems if p.startswith("problem: vendor invoices in (bills) (acme 810)"))
    assert "may not read account.move, create account.move, write account.move" in bills
    # the receipts (Inventory: User reads purchase orders) and the stock feed are fine: not named
    assert not any("receipts" in p or "stock feeds" in p for p in problems)
    assert "Traceback" not in out + done.stderr and KEY not in out + done.stderr


@pytest.mark.parametrize("sandbox", [16, 19], indirect=True)
def test_odoo_check_passes_a_user_with_the_groups_and_asks_only_for_the_flows_in_use(
        tmp_path: Path, sandbox: SandboxServer) -> None:
    api_user(sandbox.db, "edi", "edi", EVERYTHING, [KEY])
    done = cli("odoo-check", config=workspace(tmp_path / "all", sandbox.url).config, env=secret(sandbox))
    assert done.returncode == 0 and "0 problems" not in done.stdout, done.stdout
    assert "ok: the Odoo user 'edi' may do what the configured flows need" in done.stdout
    # a user of the sales side only, for a workspace without the vendor: nothing asked of purchase or billing but
    # the customer invoices it sends
    api_user(sandbox.db, "sales", "edi", ["sales_team.group_sale_salesman_all_leads", "account.group_account_invoice"],
             [KEY])
    ws = workspace(tmp_path / "sales", sandbox.url, vendor=False)
    ws.settings["odoo"]["username"] = "sales"
    ws.write_config()
    done = cli("odoo-check", config=ws.config, env=secret(sandbox))
    assert done.returncode == 0, done.stdout


@pytest.mark.parametrize("sandbox", [17, 19], indirect=True)
def test_the_daemon_warns_at_start_keeps_posting_and_checks_again_at_reload(
        tmp_path: Path, sandbox: SandboxServer) -> None:
    uid = api_user(sandbox.db, "edi", "edi", OWN_ONLY, [KEY])
    ws = workspace(tmp_path, sandbox.url, ops_port=free_port())
    with GatewayProcess(ws.config, env=secret(sandbox)) as gw:
        wait_for(lambda: "Own Documents Only" in gw.output(), message="the rights warning logged")
        assert "WARNING" in next(line for line in gw.output().splitlines() if "Own Documents Only" in line)
        status = wait_for(lambda: status_naming(ws, "odoo:rights"), message="status naming the rights")
        assert "health   not ready: odoo:rights: " in status and "sales_team.group_sale_salesman_all_leads" in status
        # the flows go on: Northwind's order is posted (the sandbox has no record rules: its salesperson is none)
        ws.drop("850.edi", (EXAMPLES / "samples" / "northwind" / "850_NW-77001.edi").read_bytes())
        wait_for(lambda: ws.count(direction="in", state="done") == 1, message="the order posted")
        # the integrator gives the groups in Odoo, then reloads: checked again
        sandbox.db.users[uid].groups = frozenset(EVERYTHING)
        gw.signal(signal.SIGHUP)
        wait_for(lambda: "may do what the configured flows need" in gw.output(), message="the check after reload")
        wait_for(lambda: status_naming(ws, "health   ready"), message="status ready")


def test_odoo_check_says_at_once_that_odoo_cannot_be_reached(tmp_path: Path) -> None:
    """Exit 4 after one retry, not the daemon's eight (half a minute of 'retry N' lines before an answer)."""
    ws = workspace(tmp_path, f"http://127.0.0.1:{free_port()}")     # nothing listens there
    ws.settings["odoo"]["retry_max"] = 8                             # the default
    ws.write_config()
    done = cli("odoo-check", config=ws.config, env={"EDI_GATEWAY_ODOO_PASSWORD": "edi"})
    assert done.returncode == 4 and "error: http://127.0.0.1:" in done.stdout and "cannot reach Odoo" in done.stdout
    assert done.stderr.count("; retry ") <= 1 and "Traceback" not in done.stderr, done.stderr


@pytest.mark.parametrize("sandbox", [18], indirect=True)
def test_a_partner_whose_ship_to_contacts_are_made_asks_for_contact_creation(
        tmp_path: Path, sandbox: SandboxServer) -> None:
    api_user(sandbox.db, "edi", "edi", EVERYTHING, [KEY])
    ws = workspace(tmp_path, sandbox.url, vendor=False)
    partner = YAML().load((ws.root / "partners" / "northwind.yaml").read_text())
    partner["odoo"]["create_ship_to"] = True
    ws.write_partner("northwind", dict(partner))
    done = cli("odoo-check", config=ws.config, env=secret(sandbox))
    assert done.returncode == 1, done.stdout
    [problem] = [line for line in done.stdout.splitlines() if line.startswith("problem: ")]
    assert problem.startswith("problem: new ship-to contacts (create_ship_to) (northwind 850): the Odoo user 'edi' "
                              "lacks access: give it Contact Creation (base.group_partner_manager) (it may not "
                              "create res.partner); until then each such document is quarantined"), problem
