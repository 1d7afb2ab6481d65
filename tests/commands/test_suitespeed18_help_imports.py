"""`edi-gateway --help`, a bare or mistyped command list every command without importing any command module:
each imported the whole gateway (the daemon, AS2, SFTP, the Odoo sandbox, pydantic's config models), ~1.5 s
of CPU to print a list of names."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from gateway.journal.sqlite import SqliteJournal
from gateway.transports.as2.ledger import Ledger
from tests.helpers.examples import example_workspace
from tests.helpers.gateway import ROOT, Workspace

HEAVY = ("gateway.commands.", "gateway.config.", "gateway.daemon", "gateway.transports.", "aiohttp", "pydantic")


def heavy_imported(*argv: str) -> tuple[list[str], str]:
    code = ("import json, sys; from gateway.cli import main\n"
            "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
            "print(json.dumps(sorted(sys.modules)), file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, cwd=ROOT,
                          timeout=120, check=False)
    modules = json.loads(done.stderr.strip().splitlines()[-1])
    return [m for m in modules if m.startswith(HEAVY)], done.stdout + done.stderr


def test_help_lists_every_command_without_importing_one() -> None:
    heavy, out = heavy_imported("--help")
    assert heavy == [], heavy
    assert "odoo-check" in out and "messages per state and what needs attention" in out


def test_a_mistyped_or_missing_command_imports_none() -> None:
    heavy, out = heavy_imported("stauts")
    assert heavy == [] and "invalid choice: 'stauts'" in out, out
    heavy, out = heavy_imported()
    assert heavy == [] and "translate" in out, out


def test_a_commands_own_help_still_shows_its_arguments() -> None:
    _, out = heavy_imported("status", "--help")
    assert "--config" in out and "messages per state and what needs attention" in out, out


def test_status_reads_the_as2_ledger_without_the_as2_stack(tmp_path: Path) -> None:
    """`status` counts refused MDNs from the AS2 ledger: importing it brought the AS2 client, server and
    channel (aiohttp, cryptography: ~1 s of CPU), for a read of one SQLite table."""
    config = example_workspace(tmp_path / "ws", ("northwind",))
    state = config.parent / "state"
    state.mkdir(exist_ok=True)
    Ledger(state / "as2.sqlite3").close()
    SqliteJournal(state / "journal.sqlite3").close()
    code = ("import sys; from gateway.cli import main\n"
            f"code = main(['status', '--config', {str(config)!r}])\n"
            "print(code, sorted(m for m in sys.modules if m.startswith(('aiohttp', 'cryptography', "
            "'gateway.transports.as2.server', 'gateway.transports.as2.client', 'gateway.outbound.as2_channel'))))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120,
                          check=False)
    assert done.stdout.splitlines()[-1:] == ["0 []"], done.stdout + done.stderr


def test_lint_without_sftp_partners_does_not_import_the_sftp_stack(tmp_path: Path) -> None:
    """The transport checks (lint, and every daemon start) imported asyncssh and the SFTP server at module
    level (~0.2 s of CPU) for a gateway where no partner uses SFTP."""
    ws = Workspace.create(tmp_path / "ws")
    code = ("import sys; from gateway.cli import main\n"
            f"code = main(['lint', '--config', {str(ws.config)!r}])\n"
            "print(code, sorted(m for m in sys.modules if m.startswith(('asyncssh', 'gateway.transports.sftp'))))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120,
                          check=False)
    assert done.stdout.splitlines()[-1:] == ["0 []"], done.stdout + done.stderr
