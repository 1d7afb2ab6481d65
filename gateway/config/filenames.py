"""Names of the files we send a partner, from the partner's own pattern (`filenames:` in its partner file).

Retailers and marketplaces often prescribe them ("ASN_<vendor>_<timestamp>.txt", a `.dat` extension). A
pattern is a Python format string over a few fields:

- `{partner}`: the partner id; `{type}`: the document type (856, 810, 997, DESADV, ...);
- `{control}`: the interchange control number (ISA13, UNB 0020), or for CSV and XML files, which have none,
  a counter of the partner's files; it never repeats, so every pattern must hold it: two files with one
  name would overwrite each other in a folder before the partner fetched the first;
- `{number}`: the document's own number (ASN, invoice, PO being answered; for acknowledgements the control
  number);
- `{date}`: when the file was queued, UTC, `YYYYMMDDhhmmss` unless a format follows: `{date:%Y-%m-%d}`.

Characters other than letters, digits, `.`, `_` and `-` in a field's value become `_` (a PO number such as
`PO/2026/7` must not name a folder). Only `{date}` takes a format; a format or conversion on another field
(`{control:.3}`, `{control:0<9}`) would give two files one name, and is refused.
"""

from __future__ import annotations

import re
import string
from datetime import UTC, datetime
from typing import Any

FIELDS = ("partner", "type", "control", "number", "date")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


class _When(datetime):
    """A datetime that formats as YYYYMMDDhhmmss when the pattern gives no format of its own."""

    def __format__(self, spec: str) -> str:
        return super().__format__(spec or "%Y%m%d%H%M%S")


def check_pattern(pattern: str) -> str:
    """`pattern` when it names only known fields, holds `{control}` and makes a plain file name; else ValueError
    saying what is wrong (the config loader puts the partner file's line in front)."""
    try:
        fields = [(name, spec, conversion) for _, name, spec, conversion in string.Formatter().parse(pattern)
                  if name is not None]
    except ValueError as exc:
        raise ValueError(f"file name pattern {pattern!r}: {exc} (a literal brace is written {{{{ or }}}})") from None
    names = [name for name, _, _ in fields]
    unknown = [n for n in names if n not in FIELDS]
    if unknown:
        raise ValueError(f"file name pattern {pattern!r}: unknown field {{{unknown[0]}}}; the fields are "
                         + ", ".join(f"{{{f}}}" for f in FIELDS))
    # a format spec or conversion changes a value after the check below rendered its sample: `{control:.3}` cuts
    # every control number to 3 characters, `{control:0<9}` makes EDIFACT's 7 and 70 one name; only {date}
    # takes one, its strftime format
    for name, spec, conversion in fields:
        if conversion or (spec and name != "date"):
            written = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            raise ValueError(f"file name pattern {pattern!r}: {written} takes no format or conversion; write "
                             f"{{{name}}} (only {{date}} has a format, as in {{date:%Y%m%d}})")
    if "control" not in names:
        raise ValueError(f"file name pattern {pattern!r} needs {{control}} (the interchange control number, or a "
                         "counter for CSV and XML files): without it two files could get the same name and the "
                         "second would overwrite the first before the partner fetched it")
    try:
        sample = render_pattern(pattern, partner="p", doc_type="856", control="000000001", number="1",
                                when=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise ValueError(f"file name pattern {pattern!r}: {exc}") from None
    pathlike = any(c in text for c in "/\\" for text in (pattern, sample))
    if pathlike or sample.startswith(".") or sample != sample.strip():
        raise ValueError(f"file name pattern {pattern!r}: a file name, not a path, and not starting with '.' "
                         "or a space")
    return pattern


def render_pattern(pattern: str, *, partner: str, doc_type: str, control: str, number: str,
                   when: datetime) -> str:
    """The file name `pattern` gives for these values (each made safe for a file name)."""
    values: dict[str, Any] = {k: _UNSAFE.sub("_", v) for k, v in
                              (("partner", partner), ("type", doc_type), ("control", control),
                               ("number", number or control))}
    values["date"] = _When.fromtimestamp(when.timestamp(), UTC)
    return pattern.format(**values)


def pattern_for(patterns: dict[str, str], doc_type: str) -> str | None:
    """The partner's pattern for `doc_type`, else its `*` pattern, else None (the gateway's own names)."""
    return patterns.get(doc_type) or patterns.get("*")
