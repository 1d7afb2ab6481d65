"""`edi-gateway purge`: remove archived bytes older than the retention that the journal no longer needs."""

from __future__ import annotations

import argparse

from gateway.cli import EXIT_OK
from gateway.config.args import add_config_argument, open_state


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_config_argument(parser)
    parser.add_argument("--days", type=float, default=None, help="override retention.archive_days")
    parser.add_argument("--dry-run", action="store_true", help="only list what would be removed")


def run(args: argparse.Namespace) -> int:
    opened = open_state(args)
    if isinstance(opened, int):
        return opened
    gateway, journal, archive = opened
    days = args.days if args.days is not None else gateway.retention.archive_days
    try:
        removed = archive.purge(journal, days, dry_run=args.dry_run)
    finally:
        journal.close()
    for sha in removed:
        print(f"{'would remove' if args.dry_run else 'removed'} {sha}")
    print(f"{len(removed)} file{'s' if len(removed) != 1 else ''} "
          f"{'would be ' if args.dry_run else ''}removed (retention {days:g} days)")
    return EXIT_OK
