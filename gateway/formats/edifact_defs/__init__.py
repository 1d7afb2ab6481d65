"""Loads the EDIFACT structure definitions kept as text data next to this file (see README.txt).

Definitions are data so that adding a message or a directory is a data change, reviewed as
a table, not code. Everything is parsed once and cached.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources

DIRECTORIES = ("D96A", "D01B")
SERVICE = "service"


@dataclass(frozen=True, slots=True)
class Format:
    """An element format such as an..35 (alphanumeric up to 35), n3 (numeric, exactly 3), a1."""

    kind: str        # "a", "n" or "an"
    min: int
    max: int
    text: str


@dataclass(frozen=True, slots=True)
class Ref:
    """A data element in a segment or composite: its reference and whether it is mandatory."""

    ref: str
    mandatory: bool

    @property
    def composite(self) -> bool:
        return self.ref[:1] in ("C", "S")


@dataclass(slots=True)
class Node:
    """A segment (tag) or a segment group (children) in a message's segment table."""

    tag: str                       # segment tag, or "SGn" for a group
    mandatory: bool
    max: int
    children: list[Node] = field(default_factory=list)
    trigger: str = ""              # the tag that starts it: its own tag, or a group's first segment

    @property
    def is_group(self) -> bool:
        return bool(self.children)


def _set_triggers(nodes: list[Node]) -> None:
    for node in nodes:
        if node.children:
            _set_triggers(node.children)
            node.trigger = node.children[0].tag
        else:
            node.trigger = node.tag


@dataclass(slots=True, eq=False)     # one instance per directory (cached): hashed by identity
class Directory:
    name: str
    segments: dict[str, list[Ref]]
    composites: dict[str, list[Ref]]
    elements: dict[str, Format]


_FORMAT = re.compile(r"^(an|a|n)(\.\.)?(\d+)$")
_MESSAGE_TYPE = re.compile(r"^[A-Z]{6}$")


def parse_format(text: str) -> Format:
    m = _FORMAT.match(text)
    if not m:
        raise ValueError(f"bad element format {text!r}")
    kind, var, size = m.group(1), m.group(2), int(m.group(3))
    return Format(kind, 0 if var else size, size, text)


def _read(package: str, name: str) -> list[str]:
    try:
        text = resources.files(f"{__name__}.{package}").joinpath(name).read_text(encoding="utf-8")
    except (OSError, ValueError, ModuleNotFoundError):
        return []
    return text.splitlines()


def _table(package: str, name: str) -> dict[str, list[str]]:
    """`<key> <value> ...` lines, following `@inherit <dir>` first."""
    out: dict[str, list[str]] = {}
    for line in _read(package, name):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        words = line.split()
        if words[0] == "@inherit":
            out.update(_table(words[1], name))
            continue
        out[words[0]] = words[1:]
    return out


def _refs(words: list[str]) -> list[Ref]:
    refs = []
    for w in words:
        ref, _, req = w.partition(":")
        refs.append(Ref(ref, req == "M"))
    return refs


def directory(name: str) -> Directory | None:
    """The segment / composite / element directory `name` ("D96A", "D01B", "service")."""
    if name not in DIRECTORIES and name != SERVICE:
        return None               # checked before the cache, so names read from files cannot grow it
    return _directory(name)


@cache
def _directory(name: str) -> Directory:
    segs = {k: _refs(v) for k, v in _table(name, "segments.txt").items()}
    comps = {k: _refs(v) for k, v in _table(name, "composites.txt").items()}
    elems = {k: parse_format(v[0]) for k, v in _table(name, "elements.txt").items()}
    if name != SERVICE:
        service = directory(SERVICE)
        assert service is not None
        for k, v in service.segments.items():
            segs.setdefault(k, v)
        for k, c in service.composites.items():
            comps.setdefault(k, c)
        for k, e in service.elements.items():
            elems.setdefault(k, e)
    return Directory(name, segs, comps, elems)


def message(doc_type: str, version: str) -> list[Node] | None:
    """The segment table of `doc_type` in directory `version`, or None when we have none."""
    if not _MESSAGE_TYPE.match(doc_type):
        return None               # the type comes from the file: never let it name a path
    if doc_type == "CONTRL":
        return _message(doc_type, SERVICE)
    if version in DIRECTORIES:
        return _message(doc_type, version)
    return None


@lru_cache(maxsize=128)          # bounded: message types come from the files we read
def _message(doc_type: str, package: str) -> list[Node] | None:
    lines = _read(package, f"{doc_type}.txt")
    if not lines:
        return None
    root: list[Node] = []
    stack: list[tuple[int, list[Node]]] = [(-1, root)]
    counter = 0
    for raw in lines:
        body = raw.split("#", 1)[0]
        if not body.strip():
            continue
        indent = len(body) - len(body.lstrip(" "))
        tag, req, rep = body.split()
        while stack[-1][0] >= indent:
            stack.pop()
        parent = stack[-1][1]
        if tag == "SG":
            counter += 1
            node = Node(f"SG{counter}", req == "M", int(rep))
            parent.append(node)
            stack.append((indent, node.children))
        else:
            parent.append(Node(tag, req == "M", int(rep)))
    _set_triggers(root)
    return root


def directory_for(doc_type: str, version: str) -> Directory | None:
    if doc_type == "CONTRL":
        return directory(SERVICE)
    return directory(version)
