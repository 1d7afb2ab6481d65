"""`edi-gateway status`: messages per state, what needs a human, what is waiting."""

from __future__ import annotations

import argparse
import json
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from gateway.cli import EXIT_OK
from gateway.commands.mdn import unsent
from gateway.commands.messages import echo, overdue_note
from gateway.config.args import add_config_argument, open_state, running_gateway
from gateway.config.models import GatewayConfig
from gateway.journal.api import ATTENTION, Message, State
from gateway.ops.probe import ask_healthz
from gateway.ops.setaside import DEALT_WITH, set_aside_files

# waiting for a retry, or being retried now after a failed attempt (in its step, with the error of that attempt)
RETRYING = (State.RETRY_WAIT, State.RECEIVED, State.PARSED, State.TRANSLATED, State.QUEUED)
WAITING_LISTED = 500     # read per state for their causes (an outage can hold thousands: counts has them all)
SET_ASIDE_LISTED = 5     # the newest set-aside files shown in full (the count has them all)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_config_argument(parser)
    parser.add_argument("--json", action="store_true")


def why_waiting(waiting: list[Message]) -> list[tuple[str, int]]:
    """The causes of messages being retried, most common first: during an Odoo outage `status` showed only
    'translated 1' or 'retry_wait 1' and 'next retry at', and the reason was in each message's `show`."""
    return Counter(m.last_error or "(no reason recorded)" for m in waiting).most_common()


def daemon_health(gateway: GatewayConfig) -> dict[str, Any] | None:
    """The running daemon's own checks (its ops endpoint's /healthz): what the journal cannot tell, Odoo
    unreachable before any message failed on it, a transport not listening. None when ops is off."""
    ops = gateway.ops
    if not ops.enabled or not ops.port:
        return None
    host = "127.0.0.1" if ops.host in ("", "0.0.0.0") else "::1" if ops.host == "::" else ops.host
    found = ask_healthz(f"http://{f'[{host}]' if ':' in host else host}:{ops.port}/healthz")
    return found if isinstance(found, dict) else {"status": "unknown", "error": found}


def run(args: argparse.Namespace) -> int:
    opened = open_state(args)
    if isinstance(opened, int):
        return opened
    gateway, journal, _ = opened
    try:
        counts = journal.counts()
        attention = [m for state in ATTENTION for m in journal.find(state=state, limit=20)]
        waiting = [m for state in RETRYING for m in journal.find(state=state, limit=WAITING_LISTED)
                   if state is State.RETRY_WAIT or (m.attempts and m.last_error)]
        next_due = journal.next_due_at()
        overdue = [m for m in journal.overdue_acks(datetime.now(UTC)) if m.meta.get("ack_overdue")]
    finally:
        journal.close()
    owed = unsent(gateway.state_dir)
    kept = set_aside_files(gateway.quarantine_dir)
    pid = running_gateway(gateway.state_dir)
    health = daemon_health(gateway) if pid else None
    if args.json:
        print(json.dumps({"journal": str(gateway.state_dir / "journal.sqlite3"), "gateway_pid": pid,
                          "health": health,
                          "counts": counts,
                          "attention": [m.id for m in attention], "ack_overdue": [m.id for m in overdue],
                          "mdn_not_sent": owed if isinstance(owed, dict) else None,
                          **({"mdn_queue_error": owed} if isinstance(owed, str) else {}),
                          "retry_causes": dict(why_waiting(waiting)),
                          "set_aside": {"count": len(kept), "newest": [
                              {"partner": k.partner, "file": k.name, "at": k.at.isoformat(), "reason": k.reason,
                               "copy": str(k.copy), "next_step": k.next_step} for k in kept[:SET_ASIDE_LISTED]]},
                          "next_retry": next_due.isoformat() if next_due else None}, indent=2))
        return EXIT_OK
    echo(f"journal  {gateway.state_dir / 'journal.sqlite3'}")
    echo(f"archive  {gateway.archive_dir}")
    if pid is not None:
        echo(f"gateway  running, pid {pid}" if pid else
             f"gateway  not running (no process holds {gateway.state_dir / 'gateway.lock'}): nothing is received, "
             "processed or sent until it starts")
    if health is not None:
        failing = [f"{name}: {check.get('detail', '')}" for name, check in health.get("checks", {}).items()
                   if not check.get("ok")]
        echo("health   " + ("ready" if health.get("status") == "ready" else
                            "not ready: " + ("; ".join(failing) or str(health.get("error", "")))))
    total = sum(counts.values())
    echo(f"messages {total}")
    for state in State:
        if counts.get(state.value):
            echo(f"  {state.value:12} {counts[state.value]}")
    if next_due:
        echo(f"next retry at {next_due:%Y-%m-%d %H:%M:%S} UTC")
    if waiting:
        echo("retrying, by cause (each goes on by itself once its cause is gone):")
        for cause, n in why_waiting(waiting)[:5]:
            echo(f"  {n:5}  {cause}")
    if overdue:
        echo(f"acknowledgements overdue: {len(overdue)} (the partner did not answer within its window)")
        for m in overdue[:20]:
            echo(f"  {m.id}  {m.partner or '-':12} {m.doc_type or '-':6} ctrl {m.control_number or '-'}: "
                 f"{overdue_note(m)}")
    if isinstance(owed, str):
        echo(f"asynchronous MDNs: {owed}")
    elif owed:
        echo(f"asynchronous MDNs not sent: {', '.join(f'{n} {state}' for state, n in sorted(owed.items()))} (the "
             "partner has no receipt for these messages: edi-gateway mdn list, then mdn resend ID)")
    if kept:
        echo(f"set aside while taken in: {len(kept)} (the gateway was killed each time it took them in; no message "
             f"records them: {DEALT_WITH})")
        for k in kept[:SET_ASIDE_LISTED]:
            echo(f"  {k.at:%Y-%m-%d %H:%M:%S} UTC  {k.partner:12} {k.name}")
            for line in (*k.reason.split("\n"), f"kept as {k.copy}", *k.next_step.split("\n")):
                echo(f"      {line}")
        if len(kept) > SET_ASIDE_LISTED:
            echo(f"  and {len(kept) - SET_ASIDE_LISTED} older (the status page lists them all; ls "
                 f"{gateway.quarantine_dir}/*/*.killed-*Z)")
    if attention:
        echo("needs attention (edi-gateway show ID; replay / resend after fixing the cause; "
             "close ID --reason TEXT once handled otherwise)")
        for m in attention:
            echo(f"  {m.id}  {m.state.value:11} {m.partner or '-':12} {m.filename}: {m.last_error or ''}")
    return EXIT_OK
