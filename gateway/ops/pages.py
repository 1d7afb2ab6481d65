"""The status page for the EDI coordinator: server-rendered HTML, no scripts, no external assets.

Everything shown comes from partners' files or the network, so every value goes through
`esc()` (html.escape with quotes); the raw-file view shows bytes as escaped text with control
characters made visible, never as markup. The pages only read.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from gateway.logs import redact_url
from gateway.ops.health import CheckResult
from gateway.ops.queries import PartnerFlow, Row
from gateway.ops.setaside import DEALT_WITH, SetAside
from gateway.transports.as2.ledger import OwedMdn

RAW_LIMIT = 256 * 1024   # bytes of a file shown inline; the rest is cut with a note

CSS = """
:root{--fg:#1d2430;--muted:#5b6575;--line:#d9dee7;--bg:#f6f7f9;--ok:#1a7f37;--bad:#b42318;--warn:#9a6700}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
color:var(--fg);background:var(--bg)}header{background:#1d2430;color:#fff;padding:12px 24px;display:flex;
gap:16px;align-items:baseline;flex-wrap:wrap}header h1{font-size:18px;margin:0}header a{color:#fff}
header .when{color:#c4cbd6;font-size:12px}main{padding:16px 24px;max-width:1400px}
section{background:#fff;border:1px solid var(--line);border-radius:6px;margin:0 0 16px;padding:12px 16px}
h2{font-size:15px;margin:0 0 8px}h2 .count{color:var(--muted);font-weight:normal}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:5px 8px;border-top:1px solid var(--line);
vertical-align:top}th{font-size:12px;color:var(--muted);font-weight:600;border-top:0}td.n,th.n{text-align:right;
font-variant-numeric:tabular-nums;white-space:nowrap}.empty{color:var(--muted);margin:4px 0}.badge{display:inline-block;
padding:1px 8px;border-radius:10px;font-size:12px;border:1px solid}.ok{color:var(--ok);border-color:var(--ok)}
.bad{color:var(--bad);border-color:var(--bad)}.warn{color:var(--warn);border-color:var(--warn)}
.err{color:var(--bad)}code,pre{font:12px/1.4 ui-monospace,"DejaVu Sans Mono",Menlo,monospace}
pre.raw{background:#f0f2f5;border:1px solid var(--line);padding:8px;white-space:pre-wrap;word-break:break-all;
max-height:60vh;overflow:auto}.ctl{color:#8a4baf}dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px}
dt{color:var(--muted)}dd{margin:0}a{color:#0b57d0}td.hot{color:var(--bad);font-weight:600}.nowrap{white-space:nowrap}
"""


def esc(value: Any) -> str:
    """Text safe inside HTML content and quoted attributes."""
    return html.escape("" if value is None else str(value), quote=True)


def _when(value: str | None) -> str:
    if not value:
        return ""
    return esc(value[:19].replace("T", " ") + "Z")


def _age(value: str | None, now: datetime) -> str:
    if not value:
        return ""
    seconds = max(0, int((now - datetime.fromisoformat(value)).total_seconds()))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    if seconds < 172800:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} d"


def _link(row: Row) -> str:
    return f'<a href="/messages/{esc(row.id)}"><code>{esc(row.id)}</code></a>'


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], empty: str, numeric: frozenset[int] | set[int] = frozenset()) -> str:
    body = ["<tr>" + "".join(f'<td class="n">{c}</td>' if i in numeric else f"<td>{c}</td>"
                             for i, c in enumerate(r)) + "</tr>" for r in rows]
    if not body:
        return f'<p class="empty">{esc(empty)}</p>'
    head = "".join(f'<th class="n">{esc(h)}</th>' if i in numeric else f"<th>{esc(h)}</th>"
                   for i, h in enumerate(headers))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _section(anchor: str, title: str, count: int | None, content: str) -> str:
    counter = f' <span class="count">({count})</span>' if count is not None else ""
    return f'<section id="{esc(anchor)}"><h2>{esc(title)}{counter}</h2>{content}</section>'


def page(title: str, body: str, now: datetime, refresh: int | None = None) -> str:
    meta = f'<meta http-equiv="refresh" content="{refresh}">' if refresh else ""
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">{meta}'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{esc(title)}</title><style>{CSS}</style></head><body>"
            f'<header><h1><a href="/">edi-gateway</a></h1><span>{esc(title)}</span>'
            f'<span class="when">as of {_when(now.isoformat())} · read-only</span></header>'
            f"<main>{body}</main></body></html>")


def health_badges(results: list[CheckResult]) -> str:
    parts = [f'<span class="badge {"ok" if r.ok else "bad"}" title="{esc(r.detail)}">{esc(r.name)}: '
             f'{"ok" if r.ok else "down"}</span>' for r in results]
    return '<p class="checks">' + " ".join(parts) + "</p>" if parts else ""


@dataclass
class Board:
    """What the status page (all partners) and a partner's page (one) show."""

    flows: list[PartnerFlow]
    partner_names: dict[str, str]
    stuck: list[Row]
    stuck_after: timedelta
    quarantined: list[Row]
    dead: list[Row]
    overdue: list[tuple[Row, str, str, str]]
    recent: list[Row]
    unsent_mdns: list[OwedMdn] = field(default_factory=list)    # async MDNs we owe, refused or given up
    rejected: list[Row] = field(default_factory=list)           # what the partner refused: its reason first
    set_aside: list[SetAside] = field(default_factory=list)     # files the gateway died taking in: no message


def _partner_link(partner: str | None) -> str:
    return f'<a href="/partners/{esc(partner)}">{esc(partner)}</a>' if partner else "?"


def _sections(board: Board, now: datetime, *, show_partner: bool) -> list[str]:
    """The sections in the order a coordinator reads them; the partner column only on the overview."""
    flow_rows = []
    for f in board.flows:
        label = board.partner_names.get(f.partner, "") if f.partner else ""
        name = (f"<strong>{_partner_link(f.partner)}</strong>" + (f"<br><small>{esc(label)}</small>" if label else "")
                if f.partner else "<em>unidentified</em>")
        sent = ", ".join(f"{esc(t)}: {n}" for t, n in sorted(f.outbound.items())) or "–"
        records = ", ".join(f"{n} {esc(model)}" for model, n in sorted(f.odoo_records.items()))
        posted = str(f.posted) + (f"<br><small>{records}</small>" if records else "")
        received = str(f.received) + (f"<br><small>{f.duplicates} duplicate{'s' if f.duplicates != 1 else ''}"
                                      "</small>" if f.duplicates else "")
        flow_rows.append([name, received, posted, f"{f.acks_sent} / {f.acks_received}", sent,
                          str(f.in_flight), f'<span class="err">{f.quarantined}</span>' if f.quarantined else "0",
                          f'<span class="err">{f.dead}</span>' if f.dead else "0",
                          _age(f.last_activity, now) + (" ago" if f.last_activity else "")])

    def who(r: Row) -> list[str]:
        return [_partner_link(r.partner)] if show_partner else []

    partner_head = ["Partner"] if show_partner else []
    shift = 1 if show_partner else 0
    seconds = board.stuck_after.total_seconds()
    threshold = f"{round(seconds):d} s" if seconds < 60 else f"{seconds / 60:g} min"
    stuck_rows = [[_link(r), *who(r), esc(r.direction), esc(r.doc_type or ""), esc(r.state),
                   f'<span class="err nowrap">{_age(r.since or r.updated_at, now)}</span>', str(r.attempts),
                   esc(r.last_error or r.reason or "")] for r in board.stuck]
    quarantine_rows = [[_link(r), *who(r), f"<code>{esc(r.filename)}</code>", _when(r.created_at),
                        f'<span class="err">{esc(r.last_error or r.reason or "")}</span>',
                        f'<a href="/messages/{esc(r.id)}#raw">view raw file</a>'] for r in board.quarantined]
    dead_rows = [[_link(r), *who(r), esc(r.direction), esc(r.doc_type or ""), str(r.attempts),
                  esc(r.last_error or r.reason or "")] for r in board.dead]
    overdue_rows = [[_link(r), *who(r), esc(r.doc_type or ""), f"<code>{esc(ctrl)}</code>",
                     esc(kind), _when(due), f'<span class="err">{_age(due, now)}</span>']
                    for r, kind, ctrl, due in board.overdue]
    rejected_rows = [[_link(r), *who(r), esc(r.doc_type or ""), f"<code>{esc(r.filename)}</code>", _when(r.updated_at),
                      f'<span class="err">{esc(r.last_error or r.reason or "")}</span>'] for r in board.rejected]
    recent_rows = [[_when(r.updated_at), _link(r), *who(r), esc(r.direction), esc(r.doc_type or ""), esc(r.state),
                    f"<code>{esc(r.filename)}</code>"] for r in board.recent]
    mdn_rows = [_mdn_row(m, show_partner) for m in board.unsent_mdns]
    unsent = [_section("mdns", "Asynchronous MDNs not sent", len(mdn_rows), (
        '<p class="empty">The partner has no receipt for these messages. Once its settings allow the URL (or it '
        "gives another): <code>edi-gateway mdn resend MESSAGE</code>.</p>") + _table(
        ["Message", *partner_head, "AS2 Message-ID", "State", "To", "Why"], mdn_rows, ""))] if mdn_rows else []
    kept_rows = [[*([_partner_link(s.partner)] if show_partner else []), f"<code>{esc(s.name)}</code>",
                  _when(s.at.isoformat()), f'<span class="err">{_lines(s.reason)}</span>', f"<code>{esc(s.copy)}</code>",
                  _lines(s.next_step)] for s in board.set_aside]
    kept = [_section("set-aside", "Set aside while taken in", len(kept_rows), (
        '<p class="empty">The gateway was killed each time it took these files in, so they are no messages: kept '
        f"unread in the quarantine, {esc(DEALT_WITH)}.</p>") + _table(
        [*partner_head, "File", "Set aside", "Why", "Kept as", "What to do"], kept_rows, ""))] if kept_rows else []
    return [
        _section("flow", "Flow per partner" if show_partner else "Flow", len(board.flows), _table(
            ["Partner", "Files received", "Posted to Odoo", "Acks sent / received", "Sent out", "In flight",
             "Quarantined", "Dead", "Last activity"], flow_rows, "No messages yet.", {1, 2, 3, 5, 6, 7})),
        _section("stuck", f"Stuck: no progress for more than {threshold}", len(board.stuck), _table(
            ["Message", *partner_head, "Dir", "Type", "State", "For", "Attempts", "Last error"], stuck_rows,
            "Nothing is stuck.", {5 + shift})),
        _section("quarantine", "Quarantine", len(board.quarantined), _table(
            ["Message", *partner_head, "File", "Received", "Reason", ""], quarantine_rows,
            "The quarantine is empty.")),
        *kept,
        _section("overdue", "Overdue acknowledgements", len(board.overdue), _table(
            ["Message", *partner_head, "Type", "Control #", "Awaiting", "Due", "Overdue by"], overdue_rows,
            "No acknowledgement is overdue.")),
        _section("rejected", "Rejected by the partner", len(board.rejected), _table(
            ["Message", *partner_head, "Type", "File", "When", "The partner's reason"], rejected_rows,
            "The partners rejected nothing.")),
        *unsent,
        _section("dead", "Dead letters", len(board.dead), _table(
            ["Message", *partner_head, "Dir", "Type", "Attempts", "Last error"], dead_rows, "No dead letters.",
            {3 + shift})),
        _section("recent", "Latest messages", len(board.recent), _table(
            ["Last change", "Message", *partner_head, "Dir", "Type", "State", "File"], recent_rows,
            "No messages yet.")),
    ]


def _lines(text: str) -> str:
    return "<br>".join(esc(line) for line in text.split("\n"))


def _mdn_row(owed: OwedMdn, show_partner: bool) -> list[str]:
    message = (f'<a href="/messages/{esc(owed.journal_id)}"><code>{esc(owed.journal_id)}</code></a>'
               if owed.journal_id else "?")
    return [message, *([_partner_link(owed.partner)] if show_partner else []),
            f"<code>{esc(owed.message_id)}</code>", esc(owed.state), f"<code>{esc(redact_url(owed.url))}</code>",
            f'<span class="err">{esc(owed.last_error or "")}</span>']


def notices(lines: list[str]) -> str:
    """Warnings that are not about one message (a disk filling up, certificates about to expire), above
    everything else."""
    if not lines:
        return ""
    return '<ul class="notices">' + "".join(f'<li class="warn">{esc(line)}</li>' for line in lines) + "</ul>"


def status_page(*, now: datetime, board: Board, checks: list[CheckResult], warnings: list[str] | None = None) -> str:
    """The coordinator's overview: flow per partner, stuck, quarantine, overdue acks, dead letters, latest."""
    return page("Status", health_badges(checks) + notices(warnings or [])
                + "".join(_sections(board, now, show_partner=True)), now, refresh=30)


def partner_page(*, now: datetime, partner: str, board: Board) -> str:
    """One partner: its flow, what is stuck or quarantined, overdue acknowledgements, its latest messages."""
    name = board.partner_names.get(partner, "")
    title = f"Partner {partner}" + (f" ({name})" if name else "")
    back = '<p><a href="/">&larr; all partners</a></p>'
    return page(title, back + "".join(_sections(board, now, show_partner=False)), now, refresh=30)


def visible(data: bytes) -> str:
    """Bytes as escaped HTML text, control characters (other than CR, LF, tab) shown as <XX>."""
    text = data.decode("utf-8", errors="replace")
    out = []
    for ch in text:
        code = ord(ch)
        if ch in "\n\r\t":
            out.append(ch)
        elif code < 32 or code == 127:
            out.append(f'<span class="ctl">&lt;{code:02X}&gt;</span>')
        else:
            out.append(html.escape(ch, quote=True))
    return "".join(out)


def message_page(*, now: datetime, row: Row, events: list[tuple[str, str | None, str, str]],
                 links: list[tuple[str, int, str]], children: list[Row], raw: bytes | None,
                 raw_error: str | None, related: Sequence[tuple[str, str]] = (),
                 notes: Sequence[tuple[str, str]] = (), held: bool = False, the_file: bool | None = None,
                 findings: Sequence[str] = (), line_count_held: bool = False) -> str:
    """One message: its fields, what was found in it, its audit trail, its Odoo records, what it caused, and its
    bytes. `line_count_held`: documents of it held for their line count (see `next_step`). `findings`: what the
    file's validation and the consistency checks noted (the parse step's issues, as
    `edi-gateway show` lists them: "warning: order 4500001234: totals: quantity total 80 but ..."). `related`:
    (what, message id) of the messages it repeats or corrects ("Duplicate of", "Revises"); `notes`: (what, text)
    of other things to know about it (an async MDN we owe that was not sent); `held`: an outbound document the
    gateway could not render (`Pipeline.hold_outbound`), which `resend` refuses; `the_file`: see `next_step`."""
    fields = [("Partner", esc(row.partner or "?")), ("Direction", esc(row.direction)), ("State", esc(row.state)),
              ("Channel", esc(row.channel)), ("File", f"<code>{esc(row.filename)}</code>"),
              ("Type", esc(row.doc_type or "")), ("Control number", esc(row.control_number or "")),
              ("Received", _when(row.created_at)), ("Last change", _when(row.updated_at)),
              ("Attempts", str(row.attempts)), ("sha256", f"<code>{esc(row.sha256)}</code>")]
    if row.last_error:
        fields.append(("Last error", f'<span class="err">{esc(row.last_error)}</span>'))
    step = next_step(row, held, the_file, line_count_held)
    if step:
        fields.append(("What to do", step))
    fields += [(what, f'<a href="/messages/{esc(other)}">{esc(other)}</a>') for what, other in related]
    fields += [(what, esc(text)) for what, text in notes]
    info = "<dl>" + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in fields) + "</dl>"
    event_rows = [[_when(at), esc(frm or ""), esc(to), esc(reason)] for at, frm, to, reason in events]
    link_rows = [[esc(model), str(rid), esc(role)] for model, rid, role in links]
    child_rows = [[_link(c), esc(c.direction), esc(c.doc_type or ""), esc(c.state), f"<code>{esc(c.filename)}</code>"]
                  for c in children]
    if raw is None:
        raw_html = f'<p class="empty">{esc(raw_error or "not available")}</p>'
    else:
        cut = len(raw) > RAW_LIMIT
        note = f'<p class="empty">First {RAW_LIMIT // 1024} KiB of {len(raw)} bytes.</p>' if cut else ""
        raw_html = f'{note}<pre class="raw">{visible(raw[:RAW_LIMIT])}</pre>'
    found = "".join(f"<li>{esc(finding)}</li>" for finding in findings)
    body = "".join([
        _section("message", f"Message {row.id}", None, info),
        *([_section("findings", "Findings", len(findings), (
            '<p class="empty">What the file\'s validation and the gateway\'s consistency checks noted (a rejected '
            f"set is not translated).</p><ul>{found}</ul>"))] if findings else []),
        _section("events", "Events", len(events), _table(["At", "From", "To", "Reason"], event_rows, "No events.")),
        _section("odoo", "Odoo records", len(links), _table(["Model", "Id", "Role"], link_rows, "None.", {1})),
        _section("children", "Derived messages", len(children), _table(
            ["Message", "Dir", "Type", "State", "File"], child_rows, "None.")),
        _section("raw", "Raw file", None, raw_html),
    ])
    return page(f"Message {row.id}", body, now)


def next_step(row: Row, held: bool = False, the_file: bool | None = None, line_count_held: bool = False) -> str | None:
    """The command that moves a message on once a person has fixed its cause (HTML), as `edi-gateway status`
    and the quarantine's .reason.txt name it: the page only reads, and the one who opened it needs the words.
    `held`: a document never rendered (see `message_page`), which nothing sends once a person closed it.
    `the_file`: the pipeline's word on a quarantined inbound file (`quarantine_next_step`): True, wrong in itself
    (only the partner's resend helps); False, our settings or Odoo refused it (fix, replay); None, not said.
    `line_count_held`: documents held for their line count, which a person posts as they are (replay) or has sent
    again: there is nothing to fix."""
    command = None
    close = f"<code>edi-gateway close {esc(row.id)} --reason TEXT</code>"
    if row.direction == "in" and row.state == "quarantined" and the_file:
        return ("the file itself is wrong: a replay reads the same bytes and fails the same way; the partner must "
                f"send it again, corrected (it is taken as a new message), then end this entry: {close}")
    if row.direction == "in" and row.state == "quarantined" and line_count_held:
        return (f"held for its line count: post it as it is with <code>edi-gateway replay {esc(row.id)}</code> (once "
                f"any other error the reason names is fixed), or have the partner send it again; once handled "
                f"otherwise: {close}")
    if row.direction == "in" and row.state == "quarantined" and the_file is False:
        return (f"after fixing the cause (in Odoo, a partner or profile file): <code>edi-gateway replay "
                f"{esc(row.id)}</code>; once handled otherwise: {close}")
    if row.direction == "in" and row.state in ("quarantined", "dead"):
        command, then = "replay", (" (it reads the same archived file: a file that is wrong in itself is sent "
                                   "again by the partner, and taken as a new message)")
    elif row.direction == "in" and row.state == "duplicate":
        return f"to process it anyway: <code>edi-gateway replay {esc(row.id)}</code>"
    elif row.direction == "out" and row.state in ("dead", "rejected"):
        command, then = "resend", ""
    elif row.direction == "out" and row.state == "quarantined":      # held by the scheduler: not sendable as is
        return ("fix the cause: the next run tries it again and closes this entry once that works; once handled "
                f"otherwise: <code>edi-gateway close {esc(row.id)} --reason TEXT</code>")
    elif row.state == "closed":
        again = "replay" if row.direction == "in" else "resend"
        return (f"nothing: a person closed it ({esc(row.reason or '')}); " +
                ("it was never rendered, and is not sent (a later version of its Odoo record is a new document)"
                 if held else f"to run it again: <code>edi-gateway {again} {esc(row.id)}</code>"))
    if command is None:
        return None
    return (f"after fixing the cause: <code>edi-gateway {command} {esc(row.id)}</code>{esc(then)}; once handled "
            f"otherwise: <code>edi-gateway close {esc(row.id)} --reason TEXT</code>")


def not_found(now: datetime, what: str) -> str:
    return page("Not found", f'<section><p class="empty">{esc(what)}</p></section>', now)
