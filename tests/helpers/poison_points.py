"""Preloaded into a daemon subprocess: a file holding a chosen marker kills the daemon (SIGKILL, as the kernel's OOM
killer or a segfault would) each time a step works on it, as a poison file does.

    GatewayProcess(config, preload=["tests.helpers.poison_points"],
                   env={"EDI_TEST_POISON": "POISON", "EDI_TEST_POISON_STEP": "parse"})

- `EDI_TEST_POISON`: bytes that make a file a poison file; `EDI_TEST_POISON_STEP`: the step that dies on it
  (`parse`, `translate`, `post`; `delivery`: an outbound file written to a partner's folder).
- `EDI_TEST_POISON_ONCE` (a file): the poison kills only while it exists, and removes it first: one kill.
- `EDI_TEST_SLOW`: bytes that make a file slow at that same step (`EDI_TEST_SLOW_SECONDS`, default 1.5). A poison
  file waits (up to 3 s) until a slow file is in its step before it kills, so the slow one is surely worked on
  beside it at the kill: the innocent neighbour of a poison file.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from gateway.journal.api import Message, State
from gateway.outbound.folder_channel import FolderDelivery
from gateway.pipeline import Pipeline

POISON = os.environ.get("EDI_TEST_POISON", "").encode()
STEP = os.environ.get("EDI_TEST_POISON_STEP", "parse")
ONCE = os.environ.get("EDI_TEST_POISON_ONCE")
SLOW = os.environ.get("EDI_TEST_SLOW", "").encode()
SLOW_SECONDS = float(os.environ.get("EDI_TEST_SLOW_SECONDS", "1.5"))
STEPS = {"parse": State.RECEIVED, "translate": State.PARSED}

_slow_running = threading.Event()


def _work_on(pipeline: Pipeline, message: Message) -> None:
    """Where the step does its real work: slow for a slow file, the kill for a poison file."""
    data = pipeline.archive.read(message.sha256)
    if SLOW and SLOW in data:
        _slow_running.set()
        time.sleep(SLOW_SECONDS)
    if POISON and POISON in data and (not ONCE or Path(ONCE).exists()):
        if ONCE:
            Path(ONCE).unlink()
        _slow_running.wait(3.0)
        os.kill(os.getpid(), signal.SIGKILL)


def _poisoned(step: Callable[[Pipeline, Message], Message]) -> Callable[[Pipeline, Message], Message]:
    def run(self: Pipeline, message: Message) -> Message:
        _work_on(self, message)
        return step(self, message)

    run.__name__ = step.__name__          # the pipeline names a step by its function's name
    return run


_canonical = Pipeline._canonical


def _posting(self: Pipeline, message: Message) -> Iterator[Any]:
    """The post step's documents read back, after its wait for a lost Odoo write: where posting begins."""
    _work_on(self, message)
    return _canonical(self, message)


_write = FolderDelivery.write


def _delivering(folder: Path, name: str, data: bytes, *index: Any) -> Path:
    """A delivery to a partner's folder: the kill for a poison file (`EDI_TEST_POISON_STEP=delivery`)."""
    if POISON and POISON in data:
        os.kill(os.getpid(), signal.SIGKILL)
    return _write(folder, name, data, *index)


if STEP == "delivery":
    FolderDelivery.write = staticmethod(_delivering)      # type: ignore[method-assign]
elif STEP == "post":
    Pipeline._canonical = _posting                   # type: ignore[method-assign]
else:
    Pipeline._steps[STEPS[STEP]] = _poisoned(Pipeline._steps[STEPS[STEP]])
