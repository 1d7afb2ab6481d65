"""The translation engine: a profile's `structure:` compiled into nodes, read and written by walkers.

One node model serves all four syntaxes. A node selects records in its context
(`seg:` a segment, `loop:` a segment group, `hl:` an X12 hierarchical level, `rows:`
CSV rows, `xpath:` XML elements), optionally binds each one to a new item of a
canonical list (`each:`), maps `fields:` both ways, and has `children:`.

Segment syntaxes are read in one pass over the segments with a stack of open loops.
At compile time each level that can be the innermost open one gets a plan per tag (which
node takes the segment and at which level; a search only where `when:`, HL or order make
it depend on the data), and each node a generated `apply` (Python source compiled once:
element reads, code lists, numbers and stores inlined), so a segment costs one dict
look-up and one call; any error re-runs the node field by field to locate it. Outbound, the same nodes are walked over the canonical dict and emit segments
(`[tag, {position: value}]`), CSV rows or XML elements.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from types import CodeType
from typing import Any

from gateway.errors import ConfigError, TranslationError
from gateway.formats.base import FIELDS
from gateway.translate.fields import (
    Context,
    ElementError,
    Field,
    Missing,
    compile_field,
    make_getter,
    make_setter,
    parse_address,
    seg_placer,
    seg_reader,
)
from gateway.translate.yamlsrc import Where, YMap, fmt_where

NODE_KEYS = frozenset({"seg", "loop", "hl", "rows", "xpath", "when", "each", "fields", "value", "children",
                       "always", "key", "note", "nested", "read_only", "join_rows", "_after", "_before"})
KINDS = ("seg", "loop", "hl", "rows", "xpath")

OutSegment = tuple[str, dict[int, Any]]
# (when the choice does not depend on the data: the node's apply, its level, whether it opens one, its
#  order, the node; else None, -1, False, -1, None. Then the innermost level's own candidates or None
#  and the enclosing levels' candidates as (level, node) in search order.)
Plan = tuple["Callable[[Any, dict[str, Any]], dict[str, Any]] | None", int, bool, int, "Node | None",
             "Callable[[Any], bool] | None", "tuple[Node, ...] | None", "tuple[tuple[int, Node], ...]"]


@dataclass(slots=True, eq=False)
class Node:
    name: str
    kind: str                                   # root, seg, loop, hl, rows, xpath
    where: Where
    tag: str = ""                               # segment tag; "HL" for hl nodes
    select: str = ""                            # rows: first|each; xpath expression
    when: tuple[tuple[Callable[[Any], str], frozenset[str]], ...] = ()
    when_out: tuple[tuple[Callable[[dict[int, Any], str], None], str], ...] = ()
    when_at: tuple[tuple[int, int, frozenset[str]], ...] = ()   # `when` as (element, component, allowed)
    test: Callable[[Any], bool] | None = None   # generated `matches` (segment syntaxes, nodes with when)
    when_text: str = ""
    each: str | None = None
    each_get: Callable[[Any], Any] | None = None
    each_set: Callable[[dict[str, Any], Any], None] | None = None
    fields_in: list[Field] = field(default_factory=list)
    fields_out: list[Field] = field(default_factory=list)
    consts: list[tuple[Callable[[Any], Any], Any]] = field(default_factory=list)
    claimed: list[list[tuple[Callable[[Any], Any], Any]]] = field(default_factory=list)  # siblings' consts
    value: Field | None = None
    key: Callable[[Any], Any] | None = None     # rows: group consecutive rows with the same key into one item
    join_rows: dict[str, str] = field(default_factory=dict)   # rows: first: field path -> joins its rows' values
    children: list[Node] = field(default_factory=list)
    dispatch: dict[str, list[Node]] = field(default_factory=dict)
    # when this node's level is the innermost open one: tag -> Plan (see _plan)
    plans: dict[str, Plan] = field(default_factory=dict)
    always: bool = False
    order: int = 0                              # position among its siblings (segment order)
    xpath: Any = None
    xml_steps: Any = None
    note: str = ""
    fast_fill: Callable[[Any, dict[str, Any]], None] | None = None   # generated, segment syntaxes
    # generated, segment syntaxes: map a segment into its parent's target, return the node's target
    apply: Callable[[Any, dict[str, Any]], dict[str, Any]] | None = None
    simple_each: str | None = None              # `each:` a top-level list, no value:/key: (fast path)
    nested: str | None = None                   # items nest under the item their parent_seq names (CPS packs)
    read_only: bool = False                     # inbound only: outbound skips it (any XPath allowed)
    nested_get: Callable[[Any], Any] | None = None
    seq_raw: Callable[[Any], str] | None = None
    parent_raw: Callable[[Any], str] | None = None

    def matches(self, record: Any) -> bool:
        for reader, allowed in self.when:
            if reader(record) not in allowed:
                return False
        return True

    def walk(self) -> Iterable[Node]:
        yield self
        for child in self.children:
            yield from child.walk()


# ---------------------------------------------------------------- compiling

def compile_structure(structure: YMap, ctx: Context, where: Where) -> Node:
    root = Node(name="structure", kind="root", where=where)
    root.children = [compile_node(name, spec, ctx, structure.loc(name)) for name, spec in structure.items()]
    _build_dispatch(root)
    if ctx.syntax in ("x12", "edifact"):
        _plan(root, [root])
    return root


def compile_node(name: str, spec: Any, ctx: Context, where: Where) -> Node:
    if not isinstance(spec, YMap):
        raise ConfigError(f"structure node {name!r} must be a mapping", where[0], where[1])
    where = spec.where if spec.where[0] else where
    unknown = set(spec) - NODE_KEYS
    if unknown:
        raise ConfigError(f"node {name!r}: unknown key(s) {', '.join(sorted(map(str, unknown)))}",
                          where[0], where[1], hint=f"known: {', '.join(sorted(NODE_KEYS - {'_after', '_before'}))}")
    kinds = [k for k in KINDS if k in spec]
    if len(kinds) != 1:
        raise ConfigError(f"node {name!r} needs exactly one of {', '.join(KINDS)}", where[0], where[1])
    kind = kinds[0]
    node = Node(name=name, kind=kind, where=where, always=bool(spec.get("always")), note=str(spec.get("note", "")),
                read_only=bool(spec.get("read_only")),
                join_rows={str(k): str(v) for k, v in (spec.get("join_rows") or {}).items()})
    segmental = ctx.syntax in ("x12", "edifact")
    if kind in ("seg", "loop", "hl") and not segmental:
        raise ConfigError(f"node {name!r}: {kind}: is for X12 / EDIFACT profiles; use "
                          f"{'rows' if ctx.syntax == 'csv' else 'xpath'}:", where[0], where[1])
    if kind == "rows" and ctx.syntax != "csv" or kind == "xpath" and ctx.syntax != "xml":
        raise ConfigError(f"node {name!r}: {kind}: does not fit a {ctx.syntax} profile", where[0], where[1])
    node_ctx = ctx
    if kind in ("seg", "loop"):
        node.tag = str(spec[kind]).strip().upper()
        node_ctx = replace(ctx, tag=node.tag)
    elif kind == "hl":
        node.tag = "HL"
        levels = spec["hl"] if isinstance(spec["hl"], list) else [spec["hl"]]
        node.when = ((seg_reader(3, 0), frozenset(str(v) for v in levels)),)
        node.when_at = ((3, 0, node.when[0][1]),)
        node.when_out = ((seg_placer(3, 0), str(levels[0])),)
        node.when_text = f"HL03={'/'.join(map(str, levels))}"
        node_ctx = replace(ctx, tag="HL")
    elif kind == "rows":
        node.select = str(spec["rows"])
        if node.select not in ("first", "each"):
            raise ConfigError(f"node {name!r}: rows: is 'first' (the document's first row) or 'each'",
                              where[0], where[1])
    else:
        node.select = str(spec["xpath"])
        node.xpath = _xpath_nodes(node.select, ctx, where)
        from gateway.translate import xmltree
        if not node.read_only:
            node.xml_steps = xmltree.parse_steps(node.select, ctx.namespaces, where)
    if "when" in spec:
        if not segmental:
            raise ConfigError(f"node {name!r}: when: needs a segment syntax; use an XPath predicate or a "
                              "field const:", where[0], where[1])
        when = spec["when"]
        if not isinstance(when, YMap):
            raise ConfigError(f"node {name!r}: when: maps element positions to values, e.g. {{1: BY}}",
                              where[0], where[1])
        checks = []
        outs = []
        for addr, allowed in when.items():
            pos, comp = parse_address(addr, node_ctx, when.loc(addr))
            vals = allowed if isinstance(allowed, list) else [allowed]
            checks.append((seg_reader(pos, comp), frozenset(str(v) for v in vals)))
            outs.append((seg_placer(pos, comp), str(vals[0])))
            node.when_at += ((pos, comp, checks[-1][1]),)
        node.when = node.when + tuple(checks)
        node.when_out = node.when_out + tuple(outs)
        node.when_text = ", ".join(f"{node.tag}{int(str(a).split('.')[0]):02d}="
                                   f"{'/'.join(map(str, v if isinstance(v, list) else [v]))}"
                                   for a, v in when.items() if str(a).split('.')[0].isdecimal())
    if spec.get("each") is not None:
        node.each = str(spec["each"])
        node.each_get = make_getter(node.each)
        node.each_set = make_setter(node.each)
    fields_spec = spec.get("fields") or YMap()
    if not isinstance(fields_spec, YMap):
        raise ConfigError(f"node {name!r}: fields: must be a mapping canonical.path: address", where[0], where[1])
    compiled = []
    for path, fspec in fields_spec.items():
        if fspec is None:
            continue
        if node.read_only and isinstance(fspec, YMap) and "at" in fspec and "read_only" not in fspec:
            fspec = YMap({**fspec, "read_only": True}, where=fspec.where)
        elif node.read_only and not isinstance(fspec, YMap):
            fspec = YMap({"at": fspec, "read_only": True}, where=fields_spec.loc(path))
        compiled.append(compile_field(str(path), fspec, node_ctx, fields_spec.loc(path)))
    yielded: list[Field] = []      # picks that leave writing their key to the pairs (a code the profile names)
    for bulk in (f for f in compiled if f.bulk):
        for pick in (f for f in compiled if f.path.startswith(bulk.path + ".")):
            key = pick.path[len(bulk.path) + 1:]
            if key in bulk.own_keys:
                yielded.append(pick)
            else:
                bulk.skip_keys.add(key)
    node.fields_in = [f for f in compiled if f.bulk] + [f for f in compiled if not f.bulk]
    node.fields_out = [f for f in compiled if not f.bulk and all(f is not y for y in yielded)] + [f for f in compiled if f.bulk]
    node.consts = [(make_getter(f.path), f.const) for f in compiled if f.const is not None]
    if node.each is not None and "." not in node.each and "value" not in spec and spec.get("key") is None:
        node.simple_each = node.each
    if spec.get("nested") is not None:
        node.nested = str(spec["nested"])
        node.seq_raw = next((f.raw for f in compiled if f.numbering == "seq"), None)
        node.parent_raw = next((f.raw for f in compiled if f.numbering == "parent"), None)
        if node.each is None or node.seq_raw is None or node.parent_raw is None or not segmental:
            raise ConfigError(f"node {name!r}: nested: needs each: and fields with seq: and parent_seq: "
                              "(CPS01 / CPS02)", where[0], where[1])
        node.nested_get = make_getter(node.nested)
        node.simple_each = None
    if "value" in spec:
        if not node.each:
            raise ConfigError(f"node {name!r}: value: maps a list of plain values and needs each:",
                              where[0], where[1])
        node.value = compile_field("_", spec["value"], node_ctx, spec.loc("value"))
    if spec.get("key") is not None:
        node.key = make_getter(str(spec["key"]))
    if segmental:
        _generate(node, f"{ctx.tag or node.tag}_{name}", ctx.syntax)
    children = spec.get("children") or YMap()
    if children and kind == "seg":
        raise ConfigError(f"node {name!r}: a seg: node has no children; make it a loop:", where[0], where[1])
    node.children = [compile_node(str(n), s, ctx, children.loc(n)) for n, s in children.items()]
    for child in node.children:
        if child.kind == "xpath" and child.select == "." and kind == "xpath":
            child.select = node.select      # (compiled already) errors name the element it reads: its parent's
    return node


def _xpath_nodes(expr: str, ctx: Context, where: Where) -> Any:
    from lxml import etree
    try:
        return etree.XPath(expr, namespaces=dict(ctx.namespaces))
    except etree.XPathSyntaxError as exc:
        raise ConfigError(f"XPath {expr!r}: {exc}", where[0], where[1]) from None


def _build_dispatch(node: Node) -> None:
    for order, child in enumerate(node.children):
        child.order = order
        if child.each is not None and not child.consts:
            # items a sibling selects by a constant (SCH for qualifier "scheduled") are its own
            child.claimed = [s.consts for s in node.children if s.each == child.each and s.consts]
        if child.tag:
            node.dispatch.setdefault(child.tag, []).append(child)
        _build_dispatch(child)
    for cands in node.dispatch.values():
        # in profile order; a qualified node is tried before a catch-all one it directly follows
        cands.sort(key=lambda n: (n.order, 0 if n.when else 1))
        _qualified_first(cands)


def _plan(node: Node, chain: list[Node]) -> None:
    """Node.plans of `node` (the innermost open level; `chain` = the open levels, root first) and below.

    The open levels are always a chain of ancestors, so which enclosing candidates a segment may
    go to is known here: a level's node placed before the open child loop cannot follow it (see
    read_segments). Only the innermost level's floor depends on the data (its last matched node).
    """
    tags = {tag for level in chain for tag in level.dispatch}
    for tag in tags:
        own = node.dispatch.get(tag)
        up: list[tuple[int, Node]] = []
        for depth in range(len(chain) - 2, -1, -1):
            floor = chain[depth + 1].order
            up += [(depth, cand) for cand in chain[depth].dispatch.get(tag, ()) if cand.order >= floor]
        if own is not None or up or tag == "HL":   # HL: an enclosing level may take it (read_segments)
            static: tuple[Node | None, int] = (None, -1)
            if tag != "HL":                 # the node to take when its `when` (its test) holds:
                if own is not None and len(own) == 1:
                    static = (own[0], len(chain) - 1)        # a lone candidate, whatever its order
                elif own is None:
                    static = (up[0][1], up[0][0])
            if static[0] is not None and static[0].apply is None:
                static = (None, -1)                          # nested: read_segments numbers its items
            chosen, level = static
            node.plans[tag] = (chosen.apply if chosen else None, level, bool(chosen and chosen.children),
                               chosen.order if chosen else -1, chosen, chosen.test if chosen else None,
                               tuple(own) if own is not None else None, tuple(up))
    for child in node.children:
        if child.children:
            _plan(child, [*chain, child])


def _qualified_first(cands: list[Node]) -> None:
    """Within a run of same-tag siblings (REF*BM, REF*CN, REF), try the qualified ones first.

    A run is a group of candidates with consecutive orders; order values are rewritten to the
    run's first so that all of them stay eligible after any one of them matched.
    """
    runs: list[list[Node]] = []
    for cand in cands:
        if runs and cand.order == runs[-1][-1].order + 1:
            runs[-1].append(cand)
        else:
            runs.append([cand])
    cands.clear()
    for run in runs:
        first = run[0].order
        for cand in run:
            cand.order = first
        cands.extend(sorted(run, key=lambda n: 0 if n.when else 1))


# ---------------------------------------------------------------- errors

def _located(exc: Exception, fld: Field | None, node: Node, record: Any, syntax: str) -> TranslationError:
    where = fld.where if fld is not None else node.where
    if syntax in ("x12", "edifact"):
        location = f"segment {getattr(record, 'position', '?')} {getattr(record, 'tag', '')}"
        if fld is not None and fld.positions:
            position = exc.position if isinstance(exc, ElementError) else fld.positions[0]
            location += f" element {getattr(record, 'tag', '')}{position:02d}"
    elif syntax == "csv":
        location = f"row {record.get('__row__', '?')}" if isinstance(record, Mapping) else "row ?"
        if fld is not None:
            # a column the header does not name at all: the partner changed its export (or the profile is wrong)
            gone = bool(fld.address) and isinstance(record, Mapping) and not str(fld.address).isdigit() \
                and str(fld.address) not in record
            location += f" column {fld.address} ({fld.path}{'; the file has no such column' if gone else ''})" \
                if fld.address else f" ({fld.path})"
    else:
        location = f"XPath {node.select}"
        if fld is not None and fld.address:
            location += f"/{fld.address}"
        line = getattr(record, "sourceline", None)
        if line:
            location += f" (line {line})"
    return TranslationError(str(exc), location=location, profile=fmt_where(where))


def _apply(node: Node, record: Any, parent: dict[str, Any], syntax: str) -> dict[str, Any]:
    """Map one record into `parent` (or into a new item of `parent[each]`); return the target."""
    target = parent
    if node.simple_each is not None:            # the common case: a new dict in a plain list
        items = parent.get(node.simple_each)
        if items is None:
            items = parent[node.simple_each] = []
        target = {}
        items.append(target)
        fast = node.fast_fill
        if fast is not None:
            try:
                fast(record, target)
                return target
            except Exception:  # noqa: BLE001, S110 - re-run field by field: that path names the field at fault
                pass
        _fill(node, record, target, syntax)
        return target
    if node.each_set is not None and node.each_get is not None:      # set together from `each:`
        items = node.each_get(parent)
        if items is None:
            items = []
            node.each_set(parent, items)
        if node.value is not None:
            try:
                value = node.value.read(record)
            except (ValueError, Missing) as exc:
                raise _located(exc, node.value, node, record, syntax) from None
            if isinstance(value, list):          # repeat: every repetition of a composite
                items.extend(value)
            elif value is not None:
                items.append(value)
            return parent
        if node.key is not None and items:
            probe: dict[str, Any] = {}
            _fill(node, record, probe, syntax)
            key = node.key(probe)
            # any earlier item with the key, not only the last: a 3PL's rows sorted by item put an order's
            # rows apart, and each run made an order of its own
            same: dict[str, Any] | None = next(
                (item for item in reversed(items) if key is not None and node.key(item) == key), None)
            if same is not None:
                return same
            items.append(probe)
            return probe
        target = {}
        items.append(target)
    _fill(node, record, target, syntax)
    return target


def _generate(node: Node, label: str, syntax: str) -> None:
    """Python source for a segment node, compiled once: `fast_fill(seg, target)` reads all its
    fields, and `apply(seg, parent)` also makes the item it maps to (`each:`) -- one call per segment.

    Why generated: a segment's fields are read by straight-line code (element reads, code lists,
    numbers inlined; other fields call their closures) instead of a loop of calls per field.
    Any error makes `apply` re-run the field-by-field path, which locates it precisely.
    """
    env: dict[str, Any] = {"Decimal": Decimal}
    body = [f"el = seg[{FIELDS}]", "n = len(el)"]     # seg.fields without its property call
    for k, fld in enumerate(node.fields_in):
        body += _field_source(fld, f"f{k}", env)
    body = _unchecked_variant(body)
    # fill is for the generic path (_apply: value:, key:, nested:, a dotted each:); apply does its own
    fill = ["def fill(seg, target):"] + ["    " + line for line in body]
    env["slow"] = lambda seg, target: _fill_fields(node, seg, target, syntax)
    if node.nested is not None:
        apply = []                                  # read_segments numbers nested items itself
    elif node.simple_each is not None or node.each is None:
        fill = []
        head = ["def apply(seg, parent):"]
        if node.simple_each is not None:
            head += [f"    items = parent.get({node.simple_each!r})", "    if items is None:",
                     f"        items = parent[{node.simple_each!r}] = []", "    target = {}",
                     "    items.append(target)"]
        else:
            head += ["    target = parent"]
        apply = head + ["    try:"] + ["        " + line for line in body] + [
            "    except Exception:  # located by the field-by-field path", "        slow(seg, target)",
            "    return target"]
    else:
        env["generic"] = lambda seg, parent: _apply(node, seg, parent, syntax)
        apply = ["def apply(seg, parent):", "    return generic(seg, parent)"]
        each = node.each or ""
        if node.value is not None and node.key is None and "." not in each and not each.isdecimal():
            # `value:` a plain list of values (MSG notes): one value per segment, appended
            apply = ["def apply(seg, parent):", f"    items = parent.get({each!r})", "    if items is None:",
                     f"        items = parent[{each!r}] = []", "    try:", f"        el = seg[{FIELDS}]",
                     "        n = len(el)"] + _indent(_value_source(node.value, "value", env), 2) + [
                     "    except Exception:  # located by the generic path", "        return generic(seg, parent)",
                     "    if isinstance(v, list):", "        items.extend(v)",      # repeat: every repetition
                     "    elif v is not None:", "        items.append(v)", "    return parent"]
    test = []
    if node.when:
        # Node.matches without a call per condition: `(el[i] if n > i else '') in allowed and ...`
        conditions = []
        for k, (pos, comp, allowed) in enumerate(node.when_at):
            env[f"allowed{k}"] = allowed
            if comp:
                env[f"when{k}"] = seg_reader(pos, comp)
                conditions.append(f"when{k}(seg) in allowed{k}")
            else:
                conditions.append(f"(el[{pos}] if n > {pos} else '') in allowed{k}")
        test = ["def test(seg):", f"    el = seg[{FIELDS}]", "    n = len(el)", f"    return {' and '.join(conditions)}"]
    namespace: dict[str, Any] = dict(env)
    source = "\n".join(fill + apply + test)
    exec(_compiled(source, label), namespace)  # noqa: S102 - our own source
    node.fast_fill = namespace.get("fill")
    node.apply = namespace.get("apply")
    node.test = namespace.get("test")


@functools.lru_cache(maxsize=4096)
def _compiled(source: str, label: str) -> CodeType:
    """The code object of a node's generated source, kept per process: compiling is most of a profile's compile
    time, and every configuration load (start, SIGHUP reload, lint, each test) builds the same sources again.
    A code object is immutable; each node still runs it in a namespace of its own."""
    return compile(source, f"<profile node {label}>", "exec")


_CHECKED_READ = re.compile(r"el\[(\d+)\]\.strip\(\) if n > \1 else ''")


def _unchecked_variant(body: list[str]) -> list[str]:
    """`body` twice: when the segment has every element read, without a length check per read."""
    reads = [int(i) for line in body for i in _CHECKED_READ.findall(line)]
    if len(reads) < 2:
        return body
    head, rest = body[:2], body[2:]                 # el = seg[FIELDS]; n = len(el)
    unchecked = [_CHECKED_READ.sub(r"el[\1].strip()", line) for line in rest]
    return head + [f"if n > {max(reads)}:"] + _indent(unchecked, 1) + ["else:"] + _indent(rest, 1)


# qualifier/value pairs read without a loop (PO106/PO107 ... N103/N104): a loop costs more than the
# few pairs a segment usually carries; pairs after these are read by a loop
UNROLLED_PAIRS = 3


def _pair_source(i: int, qualifier: str) -> list[str]:
    """`pair:` -- the raw value of the first pair from element index `i` qualified `qualifier`, in `v`."""
    tests = [f"n > {j + 1} and el[{j}] == {qualifier!r} and el[{j + 1}]"
             for j in range(i, i + 2 * UNROLLED_PAIRS, 2)]
    lines = ["v = None"]
    for k, test in enumerate(tests):
        j = i + 2 * k
        lines += [f"{'if' if k == 0 else 'elif'} {test}:", f"    v = el[{j + 1}]"]
    rest = i + 2 * UNROLLED_PAIRS
    return lines + [f"elif n > {rest + 1}:", f"    for i in range({rest}, n - 1, 2):", f"        if el[i] == {qualifier!r} and el[i + 1]:",
                    "            v = el[i + 1]", "            break"]


def _pairs_source(i: int, stop: int | None, table: str) -> list[str]:
    """`pairs:` -- {mapped qualifier: value} of the pairs from element index `i` (value index < stop) in `r`."""
    def one(j: int, first: bool) -> list[str]:
        keep = ([f"    r[{table}.get(q, q)] = w.strip()"] if first else
                [f"    q = {table}.get(q, q)", "    if q not in r:", "        r[q] = w.strip()"])
        return [f"q = el[{j}]", f"w = el[{j + 1}]", "if q and w:"] + keep
    lines: list[str] = []
    depth = 0
    j = i
    while depth < UNROLLED_PAIRS and (stop is None or j + 1 < stop):
        lines += _indent([f"if n > {j + 1}:"] + _indent(one(j, depth == 0), 1), depth)
        depth += 1
        j += 2
    if stop is None or j + 1 < stop:
        end = "n - 1" if stop is None else f"min({stop}, n) - 1"
        lines += _indent([f"for i in range({j}, {end}, 2):", "    q = el[i]", "    w = el[i + 1]", "    if q and w:",
                          f"        q = {table}.get(q, q)", "        if q not in r:", "            r[q] = w.strip()"],
                         depth)
    return ["r = {}"] + lines + ["v = r or None"]


def _field_source(fld: Field, name: str, env: dict[str, Any]) -> list[str]:
    """Lines that read one field and store its value into `target` (nothing when it has none)."""
    store = _store_source(fld, name, env)
    spec = fld.inline
    if spec is not None and spec[0] == "el":
        # the commonest field, stored where it is read: `v = el[i].strip()`, converted when not empty
        _, i, steps, default, required = spec
        lines = [f"v = el[{i}].strip() if n > {i} else ''", "if v:"] + _indent(_steps_source(steps, name, env) + store, 1)
        if required:
            env["Missing"] = Missing
            lines += ["else:", "    raise Missing()"]      # re-run field by field: that path words the error
        elif default is not None:
            env[f"default_{name}"] = default
            lines += ["else:", f"    v = default_{name}"] + _indent(store, 1)
        return lines
    return _value_source(fld, name, env) + ["if v is not None:"] + _indent(store, 1)


def _value_source(fld: Field, name: str, env: dict[str, Any]) -> list[str]:
    """Lines that leave the field's inbound value in `v` (None when absent), as `fld.read` returns it."""
    spec = fld.inline
    kind = spec[0] if spec is not None else "call"
    if spec is None or kind == "call":
        env[f"read_{name}"] = fld.read
        return [f"v = read_{name}(seg)"]
    if kind == "el":
        _, i, steps, default, required = spec
        lines = [f"v = el[{i}].strip() if n > {i} else ''", "if v:"]
        lines += _indent(_steps_source(steps, name, env) or ["pass"], 1) + ["else:"]
        if required:
            env["Missing"] = Missing
            lines += ["    raise Missing()"]         # re-run field by field: that path words the error
        else:
            env[f"default_{name}"] = default
            lines += [f"    v = default_{name}"]
        return lines
    if kind == "pair":
        _, i, qualifier, steps = spec
        return (_pair_source(i, qualifier) + ["if v is not None:", "    v = v.strip()"]
                + _indent(_steps_source(steps, name, env), 1))
    if kind == "pairs":
        _, i, stop, table = spec
        env[f"table_{name}"] = table
        return _pairs_source(i, stop, f"table_{name}")
    _, alternatives, default, required = spec          # first: the first alternative that has a value
    lines = []
    for j, alt in enumerate(alternatives):
        alt_lines = _value_source(alt, f"{name}_{j}", env)
        lines += alt_lines if j == 0 else ["if v is None:"] + _indent(alt_lines, 1)
    if required:
        env["Missing"] = Missing
        lines += ["if v is None:", "    raise Missing()"]
    elif default is not None:
        env[f"default_{name}"] = default
        lines += ["if v is None:", f"    v = default_{name}"]
    return lines


def _steps_source(steps: tuple[Any, ...], name: str, env: dict[str, Any]) -> list[str]:
    """The inbound conversions of a non-empty raw value `v`, in order (see fields._converters)."""
    lines = []
    for j, (kind, data, function) in enumerate(steps):
        if kind == "upper":
            lines.append("v = v.upper()")
        elif kind == "codes":
            env[f"codes_{name}_{j}"] = data
            lines.append(f"v = codes_{name}_{j}.get(v, v)")
        elif kind == "decimal":                     # values.number_in, no implied decimals
            if data == "either":
                lines += ["if ',' in v:", "    v = v.replace(',', '.')"]
            lines.append("v = Decimal(v)")
        elif kind == "int":
            lines.append("v = int(v)")
        elif kind == "date8":                       # values.date_in's CCYYMMDD case; any other: the call
            env[f"convert_{name}_{j}"] = function
            lines += [("if len(v) == 8 and v.isdecimal() and v.isascii() and '01' <= (m := v[4:6]) <= '12' "
                       "and '01' <= (d := v[6:8]) <= '31':"), "    v = f'{v[0:4]}-{m}-{d}'", "else:",
                      f"    v = convert_{name}_{j}(v)"]
        else:
            env[f"convert_{name}_{j}"] = function
            lines.append(f"v = convert_{name}_{j}(v)")
    return lines


def _store_source(fld: Field, name: str, env: dict[str, Any]) -> list[str]:
    """`target[...] = v` as `fld.set` does it (fields.make_setter), inlined for one or two plain keys."""
    keys: list[str | int] = [int(k) if k.isdecimal() else k for k in fld.path.split(".")]
    if fld.path.startswith("_") and fld.path != "_":
        return ["pass"]                             # write-only (`_name`): read, never kept
    if fld.bulk and len(keys) > 1 or isinstance(keys[0], int):
        env[f"set_{name}"] = fld.set
        return [f"set_{name}(target, v)"]
    if fld.bulk:                                    # pairs / repeat: merged into a dict / list already there
        return [f"c = target.get({keys[0]!r})", "if isinstance(c, dict):", "    for kk, vv in v.items():",
                "        c.setdefault(kk, vv)", "elif isinstance(c, list) and isinstance(v, list):", "    c.extend(v)",
                "else:", f"    target[{keys[0]!r}] = v"]
    lines, node = [], "target"
    for level, (key, nxt) in enumerate(itertools.pairwise(keys)):   # down to the last container
        new, child = ("[]" if isinstance(nxt, int) else "{}"), f"c{level}"
        if isinstance(key, int):
            lines += [f"while len({node}) <= {key}:", f"    {node}.append({new})", f"{child} = {node}[{key}]"]
        else:
            lines += [f"{child} = {node}.get({key!r})", f"if {child} is None:", f"    {child} = {node}[{key!r}] = {new}"]
        node = child
    last = keys[-1]
    if isinstance(last, int):
        lines += [f"while len({node}) <= {last}:", f"    {node}.append(None)"]
    return lines + [f"{node}[{last!r}] = v"]


def _indent(lines: list[str], levels: int) -> list[str]:
    return ["    " * levels + line for line in lines]


def _fill(node: Node, record: Any, target: dict[str, Any], syntax: str) -> None:
    fast = node.fast_fill
    if fast is not None:
        try:
            fast(record, target)
            return
        except Exception:  # noqa: BLE001, S110 - re-run field by field: that path names the field at fault
            pass
    _fill_fields(node, record, target, syntax)


def _fill_fields(node: Node, record: Any, target: dict[str, Any], syntax: str) -> None:
    for fld in node.fields_in:
        try:
            value = fld.read(record)
        except (ValueError, Missing) as exc:
            raise _located(exc, fld, node, record, syntax) from None
        except Exception as exc:  # noqa: BLE001 - a profile function failed: still located
            raise _located(ValueError(f"{type(exc).__name__}: {exc}"), fld, node, record, syntax) from None
        if value is not None:
            fld.set(target, value)


# ---------------------------------------------------------------- inbound: segments

def read_segments(root: Node, segments: list[Any], syntax: str) -> dict[str, Any]:
    """One pass over a transaction's segments (ST..SE or UNH..UNT) into a canonical dict.

    Each open level is a frame [node, target, order of the last node matched there]. A
    segment goes to the innermost level that maps its tag; among a level's candidates the
    first one at or after the last matched position wins (X12 / EDIFACT segments come in
    the order of the standard), so the same tag may be mapped at several places.
    """
    doc: dict[str, Any] = {}
    stack: list[list[Any]] = [[root, doc, -1]]
    top = 0                                   # len(stack) - 1
    plans = root.plans                        # the innermost level's
    hl_frames: dict[str, tuple[int, list[Any]]] = {}
    numbered: dict[tuple[int, str], dict[str, Any]] = {}     # nested: nodes' items by their number
    body = segments
    if body and body[0].tag in ("ST", "UNH"):
        body = body[1:-1] if body[-1].tag in ("SE", "UNT") else body[1:]
    # the hot loop of inbound translation: most segments take the plan's fixed node (no search),
    # so this is kept to a few operations per segment; _choose does the rest
    for seg in body:
        tag = seg[FIELDS][0]                  # (seg.tag, seg.fields: a property call each)
        plan = plans.get(tag)
        if plan is None:
            continue                          # a segment no open level maps
        apply, depth, opens, order, node, test, _, _ = plan
        if apply is None or test is not None and not test(seg):
            node, depth = _choose(plan, stack, seg, hl_frames)
            if node is None:
                continue                      # a segment the profile does not map here
            apply, opens, order = node.apply, bool(node.children), node.order
        if depth != top:
            del stack[depth + 1:]
            top = depth
            plans = stack[depth][0].plans
        frame = stack[depth]
        frame[2] = order
        if apply is not None:
            target = apply(seg, frame[1])
        else:
            assert node is not None
            target = _apply_nested(node, seg, frame[1], syntax, numbered)
        if opens:
            assert node is not None           # a plan with an apply names its node
            new_frame = [node, target, -1]
            stack.append(new_frame)
            top += 1
            plans = node.plans
            if tag == "HL":
                hl_frames[seg.get(1)] = (top, new_frame)
    return doc


def _choose(plan: Plan, stack: list[list[Any]], seg: Any, hl_frames: dict[str, tuple[int, list[Any]]]
            ) -> tuple[Node | None, int]:
    """The node for `seg` and the level it goes to when its plan leaves a choice (`when:`, HL, order)."""
    depth = len(stack) - 1
    if seg.tag == "HL":                   # an HL goes under the level its HL02 names when that is open
        parent = hl_frames.get(seg.get(2))
        if parent is not None and parent[0] < len(stack) and stack[parent[0]] is parent[1]:
            depth = parent[0]
            for cand in stack[depth][0].dispatch.get("HL", ()):
                if cand.matches(seg):
                    return cand, depth
            if depth < len(stack) - 1:
                return _search(stack, depth, seg.tag, seg)
    _, _, _, _, _, _, own, up = plan
    if own is not None:
        floor = stack[-1][2]
        for cand in own:
            if cand.order >= floor and (not cand.when or cand.matches(seg)):
                return cand, len(stack) - 1
        found = _pick(own, seg, -1)
        if found is not None:
            return found, len(stack) - 1
    for depth, cand in up:
        if not cand.when or cand.matches(seg):
            return cand, depth
    return None, -1


def _search(stack: list[list[Any]], depth: int, tag: str, seg: Any) -> tuple[Node | None, int]:
    """The node for `seg` from open level `depth` outwards (what Node.plans precompute for the innermost)."""
    while depth >= 0:
        cands = stack[depth][0].dispatch.get(tag)
        if cands is not None:
            if depth + 1 < len(stack):
                found = _pick(cands, seg, stack[depth + 1][0].order)
            else:
                found = _pick(cands, seg, stack[depth][2]) or _pick(cands, seg, -1)
            if found is not None:
                return found, depth
        depth -= 1
    return None, depth


def _apply_nested(node: Node, seg: Any, parent: dict[str, Any], syntax: str,
                  numbered: dict[tuple[int, str], dict[str, Any]]) -> dict[str, Any]:
    """A `nested:` node's record: under the item its parent number names (CPS02), else a new top item."""
    assert node.seq_raw is not None and node.parent_raw is not None and node.nested is not None
    owner = numbered.get((id(node), node.parent_raw(seg).strip()))
    if owner is None:
        target = _apply(node, seg, parent, syntax)
    else:
        target = {}
        owner.setdefault(node.nested, []).append(target)
        _fill(node, seg, target, syntax)
    number = node.seq_raw(seg).strip()
    if number:
        numbered[(id(node), number)] = target
    return target


def _pick(cands: Iterable[Node], seg: Any, floor: int) -> Node | None:
    for cand in cands:
        if cand.order >= floor and cand.matches(seg):
            return cand
    return None


# ---------------------------------------------------------------- inbound: CSV rows and XML

def read_rows(root: Node, rows: list[dict[str, str]], row_numbers: list[int]) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    numbered = []
    for i, row in enumerate(rows):
        rec = dict(row)
        rec["__row__"] = str(row_numbers[i]) if i < len(row_numbers) else str(i + 1)
        numbered.append(rec)
    _read_rows(root, numbered, doc)
    return doc


def _read_rows(node: Node, rows: list[dict[str, str]], target: dict[str, Any]) -> None:
    for child in node.children:
        if child.select == "first":
            if rows:
                inner = _apply(child, rows[0], target, "csv")
                _read_rows(child, rows[:1], inner)
                _rows_agree(child, rows, inner)
        else:
            for row in rows:
                inner = _apply(child, row, target, "csv")
                _read_rows(child, [row], inner)


def _rows_agree(node: Node, rows: list[dict[str, str]], target: dict[str, Any]) -> None:
    """A `rows: first` column (the order's date, its ship-to) that a later row of the document gives otherwise is
    refused: read from the first row only, the other lines would go to its address. Blank is agreeing (Shopify
    gives them on an order's first row only), and a column the first row leaves blank is the first later row's
    that gives it, set into `target` (that export sorted by item puts another line first). A field the node's
    `join_rows:` names has the document's values joined into `target` instead (a shipment's parcels' tracking
    numbers, one per row)."""
    for fld in node.fields_in:
        if not fld.address:
            continue
        if fld.path in node.join_rows:
            _join_rows(fld, node, rows, target)
            continue
        giver, first, said = rows[0], None, (rows[0].get(fld.address) or "").strip()
        for row in rows[1:]:
            other = (row.get(fld.address) or "").strip()
            if not other or other == said:
                continue
            try:                    # compared as read: the same day at another time of day is the same date
                if not said:        # blank in the rows before: this row's is the document's
                    giver, said, first = row, other, _read_or_none(fld, row)
                    if first is not None:
                        fld.set(target, first)
                    continue
                first = _read_or_none(fld, giver) if first is None else first
                if _read_or_none(fld, row) == first:
                    continue
            except ValueError as exc:
                raise _located(exc, fld, node, row, "csv") from None
            which = ", the document's first" if giver is rows[0] else ""
            raise _located(ValueError(f"{other!r} differs from {said!r} in row {giver['__row__']}{which}: rows of "
                                      "one document give it once (or give those rows their own document number)"),
                           fld, node, row, "csv")


def _join_rows(fld: Field, node: Node, rows: list[dict[str, str]], target: dict[str, Any]) -> None:
    """The different values of `fld` in the document's rows, in row order, joined with the node's `join_rows:`."""
    found: list[str] = []
    for row in rows:
        try:
            value = _read_or_none(fld, row)
        except ValueError as exc:
            raise _located(exc, fld, node, row, "csv") from None
        if value is not None and str(value) not in found:
            found.append(str(value))
    if len(found) > 1:
        fld.set(target, node.join_rows[fld.path].join(found))


def _read_or_none(fld: Field, row: dict[str, str]) -> Any:
    try:
        return fld.read(row)
    except Missing:
        return None


def read_xml(root: Node, tree: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    currencies: list[tuple[str, Field, Node, Any]] = []
    _read_xml(root, tree, doc, currencies)
    _check_currencies(doc, currencies)
    return doc


def _read_xml(node: Node, element: Any, target: dict[str, Any],
              currencies: list[tuple[str, Field, Node, Any]]) -> None:
    for child in node.children:
        found = child.xpath(element)
        if not isinstance(found, list):
            continue
        if child.each is None:
            found = found[:1]
        for match in found:
            inner = _apply(child, match, target, "xml")
            for fld in child.fields_in:
                if fld.doc_value == "currency" and fld.raw is not None:
                    sent = fld.raw(match).strip()
                    if sent:
                        currencies.append((sent, fld, child, match))
            _read_xml(child, match, inner, currencies)


def _check_currencies(doc: dict[str, Any], currencies: list[tuple[str, Field, Node, Any]]) -> None:
    """An amount in another currency than the document's (cXML Money/@currency, UBL @currencyID where
    outbound writes the document currency) is refused: it would be read as an amount in the document's."""
    currency = str(doc.get("currency") or "").strip()
    if not currency:
        return
    for sent, fld, node, match in currencies:
        if sent.upper() != currency.upper():
            raise _located(ValueError(f"amount in {sent}, but the document's currency is {currency}: amounts "
                                      f"are not converted; expected {currency} here"), fld, node, match, "xml")


# ---------------------------------------------------------------- outbound

def _items(node: Node, context: Any) -> list[Any]:
    if node.read_only:
        return []
    if node.each_get is None:
        items = [context]
    else:
        got = node.each_get(context)
        items = list(got) if got else []
    if node.consts:
        items = [it for it in items if all(get(it) == value for get, value in node.consts)]
    for consts in node.claimed:
        items = [it for it in items if not all(get(it) == value for get, value in consts)]
    return items


@dataclass(slots=True)
class SegmentWriter:
    """Emits `(tag, {position: value})` for a canonical dict; counts segments for CTT / CNT fields."""

    root: Node
    syntax: str
    now: Any = None                              # render time, for `now:` fields (BSN04, BIA04 ...)
    decimal: str = "."                           # the partner's decimal mark for number fields (EDIFACT UNA)
    out: list[OutSegment] = field(default_factory=list)
    counts: dict[str, Any] = field(default_factory=dict)
    hl_counter: int = 0

    def write(self, doc: Mapping[str, Any]) -> list[OutSegment]:
        self.counts["__now__"] = self.now
        self.counts["__decimal__"] = self.decimal
        self.counts["__doc__"] = doc
        for child in self.root.children:
            self._emit(child, doc, "")
        return self.out

    def _emit(self, node: Node, context: Any, hl_parent: str, items: list[Any] | None = None) -> None:
        for item in _items(node, context) if items is None else items:
            try:
                if node.kind == "hl":
                    self._emit_hl(node, item, hl_parent)
                    continue
                elements: dict[int, Any] = {}
                for put, raw in node.when_out:
                    put(elements, raw)
                data = False
                if node.value is not None:      # a plain value: the node's fields write defaults beside it (FTX 4451)
                    item = {"_": item}
                    data = node.value.write(item, elements, self.counts)
                for fld in node.fields_out:
                    try:
                        data = fld.write(item, elements, self.counts) or data
                    except (ValueError, TypeError) as exc:
                        where = f"{node.tag}{fld.positions[0]:02d}" if fld.positions else node.tag
                        raise TranslationError(f"{fld.path}: {exc}", location=f"{where} ({node.name})",
                                               profile=fmt_where(fld.where)) from None
                if not data and not node.always:
                    if node.kind == "loop" and node.children:
                        self._emit_group_of_children(node, item, hl_parent, elements)
                    continue
                self.out.append((node.tag, elements))
                self.counts[node.tag] = self.counts.get(node.tag, 0) + 1
            except (ValueError, TypeError) as exc:
                raise TranslationError(str(exc), location=f"{node.tag} ({node.name})",
                                       profile=fmt_where(node.where)) from None
            for child in node.children:
                self._emit(child, item, hl_parent)
            if node.nested_get is not None:
                self._emit_nested(node, item, hl_parent)

    def _emit_group_of_children(self, node: Node, item: Any, hl_parent: str, elements: dict[int, Any]) -> None:
        """A loop whose first segment has nothing of its own (a DESADV PAC with only its default count) but whose
        children have something to say (the package's SSCC in PCI/GIN, its weight): the group's first segment is
        written for them, since they cannot stand outside their group; with no child written, nothing is."""
        start = len(self.out)
        self.counts[node.tag] = self.counts.get(node.tag, 0) + 1
        for child in node.children:
            self._emit(child, item, hl_parent)
        if len(self.out) > start:
            self.out.insert(start, (node.tag, elements))
        else:
            self.counts[node.tag] -= 1

    def _emit_nested(self, node: Node, item: Any, hl_parent: str) -> None:
        """The item's own sub-items (a pallet's cartons) by the same node, their parent_seq = its number."""
        inner = node.nested_get(item) if node.nested_get is not None else None
        if not inner:
            return
        key = f"__parent__{node.tag}"
        outer = self.counts.get(key)
        self.counts[key] = self.counts.get(node.tag, 0)
        try:
            self._emit(node, item, hl_parent, list(inner))
        finally:
            self.counts[key] = outer

    def _emit_hl(self, node: Node, item: Any, hl_parent: str) -> None:
        self.hl_counter += 1
        my_id = str(self.hl_counter)
        elements: dict[int, Any] = {1: my_id}
        if hl_parent:
            elements[2] = hl_parent
        for put, raw in node.when_out:
            put(elements, raw)
        for fld in node.fields_out:
            fld.write(item, elements, self.counts)
        self.out.append(("HL", elements))
        self.counts["HL"] = self.counts.get("HL", 0) + 1
        before = self.hl_counter
        for child in node.children:
            self._emit(child, item, my_id)
        elements[4] = "1" if self.hl_counter > before else "0"


def write_rows(root: Node, doc: Mapping[str, Any], decimal: str = ".") -> list[dict[str, str]]:
    """CSV rows: one per innermost `rows: each` item, carrying the fields of every level above it.

    `decimal` is the partner's decimal mark, used for canonical number fields only."""
    rows: list[dict[str, str]] = []
    _write_rows(root, doc, {}, rows, {"__decimal__": decimal, "__doc__": doc})
    return rows


def _write_rows(node: Node, context: Any, row: dict[str, str], rows: list[dict[str, str]],
                counts: dict[str, Any]) -> None:
    header = dict(row)
    each_children = []
    for child in node.children:
        if child.select == "first":
            for item in _items(child, context):
                for fld in child.fields_out:
                    fld.write(item, header, counts)
                if child.children:
                    _write_rows(child, item, header, rows, counts)
        else:
            each_children.append(child)
    if not each_children:
        if node.kind == "root" or node.select == "each":
            rows.append(header)
        return
    for child in each_children:
        for item in _items(child, context):
            line = dict(header)
            for fld in child.fields_out:
                fld.write(item, line, counts)
            _write_rows(child, item, line, rows, counts)


def write_xml(root: Node, doc: Mapping[str, Any], root_element: Any, now: Any = None) -> Any:
    _write_xml(root, doc, root_element, {"__now__": now, "__doc__": doc})
    return root_element


def _write_xml(node: Node, context: Any, element: Any, counts: dict[str, Any]) -> None:
    from gateway.translate import xmltree
    for child in node.children:
        for item in _items(child, context):
            steps, _ = child.xml_steps
            target = xmltree.walk(element, steps, create_last=child.each is not None) if steps else element
            if child.value is not None:
                child.value.write({"_": item}, target, counts)
            for fld in child.fields_out:
                fld.write(item, target, counts)
            _write_xml(child, item, target, counts)
            # a group that had nothing to say (a ship-to known by a store number only) leaves no empty element, nor
            # the steps made for it: Peppol refuses one (R008); a group of no fields is a marker (cXML's Indicators)
            while (child.fields_out or child.children) and target is not element and _empty(target):
                parent = target.getparent()
                parent.remove(target)
                target = parent


def _empty(element: Any) -> bool:
    """An element with no children, attributes or text: written by a group none of whose fields had a value."""
    return len(element) == 0 and not element.attrib and not (element.text or "").strip()
