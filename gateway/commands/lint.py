"""`edi-gateway lint`: check gateway.yaml, partners/*.yaml and translations, one line per problem."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from gateway.cli import EXIT_ERROR, EXIT_OK
from gateway.config.args import add_config_argument
from gateway.config.exposure import exposure_warnings
from gateway.config.loader import ConfigErrors, check_folders, find_config, load_checked, warning_text
from gateway.errors import ConfigError
from gateway.ops.certificates import certificates_in_use, expiry_warnings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_config_argument(parser)


def run(args: argparse.Namespace) -> int:
    path = find_config(args.config)
    try:
        config = load_checked(path)       # once: loading (the profiles above all) is most of lint's time
    except (ConfigErrors, ConfigError) as exc:
        errors = list(exc.errors) if isinstance(exc, ConfigErrors) else [exc]
        for error in errors:
            print(error)
        print(f"{len(errors)} error{'s' if len(errors) != 1 else ''}")
        return EXIT_ERROR
    for warning in dict.fromkeys(warning_text(w) for w in config.warnings):
        print(f"warning{warning}")
    for folder in check_folders(config):
        print(f"warning: {folder}")
    for warning in dict.fromkeys(str(w) for w in exposure_warnings(config)):
        print(f"warning: {warning}")
    for warning in expiry_warnings(certificates_in_use(config.gateway, config.partners), datetime.now(UTC)):
        print(f"warning: {warning}")
    if config.gateway.odoo.enabled and config.gateway.odoo.password is None:
        print(f"warning: {path}: odoo is enabled but no password or API key is given here (odoo.password_file, "
              "EDI_GATEWAY_ODOO_PASSWORD): unless the service gets the systemd credential odoo-password, which "
              "lint cannot see, every received document will wait with 'no Odoo password or API key'")
    print(f"{path}: ok ({len(config.partners)} partner{'s' if len(config.partners) != 1 else ''})")
    return EXIT_OK
