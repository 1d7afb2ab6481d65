"""`edi-gateway inspect FILE [--json]`: what the gateway reads in a file, and every problem it finds.

Any syntax the gateway reads (X12, EDIFACT, XML, and CSV as a last resort) goes through
`gateway.formats.parse`, so what this prints is exactly what the daemon would see:
delimiters, envelopes, groups, transactions with their segment counts, and each validation
issue with its location and acknowledgement code. Exit 0 when the file could be read (even
with errors listed), 1 when it is not a format the gateway reads. Never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from gateway.cli import EXIT_ERROR, EXIT_OK
from gateway.config.models import CsvSettings
from gateway.errors import GatewayError
from gateway.formats import detect, parse
from gateway.formats.base import Delimiters, Envelope, Group, Issue, ParseResult, Severity, Transaction


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="the file to read")
    parser.add_argument("--json", action="store_true", help="print a JSON report instead of text")


def read_file(path: Path) -> ParseResult:
    """Parse `path` like the pipeline does; CSV only when it is none of the EDI/XML syntaxes."""
    data = path.read_bytes()
    if detect(data) is None:
        if not data.strip() or b"\x00" in data[:4096]:
            raise GatewayError("empty or binary file: not X12, EDIFACT, XML or CSV")
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise GatewayError(f"not text (byte {exc.start} is not UTF-8): not X12, EDIFACT, XML or CSV") from None
        return parse(data, csv=CsvSettings())
    return parse(data)


def run(args: argparse.Namespace) -> int:
    path: Path = args.file
    try:
        result = read_file(path)
        report = build_report(path, result)
    except FileNotFoundError:
        return _fail(path, "no such file", args.json)
    except IsADirectoryError:
        return _fail(path, "is a directory", args.json)
    except GatewayError as exc:
        return _fail(path, str(exc), args.json)
    except Exception as exc:   # noqa: BLE001  a reader bug must not show a user a traceback
        return _fail(path, f"could not be read ({type(exc).__name__}: {exc})", args.json)
    text = json.dumps(report, indent=2, ensure_ascii=False) if args.json else render_text(report)
    print(text)                      # `inspect FILE | head`: gateway.cli takes the broken pipe
    return EXIT_OK


def _fail(path: Path, message: str, as_json: bool) -> int:
    if as_json:
        print(json.dumps({"file": str(path), "readable": False, "error": message}, indent=2))
    else:
        print(f"{path}: {message}", file=sys.stderr)
    return EXIT_ERROR


# --------------------------------------------------------------------------- report

def _delimiters(d: Delimiters | None) -> dict[str, Any] | None:
    if d is None:
        return None
    out: dict[str, Any] = {"element": d.element, "component": d.component, "segment": d.segment,
                           "repetition": d.repetition, "suffix": d.suffix}
    if d.release is not None:
        out["release"] = d.release
        out["decimal"] = d.decimal
    if d.wrap:
        out["wrapped_at"] = d.wrap
    return out


def _envelope(env: Envelope) -> dict[str, Any]:
    return {"index": env.index + 1, "control_number": env.control_number,
            "sender": f"{env.sender_qualifier}:{env.sender_id}" if env.sender_qualifier else env.sender_id,
            "receiver": f"{env.receiver_qualifier}:{env.receiver_id}" if env.receiver_qualifier else env.receiver_id,
            "version": env.version, "date": env.date, "time": env.time, "test": env.test,
            "ack_requested": env.ack_requested, "delimiters": _delimiters(env.delimiters), "groups": [],
            "transactions": []}


def _group(group: Group) -> dict[str, Any]:
    return {"index": group.index + 1, "functional_id": group.functional_id, "control_number": group.control_number,
            "sender": group.sender_id, "receiver": group.receiver_id, "version": group.version, "transactions": []}


def _transaction(tx: Transaction) -> dict[str, Any]:
    out: dict[str, Any] = {"index": tx.index + 1, "type": tx.doc_type, "control_number": tx.control_number,
                           "version": tx.version, "accepted": tx.accepted}
    if tx.segments:
        out["segments"] = len(tx.segments)
    if tx.rows:
        out["rows"] = len(tx.rows)
    return out


def _issue(issue: Issue) -> dict[str, Any]:
    out: dict[str, Any] = {"severity": issue.severity.value, "location": issue.location(), "message": issue.message}
    for key in ("code", "level", "segment_tag", "segment_position", "element_position", "component_position",
                "element_ref", "value", "loop_id", "offset", "row", "column"):
        value = getattr(issue, key)
        if value not in (None, ""):
            out[key] = value
    return out


def build_report(path: Path, result: ParseResult) -> dict[str, Any]:
    """A JSON-ready description of everything read from `path`."""
    envelopes = {id(env): _envelope(env) for env in result.interchanges}
    groups: dict[int, dict[str, Any]] = {}
    loose: list[dict[str, Any]] = []
    for tx in result.transactions:
        entry = _transaction(tx)
        env = envelopes.get(id(tx.envelope)) if tx.envelope is not None else None
        if tx.group is not None:
            if id(tx.group) not in groups:
                groups[id(tx.group)] = _group(tx.group)
                (env["groups"] if env else loose).append(groups[id(tx.group)])
            groups[id(tx.group)]["transactions"].append(entry)
        elif env is not None:
            env["transactions"].append(entry)
        else:
            loose.append(entry)
    counts = {s.value: sum(1 for i in result.issues if i.severity is s) for s in Severity}
    return {"file": str(path), "readable": True, "syntax": result.syntax.value,
            "interchanges": list(envelopes.values()), "documents": loose,
            "transactions": len(result.transactions), "segments": result.segment_count,
            "issue_counts": counts, "issues": [_issue(i) for i in result.issues]}


def _show(value: str | None) -> str:
    return "none" if value is None else repr(value)


def render_text(report: dict[str, Any]) -> str:
    lines = [(f"{report['file']}: {report['syntax'].upper()}, {report['transactions']} transaction(s), "
              f"{report['segments']} segment(s)")]

    def transactions(items: list[dict[str, Any]], indent: str) -> None:
        for t in items:
            size = f"{t['segments']} segments" if "segments" in t else f"{t.get('rows', 0)} rows"
            state = "accepted" if t["accepted"] else "REJECTED"
            lines.append(f"{indent}transaction {t['index']}: {t['type']} {t['control_number']} "
                         f"(version {t['version'] or '?'}), {size}, {state}")

    for env in report["interchanges"]:
        lines.append(f"interchange {env['index']}: control {env['control_number']}, {env['sender']} -> "
                     f"{env['receiver']}, version {env['version']}, {env['date']} {env['time']}"
                     f"{', TEST' if env['test'] else ''}{', ack requested' if env['ack_requested'] else ''}")
        d = env["delimiters"]
        if d:
            extra = f", release {_show(d.get('release'))}" if "release" in d else ""
            wrap = f", lines wrapped at {d['wrapped_at']}" if "wrapped_at" in d else ""
            lines.append(f"  delimiters: element {_show(d['element'])}, component {_show(d['component'])}, "
                         f"repetition {_show(d['repetition'])}, segment {_show(d['segment'])} followed by "
                         f"{_show(d['suffix'])}{extra}{wrap}")
        transactions(env["transactions"], "  ")
        for g in env["groups"]:
            lines.append(f"  group {g['index']}: {g['functional_id']} {g['control_number']}, {g['sender']} -> "
                         f"{g['receiver']}, version {g['version']}, {len(g['transactions'])} transaction(s)")
            transactions(g["transactions"], "    ")
    transactions([d for d in report["documents"] if "functional_id" not in d], "")
    counts = report["issue_counts"]
    lines.append(f"issues: {counts['error']} error(s), {counts['warning']} warning(s), {counts['info']} note(s)")
    for issue in report["issues"]:
        code = f" [code {issue['code']}]" if issue.get("code") else ""
        lines.append(f"  {issue['severity']:<7} {issue['location']}: {issue['message']}{code}")
    return "\n".join(lines)
