"""Translation profiles: loading, `extends:` inheritance, compiling, and the registry that holds them.

A profile is a YAML file (docs/profiles.md). Base profiles ship inside the package
(`gateway/translate/profiles/`); a workspace's `translations/` folder adds partner
profiles that extend them. Each profile is merged over its base chain and compiled once
into engine nodes; documents are then read and written with no YAML in the loop.
"""

from __future__ import annotations

import contextlib
import gc
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gateway.errors import ConfigError
from gateway.translate import engine
from gateway.translate.fields import Context, load_function
from gateway.translate.yamlsrc import Where, YMap, load_yaml, merge

BASE_DIR = Path(__file__).parent / "profiles"

PROFILE_KEYS = frozenset({
    "profile", "extends", "description", "syntax", "message", "version", "document", "functional_group",
    "agency", "codes", "defaults", "hooks", "sscc", "structure", "namespaces", "root", "columns",
    "decimal_mark", "direction", "ack", "abstract", "doctype",
})
SYNTAXES = ("x12", "edifact", "csv", "xml")
DOCUMENTS = ("PurchaseOrder", "PurchaseOrderAck", "ShipNotice", "Invoice", "InventoryAdvice")


@dataclass(slots=True, eq=False)
class Profile:
    """A merged, compiled profile."""

    name: str
    path: str
    data: YMap                                  # merged YAML (with locations)
    syntax: str
    message: str
    version: str
    document: str
    chain: list[str] = field(default_factory=list)    # [name, parent, grandparent, ...]
    functional_group: str = ""
    agency: str = ""
    root: engine.Node | None = None
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)
    hooks: dict[str, Any] = field(default_factory=dict)
    sscc: dict[str, str] = field(default_factory=dict)
    namespaces: dict[str, str] = field(default_factory=dict)
    root_element: str = ""
    columns: list[str] = field(default_factory=list)
    used_codes: set[str] = field(default_factory=set)   # the code lists its fields name (lint: unused ones)

    def where(self, key: str) -> Where:
        return self.data.loc(key)

    @property
    def location(self) -> str:
        return f"{self.path}:{self.data.where[1] or 1}"


def _codes(data: YMap) -> tuple[dict[str, dict[str, str]], dict[str, dict[str, str]], dict[str, frozenset[str]]]:
    """(code -> value, value -> code written, the values whose written code `_out` names) per code list."""
    codes: dict[str, dict[str, str]] = {}
    codes_out: dict[str, dict[str, str]] = {}
    named: dict[str, frozenset[str]] = {}
    raw = data.get("codes") or YMap()
    if not isinstance(raw, Mapping):
        where = data.loc("codes")
        raise ConfigError("codes: maps list names to {code: canonical value}", where[0], where[1])
    for name, table in raw.items():
        if not isinstance(table, Mapping):
            where = raw.loc(name) if isinstance(raw, YMap) else data.loc("codes")
            raise ConfigError(f"code list {name!r} must map codes to canonical values", where[0], where[1])
        found = table.get("_out")
        out_override: Mapping[Any, Any] = found if isinstance(found, Mapping) else {}
        inbound = {str(k): str(v) for k, v in table.items() if k != "_out" and v is not None}
        outbound: dict[str, str] = {}
        for k, v in inbound.items():
            outbound.setdefault(v, k)          # first code listed for a value is the one we send
        outbound.update({str(k): str(v) for k, v in out_override.items()})
        codes[str(name)], codes_out[str(name)] = inbound, outbound
        named[str(name)] = frozenset(map(str, out_override))
    return codes, codes_out, named


def compile_profile(name: str, data: YMap, chain: list[str]) -> Profile:
    """Compile a merged profile; every problem is a ConfigError at file:line."""
    unknown = set(data) - PROFILE_KEYS
    if unknown:
        key = min(map(str, unknown))
        where = data.loc(key)
        raise ConfigError(f"unknown profile key {key!r}", where[0], where[1],
                          hint=f"known: {', '.join(sorted(PROFILE_KEYS))}")
    syntax = str(data.get("syntax", ""))
    if syntax not in SYNTAXES:
        where = data.loc("syntax")
        raise ConfigError(f"syntax: must be one of {', '.join(SYNTAXES)} (got {syntax!r})", where[0], where[1])
    document = str(data.get("document", ""))
    if document not in DOCUMENTS:
        where = data.loc("document")
        raise ConfigError(f"document: must be one of {', '.join(DOCUMENTS)} (got {document!r})",
                          where[0], where[1])
    codes, codes_out, out_named = _codes(data)
    namespaces = {("" if k in (None, "_default") else str(k)): str(v)
                  for k, v in (data.get("namespaces") or {}).items()}
    path = data.where[0]
    ctx = Context(syntax=syntax, codes=codes, codes_out=codes_out, out_named=out_named,
                  profile_dir=Path(path).parent if path else None,
                  decimal_mark=str(data.get("decimal_mark", ".")), namespaces=namespaces)
    structure = data.get("structure")
    if not isinstance(structure, YMap) or not structure:
        where = data.loc("structure")
        raise ConfigError("structure: is missing or empty", where[0], where[1])
    profile = Profile(
        name=name, path=path, data=data, syntax=syntax, message=str(data.get("message", "")),
        version=str(data.get("version", "")), document=document, chain=chain,
        functional_group=str(data.get("functional_group", "")), agency=str(data.get("agency", "")),
        codes=codes, defaults=dict(data.get("defaults") or {}), namespaces=namespaces,
        sscc={str(k): str(v) for k, v in (data.get("sscc") or {}).items()},
        root_element=str(data.get("root", "")), columns=[str(c) for c in data.get("columns") or []],
    )
    profile.root = engine.compile_structure(structure, ctx, data.loc("structure"))
    profile.used_codes = ctx.used_codes
    hooks = data.get("hooks") or YMap()
    for hook_name, ref in hooks.items():
        if hook_name not in ("after_read", "before_write"):
            where = hooks.loc(hook_name)
            raise ConfigError(f"unknown hook {hook_name!r} (after_read, before_write)", where[0], where[1])
        profile.hooks[hook_name] = load_function(str(ref), ctx, hooks.loc(hook_name))
    return profile


class ProfileErrors(ConfigError):
    """Every profile that failed to load (`errors`), so that lint shows them all in one run."""

    def __init__(self, errors: list[ConfigError]) -> None:
        # a shared file's problem (a code list, a cycle of extends) fails each profile built on it: say it once
        self.errors = list({str(e): e for e in errors}.values())
        first = self.errors[0]
        super().__init__(first.message, first.path, first.line, first.column, first.hint)

    def __str__(self) -> str:
        return "\n".join(ConfigError.__str__(e) for e in self.errors)


class ProfileRegistry:
    """Every profile by name: the package's base profiles, then the workspace's translations/ folders."""

    def __init__(self) -> None:
        self.sources: dict[str, YMap] = {}
        self._compiled: dict[str, Profile] = {}
        self._base_cache: dict[tuple[str, str, str], Profile | None] = {}
        self.base_names: set[str] = set()     # shipped base profiles (candidates for partner-less files)
        self.our_ids: Any = None        # gateway.yaml our_ids: the sender of what render() writes

    @classmethod
    def load(cls, dirs: Iterable[Path | str] | Path | str | None = None, *, base: bool = True,
             our_ids: Any = None) -> ProfileRegistry:
        """Read base profiles (unless base=False) and every `*.yaml` in `dirs`, then compile them all.

        A workspace profile with a base profile's name replaces it. Raises ProfileErrors listing
        every profile that cannot be read or compiled (each a ConfigError at file:line).
        """
        with _gc_paused():
            return cls._load(dirs, base=base, our_ids=our_ids)

    @classmethod
    def _load(cls, dirs: Iterable[Path | str] | Path | str | None, *, base: bool, our_ids: Any) -> ProfileRegistry:
        registry = cls()
        registry.our_ids = our_ids
        if isinstance(dirs, (str, Path)):
            dirs = [dirs]
        folders = ([BASE_DIR] if base else []) + [Path(d) for d in (dirs or [])]
        errors: list[ConfigError] = []
        for folder in folders:
            if not folder.is_dir():
                continue
            for path in sorted(folder.glob("*.yaml")):
                try:
                    data = load_yaml(path)
                except ConfigError as exc:
                    errors.append(exc)
                    continue
                registry.add(data, path.stem)
                name = str(data.get("profile") or path.stem)
                if folder == BASE_DIR:
                    registry.base_names.add(name)
                else:
                    registry.base_names.discard(name)
        for name in registry.sources:
            if not registry.is_abstract(name):
                try:
                    registry.get(name)
                except ConfigError as exc:
                    errors.append(exc)
        if errors:
            raise ProfileErrors(errors)
        return registry

    def add(self, data: YMap, default_name: str) -> None:
        name = str(data.get("profile") or default_name)
        self.sources[name] = data
        self._compiled.clear()
        self._base_cache.clear()

    def names(self) -> list[str]:
        return sorted(self.sources)

    def compile_all(self) -> None:
        for name in self.sources:
            if not self.is_abstract(name):
                self.get(name)

    def is_abstract(self, name: str) -> bool:
        """`abstract: true` profiles (shared code lists) are only extended, never used directly."""
        return bool(self.sources[name].get("abstract"))

    def merged(self, name: str, _seen: tuple[str, ...] = ()) -> tuple[YMap, list[str]]:
        """The profile merged over what it `extends:` (a name, or a list merged left to right), and the chain."""
        data = self.sources[name]
        parents = data.get("extends") or []
        if not isinstance(parents, list):
            parents = [parents]
        where = data.loc("extends")
        result: Any = None
        chain = [name]
        for parent in map(str, parents):
            if parent not in self.sources:
                raise ConfigError(f"extends: {parent!r} is not a known profile", where[0], where[1],
                                  hint=_near(parent, self.sources))
            if parent in _seen or parent == name:
                raise ConfigError(f"extends: {parent!r} makes a cycle", where[0], where[1])
            base, base_chain = self.merged(parent, _seen + (name,))
            result = base if result is None else merge(result, base)
            chain.extend(n for n in base_chain if n not in chain)
        result = data if result is None else merge(result, data)
        assert isinstance(result, YMap)
        if "abstract" in result and not data.get("abstract"):
            result = merge(result, YMap({"abstract": None}, where=data.where))   # a copy without it
        return result, chain

    def get(self, name: str) -> Profile:
        profile = self._compiled.get(name)
        if profile is None:
            if name not in self.sources:
                raise ConfigError(f"translation profile {name!r} not found", hint=_near(name, self.sources))
            if self.is_abstract(name):
                where = self.sources[name].loc("abstract")
                raise ConfigError(f"profile {name!r} is abstract (shared code lists); extend it", where[0], where[1])
            data, chain = self.merged(name)
            profile = compile_profile(name, data, chain)
            self._compiled[name] = profile
        return profile

    def __contains__(self, name: object) -> bool:
        return name in self.sources

    def base_for(self, syntax: str, message: str, version: str) -> Profile | None:
        key = (syntax, message, version)
        try:
            return self._base_cache[key]            # one look-up per transaction: the common case
        except KeyError:
            found = self._base_cache[key] = self._find_base(syntax, message, version)
            return found

    def _find_base(self, syntax: str, message: str, version: str) -> Profile | None:
        """The base profile for a message and version ("850", "004010VICS" -> x12-004010-850).

        Versions without a profile of their own use the nearest one below (003060 -> 004010
        is not below, so the lowest shipped), so an odd-version file still translates.
        """
        candidates = [p for p in (self.get(n) for n in sorted(self.base_names) if not self.is_abstract(n))
                      if p.syntax == syntax and p.message == message]
        if not candidates:
            return None
        digits = "".join(ch for ch in version if ch.isalnum())[:6]
        exact = [p for p in candidates if p.version == digits or p.version == version]
        if exact:
            return exact[0]
        ordered = sorted(candidates, key=lambda p: _version_order(p.version))
        below = [p for p in ordered if _version_order(p.version) <= _version_order(digits)]
        return below[-1] if below else ordered[0]


_DIRECTORY = re.compile(r"D(\d\d)([A-Z])")


def _version_order(version: str) -> str:
    """A version as it sorts in time: X12's as written (003060 < 004010 < 005010); an EDIFACT directory by its
    year (D93A is 1993, before D96A; D01B is 2001, after it: as text "D01B" sorted first)."""
    found = _DIRECTORY.match(version)
    if found is None:
        return version
    year = int(found[1])
    return f"D{year + (1900 if year >= 50 else 2000)}{found[2]}"


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while profiles load: they make tens of thousands of objects that all live on,
    and the collector ran over them again and again (a third of the compile time, ~0.15 s a start). The few
    cycles made meanwhile are collected at the next collection after it."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _near(name: str, known: Mapping[str, Any]) -> str:
    import difflib
    close = difflib.get_close_matches(name, list(known), n=3)
    return f"did you mean {', '.join(close)}?" if close else f"{len(known)} profiles known"
