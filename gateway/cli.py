"""`edi-gateway` command line: one sub-command per module in gateway/commands/.

Each command module exposes `HELP: str`, `add_arguments(parser)` and `run(args) -> int`.
Exit codes are the named constants below, the same for every command.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

EXIT_OK = 0          # success
EXIT_ERROR = 1       # the command ran and found a problem (lint errors, unreadable file, not found)
EXIT_USAGE = 2       # wrong arguments
EXIT_CONFIG = 3      # the configuration could not be loaded
EXIT_UNAVAILABLE = 4  # a needed service (Odoo, the journal) is unavailable

# command name -> module under gateway.commands
COMMANDS: dict[str, str] = {
    "run": "run",
    "demo": "demo",
    "init": "init",
    "lint": "lint",
    "inspect": "inspect",
    "translate": "translate",
    "render": "render",
    "messages": "messages",
    "show": "show",
    "replay": "replay",
    "resend": "resend",
    "close": "close",
    "mdn": "mdn",
    "status": "status",
    "reload": "reload",
    "purge": "purge",
    "odoo-sandbox": "odoo_sandbox",
    "odoo-check": "odoo_check",
}

EPILOG = """exit codes: 0 ok, 1 the command found a problem, 2 usage error,
3 configuration error, 4 a needed service is unavailable.
--config defaults to ./gateway.yaml, then /etc/edi-gateway/gateway.yaml."""


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """Every command's sub-parser, or with `only` that command's alone: importing every command module
    (the daemon, the AS2 and SFTP stacks, the Odoo sandbox) cost ~0.7 s of CPU at each `edi-gateway messages`."""
    parser = argparse.ArgumentParser(prog="edi-gateway", description="EDI and B2B file gateway for Odoo.",
                                     epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module_name in COMMANDS.items():
        if only is not None and name != only:
            continue
        try:
            module = importlib.import_module(f"gateway.commands.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"gateway.commands.{module_name}":
                raise
            continue  # command not built yet
        cmd = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(cmd)
        cmd.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(argv[0] if argv and argv[0] in COMMANDS else None)
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        code = int(args._run(args))
        sys.stdout.flush()
        return code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `edi-gateway messages | head`: the reader went away, that is fine, no traceback
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
