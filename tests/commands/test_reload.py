"""`edi-gateway reload`: README's last onboarding step, run against the real daemon.

The pid README pointed at is written "pid N" in state/gateway.lock, so `kill -HUP $(cat state/gateway.lock)`
failed; and a partner file with a mistake was refused by the daemon in its log only, while the coordinator's
terminal showed nothing."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.gateway import GatewayProcess, Workspace, cli

ACME = {"name": "Acme Retail", "x12": {"ids": [{"qualifier": "ZZ", "id": "ACMERETAIL"}]},
        "documents": [{"type": "850", "direction": "in", "profile": "x12-004010-850"}]}


def test_reload_lints_then_asks_the_running_gateway(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path, partners={"acme": ACME})
    done = cli("reload", config=ws.config)
    assert done.returncode == 1 and "no gateway runs on" in done.stderr, done.stderr
    with GatewayProcess(ws.config) as gw:
        # a new partner whose profile name is misspelt: refused here, the gateway not asked
        ws.write_partner("newco", {"name": "New Co", "x12": {"ids": [{"qualifier": "ZZ", "id": "NEWCO"}]},
                                   "documents": [{"type": "850", "direction": "in", "profile": "x12-004010-85"}]})
        done = cli("reload", config=ws.config)
        assert done.returncode == 3, done.stdout + done.stderr
        assert "newco.yaml" in done.stderr and "no translation profile 'x12-004010-85'" in done.stderr
        assert "not reloaded: the running gateway, if any, keeps its configuration" in done.stderr
        assert "Traceback" not in done.stderr
        # fixed: the gateway is asked and loads it
        ws.write_partner("newco", {"name": "New Co", "x12": {"ids": [{"qualifier": "ZZ", "id": "NEWCO"}]},
                                   "documents": [{"type": "850", "direction": "in", "profile": "x12-004010-850"}]})
        seen = len(gw.poll_notifications())
        done = cli("reload", config=ws.config)
        assert done.returncode == 0, done.stdout + done.stderr
        assert gw.proc is not None
        assert done.stdout.startswith(f"reload asked of the gateway (pid {gw.proc.pid}): 2 partners, lint ok")
        gw.wait_notification("READY=1", after=seen)
        assert "reloaded: 2 partners" in gw.output()
        assert "reload refused" not in gw.output()
