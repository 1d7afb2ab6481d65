"""A big batch file goes through parse, translate and post in memory that is a small multiple of its
size: each transaction set is translated as it is read and let go, and posting reads the documents
back one at a time. Measured as the peak RSS growth of a fresh process running the real pipeline."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.helpers.edifact import orders_batch
from tests.helpers.gateway import Workspace
from tests.helpers.x12 import purchase_order_batch

ROOT = Path(__file__).resolve().parents[2]

CHILD = textwrap.dedent("""
    import json, resource, sys
    from pathlib import Path
    from gateway.config.loader import load
    from gateway.journal.archive import Archive
    from gateway.journal.sqlite import SqliteJournal
    from gateway.pipeline import Pipeline
    from gateway.transports.base import IntakeMeta

    def peak_mb():
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    config = load(Path(sys.argv[1]), environ={})
    journal = SqliteJournal(config.gateway.state_dir / "journal.sqlite3")
    pipeline = Pipeline(config, journal, Archive(config.gateway.archive_dir))
    message = pipeline.submit_sync(Path(sys.argv[2]), IntakeMeta(channel="folder", filename="batch.edi",
                                                                 source_key="batch"))
    before = peak_mb()
    message = pipeline.advance(message.id)
    blob = journal.get_blob(message.id, "canonical") or "[]"
    print(json.dumps({"state": message.state.value, "error": message.last_error, "growth_mb": peak_mb() - before,
                      "documents": blob.count('"PurchaseOrder"')}))
""")


BATCHES = {
    "x12": (lambda: purchase_order_batch(777, 2500),
            {"x12": {"ids": [{"qualifier": "ZZ", "id": "ACMERETAIL"}]}, "documents": [
                {"type": "850", "direction": "in", "profile": "x12-004010-850", "post": False}]}),
    "edifact": (lambda: orders_batch(777, 2500),
                {"edifact": {"ids": [{"qualifier": "14", "id": "4012345000009"}]}, "documents": [
                    {"type": "ORDERS", "direction": "in", "profile": "edifact-d96a-orders", "post": False}]}),
}


@pytest.mark.parametrize("syntax", sorted(BATCHES))
def test_a_batch_file_is_processed_in_memory_bounded_by_a_few_times_its_size(tmp_path: Path, syntax: str) -> None:
    # documents not posted (post: false), so the posting step reads them all back without an Odoo
    make, partner = BATCHES[syntax]
    ws = Workspace.create(tmp_path / "ws", {"odoo": {"enabled": True, "url": "http://127.0.0.1:9"}},
                          partners={"retailer": {"name": "Retailer", **partner}})
    batch = tmp_path / "batch.edi"
    batch.write_bytes(make())
    size_mb = batch.stat().st_size / 1e6
    assert size_mb > 2.5
    done = subprocess.run([sys.executable, "-c", CHILD, str(ws.config), str(batch)], capture_output=True,
                          text=True, timeout=600, check=False, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["state"] == "done", figures["error"]
    assert figures["documents"] == 2500
    # the whole file parsed, then all its documents built at once, took ~58x its size (X12, measured: 383 MB
    # for 6.6 MB); set by set ~14x (X12) and ~19x (EDIFACT, whose interchange text is split whole; 33x when
    # its messages were all kept until the end). 30x leaves room for allocator noise
    assert figures["growth_mb"] < 30 * size_mb, figures
