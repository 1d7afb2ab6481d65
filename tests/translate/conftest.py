"""Shared fixtures: the example workspace (bigbox + northwind only), a real SQLite journal, the registry."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from gateway.commands.init import write_stand_in_credentials
from gateway.config.loader import LoadedConfig, load
from gateway.journal.sqlite import SqliteJournal

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "gateway" / "examples"
GOLDEN = ROOT / "tests" / "golden"
CORPUS = ROOT.parent / "shared" / "corpus"
PARTNERS = ("bigbox", "northwind")
RENDER_TIME = datetime(2026, 12, 2, 16, 30)


def make_workspace(target: Path) -> Path:
    """A gateway.yaml workspace with the example partners this package owns and their profiles.

    Lint checks that the certificates and keys a partner file names exist, so the stand-ins
    `edi-gateway init` writes are written here too (one way to make them).
    """
    (target / "partners").mkdir(parents=True)
    (target / "translations").mkdir()
    shutil.copy(EXAMPLES / "gateway.yaml", target / "gateway.yaml")
    for partner in PARTNERS:
        shutil.copy(EXAMPLES / "partners" / f"{partner}.yaml", target / "partners")
        for profile in (EXAMPLES / "translations").glob(f"{partner}-*.yaml"):
            shutil.copy(profile, target / "translations")
    write_stand_in_credentials(target)
    return target / "gateway.yaml"


@pytest.fixture(scope="session")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_workspace(tmp_path_factory.mktemp("ws"))


@pytest.fixture(scope="session")
def config(workspace: Path) -> LoadedConfig:
    return load(workspace)


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[SqliteJournal]:
    j = SqliteJournal(tmp_path / "journal.sqlite3")
    yield j
    j.close()
