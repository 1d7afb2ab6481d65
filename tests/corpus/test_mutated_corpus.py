"""Damaged real files: every corpus file, mutated the ways transmission and partners' tools damage files
(bytes cut out, separators and segments inserted, runs duplicated, a byte that is not UTF-8 or a digit that
is not a decimal one), goes through reading, translation with the base profiles and canonical JSON. The
only exceptions allowed are the gateway's own (a located error); anything else would be an "internal
error" quarantine in the daemon. Seeded: the same files every run. Larger runs of the same code found the
Latin-1 and '³' bugs (see the session notes); this keeps them found.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from gateway.errors import GatewayError
from gateway.formats import parse
from gateway.translate import translate
from gateway.translate.canonical import to_json
from tests.helpers.corpus import CORPUS, needs_corpus
from tests.helpers.profiles import base_profiles

INSERTS = [b"*", b"~", b"+", b"'", b":", b"?", b"\n", b"SE*", b"ST*850*1~", b"HL*1**S~", b"LIN+1'", b"9" * 30,
           b"\xe9", b"\xc2\xb3", b"\xff\xfe"]
ROUNDS = 1500


def _mutate(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        if not out:
            break
        pos = rng.randrange(len(out))
        op = rng.random()
        if op < 0.3:
            del out[pos:pos + rng.randint(1, 20)]
        elif op < 0.55:
            out[pos:pos] = rng.choice(INSERTS)
        elif op < 0.75:
            start = rng.randrange(len(out))
            out[pos:pos] = out[start:start + rng.randint(1, 80)]
        else:
            out[pos] = rng.randrange(256)
    return bytes(out)


@needs_corpus
@pytest.mark.parametrize("seed", [1, 2])
def test_mutated_corpus_files_raise_only_located_errors(seed: int) -> None:
    files = [p for p in sorted(CORPUS.rglob("*")) if p.is_file() and p.suffix.lower() in
             (".edi", ".x12", ".txt", ".edifact", ".xml", ".csv", ".dat")]
    assert len(files) > 50
    profiles = base_profiles()
    rng = random.Random(seed)
    unexpected: list[str] = []
    documents = 0
    for _ in range(ROUNDS):
        source: Path = rng.choice(files)
        data = _mutate(rng, source.read_bytes())
        try:
            for tx in parse(data).transactions:
                try:
                    documents += sum(1 for doc in translate(tx, None, profiles) if to_json(doc))
                except GatewayError:
                    pass
        except GatewayError:
            pass
        except Exception as exc:  # noqa: BLE001 - the point: name any that is not the gateway's own
            unexpected.append(f"{source.name}: {type(exc).__name__}: {exc}")
    assert unexpected == []
    assert documents > ROUNDS // 4          # the damage left most files readable: the mutations reached translation
