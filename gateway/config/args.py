"""What every command does with `--config`: declare it the same way, load it the same way.

Other command modules use these two so that `--config` means one thing across the CLI.
"""

from __future__ import annotations

import argparse
import os
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


def add_config_argument(parser: argparse.ArgumentParser, default: str | None = None) -> None:
    """`--config`; a sub-action that takes it as well as its command passes `argparse.SUPPRESS` as `default`, so
    that it does not undo the command's."""
    parser.add_argument("--config", "-c", metavar="FILE", default=default,
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
    try:
        (gateway.state_dir / "journal.sqlite3").stat()
    except FileNotFoundError:
        print(f"error: no journal at {gateway.state_dir} (has the gateway run yet?)", file=sys.stderr)
        return EXIT_UNAVAILABLE
    except OSError as exc:            # a state folder only the gateway's own user may enter (0700, 0750)
        print(f"error: cannot read the journal in {gateway.state_dir}: {exc.strerror}; run this as the "
              "gateway's user (sudo -u USER edi-gateway ...)", file=sys.stderr)
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
    if running_gateway(gateway.state_dir) == 0:
        print(f"{message.id} is {message.state.value} again; no gateway runs on {gateway.state_dir} now: the "
              f"next one started will {then} it")
    else:
        print(f"{message.id} is {message.state.value} again; the running gateway will {then} it")
    return EXIT_OK


def running_gateway(state_dir: Path) -> int | None:
    """The pid of the daemon holding `state_dir/gateway.lock`, 0 when none does, None when it cannot be told.
    Read from /proc/locks rather than by trying the lock: a probe holding it for an instant could make a
    daemon starting at that instant refuse to start."""
    try:
        table = Path("/proc/locks").read_text(encoding="ascii").splitlines()
    except (OSError, UnicodeDecodeError):
        return None                 # not Linux, or no /proc
    try:
        lock = (state_dir / "gateway.lock").stat()
    except FileNotFoundError:
        return 0                    # no daemon ever ran on this state folder
    except OSError:
        return None                 # a state folder this user may not look into: a gateway may well run
    device = f"{os.major(lock.st_dev):02x}:{os.minor(lock.st_dev):02x}:{lock.st_ino}"
    for line in table:
        fields = line.split()      # "3: FLOCK  ADVISORY  WRITE 23673 fe:00:2221601 0 EOF" ("3: -> FLOCK" waits)
        if len(fields) >= 6 and fields[1] == "FLOCK" and fields[5] == device and fields[4].isdigit():
            return int(fields[4])
    return 0


def _purged(message: Message, archive: Archive, quarantine_dir: Path) -> str | None:
    """Why `message` cannot run again when `purge` removed its archived file (None while the file is there),
    with the copy the quarantine folder may still keep."""
    if archive.exists(message.sha256):
        return None
    copies = sorted(p for pattern in (f"*/{message.id}_*", f"*/closed/{message.id}_*")       # closed: see `close`
                    for p in quarantine_dir.glob(pattern) if not p.name.endswith(".reason.txt"))
    kept = f"; the quarantine keeps a copy: {copies[0]}" if copies else ""
    return (f"its file {message.filename} is no longer in the archive ({archive.path(message.sha256)}, removed by "
            f"purge after retention.archive_days){kept}")
