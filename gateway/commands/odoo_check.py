"""`edi-gateway odoo-check`: log in to Odoo as the gateway does and say whether its user may run the flows the
partners use (`gateway.odoo.rights`): what an integrator asks before the first order, not after a quarantine."""

from __future__ import annotations

import argparse

from gateway.cli import EXIT_CONFIG, EXIT_ERROR, EXIT_OK, EXIT_UNAVAILABLE
from gateway.config.args import add_config_argument, load_or_exit_code
from gateway.errors import ConfigError, GatewayError, OdooUnavailable
from gateway.logs import redact_url
from gateway.odoo.client import connect
from gateway.odoo.rights import FLOWS, check


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_config_argument(parser)


def run(args: argparse.Namespace) -> int:
    config = load_or_exit_code(args)
    if isinstance(config, int):
        return config
    # asked once more at most: a person waits for the answer (the daemon's own retries ride out an outage)
    settings = config.gateway.odoo.model_copy(update={"retry_max": min(config.gateway.odoo.retry_max, 1)})
    where = f"{redact_url(settings.url)}, database {settings.database}, user {settings.username!r}"
    if not settings.enabled:
        print("note: odoo.enabled is false: the gateway posts nothing and extracts nothing; checked all the same")
    try:
        client = connect(settings)
    except ConfigError as exc:
        print(f"error: {exc}")
        return EXIT_CONFIG
    except GatewayError as exc:         # unreachable, credentials refused, too old
        print(f"error: {where}: {exc}")
        return EXIT_UNAVAILABLE
    try:
        major, minor = client.version
        print(f"Odoo {major}.{minor} at {where} ({client.protocol}), company id {client.company}")
        report = check(client, config)
    except OdooUnavailable as exc:
        print(f"error: {where}: {exc}")
        return EXIT_UNAVAILABLE
    finally:
        client.close()
    for key, users in report.flows.items():
        print(f"  {FLOWS[key].label}: {', '.join(users)}")
    for problem in report.problems:
        print(f"problem: {problem}")
    for question in report.unchecked:
        print(f"warning: {question}")
    print(f"{len(report.problems)} problem{'s' if len(report.problems) != 1 else ''}" if report.problems
          else f"ok: {report.summary()}")
    return EXIT_ERROR if report.problems else EXIT_OK
