"""`edi-gateway odoo-sandbox`: serve the Odoo sandbox until SIGTERM / Ctrl-C."""

from __future__ import annotations

import argparse
import signal
import sys
import threading


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=8069, help="port (default 8069, where the url of init's gateway.yaml points; 0: any free port)")
    parser.add_argument("--host", default="127.0.0.1", choices=["127.0.0.1", "::1"], help="loopback address (default 127.0.0.1)")
    parser.add_argument("--odoo-version", type=int, default=17, choices=[16, 17, 18, 19],
                        help="Odoo version to imitate (default 17)")
    parser.add_argument("--seed", default="demo", choices=["demo", "base"], help="demo world (default) or an empty company")
    parser.add_argument("--database", default="demo", help="database name (default demo)")
    parser.add_argument("--login", default="admin", help="the API user's login (default admin)")
    parser.add_argument("--password", default="admin", help="its password (default admin)")
    parser.add_argument("--api-key", action="append", default=None,
                        help="API key accepted as bearer (JSON-2) or password; repeatable. "
                             "Odoo 19 mode default: the password")
    parser.add_argument("--lang", default=None, metavar="fr_FR",
                        help="a database set up in that language (fr_FR), English archived: units, taxes and products "
                             "have its names, which Odoo 19's JSON-2 answers when a call names no language")


def run(args: argparse.Namespace) -> int:
    from gateway.odoo.sandbox import SandboxServer

    try:
        server = SandboxServer(version=args.odoo_version, seed_name=args.seed, database=args.database,
                               login=args.login, password=args.password, api_keys=args.api_key,
                               host=args.host, port=args.port, lang=args.lang)
    except ValueError as exc:
        print(f"odoo-sandbox: {exc}", file=sys.stderr)
        return 2
    stop = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        server.start()
    except OSError as exc:
        print(f"odoo-sandbox: cannot listen on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
        return 4
    print(f"odoo-sandbox: Odoo {args.odoo_version} on {server.url} (database {args.database!r}, "
          f"login {args.login!r}{f', in {args.lang}' if args.lang else ''})", flush=True)
    stop.wait()
    server.stop()
    return 0
