"""`edi-gateway messages`: list messages from the journal, newest first."""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from pathlib import Path

from gateway.cli import EXIT_OK, EXIT_USAGE
from gateway.config.args import add_config_argument, open_state
from gateway.config.loader import load_partners
from gateway.journal.api import Direction, Message, State
from gateway.logs import printable


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_config_argument(parser)
    parser.add_argument("--state", help=f"one of: {', '.join(s.value for s in State)}")
    parser.add_argument("--partner", help="partner id")
    parser.add_argument("--direction", choices=[d.value for d in Direction])
    parser.add_argument("--limit", type=int, default=100)
    parser.add_argument("--json", action="store_true", help="one JSON object per message, as a list")


def as_dict(message: Message) -> dict[str, object]:
    return {"id": message.id, "direction": message.direction.value, "state": message.state.value,
            "partner": message.partner, "channel": message.channel, "filename": message.filename,
            "syntax": message.syntax, "doc_type": message.doc_type, "control_number": message.control_number,
            "size": message.size, "sha256": message.sha256, "parent_id": message.parent_id,
            "attempts": message.attempts, "created_at": message.created_at.isoformat(),
            "updated_at": message.updated_at.isoformat(),
            "next_attempt_at": message.next_attempt_at.isoformat() if message.next_attempt_at else None,
            "last_error": message.last_error, "ack_overdue": message.meta.get("ack_overdue")}


def echo(line: str = "") -> None:
    """Print one line of a command's text output, partner-sent control characters escaped."""
    print(printable(line))


def overdue_note(message: Message) -> str | None:
    """'997 overdue since ...' for a sent message whose acknowledgement did not come in time."""
    since = message.meta.get("ack_overdue")
    if not since:
        return None
    kind = message.meta.get("expects_ack") or message.meta.get("awaits") or "acknowledgement"   # MDN, pickup
    late = " (it came later)" if message.state.value in {"done", "rejected"} else ""
    return f"{kind} overdue since {str(since)[:19].replace('T', ' ')} UTC{late}"


def _unknown_partner(partner: str, partners_dir: Path) -> str:
    """For --partner with a typo ('xyzretai'): no message is not the same as no such partner. A partner is known
    by the `id:` of its file (acme-retail.yaml may say `id: acme`; .yml files are partner files too), and by the
    name of a file that does not load."""
    partners, _files, _errors = load_partners(partners_dir, partners_dir.parent)
    files = [*partners_dir.glob("*.yaml"), *partners_dir.glob("*.yml")] if partners_dir.is_dir() else []
    known = sorted(set(partners) | {p.stem for p in files})
    if partner in known:
        return ""
    close = difflib.get_close_matches(partner, known, n=1)
    return (f"; no partner file is named {partner!r}" + (f" (did you mean {close[0]!r}?)" if close else
            f" (partners: {', '.join(known) or 'none'})"))


def run(args: argparse.Namespace) -> int:
    try:
        state = State(args.state) if args.state else None
    except ValueError:
        print(f"error: unknown state '{args.state}'; one of: {', '.join(s.value for s in State)}",
              file=sys.stderr)
        return EXIT_USAGE
    opened = open_state(args)
    if isinstance(opened, int):
        return opened
    gateway, journal, _ = opened
    try:
        found = journal.find(state=state, partner=args.partner,
                             direction=Direction(args.direction) if args.direction else None, limit=args.limit)
    finally:
        journal.close()
    if args.json:
        print(json.dumps([as_dict(m) for m in found], indent=2))
        return EXIT_OK
    if not found:
        print("no messages" + (_unknown_partner(args.partner, gateway.partners_dir) if args.partner else ""))
        return EXIT_OK
    print(f"{'ID':26}  {'DIR':3}  {'STATE':11}  {'PARTNER':12}  {'TYPE':8}  {'CTRL':10}  FILE")
    for m in found:
        echo(f"{m.id:26}  {m.direction.value:3}  {m.state.value:11}  {(m.partner or '-')[:12]:12}  "
             f"{(m.doc_type or '-')[:8]:8}  {(m.control_number or '-')[:10]:10}  {m.filename}")
        if m.last_error and m.state.value in {"quarantined", "dead", "retry_wait", "received", "queued"}:
            echo(f"{'':28}! {m.last_error}")
        if (note := overdue_note(m)) and m.state.value == "sent":
            print(f"{'':28}! {note}")
    return EXIT_OK
