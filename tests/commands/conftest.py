"""What the command tests share: a fresh `edi-gateway init` workspace, made once per module and copied per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers.gateway import cli


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("init") / "ws"
    done = cli("init", str(root))
    assert done.returncode == 0, done.stdout + done.stderr
    return root


@pytest.fixture
def ws(pristine: Path, tmp_path: Path) -> Path:
    target = tmp_path / "ws"
    shutil.copytree(pristine, target, symlinks=True)
    return target
