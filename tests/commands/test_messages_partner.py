"""`messages --partner` names a partner id no partner file has; a partner is known by its file's `id:`."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.gateway import GatewayProcess, Workspace, cli

ACME = {"name": "Acme Retail", "x12": {"ids": [{"qualifier": "ZZ", "id": "ACMERETAIL"}]},
        "documents": [{"type": "850", "direction": "in", "profile": "x12-004010-850"}]}


def test_a_partner_whose_file_is_named_otherwise_is_known(tmp_path: Path) -> None:
    """`id: acme` in partners/acme-retail.yml: messages --partner acme, before its first order, said 'no messages;
    no partner file is named 'acme' (partners: acme-retail)', and a coordinator went looking for a typo."""
    ws = Workspace.create(tmp_path, partners={"acme": ACME})
    (ws.root / "partners" / "acme.yaml").rename(ws.root / "partners" / "acme-retail.yml")
    with GatewayProcess(ws.config):
        pass
    done = cli("messages", "--partner", "acme", config=ws.config)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "no messages\n"
    done = cli("messages", "--partner", "acem", config=ws.config)
    assert done.stdout == "no messages; no partner file is named 'acem' (did you mean 'acme'?)\n"
