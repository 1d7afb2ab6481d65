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


def check_translate_cli(path: Path, failing: dict[str, str], capsys: pytest.CaptureFixture[str],
                        located: tuple[str, ...] = (".yaml:",), shown: tuple[str, ...] = ("line ", "item ")) -> None:
    """`edi-gateway translate FILE` in the current folder (no gateway.yaml: base profiles only).

    A file in `failing` must exit 1 with its expected message and a location (one of `located`,
    the profile file:line by default); any other file exits 0, shows its lines (one of `shown`)
    and prints no error line. Never a traceback.
    """
    from gateway.cli import main
    code = main(["translate", str(path)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    if path.name in failing:
        assert code == 1
        assert failing[path.name] in err
        assert any(mark in err for mark in located)     # names the profile file and line
        return
    assert code == 0, err
    assert any(mark in out for mark in shown)           # its lines are shown
    assert not [ln for ln in err.splitlines() if ln.startswith("error:")]

