"""The demo with parts of the gateway missing: each step that needs one says which, the rest still runs,
and nobody sees a traceback. The parts are hidden with an import hook in sitecustomize (inherited by the
gateway process), exactly as if those modules had not been built."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

HOOK = '''
import importlib.abc, sys
HIDDEN = {hidden!r}
class Hide(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name in HIDDEN:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None
sys.meta_path.insert(0, Hide())
'''


def test_missing_sftp_server_and_sandbox_are_named_and_the_rest_runs(tmp_path: Path) -> None:
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(HOOK.format(hidden=["gateway.transports.sftp_server",
                                                               "gateway.odoo.sandbox"]))
    env = {k: v for k, v in os.environ.items() if k != "JOURNAL_STREAM"}
    env["PYTHONPATH"] = os.pathsep.join([str(hook), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    proc = subprocess.run([sys.executable, "-m", "gateway", "demo", "--workdir", str(tmp_path / "ws")],
                          capture_output=True, text=True, env=env, timeout=170, cwd=tmp_path, check=False)
    out = proc.stdout + proc.stderr
    assert "Traceback" not in out, out
    steps = dict(re.findall(r"^\[\d+/\d+\] (.+?): (ok|SKIPPED|FAILED) ", out, re.MULTILINE))
    assert steps["Start the Odoo sandbox with demo data"] == "SKIPPED"
    assert "gateway.odoo.sandbox" in out and "is not built" in out
    assert steps["ShopMarket uploads CSV orders over SFTP"] == "SKIPPED"
    assert steps["Northwind uploads an X12 850 over SFTP"] == "SKIPPED"
    assert "the SFTP server (gateway.transports.sftp_server) is not built" in out
    # what does not need them still ran for real
    for title in ("Create the workspace", "Start the gateway (edi-gateway run)",
                  "EuroHandel drops EDIFACT ORDERS into the shared folder", "BigBox sends an X12 850 over AS2",
                  "A malformed file lands in the inbox"):
        assert steps[title] == "ok", (title, out)
    assert "FAILED" not in steps.values(), out
    assert proc.returncode == 0, out
    assert "Quarantined: PO_truncated_0830.x12" in out
    assert re.search(r"^bigbox\s+3\s", out, re.MULTILINE), out          # its two 850 files and its 860
