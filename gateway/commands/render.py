"""`edi-gateway render DOC.json --partner P --type 856`: print the outbound file for a canonical document.

A preview: control numbers come from a counter that starts at 1 for this run, not from
the journal, so rendering never uses up numbers the partner will expect in sequence.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, cast

from pydantic import ValidationError

from gateway.cli import EXIT_ERROR, EXIT_OK
from gateway.commands.translate import workspace
from gateway.config.args import add_config_argument
from gateway.errors import ConfigError, TranslationError
from gateway.journal.api import Journal


class PreviewNumbers:
    """Stands in for the journal's control-number counters during a preview (starts at 1)."""

    def __init__(self) -> None:
        self.counters: dict[tuple[str, str], int] = {}

    def next_control_number(self, partner: str, kind: str, modulo: int = 999_999_999) -> int:
        value = self.counters.get((partner, kind), 0) % modulo + 1
        self.counters[(partner, kind)] = value
        return value


def _one_document(data: bytes) -> bytes:
    """The document of `data`: itself, or the only one of a JSON list (what `translate --json` prints for a
    file of several documents, and the golden files hold); ValueError for a list of several."""
    try:
        parsed = json.loads(data)
    except ValueError:
        return data                    # from_json says what is wrong, with the place
    if isinstance(parsed, list):
        if len(parsed) != 1:
            raise ValueError(f"holds {len(parsed)} documents; render takes one (save the one you want alone, "
                             "e.g. jq '.[0]')")
        return json.dumps(parsed[0]).encode()
    return data


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("document", metavar="DOC.json", help="a canonical document (edi-gateway translate --json)")
    parser.add_argument("--partner", "-p", required=True, help="partner id")
    parser.add_argument("--type", "-t", dest="doc_type", help="partner document type (856, 810, DESADV ...)")
    parser.add_argument("--output", "-o", help="write the bytes to this file instead of printing them")
    add_config_argument(parser)


def run(args: argparse.Namespace) -> int:
    from gateway.translate import render
    from gateway.translate.canonical import from_json
    from gateway.translate.outbound import problems
    loaded = workspace(args.config)
    if isinstance(loaded, int):
        return loaded
    partners, profiles, our_ids = loaded
    partner = partners.get(args.partner)
    if partner is None:
        print(f"error: no partner {args.partner!r} (known: {', '.join(sorted(partners)) or 'none'})",
              file=sys.stderr)
        return EXIT_ERROR
    try:
        doc = from_json(_one_document(Path(args.document).read_bytes()))
    except OSError as exc:
        print(f"error: {args.document}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_ERROR
    except ValidationError as exc:
        first: Any = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        print(f"error: {args.document}: not a canonical document: {where + ': ' if where else ''}{first['msg']}",
              file=sys.stderr)
        return EXIT_ERROR
    except ValueError as exc:          # several documents in a list (ValidationError is a ValueError too)
        print(f"error: {args.document}: {exc}", file=sys.stderr)
        return EXIT_ERROR
    try:
        # unchecked, so that the bytes a problem is in can be looked at; the problems follow on stderr
        rendered = render(doc, partner, profiles, cast(Journal, PreviewNumbers()), args.doc_type, our_ids=our_ids,
                          check=False)
    except (TranslationError, ConfigError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    if args.output:
        Path(args.output).write_bytes(rendered.data)
        print(f"{args.output}: {rendered.doc_type} for {partner.id}, {len(rendered.data)} bytes", file=sys.stderr)
    else:
        sys.stdout.write(rendered.data.decode("utf-8", "replace"))
        if not rendered.data.endswith(b"\n"):
            sys.stdout.write("\n")
    found = problems(rendered)
    for issue in found:
        print(f"error: the partner's validation would refuse this file: {issue}", file=sys.stderr)
    if found:
        print(f"error: {len(found)} problem(s); the daemon holds such a document instead of sending it",
              file=sys.stderr)
        return EXIT_ERROR
    return EXIT_OK
