"""`edi-gateway run`: the daemon, in the foreground (systemd runs it this way)."""

from __future__ import annotations

import argparse

from gateway.config.args import add_config_argument
from gateway.config.loader import find_config


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_config_argument(parser)


def run(args: argparse.Namespace) -> int:
    from gateway import daemon
    return daemon.run(find_config(args.config))
