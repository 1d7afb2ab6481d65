"""What every command does with `--config`: declare it the same way, load it the same way.

Other command modules use these two so that `--config` means one thing across the CLI.
"""

from __future__ import annotations

import argparse
import sys

from gateway.cli import EXIT_CONFIG
from gateway.config.loader import ConfigErrors, LoadedConfig, find_config, load
from gateway.errors import ConfigError


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
