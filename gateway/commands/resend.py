"""`edi-gateway resend ID`: deliver an outbound message again (dead ones after the cause was fixed)."""

from __future__ import annotations

import argparse

from gateway.config.args import add_config_argument, change_message
from gateway.outbound.outbox import resend


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_config_argument(parser)
    parser.add_argument("id", help="message id")


def run(args: argparse.Namespace) -> int:
    return change_message(args, resend, "deliver", "resent")
