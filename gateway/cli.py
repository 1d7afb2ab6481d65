"""`edi-gateway` command line: one sub-command per module in gateway/commands/.

Each command module exposes `add_arguments(parser)` and `run(args) -> int`; its one-line help is in COMMANDS,
so that `edi-gateway --help` lists every command without importing any.
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

# command name -> (module under gateway.commands, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("run",
            "run the gateway in the foreground until SIGTERM (refuses to start on configuration errors)"),
    "demo": ("demo",
             "play a day of EDI: partners send orders over folder, SFTP and AS2; Odoo ships and invoices"),
    "init": ("init",
             ("create a working workspace in DIR: gateway.yaml, example partners, translations, samples, "
              "inbox, outbox")),
    "lint": ("lint",
             "check the configuration; prints file:line:col for each error, exits 1 on any"),
    "inspect": ("inspect",
                "show delimiters, envelopes, transactions and every validation issue of an EDI/XML/CSV file"),
    "translate": ("translate",
                  "print the canonical document(s) of an inbound file (base profile when no partner matches)"),
    "render": ("render",
               "print the outbound file (856, 810, 846, DESADV ...) a canonical JSON document renders to"),
    "messages": ("messages",
                 "list messages (newest first), filtered by state, partner, direction"),
    "show": ("show",
             "show one message: events, errors, archive path, Odoo links, related messages"),
    "replay": ("replay",
               "re-run a quarantined or dead inbound message (the running gateway picks it up)"),
    "resend": ("resend",
               "queue an outbound message for delivery again (attempts reset)"),
    "close": ("close",
              "close quarantined, dead or rejected messages a person has handled (they stop needing attention)"),
    "mdn": ("mdn",
            "asynchronous AS2 MDNs we owe partners: list them, send a refused or failed one again"),
    "status": ("status",
               "messages per state and what needs attention"),
    "reload": ("reload",
               "check the configuration, then have the running gateway load it (SIGHUP), as systemctl reload does"),
    "purge": ("purge",
              "delete archive files past retention.archive_days (never those of unfinished or recent messages)"),
    "odoo-sandbox": ("odoo_sandbox",
                     "serve an Odoo sandbox (JSON-RPC, XML-RPC, JSON-2) on 127.0.0.1 for demos and tests"),
    "odoo-check": ("odoo_check",
                   ("log in to Odoo and check that its user may do what the partners' flows need "
                    "(groups, access rights)")),
}

EPILOG = """exit codes: 0 ok, 1 the command found a problem, 2 usage error,
3 configuration error, 4 a needed service is unavailable.
--config defaults to ./gateway.yaml, then /etc/edi-gateway/gateway.yaml."""


def build_parser(only: str | None = None, *, listing: bool = False) -> argparse.ArgumentParser:
    """Every command's sub-parser, or with `only` that command's alone; with `listing`, every command's name and
    help but no arguments, for `--help`, no command or a mistyped one. Importing every command module (the
    daemon, the AS2 and SFTP stacks, the Odoo sandbox, the config models) cost ~0.7 s of CPU at each
    `edi-gateway messages`, ~1.5 s at each `edi-gateway --help`."""
    parser = argparse.ArgumentParser(prog="edi-gateway", description="EDI and B2B file gateway for Odoo.",
                                     epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        if listing:
            sub.add_parser(name, help=help_text, description=help_text, add_help=False)
            continue
        if only is not None and name != only:
            continue
        try:
            module = importlib.import_module(f"gateway.commands.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"gateway.commands.{module_name}":
                raise
            continue  # command not built yet
        cmd = sub.add_parser(name, help=help_text, description=help_text)
        module.add_arguments(cmd)
        cmd.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(argv[0]) if argv and argv[0] in COMMANDS else build_parser(listing=True)
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
