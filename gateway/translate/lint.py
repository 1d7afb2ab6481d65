"""`lint_profiles(registry)`: problems in translation profiles, each at file:line.

Checks what compiling cannot: segments and element positions unknown to the declared
X12 version (when `gateway.formats.x12_defs` provides the definitions, else a built-in
table of the segments the base profiles use) or EDIFACT message and directory (element and
component positions too, from `gateway.formats.edifact_defs`), mappings that can never match (a node
shadowed by an earlier catch-all of the same tag, an `each:` list the document type
does not have), and canonical fields a document requires that no node maps.
"""

from __future__ import annotations

import difflib
import functools
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from gateway.config.loader import number_as_written
from gateway.errors import ConfigError, ConfigWarning
from gateway.translate import canonical
from gateway.translate.engine import Node
from gateway.translate.inbound import INBOUND_LISTS
from gateway.translate.profile import BASE_DIR, Profile, ProfileRegistry
from gateway.translate.yamlsrc import YMap, load_yaml, merge

# Segments (max element count) of the X12 transaction sets we ship profiles for, 004010 and 005010.
X12_SEGMENTS: dict[str, int] = {
    "BEG": 12, "CUR": 21, "REF": 4, "PER": 9, "TAX": 16, "FOB": 9, "CTP": 11, "SAC": 16, "ITD": 15,
    "DTM": 6, "TD1": 10, "TD5": 15, "TD3": 10, "TD4": 5, "N9": 7, "MSG": 3, "N1": 6, "N2": 2, "N3": 2,
    "N4": 7, "PO1": 25, "PID": 9, "PO4": 18, "SDQ": 23, "AMT": 3, "CTT": 7, "BAK": 12, "ACK": 29,
    "BSN": 7, "HL": 4, "LIN": 31, "SN1": 8, "PRF": 7, "MAN": 6, "PKG": 7, "PO3": 7, "BIG": 10, "IT1": 25,
    "TDS": 4, "CAD": 10, "ISS": 6, "TXI": 10, "BIA": 6, "QTY": 4, "SCH": 12, "LM": 2, "LQ": 2, "PAL": 23,
    "MEA": 10, "TD2": 2, "CTB": 7, "UIT": 3, "G53": 1, "IT3": 5, "SLN": 28, "SHH": 14, "FST": 10,
}
REQUIRED: dict[str, list[str]] = {
    "PurchaseOrder": ["number", "lines", "lines.quantity"],
    "PurchaseOrderAck": ["number", "po_number"],
    "ShipNotice": ["number", "orders", "orders.po_number"],
    "Invoice": ["number", "lines", "lines.quantity"],
    "InventoryAdvice": ["number", "lines", "lines.quantities"],
}


def _x12_defs() -> Any:
    """The X12 structure definitions (gateway/formats/x12_defs via x12_validate), when installed."""
    try:
        from gateway.formats import x12_validate
    except ImportError:
        return None
    return x12_validate


def _err(message: str, where: tuple[str, int], hint: str | None = None,
         kind: type[ConfigError] = ConfigError) -> ConfigError:
    return kind(message, where[0] or None, where[1] or None, hint=hint)


def _model_for(doc: str) -> type[BaseModel]:
    model: type[BaseModel] = getattr(canonical, doc)
    return model


def _list_model(model: type[BaseModel], name: str) -> type[BaseModel] | None | bool:
    """The item model of list field `name` of `model`; True for a list of plain values; None if absent."""
    info = model.model_fields.get(name)
    if info is None:
        return None
    args = getattr(info.annotation, "__args__", ())
    for arg in args:
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    return True


def _sub_model(model: type[BaseModel], name: str) -> type[BaseModel] | None:
    info = model.model_fields.get(name)
    if info is None:
        return None
    for arg in (info.annotation, *getattr(info.annotation, "__args__", ())):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    return None


def _check_paths(profile: Profile, node: Node, model: type[BaseModel] | None, problems: list[ConfigError],
                 mapped: set[str], prefix: str) -> None:
    item_model = model
    here = prefix
    if node.each is not None and node.each.startswith("_"):
        item_model = None                     # `each: _name`: a list the profile's hooks make and read back
    elif node.each is not None and model is not None:
        current: type[BaseModel] | None = model
        for part in node.each.split("."):
            if part.isdecimal() or current is None:
                continue                      # orders.0.packs: the first order's packs
            found = _list_model(current, part)
            if found is None:
                found = _sub_model(current, part)
            if found is None and node.read_only:
                found = INBOUND_LISTS.get((current, part))
            if found is None:
                problems.append(_err(f"each: {node.each!r}: {part!r} is not a field of {current.__name__}; "
                                     "this node can never map anything", node.where,
                                     hint=f"fields: {', '.join(current.model_fields)}"))
                current = None
                break
            mapped.add(f"{here}{part}")
            here = f"{here}{part}."
            current = found if isinstance(found, type) else None
        item_model = current
    for fld in node.fields_in:
        top = fld.path.split(".")[0]
        if top.startswith("_"):
            continue                        # write-only (computed / default) element
        parts = [p for p in fld.path.split(".") if not p.isdecimal()]
        for i in range(1, len(parts) + 1):
            mapped.add(here + ".".join(parts[:i]))
        if item_model is not None and top not in item_model.model_fields:
            problems.append(_err(f"{fld.path!r} is not a field of {item_model.__name__}", fld.where,
                                 hint=f"fields: {', '.join(item_model.model_fields)}"))
    for child in node.children:
        if item_model is None and node.each is not None and node.each.startswith("_") and child.each is not None \
                and not child.each.startswith("_"):     # a list the hooks hand back to the document (cXML orders'
            _check_paths(profile, child, model, problems, mapped, here)    # lines: the invoice's lines)
            continue
        _check_paths(profile, child, item_model, problems, mapped, here)


def _message_tags(nodes: list[Any]) -> set[str]:
    return {t for n in nodes for t in (_message_tags(n.children) if n.children else {n.tag})}


def _check_edifact_segments(profile: Profile, node: Node, problems: list[ConfigError]) -> None:
    """Segments the declared EDIFACT message/directory does not have, and element or component positions past
    a segment's (composite's) end, from the UN tables in gateway/formats/edifact_defs."""
    from gateway.formats import edifact_defs
    table = edifact_defs.message(profile.message, profile.version)
    directory = edifact_defs.directory_for(profile.message, profile.version)
    if directory is None:
        return                                # a directory we have no tables for: nothing to check against
    tags = _message_tags(table) if table is not None else None
    for child in node.walk():
        if not child.tag or child.kind == "root":
            continue
        if tags is not None and child.tag not in tags:
            problems.append(_err(f"{child.tag} is not part of the {profile.message} message ({profile.version}); "
                                 "this node can never match", child.where))
            continue
        refs = directory.segments.get(child.tag)
        if refs is None:
            continue                          # the directories hold the segments our validator checks, not all
        for fld in child.fields_in:
            for pos in fld.positions:
                if pos > len(refs):
                    problems.append(_err(f"{child.tag} element {pos} does not exist ({child.tag} has {len(refs)})",
                                         fld.where))
            head, _, component = fld.address.partition(".")
            if head.isdecimal() and component.isdecimal() and 0 < int(head) <= len(refs):
                ref = refs[int(head) - 1]
                parts = directory.composites.get(ref.ref) if ref.composite else None
                most = len(parts) if parts is not None else 1
                last = int(component) + fld.span - 1          # spans: the last component the value runs into
                if last > most:
                    gone = fld.address if fld.span == 1 else f"{head}.{last} (spans: {fld.span} from {fld.address})"
                    problems.append(_err(f"{child.tag} element {head} ({ref.ref}) has {most} component"
                                         f"{'s' if most != 1 else ''}; {gone} does not exist", fld.where))


def _check_segments(profile: Profile, node: Node, problems: list[ConfigError]) -> None:
    """Segments the declared X12 set/version does not have, element positions past a segment's end."""
    if profile.syntax == "edifact":
        _check_edifact_segments(profile, node, problems)
        return
    if profile.syntax != "x12":
        return
    defs = _x12_defs()
    dictionary = defs.dictionary().segments if defs is not None else None
    set_def = defs.set_definition(profile.message, profile.version) if defs is not None else None
    for child in node.walk():
        if not child.tag or child.kind == "root":
            continue
        if dictionary is not None:
            seg = dictionary.get(child.tag)
            max_el = seg["n"] if seg else None
        else:
            max_el = X12_SEGMENTS.get(child.tag)
        if max_el is None:
            problems.append(_err(f"{child.tag} is not an X12 segment", child.where))
            continue
        if set_def is not None and child.tag not in set_def.tags:
            problems.append(_err(f"{child.tag} is not part of the {profile.message} transaction set "
                                 f"({profile.version}); this node can never match", child.where))
        for fld in child.fields_in:
            for pos in fld.positions:
                if pos > max_el:
                    problems.append(_err(f"{child.tag}{pos:02d} does not exist ({child.tag} has {max_el} "
                                         "elements)", fld.where))


def _check_shadowing(node: Node, problems: list[ConfigError]) -> None:
    """Nodes of one tag placed one after the other (a run) where an earlier one takes every segment first."""
    for tag, cands in node.dispatch.items():
        runs: dict[int, list[Node]] = {}
        for cand in cands:
            runs.setdefault(cand.order, []).append(cand)
        for run in runs.values():
            catch_all = [c for c in run if not c.when]
            # a read-only node before one that writes is the pair that reads a segment one way and writes
            # it another (846 SCH: each read as a share of its QTY, written as a dated quantity's one SCH)
            shadowed = [c for c in catch_all[1:] if not (catch_all[0].read_only and not c.read_only)]
            if shadowed:
                problems.append(_err(f"{tag} node {shadowed[0].name!r} can never match: {catch_all[0].name!r} "
                                     f"(line {catch_all[0].where[1]}) takes every {tag} first", shadowed[0].where))
            seen: dict[str, Node] = {}
            for c in run:
                first = seen.get(c.when_text) if c.when else None
                if first is not None and not (first.read_only and not c.read_only):   # the same pair, qualified
                    problems.append(_err(f"{tag} node {c.name!r} ({c.when_text}) can never match: an earlier "
                                         "node has the same condition", c.where))
                seen.setdefault(c.when_text, c)
    for child in node.children:
        _check_shadowing(child, problems)


def _picked_pairs(fld: Any) -> list[str]:
    """The qualifiers a field picks one pair of (`pair: CB`, or each `pair:` of a `first:`)."""
    inline: tuple[Any, ...] = fld.inline or ()
    if inline[:1] == ("pair",):
        return [inline[2]]
    if inline[:1] == ("first",):
        return [q for alt in inline[1] for q in _picked_pairs(alt)]
    return []


def _yaml_picks(spec: Any) -> set[str]:
    """The qualifiers a field's YAML spec picks (`{pair: IN}`, or each `pair:` of a `first:`)."""
    if not isinstance(spec, YMap):
        return set()
    picked = {str(spec["pair"])} if "pair" in spec else set()
    alternatives = spec.get("first")
    for alt in alternatives if isinstance(alternatives, list) else []:
        picked |= _yaml_picks(alt)
    return picked


def _walk_picks(data: Any, found: dict[str, set[str]]) -> None:
    if isinstance(data, YMap):
        for key, value in data.items():
            if isinstance(value, YMap) and ("pair" in value or "first" in value):
                found.setdefault(str(key), set()).update(_yaml_picks(value))
            _walk_picks(value, found)
    elif isinstance(data, list):
        for item in data:
            _walk_picks(item, found)


@functools.cache
def _shipped_picks(name: str) -> dict[str, set[str]]:
    """Field path -> the qualifiers the shipped profile `name` picks for it anywhere (empty when none ships)."""
    path = BASE_DIR / f"{name}.yaml"
    found: dict[str, set[str]] = {}
    if path.is_file():
        _walk_picks(load_yaml(path), found)
    return found


def _check_picks_beside_pairs(profile: Profile, node: Node, problems: list[ConfigError]) -> None:
    """A workspace profile's pick of one qualified pair (`item_ids.buyer: {pair: CB, at: 6}`) beside the node's
    `pairs:` field, which already reads that pair under another key (CB is `buyer_catalog` in x12-common): the
    number is kept twice, and an 855, 856 or 810 sends it back twice, under the pick's code and the pair's.
    A pick the shipped profiles of its chain make themselves is not judged (a workspace copy of a base profile, the
    855/856/810 bases' IN pick for a vendor's documents). The 850/860 bases keep IN as `buyer_item` alone, so a
    partner whose item number is IN says so with a code list (Northwind's `{IN: buyer, BP: buyer_part}`, which its
    `{pair: IN}` then picks as the same key); `{pair: IN}` alone keeps the number twice and is warned about."""
    pairs = {f.path: f.inline for f in node.fields_in if f.inline and f.inline[0] == "pairs"}
    wheres = {f.path: f.where for f in node.fields_in}
    for fld in node.fields_in:
        head, _, key = fld.path.rpartition(".")
        if not head or not fld.where[0] or Path(fld.where[0]).parent == BASE_DIR:
            continue
        base_picks = {q for name in profile.chain for q in _shipped_picks(name).get(fld.path, ())}
        for qualifier in _picked_pairs(fld):
            found = pairs.get(head)
            if found is None or qualifier in base_picks:
                continue
            table = found[3]
            read_as = table.get(qualifier, qualifier)
            if read_as == key:
                continue
            listed = next((name for name, codes in profile.codes.items() if codes == table), "")
            problems.append(_err(
                f"{fld.path!r} picks the {qualifier} pair, which {head!r} ({Path(wheres[head][0]).name}:"
                f"{wheres[head][1]}) already reads as {read_as!r}: the number is kept twice, and what we send "
                "back (855, 856, 810) carries it twice", fld.where,
                hint=f"say it with a code list, not a pick: codes: {{{listed or 'LIST'}: {{{qualifier}: {key}}}}}",
                kind=ConfigWarning))
    for child in node.children:
        _check_picks_beside_pairs(profile, child, problems)


def lint_profile(profile: Profile) -> list[ConfigError]:
    problems: list[ConfigError] = []
    assert profile.root is not None
    model = _model_for(profile.document)
    mapped: set[str] = set()
    _check_paths(profile, profile.root, model, problems, mapped, "")
    _check_segments(profile, profile.root, problems)
    _check_shadowing(profile.root, problems)
    _check_picks_beside_pairs(profile, profile.root, problems)
    defaults = {str(k) for k in profile.defaults}
    raw_defaults = profile.data.get("defaults")
    # a `_name` default is no field but a value the profile's after_read hook takes out (a hook's setting)
    hooked = {k for k in defaults if k.startswith("_")} if "after_read" in profile.hooks else set()
    for key in sorted(defaults - set(model.model_fields) - hooked):
        where = raw_defaults.loc(key) if isinstance(raw_defaults, YMap) else profile.data.loc("defaults")
        close = difflib.get_close_matches(key, list(model.model_fields), n=1)
        problems.append(_err(f"defaults: {key!r} is not a field of {profile.document}", where,
                             hint=f"did you mean {close[0]!r}?" if close else
                             f"fields: {', '.join(model.model_fields)}"))
    for required in REQUIRED.get(profile.document, []):
        if required not in mapped and required not in defaults:
            problems.append(_err(f"{profile.document} needs {required!r} but no node maps it",
                                 profile.data.loc("structure")))
    return problems


def _shipped_lists(name: str) -> set[str]:
    """The code lists the shipped base file `name` defines (none when no base file has that name)."""
    path = BASE_DIR / f"{name}.yaml"
    codes = load_yaml(path).get("codes") if path.is_file() else None
    return set(map(str, codes)) if isinstance(codes, YMap) else set()


def _unused_code_lists(registry: ProfileRegistry, profiles: list[Profile]) -> list[ConfigError]:
    """Code lists that no field of any profile built on their file names: a misspelt list (`unitz:` for
    `units:`) is otherwise silently never applied. A shared file's list that only some of the profiles
    extending it use is fine; a file no compiled profile is built on is not judged, nor are the shipped
    base files' lists (offered to partner profiles, like `contact_qualifiers`), also in a workspace copy
    that overrides one."""
    used: dict[str, set[str]] = {}           # profile file (source name) -> lists its dependants' fields use
    users: dict[str, list[str]] = {}
    for profile in profiles:
        for source in profile.chain:
            used.setdefault(source, set()).update(profile.used_codes)
            users.setdefault(source, []).append(profile.name)
    problems = []
    for source in sorted(used.keys() - registry.base_names):
        codes = registry.sources[source].get("codes")
        if not isinstance(codes, YMap):
            continue
        offered = _shipped_lists(source)
        for name in map(str, codes):
            if name in used[source] or name in offered:
                continue
            close = difflib.get_close_matches(name, sorted(used[source]), n=1)
            said = f"; did you mean {close[0]!r}?" if close else ""
            named = ", ".join(users[source][:3]) + (" ..." if len(users[source]) > 3 else "")
            problems.append(_err(f"code list {name!r} is used by no field{said}", codes.loc(name),
                                 hint=None if close else f"no field of {named} names it"))
    return problems


ADDRESS_KEYS = frozenset({"at", "format_at", "pairs", "repeat", "through"})


def _lost(item: Any, address: bool) -> str | None:
    """The text of an int written with leading zeros, or of an address (`at: 2.10`, a `when:` key) that lost a
    trailing zero; a figure such as `default: 0.00` is the same number however written."""
    text = number_as_written(item)
    return text if text is not None and (address or not isinstance(item, float)) else None


def _numbers_in(node: Any, where: tuple[str, int], found: list[ConfigError], parent: Any = None) -> None:
    if isinstance(node, YMap):
        for key, value in node.items():
            here = node.loc(key)
            for item, role, address in ((key, "key", parent == "when"), (value, "value", key in ADDRESS_KEYS)):
                text = _lost(item, address)
                if text is not None:
                    found.append(_err(f"{role} {text} is read by YAML as the number {item}, not the code {text!r}",
                                      here, hint=f'write it in quotes: "{text}"'))
            _numbers_in(value, here, found, key)
    elif isinstance(node, list):
        for item in node:
            text = _lost(item, False)
            if text is not None:
                found.append(_err(f"{text} is read by YAML as the number {item}, not the code {text!r}", where,
                                  hint=f'write it in quotes: "{text}"'))
            _numbers_in(item, where, found, parent)


def _code_values(table: YMap, name: str, found: list[ConfigError]) -> None:
    for code, value in table.items():
        if code == "_out" and isinstance(value, YMap):
            _code_values(value, f"{name}._out", found)
        elif isinstance(value, (YMap, list, bool)):
            shown = "true" if value is True else "false" if value is False else str(_plain(value))
            found.append(_err(f"code list {name!r}: {code} maps to {shown}, not to one word", table.loc(code),
                              hint=f"write {{{code}: {_first_word(value)}}}"))


def _plain(value: Any) -> Any:
    if isinstance(value, YMap):
        return {k: _plain(v) for k, v in value.items()}
    return [_plain(v) for v in value] if isinstance(value, list) else value


def _first_word(value: Any) -> str:
    while isinstance(value, (YMap, list)) and value:
        value = next(iter(value)) if isinstance(value, YMap) else value[0]
    return "WORD" if isinstance(value, (bool, YMap, list)) else str(value)


def _code_lists_of_words(registry: ProfileRegistry) -> list[ConfigError]:
    """Code list entries whose canonical value is a list, a mapping or true/false (`{CB: [buyer]}`): the engine
    keys the value's text, "['buyer']", so the line's buyer item is never found and lint said ok."""
    found: list[ConfigError] = []
    for source in registry.sources.values():
        codes = source.get("codes")
        if not isinstance(codes, YMap) or not source.where[0] or Path(source.where[0]).parent == BASE_DIR:
            continue
        for name, table in codes.items():
            if isinstance(table, YMap):
                _code_values(table, str(name), found)
    return found


def _numbers_that_lost_digits(registry: ProfileRegistry) -> list[ConfigError]:
    """Unquoted codes with leading (or a decimal's trailing) zeros in the workspace's profiles; shipped ones
    are tested."""
    found: list[ConfigError] = []
    for source in registry.sources.values():
        if source.where[0] and Path(source.where[0]).parent != BASE_DIR:
            _numbers_in(source, source.where, found)
    return found


def _sources(translations_dir: Path) -> dict[str, YMap]:
    """Every profile's YAML by name, shipped then workspace (which overrides), read without compiling."""
    sources: dict[str, YMap] = {}
    for folder in (BASE_DIR, translations_dir):
        for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
            try:
                data = load_yaml(path)
            except ConfigError:
                continue                          # reported by the registry's own load
            sources[str(data.get("profile") or path.stem)] = data
    return sources


def _parents(data: YMap) -> list[str]:
    parents = data.get("extends") or []
    return [str(p) for p in (parents if isinstance(parents, list) else [parents])]


def _merged(name: str, sources: dict[str, YMap], seen: frozenset[str] = frozenset()) -> YMap:
    data = sources.get(name)
    if data is None or name in seen:
        return YMap()
    result: Any = None
    for parent in _parents(data):
        base = _merged(parent, sources, seen | {name})
        result = base if result is None else merge(result, base)
    merged = data if result is None else merge(result, data)
    return merged if isinstance(merged, YMap) else YMap()


def _workspace(sources: dict[str, YMap]) -> list[YMap]:
    return [d for d in sources.values() if d.where[0] and Path(d.where[0]).parent != BASE_DIR]


def mixed_syntaxes(translations_dir: Path) -> list[ConfigError]:
    """Workspace profiles whose `extends:` names profiles of two syntaxes (an EDIFACT base with an X12 code
    library): merged, the last one's syntax wins, and compiling then fails inside the shipped base profile
    ("format_at: is for an EDIFACT date field"), naming neither the coordinator's file nor the cause.
    Read from the YAML alone, so it is said even when the registry cannot be built."""
    sources = _sources(translations_dir)
    problems = []
    for data in _workspace(sources):
        said = {p: str(_merged(p, sources).get("syntax") or "") for p in _parents(data)}
        if len({s for s in said.values() if s}) > 1:
            listed = ", ".join(f"{p} ({s})" for p, s in said.items() if s)
            problems.append(_err(f"extends: profiles of different syntaxes: {listed}; a profile reads and writes "
                                 "one syntax", data.loc("extends"),
                                 hint="extend only code lists of this profile's syntax"))
    return problems


SELECTORS = ("seg", "loop", "hl", "rows", "xpath")


def _new_nodes(own: Any, base: Any, problems: list[ConfigError]) -> None:
    if not isinstance(own, YMap):
        return
    known = base if isinstance(base, YMap) else YMap()
    for name, node in own.items():
        if not isinstance(node, YMap):
            continue
        if name in known:
            _new_nodes(node.get("children"), known[name].get("children") if isinstance(known[name], YMap) else None,
                       problems)
        elif not any(key in node for key in SELECTORS):
            close = difflib.get_close_matches(str(name), [str(k) for k in known], n=1)
            problems.append(_err(f"node {name!r} is no node of the profiles it extends, and says no "
                                 f"{', '.join(SELECTORS)} of its own", own.loc(name),
                                 hint=f"did you mean {close[0]!r}?" if close else
                                 f"nodes here: {', '.join(map(str, known)) or 'none'}"))


def misspelt_nodes(translations_dir: Path) -> list[ConfigError]:
    """A workspace profile's override of a base node under a name the base does not have (`line:` for
    `lines:`) is a new node without a selector; compiling says only "node 'line' needs exactly one of seg,
    loop, ...", not that no such node exists to override, nor which was meant."""
    sources = _sources(translations_dir)
    problems: list[ConfigError] = []
    for data in _workspace(sources):
        base: Any = None
        for parent in _parents(data):
            merged = _merged(parent, sources)
            base = merged if base is None else merge(base, merged)
        _new_nodes(data.get("structure"), base.get("structure") if isinstance(base, YMap) else None, problems)
    return problems


def _replaced_hooks(registry: ProfileRegistry, profiles: list[Profile]) -> list[ConfigError]:
    """A workspace profile's own hook in place of one its base names: the base's hook does part of the reading or
    writing (an INVOIC line's RFF+ON order line, X12 price bases, store allocations, cXML price modifications), so
    a partner hook that does not call it loses that part without a word, or has every such file quarantined
    ("extra inputs are not permitted"). Warned unless the own function names the base's (calls it)."""
    found: list[ConfigError] = []
    for profile in profiles:
        own = registry.sources.get(profile.name)
        hooks = own.get("hooks") if isinstance(own, YMap) else None
        if profile.name in registry.base_names or not isinstance(hooks, YMap) or len(profile.chain) < 2:
            continue
        for parent in _parents(own) if isinstance(own, YMap) else []:
            try:
                base = registry.get(parent)
            except ConfigError:
                continue                                   # reported as the parent's own problem
            for hook, ref in hooks.items():
                theirs, mine = base.hooks.get(str(hook)), profile.hooks.get(str(hook))
                if theirs is None or mine is None or theirs is mine:
                    continue
                if theirs.__name__ in getattr(getattr(mine, "__code__", None), "co_names", ()):
                    continue                               # it calls the base's (by that name)
                base_ref = f"{theirs.__module__}:{theirs.__name__}"
                found.append(_err(f"hooks.{hook}: {ref} replaces {base_ref}, which {parent} runs; what that one reads "
                                  "or writes is lost unless yours calls it", hooks.loc(hook),
                                  hint=f"call {base_ref}({'data, tx' if hook == 'after_read' else 'data'}) in yours and go "
                                       "on with what it returns",
                                  kind=ConfigWarning))
    return found


def lint_profiles(registry: ProfileRegistry) -> list[ConfigError]:
    """Every problem of every profile in `registry` (compile errors included), each with file:line."""
    problems: list[ConfigError] = []
    compiled: list[Profile] = []
    for name in registry.names():
        if registry.is_abstract(name):
            continue
        try:
            profile = registry.get(name)
        except ConfigError as exc:
            problems.append(exc)
            continue
        compiled.append(profile)
        problems.extend(lint_profile(profile))
    problems.extend(_unused_code_lists(registry, compiled))
    problems.extend(_replaced_hooks(registry, compiled))
    problems.extend(_numbers_that_lost_digits(registry))
    problems.extend(_code_lists_of_words(registry))
    unique: dict[str, ConfigError] = {}
    for problem in problems:               # a base profile's problem is reported once, not per partner
        unique.setdefault(str(problem), problem)
    return list(unique.values())
