"""The outbox against the real daemon: a destination that fails N times then recovers, one that never
recovers (dead after the limit, then `resend` works), and the pure backoff policy."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from gateway.pipeline import compute_backoff
from tests.helpers.channels import write_control
from tests.helpers.gateway import GatewayProcess, Workspace, cli
from tests.helpers.wait import wait_for
from tests.spine.test_daemon import _queue_outbound

PARTNERS = {"flaky": {"name": "Flaky"}, "broken": {"name": "Broken"}, "fine": {"name": "Fine"}}


def test_backoff_is_exponential_capped_and_jittered() -> None:
    assert [compute_backoff(n, 5, 60, jitter=False) for n in range(1, 7)] == [5, 10, 20, 40, 60, 60]
    assert compute_backoff(3, 5, 60, rand=lambda: 0.0) == 10      # half of 20
    assert compute_backoff(3, 5, 60, rand=lambda: 1.0) == 20
    rng = random.Random(7)
    values = {compute_backoff(4, 1, 100, rand=rng.random) for _ in range(50)}
    assert len(values) > 40 and all(4 <= v <= 8 for v in values)
    # a message retried for days with a small max_backoff reaches thousands of attempts: still capped
    assert compute_backoff(5000, 0.01, 1.0, jitter=False) == 1.0


def test_flaky_destination_recovers_and_dead_one_is_resent(tmp_path: Path) -> None:
    control = tmp_path / "control"
    control.mkdir()
    write_control(control, fail={"flaky": 3, "broken": -1})
    ws = Workspace.create(tmp_path / "ws", {"outbox": {"max_attempts": 4}}, partners=PARTNERS)
    env = {"EDI_TEST_CHANNEL_DIR": str(control)}
    with GatewayProcess(ws.config, preload=["tests.helpers.channels"], env=env):
        flaky = _queue_outbound(ws, "flaky", "997_1.x12", b"ack one")
        broken = _queue_outbound(ws, "broken", "856_1.x12", b"ship notice")
        fine = _queue_outbound(ws, "fine", "810_1.x12", b"invoice")
        # the flaky one fails 3 times, waits with backoff in between, then is delivered once
        wait_for(lambda: ws.messages(id=flaky)[0]["state"] == "done", timeout=60, message="flaky delivered")
        row = ws.messages(id=flaky)[0]
        assert row["attempts"] == 3 and row["last_error"] is None
        states = [e["to_state"] for e in ws.events(flaky)]
        assert states.count("retry_wait") == 3 and states[-2:] == ["sent", "done"]
        assert (ws.root / "outbox" / "flaky" / "997_1.x12").read_bytes() == b"ack one"
        assert (control / f"attempts-{flaky}").read_text() == "4"
        assert ws.messages(id=fine)[0]["state"] == "done"
        # the broken one is dead after max_attempts, with the reason kept
        wait_for(lambda: ws.messages(id=broken)[0]["state"] == "dead", timeout=60, message="broken dead")
        row = ws.messages(id=broken)[0]
        assert row["attempts"] == 4 and "broken is down (attempt 4)" in row["last_error"]
        assert not (ws.root / "outbox" / "broken").exists()
        # once the destination is fixed, `resend` delivers it
        write_control(control)
        result = cli("resend", broken, config=ws.config)
        assert result.returncode == 0, result.stdout + result.stderr
        wait_for(lambda: ws.messages(id=broken)[0]["state"] == "done", timeout=60, message="resent")
        assert (ws.root / "outbox" / "broken" / "856_1.x12").read_bytes() == b"ship notice"
        assert [e["to_state"] for e in ws.events(broken)][-4:] == ["dead", "queued", "sent", "done"]
        # resend of an inbound id is refused with a clear message
        assert cli("resend", "01NOTANID", config=ws.config).returncode == 1


async def test_concurrency_is_limited_per_channel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    from gateway.config.loader import load
    from gateway.config.models import PartnerConfig
    from gateway.journal.api import Direction, Message, State
    from gateway.journal.archive import Archive
    from gateway.journal.sqlite import SqliteJournal
    from gateway.outbound.channels import CHANNELS, DeliveryResult
    from gateway.outbound.outbox import Outbox

    both = asyncio.Event()      # two in at once: the first waits for the second, however late a loaded machine brings it

    class Counting:
        name = "folder"
        running = peak = 0

        async def deliver(self, message: Message, data: bytes, partner: PartnerConfig) -> DeliveryResult:
            Counting.running += 1
            Counting.peak = max(Counting.peak, Counting.running)
            if Counting.running == 2:
                both.set()
            try:
                await asyncio.wait_for(both.wait(), 10)
            except TimeoutError:        # a limit of 1 lets no second in (peak 1): the others need not wait
                both.set()
            await asyncio.sleep(0.05)
            Counting.running -= 1
            return DeliveryResult(detail="counted")

    monkeypatch.setitem(CHANNELS, "folder", Counting())
    ws = Workspace.create(tmp_path, {"outbox": {"concurrency_per_channel": 2}}, partners={"fine": {"name": "F"}})
    config = load(ws.config, environ={})
    journal = SqliteJournal(config.gateway.state_dir / "journal.sqlite3")
    archive = Archive(config.gateway.archive_dir)
    outbox = Outbox(config, journal, archive)
    ids = []
    for n in range(8):
        sha = archive.put(f"doc {n}".encode())
        ids.append(journal.record_intake(direction=Direction.OUT, partner="fine", channel="folder", filename=f"{n}.txt",
                                         sha256=sha, size=5, source_key=f"k{n}", state=State.QUEUED).id)
    results = await asyncio.gather(*(outbox.deliver_one(i) for i in ids))
    assert all(m.state is State.DONE for m in results)
    assert Counting.peak == 2
    journal.close()
