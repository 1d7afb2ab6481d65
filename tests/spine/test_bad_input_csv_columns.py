"""A marketplace export without a column its profile reads says the file has no such column, not only that a value
is required in row 2.

Found dropping ShopMarket's sample export without its 'Menge' (quantity) column through the daemon: the reason was
"row 2 column Menge (quantity): quantity is required", which sends the coordinator to look for an empty cell in
row 2 of a column that is not in the file at all (the partner changed its export, or renamed the column).
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

from ruamel.yaml import YAML

from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.wait import wait_for

EXAMPLES = Path(__file__).resolve().parents[2] / "gateway" / "examples"
EXPORT = (EXAMPLES / "samples" / "shopmarket" / "orders_20261128_0600.csv").read_bytes()


def without(data: bytes, column: str) -> bytes:
    rows = list(csv.reader(io.StringIO(data.decode()), delimiter=";"))
    at = rows[0].index(column)
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\n").writerows(r[:at] + r[at + 1:] for r in rows)
    return out.getvalue().encode()


def test_an_export_without_a_column_its_profile_reads_says_so(tmp_path: Path) -> None:
    inboxes = [{"path": "inbox-shop", "processed": None, "min_age": 0.3, "partner": "shopmarket"}]
    ws = Workspace.create(tmp_path, {"inbox": inboxes})
    example = YAML().load((EXAMPLES / "partners" / "shopmarket.yaml").read_text())
    ws.write_partner("shopmarket", {**{k: v for k, v in example.items() if k != "id"},
                                    "inbound": [{"channel": "folder"}],
                                    "outbound": {"channel": "folder", "path": "outbox/shopmarket"}})
    for profile in (EXAMPLES / "translations").glob("shopmarket-*.yaml"):
        shutil.copy(profile, ws.root / "translations")
    with GatewayProcess(ws.config):
        ws.drop("orders.csv", without(EXPORT, "Menge"), ws.root / "inbox-shop")
        [row] = wait_for(lambda: ws.messages(state="quarantined"), message="the export quarantined")
    assert "row 2 column Menge (quantity; the file has no such column): quantity is required" in row["last_error"], \
        row["last_error"]
