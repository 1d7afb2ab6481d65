"""The content-addressed archive: every inbound and outbound byte, stored once under its sha256.

`put()` streams into a temporary file, fsyncs it, renames it to `ab/cd/<sha256>` and fsyncs
the folder, so the bytes are on disk before the journal commit that refers to them (the
journal holds the claim check, the archive the bytes). Storing the same bytes twice keeps
one file. `purge()` removes files older than the retention that no journal row still needs.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, Protocol

from gateway.errors import DISK_FULL, JournalError, StorageFull

CHUNK = 1024 * 1024
_SHA = re.compile(r"^[0-9a-f]{64}$")


class NeedsShas(Protocol):
    def needed_shas(self, cutoff: datetime) -> set[str]: ...


def fsync_dir(path: Path) -> None:
    """Make a rename or a new file in `path` durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _no_follow(path: str, flags: int) -> int:
    """Open a submitted file only if it is not a symlink: a name swapped for a link between a transport's
    check and this open (a shared inbox others can write) must not archive what the link points at."""
    return os.open(path, flags | os.O_NOFOLLOW | os.O_NONBLOCK)   # a FIFO swapped in must not block the read


def storage_error(exc: OSError, what: str) -> JournalError:
    """`what` failed: StorageFull (transient) when the disk or quota is full, else JournalError."""
    kind = StorageFull if exc.errno in DISK_FULL else JournalError
    return kind(f"{what}: {exc.strerror or exc}")


class Archive:
    """Files under `root`, named by the sha256 of their content."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        if not _SHA.match(sha256):
            raise ValueError(f"not a sha256: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def put(self, data: bytes | Path) -> str:
        """Store bytes (or a file's content, streamed) durably; return their sha256."""
        tmp_dir = self.root / "tmp"
        try:
            tmp_dir.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(dir=tmp_dir, prefix=".put-")
        except OSError as exc:
            raise storage_error(exc, f"archive {self.root} is not writable") from exc
        tmp = Path(tmp_name)
        try:
            digest = hashlib.sha256()
            with os.fdopen(fd, "wb") as out:
                if isinstance(data, (bytes, bytearray, memoryview)):
                    digest.update(data)
                    out.write(data)
                else:
                    with open(data, "rb", opener=_no_follow) as src:
                        first = os.fstat(src.fileno())
                        if not stat.S_ISREG(first.st_mode):
                            raise JournalError(f"{data} is not a regular file: not stored")
                        read = 0
                        while chunk := src.read(CHUNK):
                            digest.update(chunk)
                            out.write(chunk)
                            read += len(chunk)
                        last = os.fstat(src.fileno())
                        if read != last.st_size or (first.st_size, first.st_mtime_ns) != (last.st_size,
                                                                                          last.st_mtime_ns):
                            raise JournalError(f"{data} was written to while it was read ({read:,} bytes read, "
                                               f"{last.st_size:,} now): not stored; it is read again once "
                                               "it stays unchanged")
                out.flush()
                os.fsync(out.fileno())
            sha = digest.hexdigest()
            final = self.path(sha)
            if final.is_file():
                tmp.unlink()
                os.utime(final)          # retention counts from the latest use
                return sha
            if not final.parent.is_dir():
                final.parent.mkdir(parents=True, exist_ok=True)
                fsync_dir(final.parent.parent)      # new fan-out folders must survive a crash too
                fsync_dir(self.root)
            os.replace(tmp, final)
            fsync_dir(final.parent)
            return sha
        except JournalError:
            tmp.unlink(missing_ok=True)
            raise
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise storage_error(exc, f"archive {self.root}: cannot store {getattr(data, 'name', 'bytes')}") \
                from exc

    def open(self, sha256: str) -> BinaryIO:
        try:
            return open(self.path(sha256), "rb")
        except FileNotFoundError as exc:
            raise JournalError(f"archive has no {sha256} (purged or never stored)") from exc

    def read(self, sha256: str) -> bytes:
        with self.open(sha256) as f:
            return f.read()

    def __iter__(self) -> Iterator[str]:
        if not self.root.is_dir():
            return
        for first in sorted(self.root.iterdir()):
            if len(first.name) != 2 or not first.is_dir():
                continue
            for second in sorted(first.iterdir()):
                for file in sorted(second.iterdir()):
                    if _SHA.match(file.name):
                        yield file.name

    def purge(self, journal: NeedsShas, retention_days: float, *, now: float | None = None,
              dry_run: bool = False) -> list[str]:
        """Remove files older than the retention that the journal no longer needs; return their hashes."""
        now = time.time() if now is None else now
        cutoff_ts = now - retention_days * 86400
        needed = journal.needed_shas(datetime.fromtimestamp(cutoff_ts, UTC))
        removed = []
        for sha in list(self):
            if sha in needed:
                continue
            path = self.path(sha)
            try:
                if path.stat().st_mtime >= cutoff_ts:
                    continue
                if not dry_run:
                    path.unlink()
            except FileNotFoundError:
                continue
            removed.append(sha)
        self._clean_tmp(cutoff_ts if dry_run else now - 86400)
        return removed

    def _clean_tmp(self, older_than: float) -> None:
        """Leftovers of a crash in the middle of put() are garbage after a day."""
        tmp_dir = self.root / "tmp"
        if not tmp_dir.is_dir():
            return
        for leftover in tmp_dir.iterdir():
            try:
                if leftover.stat().st_mtime < older_than:
                    leftover.unlink()
            except FileNotFoundError:
                pass
