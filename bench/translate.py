"""X12 850 -> canonical JSON throughput, side by side with the Bots translator's figure.

    .venv/bin/python bench/translate.py               # about 2 MB of 850s, 3 runs, best kept
    .venv/bin/python bench/translate.py --mb 10
    .venv/bin/python bench/translate.py --batch 100    # retailer batch files, 100 POs each

The input is every X12 850 of the shared corpus plus the example partners' samples,
repeated until the size asked for, one file each as the gateway receives them. Each file
goes the whole inbound way minus Odoo: read (gateway.formats.x12.parse, with structure
validation), partner profile picked (base profile: no partner), translated by the compiled
profile, validated by the canonical model, serialised to JSON. Rates use CPU time of this
process, which other work on a shared machine does not distort.

Peer: Bots (bots-edi 3.x), the open-source EDI translator, measured on this machine for 850 ->
XML with its x12 grammar and a one-to-one mapping script: about 0.2 MB/s and 240 messages/s
(the figure the issue gives; Bots is not installed here, so it is quoted, not re-run). Goal: 50x.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BOTS_MB_S = 0.2
BOTS_MSG_S = 240.0
GOAL = 50.0


def inputs(megabytes: float) -> list[bytes]:
    """850 files (corpus + samples) repeated to about `megabytes` MB."""
    sources = sorted((ROOT.parent / "shared" / "corpus" / "x12").glob("850_*.edi"))
    sources += sorted((ROOT / "gateway" / "examples" / "samples").glob("*/850_*.edi"))
    files = [p.read_bytes() for p in sources]
    out: list[bytes] = []
    size = 0
    while size < megabytes * 1_000_000:
        for data in files:
            out.append(data)
            size += len(data)
    return out


def batches(megabytes: float, per_file: int) -> list[bytes]:
    """Retailer-style files: `per_file` purchase orders per interchange, from the example partners' samples."""
    bodies: list[tuple[str, str]] = []
    for sample in sorted((ROOT / "gateway" / "examples" / "samples").glob("*/850_*.edi")):
        text = sample.read_text()
        head, rest = text[:text.index("ST*")], text[text.index("ST*"):text.index("GE*")]
        for st in rest.split("ST*850*")[1:]:
            bodies.append((head, "ST*850*" + st))
    out: list[bytes] = []
    size = n = 0
    while size < megabytes * 1_000_000:
        head = bodies[n % len(bodies)][0]
        sets = []
        for i in range(per_file):
            body = bodies[(n + i) % len(bodies)][1]
            control = body.split("*", 3)[2].split("~")[0]
            sets.append(body.replace(f"*{control}~", f"*{i + 1:04d}~"))
        data = (head + "".join(sets) + f"GE*{per_file}*1~\nIEA*1*{head[90:99]}~\n").encode()
        out.append(data)
        size += len(data)
        n += per_file
    return out


def _pass(files: list[bytes], validate: bool) -> tuple[float, float, int, int]:
    """One pass, file by file as the pipeline works: (read seconds, translate+JSON seconds, docs, failed)."""
    from gateway.formats import x12
    from gateway.translate import ProfileRegistry, translate
    from gateway.translate.canonical import to_json
    profiles = ProfileRegistry.load([])
    clock = time.process_time
    read_s = translate_s = 0.0
    docs = failed = 0
    for data in files:
        start = clock()
        result = x12.parse(data, validate=validate)
        middle = clock()
        for tx in result.transactions:
            try:
                for doc in translate(tx, None, profiles):
                    to_json(doc, indent=None)
                    docs += 1
            except Exception:  # noqa: BLE001 - the corpus holds deliberately broken fixtures
                failed += 1
        end = clock()
        read_s += middle - start
        translate_s += end - middle
    return read_s, translate_s, docs, failed


def run_once(files: list[bytes]) -> dict[str, float]:
    """CPU seconds of the full path, of the path without validation, and of translation alone."""
    read_v, translate_v, docs, failed = _pass(files, validate=True)
    read_n, translate_n, _, _ = _pass(files, validate=False)
    return {"full": read_v + translate_v, "novalidate": read_n + translate_n, "translate": translate_n,
            "bytes": float(sum(map(len, files))), "docs": float(docs), "failed": float(failed)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=2.0, help="megabytes of 850 files per run")
    parser.add_argument("--runs", type=int, default=3, help="runs; the fastest of each stage is kept")
    parser.add_argument("--batch", type=int, default=0, metavar="N",
                        help="instead of the corpus: files of N purchase orders each (retailer batches)")
    args = parser.parse_args()
    files = batches(args.mb, args.batch) if args.batch else inputs(args.mb)
    run_once(files[:20])                                   # warm-up: imports, profile compilation
    runs = [run_once(files) for _ in range(args.runs)]
    best = {k: min(r[k] for r in runs) for k in ("full", "novalidate", "translate")}
    size, docs, failed = runs[0]["bytes"], runs[0]["docs"], runs[0]["failed"]
    rows = [
        ("full inbound path", best["full"],
         "X12 read + structure validation + translation + canonical JSON"),
        ("without validation", best["novalidate"], "X12 read + translation + canonical JSON"),
        ("translation alone", best["translate"], "profile + canonical model + JSON, from parsed transactions"),
    ]
    print(f"X12 850 files -> canonical JSON: {len(files)} files, {size / 1e6:.2f} MB, {int(docs)} documents "
          f"({int(failed)} from failing corpus fixtures), best of {args.runs} runs, CPU time")
    print(f"{'':22}{'MB/s':>8}{'docs/s':>9}{'x Bots MB/s':>13}{'x Bots docs/s':>15}")
    for name, cpu, what in rows:
        mb_s, doc_s = size / 1e6 / cpu, docs / cpu
        print(f"{name:22}{mb_s:>8.2f}{doc_s:>9.0f}{mb_s / BOTS_MB_S:>12.0f}x{doc_s / BOTS_MSG_S:>14.0f}x   {what}")
    print(f"{'Bots (quoted)':22}{BOTS_MB_S:>8.2f}{BOTS_MSG_S:>9.0f}{1:>12.0f}x{1:>14.0f}x   850 -> XML, "
          f"bots-edi 3.x on this machine (goal: {GOAL:.0f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
