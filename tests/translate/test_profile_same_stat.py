"""A profile rewritten with the same size and modification time (a copy that keeps times, a coarse-timestamp
filesystem, two writes in one clock tick) is read again on the next load (a SIGHUP reload): the in-process
cache of parsed files is keyed by the file's bytes, not by its size and mtime."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from gateway.translate.profile import ProfileRegistry
from tests.helpers.examples import EXAMPLES


def test_an_edit_that_keeps_size_and_mtime_is_read_again(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("EDI_GATEWAY_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "translations"
    folder.mkdir()
    for profile in (EXAMPLES / "translations").glob("northwind-*.yaml"):
        shutil.copy(profile, folder)
    codes = folder / "northwind-codes.yaml"
    assert "units: {CA: DZN}" in codes.read_text()
    assert "'CA': 'DZN'" in repr(ProfileRegistry.load(folder).get("northwind-850").data)

    before = codes.stat()
    codes.write_text(codes.read_text().replace("units: {CA: DZN}", "units: {CA: BOX}"))   # same size
    os.utime(codes, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert codes.stat().st_size == before.st_size
    data = repr(ProfileRegistry.load(folder).get("northwind-850").data)
    assert "'CA': 'BOX'" in data and "'CA': 'DZN'" not in data
