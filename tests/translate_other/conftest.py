"""Shared fixtures for the EDIFACT / CSV / XML profiles: a workspace with the eurohandel and
shopmarket example partners, a real SQLite journal, a fixed render clock."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from gateway.config.loader import LoadedConfig, load
from gateway.journal.sqlite import SqliteJournal

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "gateway" / "examples"
HERE = Path(__file__).resolve().parent
CORPUS = ROOT.parent / "shared" / "corpus"
PARTNERS = ("eurohandel", "shopmarket")
RENDER_TIME = datetime(2026, 12, 1, 14, 30)


def make_workspace(target: Path) -> Path:
    """A gateway.yaml workspace holding only the partners (and their overrides) this package owns."""
    (target / "partners").mkdir(parents=True)
    (target / "translations").mkdir()
    shutil.copy(EXAMPLES / "gateway.yaml", target / "gateway.yaml")
    for partner in PARTNERS:
        shutil.copy(EXAMPLES / "partners" / f"{partner}.yaml", target / "partners")
        for profile in (EXAMPLES / "translations").glob(f"{partner}-*.yaml"):
            shutil.copy(profile, target / "translations")
    return target / "gateway.yaml"


@pytest.fixture(scope="session")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_workspace(tmp_path_factory.mktemp("ws_other"))


@pytest.fixture(scope="session")
def config(workspace: Path) -> LoadedConfig:
    return load(workspace)


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[SqliteJournal]:
    j = SqliteJournal(tmp_path / "journal.sqlite3")
    yield j
    j.close()
