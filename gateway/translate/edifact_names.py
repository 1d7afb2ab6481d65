"""NAD C058 (name and address, five unstructured 3124 lines of 35) as a party's address lines.

The EDIFACT base profiles read a party's name from C080 and its street from C059, and fall back to C058 when
those are empty (`first:`). C058's first line is the name when C080 has none; when C080 has one, senders
differ: some repeat the name on C058's first line (`+ACME SUPPLY:RIVERSIDE 4+ACME SUPPLY INC`), others give the
address only (`+P.O.Box 2021:80803:Munich+Koenig`), so the first line is kept as an address line unless it is
the name again. The name's own fallback needs no code (`{at: 3.1}`); the lines do, hence this function.
"""

from __future__ import annotations

from typing import Any

from gateway.translate.fields import SPAN_WIDTH, join_lines


def c058_address(value: Any, seg: Any) -> list[str] | None:
    """The address lines of NAD C058 (element 3): its lines after the name, cut lines joined as `join: lines`
    joins C059's. `value` is C058's first line, already read; `seg` the NAD."""
    fields = seg.fields
    lines = fields[3].split(seg.component_sep)[:5] if len(fields) > 3 else []
    name = " ".join(fields[4].split(seg.component_sep)[:5]).upper().split() if len(fields) > 4 else []
    if not name or (lines and lines[0].upper().split() == name):
        lines = lines[1:]                      # the first line is the party's name
    return join_lines(lines, SPAN_WIDTH) or None
