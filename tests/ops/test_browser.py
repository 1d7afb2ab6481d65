"""The status page in a real headless Chromium: the DOM it builds, and a screenshot of it with data."""

from __future__ import annotations

import os
import re
import struct
from pathlib import Path

from .browser import dump_dom, needs_chromium, screenshot
from .conftest import Served

SHOTS = Path(os.environ.get("EDI_SCREENSHOT_DIR", "")) if os.environ.get("EDI_SCREENSHOT_DIR") else None


@needs_chromium
async def test_chromium_renders_partners_stuck_message_and_quarantine(served: Served, tmp_path: Path) -> None:
    world, base, _ = served
    dom = await dump_dom(base + "/")
    assert "<title>Status</title>" in dom
    for partner in ("bigbox", "northwind", "eurohandel", "shopmarket"):
        assert partner in dom
    stuck = dom.split('id="stuck"')[1].split("</section>")[0]
    assert world.ids["northwind_po"] in stuck
    quarantine = dom.split('id="quarantine"')[1].split("</section>")[0]
    assert world.ids["bad_file"] in quarantine and "expected 9 digits" in quarantine
    assert "<b>bad</b>" not in quarantine          # the file name stayed text in the browser's DOM

    raw = await dump_dom(f"{base}/messages/{world.ids['bad_file']}")
    pre = raw.split('<pre class="raw">')[1].split("</pre>")[0]
    assert "<script" not in pre and "<img" not in pre      # nothing from the file became an element
    assert "&lt;script&gt;" in pre

    shot = await screenshot(base + "/", (SHOTS or tmp_path) / "status-page.png")
    width, height = struct.unpack(">II", shot.read_bytes()[16:24])
    assert (width, height) == (1280, 900)
    assert len(shot.read_bytes()) > 20_000            # a page with tables, not a blank one
    assert re.search(rb"IDAT", shot.read_bytes())
