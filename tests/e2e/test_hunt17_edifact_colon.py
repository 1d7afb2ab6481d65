"""A ':' in text we write in EDIFACT (a delivery contact 'Lager A+B: Tor 3', an item 'Display 16:9') is released.
The profile's values were joined into one string per element before the writer released them, so a ':' in a value
was a component separator on the wire: the retailer read NAD+DP's name as 'Lager A+B' and ' Tor 3' (two C080
names) and the IMD as two 7008 texts; a '+' or ''' was released, a ':' not. Now each component goes to the writer
as a value of its own, which it releases ('Lager A?+B?: Tor 3'). Through `edi-gateway render`, read back with the
gateway's own EDIFACT reader."""

from __future__ import annotations

import json
from pathlib import Path

from gateway.formats import parse
from tests.helpers.gateway import Workspace, cli

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "bigbox" / "810_invoice.json"


def test_a_colon_in_a_name_or_description_is_released_not_a_component(tmp_path: Path) -> None:
    partner = {"name": "Südmarkt", "odoo": {"partner_ref": "SUEDMARKT"},
               "edifact": {"ids": [{"qualifier": "14", "id": "4300001000006"}], "syntax": "UNOC",
                           "version": "D01B"},
               "outbound": {"channel": "folder", "path": str(tmp_path / "sent")},
               "documents": [{"type": "INVOIC", "direction": "out", "profile": "edifact-d01b-invoic",
                              "trigger": "invoice_posted"}]}
    ws = Workspace.create(tmp_path / "gw", {"our_ids": {"edifact": {"qualifier": "14", "id": "0614141000005"}}},
                          partners={"suedmarkt": partner})
    doc = json.loads(GOLDEN.read_text())
    doc = doc[0] if isinstance(doc, list) else doc
    [ship_to] = [p for p in doc["parties"] if p["role"] == "ship_to"]
    ship_to["name"] = "Lager A+B: Tor 3"
    doc["lines"][0]["description"] = "Display 16:9"
    (tmp_path / "invoice.json").write_text(json.dumps(doc))
    done = cli("render", str(tmp_path / "invoice.json"), "--partner", "suedmarkt", "--type", "INVOIC",
               config=ws.config)
    assert done.returncode == 0, done.stderr
    assert "NAD+DP+0860001000023::9++Lager A?+B?: Tor 3'" in done.stdout, done.stdout
    [tx] = parse(done.stdout.encode("latin-1")).transactions
    [nad] = [seg for seg in tx.segments if seg.fields[0] == "NAD" and seg.fields[1] == "DP"]
    assert nad.fields[4].split(nad.component_sep) == ["Lager A+B: Tor 3"]
    [imd] = [seg for seg in tx.segments if seg.fields[0] == "IMD"][:1]
    assert imd.fields[3].split(imd.component_sep)[3:] == ["Display 16:9"], imd.fields
