"""`edi-gateway COMMAND` imports that command's module only: every CLI call paid ~0.7 s of CPU importing all
of them (the daemon, AS2, SFTP, the Odoo sandbox) before doing anything."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.helpers.examples import example_workspace
from tests.helpers.gateway import ROOT, cli


def commands_imported(*argv: str) -> tuple[set[str], subprocess.CompletedProcess[str]]:
    code = ("import json, sys; from gateway.cli import main\n"
            "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
            "print(json.dumps([m for m in sys.modules if m.startswith('gateway.commands.')]), file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, cwd=ROOT,
                          timeout=120, check=False)
    return set(json.loads(done.stderr.strip().splitlines()[-1])), done


def test_a_command_imports_its_own_module_only(tmp_path: Path) -> None:
    imported, done = commands_imported("messages", "--config", str(tmp_path / "none.yaml"))
    assert imported == {"gateway.commands.messages"}, done.stderr
    imported, _ = commands_imported("lint", "--help")
    assert imported == {"gateway.commands.lint"}


def test_help_and_a_mistyped_command_still_list_every_command() -> None:
    listed = cli("--help")
    assert listed.returncode == 0 and "odoo-sandbox" in listed.stdout and "purge" in listed.stdout
    wrong = cli("lnit")
    assert wrong.returncode == 2 and "invalid choice: 'lnit'" in wrong.stderr and "'messages'" in wrong.stderr
    bare = cli()
    assert bare.returncode == 2 and "translate" in bare.stdout


def test_lint_does_not_import_the_ops_web_server(tmp_path: Path) -> None:
    """lint reads certificates through gateway.ops.certificates; importing the package brought in its aiohttp
    server (~0.5 s of CPU). The daemon still gets `start` from the package."""
    config = example_workspace(tmp_path / "ws", ("northwind",))
    code = ("import sys; from gateway.cli import main\n"
            f"code = main(['lint', '--config', {str(config)!r}])\n"
            "print(code, 'gateway.ops.server' in sys.modules, 'aiohttp' in sys.modules)\n"
            "from gateway.ops import start, build_app\n"
            "print(start.__module__, build_app.__module__)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120,
                          check=False)
    assert done.stdout.splitlines()[-2:] == ["0 False False", "gateway.ops.server gateway.ops.server"], \
        done.stdout + done.stderr
