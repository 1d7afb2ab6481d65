"""`edi-gateway inspect`: run as a real subprocess, on X12, EDIFACT, XML, CSV and junk."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.corpus import corpus_files, needs_corpus

BAD_X12 = ("ISA*00*          *00*          *ZZ*BIGBOXRETAIL   *ZZ*ACMEDIST       *260115*1030*U*00401*"
           "000000101*0*P*>~\nGS*PO*BIGBOX*ACMEDIST*20260115*1030*101*X*004010~\nST*850*0001~\n"
           "BEG*00*SA*PO-1**2026011X~\nPO1*1*10*EA*12.50**UP*614141000012~\nCTT*1~\nSE*9*0001~\n"
           "GE*1*101~\nIEA*1*000000101~\n")


def inspect(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "gateway", "inspect", *args], capture_output=True, text=True,
                          timeout=60, cwd=Path(__file__).resolve().parents[2], check=False)


def test_x12_with_errors_is_readable_and_every_issue_is_listed(tmp_path: Path) -> None:
    path = tmp_path / "po.x12"
    path.write_text(BAD_X12)
    done = inspect(str(path))
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "delimiters: element '*', component '>', repetition none, segment '~' followed by '\\n'" in out
    assert "interchange 1: control 000000101, ZZ:BIGBOXRETAIL -> ZZ:ACMEDIST, version 00401" in out
    assert "group 1: PO 101" in out and "transaction 1: 850 0001 (version 004010), 5 segments, REJECTED" in out
    assert "segment 5 SE, element 1: SE01 says '9' segments" in out and "[code 4]" in out
    assert "segment 2 BEG, element 5: BEG05 (Date): '2026011X' is not a valid date" in out
    assert "Traceback" not in done.stderr


def test_json_report(tmp_path: Path) -> None:
    path = tmp_path / "po.x12"
    path.write_text(BAD_X12)
    done = inspect(str(path), "--json")
    assert done.returncode == 0
    report = json.loads(done.stdout)
    assert report["syntax"] == "x12" and report["segments"] == 9
    env = report["interchanges"][0]
    assert env["delimiters"]["segment"] == "~" and env["groups"][0]["transactions"][0]["segments"] == 5
    codes = {(i["level"], i.get("code")) for i in report["issues"]}
    assert ("transaction", "4") in codes and ("element", "8") in codes
    assert report["issue_counts"]["error"] >= 2


@pytest.mark.parametrize("content", [b"\x00\x01\x02binary\xff\xfe", b"", b"ISA*garbage"])
def test_unreadable_files_exit_1_without_traceback(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "junk.bin"
    path.write_bytes(content)
    done = inspect(str(path))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and str(path) in done.stderr
    assert inspect(str(tmp_path / "missing.x12")).returncode == 1


@needs_corpus
@pytest.mark.parametrize("sub,pattern", [("edifact", "ORDERS*"), ("xml", "*.xml"), ("csv", "*.csv")])
def test_other_syntaxes_go_through_the_same_entry_point(sub: str, pattern: str) -> None:
    path = corpus_files(sub, pattern)[0]
    done = inspect(str(path), "--json")
    assert "Traceback" not in done.stderr
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["syntax"] == sub


def test_output_piped_into_a_closed_reader_is_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "po.x12"
    path.write_text(BAD_X12 * 200)
    proc = subprocess.Popen([sys.executable, "-m", "gateway", "inspect", str(path)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=Path(__file__).resolve().parents[2])
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()                       # like `| head -1`
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0 and "Traceback" not in err
