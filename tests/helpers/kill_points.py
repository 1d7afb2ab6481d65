"""Preloaded into a daemon subprocess: SIGKILL it at one named point, once.

    GatewayProcess(config, preload=["tests.helpers.kill_points"],
                   env={"EDI_TEST_KILL_AT": "after_commit", "EDI_TEST_KILL_MARKER": str(marker)})

The marker file must exist for the kill to fire; it is removed first, so the restarted daemon
runs through. Points:
- `after_archive`  bytes archived and fsynced, journal row not yet committed
- `after_commit`   intake committed, the source (inbox file) not yet released
- `after_ack`      an acknowledgement queued, the inbound message not yet moved to PARSED
- `after_write`    a file delivered to the partner's folder, the outbound message not yet SENT
- `after_sent`     an outbound message's move to SENT written (in the open transaction), nothing after it
- `after_index`    a file for a folder or our SFTP server's outbound/: bytes staged, index entry written, not renamed
- `after_place`    that file renamed into the partner's outbound/, the outbound message not yet SENT

`EDI_TEST_HOLD_MARKER` (a file): while it exists, an `sftp` account delivery waits before placing its file,
so a test can have the partner fetch in the window between a restart and the outbox's re-delivery.
"""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path
from typing import Any

from gateway.journal.api import State
from gateway.journal.archive import Archive
from gateway.journal.sqlite import SqliteJournal
from gateway.outbound import placing
from gateway.outbound.folder_channel import FolderDelivery
from gateway.outbound.sftp_channel import SftpAccountDelivery
from gateway.pipeline import Pipeline

POINT = os.environ.get("EDI_TEST_KILL_AT", "")


def _maybe_die(point: str) -> None:
    marker = os.environ.get("EDI_TEST_KILL_MARKER")
    if point == POINT and marker and Path(marker).exists():
        Path(marker).unlink()
        os.kill(os.getpid(), signal.SIGKILL)


_put = Archive.put
_submit_sync = Pipeline.submit_sync
_queue_outbound = Pipeline.queue_outbound
_write = FolderDelivery.write
_transition = SqliteJournal.transition
_place = SftpAccountDelivery._place
_write_durably = placing.write_durably
_deliver = SftpAccountDelivery.deliver


def _put_then(self: Archive, data: Any) -> str:
    sha = _put(self, data)
    _maybe_die("after_archive")
    return sha


def _submit_then(self: Pipeline, data: Any, meta: Any) -> Any:
    message = _submit_sync(self, data, meta)
    _maybe_die("after_commit")
    return message


def _queue_then(self: Pipeline, partner: Any, rendered: Any, **kw: Any) -> Any:
    message = _queue_outbound(self, partner, rendered, **kw)
    if kw.get("parent_id"):
        _maybe_die("after_ack")
    return message


def _write_then(folder: Path, name: str, data: bytes, *index: Any) -> Path:
    target = _write(folder, name, data, *index)
    _maybe_die("after_write")
    return target


def _transition_then(self: SqliteJournal, message_id: str, to: State, *args: Any, **kw: Any) -> Any:
    message = _transition(self, message_id, to, *args, **kw)
    if to is State.SENT:
        _maybe_die("after_sent")
    return message


def _place_then(*args: Any) -> Any:
    where = _place(*args)
    _maybe_die("after_place")
    return where


def _write_durably_then(path: Path, data: bytes) -> None:
    _write_durably(path, data)
    if path.parent.parent.name == ".delivered":
        _maybe_die("after_index")


async def _held_deliver(self: SftpAccountDelivery, *args: Any) -> Any:
    hold = os.environ.get("EDI_TEST_HOLD_MARKER")
    while hold and Path(hold).exists():
        await asyncio.sleep(0.05)
    return await _deliver(self, *args)


Archive.put = _put_then                              # type: ignore[method-assign]
Pipeline.submit_sync = _submit_then                  # type: ignore[method-assign]
Pipeline.queue_outbound = _queue_then                # type: ignore[method-assign]
FolderDelivery.write = staticmethod(_write_then)     # type: ignore[method-assign]
SqliteJournal.transition = _transition_then          # type: ignore[method-assign]
SftpAccountDelivery._place = staticmethod(_place_then)   # type: ignore[method-assign]
placing.write_durably = _write_durably_then
SftpAccountDelivery.deliver = _held_deliver          # type: ignore[method-assign]
