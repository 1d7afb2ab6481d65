"""What every command does with `--config`: declare it the same way, load it the same way.

Other command modules use these two so that `--config` means one thing across the CLI.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from gateway.cli import EXIT_CONFIG, EXIT_ERROR, EXIT_OK, EXIT_UNAVAILABLE
from gateway.config.loader import ConfigErrors, LoadedConfig, find_config, load, load_gateway
from gateway.config.models import GatewayConfig
from gateway.errors import ConfigError, JournalError
from gateway.journal.api import Message
from gateway.journal.archive import Archive
from gateway.journal.sqlite import SqliteJournal, open_journal


def add_config_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", "-c", metavar="FILE", default=None,
                        help="gateway.yaml (default ./gateway.yaml, then /etc/edi-gateway/gateway.yaml)")


def load_or_exit_code(args: argparse.Namespace) -> LoadedConfig | int:
    """The loaded configuration, or EXIT_CONFIG after printing every error as file:line:col."""
    try:
        return load(find_config(getattr(args, "config", None)))
    except ConfigErrors as exc:
        for error in exc.errors:
            print(f"error: {error}", file=sys.stderr)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
    return EXIT_CONFIG


def open_state(args: argparse.Namespace) -> tuple[GatewayConfig, SqliteJournal, Archive] | int:
    """gateway.yaml alone (partner files need not be valid to look at the journal), its journal and archive."""
    path = find_config(getattr(args, "config", None))
    try:
        gateway = load_gateway(path)
    except ConfigErrors as exc:
        for error in exc.errors:
            print(f"error: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    if not (gateway.state_dir / "journal.sqlite3").exists():
        print(f"error: no journal at {gateway.state_dir} (has the gateway run yet?)", file=sys.stderr)
        return EXIT_UNAVAILABLE
    try:
        journal = open_journal(gateway.state_dir)
    except JournalError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    return gateway, journal, Archive(gateway.archive_dir)


def change_message(args: argparse.Namespace, action: Callable[[SqliteJournal, str], Message], then: str,
                   verb: str) -> int:
    """Shared body of `replay` and `resend`: apply `action` to message `args.id` and say what happens next.
    A message whose file `purge` removed is refused here, naming what is left: accepted, the daemon would only
    fail it again with "archive has no ..." after the command had said it would be processed."""
    opened = open_state(args)
    if isinstance(opened, int):
        return opened
    gateway, journal, archive = opened
    try:
        purged = _purged(journal.get(args.id), archive, gateway.quarantine_dir)
        if purged:
            print(f"error: {args.id} cannot be {verb}: {purged}", file=sys.stderr)
            return EXIT_ERROR
        message = action(journal, args.id)
    except KeyError:
        print(f"error: no message {args.id}", file=sys.stderr)
        return EXIT_ERROR
    except JournalError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    finally:
        journal.close()
    print(f"{message.id} is {message.state.value} again; the running gateway will {then} it")
    return EXIT_OK


def _purged(message: Message, archive: Archive, quarantine_dir: Path) -> str | None:
    """Why `message` cannot run again when `purge` removed its archived file (None while the file is there),
    with the copy the quarantine folder may still keep."""
    if archive.exists(message.sha256):
        return None
    copies = sorted(p for p in quarantine_dir.glob(f"*/{message.id}_*") if not p.name.endswith(".reason.txt"))
    kept = f"; the quarantine keeps a copy: {copies[0]}" if copies else ""
    return (f"its file {message.filename} is no longer in the archive ({archive.path(message.sha256)}, removed by "
            f"purge after retention.archive_days){kept}")
