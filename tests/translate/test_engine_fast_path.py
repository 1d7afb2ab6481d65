"""The generated inbound path reads exactly what the plain one does.

read_segments takes a segment's node from plans fixed at compile time and maps it with
generated code; here every X12 / EDIFACT file of the corpus and the example samples is also
read by a reference reader written the plain way (search the open levels for each segment,
read field by field), with the base profiles and the example partners' profiles. Both must
give the same dict (same keys in the same order, same value types, Decimal digits) or the
same error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gateway.errors import FormatError, TranslationError
from gateway.formats import edifact, x12
from gateway.translate import ProfileRegistry, engine
from gateway.translate.engine import Node
from tests.translate.conftest import CORPUS, EXAMPLES

FILES = sorted([*(CORPUS / "x12").glob("*.edi"), *(CORPUS / "edifact").glob("*"),
                *(EXAMPLES / "samples").glob("*/*"), *(EXAMPLES / "samples").glob("*/later/*")])
FILES = [p for p in FILES if p.is_file() and p.suffix.lower() in (".edi", ".x12", ".edifact", ".txt", ".dat")]
# corpus files are named after their messages ("850_004010_...", "mixed_810-850_..."); keep those a base
# profile reads (profile files are named "x12-004010-850.yaml", "edifact-d96a-orders.yaml")
PROFILED = {p.stem.rsplit("-", 1)[-1].upper() for p in Path(engine.__file__).parent.joinpath("profiles").glob("*.yaml")}


def _messages(path: Path) -> set[str]:
    name = path.name.upper()
    return set((name.split("_")[1] if name.startswith("MIXED_") else name.split("_")[0]).split("-"))


FILES = [p for p in FILES if p.parent.parent == EXAMPLES / "samples" or _messages(p) & PROFILED]


def _reference(root: Node, segments: list[Any], syntax: str) -> dict[str, Any]:
    """read_segments as written before plans and generated code: a search per segment."""
    doc: dict[str, Any] = {}
    stack: list[list[Any]] = [[root, doc, -1]]
    hl_frames: dict[str, tuple[int, list[Any]]] = {}
    numbered: dict[tuple[int, str], dict[str, Any]] = {}
    body = segments
    if body and body[0].tag in ("ST", "UNH"):
        body = body[1:-1] if body[-1].tag in ("SE", "UNT") else body[1:]
    for seg in body:
        tag = seg.tag
        node: Node | None = None
        depth = len(stack) - 1
        if tag == "HL":
            parent = hl_frames.get(seg.get(2))
            if parent is not None and parent[0] < len(stack) and stack[parent[0]] is parent[1]:
                depth = parent[0]
                node = next((c for c in stack[depth][0].dispatch.get("HL", ()) if c.matches(seg)), None)
        while node is None and depth >= 0:
            cands = stack[depth][0].dispatch.get(tag, [])
            floor = stack[depth + 1][0].order if depth + 1 < len(stack) else stack[depth][2]
            node = next((c for c in cands if c.order >= floor and c.matches(seg)), None)
            if node is None and depth + 1 == len(stack):
                node = next((c for c in cands if c.matches(seg)), None)
            if node is None:
                depth -= 1
        if node is None:
            continue
        del stack[depth + 1:]
        frame = stack[depth]
        frame[2] = node.order
        if node.nested is None:
            target = engine._apply(node, seg, frame[1], syntax)
        else:
            target = engine._apply_nested(node, seg, frame[1], syntax, numbered)
        if node.children:
            new_frame = [node, target, -1]
            stack.append(new_frame)
            if tag == "HL":
                hl_frames[seg.get(1)] = (len(stack) - 1, new_frame)
    return doc


def _outcome(read: Any, *args: Any) -> str:
    try:
        return repr(read(*args))             # repr: key order, types and Decimal digits all count
    except (TranslationError, ValueError) as exc:
        return f"{type(exc).__name__}: {exc}"


@pytest.fixture(scope="module")
def registry() -> ProfileRegistry:
    return ProfileRegistry.load([EXAMPLES / "translations"])


def test_there_are_files() -> None:
    assert len(FILES) >= 60


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_generated_path_reads_what_the_plain_one_does(path: Path, registry: ProfileRegistry) -> None:
    data = path.read_bytes()
    reader = edifact if path.parent.name == "edifact" or b"UNB+" in data[:400] else x12
    try:
        result = reader.parse(data, validate=False)
    except FormatError:
        pytest.skip("not a readable file (the corpus tests cover it)")
    compared = 0
    for tx in result.transactions:
        syntax = tx.syntax.value
        for name in registry.names():
            if registry.is_abstract(name):
                continue
            profile = registry.get(name)
            if profile.syntax != syntax or profile.message != tx.doc_type or profile.root is None:
                continue
            root = profile.root
            fast = _outcome(engine.read_segments, root, tx.segments, syntax)
            fills = [(n, n.fast_fill) for n in root.walk()]
            for n, _ in fills:
                n.fast_fill = None                  # the plain path: field by field
            try:
                plain = _outcome(_reference, root, tx.segments, syntax)
            finally:
                for n, fill in fills:
                    n.fast_fill = fill
            assert fast == plain, f"{name} on transaction {tx.index + 1}"
            compared += 1
    assert compared, "no profile read any message of this file"


def test_a_profile_loaded_again_reuses_its_compiled_code_in_functions_of_its_own() -> None:
    """Every configuration load (start, SIGHUP reload, lint, each test) compiles the same generated sources: the
    code objects are kept, and each load still gets its own functions, bound to its own code lists."""
    first, second = (ProfileRegistry.load(base=True).get("x12-004010-850") for _ in range(2))
    assert first.root is not None and second.root is not None
    pairs = [(a.apply, b.apply) for a, b in zip(first.root.walk(), second.root.walk(), strict=True)
             if a.apply is not None]
    assert pairs
    assert all(a is not b and a.__code__ is b.__code__ and a.__globals__ is not b.__globals__ for a, b in pairs)
