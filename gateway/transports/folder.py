"""Local inbox folders: watchdog (inotify) plus a scan at start-up and now and then.

A file is taken only when it looks finished: temp names (`*.part`, `*.tmp`, dotfiles, `*~`,
`temp_names.is_temp_name`) are ignored, its size and mtime must stay unchanged for `min_age` seconds, and, on a
local filesystem, no process on this machine may hold it open for writing. A taken file
is submitted (archive + journal commit) and only then moved to the processed folder, or
deleted when `processed` is null. If the submit fails (archive unwritable, gateway stopping)
the file stays where it is and is tried again later. Only files directly in the folder are
taken, so a processed folder inside the inbox is never read again.
"""

from __future__ import annotations

import asyncio
import errno
import fcntl
import logging
import os
import re
import signal
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from gateway.config.models import FolderInboxSettings
from gateway.errors import GatewayError, StorageFull, printable
from gateway.holdback import HoldBack
from gateway.poison import Isolation, intake_key, set_aside_file
from gateway.transports.base import IntakeMeta
from gateway.transports.temp_names import is_temp_name, processed_name

log = logging.getLogger("gateway.transports.folder")


def _not_the_stop_race(record: logging.LogRecord) -> bool:
    """watchdog 7's inotify emitter logs an ERROR when its read returns after the observer was told to stop
    (seen in about one daemon stop in three): a race inside watchdog with nothing lost, which an operator would
    read as a fault. That one message is dropped; watchdog's other errors pass."""
    return "queue_events() called when the thread is inactive" not in record.getMessage()


logging.getLogger("watchdog.observers.inotify").addFilter(_not_the_stop_race)

RESCAN_SECONDS = 10.0        # a full scan now and then, in case inotify missed something
TAKE_AT_ONCE = 4             # files submitted concurrently per inbox
RETRY_SECONDS = 2.0          # a file whose submit failed is tried again after this
FULL_PAUSE_MAX = 60.0        # the longest the inbox waits for space on the archive's disk before trying again
HELD_TELL_SECONDS = 60.0     # a file unchanged this long that a process here still holds open for writing is logged


def _identity(path: Path) -> tuple[int, int, int, int]:
    """What tells one version of a file from another: its inode (a rename-into-place is a new one), size, mtime."""
    st = path.lstat()
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns


# where a read lease tells of this machine's writers only; elsewhere (nfs4, cifs) the kernel grants one only under
# a delegation or oplock of the file server's, and refuses it (EAGAIN) otherwise, for a file nobody writes
LEASE_FILESYSTEMS = frozenset({"ext2", "ext3", "ext4", "xfs", "btrfs", "f2fs", "zfs", "bcachefs", "jfs", "reiserfs",
                               "tmpfs", "ramfs", "overlay", "vfat", "exfat", "ntfs3"})


def filesystem_type(folder: Path, mountinfo: str | None = None) -> str:
    """The type of the filesystem `folder` is on: the mount (of /proc/self/mountinfo, or `mountinfo`) with the
    longest mount point above it, the later of two on one point. "" when it cannot be told."""
    if mountinfo is None:
        try:
            mountinfo = Path("/proc/self/mountinfo").read_text()
        except OSError:
            return ""
    real = os.path.realpath(folder)
    best, found = -1, ""
    for line in mountinfo.splitlines():
        fields = line.split()
        if "-" not in fields[6:-1]:
            continue
        point = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), fields[4])
        if (real == point or real.startswith(point.rstrip("/") + "/")) and len(point) >= best:
            best, found = len(point), fields[fields.index("-", 6) + 1]
    return found


def _being_written(path: Path) -> bool:
    """Whether a process on this machine holds `path` open for writing: Linux then grants no read lease
    (F_SETLEASE, held for no longer than this call). A copy into the inbox that stalls longer than min_age (a
    local FTP server's slow upload) keeps its size and mtime, and was taken half written. Asked only on
    LEASE_FILESYSTEMS. Where no lease can be asked for (another user's file without CAP_LEASE) this says False,
    and the size and mtime check stands alone. A file another process holds a write lease on (Samba's kernel
    oplocks, the NFS server's write delegation to a client writing it) cannot even be opened without waiting:
    being written too."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        return exc.errno == errno.EWOULDBLOCK
    try:
        # a writer opening the file while the lease is held has it broken: the kernel signals the holder, by
        # default with SIGIO, which ends the process; SIGURG is ignored unless a handler is set (none is)
        fcntl.fcntl(fd, fcntl.F_SETSIG, signal.SIGURG)
        fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_RDLCK)
    except OSError as exc:
        return exc.errno == errno.EAGAIN
    else:
        fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_UNLCK)
        return False
    finally:
        os.close(fd)


@dataclass
class _Seen:
    size: int
    mtime_ns: int
    since: float                 # monotonic time the (size, mtime) pair was first observed
    not_before: float = 0.0      # after a failed submit
    held_told: bool = False      # the log said it waits for a process here that holds it open for writing


class _Events(FileSystemEventHandler):
    def __init__(self, inbox: FolderInbox) -> None:
        self.inbox = inbox

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory:
            return
        for attr in ("dest_path", "src_path"):
            path = getattr(event, attr, None)
            if path:
                self.inbox.hint(Path(os.fsdecode(path)))


class FolderInbox:
    """One inbox folder feeding `intake.submit()`."""

    def __init__(self, settings: FolderInboxSettings, intake: Any, *, poll: float = 0.2,
                 isolation: Isolation | None = None) -> None:
        """`isolation`: where a file being taken is noted, so that one that kills the gateway is set aside."""
        self.settings = settings
        self.isolation = isolation
        self.folder = Path(settings.path)
        self.intake = intake
        self.poll = poll
        self._seen: dict[Path, _Seen] = {}
        self._hints: set[Path] = set()
        self._found_at_start: set[Path] = set()      # the start-up scan's files, until first looked at
        # taken, but could not leave the inbox (processed/ unwritable, a name too long): not taken again while
        # unchanged, or every scan would record it once more (a restart takes it once more, as a duplicate)
        self._kept: dict[Path, tuple[int, int, int, int]] = {}
        self.scans = 0                                # full scans made (tests wait for one)
        self._fs_type = filesystem_type(self.folder)
        self._leases = self._fs_type in LEASE_FILESYSTEMS   # whether a read lease tells of this machine's writers
        self._lock = threading.Lock()
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._observer: Any = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self.taken = 0
        self._full = HoldBack(FULL_PAUSE_MAX)   # the archive's disk is full: no file is tried meanwhile

    # ------------------------------------------------------------------ lifecycle
    async def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if self.settings.processed is not None:
            Path(self.settings.processed).mkdir(parents=True, exist_ok=True)
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._observer = Observer()
        self._observer.schedule(_Events(self), str(self.folder), recursive=False)
        self._observer.daemon = True
        self._observer.start()
        self._found_at_start = set(self._scan())      # files that arrived while we were down
        self._task = asyncio.create_task(self._run(), name=f"inbox {self.folder}")
        log.info("watching %s (min_age %.1fs%s)", self.folder, self.settings.min_age,
                 "" if self._leases else f"; on {self._fs_type or 'an unknown filesystem'}, a file is judged finished "
                 "by its size and mtime alone")

    async def stop(self) -> None:
        """Stop taking files; a submit in progress finishes first (so no file is half taken)."""
        self._stopping = True
        if self._wake:
            self._wake.set()
        if self._task:
            await asyncio.gather(self._task, return_exceptions=True)
        if self._observer is not None:
            self._observer.stop()
            await asyncio.to_thread(self._observer.join, 5)

    # ------------------------------------------------------------------ discovery
    def hint(self, path: Path) -> None:
        """Called from watchdog's thread: something happened to `path`."""
        if path.parent != self.folder:
            return
        with self._lock:
            self._hints.add(path)
        if self._loop and self._wake:
            self._loop.call_soon_threadsafe(self._wake.set)

    def _scan(self) -> list[Path]:
        """Hint every file in the folder; returns them."""
        try:
            names = [entry.name for entry in os.scandir(self.folder) if entry.is_file(follow_symlinks=False)]
        except OSError as exc:
            log.error("cannot list %s: %s", self.folder, exc.strerror or exc)
            return []
        found = [self.folder / name for name in names]
        self.scans += 1
        with self._lock:
            self._hints.update(found)
        return found

    def _candidates(self) -> list[Path]:
        with self._lock:
            self._hints.update(self._seen)
            hints, self._hints = self._hints, set()
        return sorted(p for p in hints if not is_temp_name(p.name))

    def ready(self, path: Path, now: float) -> bool:
        """True when `path` exists, its size and mtime have been stable for min_age, and no process here
        holds it open for writing."""
        try:
            st = path.lstat()
        except OSError:                  # gone (or not looked at: the next scan sees it again)
            self._seen.pop(path, None)
            self._kept.pop(path, None)
            return False
        if self._kept.get(path) == (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns):
            return False
        if not os.path.isfile(path) or path.is_symlink():
            self._seen.pop(path, None)
            return False
        seen = self._seen.get(path)
        if seen is None or (seen.size, seen.mtime_ns) != (st.st_size, st.st_mtime_ns):
            self._seen[path] = _Seen(st.st_size, st.st_mtime_ns, now,
                                     seen.not_before if seen is not None else 0.0)
            # a file there while we were down, untouched for min_age already, is ready at once; only that one:
            # the mtime of a file on a network share is the file server's clock, which may be behind ours
            at_start = seen is None and path in self._found_at_start
            self._found_at_start.discard(path)
            stable = self.settings.min_age <= 0 or (
                at_start and time.time() - st.st_mtime >= self.settings.min_age + 1)
        else:
            stable = now - seen.since >= self.settings.min_age and now >= seen.not_before
        if not stable or not (self._leases and _being_written(path)):
            return stable
        held = self._seen[path]
        if not held.held_told and now - held.since >= HELD_TELL_SECONDS:
            held.held_told = True
            log.warning("%s: unchanged for %.0f s, but a process on this machine still holds it open for writing; "
                        "not taken until it closes it", printable(path.name), now - held.since)
        return False

    # ------------------------------------------------------------------ taking files
    async def _run(self) -> None:
        assert self._wake is not None
        last_scan = time.monotonic()
        while not self._stopping:
            now = time.monotonic()
            if now - last_scan >= RESCAN_SECONDS:
                self._scan()
                last_scan = now
            ready = [p for p in self._candidates() if self.ready(p, time.monotonic())]
            # a few at once: their fsyncs overlap; one the gateway was killed while taking in is taken alone, after
            # the others, so that a kill counts on the file that caused it and the others go on meanwhile
            kills = {p: self._kills(p) for p in ready}
            suspects = sorted((p for p in ready if kills[p]), key=lambda p: (kills[p], p))   # fewest kills first
            ready = [p for p in ready if not kills[p]]
            batches = [ready[n:n + TAKE_AT_ONCE] for n in range(0, len(ready), TAKE_AT_ONCE)] + [[p] for p in suspects]
            for batch in batches:
                if self._stopping or self._full.holding():
                    break
                await asyncio.gather(*(self._take(p) for p in batch))
            self._wake.clear()
            timeout = self.poll if self._seen else RESCAN_SECONDS
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=timeout)
            except TimeoutError:
                pass

    async def _take(self, path: Path) -> None:
        meta = IntakeMeta(channel="folder", filename=path.name, partner=self.settings.partner,
                          source_key=str(path), extra={"inbox": str(self.folder)})
        try:
            before = _identity(path)
            if self.isolation is None:
                message = await self.intake.submit(path, meta)
            else:
                key = intake_key("folder", path, *before)
                if (reason := self.isolation.intake_verdict(key)) is not None:
                    self._set_aside(path, key, reason)
                    return
                with self.isolation.taking_in(key, f"inbox file {path}"):
                    message = await self.intake.submit(path, meta)
            self._full.clear()
        except StorageFull as exc:
            # every file would fail alike: the whole inbox waits (1 s, doubling to 60 s), one line a pause
            if not self._full.holding():
                log.error("%s: not taking files for %.0f s, they stay in the inbox: %s", self.folder,
                          self._full.fail(), exc)
            return
        except (GatewayError, OSError) as exc:
            self._later(path)
            log.error("not taken, stays in the inbox: %s: %s", printable(path.name), exc)
            return
        except Exception:
            # a bug must not end this inbox's task (nothing would be taken any more, silently): the file waits
            self._later(path)
            log.exception("not taken, stays in the inbox: %s: unexpected error", printable(path.name))
            return
        # committed: now the file may leave the inbox, unless what is there now is not what was read (the
        # sender replaced or rewrote it meanwhile): that stays, and is taken again once it is stable
        try:
            if _identity(path) != before:
                log.warning("%s changed while it was taken: recorded as %s as it was read; the new content stays "
                            "in the inbox and is taken once it is stable", printable(path.name), message.id)
                return
            self._release(path, message.id)
            self._kept.pop(path, None)
        except OSError as exc:
            self._kept[path] = before
            log.error("%s is recorded as %s but could not leave the inbox: %s (left there, and not taken again "
                      "while it stays unchanged; a restart takes it once more, as a duplicate)",
                      printable(path.name), message.id, exc.strerror or exc)
        self._seen.pop(path, None)
        self.taken += 1

    def _kills(self, path: Path) -> int:
        """How many times the gateway was killed while taking this file in (0: never, or no isolation)."""
        try:
            return 0 if self.isolation is None else self.isolation.intake_kill_count(
                intake_key("folder", path, *_identity(path)))
        except OSError:
            return 0

    def _set_aside(self, path: Path, key: str, reason: str) -> None:
        """A file that killed the gateway each time it was taken in leaves the inbox for the quarantine, unread: the
        inbox goes on with the others. Not in the journal (it never was a message): the log and its .reason.txt."""
        assert self.isolation is not None
        partner = self.settings.partner or "unknown"
        step = (f"Find what killed the gateway (the log and the system journal at each of those starts: an OOM kill, a "
                f"crash in a library), give the gateway what it lacked (memory: systemd's MemoryMax=), then move the "
                f"file back into {self.folder}, where it is taken as a new file.\nOr have the partner send it again "
                "in smaller files, and delete this copy.")
        try:
            kept = set_aside_file(path, path.name, self.isolation.quarantine / partner, f"{reason}.\nIt was "
                                  f"{path} (from the inbox folder {self.folder}).", step, move=True)
        except OSError as exc:
            self._later(path)
            log.error("%s: %s; it could not be set aside, and stays in the inbox: %s", printable(path.name), reason,
                      exc.strerror or exc)
            return
        self._seen.pop(path, None)
        if path.exists():
            # kept, but it cannot leave the inbox (read-only to us): not set aside again every 2 s, a copy each time,
            # until the disk is full; its count kept, so that a restart sets it aside at once, not dying on it
            self._kept[path] = _identity(path)
            log.error("set aside: %s: %s: copied to %s, with its .reason.txt, but it cannot leave %s: not taken again "
                      "while it stays unchanged; remove it from there", printable(path.name), reason, kept, self.folder)
            return
        self.isolation.forget_intake(key)
        log.error("set aside: %s: %s: moved to %s, with its .reason.txt", printable(path.name), reason, kept)

    def _later(self, path: Path) -> None:
        seen = self._seen.get(path)
        if seen is not None:
            seen.not_before = time.monotonic() + RETRY_SECONDS

    def _release(self, path: Path, message_id: str) -> None:
        processed = self.settings.processed
        if processed is None:
            path.unlink(missing_ok=True)
            return
        target = Path(processed) / path.name
        if target.exists():
            target = target.with_name(processed_name(path.name, message_id))
        # no fsync needed: if a crash undoes the move, the file is taken again and recorded as a duplicate
        os.rename(path, target)
