"""A small tmpfs to fill up: how tests show what the gateway does when its disk is full (root only)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def small_disk(path: Path, size: str = "1m") -> Iterator[Path]:
    """`path` as a tmpfs of `size`, unmounted after; skips the test where mounting is not allowed."""
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                             capture_output=True, text=True, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def grow(path: Path, size: str = "64m") -> None:
    """Free space: the tmpfs at `path` made bigger."""
    subprocess.run(["mount", "-o", f"remount,size={size}", str(path)], check=True)


def full(path: Path) -> bool:
    return os.statvfs(path).f_bavail == 0
