"""The third-party sample corpus (../shared/corpus beside the repository): one place that finds it.

Corpus-driven tests mark themselves `needs_corpus`, so a developer machine without the corpus skips them
with a reason that says so; CI guarantees the folder (.ci/run checks it). When the corpus *is* present,
`corpus_files` refuses to return an empty list: a wrong folder or pattern must fail, never pass with no cases.
"""

from __future__ import annotations

from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
ABSENT = f"third-party corpus {CORPUS} is absent (CI requires it, see .ci/run)"

needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=ABSENT)


def corpus_files(kind: str, pattern: str = "*") -> list[Path]:
    """Sorted files matching `pattern` in CORPUS/`kind`; [] only when the whole corpus is absent."""
    if not CORPUS.is_dir():
        return []
    files = sorted((CORPUS / kind).glob(pattern))
    if not files:
        raise FileNotFoundError(f"no {kind}/{pattern} in {CORPUS}: the corpus is incomplete or the pattern wrong")
    return files


def sources_md() -> str:
    """SOURCES.md, the corpus's own independent description of every file; '' when the corpus is absent."""
    path = CORPUS / "SOURCES.md"
    return path.read_text(encoding="utf-8") if CORPUS.is_dir() else ""
