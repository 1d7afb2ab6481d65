"""Free space where the gateway writes: exported per filesystem, named on the status page and in the daemon's
log when it falls under ops.min_free_mb."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from types import SimpleNamespace

from prometheus_client.parser import text_string_to_metric_families

from gateway.ops import start
from gateway.ops.disk import free_space
from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.wait import wait_for

from .conftest import World, fetch


async def test_metrics_and_status_page_show_free_space(world: World) -> None:
    gw = world.config.model_copy(deep=True)
    gw.ops.port = 0
    ctx = SimpleNamespace(config=gw, journal=world.journal, partners={}, ports={})
    stop = await start(ctx)
    try:
        base = f"http://127.0.0.1:{ctx.ports['ops']}"
        status, _, body = await asyncio.to_thread(fetch, base + "/metrics")
        assert status == 200
        free = {s.labels["uses"]: s.value for family in text_string_to_metric_families(body.decode())
                if family.name == "edi_gateway_free_bytes" for s in family.samples}
        [uses] = free                                     # all of the test's folders are on one filesystem
        assert uses.split(",")[:2] == ["state", "archive"] and "inbox" in uses
        st = os.statvfs(world.tmp)
        assert abs(free[uses] - st.f_bavail * st.f_frsize) < 64 * 2**20       # the disk moves a little meanwhile
        _, _, page = await asyncio.to_thread(fetch, base + "/")
        assert "where the gateway keeps its" not in page.decode()           # plenty of space for 1 GB
        gw.ops.min_free_mb = 2**40                        # a million TB: no disk has that much free
        _, _, page = await asyncio.to_thread(fetch, base + "/")
        text = page.decode()
        assert 'class="notices"' in text and "where the gateway keeps its state, archive" in text
        assert "ops.min_free_mb is 1099511627776" in text and "every partner&#x27;s traffic waits" in text
    finally:
        await stop()


def test_folders_not_made_yet_count_where_they_will_be(tmp_path: Path) -> None:
    from gateway.config.models import GatewayConfig
    gw = GatewayConfig(state_dir=tmp_path / "state", archive_dir=tmp_path / "not" / "yet" / "archive",
                       quarantine_dir=tmp_path / "q", outbox_dir=tmp_path / "o", inbox=[{"path": tmp_path / "in"}])
    [space] = free_space(gw)
    assert space.uses == ("state", "archive", "quarantine", "outbox", "inbox") and space.free > 0


def test_a_running_daemon_logs_a_disk_that_is_filling_up(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path, {"ops": {"enabled": False, "min_free_mb": 2**40}})
    with GatewayProcess(ws.config) as gw:
        wait_for(lambda: "disk: only" in gw.output(), message="the free space warning")
        text = gw.output()
    assert "where the gateway keeps its state, archive, quarantine, outbox, inbox" in text, text
    assert text.count("disk: only") == 1
