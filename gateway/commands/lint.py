"""`edi-gateway lint`: check gateway.yaml, partners/*.yaml and translations, one line per problem."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from gateway.cli import EXIT_ERROR, EXIT_OK
from gateway.config.args import add_config_argument
from gateway.config.exposure import exposure_warnings
from gateway.config.loader import check_folders, find_config, lint, load
from gateway.ops.certificates import certificates_in_use, expiry_warnings

HELP = "check the configuration; prints file:line:col for each error, exits 1 on any"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_config_argument(parser)


def run(args: argparse.Namespace) -> int:
    path = find_config(args.config)
    errors = lint(path)
    for error in errors:
        print(error)
    if errors:
        print(f"{len(errors)} error{'s' if len(errors) != 1 else ''}")
        return EXIT_ERROR
    config = load(path)
    for warning in dict.fromkeys(str(w) for w in config.warnings):
        print(f"warning (shipped profile): {warning}")
    for folder in check_folders(config):
        print(f"warning: {folder}")
    for warning in dict.fromkeys(str(w) for w in exposure_warnings(config)):
        print(f"warning: {warning}")
    for warning in expiry_warnings(certificates_in_use(config.gateway, config.partners), datetime.now(UTC)):
        print(f"warning: {warning}")
    print(f"{path}: ok ({len(config.partners)} partner{'s' if len(config.partners) != 1 else ''})")
    return EXIT_OK
