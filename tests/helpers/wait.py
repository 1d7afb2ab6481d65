"""Waiting for a condition without asserting wall-clock times: poll until true or give up."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_for(check: Callable[[], T], timeout: float = 30.0, interval: float = 0.05,
             message: str = "condition") -> T:
    """Call `check` until it returns something truthy; return that, or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last: T = check()
    while not last:
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {message} (last value {last!r})")
        time.sleep(interval)
        last = check()
    return last


async def wait_for_async(check: Callable[[], T], timeout: float = 30.0, interval: float = 0.02,
                         message: str = "condition") -> T:
    """`wait_for` for tests on the event loop: sleeps with asyncio, so the servers under test keep running."""
    deadline = time.monotonic() + timeout
    last: T = check()
    while not last:
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {message} (last value {last!r})")
        await asyncio.sleep(interval)
        last = check()
    return last
