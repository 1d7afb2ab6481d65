"""`edi-gateway close ID --reason TEXT`: end a quarantined, dead or rejected message a person has handled, or, while
no gateway runs, an inbound one still in received/parsed/translated (a file that kills the gateway at each start).

The partner's corrected resend was processed, or someone entered the order in Odoo by hand: without this the
original stayed under "needs attention" for good. Closing only writes the journal (as `replay` does, so it works
while the daemon runs): the message keeps its archived file and its history, gains an event saying who closed it
and why, and is never taken by a worker again; `replay` / `resend` still run it again. Its copy in the quarantine
folder moves to `quarantine/<partner>/closed/`, its .reason.txt saying who closed it: the folder is a to-do list too.
"""

from __future__ import annotations

import argparse
import os
import pwd
import sys
from pathlib import Path

from gateway.cli import EXIT_ERROR, EXIT_OK, EXIT_USAGE
from gateway.config.args import add_config_argument, open_state, running_gateway
from gateway.errors import JournalError
from gateway.journal.api import ATTENTION, Direction, Message, State
from gateway.journal.sqlite import SqliteJournal, utcnow
from gateway.logs import printable

IN_PROGRESS = (State.RECEIVED, State.PARSED, State.TRANSLATED)   # closed only while no gateway runs


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_config_argument(parser)
    parser.add_argument("ids", nargs="+", metavar="ID", help="message id (from `edi-gateway status`)")
    parser.add_argument("--reason", required=True, metavar="TEXT",
                        help="how it was handled, kept in the message's history (\"corrected file received as "
                             "01J...\", \"entered in Odoo by hand\")")


def operator() -> str:
    """Who runs the command, by the process's user id (not $USER, which anyone can set); under sudo, the user
    who ran sudo too: the gateway's files usually belong to its own account, which operators sudo to."""
    try:
        name = pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        name = f"uid {os.getuid()}"
    invoker = os.environ.get("SUDO_USER")
    return f"{invoker} (sudo as {name})" if os.environ.get("SUDO_UID") and invoker and invoker != name else name


def close(journal: SqliteJournal, message_id: str, reason: str, by: str, *, gateway: int | None = None) -> Message:
    """Move a message that needs attention to CLOSED, with who and why in its event and its meta. An inbound one in
    progress only when `gateway` (`running_gateway`: its pid, 0 for none, None when it cannot be told) says none
    runs: a running gateway's worker may be in its step right now, and would post or answer it after the close."""
    message = journal.get(message_id)
    if message.state in IN_PROGRESS and message.direction is Direction.IN and gateway != 0:
        runs = f"a gateway runs on this state folder (pid {gateway})" if gateway else \
            "whether a gateway runs on this state folder cannot be told (no /proc/locks?)"
        raise JournalError(f"{message_id} is {message.state.value} and {runs}: it may be working on it right now. "
                           "Stop the gateway first (systemctl stop edi-gateway), close it, then start it again")
    if message.state not in ATTENTION and not (message.state in IN_PROGRESS and message.direction is Direction.IN):
        raise JournalError(f"{message_id} is {message.state.value}; only quarantined, dead or rejected messages "
                           "can be closed")
    return journal.transition(message_id, State.CLOSED, f"closed by {by}: {reason}", expect=message.state,
                              meta={"closed": {"by": by, "at": utcnow().isoformat(), "reason": reason,
                                               "was": message.state.value}})


def run_again(message: Message) -> str:
    """How a closed message is taken up again, as `close` and `show` say it. A held outbound entry (its document
    could not be rendered) has no file to send: `resend` refuses it, and the scheduler skips its record version."""
    if message.meta.get("held"):
        return "it was never rendered, and is not sent (a later version of its Odoo record is a new document)"
    command = "replay" if message.direction is Direction.IN else "resend"
    return f"`edi-gateway {command} {message.id}` runs it again"


def file_away(quarantine_dir: Path, message: Message) -> list[Path]:
    """Move a closed message's quarantine copy and .reason.txt into `closed/` beside them, the reason file saying
    who closed it and why; the moved paths. `replay` quarantining it again makes a new copy where it was."""
    closed = message.meta["closed"]
    moved = []
    for path in sorted(quarantine_dir.glob(f"*/{message.id}_*")):
        folder = path.parent / "closed"
        folder.mkdir(exist_ok=True)
        if path.name.endswith(".reason.txt"):
            with path.open("a", encoding="utf-8") as said:
                said.write(f"\nclosed {closed['at']} by {closed['by']}: {closed['reason']}\n")
        os.replace(path, folder / path.name)
        moved.append(folder / path.name)
    return moved


def run(args: argparse.Namespace) -> int:
    reason = printable(" ".join(args.reason.split()))
    if not reason:
        print("error: --reason must say how the message was handled", file=sys.stderr)
        return EXIT_USAGE
    opened = open_state(args)
    if isinstance(opened, int):
        return opened
    gateway, journal, _ = opened
    by, code = operator(), EXIT_OK
    runs = running_gateway(gateway.state_dir)
    try:
        for message_id in args.ids:
            try:
                message = close(journal, message_id, reason, by, gateway=runs)
            except KeyError:
                print(f"error: no message {message_id}", file=sys.stderr)
                code = EXIT_ERROR
            except JournalError as exc:
                print(f"error: {exc}", file=sys.stderr)
                code = EXIT_ERROR
            else:
                print(f"{message.id} is closed (was {message.meta['closed']['was']}); {run_again(message)}")
                if message.meta["closed"]["was"] == State.TRANSLATED.value:
                    print(f"note: {message.id} was being posted to Odoo: look for its documents there before "
                          f"entering them by hand (`edi-gateway show {message.id}` lists the records it made)")
                try:
                    file_away(gateway.quarantine_dir, message)
                except OSError as exc:
                    print(f"warning: its quarantine copy was not moved to closed/: {exc}", file=sys.stderr)
    finally:
        journal.close()
    return code
