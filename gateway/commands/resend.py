"""`edi-gateway resend ID`: deliver an outbound message again (dead ones after the cause was fixed)."""

from __future__ import annotations

import argparse

from gateway.cli import EXIT_ERROR, EXIT_OK
from gateway.config.args import add_config_argument, open_state
from gateway.errors import JournalError
from gateway.outbound.outbox import resend

HELP = "queue an outbound message for delivery again (attempts reset)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_config_argument(parser)
    parser.add_argument("id", help="message id")


def run(args: argparse.Namespace) -> int:
    opened = open_state(args)
    if isinstance(opened, int):
        return opened
    _, journal, _ = opened
    try:
        message = resend(journal, args.id)
    except KeyError:
        print(f"error: no message {args.id}")
        return EXIT_ERROR
    except JournalError as exc:
        print(f"error: {exc}")
        return EXIT_ERROR
    finally:
        journal.close()
    print(f"{message.id} is {message.state.value}; the running gateway will deliver it")
    return EXIT_OK
