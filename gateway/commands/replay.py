"""`edi-gateway replay ID`: run a quarantined, dead or duplicate inbound message again, after its cause was fixed."""

from __future__ import annotations

import argparse

from gateway.cli import EXIT_ERROR, EXIT_OK
from gateway.config.args import add_config_argument, open_state
from gateway.errors import JournalError
from gateway.pipeline import replay

HELP = "re-run a quarantined or dead inbound message (the running gateway picks it up)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_config_argument(parser)
    parser.add_argument("id", help="message id")


def run(args: argparse.Namespace) -> int:
    opened = open_state(args)
    if isinstance(opened, int):
        return opened
    _, journal, _ = opened
    try:
        message = replay(journal, args.id)
    except KeyError:
        print(f"error: no message {args.id}")
        return EXIT_ERROR
    except JournalError as exc:
        print(f"error: {exc}")
        return EXIT_ERROR
    finally:
        journal.close()
    print(f"{message.id} is {message.state.value} again; the running gateway will process it")
    return EXIT_OK
