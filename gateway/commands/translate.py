"""`edi-gateway translate FILE`: print the canonical documents of an inbound file, touching nothing.

What a coordinator runs while onboarding a partner from sample files: the partner is
identified like the daemon does (envelope ids), or named with --partner; when none
matches, the base profile for the message and version is used and said so.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from gateway.acks.advice import ADVICE_TYPES
from gateway.acks.advice import read as read_advice
from gateway.cli import EXIT_ERROR, EXIT_OK
from gateway.config.args import add_config_argument, load_or_exit_code
from gateway.config.loader import find_config
from gateway.config.models import OurIds, PartnerConfig
from gateway.errors import ConfigError, FormatError, PartnerUnknown, TranslationError
from gateway.formats.base import Issue, Severity
from gateway.translate.canonical import Document


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="an inbound X12, EDIFACT, XML or CSV file")
    parser.add_argument("--partner", "-p", help="partner id (default: identified from the envelope)")
    parser.add_argument("--profile", help="translation profile to use instead of the partner's / the base one")
    parser.add_argument("--json", action="store_true", help="print canonical JSON instead of a summary")
    add_config_argument(parser)


def workspace(config_arg: str | None) -> tuple[dict[str, PartnerConfig], Any, OurIds | None] | int:
    """(partners, profiles, our ids) from gateway.yaml; base profiles only when there is no gateway.yaml."""
    from gateway.translate import ProfileRegistry
    if config_arg is None and not find_config(None).is_file():
        return {}, ProfileRegistry.load([]), None
    config = load_or_exit_code(argparse.Namespace(config=config_arg))
    if isinstance(config, int):
        return config
    profiles = config.profiles if config.profiles is not None else ProfileRegistry.load([])
    return config.partners, profiles, config.gateway.our_ids


def run(args: argparse.Namespace) -> int:
    from gateway import formats
    from gateway.translate import identify, translate
    from gateway.transports.base import IntakeMeta
    loaded = workspace(args.config)
    if isinstance(loaded, int):
        return loaded
    partners, profiles, our_ids = loaded
    try:
        data = Path(args.file).read_bytes()
    except OSError as exc:
        print(f"error: {args.file}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_ERROR
    partner = None
    if args.partner:
        partner = partners.get(args.partner)
        if partner is None:
            print(f"error: no partner {args.partner!r} (known: {', '.join(sorted(partners)) or 'none'})",
                  file=sys.stderr)
            return EXIT_ERROR
    if partner is None and formats.detect(data) is None:
        csv_partners = [p for p in partners.values() if p.csv is not None]
        if len(csv_partners) == 1:           # not EDI nor XML: the one partner who sends CSV
            partner = csv_partners[0]
            print(f"note: not X12, EDIFACT or XML; read as CSV of partner {partner.id}", file=sys.stderr)
    try:
        result = formats.parse(data, csv=partner.csv if partner else None, xml=partner.xml if partner else None)
    except FormatError as exc:
        print(f"error: {args.file}: {exc}", file=sys.stderr)
        return EXIT_ERROR
    # identified first: what it finds wrong with the envelope (a test flag) is printed with the rest
    if partner is not None and args.partner and result.interchanges:
        # --partner forces the profiles; a file whose envelope says another sender is most likely the wrong one
        try:
            identify(result, IntakeMeta(channel="given", filename=args.file, partner=partner.id), partners, our_ids)
        except PartnerUnknown as exc:
            print(f"note: {exc}; translated with {partner.id}'s profiles all the same (--partner)", file=sys.stderr)
    if partner is None and partners:
        try:
            partner = identify(result, IntakeMeta(channel="cli", filename=args.file), partners, our_ids)
        except PartnerUnknown as exc:
            print(f"note: {exc}; using the base profile", file=sys.stderr)
    elif partner is None:
        print("note: no gateway.yaml with partners; using the base profile", file=sys.stderr)
    for line in issue_lines(result.issues, args.file):
        print(line, file=sys.stderr)
    for tx in result.transactions:
        if not tx.accepted:
            name = f"{tx.doc_type} {tx.control_number}".strip()
            print(f"note: {name} is rejected by these errors: the gateway would refuse it (in the 997, 999 or "
                  "CONTRL the partner gets) and neither translate nor post it; translated here all the same",
                  file=sys.stderr)
    if args.profile and args.profile in profiles and not profiles.is_abstract(args.profile):
        wanted = profiles.get(args.profile)
        for tx in result.transactions:
            if (tx.syntax.value, tx.doc_type) != (wanted.syntax, wanted.message) and wanted.syntax in ("x12", "edifact"):
                print(f"error: {args.file}: profile {args.profile} reads {wanted.syntax.upper()} "
                      f"{wanted.message}, and this file is {tx.syntax.value.upper()} {tx.doc_type}", file=sys.stderr)
                return EXIT_ERROR
    documents: list[Document] = []
    failed = 0
    for tx in result.transactions:
        if tx.doc_type in ADVICE_TYPES:       # an APERAK / 824: matched to what we sent, no document of its own
            for said in read_advice(tx):
                print(said.summary(), file=sys.stderr if args.json else sys.stdout)
            continue
        # a transaction the validator rejected is still translated: the coordinator sees both
        try:
            documents.extend(translate(tx, partner, profiles, profile=args.profile))
        except (TranslationError, ConfigError) as exc:
            print(f"error: {args.file}: {exc}", file=sys.stderr)
            failed += 1
    if args.json:
        dumped = [json.loads(d.model_dump_json(exclude_none=True)) for d in documents]
        print(json.dumps(dumped[0] if len(dumped) == 1 else dumped, indent=2))
    else:
        for doc in documents:
            print(summary(doc))
    if failed or not result.transactions:
        if not result.transactions:
            print(f"error: {args.file}: no business document found", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_OK


def issue_lines(issues: list[Issue], file: str, shown: int = 5) -> list[str]:
    """One line per kind of validation finding (same rule, segment and element in one transaction), with where
    else it recurs: a partner's non-standard unit on every QTY is one finding, not a hundred lines above the
    summary. `inspect` lists each."""
    kinds: dict[tuple[Any, ...], list[Issue]] = {}
    for issue in issues:
        if issue.severity is not Severity.INFO:
            key = (issue.severity, issue.code, issue.interchange, issue.group, issue.transaction,
                   issue.segment_tag, issue.element_position, issue.component_position, issue.column)
            kinds.setdefault(key, []).append(issue)
    lines = []
    for same in kinds.values():
        first, more = same[0], same[1:]
        line = f"validation {first.severity.value}: {file}: {first}"
        if more:
            where = [str(i.segment_position) if i.segment_position is not None else
                     f"row {i.row}" if i.row is not None else "" for i in more]
            where = [w for w in where if w]
            listed = ", ".join(where[:shown]) + (", ..." if len(where) > shown else "")
            line += (f" (and {len(more)} more like it" + (f": segment{'s' if len(where) > 1 else ''} {listed}" if listed else "")
                     + f"; edi-gateway inspect {file} lists each)")
        lines.append(line)
    return lines


def summary(doc: Document) -> str:
    """A few lines a coordinator can check against the partner's paper: header, parties, lines."""
    src = doc.source
    origin = " ".join(x for x in (src.syntax, src.standard_type, src.version) if x)
    out = [f"{doc.doc_type} {doc.number}" + (f" of {doc.date}" if doc.date else "")
           + f"  [{origin}, partner {src.partner or '-'}]"]
    for party in doc.parties:
        ids = ", ".join(f"{k} {v}" for k, v in party.ids.items())
        out.append(f"  {party.role:<10} {party.name or ''}" + (f" ({ids})" if ids else ""))
    for ref in doc.references:
        out.append(f"  ref {ref.qualifier}: {ref.value}")
    for date in doc.dates:
        out.append(f"  date {date.qualifier}: {date.date}")
    lines = getattr(doc, "lines", None) or []
    for line in lines:
        ids = ", ".join(f"{k} {v}" for k, v in line.item_ids.items())
        if hasattr(line, "quantities"):            # an inventory line: several qualified quantities
            qty_text = "; ".join(f"{q.qualifier} {q.value} {q.unit}" for q in line.quantities)
        else:
            change = getattr(line, "change", None)
            qty_text = (f"{line.quantity} {line.unit}" if line.quantity is not None
                        else "" if change == "delete" else "quantity kept")
            if getattr(line, "unit_price", None) is not None:
                qty_text += f" @ {line.unit_price}"
            if change:
                qty_text = f"{change}: {qty_text}".rstrip(": ")
            if getattr(line, "status", None):        # an acknowledged line: its status, or its parts, of the ordered
                parts = ", ".join(f"{a.value} {a.qualifier}" + (f" {a.date}" if a.date else "") for a in line.acks or [])
                qty_text += f" ({parts or line.status}; ordered {line.ordered_quantity})"
        out.append(f"  line {line.line_no or '?':>4}: {qty_text}  {ids}" + (f"  {line.description}" if line.description else ""))
    for order in getattr(doc, "orders", []) or []:
        out.append(f"  order {order.po_number}: {len(order.packs)} pack(s), {len(order.items)} loose item(s)")
    if hasattr(doc, "all_items"):
        for item in doc.all_items():
            ids = ", ".join(f"{k} {v}" for k, v in item.item_ids.items())
            out.append(f"    item {item.line_no or '?':>4}: {item.quantity} {item.unit}  {ids}")
    problems = doc.check()
    out.extend(f"  check: {p}" for p in problems)
    return "\n".join(out)
