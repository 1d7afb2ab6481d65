"""Every command's output piped into a reader that stops early (`| head`) ends quietly, as inspect's did."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.helpers.gateway import cli

REPO = Path(__file__).resolve().parents[2]


def test_translate_json_into_head_is_not_a_traceback(tmp_path: Path) -> None:
    """`edi-gateway translate SAMPLE --json | head -20` (README, Adding a partner) printed a BrokenPipeError
    traceback: only inspect caught it."""
    ws = tmp_path / "ws"
    assert cli("init", str(ws)).returncode == 0
    sample = ws / "samples" / "bigbox" / "850_4500001235-36.edi"
    proc = subprocess.Popen([sys.executable, "-m", "gateway", "translate", str(sample), "--json",
                             "--config", str(ws / "gateway.yaml")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()                       # like `| head` that has read enough before we write
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0 and "Traceback" not in err, err
