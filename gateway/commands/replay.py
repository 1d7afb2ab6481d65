"""`edi-gateway replay ID`: run a quarantined, dead or duplicate inbound message again, after its cause was fixed."""

from __future__ import annotations

import argparse

from gateway.config.args import add_config_argument, change_message
from gateway.pipeline import replay


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_config_argument(parser)
    parser.add_argument("id", help="message id")


def run(args: argparse.Namespace) -> int:
    return change_message(args, replay, "process", "replayed")
