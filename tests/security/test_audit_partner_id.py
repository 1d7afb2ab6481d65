"""Audit: a partner id cannot lead a folder outside the workspace.

The id names folders: the default delivery folder outbox/<id>/ (gateway/outbound/folder_channel.py)
and the workspace's outbox/<id>/ made by init. `id: ../../somewhere` wrote our outbound documents
outside outbox/; lint now refuses any id that is not a plain folder name.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.config.loader import lint
from tests.helpers.gateway import Workspace


@pytest.mark.parametrize("bad", ["../../etc", "a/b", "..", ".hidden", "", "x" * 65, "acme\nx"])
def test_audit_partner_id_must_be_a_folder_name(tmp_path: Path, bad: str) -> None:
    ws = Workspace.create(tmp_path / "gw")
    ws.write_partner("p", {"id": bad, "name": "P"})
    errors = lint(ws.config)
    assert any("p.yaml" in str(e) and "id" in str(e) for e in errors), errors


def test_audit_plain_partner_ids_still_lint(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path / "gw", partners={"acme-retail.eu_2": {"name": "ACME"}})
    assert lint(ws.config) == []
