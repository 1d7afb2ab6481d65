"""`edi-gateway demo`: a realistic day of EDI against the Odoo sandbox, in under a minute."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

HELP = "play a day of EDI: partners send orders over folder, SFTP and AS2; Odoo ships and invoices"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--workdir", type=Path, default=None,
                        help="folder for the demo workspace (must be new or empty; default: a new temp folder)")
    parser.add_argument("--keep-running", action="store_true",
                        help="leave the gateway and the Odoo sandbox running after the summary (Ctrl-C stops)")


def run(args: argparse.Namespace) -> int:
    from gateway.demo.runner import run as run_demo
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="edi-gateway-demo-"))
    return run_demo(workdir.resolve(), keep_running=args.keep_running)
