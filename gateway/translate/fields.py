"""Compiling one profile field (`canonical.path: spec`) into a reader and a writer closure.

A field joins a canonical path (`ids.gln`, `item_ids.buyer`, `totals.line_count`) to a
place in the partner's file (an element position, a CSV column, an XPath) with the
conversions between them. Everything is decided here, once per profile: reading a
document then only calls the closures.
"""

from __future__ import annotations

import builtins
import importlib
import importlib.util
import itertools
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from gateway.errors import ConfigError
from gateway.translate import values
from gateway.translate.yamlsrc import Where, YMap

FIELD_KEYS = frozenset({
    "at", "codes", "date", "time", "decimals", "number", "int", "default", "const", "required",
    "when", "pairs", "max", "count", "prefer", "first", "pair", "function", "function_out", "sscc", "strict",
    "upper", "strip_zeros", "now", "from", "if", "components", "only", "format_at", "seq", "parent_seq", "read_only",
    "repeat", "through", "all", "spans", "join", "width",
})


class Missing(Exception):
    """Raised by a reader when a required value is absent (the engine adds the location)."""


class ElementError(ValueError):
    """Raised by a reader of several elements (`repeat:`) naming the one at fault: the engine's location says
    that element (GIN04), not the first one read."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.position = position


@dataclass(slots=True)
class Context:
    """What compiling a field needs to know about its profile."""

    syntax: str                                 # x12, edifact, csv, xml
    codes: Mapping[str, Mapping[str, str]]
    codes_out: Mapping[str, Mapping[str, str]]
    # per code list, the canonical values whose written code the profile names with `_out` (see Field.own_keys)
    out_named: Mapping[str, frozenset[str]] = field(default_factory=dict)
    profile_dir: Path | None = None
    decimal_mark: str = "."
    namespaces: Mapping[str, str] = field(default_factory=dict)
    tag: str = ""                               # segment tag of the node (X12 / EDIFACT)
    used_codes: builtins.set[str] = field(default_factory=lambda: builtins.set())  # code lists fields name (lint)


@dataclass(slots=True)
class Field:
    """One compiled field. `read(record)` -> value or None; `write(item, out)` places the value."""

    path: str
    where: Where
    read: Callable[[Any], Any]
    write: Callable[[Mapping[str, Any], Any, dict[str, Any]], bool]
    bulk: bool = False            # pairs / repeat: merged into the dict / list there; read first, written last
    const: Any = None             # a constant the node's items must carry (outbound filter)
    positions: tuple[int, ...] = ()   # element positions read (lint)
    address: str = ""                 # the `at:` as written (CSV column, XPath) for messages
    set: Callable[[dict[str, Any], Any], None] = lambda t, v: None
    # what the engine's code generator needs to inline the inbound read (None: it calls `read`):
    # (index: the element's position, its place in Segment.fields)
    # ("el", index, steps, default, required)   a plain element, no component, no function
    # ("pair", index, qualifier, steps)         `pair:` over consecutive elements
    # ("pairs", index, stop index or None, code table)   `pairs:` without prefer: / components:
    # ("first", alternatives, default, required)
    # where steps are the inbound conversions, each (kind, data, function), see _converters
    inline: tuple[Any, ...] | None = None
    skip_keys: builtins.set[str] = field(default_factory=lambda: builtins.set())  # pairs: keys picks write
    # pairs: keys written with the code the profile's `_out` names, even where a pick (item_ids.buyer: {first:
    # [BP, IN]} in a base) would write them: a partner's `item_qualifiers: {CB: buyer, _out: {buyer: CB}}` is said once
    own_keys: frozenset[str] = frozenset()
    numbering: str = ""               # "seq" / "parent": the segment's own / its parent's number (nested:)
    raw: Callable[[Any], str] | None = None   # the raw value at `at:` (nested: reads CPS01 / CPS02)
    numeric: bool = False             # read as a number (number:, decimals:, int:): a CSV number column
    doc_value: str = ""               # `from: /currency`: the document value written here (checked inbound)
    span: int = 1                     # spans: how many components from `at:` on the value runs over (lint)


def load_function(ref: str, ctx: Context, where: Where) -> Callable[..., Any]:
    """`module:callable`; a module file next to the profile is preferred over an installed one."""
    module_name, _, attr = ref.partition(":")
    if not module_name or not attr:
        raise ConfigError(f"function {ref!r} must be written module:callable", where[0], where[1])
    try:
        local = ctx.profile_dir / f"{module_name}.py" if ctx.profile_dir else None
        if local is not None and local.is_file():
            key = f"_edi_profile_fn_{abs(hash(str(local)))}"
            module = sys.modules.get(key)
            if module is None:
                spec = importlib.util.spec_from_file_location(key, local)
                assert spec and spec.loader
                module = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(module)
                sys.modules[key] = module
        else:
            module = importlib.import_module(module_name)
        fn: object = getattr(module, attr)
    except Exception as exc:  # noqa: BLE001 - any import failure is a config error at this line
        raise ConfigError(f"cannot load function {ref!r}: {exc}", where[0], where[1]) from None
    if not callable(fn):
        raise ConfigError(f"{ref!r} is not callable", where[0], where[1])
    return fn


# ---------------------------------------------------------------- canonical side (dict paths)

def _path_keys(path: str) -> list[str | int]:
    return [int(p) if p.isdecimal() else p for p in path.split(".")]


def make_setter(path: str, merge: bool = False) -> Callable[[dict[str, Any], Any], None]:
    keys = _path_keys(path)
    if len(keys) == 1 and not merge:
        key = keys[0]

        def set_one(target: dict[str, Any], value: Any) -> None:
            target[key] = value  # type: ignore[index]  # an all-digit path keys by int, as deeper levels do
        return set_one

    if len(keys) == 2 and not merge and not any(isinstance(k, int) for k in keys):
        k0, k1 = str(keys[0]), str(keys[1])

        def set_two(target: dict[str, Any], value: Any) -> None:
            child = target.get(k0)
            if child is None:
                child = target[k0] = {}
            child[k1] = value
        return set_two

    def set_path(target: Any, value: Any) -> None:
        node = target
        for key, nxt in itertools.pairwise(keys):
            if isinstance(key, int):
                while len(node) <= key:
                    node.append({} if not isinstance(nxt, int) else [])
                node = node[key]
            else:
                child = node.get(key)
                if child is None:
                    child = [] if isinstance(nxt, int) else {}
                    node[key] = child
                node = child
        last = keys[-1]
        if isinstance(last, int):
            while len(node) <= last:
                node.append(None)
            node[last] = value
        elif merge and isinstance(node.get(last), dict):
            for k, v in value.items():
                node[last].setdefault(k, v)
        elif merge and isinstance(node.get(last), list) and isinstance(value, list):
            node[last].extend(value)            # repeat: PIA's serial numbers, then GIN's
        else:
            node[last] = value
    return set_path


def make_getter(path: str) -> Callable[[Mapping[str, Any]], Any]:
    keys = _path_keys(path)
    if len(keys) == 1:
        key = keys[0]
        return lambda item: item.get(key)  # type: ignore[arg-type]  # int key: as make_setter

    def get(item: Any) -> Any:
        node = item
        for key in keys:
            if node is None:
                return None
            if isinstance(key, int):
                node = node[key] if isinstance(node, list) and key < len(node) else None
            else:
                node = node.get(key) if isinstance(node, Mapping) else None
        return node
    return get


def _present(value: Any) -> bool:
    """What `if:` asks of a canonical value: there, and not empty (a line without store allocations has {})."""
    return value is not None and value != "" and value != {} and value != []


def _write_only(target: dict[str, Any], value: Any) -> None:
    return None


# ---------------------------------------------------------------- file side (addresses)

def parse_address(spec: Any, ctx: Context, where: Where) -> tuple[int, int]:
    """Element address of a segment syntax: 3, "3", "3.2", "BEG03", "NAD02.1" -> (element, component)."""
    text = str(spec).strip()
    if ctx.tag and text.upper().startswith(ctx.tag):
        text = text[len(ctx.tag):].lstrip("-_")
    text = text.replace("-", ".")
    elem, _, comp = text.partition(".")
    if not elem.isdecimal() or (comp and not comp.isdecimal()) or int(elem) < 1:
        raise ConfigError(f"{spec!r} is not an element address of {ctx.tag or 'the segment'} "
                          "(write 3, 3.2 or TAG03)", where[0], where[1])
    return int(elem), int(comp or 0)


def seg_reader(pos: int, comp: int) -> Callable[[Any], str]:
    i = pos
    if not comp:
        def get(seg: Any) -> str:
            fields = seg.fields
            return fields[i] if i < len(fields) else ""
        return get
    c = comp - 1

    def get_comp(seg: Any) -> str:
        fields = seg.fields
        if i >= len(fields):
            return ""
        parts = fields[i].split(seg.component_sep)
        return parts[c] if c < len(parts) else ""
    return get_comp


def seg_placer(pos: int, comp: int) -> Callable[[dict[int, Any], str], None]:
    """Outbound: put a raw value at an element (or component) position of the segment being built."""
    if not comp:
        def put(out: dict[int, Any], raw: str) -> None:
            out[pos] = raw
        return put

    def put_comp(out: dict[int, Any], raw: str) -> None:
        current = out.get(pos)
        parts = current if isinstance(current, dict) else {}
        parts[comp] = raw
        out[pos] = parts
    return put_comp


def xml_reader(expr: str, ctx: Context, where: Where) -> Callable[[Any], str]:
    from lxml import etree
    try:
        compiled = etree.XPath(expr, namespaces=dict(ctx.namespaces))
    except etree.XPathSyntaxError as exc:
        raise ConfigError(f"XPath {expr!r}: {exc}", where[0], where[1]) from None

    def get(node: Any) -> str:
        found = compiled(node)
        if isinstance(found, list):
            if not found:
                return ""
            found = found[0]
        if hasattr(found, "text") and not isinstance(found, str):
            return "".join(found.itertext())
        return "" if found is None else str(found)
    return get


# ---------------------------------------------------------------- conversions

Step = tuple[str, Any, Callable[[Any], Any]]


def _converters(spec: YMap, ctx: Context, where: Where
                ) -> tuple[list[Callable[[Any], Any]], list[Callable[[Any], Any]], list[Step]]:
    """(inbound chain, outbound chain, inbound steps) for the conversion keys of a field spec.

    The steps are the inbound chain described for the engine's code generator, which inlines
    the common ones: ("upper"), ("codes", table) not strict, ("decimal", mark) plain numbers,
    ("int"), ("date8") a CCYYMMDD date (else the converter is called); ("call") any other converter.
    """
    inbound: list[Callable[[Any], Any]] = []
    outbound: list[Callable[[Any], Any]] = []
    steps: list[Step] = []
    if spec.get("upper"):
        inbound.append(str.upper)
        steps.append(("upper", None, str.upper))
    if "codes" in spec:
        name = spec["codes"]
        table, table_out = _code_table(name, ctx, where)
        strict = bool(spec.get("strict"))

        def map_in(raw: str, table: Mapping[str, str] = table) -> str:
            found = table.get(raw)
            if found is None:
                if strict:
                    raise ValueError(f"code {raw!r} is not in code list {name!r}")
                return raw
            return found

        def map_out(value: Any, table_out: Mapping[str, str] = table_out) -> str:
            found = table_out.get(str(value))
            if found is None:
                if strict:
                    raise ValueError(f"{value!r} has no code in code list {name!r}")
                return str(value)
            return found
        inbound.append(map_in)
        steps.append(("call", None, map_in) if strict else ("codes", table, map_in))
        outbound.insert(0, map_out)
    for key, known, conv_in, conv_out in (("date", values.DATE_FORMATS, values.date_in, values.date_out),
                                          ("time", values.TIME_FORMATS, values.time_in, values.time_out)):
        if key in spec:
            fmt = str(spec[key])
            if fmt not in known:
                raise ConfigError(f"unknown {key} format {fmt!r} (known: {', '.join(known)})",
                                  where[0], where[1])
            inbound.append(conv_in(fmt))
            eight = key == "date" and values.DATE_FORMATS[fmt] in ("CCYYMMDD", "auto")
            steps.append(("date8" if eight else "call", None, inbound[-1]))
            outbound.insert(0, conv_out(fmt))
    implied = spec.get("decimals")
    if implied is not None and (not isinstance(implied, int) or implied < 0):
        raise ConfigError("decimals: must be a whole number of implied decimal places", where[0], where[1])
    if spec.get("number") or implied:
        mark = "either" if ctx.syntax == "edifact" and ctx.decimal_mark == "." else ctx.decimal_mark
        inbound.append(values.number_in(mark, implied))
        steps.append(("decimal", mark, inbound[-1]) if mark in (".", "either") and not implied
                     else ("call", None, inbound[-1]))
        outbound.insert(0, values.number_out(implied, ctx.decimal_mark))
    if spec.get("int"):
        inbound.append(values.int_in)
        steps.append(("int", None, values.int_in))
        outbound.insert(0, str)
    if spec.get("strip_zeros"):
        inbound.append(lambda raw: raw.lstrip("0") or "0")
        steps.append(("call", None, inbound[-1]))
    if spec.get("sscc"):
        inbound.append(values.sscc_in)
        steps.append(("call", None, values.sscc_in))
        outbound.insert(0, values.sscc_out)
    if "function_out" in spec:
        fn_out = load_function(str(spec["function_out"]), ctx, where)
        outbound.insert(0, fn_out)
    return inbound, outbound, steps


def _code_table(name: Any, ctx: Context, where: Where) -> tuple[Mapping[str, str], Mapping[str, str]]:
    if isinstance(name, Mapping):             # an inline code list
        table = {str(k): str(v) for k, v in name.items()}
        out: dict[str, str] = {}
        for k, v in table.items():
            out.setdefault(v, k)
        return table, out
    if name not in ctx.codes:
        raise ConfigError(f"code list {name!r} is not defined under codes:", where[0], where[1],
                          hint=f"defined: {', '.join(sorted(ctx.codes)) or 'none'}")
    ctx.used_codes.add(name)
    return ctx.codes[name], ctx.codes_out[name]


def _chain(fns: list[Callable[[Any], Any]]) -> Callable[[Any], Any] | None:
    if not fns:
        return None
    if len(fns) == 1:
        return fns[0]

    def run(value: Any) -> Any:
        for fn in fns:
            value = fn(value)
        return value
    return run


# ---------------------------------------------------------------- the field compiler

def compile_field(path: str, spec: Any, ctx: Context, where: Where) -> Field:
    """Compile `path: spec` of a node into a Field (see docs/profiles.md, "Fields")."""
    if not isinstance(spec, YMap):
        spec = YMap({"at": spec}, where=where)
    unknown = set(spec) - FIELD_KEYS
    if unknown:
        raise ConfigError(f"field {path!r}: unknown key(s) {', '.join(map(str, sorted(unknown, key=str)))}",
                          where[0], where[1], hint=f"known: {', '.join(sorted(FIELD_KEYS))}")
    setter = make_setter(path, merge="pairs" in spec)
    if path.startswith("_") and path != "_":
        setter = _write_only             # `_name`: computed outbound (a count), not kept inbound
    source = str(spec.get("from", path))
    getter = make_getter(source.lstrip("/"))                # from: write another canonical value here
    from_doc = source.startswith("/")                       # from: /currency -- a value of the whole document
    condition = make_getter(str(spec["if"])) if "if" in spec else None   # if: only when that value is present
    if condition is not None and not from_doc:
        plain_getter = getter

        def getter(item: Mapping[str, Any]) -> Any:
            return plain_getter(item) if _present(condition(item)) else None
    if "repeat" in spec or "through" in spec:
        return _compile_repeat(path, spec, ctx, where)
    if "first" in spec:
        return _compile_first(path, spec, ctx, where, setter, getter)
    if "pairs" in spec:
        return _compile_pairs(path, spec, ctx, where, setter, getter)
    if "pair" in spec:
        return _compile_pair(path, spec, ctx, where, setter, getter)
    if "format_at" in spec:
        return _compile_dtm(path, spec, ctx, where, setter, getter)
    if "spans" in spec or "join" in spec or "width" in spec:
        return _compile_spans(path, spec, ctx, where, setter, getter)
    conv_in, conv_out, steps = _converters(spec, ctx, where)
    if path in values.BARCODE_PATHS and "function" not in spec:
        conv_in.append(values.barcode_in)         # a GTIN a spreadsheet wrote as 6.14141E+11: refused
        steps.append(("call", None, values.barcode_in))
    convert_in = _chain(conv_in)
    convert_out = _chain(conv_out)
    function = load_function(str(spec["function"]), ctx, where) if "function" in spec else None
    default = spec.get("default")
    required = bool(spec.get("required"))
    count_tag = spec.get("count")
    seq_tag = spec.get("seq")                  # outbound: the 1-based number of the segment being written
    parent_tag = spec.get("parent_seq")        # outbound: the number of the enclosing one (nested: node)
    const = spec.get("const")
    now_format = spec.get("now")               # outbound: the render time when the document has no value
    now_formats = {"CCYYMMDD": "%Y%m%d", "YYMMDD": "%y%m%d", "HHMM": "%H%M", "HHMMSS": "%H%M%S",
                   "CCYY-MM-DD": "%Y-%m-%d", "CCYY-MM-DDTHH:MM:SS": "%Y-%m-%dT%H:%M:%S"}
    if now_format is not None and str(now_format) not in now_formats:
        raise ConfigError(f"now: is one of {', '.join(now_formats)} (got {now_format!r})", where[0], where[1])
    now_strf = now_formats.get(str(now_format))
    # a canonical number: written with the partner's decimal mark (EDIFACT UNA, CSV csv.decimal)
    numeric = bool(spec.get("number")) and not spec.get("decimals") and "function_out" not in spec

    if const is not None and "at" not in spec:
        # a constant: inbound sets it, outbound selects the items that carry it
        def read_const(record: Any) -> Any:
            return const

        def write_nothing(item: Mapping[str, Any], out: Any, counts: dict[str, Any]) -> bool:
            return False
        return Field(path, where, read_const, write_nothing, const=const, set=setter)

    if (seq_tag is not None or parent_tag is not None) and ("at" not in spec or ctx.syntax not in ("x12", "edifact")):
        raise ConfigError("seq: / parent_seq: number segments and need at: (CPS01 / CPS02)", where[0], where[1])
    if "at" not in spec and count_tag is None and now_format is None:
        raise ConfigError(f"field {path!r} says where nothing is (add at:, pairs:, first: or const:)",
                          where[0], where[1])
    raw_reader, placer, positions = _place(spec.get("at"), ctx, where, read_only=bool(spec.get("read_only")))

    def read(record: Any) -> Any:
        raw = raw_reader(record).strip() if raw_reader else ""
        if not raw:
            if required:
                raise Missing(f"{path} is required")
            return default
        value = convert_in(raw) if convert_in else raw
        if function is not None:
            value = function(value, record)      # the escape hatch: (converted value, segment/row/element)
        return value

    def write(item: Mapping[str, Any], out: Any, counts: dict[str, Any]) -> bool:
        if condition is not None and not _present(condition(item)):
            return False                          # not even a default or a count
        value = getter(counts.get("__doc__") or {}) if from_doc else getter(item)
        data = not from_doc                       # the document's currency alone does not make a record

        if value is None or value == "":
            if seq_tag is not None:
                value = counts.get(str(seq_tag), 0) + 1
            elif parent_tag is not None:
                value = counts.get(f"__parent__{parent_tag}")
                if value is None:
                    return False
            elif count_tag is not None:
                value = counts.get(str(count_tag), 0)
            elif now_strf is not None and counts.get("__now__") is not None:
                raw_now = counts["__now__"].strftime(now_strf)
                if placer is not None:
                    placer(out, raw_now)
                return False
            elif default is not None:
                value, data = default, False     # a default alone does not make a segment worth writing
            else:
                return False
        raw = convert_out(value) if convert_out else (value if isinstance(value, str) else _plain(value))
        if numeric:
            mark = counts.get("__decimal__")
            if mark is not None and mark != ".":
                raw = raw.replace(".", mark)
        if placer is not None and raw != "":
            placer(out, str(raw))
            return data
        return False
    inline = None
    if (ctx.syntax in ("x12", "edifact") and function is None and positions and spec.get("at") is not None
            and spec.get("time") != "auto"):        # time: auto may read no time from a date: not inlined
        pos, comp = parse_address(spec["at"], ctx, where)
        if not comp:
            inline = ("el", pos, tuple(steps), default, required)
    return Field(path, where, read, write, positions=positions, set=setter, address=str(spec.get("at", "")),
                 inline=inline, numbering="seq" if seq_tag is not None else "parent" if parent_tag is not None else "",
                 raw=raw_reader, numeric=bool(spec.get("number") or spec.get("decimals") or spec.get("int")),
                 doc_value=source.lstrip("/") if from_doc else "")


def _plain(value: Any) -> str:
    from decimal import Decimal
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _place(at: Any, ctx: Context, where: Where, read_only: bool = False
           ) -> tuple[Callable[[Any], str] | None, Any, tuple[int, ...]]:
    """(reader, placer, positions) for an `at:` address in this syntax; `read_only`: no placer, so an
    XML address may be any XPath (`@requestedDeliveryDate`, `cbc:ID[not(@schemeID)]`)."""
    if at is None:
        return None, None, ()
    if ctx.syntax in ("x12", "edifact"):
        pos, comp = parse_address(at, ctx, where)
        return seg_reader(pos, comp), None if read_only else seg_placer(pos, comp), (pos,)
    if ctx.syntax == "csv":
        column = str(at)

        def read_col(row: Mapping[str, str]) -> str:
            return row.get(column) or ""

        def put_col(out: dict[str, str], raw: str) -> None:
            out[column] = raw
        return read_col, None if read_only else put_col, ()
    expr = str(at)
    from gateway.translate import xmltree
    return xml_reader(expr, ctx, where), None if read_only else xmltree.placer(expr, ctx.namespaces, where), ()


def _compile_first(path: str, spec: YMap, ctx: Context, where: Where, setter: Any, getter: Any) -> Field:
    """`first: [alt, alt]`: inbound the first alternative that has a value; outbound the first one."""
    alternatives = spec["first"]
    if not isinstance(alternatives, list) or not alternatives:
        raise ConfigError(f"field {path!r}: first: needs a list of alternatives", where[0], where[1])
    compiled = [compile_field(path, alt, ctx, where) for alt in alternatives]
    required = bool(spec.get("required"))
    default = spec.get("default")

    def read(record: Any) -> Any:
        for alt in compiled:
            value = alt.read(record)
            if value is not None:
                return value
        if required:
            raise Missing(f"{path} is required (none of {len(compiled)} alternatives present)")
        return default
    positions = tuple(p for alt in compiled for p in alt.positions)
    inline = ("first", tuple(compiled), default, required) if ctx.syntax in ("x12", "edifact") else None
    return Field(path, where, read, compiled[0].write, positions=positions, set=setter, inline=inline)


def _pair_slots(out: dict[int, Any], start: int) -> int:
    pos = start
    while pos in out or pos + 1 in out:
        pos += 2
    return pos


def _compile_repeat(path: str, spec: YMap, ctx: Context, where: Where) -> Field:
    """`repeat: 5`: a composite repeated in the elements after `at:` (EDIFACT GIN's five C208, GIR's C206): read,
    the list of every value present. `through: 2`: the component of each that ends a range (C208's second 7402),
    counted out. `when: {2: BN}`: only the repetitions with that component (GIR's 7405). As a field, the list is
    added to one already there (several PIA with serial numbers, then GIN's). Written: one value at `at:`, so a
    list of them is one segment each."""
    if ctx.syntax not in ("x12", "edifact") or "at" not in spec:
        raise ConfigError("repeat: / through: read repeated X12 / EDIFACT elements from an at: address",
                          where[0], where[1])
    pos, comp = parse_address(spec["at"], ctx, where)
    repeat, through = spec.get("repeat", 1), spec.get("through")
    if not isinstance(repeat, int) or repeat < 1 or (through is not None and (not comp or not isinstance(through, int))):
        raise ConfigError("repeat: is a number of elements, through: a component number beside a component at: "
                          "(at: 2.1, through: 2)", where[0], where[1])
    conditions = spec.get("when") or {}
    plain = YMap({k: v for k, v in spec.items() if k not in ("repeat", "through", "when")}, where=spec.where)
    first = compile_field(path, plain, ctx, where)
    optional = YMap({k: v for k, v in plain.items() if k != "required"}, where=spec.where)
    starts = [first] + [compile_field(path, YMap({**optional, "at": f"{pos + k}.{comp}" if comp else pos + k},
                                                 where=spec.where), ctx, where) for k in range(1, repeat)]
    ends = [compile_field(path, YMap({**optional, "at": f"{pos + k}.{through}"}, where=spec.where), ctx, where)
            for k in range(repeat)] if through is not None else []
    tests = [[(seg_reader(pos + k, int(c)), {str(v) for v in (vs if isinstance(vs, list) else [vs])})
              for c, vs in conditions.items()] for k in range(repeat)]

    def read(record: Any) -> list[Any] | None:
        found: list[Any] = []
        for k, start in enumerate(starts):
            if any(get(record) not in allowed for get, allowed in tests[k]):
                continue
            value = start.read(record)
            end = ends[k].read(record) if ends else None
            if value is None:
                continue
            try:
                found += values.identity_range(str(value), str(end)) if end is not None else [value]
            except ValueError as exc:
                raise ElementError(str(exc), pos + k) from None
        return found or None
    return Field(path, where, read, first.write, bulk=True, positions=tuple(pos + k for k in range(repeat)),
                 set=make_setter(path, merge=True), address=str(spec["at"]))


def _compile_pair(path: str, spec: YMap, ctx: Context, where: Where, setter: Any, getter: Any) -> Field:
    """`pair: BP` (with `at:` the first qualifier position): the value of the qualifier/value pair qualified BP."""
    if ctx.syntax not in ("x12", "edifact"):
        raise ConfigError("pair: is for X12 / EDIFACT qualifier-value element pairs", where[0], where[1])
    qualifier = str(spec["pair"])
    start, _ = parse_address(spec.get("at", 1), ctx, where)
    conv_in, conv_out, steps = _converters(spec, ctx, where)
    convert_in, convert_out = _chain(conv_in), _chain(conv_out)
    first_i = start
    if "components" in spec:
        return _compile_composite_pair(path, spec, ctx, where, setter, getter, qualifier, start,
                                       convert_in, convert_out)
    if spec.get("all"):
        return _compile_every_pair(path, spec, where, setter, getter, qualifier, start, convert_in, convert_out)

    def read(seg: Any) -> Any:
        elements = seg.fields
        for i in range(first_i, len(elements) - 1, 2):
            if elements[i] == qualifier and elements[i + 1]:
                raw = elements[i + 1].strip()
                return convert_in(raw) if convert_in else raw
        return None

    def write(item: Mapping[str, Any], out: dict[int, Any], counts: dict[str, Any]) -> bool:
        value = getter(item)
        if value is None or value == "":
            return False
        pos = _pair_slots(out, start)
        out[pos] = qualifier
        out[pos + 1] = str(convert_out(value) if convert_out else value)
        return True
    return Field(path, where, read, write, positions=(start,), set=setter,
                 inline=("pair", first_i, qualifier, tuple(steps)))


def _compile_every_pair(path: str, spec: YMap, where: Where, setter: Any, getter: Any, qualifier: str, start: int,
                        convert_in: Any, convert_out: Any) -> Field:
    """`pair: SN, all: true`: the values of every pair qualified SN, a list (X12 LIN02/03 ... LIN30/31 may give
    fifteen serial numbers); written, each value of the list as a pair, unless `read_only`."""
    def read(seg: Any) -> list[Any] | None:
        elements = seg.fields
        found = [elements[i + 1].strip() for i in range(start, len(elements) - 1, 2)
                 if elements[i] == qualifier and elements[i + 1].strip()]
        return [convert_in(v) if convert_in else v for v in found] or None

    def write(item: Mapping[str, Any], out: dict[int, Any], counts: dict[str, Any]) -> bool:
        found = getter(item)
        if spec.get("read_only") or not found:
            return False
        for value in found if isinstance(found, list) else [found]:
            pos = _pair_slots(out, start)
            out[pos], out[pos + 1] = qualifier, str(convert_out(value) if convert_out else value)
        return True
    return Field(path, where, read, write, positions=(start,), set=setter)


def _compile_pairs(path: str, spec: YMap, ctx: Context, where: Where, setter: Any, getter: Any) -> Field:
    """`pairs: 6` reads PO106/PO107, PO108/PO109 ... into a dict keyed by the mapped qualifier."""
    if ctx.syntax not in ("x12", "edifact"):
        raise ConfigError("pairs: is for X12 / EDIFACT qualifier-value element pairs", where[0], where[1])
    start, _ = parse_address(spec["pairs"], ctx, where)
    limit = spec.get("max")
    if "codes" in spec:
        table, table_out = _code_table(spec["codes"], ctx, where)
    else:
        table, table_out = {}, {}
    own = ctx.out_named.get(spec["codes"], frozenset()) if isinstance(spec.get("codes"), str) else frozenset()
    if "components" in spec:
        return replace(_compile_composite_pairs(path, spec, ctx, where, setter, getter, start, table, table_out),
                       own_keys=own)
    prefer = [str(q) for q in spec.get("prefer", [])]
    rank = {q: i for i, q in enumerate(prefer)}
    first_i = start
    stop = None if limit is None else first_i + 2 * int(limit)

    def read(seg: Any) -> Any:
        elements = seg.fields
        end = len(elements) - 1 if stop is None else min(stop, len(elements)) - 1
        if rank:
            found = [(elements[i], elements[i + 1].strip()) for i in range(first_i, end, 2)
                     if elements[i] and elements[i + 1]]
            found.sort(key=lambda qv: rank.get(qv[0], len(rank)))
        else:
            found = [(elements[i], elements[i + 1]) for i in range(first_i, end, 2)]
        result: dict[str, str] = {}
        get = table.get
        for q, v in found:
            if q and v:
                key = get(q, q)
                if key not in result:
                    result[key] = v.strip()
        return result or None

    # outbound order: preferred qualifiers first, then the code list's order
    order = [table.get(q, q) for q in prefer] + [v for v in table.values()]

    skip: set[str] = set()          # filled by the node: keys an explicit pick writes (item_ids.buyer)

    def write(item: Mapping[str, Any], out: dict[int, Any], counts: dict[str, Any]) -> bool:
        ids = getter(item)
        if not ids:
            return False
        keys = [k for k in dict.fromkeys(order) if k in ids] + [k for k in ids if k not in order]
        n = 0
        for key in keys:
            qualifier = table_out.get(key) or (key if key.isupper() or key.isdecimal() else None)
            if qualifier is None or key in skip:
                continue
            pos = _pair_slots(out, start)
            out[pos], out[pos + 1] = qualifier, str(ids[key])
            n += 1
            if limit is not None and n >= int(limit):
                break
        return n > 0
    inline = None if rank else ("pairs", first_i, stop, table)
    return Field(path, where, read, write, bulk=True, positions=(start,), set=setter, skip_keys=skip,
                 inline=inline, own_keys=own)


# ---------------------------------------------------------------- EDIFACT composite id pairs

def _components(spec: YMap, ctx: Context, where: Where) -> tuple[int, int]:
    """`components: [value, qualifier]`: where value and qualifier sit inside each composite (C212: [1, 2])."""
    comps = spec["components"]
    if (ctx.syntax != "edifact" or not isinstance(comps, list) or len(comps) != 2
            or not all(isinstance(c, int) and c >= 1 for c in comps) or comps[0] == comps[1]):
        raise ConfigError("components: is [value component, qualifier component] of an EDIFACT composite, "
                          "e.g. [1, 2] for C212 or [1, 3] for C082", where[0], where[1])
    return int(comps[0]), int(comps[1])


def _split_pair(raw: str, sep: str, vi: int, qi: int) -> tuple[str, str]:
    parts = raw.split(sep)
    n = len(parts)
    return (parts[vi].strip() if vi < n else ""), (parts[qi].strip() if qi < n else "")


def _written(counts: dict[str, Any], item: Mapping[str, Any], path: str) -> builtins.set[str]:
    """Ids of `item` already written under `path` in this message: each id is written once (LIN03, then PIA)."""
    seen: dict[tuple[int, str], builtins.set[str]] = counts.setdefault("__ids_written__", {})
    return seen.setdefault((id(item), path), builtins.set())


def _free(out: dict[int, Any], pos: int) -> int:
    while pos in out:
        pos += 1
    return pos


def _compile_composite_pairs(path: str, spec: YMap, ctx: Context, where: Where, setter: Any, getter: Any,
                             start: int, table: Mapping[str, str], table_out: Mapping[str, str]) -> Field:
    """`pairs: 2, components: [1, 2]`: each element from PIA02 on is a composite id:type (7140:7143).

    Inbound the ids go into a dict keyed by the code-mapped qualifier (an empty qualifier is looked
    up as "" in the code list, else kept as "id"); outbound each id is written as a composite into
    the next free element, in code-list order, once per item and path (LIN03 first, PIA the rest).
    """
    vcomp, qcomp = _components(spec, ctx, where)
    vi, qi = vcomp - 1, qcomp - 1
    limit = int(spec.get("max", 99))
    first_i = start
    empty_key = table.get("", "id")
    order = list(dict.fromkeys(table.values()))
    only = [str(k) for k in spec["only"]] if "only" in spec else None
    if only is not None:
        order = [k for k in only]
    skip: set[str] = set()

    def read(seg: Any) -> Any:
        result: dict[str, str] = {}
        sep = seg.component_sep
        for raw in seg.fields[first_i:first_i + limit]:
            value, qualifier = _split_pair(raw, sep, vi, qi)
            if value:
                result.setdefault(table.get(qualifier, qualifier) if qualifier else empty_key, value)
        return result or None

    def write(item: Mapping[str, Any], out: dict[int, Any], counts: dict[str, Any]) -> bool:
        ids = getter(item)
        if not ids:
            return False
        done = _written(counts, item, path)
        n, pos = 0, start
        keys = [k for k in order if k in ids] + ([k for k in ids if k not in order] if only is None else [])
        for key in keys:
            qualifier = table_out.get(key)          # "" (the code list's untyped id): written without a type
            if qualifier is None:
                qualifier = key if key.isupper() or key.isdecimal() else None
            if qualifier is None or key in skip or key in done or ids[key] in (None, ""):
                continue
            pos = _free(out, pos)
            out[pos] = {vcomp: str(ids[key]), qcomp: qualifier} if qualifier else {vcomp: str(ids[key])}
            done.add(key)
            n += 1
            if n >= limit:
                break
        return n > 0
    return Field(path, where, read, write, bulk=True, positions=(start,), set=setter, skip_keys=skip)


def _compile_composite_pair(path: str, spec: YMap, ctx: Context, where: Where, setter: Any, getter: Any,
                            qualifier: str, start: int, convert_in: Any, convert_out: Any) -> Field:
    """`pair: IN, at: 2, components: [1, 2]`: the value of the first composite from PIA02 on typed IN."""
    vcomp, qcomp = _components(spec, ctx, where)
    vi, qi = vcomp - 1, qcomp - 1
    first_i = start
    parent, _, key = path.rpartition(".")

    def read(seg: Any) -> Any:
        sep = seg.component_sep
        for raw in seg.fields[first_i:]:
            value, q = _split_pair(raw, sep, vi, qi)
            if q == qualifier and value:
                return convert_in(value) if convert_in else value
        return None

    def write(item: Mapping[str, Any], out: dict[int, Any], counts: dict[str, Any]) -> bool:
        value = getter(item)
        if value is None or value == "":
            return False
        done = _written(counts, item, parent) if parent else builtins.set()
        if key in done:
            return False
        out[_free(out, start)] = {vcomp: str(convert_out(value) if convert_out else value), qcomp: qualifier}
        done.add(key)
        return True
    return Field(path, where, read, write, positions=(start,), set=setter)


_DTM_LENGTHS = {"102": 8, "101": 6, "203": 12, "204": 14, "718": 17, "616": 6}     # 2379: its 2380's length


def _compile_dtm(path: str, spec: YMap, ctx: Context, where: Where, setter: Any, getter: Any) -> Field:
    """`date: auto, format_at: 1.3`: an EDIFACT DTM C507 whose 2379 code says the format.

    Inbound the code picks the format (102, 203, 204, 101, 718: a range, its start); an empty or
    unknown code falls back to the value's length. Outbound the code is written with the value:
    203 with the time when the item has one (the `time` next to this date), else 102.
    """
    if ctx.syntax != "edifact" or "at" not in spec or spec.get("date") is None:
        raise ConfigError("format_at: is for an EDIFACT date field with at: and date: (DTM 1.2 / 1.3)",
                          where[0], where[1])
    read_value, put_value, positions = _place(spec["at"], ctx, where)
    read_code, put_code, _ = _place(spec["format_at"], ctx, where)
    assert read_value is not None and read_code is not None
    by_code = {code: values.date_in(code) for code in ("102", "203", "204", "101", "718", "616")}
    by_length = values.date_in("auto")
    required = bool(spec.get("required"))
    default = spec.get("default")
    keys = path.split(".")
    time_of = make_getter(".".join([*keys[:-1], "time"])) if keys[-1] == "date" else (lambda item: None)
    stamped = spec.get("now") is not None      # outbound: the render date (102) when the document has none
    if stamped and str(spec["now"]) != "CCYYMMDD":
        raise ConfigError("now: with format_at: writes the render date as CCYYMMDD (format 102)", where[0], where[1])

    def read(seg: Any) -> Any:
        raw = read_value(seg).strip()
        if not raw:
            if required:
                raise Missing(f"{path} is required")
            return default
        code = read_code(seg).strip()
        if len(raw) != _DTM_LENGTHS.get(code, len(raw)) and len(raw) in _DTM_LENGTHS.values():
            code = ""                  # 261129 sent as 102: the length tells, as for no code (not "no such day")
        return by_code.get(code, by_length)(raw)

    def write(item: Mapping[str, Any], out: Any, counts: dict[str, Any]) -> bool:
        value = getter(item)
        if value is None or value == "":
            stamp = counts.get("__now__") if stamped else None
            if stamp is not None:
                put_value(out, stamp.strftime("%Y%m%d"))
                put_code(out, "102")
            return False                          # (the render date alone does not make a segment worth writing)
        raw, code = values.date_time_out(value, time_of(item))
        put_value(out, raw)
        put_code(out, code)
        return True
    return Field(path, where, read, write, positions=positions, set=setter, address=str(spec["at"]))


# ---------------------------------------------------------------- text continued over components

SPAN_WIDTH = 35
"""EDIFACT an..35: the width of a party name (C080 3036), street (C059 3042) and D96A item description (7008)."""
SPAN_KEYS = frozenset({"at", "spans", "join", "width", "required", "default", "if", "read_only"})
JOINS = ("auto", " ", "", "lines")


def join_parts(parts: list[str], width: int, join: str) -> str:
    """One text from the components it was written over. `auto`: a part filled to `width` was cut there and
    runs on with nothing between (OBI's `...CESKA REPUBLI:KA S.R.O`); a shorter one ended at a word or a line, and
    a space follows it (`IMD+F++:::CORN CRISPIES:CASE`). `" "` / `""`: always that between parts."""
    text, between = "", ""
    for part in parts:
        if not part.strip():
            continue
        if text and between == " ":
            text = text.rstrip() + " " + part.lstrip()
        else:
            text += between + part
        between = join if join != "auto" else " " if len(part) < width else ""
    return text.strip()


def join_lines(parts: list[str], width: int) -> list[str]:
    """The lines written over the components (`join: lines`): a part filled to `width` goes on in the next, a
    shorter or empty one ends its line (`Test Street:Steet2` is two lines, a street cut at 35 one)."""
    lines, current = [], ""
    for part in parts:
        current += part
        if len(part) < width:
            if current.strip():
                lines.append(current.strip())
            current = ""
    if current.strip():
        lines.append(current.strip())
    return lines


def split_text(value: str, width: int, join: str) -> list[str]:
    """The parts `value` is written over, as `join_parts` reads them back: cut at `width` (auto, ""), or
    between words (" ", the space dropped; a word longer than `width` cut)."""
    if join != " ":
        return [value[i:i + width] for i in range(0, len(value), width)]
    parts, rest = [], value.strip()
    while len(rest) > width:
        cut = rest.rfind(" ", 1, width + 1)
        head, rest = (rest[:cut], rest[cut + 1:]) if cut > 0 else (rest[:width], rest[width:])
        parts.append(head.rstrip())
        rest = rest.lstrip()
    return parts + ([rest] if rest else [])


def _compile_spans(path: str, spec: YMap, ctx: Context, where: Where, setter: Any, getter: Any) -> Field:
    """`at: 4.1, spans: 5`: text continued over the next components of its element (NAD C080's five 3036, C059's
    four 3042, IMD's two 7008). Read: the parts joined (join_parts, or `join: lines` a list, join_lines); written:
    cut into parts of `width` over the components, and only what does not fit in all of them is lost."""
    count, width, join = spec.get("spans", 1), spec.get("width", SPAN_WIDTH), spec.get("join", "auto")
    if (ctx.syntax != "edifact" or "at" not in spec or not isinstance(count, int) or count < 1
            or not isinstance(width, int) or width < 1 or join not in JOINS):
        raise ConfigError("spans: N continues an EDIFACT component at: over the next ones (at: 4.1, spans: 5); "
                          f"width: the characters of each (default {SPAN_WIDTH}); join: one of auto, \" \", \"\", lines",
                          where[0], where[1])
    other = set(spec) - SPAN_KEYS
    if other:
        raise ConfigError(f"spans: is for text; {', '.join(sorted(map(str, other)))} cannot go with it",
                          where[0], where[1])
    pos, comp = parse_address(spec["at"], ctx, where)
    if not comp:
        raise ConfigError("spans: needs a component address (at: 4.1)", where[0], where[1])
    first, required, default = comp - 1, bool(spec.get("required")), spec.get("default")
    placers = [] if spec.get("read_only") else [seg_placer(pos, comp + k) for k in range(count)]

    def read(seg: Any) -> Any:
        fields = seg.fields
        parts = fields[pos].split(seg.component_sep)[first:first + count] if pos < len(fields) else []
        value: Any = join_lines(parts, width) if join == "lines" else join_parts(parts, width, join)
        if not value:
            if required:
                raise Missing(f"{path} is required")
            return default
        return value

    def write(item: Mapping[str, Any], out: dict[int, Any], counts: dict[str, Any]) -> bool:
        value, data = getter(item), True
        if value is None or value == "" or value == []:
            if default is None:
                return False
            value, data = default, False
        texts = [str(v) for v in value] if isinstance(value, list) else [str(value)]
        if join == "lines":
            parts = [p for text in texts for p in split_text(text.strip(), width, "auto")]
        else:
            parts = split_text(" ".join(texts).strip(), width, join)
        for put, part in zip(placers, parts, strict=False):
            put(out, part)
        return data and bool(parts) and bool(placers)
    return Field(path, where, read, write, positions=(pos,), set=setter, address=str(spec["at"]), span=count)
