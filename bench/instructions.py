"""Instruction counts (callgrind) of each stage of the X12 850 -> canonical JSON path, per file and per document.

    .venv/bin/python bench/instructions.py                  # every stage
    .venv/bin/python bench/instructions.py full validate    # some stages
    .venv/bin/python bench/instructions.py --passes 4       # more passes (the count per pass barely moves)
    .venv/bin/python bench/instructions.py --input big.edi read gs1    # other 850 files as the input

Why: bench/translate.py's CPU-time rates move by a third from run to run on a shared, loaded machine, so a
change of a few per cent cannot be told from noise there. Instructions executed barely move between runs, so a
before/after pair of this script (same input, same Python) shows a 1 % change.

The input is the same as bench/translate.py's: the 850 files of the shared corpus and the example partners'
samples, those our path reads without error and translates (the others are left out). Each stage runs in its own
process under valgrind: imports, profile loading and a warm-up run natively (valgrind started with
--instr-atstart=no), then gc.freeze() as the daemon does, then the process turns instrumentation on
(callgrind_control -i on) and runs the stage's passes inside exec(), the only place instructions are counted
(--toggle-collect=builtin_exec; nothing on the measured path calls exec).

Stages:
  full       x12.parse (structure validation) + translate_json, file by file, as bench/translate.py
  read       x12.parse with structure validation
  readnv     x12.parse without
  translate  translate_json from the parsed transactions
  profile    inbound.read: the profile's dict of each transaction
  validate   the canonical model's validation of those dicts (into model instances: translate, not the pipeline)
  json       to_json of the validated documents (the same)
  plain      canonical.plain_json of those dicts: validation and JSON as the pipeline does them
  plainvalidate, plainjson, plainchecks   plain's three parts: the typed-dict validation of those dicts, the JSON
             (pydantic_core.to_json + decode) of the validated plain dicts, and their checks (_PLAIN_CHECKS and
             check_plain). Measured apart they add up to more than plain itself (bench input, 30 November: 168,000
             + 128,000 + 33,000 a document against 303,000): plain_json has no cost of its own left to cut
  gs1        gs1.findings of the parsed transactions: the GS1 check-digit notes, a part of read
  envelope   x12.parse (no validation) of a one-line 850 (ISA GS ST BEG SE GE IEA): a file's fixed cost
  harness    the loop over the input that runs no stage: what every stage's figure includes besides its own
             work (about 100,000 a pass, 5,000 a file of the bench input; with one --input file, give more
             --passes or subtract it)
"""

from __future__ import annotations

import argparse
import copy
import gc
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

STAGES = ("full", "read", "readnv", "translate", "profile", "validate", "json", "plain", "plainvalidate", "plainjson",
          "plainchecks", "gs1", "envelope", "harness")
ENVELOPE_850 = (b"ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240101*1200*U*00401*"
                b"000000001*0*P*>~\nGS*PO*SENDER*RECEIVER*20240101*1200*1*X*004010~\nST*850*0001~\n"
                b"BEG*00*SA*PO1**20240101~\nSE*3*0001~\nGE*1*1~\nIEA*1*000000001~\n")


def _prepared(given: list[str]) -> dict[str, Any]:
    """The accepted input files (`given`, else bench/translate.py's) and, from them, each stage's input (made before
    anything is counted)."""
    from translate import sources

    from gateway.formats import x12
    from gateway.translate import ProfileRegistry, inbound, translate
    from gateway.translate.canonical import _PLAIN, to_json
    profiles = ProfileRegistry.load([])

    def accepted(data: bytes) -> bool:
        try:
            result = x12.parse(data, validate=True)
            for tx in result.transactions:
                for doc in translate(tx, None, profiles):
                    to_json(doc, indent=None)
        except Exception:  # noqa: BLE001 - as bench/translate.py, files our path rejects are left out
            return False
        return not result.errors
    files = [data for data in (path.read_bytes() for path in [Path(g) for g in given] or sources()) if accepted(data)]
    parsed = [tx for data in files for tx in x12.parse(data, validate=True).transactions]
    chosen = [inbound.profile_for(tx, None, profiles) for tx in parsed]
    dicts = [inbound.read(profile, tx) for profile, tx in zip(chosen, parsed, strict=True)]
    docs = [inbound.validate(copy.deepcopy(data), profile, tx) for data, profile, tx in zip(dicts, chosen, parsed,
                                                                                          strict=True)]
    plains = [_PLAIN.validate_python(data) for data in dicts] if _PLAIN is not None else []
    return {"files": files, "parsed": parsed, "chosen": chosen, "dicts": dicts, "docs": docs, "profiles": profiles,
            "plains": plains}


def _stage(name: str, p: dict[str, Any]) -> None:
    """One pass of stage `name` over the prepared input."""
    import pydantic_core

    from gateway.formats import gs1, x12
    from gateway.translate import inbound
    from gateway.translate.canonical import _PLAIN, _PLAIN_CHECKS, check_plain, plain_json, to_json
    if name in ("full", "read", "readnv"):
        for data in p["files"]:
            result = x12.parse(data, validate=name != "readnv")
            if name == "full":
                for tx in result.transactions:
                    inbound.translate_json(tx, None, p["profiles"])
    elif name == "translate":
        for tx in p["parsed"]:
            inbound.translate_json(tx, None, p["profiles"])
    elif name == "profile":
        for profile, tx in zip(p["chosen"], p["parsed"], strict=True):
            inbound.read(profile, tx)
    elif name == "validate":
        for data, profile, tx in zip(p["dicts"], p["chosen"], p["parsed"], strict=True):
            inbound.validate(data, profile, tx)
    elif name == "json":
        for doc in p["docs"]:
            to_json(doc, indent=None)
    elif name == "plain":
        for data in p["dicts"]:
            plain_json(data)
    elif name in ("plainvalidate", "plainjson", "plainchecks"):
        if _PLAIN is None:
            raise SystemExit("the canonical models have no plain form: plain_json goes the models' way")
        if name == "plainvalidate":
            for data in p["dicts"]:
                _PLAIN.validate_python(data)
        elif name == "plainjson":
            for plain in p["plains"]:
                pydantic_core.to_json(plain).decode()
        else:
            for plain in p["plains"]:
                check = _PLAIN_CHECKS.get(plain["doc_type"])
                if check is not None:
                    check(plain)
                check_plain(plain)
    elif name == "gs1":
        for tx in p["parsed"]:
            gs1.findings(tx)
    elif name == "envelope":
        for _ in p["files"]:            # as many files as the other stages read, each the one-line 850
            x12.parse(ENVELOPE_850, validate=False)
    elif name == "harness":
        for _ in p["files"]:
            pass
    else:
        raise SystemExit(f"unknown stage {name}")


def worker(name: str, passes: int, given: list[str]) -> None:
    """Under valgrind: warm up, freeze, turn instrumentation on, run `passes` passes inside exec()."""
    prepared = _prepared(given)
    _stage(name, prepared)
    _stage(name, prepared)                                    # warm-up: profile nodes compiled, caches filled
    gc.freeze()
    control = subprocess.Popen(["callgrind_control", "-i", "on", str(os.getpid())],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while control.poll() is None:
        pass                            # (busy: valgrind answers the request only while this process runs code)
    exec("for _ in range(passes): _stage(name, prepared)",  # noqa: S102 - the counted region, see above
         {"_stage": _stage, "name": name, "prepared": prepared, "passes": passes})
    print(f"counts {len(prepared['files'])} {len(prepared['parsed'])}", file=sys.stderr)


def measure(name: str, passes: int, out_dir: Path, given: list[str]) -> tuple[int, int, int]:
    """(instructions per pass, files, documents) of stage `name`, from a callgrind run in a fresh process."""
    out = out_dir / f"callgrind.{name}.out"
    command = ["valgrind", "--tool=callgrind", "--instr-atstart=no", "--collect-atstart=no",
               "--toggle-collect=builtin_exec", f"--callgrind-out-file={out}", sys.executable, __file__,
               "--worker", name, "--passes", str(passes), *(f"--input={path}" for path in given)]
    proc = subprocess.run(command, check=False, capture_output=True, text=True)
    collected = [line for line in proc.stderr.splitlines() if "Collected :" in line]
    counts = [line for line in proc.stderr.splitlines() if line.startswith("counts ")]
    if proc.returncode != 0 or not collected or not counts:
        raise SystemExit(f"stage {name} failed:\n{proc.stderr[-2000:]}")
    _, files, docs = counts[-1].split()
    if name == "envelope":
        docs = files                    # one one-line 850 a file
    return int(collected[-1].split()[-1]) // passes, int(files), int(docs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("stages", nargs="*", default=list(STAGES), help=f"some of: {' '.join(STAGES)}")
    parser.add_argument("--passes", type=int, default=2, help="counted passes over the input per stage")
    parser.add_argument("--keep", metavar="DIR", help="keep the callgrind files here (for callgrind_annotate)")
    parser.add_argument("--input", action="append", default=[], metavar="FILE",
                        help="an 850 file to read instead of bench/translate.py's input (repeatable)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.passes, [str(Path(path).resolve()) for path in args.input])
        return 0
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        raise SystemExit("valgrind (with callgrind_control) is needed: apt-get install valgrind")
    unknown = [s for s in args.stages if s not in STAGES]
    if unknown:
        raise SystemExit(f"unknown stage(s) {' '.join(unknown)}; stages: {' '.join(STAGES)}")
    out_dir = Path(args.keep) if args.keep else Path(os.environ.get("TMPDIR", "/tmp")) / f"instructions.{os.getpid()}"
    out_dir.mkdir(parents=True, exist_ok=True)
    print(f"python {sys.version.split()[0]}, callgrind instruction counts (Ir), {args.passes} passes per stage")
    print(f"{'stage':14}{'Ir per pass':>14}{'per file':>11}{'per doc':>10}{'of full':>9}")
    results: dict[str, int] = {}
    for name in args.stages:
        total, files, docs = measure(name, args.passes, out_dir, [str(Path(path).resolve()) for path in args.input])
        results[name] = total
        share = f"{100 * total / results['full']:>8.1f}%" if "full" in results else f"{'':>9}"
        print(f"{name:14}{total:>14,}{total // files:>11,}{total // docs:>10,}{share}", flush=True)
    if not args.keep:
        shutil.rmtree(out_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
