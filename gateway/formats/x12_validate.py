"""X12 structure validation against the definitions in `x12_defs/` (data, not code).

For each transaction set with a definition (850, 855, 856, 810, 846, 997 in 004010 and 005010,
999 in 005010, VICS usage applied when GS08 says VICS), this checks:

* segment order, loops and their repeats, requirement designators and maximum use
  (AK304 / IK304 codes 1-8);
* every element against the dictionary: type (AN, ID, N0-N9, R, DT, TM), minimum and
  maximum length, the code lists the gateway acts on, components, and the X12 syntax
  notes (paired, required, conditional, exclusion) (AK403 / IK403 codes 1-13);
* the 856 HL hierarchy: parents exist and the levels follow the BSN05 structure
  (shipment/order/tare/pack/item, shipment/order/item, ...).

A set or version without a definition is still read; it gets one INFO issue saying so.
Structural errors reject the transaction (ERROR); bad values in optional elements and a
segment out of sequence are accepted with errors (WARNING), so the acknowledgement says
"E" and the partner's `accept_with_errors` setting decides whether it goes on to Odoo.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib import resources
from itertools import islice
from typing import Any

from gateway.formats import gs1
from gateway.formats import x12_codes as codes
from gateway.formats.base import FIELDS, SEPARATORS, Issue, ParseResult, Segment, Severity, Transaction

_NUMBER = re.compile(r"-?\d+\Z")
_REAL = re.compile(r"-?(\d+\.?\d*|\.\d+)\Z")
_RULE = re.compile(r"([RPCEL])((?:\d\d)+)\Z")
_CONTROL = re.compile(r"[\x00-\x1f]")
_TAG = re.compile(r"[A-Z][A-Z0-9]{1,2}")
Seps = tuple[str | None, str | None]     # a segment's (component, repetition) separators, `Segment.separators`


@dataclass(slots=True)
class Item:
    tag: str                   # segment tag, or the trigger segment of a loop
    req: str                   # "M" / "O"
    max: int | None            # None: unbounded (">1")
    body: list[Item] | None = None     # a loop when set
    loop_id: str = ""
    after: list[dict[str, int]] = field(default_factory=list)  # [k]: tag -> its first position >= k in body
    mandatory: tuple[int, ...] = ()                                   # positions of the "M" items in body
    next_mandatory: tuple[int, ...] = ()       # [k]: the first "M" position >= k (len(body) when none)

    def __post_init__(self) -> None:
        body = self.body or []
        self.after = [{} for _ in range(len(body) + 1)]
        for k in range(len(body) - 1, -1, -1):
            self.after[k] = {**self.after[k + 1], body[k].tag: k}
        self.mandatory = tuple(k for k, sub in enumerate(body) if sub.req == "M")
        self.next_mandatory = tuple(min((m for m in self.mandatory if m >= k), default=len(body))
                                    for k in range(len(body) + 1))


@dataclass(slots=True)
class SetDef:
    id: str
    name: str
    root: Item
    tags: frozenset[str]
    codes: dict[str, list[str]]
    element_req: dict[str, str]
    hierarchy: dict[str, Any] | None
    plans: dict[Seps, dict[str, _Plan | None]] = field(default_factory=dict)   # separators -> tag -> plan
    short_machines: dict[Seps, _Machine] = field(default_factory=dict)   # separators -> machine
    long_machines: dict[Seps, _Machine] = field(default_factory=dict)    # (see _Machine)


@dataclass(slots=True)
class Dictionary:
    elements: dict[str, list[Any]]
    composites: dict[str, list[list[str]]]
    segments: dict[str, dict[str, Any]]


def _load(name: str) -> Any:
    return json.loads(resources.files("gateway.formats").joinpath("x12_defs", name).read_text("utf-8"))


@lru_cache(maxsize=1)
def dictionary() -> Dictionary:
    seg = _load("segments.json")
    return Dictionary(_load("elements.json"), seg["composites"], seg["segments"])


def _items(raw: list[Any], overrides: dict[str, str]) -> list[Item]:
    out = []
    for entry in raw:
        if isinstance(entry, dict):
            body = _items(entry["body"], overrides)
            req = str(overrides.get(entry["loop"], entry["req"]))
            out.append(Item(body[0].tag, req, entry["max"], body, entry["loop"]))
        else:
            tag, req, mx = entry
            out.append(Item(tag, overrides.get(tag, req), mx))
    return out


def _all_tags(items: list[Item]) -> set[str]:
    tags: set[str] = set()
    for item in items:
        tags.add(item.tag)
        if item.body:
            tags |= _all_tags(item.body)
    return tags


@lru_cache(maxsize=64)
def set_definition(doc_type: str, version: str) -> SetDef | None:
    """The definition for a set and GS08/ST03 version ("004010VICS", "005010X231"), or None."""
    if not re.fullmatch(r"\d{3}", doc_type or ""):
        return None
    try:
        raw = _load(f"sets/{doc_type}.json")
    except FileNotFoundError:
        return None
    base = version[:6]
    if base not in raw["versions"]:
        return None
    variant = raw.get("variants", {}).get("VICS", {}) if "VICS" in version.upper() else {}
    body = _items(raw["structure"], variant.get("segments", {}))
    root = Item("ST", "M", 1, body, "")         # the set itself is no loop: AK303 stays empty
    return SetDef(raw["id"], raw["name"], root, frozenset(_all_tags(body)),
                  {**raw.get("codes", {}), **variant.get("codes", {})}, variant.get("elements", {}),
                  raw.get("hierarchy"))


# --------------------------------------------------------------------------- compiled segment specs

@dataclass(slots=True)
class _Compiled:
    most: int
    fields: list[tuple[int, str, str, str, list[Any] | None, list[str] | None]]  # pos, name, ref, req, spec, codes
    rules: list[tuple[str, list[int]]]


Check = Callable[[str], bool]
Test = Callable[[list[str]], bool]


class _Plan:
    """A segment's checks, compiled once per set definition and pair of separators (component, repetition).

    `clean(elements)` is True only when the segment has nothing to report: no element over the
    defined number, no mandatory element missing, every value of the right type, length and
    code, no syntax note to look at. Then the detailed checks (`_Checker.elements_in_detail`)
    never run; otherwise they do, so every finding and its wording comes from one place.

    `by_length[n]` is that test for segments of n fields (the tag and n - 1 elements, `Segment.fields`),
    generated the first time such a segment is seen; the last entry serves every segment with more
    elements than defined.
    """

    __slots__ = ("by_length", "seps", "spec")

    def __init__(self, spec: _Compiled, seps: Seps) -> None:
        self.spec = spec
        self.seps = seps
        self.by_length: list[Test] = [self._first(n) for n in range(spec.most + 3)]

    def clean(self, fields: list[str]) -> bool:
        return self.by_length[min(len(fields), self.spec.most + 2)](fields)

    def _first(self, n: int) -> Test:
        def first(fields: list[str]) -> bool:       # generates the test, puts it in its place, runs it
            most, width = self.spec.most, max(n - 1, 0)
            test = self.by_length[n] = _generate(self.spec, min(width, most), self.seps, width > most)
            return test(fields)
        return first


def _compile(d: SetDef, tag: str, dic: Dictionary) -> _Compiled | None:
    """A segment's dictionary entry with the set's code lists and VICS overrides applied, once."""
    raw = dic.segments.get(tag)
    if raw is None:
        return None
    fields = []
    for pos, (ref, req) in enumerate(raw.get("el", []), start=1):
        name = f"{tag}{pos:02d}"
        spec = None if ref.startswith("C") else dic.elements.get(ref)
        if spec is None and not ref.startswith("C"):
            continue
        fields.append((pos, name, ref, d.element_req.get(name, req), spec, d.codes.get(name)))
    rules = []
    for rule in raw.get("rules", []):
        m = _RULE.match(rule)
        if m:
            rules.append((m.group(1), [int(m.group(2)[i:i + 2]) for i in range(0, len(m.group(2)), 2)]))
    return _Compiled(raw.get("n", len(fields)), fields, rules)


def _remembered(espec: list[Any], allowed: list[str] | None, seps: Seps) -> tuple[set[str], Check]:
    """`check_value` for every type but free text (AN): dates, times, decimals, whole numbers and codes
    without a list (values that recur: qualifiers, units, counts), and the good values it has seen
    (the quick test looks there first, without a call)."""
    good: set[str] = set()

    def check(v: str) -> bool:
        if v in good:
            return True
        if _separated(v, seps) or check_value(v, espec, allowed) is not None:
            return False
        if len(good) < 4096:
            good.add(v)
        return True
    return good, check


def _separated(value: str, seps: Seps) -> bool:
    """Whether `value` holds the component or repetition separator (then the detailed check looks at it)."""
    comp, rep = seps
    return bool((comp and comp in value) or (rep and rep in value))


def _quick_test(i: int, espec: list[Any] | None, allowed: list[str] | None, seps: Seps,
                names: dict[str, Any]) -> str:
    """A Python expression over the non-empty value `x{i}`, true only for values `check_value` accepts
    with no component or repetition separator in them ("False" for composites, which are checked in detail)."""
    if espec is None:
        return "False"
    x = f"x{i}"
    kind, low, high = espec[0], int(espec[1]), int(espec[2])
    if kind == "ID" and allowed is not None:
        names[f"codes{i}"] = frozenset(c for c in allowed if c and not _separated(c, seps)
                                       and check_value(c, espec, allowed) is None)
        return f"{x} in codes{i}"
    if kind == "AN":                     # free text: rarely the same twice, so tested inline every time
        size = f"len({x}) == {high}" if low == high else f"len({x}) <= {high}" if low <= 1 \
            else f"{low} <= len({x}) <= {high}"                # a non-empty value is at least 1 long
        return f"{size} and {x}.isprintable()" + "".join(f" and {name} not in {x}" for name, sep in
                                                          zip(("comp", "rep"), seps, strict=True) if sep)
    names[f"good{i}"], names[f"check{i}"] = _remembered(espec, allowed, seps)
    return f"{x} in good{i} or check{i}({x})"


def _rule_problem(kind: str, positions: list[int], width: int) -> str | None:
    """The condition under which `_Checker.rule` reports a syntax note, over the first `width` values
    (later ones are absent); None when it cannot report."""
    here = [f"x{p - 1}" for p in positions if p <= width]
    first = positions[0] <= width
    if kind == "R":
        return f"not ({' or '.join(here)})" if here else "True"
    if kind == "E":
        return " + ".join(f"({x} != '')" for x in here) + " > 1" if len(here) > 1 else None
    if kind == "P":
        if not here:
            return None
        if len(here) < len(positions):            # some can never be present: all must be absent
            return " or ".join(here)
        return f"({' or '.join(here)}) and not ({' and '.join(here)})"
    rest = here[1:] if first else []
    if not first:                                  # C and L only speak when the first is present
        return None
    if kind == "C":
        return here[0] if len(rest) < len(positions) - 1 else f"{here[0]} and not ({' and '.join(rest)})"
    return f"{here[0]} and not ({' or '.join(rest)})" if rest else here[0]     # L


def _generate(spec: _Compiled, width: int, seps: Seps, longer: bool) -> Test:
    """The quick test of a segment with `width` elements (`longer`: more than defined) as one function.

    Generated (as `dataclasses` does for `__init__`) so that a clean segment costs one call: the values
    are unpacked into locals at once and each is tested inline; positions past `width` are known to be
    absent, so a mandatory one makes the whole test False and syntax notes about them fold away.
    """
    names: dict[str, Any] = {"comp": seps[0], "rep": seps[1]}
    targets = ["_tag"] + [f"x{i}" for i in range(width)]
    lines = ["def clean(v):"]                 # v: Segment.fields, the tag then the elements
    if longer:
        lines += [f"    if any(v[{width + 1}:]):", "        return False", f"    v = v[:{width + 1}]"]
    if width:
        lines.append(f"    {', '.join(targets)} = v")
    for pos, _name, _ref, req, espec, allowed in spec.fields:
        i = pos - 1
        if i >= width:
            if req == "M":
                lines.append("    return False")
                break
            continue
        test = _quick_test(i, espec, allowed, seps, names)
        condition = f"not (x{i} and ({test}))" if req == "M" else f"x{i} and not ({test})"
        lines += [f"    if {condition}:", "        return False"]
    for kind, positions in spec.rules:
        problem = _rule_problem(kind, positions, width)
        if problem is not None:
            lines += [f"    if {problem}:", "        return False"]
    lines.append("    return True")
    exec("\n".join(lines), names)      # noqa: S102 - source built above from the definitions' numbers only
    return names["clean"]              # type: ignore[no-any-return]


def _plan(d: SetDef, tag: str, seps: Seps, dic: Dictionary) -> _Plan | None:
    """A segment's compiled checks for one definition and pair of separators, built once."""
    spec = _compile(d, tag, dic)
    if spec is None:
        return None
    return _Plan(spec, (_judged(seps[0]), seps[1]))


def _judged(comp: str | None) -> str | None:
    """The component separator that data is checked for: none when ISA16 is a space. Partners without composites
    fill ISA16 with a blank as 'not used' (as ISA11, which the reader then takes for no separator); judged, every
    name, address and note of theirs was an AK4 6, each set AK5 E, and all rejected under accept_with_errors: false."""
    return None if comp == " " else comp


_SEPARATOR_IN_DATA = "holds the component separator"


def separator_in_text(issue: Issue) -> bool:
    """Whether `issue` is the component separator found inside a text (AN) element, which a partner's
    `component_separator_in_text` setting judges (acks.x12.judge_separators); one in a code stays told."""
    spec = dictionary().elements.get(issue.element_ref)
    return issue.code == codes.EL_BAD_CHARACTER and _SEPARATOR_IN_DATA in issue.message and \
        spec is not None and spec[0] == "AN"


# --------------------------------------------------------------------------- values

def check_value(value: str, spec: list[Any], allowed: list[str] | None = None) -> tuple[str, str] | None:
    """(AK403 code, sentence) when `value` breaks its element definition [type, min, max, name]."""
    kind, low, high = spec[0], spec[1], spec[2]
    if kind in ("AN", "ID"):
        size = len(value)
        if kind == "ID" and allowed is not None and value not in allowed:
            shown = ", ".join(allowed[:12]) + (", ..." if len(allowed) > 12 else "")
            return codes.EL_BAD_CODE, f"{value!r} is not a valid code here (expected one of {shown})"
        if _CONTROL.search(value):
            return codes.EL_BAD_CHARACTER, f"{value!r} contains control characters"
    elif kind == "DT":
        if not _valid_date(value, high):
            return codes.EL_BAD_DATE, f"{value!r} is not a valid date (CCYYMMDD)"
        return None
    elif kind == "TM":
        if not _valid_time(value):
            return codes.EL_BAD_TIME, f"{value!r} is not a valid time (HHMM[SS])"
        return None
    elif kind == "R":
        if not _REAL.match(value):
            return codes.EL_BAD_CHARACTER, f"{value!r} is not a decimal number"
        size = len(value) - ("." in value) - (value[0] == "-")
    else:   # N0..N9: digits with implied decimals
        if not _NUMBER.match(value):
            return codes.EL_BAD_CHARACTER, f"{value!r} is not a whole number (type {kind})"
        size = len(value.lstrip("-"))
    if size < low:
        return codes.EL_TOO_SHORT, f"{value!r} is shorter than the minimum of {low}"
    if size > high:
        return codes.EL_TOO_LONG, f"{value!r} is longer than the maximum of {high}"
    return None


def _valid_date(value: str, width: int) -> bool:
    if not value.isdecimal() or len(value) not in (6, 8) or (width == 8 and len(value) != 8):
        return False
    year = int(value[:4]) if len(value) == 8 else 2000 + int(value[:2])
    try:
        date(year, int(value[-4:-2]), int(value[-2:]))
    except ValueError:
        return False
    return True


def _valid_time(value: str) -> bool:
    if not value.isdecimal() or not 4 <= len(value) <= 8:
        return False
    if int(value[:2]) > 23 or int(value[2:4]) > 59:
        return False
    return len(value) < 6 or int(value[4:6]) <= 59


# --------------------------------------------------------------------------- placing segments

# In a transaction of at most this many segments no use or repeat count can pass a maximum of at
# least this many, so steps counted only against such maxima need no counting there.
_SHORT = 200


@dataclass(slots=True)
class _Step:
    """What placing one tag does from one node; worked out once per (node, tag) from the definition."""

    node: _Node                               # where the segment lands
    level: int                                # the frame it lands in (0: the set itself)
    repeat: bool                              # the same item again: one more use, or one more loop iteration
    loop: bool                                # it starts an iteration of a loop
    limit: int | None                         # that item's maximum use / repeat (None: unbounded)
    loop_id: str                              # the loop named in a max-use finding
    missing: tuple[tuple[Item, Item], ...]    # (loop, mandatory item) passed over or left open, in report order


@dataclass(slots=True, eq=False)
class _Node:
    """A place in a set's definition: the open frames (item, position in its body), outermost first.

    The stack of open loops a segment-by-segment walk keeps is a function of the item placed
    last, and so is every finding about order and mandatory items; only the use and repeat counts
    vary. So each (node, tag) is worked out once (`_Machine.step`), and `fast` holds the steps that
    are a bare move: placing a segment is then one dict lookup.
    """

    path: tuple[tuple[Item, int], ...]
    tests: list[Test]                         # the quick element test of the segment placed here, by length
    spec: _Compiled | None
    end: tuple[tuple[Item, Item], ...]        # mandatory items missing when the set ends here
    fast: dict[str, _Node] = field(default_factory=dict)
    steps: dict[str, _Step | None] = field(default_factory=dict)    # None: the tag has no place from here
    loop: str = field(init=False, default="")  # the innermost loop of the segment placed here (AK303 / IK303)

    def __post_init__(self) -> None:
        self.loop = self.path[-1][0].loop_id if self.path else ""


def _always(values: list[str]) -> bool:
    return True


class _Machine:
    """A set definition as nodes and steps, built as transactions reach them and kept with the definition.

    One per pair of separators (the quick element checks depend on them) and per transaction
    size class (`short`: steps counted only against maxima of `_SHORT` or more are bare moves).
    """

    def __init__(self, d: SetDef, seps: Seps, short: bool) -> None:
        self.d = d
        self.seps = seps
        self.short = short
        self.dic = dictionary()
        self.nodes: dict[tuple[int, ...], _Node] = {}
        self.depth = _depth(d.root)
        self.start = self.node(((d.root, 0),))
        # before the set: its first segment, when it is an ST, is placed like any other
        self.before = _Node((), [_always], None, (), {"ST": self.start})

    def plan(self, tag: str) -> _Plan | None:
        plans = self.d.plans.setdefault(self.seps, {})    # per definition: VICS and plain ones differ
        if tag not in plans:
            plans[tag] = _plan(self.d, tag, self.seps, self.dic)
        return plans[tag]

    def node(self, path: tuple[tuple[Item, int], ...]) -> _Node:
        key = tuple(idx for _item, idx in path)
        found = self.nodes.get(key)
        if found is None:
            item, idx = path[-1]
            plan = self.plan(item.body[idx].tag)        # type: ignore[index]
            tests: list[Test] = plan.by_length if plan else [_always]     # no definition: nothing to check
            end = tuple(pair for frame in reversed(path) for pair in _left_open(*frame))
            found = self.nodes[key] = _Node(path, tests, plan.spec if plan else None, end)
        return found

    def step(self, node: _Node, tag: str) -> _Step | None:
        """Where `tag` goes from `node`, as the walk of the standard defines it (None: out of place)."""
        if tag in node.steps:
            return node.steps[tag]
        if tag not in self.d.tags:
            return None                   # no place anywhere; damaged data may hold any tag: not kept
        found = node.steps[tag] = self._work_out(node.path, tag)
        if found is not None and not found.missing and (
                found.limit is None or (not found.repeat and not found.loop)
                or (self.short and found.limit >= _SHORT)):
            node.fast[tag] = found.node
        return found

    def _work_out(self, path: tuple[tuple[Item, int], ...], tag: str) -> _Step | None:
        depth = len(path)
        while depth:
            depth -= 1
            item, idx = path[depth]
            # body[0] of a loop is its trigger: seeing it again starts a new iteration, one level up
            j = item.after[idx if idx or not depth else 1].get(tag)
            if j is None:
                continue
            body = item.body or []
            missing = [pair for frame in reversed(path[depth + 1:]) for pair in _left_open(*frame)]
            missing += [(item, body[k]) for k in item.mandatory if idx < k < j]   # passed over
            target = body[j]
            loop = target.body is not None
            new = (*path[:depth], (item, j), *(((target, 0),) if loop else ()))
            return _Step(self.node(new), depth, j == idx, loop, target.max,
                         target.loop_id if loop else item.loop_id, tuple(missing))
        return None


def _left_open(frame: Item, idx: int) -> list[tuple[Item, Item]]:
    """Mandatory items after body[idx] of a frame being closed (a missing SE: the reader says so)."""
    body = frame.body or []
    return [(frame, body[k]) for k in frame.mandatory if k > idx and body[k].tag != "SE"]


def _depth(item: Item) -> int:
    return 1 + max((_depth(sub) for sub in item.body or [] if sub.body is not None), default=0)


def _machine(d: SetDef, seps: Seps, short: bool) -> _Machine:
    machines = d.short_machines if short else d.long_machines
    found = machines.get(seps)
    if found is None:
        found = machines[seps] = _Machine(d, seps, short)
    return found


# --------------------------------------------------------------------------- per transaction

@dataclass(frozen=True, slots=True)
class _Where:
    """Where an element finding is: its position in the segment, the loop (AK303), the repetition (C030-03)."""

    position: int
    loop: str = ""
    repetition: int | None = None


class _Checker:
    """Walks one transaction set's segments through its definition, collecting issues."""

    __slots__ = ("_where", "d", "dic", "issues", "tx")

    def __init__(self, tx: Transaction, definition: SetDef, issues: list[Issue]) -> None:
        self.tx = tx
        self.d = definition
        self.issues = issues
        self.dic = dictionary()
        self._where: dict[str, Any] | None = None

    @property
    def where(self) -> dict[str, Any]:
        if self._where is None:
            tx = self.tx
            self._where = {"interchange": tx.envelope.index if tx.envelope else None,
                           "group": tx.group.index if tx.group else None, "transaction": tx.index}
        return self._where

    def issue(self, severity: Severity, message: str, code: str, seg: Segment, loop_id: str = "",
              level: str = "segment", **extra: Any) -> None:
        self.issues.append(Issue(severity, message, code=code, level=level, segment_tag=seg.tag,
                                 segment_position=seg.position, loop_id=loop_id, offset=seg.offset,
                                 **self.where, **extra))

    # ---- structure
    def run(self) -> None:
        segments = self.tx.segments
        if not segments:
            return
        first = segments[0]
        seps = first.separators
        short = len(segments) <= _SHORT
        machine = (self.d.short_machines if short else self.d.long_machines).get(seps) \
            or _machine(self.d, seps, short)
        if first.tag == "ST":
            node, begin = machine.before, 0
        else:                                     # the first segment stands for ST (body[0] of the root)
            node, begin = machine.start, 1
            self.elements(first)
        counts = [0] * machine.depth              # iterations of the counted loop open at each level
        uses = 1                                  # uses of the segment item placed last
        fast = node.fast
        # The hot loop: most segments are a bare move (one lookup) and a clean quick test (one call);
        # a counted step (a use or loop iteration with a maximum) costs one more lookup and a call.
        for seg in islice(segments, begin, None):
            fields = seg[FIELDS]                  # (seg.fields, seg.separators: a property call each)
            tag = fields[0]
            nxt = fast.get(tag)
            if nxt is not None:
                uses = 1
            else:
                step = node.steps.get(tag)
                if step is None or step.missing:  # out of place, findings, or a step not worked out yet
                    node, uses = self.place(machine, node, seg, uses, counts)
                    fast = node.fast
                    self.elements(seg, node.loop)
                    continue
                nxt = step.node
                if step.repeat:
                    uses = self.count(step, seg, uses, counts)
                else:                             # a counted loop entered afresh: its first iteration
                    counts[step.level] = 1
                    uses = 1
            node = nxt
            fast = nxt.fast
            if seg[SEPARATORS] is not seps:       # never from the reader, which shares one per interchange:
                self.elements(seg, nxt.loop)      # the test of the segment's own separators
                continue
            try:
                test = nxt.tests[len(fields)]
            except IndexError:                    # more elements than defined, and more than one more
                test = nxt.tests[-1]
            if not test(fields):
                self.elements_in_detail(seg, nxt.spec, nxt.loop)   # type: ignore[arg-type]  # _always without a spec
        last = segments[-1]
        for frame, item in node.end:
            self.missing(frame, item, last)
        if self.d.hierarchy:
            self.hierarchy()

    def place(self, machine: _Machine, node: _Node, seg: Segment, uses: int, counts: list[int]) -> tuple[_Node, int]:
        """A step that is not a bare move: counted, with findings, or out of place. (node, uses) after it."""
        step = machine.step(node, seg.tag)
        if step is None:
            self.misplaced(seg, node)
            return node, uses
        for frame, item in step.missing:
            self.missing(frame, item, seg)
        return step.node, self.count(step, seg, uses, counts)

    def count(self, step: _Step, seg: Segment, uses: int, counts: list[int]) -> int:
        """Count a use or loop iteration against its maximum; the uses of the segment item placed now."""
        limit = step.limit
        if step.loop:
            level = step.level
            count = counts[level] = counts[level] + 1 if step.repeat else 1
            if limit is not None and count > limit:
                self.issue(Severity.ERROR, f"loop {step.loop_id} repeats {count} times; at most {limit} "
                           "allowed", codes.SEG_LOOP_OVER_MAX, seg, step.loop_id)
            return 1
        if not step.repeat:
            return 1
        uses += 1
        if limit is not None and uses > limit:
            self.issue(Severity.ERROR, f"{seg.tag} appears {uses} times here; at most {limit} allowed",
                       codes.SEG_OVER_MAX_USE, seg, step.loop_id)
        return uses

    def misplaced(self, seg: Segment, node: _Node) -> None:
        tag = seg.tag
        top = node.path[-1][0]
        loop = top.loop_id
        if tag in self.d.tags:
            inside = f"inside loop {loop}" if loop else f"at the level of {top.tag}" if len(node.path) > 1 \
                else "after the segments that follow it in the standard"
            self.issue(Severity.WARNING, f"segment {tag} is out of sequence ({inside}); it was read but check "
                       "the partner's segment order", codes.SEG_OUT_OF_SEQUENCE, seg, loop)
        elif tag in self.dic.segments:
            self.issue(Severity.ERROR, f"segment {tag} is not part of transaction set {self.d.id} "
                       f"({self.d.name})", codes.SEG_NOT_IN_SET, seg, loop)
        elif _TAG.fullmatch(tag):
            self.issue(Severity.ERROR, f"segment {tag} is not defined in transaction set {self.d.id}",
                       codes.SEG_NOT_IN_SET, seg, loop)
        else:
            shown = tag if len(tag) <= 12 else tag[:12] + "..."
            self.issue(Severity.ERROR, f"{shown!r} is not a segment identifier (wrong delimiter or damaged "
                       "data?)", codes.SEG_UNRECOGNIZED, seg, loop)

    def missing(self, frame: Item, item: Item, at: Segment) -> None:
        what = f"loop {item.loop_id}" if item.body is not None else f"segment {item.tag}"
        inside = f" in loop {frame.loop_id}" if frame.loop_id else ""
        self.issues.append(Issue(
            Severity.ERROR, f"mandatory {what}{inside} is missing (detected at {at.tag}, "
            f"segment {at.position})", code=codes.SEG_MANDATORY_MISSING, level="segment",
            segment_tag=item.tag, segment_position=at.position,
            loop_id=item.loop_id if item.body is not None else frame.loop_id,   # a loop's trigger is in that loop
            offset=at.offset, **self.where))

    # ---- elements
    def elements(self, seg: Segment, loop: str = "") -> None:
        """Element checks; the common case, a segment with nothing to report, takes the quick path. `loop`: the
        loop the segment is in, named in its findings (AK303 / IK303)."""
        seps = seg.separators
        plans = self.d.plans.setdefault(seps, {})    # per definition: VICS and plain ones differ
        tag = seg.tag
        if tag not in plans:
            plans[tag] = _plan(self.d, tag, seps, self.dic)
        plan = plans[tag]
        if plan is not None and not plan.clean(seg.fields):
            self.elements_in_detail(seg, plan.spec, loop)

    def elements_in_detail(self, seg: Segment, spec: _Compiled, loop: str = "") -> None:
        values = seg.fields[1:]
        count = len(values)
        most = spec.most
        if count > most and any(values[most:]):
            self.issue(Severity.WARNING, f"{seg.tag} has {count} elements; at most {most} are defined",
                       codes.EL_TOO_MANY, seg, loop, level="element", element_position=most + 1,
                       value=values[most][:99])
        sep = seg.repetition_sep
        for pos, name, ref, req, espec, allowed in spec.fields:
            value = values[pos - 1] if pos <= count else ""
            if not value:
                if req == "M":
                    self.issue(Severity.ERROR, f"mandatory element {name} is missing", codes.EL_MANDATORY_MISSING,
                               seg, loop, level="element", element_position=pos, element_ref=ref)
                continue
            # each repetition is checked; IK401's third component (C030-03) says which one is at fault
            repeated = value.split(sep) if sep and sep in value else None
            for number, one in enumerate(repeated or (value,), start=1):
                where = _Where(pos, loop, number if repeated else None)
                if espec is None:
                    self.composite(seg, where, ref, req, one)
                elif one and check_value(one, espec, allowed) is not None:
                    self.simple(seg, where, None, ref, req, one, allowed)
                elif one and (comp := _judged(seg.component_sep)) and comp in one:
                    self.separator_in(seg, where, name, ref, one)
        for kind, positions in spec.rules:
            present = [p for p in positions if p <= count and values[p - 1]]
            n = len(present)
            if (kind == "R" and n) or (kind == "E" and n < 2) or (kind in "PCL" and n in (0, len(positions))):
                continue
            self.rule(seg, kind, positions, present, loop)

    def simple(self, seg: Segment, where: _Where, comp: int | None, ref: str, req: str, value: str,
               allowed: list[str] | None) -> None:
        spec = self.dic.elements.get(ref)
        if spec is None:
            return
        found = check_value(value, spec, allowed)
        if found is None:
            return
        code, text = found
        pos = where.position
        name = f"{seg.tag}{pos:02d}" + (f"-{comp}" if comp else "")
        # a NUL is refused by Odoo's database: the set could not be posted, so its 997 must not accept it
        severity = Severity.ERROR if req == "M" or allowed is not None or "\x00" in value else Severity.WARNING
        self.issue(severity, f"{name} ({spec[3]}): {text}", code, seg, where.loop, level="element",
                   element_position=pos, component_position=comp, repetition_position=where.repetition,
                   element_ref=ref, value=value[:99])

    def separator_in(self, seg: Segment, where: _Where, name: str, ref: str, value: str) -> None:
        """The component separator inside a simple element (`N1*ST*DC>1` where ISA16 is '>'): X12 keeps its
        delimiters out of data, so it is an invalid character (AK403 6). A WARNING, the value kept as sent: the
        text reads the same, and a partner whose free text holds the sign ('SIZE > 10') should hear of it, not lose
        the order. It was not checked: the 997 accepted what a strict translator refuses."""
        self.issue(Severity.WARNING, f"{name} {_SEPARATOR_IN_DATA} {seg.component_sep!r}, which X12 keeps "
                   f"out of data (a simple element has no components): {value[:99]!r}; read as sent",
                   codes.EL_BAD_CHARACTER, seg, where.loop, level="element", element_position=where.position,
                   repetition_position=where.repetition, element_ref=ref, value=value[:99])

    def composite(self, seg: Segment, where: _Where, ref: str, req: str, value: str) -> None:
        """A composite that is present: its components, and its mandatory ones present (a used composite must
        have them whether the composite itself is mandatory or not; missing in an optional one is a warning)."""
        pos, loop = where.position, where.loop
        parts = value.split(seg.component_sep)
        comps = self.dic.composites.get(ref, [])
        if len(parts) > len(comps):
            self.issue(Severity.WARNING, f"{seg.tag}{pos:02d} has {len(parts)} components; {ref} defines "
                       f"{len(comps)}", codes.EL_TOO_MANY_COMPONENTS, seg, loop, level="element",
                       element_position=pos, repetition_position=where.repetition, element_ref=ref,
                       value=value[:99])
        for k, (cref, creq) in enumerate(comps, start=1):
            part = parts[k - 1] if k <= len(parts) else ""
            if not part:
                if creq == "M":
                    self.issue(Severity.ERROR if req == "M" else Severity.WARNING,
                               f"mandatory component {seg.tag}{pos:02d}-{k} is missing", codes.EL_MANDATORY_MISSING,
                               seg, loop, level="element", element_position=pos, component_position=k,
                               repetition_position=where.repetition, element_ref=cref)
                continue
            self.simple(seg, where, k, cref, creq if req == "M" else "O", part, None)

    def rule(self, seg: Segment, kind: str, positions: list[int], present: list[int], loop: str = "") -> None:
        names = ", ".join(f"{seg.tag}{p:02d}" for p in positions)
        first = positions[0]
        problem: tuple[str, str, int] | None = None
        if kind == "R" and not present:
            problem = (codes.EL_CONDITIONAL_MISSING, f"at least one of {names} is required", first)
        elif kind == "P" and present and len(present) != len(positions):
            missing = next(p for p in positions if p not in present)
            problem = (codes.EL_CONDITIONAL_MISSING, f"{names} must be used together", missing)
        elif kind == "C" and first in present and len(present) != len(positions):
            missing = next(p for p in positions if p not in present)
            problem = (codes.EL_CONDITIONAL_MISSING, (f"when {seg.tag}{first:02d} is used, "
                                                      f"{seg.tag}{missing:02d} is required"), missing)
        elif kind == "E" and len(present) > 1:
            problem = (codes.EL_EXCLUSION, f"only one of {names} may be used", present[1])
        elif kind == "L" and first in present and len(present) == 1:
            problem = (codes.EL_CONDITIONAL_MISSING, (f"when {seg.tag}{first:02d} is used, one of the others "
                                                      f"in {names} is required"), positions[1])
        if problem:
            code, text, pos = problem
            defined = self.dic.segments.get(seg.tag, {}).get("el", [])
            ref = defined[pos - 1][0] if pos <= len(defined) else ""      # AK402: the element the note points at
            self.issue(Severity.ERROR, text, code, seg, loop, level="element", element_position=pos,
                       element_ref=ref, value=seg.get(pos)[:99])

    # ---- 856 hierarchy
    def hierarchy(self) -> None:
        spec = self.d.hierarchy
        assert spec is not None
        head = next((s for s in self.tx.segments if s.tag == spec["element"][:3]), None)
        structure = head.get(int(spec["element"][3:])) if head else ""
        order = spec["orders"].get(structure) or spec["orders"][spec["default"]]
        label = structure if structure in spec["orders"] else spec["default"]
        levels: dict[str, str] = {}
        for seg in self.tx.segments:
            if seg.tag != "HL":
                continue
            hid, parent, level = seg.get(1), seg.get(2), seg.get(3)
            if hid in levels:
                self.issue(Severity.ERROR, f"HL01 {hid} is used twice", codes.EL_BAD_CODE, seg, "HL",
                           level="element", element_position=1, value=hid)
            if level not in order:
                self.issue(Severity.ERROR, f"HL03 level {level!r} is not part of hierarchy {label} "
                           f"({'/'.join(order)})", codes.EL_BAD_CODE, seg, "HL", level="element",
                           element_position=3, value=level)
            elif not parent:
                if levels or level != order[0]:
                    above = [h for h, lv in levels.items() if lv in order and order.index(lv) < order.index(level)]
                    guess = f"; read as a child of HL {above[-1]}" if above else ""
                    self.issue(Severity.WARNING if above else Severity.ERROR,
                               f"HL {hid} ({level}) has no parent in HL02; only the first HL, the {order[0]} "
                               f"level, may have none{guess}", codes.EL_MANDATORY_MISSING, seg, "HL",
                               level="element", element_position=2)
            elif parent not in levels:
                self.issue(Severity.ERROR, f"HL02 parent {parent} of HL {hid} is not an earlier HL",
                           codes.EL_BAD_CODE, seg, "HL", level="element", element_position=2, value=parent)
            elif levels[parent] in order and order.index(levels[parent]) >= order.index(level):
                self.issue(Severity.ERROR, f"HL {hid} level {level} cannot sit under level {levels[parent]} "
                           f"in hierarchy {label} ({'/'.join(order)})", codes.EL_BAD_CODE, seg, "HL",
                           level="element", element_position=3, value=level)
            levels[hid] = level


def validate_transaction(tx: Transaction) -> list[Issue]:
    """Structure issues of one transaction set (empty when it has no definition)."""
    if tx.doc_type == "TA1" or not tx.segments:
        return []
    definition = set_definition(tx.doc_type, tx.version or (tx.group.version if tx.group else ""))
    if definition is None:
        return []
    issues: list[Issue] = []
    _Checker(tx, definition, issues).run()
    return issues


def validate_result(result: ParseResult) -> None:
    """Add structure issues for every transaction set that has a definition; others are read generically."""
    for tx in result.transactions:
        check_transaction(tx, result.issues)


def check_transaction(tx: Transaction, issues: list[Issue]) -> None:
    """Add the structure issues of one transaction set to `issues` (a streaming reader's caller checks each
    set as it is read, then may drop its segments)."""
    if tx.doc_type == "TA1":
        return
    version = tx.version or (tx.group.version if tx.group else "")
    definition = set_definition(tx.doc_type, version)
    if definition is None:
        issues.append(Issue(
            Severity.INFO, f"no structure definition for {tx.doc_type} version {version or '?'}; read "
            "generically (envelope checked, segments not)", level="transaction",
            interchange=tx.envelope.index if tx.envelope else None, group=tx.group.index if tx.group else None,
            transaction=tx.index, segment_tag="ST", segment_position=1))
        return
    if tx.segments:
        _Checker(tx, definition, issues).run()
        issues.extend(gs1.findings(tx))             # a GTIN's check digit: noted, the 997 unchanged
