"""`edi-gateway mdn list | resend ID`: the asynchronous AS2 MDNs we owe partners (queued in state/as2.sqlite3).

An MDN refused (its URL leads where the partner's `async_mdn_allow` does not allow) or given up after the
outbox's attempts is never sent by itself; once the partner's settings or its URL are fixed, `resend` puts it
back in the queue. Like `resend` for outbound messages, this only writes the queue (SQLite, safe beside the
running daemon): the daemon's MDN sender reads the queue every few seconds and POSTs it with the partner's
settings as the daemon has them loaded (reload it after editing partners/*.yaml), signed with our key pair as the
daemon has it loaded: an MDN signed before a rotation of our certificate is signed again (restart the daemon after
changing as2_server.certificate, as for any gateway.yaml change but the inbox folders).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path

from gateway.cli import EXIT_ERROR, EXIT_OK, EXIT_UNAVAILABLE
from gateway.commands.messages import echo
from gateway.config.args import add_config_argument, open_state
from gateway.config.loader import ConfigErrors, find_config, load
from gateway.errors import ConfigError, JournalError
from gateway.journal.sqlite import SqliteJournal
from gateway.logs import redact_url
from gateway.transports.as2.ledger import MDN_STATES, Ledger, OwedMdn, owed_note
from gateway.transports.destinations import Destinations


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_config_argument(parser)
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = sub.add_parser("list", help="the queued MDNs, newest first")
    listing.add_argument("--partner", help="partner id")
    listing.add_argument("--state", choices=list(MDN_STATES.values()),
                         help="queued (waiting or retrying), sent, failed (given up), refused (URL not allowed)")
    listing.add_argument("--limit", type=int, default=100)
    listing.add_argument("--json", action="store_true")
    again = sub.add_parser("resend", help="queue a refused, failed or waiting MDN to be sent now (attempts reset)")
    again.add_argument("id", help="the inbound message's journal id, or the partner's AS2 Message-ID")
    again.add_argument("--url", help="send it here instead of the Receipt-Delivery-Option the partner gave "
                                     "(the partner says its MDN address changed)")
    for action in (listing, again):              # `mdn list --config X` as well as `mdn --config X list`
        add_config_argument(action, default=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    opened = open_state(args)
    if isinstance(opened, int):
        return opened
    gateway, journal, _ = opened
    try:
        path = gateway.state_dir / "as2.sqlite3"
        if not path.is_file():
            print(f"error: no AS2 ledger at {path} (has the AS2 server received anything yet?)", file=sys.stderr)
            return EXIT_UNAVAILABLE
        ledger = Ledger(path)
        try:
            return list_mdns(args, ledger) if args.action == "list" else resend(args, ledger, journal)
        finally:
            ledger.close()
    finally:
        journal.close()


def unsent(state_dir: Path) -> dict[str, int] | str:
    """Refused and failed MDN counts for `edi-gateway status` (none without an AS2 ledger), read-only; why not,
    when the ledger cannot be read (status says so and goes on, as the status page does)."""
    path = state_dir / "as2.sqlite3"
    if not path.is_file():
        return {}
    try:
        ledger = Ledger(path, read_only=True)
        try:
            return ledger.unsent_counts()
        finally:
            ledger.close()
    except sqlite3.Error as exc:
        return f"the queue in {path} cannot be read: {exc}"


def _when(at: float | None) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d %H:%M:%S") if at else "-"


def list_mdns(args: argparse.Namespace, ledger: Ledger) -> int:
    rows = ledger.owed_mdns(partner=args.partner, state=args.state, limit=args.limit)
    if args.json:
        print(json.dumps([{"journal_id": r.journal_id or None, "as2_message_id": r.message_id or None,
                           "partner": r.partner, "state": r.state, "url": redact_url(r.url), "attempts": tries(r),
                           "last_error": r.last_error, "queued_at": _iso(r.at),
                           "next_attempt_at": _iso(r.next_at) if r.state == "queued" else None} for r in rows],
                         indent=2))
        return EXIT_OK
    if not rows:
        print("no asynchronous MDNs")
        return EXIT_OK
    print(f"{'MESSAGE':26}  {'STATE':7}  {'PARTNER':12}  {'TRIES':>5}  {'QUEUED (UTC)':19}  AS2 MESSAGE-ID")
    for r in rows:
        echo(f"{r.journal_id or '-':26}  {r.state:7}  {r.partner[:12]:12}  {tries(r):>5}  {_when(r.at):19}  "
             f"{r.message_id or '-'}")
        echo(f"{'':28}to {redact_url(r.url)}"
             f"{'  next ' + _when(r.next_at) if r.state == 'queued' and r.attempts else ''}")
        if r.last_error and r.state != "sent":
            echo(f"{'':28}! {r.last_error}")
    return EXIT_OK


def tries(row: OwedMdn) -> int:
    """POSTs made since it was queued (or queued again): the queue counts the failed ones, for the backoff, so the
    one that got through is added; `mdn list` showed 0 tries for an MDN that was sent."""
    return row.attempts + (row.state == "sent")


def _iso(at: float | None) -> str | None:
    return datetime.fromtimestamp(at, UTC).isoformat(timespec="seconds") if at else None


def resend(args: argparse.Namespace, ledger: Ledger, journal: SqliteJournal) -> int:
    """Queue the newest MDN for `args.id` that was not sent, unless the partner's settings on disk still
    refuse its URL (the daemon would only refuse it again)."""
    found = ledger.owed_mdns(key=args.id)
    if not found:
        print(f"error: no asynchronous MDN for {args.id} (a journal id or an AS2 Message-ID)", file=sys.stderr)
        return EXIT_ERROR
    owed = next((r for r in found if r.state != "sent"), None)
    if owed is None:
        print(f"error: the MDN for {args.id} was sent to {redact_url(found[0].url)}; nothing to send again",
              file=sys.stderr)
        return EXIT_ERROR
    url = (args.url or owed.url).strip()
    if not url.lower().startswith(("http://", "https://")):
        print(f"error: {redact_url(url)} is not an http(s) URL", file=sys.stderr)
        return EXIT_ERROR
    refused = still_refused(args.config, owed.partner, url)
    if refused:
        print(f"error: not queued: {refused}", file=sys.stderr)
        return EXIT_ERROR
    if not ledger.requeue_mdn(owed.id, args.url.strip() if args.url else None):
        print(f"error: the MDN for {args.id} was sent to {redact_url(owed.url)} while this command looked; "
              "nothing to send again", file=sys.stderr)
        return EXIT_ERROR
    _note(journal, owed, url)
    echo(f"the MDN for {owed.message_id or args.id} (message {owed.journal_id or '-'}, was {owed.state}) is queued "
         f"for {redact_url(url)}; the running gateway sends it within seconds, with the settings of partner "
         f"{owed.partner} it has loaded (reload it first if you changed them: systemctl reload edi-gateway)")
    return EXIT_OK


def still_refused(config: str | Path | None, partner_id: str, url: str) -> str | None:
    """Why the partner's settings as they are on disk refuse `url` (a literal address; a name is checked on what
    it resolves to when the daemon sends), or None. Partner files that do not load are not held against it."""
    from gateway.transports.as2.server import inbound_as2  # aiohttp's server: not for `status` or `mdn list`

    try:
        loaded = load(find_config(config))
    except (ConfigErrors, ConfigError) as exc:
        print(f"warning: the partner files could not be read, {redact_url(url)} is checked only when the MDN is "
              f"sent: {str(exc).splitlines()[0]}", file=sys.stderr)
        return None
    partner = loaded.partners.get(partner_id)
    channel = inbound_as2(partner) if partner is not None else None
    why = Destinations.of(channel.async_mdn_allow if channel else [],
                           loaded.gateway.as2_server.nat64_prefixes).check_url(url)
    if why is None:
        return None
    where = loaded.partner_files.get(partner_id)
    return (f"{redact_url(url)}: {why}; list it in async_mdn_allow of {where or 'the partner file'} "
            f"(AS2 channel of {partner_id}), reload the gateway, then resend")


def _note(journal: SqliteJournal, owed: OwedMdn, url: str) -> None:
    """The inbound message says its MDN is queued again (no longer refused or failed)."""
    if not owed.journal_id:
        return
    try:
        journal.note(owed.journal_id, meta={"async_mdn": owed_note("queued", url, "resend requested")})
    except (KeyError, JournalError) as exc:
        print(f"warning: message {owed.journal_id} not updated: {exc}", file=sys.stderr)
