"""`edi-gateway demo`: a realistic day of EDI against the Odoo sandbox, in under a minute."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--workdir", type=Path, default=Path("demo-workspace"),
                        help="folder for the demo workspace (default ./demo-workspace); a previous demo's "
                             "workspace there is replaced, any other non-empty folder is refused")
    parser.add_argument("--keep-running", action="store_true",
                        help="leave the gateway and the Odoo sandbox running after the summary (Ctrl-C stops)")


def run(args: argparse.Namespace) -> int:
    from gateway.demo.runner import run as run_demo
    return run_demo(args.workdir.resolve(), keep_running=args.keep_running)
