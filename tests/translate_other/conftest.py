"""Shared fixtures for the EDIFACT / CSV / XML profiles: a workspace with the eurohandel and
shopmarket example partners, a real SQLite journal, a fixed render clock."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from gateway.config.loader import LoadedConfig, load
from tests.helpers.corpus import CORPUS
from tests.helpers.examples import EXAMPLES, example_workspace

__all__ = ["CORPUS", "EXAMPLES", "RENDER_TIME", "make_workspace"]   # what the test modules import from here

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
PARTNERS = ("eurohandel", "shopmarket")
RENDER_TIME = datetime(2026, 12, 1, 14, 30)


def make_workspace(target: Path) -> Path:
    """A workspace with the example partners these tests are about."""
    return example_workspace(target, PARTNERS)


@pytest.fixture(scope="session")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_workspace(tmp_path_factory.mktemp("ws_other"))


@pytest.fixture(scope="session")
def config(workspace: Path) -> LoadedConfig:
    return load(workspace)

