"""X12 reading and validation give the same results as the snapshot taken before the speed work.

`x12_findings_snapshot.json` was written by the reader and validator as they stood before they
were optimised (commit "test: snapshot of X12 findings"). For every X12 file of the shared corpus,
the example partners' samples and the golden outbound files, and for deterministic mutations of
each (characters replaced, segments dropped, repeated or swapped, values made too long), it
records every issue (all fields), the acceptance of each transaction and a digest of the segments
read (tag, elements, position, offset, separators, suffix). A restructured reader or validator
must give back exactly the same.

Regenerate (only when a change of findings is intended and reviewed):
    X12_SNAPSHOT_WRITE=1 .venv/bin/python -m pytest tests/formats/test_x12_snapshot.py -q -p no:cacheprovider
"""

from __future__ import annotations

import hashlib
import json
import os
import random
from pathlib import Path

import pytest

from gateway.errors import FormatError
from gateway.formats import x12

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = Path(__file__).with_name("x12_findings_snapshot.json")
CORPUS = ROOT / ".." / "shared" / "corpus" / "x12"


def sources() -> dict[str, Path]:
    found = {f"corpus/{p.name}": p for p in sorted(CORPUS.glob("*.edi"))} if CORPUS.is_dir() else {}
    for p in sorted((ROOT / "gateway" / "examples" / "samples").glob("*/*.edi")):
        if p.read_bytes().lstrip(b"\xef\xbb\xbf \r\n\t").startswith(b"ISA"):
            found[f"samples/{p.parent.name}/{p.name}"] = p
    for p in sorted((ROOT / "tests" / "golden").glob("*/*.x12")):
        found[f"golden/{p.parent.name}/{p.name}"] = p
    return found


def mutations(data: bytes, seed: str) -> dict[str, bytes]:
    """Deterministic damaged variants of one file, to exercise the error paths of reader and validator."""
    rng = random.Random(seed)
    text = data.decode("latin-1")
    start = text.find("ISA")
    if start < 0 or len(text) < start + 106:
        return {}
    term = text[start + 105]
    el = text[start + 3]
    segs = text.split(term)
    out: dict[str, bytes] = {}
    alphabet = "A9Z0 .-" + el + term + ">:^"
    for n in range(3):
        chars = list(text)
        for _ in range(4):
            at = rng.randrange(start + 106, len(chars)) if len(chars) > start + 106 else start
            chars[at] = rng.choice(alphabet)
        out[f"chars{n}"] = "".join(chars).encode("latin-1")
    if len(segs) > 6:
        inner = range(3, len(segs) - 3)
        k = rng.choice(inner)
        out["drop"] = term.join(segs[:k] + segs[k + 1:]).encode("latin-1")
        k = rng.choice(inner)
        out["repeat"] = term.join(segs[:k + 1] + segs[k:]).encode("latin-1")
        k = rng.choice(inner)
        out["swap"] = term.join(segs[:k] + [segs[k + 1], segs[k]] + segs[k + 2:]).encode("latin-1")
        values = []
        for k in inner:
            parts = segs[k].split(el)
            if len(parts) > 2:
                j = rng.randrange(1, len(parts))
                parts[j] = rng.choice(["", "X" * 90, "99999999999999999999", "ZZZ", "20261399", "2561", "-1.5.2",
                                       "A\x01B", "1" + el * 0])
                values.append((k, el.join(parts)))
        for n, (k, seg) in enumerate(rng.sample(values, min(3, len(values)))):
            out[f"value{n}"] = term.join(segs[:k] + [seg] + segs[k + 1:]).encode("latin-1")
    return out


def findings(data: bytes) -> dict[str, object]:
    """Everything parse() reports about `data`, in a JSON-comparable form."""
    try:
        result = x12.parse(data)
    except FormatError as exc:
        return {"format_error": str(exc)}
    digest = hashlib.sha256()
    for tx in result.transactions:
        for seg in tx.segments:
            digest.update(repr((seg.tag, seg.fields[1:], seg.position, seg.offset, seg.component_sep,
                                seg.repetition_sep, seg.suffix)).encode("utf-8", "backslashreplace"))
    for env in result.interchanges:
        for seg in env.service_segments:
            digest.update(repr((seg.tag, seg.fields[1:], seg.position, seg.offset, seg.component_sep,
                                seg.repetition_sep, seg.suffix)).encode("utf-8", "backslashreplace"))
    issues = [[i.severity.value, i.code, i.level, i.interchange, i.group, i.transaction, i.segment_tag,
               i.segment_position, i.element_position, i.component_position, i.repetition_position,
               i.element_ref, i.value, i.loop_id, i.offset, i.message] for i in result.issues]
    return {"issues": issues, "accepted": [t.accepted for t in result.transactions],
            "segment_count": result.segment_count, "segments": digest.hexdigest()}


def current() -> dict[str, object]:
    out: dict[str, object] = {}
    for name, path in sources().items():
        data = path.read_bytes()
        out[name] = findings(data)
        for kind, variant in mutations(data, name).items():
            out[f"{name}#{kind}"] = findings(variant)
    return out


def test_findings_match_the_snapshot_taken_before_optimising() -> None:
    now = current()
    if os.environ.get("X12_SNAPSHOT_WRITE"):
        SNAPSHOT.write_text(json.dumps(now, indent=0, sort_keys=True, ensure_ascii=True) + "\n", "utf-8")
    expected = json.loads(SNAPSHOT.read_text("utf-8"))
    if not CORPUS.is_dir():
        expected = {k: v for k, v in expected.items() if not k.startswith("corpus/")}
    now = json.loads(json.dumps(now))
    assert sorted(now) == sorted(expected)
    differ = [name for name in sorted(expected) if now[name] != expected[name]]
    assert not differ, f"{len(differ)} inputs changed, first {differ[0]}: {now[differ[0]]} != {expected[differ[0]]}"


@pytest.mark.parametrize("name", ["corpus/850_004010_bots_pipe.edi", "samples/bigbox/850_4500001234.edi"])
def test_the_snapshot_holds_errors_and_the_mutations_find_some(name: str) -> None:
    """The snapshot is not empty of findings: the comparison above could fail."""
    expected = json.loads(SNAPSHOT.read_text("utf-8"))
    if name not in expected:
        pytest.skip("shared corpus not present")
    variants = [v for k, v in expected.items() if k.startswith(name + "#")]
    assert variants and any(v.get("issues") for v in variants)
    assert sum(len(v.get("issues", [])) for v in expected.values()) > 200
