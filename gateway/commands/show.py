"""`edi-gateway show ID`: one message with its events, errors, archive path, Odoo links and children."""

from __future__ import annotations

import argparse
import json
import sys

from gateway.cli import EXIT_ERROR, EXIT_OK
from gateway.commands.close import run_again
from gateway.commands.messages import as_dict, echo, overdue_note
from gateway.config.args import add_config_argument, open_state
from gateway.journal.api import State
from gateway.pipeline import quarantine_next_step
from gateway.transports.as2.ledger import owed_text


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_config_argument(parser)
    parser.add_argument("id", help="message id (from `edi-gateway messages`)")
    parser.add_argument("--json", action="store_true")


def run(args: argparse.Namespace) -> int:
    opened = open_state(args)
    if isinstance(opened, int):
        return opened
    gateway, journal, archive = opened
    try:
        try:
            message = journal.get(args.id)
        except KeyError:
            print(f"error: no message {args.id}", file=sys.stderr)
            return EXIT_ERROR
        events = journal.events(message.id)
        links = journal.odoo_links(message.id)
        children = journal.children(message.id)
    finally:
        journal.close()
    path = archive.path(message.sha256)
    stored = path.is_file()
    if args.json:
        out = as_dict(message)
        out.update(archive_path=str(path), archived=stored, meta=message.meta,
                   events=[{"at": e.at.isoformat(), "from": e.from_state.value if e.from_state else None,
                            "to": e.to_state.value, "reason": e.reason} for e in events],
                   odoo=[{"model": link.model, "id": link.record_id, "role": link.role} for link in links],
                   children=[as_dict(c) for c in children])
        print(json.dumps(out, indent=2, default=str))
        return EXIT_OK
    echo(f"message   {message.id}  ({message.direction.value}, {message.state.value})")
    echo(f"partner   {message.partner or '-'}")
    echo(f"file      {message.filename}  via {message.channel}"
         f"{'  from ' + message.source_key if message.source_key else ''}")
    echo(f"content   {message.syntax or '?'} {message.doc_type or ''}  control {message.control_number or '-'}"
         f"  {message.size} bytes")
    echo(f"archive   {path}{'' if stored else '  (purged)'}")
    if message.parent_id:
        echo(f"parent    {message.parent_id}")
    if message.meta.get("duplicate_of"):
        echo(f"same as   {message.meta['duplicate_of']}  (a duplicate, not processed; `edi-gateway replay "
             f"{message.id}` processes it anyway)")
    for other in message.meta.get("revises") or ():
        echo(f"revises   {other}  (same document number, other content)")
    if message.attempts or message.next_attempt_at:
        echo(f"attempts  {message.attempts}"
             f"{'  next ' + message.next_attempt_at.isoformat() if message.next_attempt_at else ''}")
    if message.last_error:
        echo(f"error     {message.last_error}")
    findings = [f for f in (message.meta.get("parse") or {}).get("issues") or []
                if str(f) not in (message.last_error or "")]    # a file rejected at parse: its error names them
    if findings:
        echo("findings  (what the file's validation noted; a rejected set is not translated)")
        for finding in findings[:10]:
            echo(f"  {finding}")
        if len(findings) > 10:
            echo(f"  and {len(findings) - 10} more (show --json)")
    if message.state is State.QUARANTINED:
        for copy in sorted(gateway.quarantine_dir.glob(f"*/{message.id}_*")):
            echo(f"{'reason' if copy.name.endswith('.reason.txt') else 'copy':9} {copy}")
        first, *more = quarantine_next_step(message, bool(message.meta.get("the_file"))).split("\n")
        echo(f"next      {first}")
        for line in more:
            echo(f"          {line}")
    if message.state is State.CLOSED and (closed := message.meta.get("closed")):
        echo(f"closed    by {closed.get('by')} at {closed.get('at')}: {closed.get('reason')} (no longer needs "
             f"attention; {run_again(message)})")
    if message.meta.get("delivery"):
        echo(f"delivery  {message.meta['delivery']}")
    if note := overdue_note(message):
        echo(f"ack       {note}")
    if note := owed_text(message.meta, message.id):
        echo(f"mdn       {note}")
    echo("events")
    for e in events:
        echo(f"  {e.at:%Y-%m-%d %H:%M:%S}  {(e.from_state.value if e.from_state else '-'):>11} -> "
             f"{e.to_state.value:11}  {e.reason}")
    if links:
        echo("odoo")
        for link in links:
            echo(f"  {link.model},{link.record_id}  ({link.role})")
    if children:
        echo("related")
        for c in children:
            echo(f"  {c.id}  {c.direction.value:3} {c.state.value:11} {c.doc_type or '-':8} {c.filename}")
    return EXIT_OK
