"""The 824's table as 004010 publishes it, through `edi-gateway inspect`: under a TED, the LM loop holds an LQ loop
(LQ, then its RED), repeated up to 100 times. The table had LQ and RED as two plain segments, so a second LQ after a
RED (two codes in error, each with its related data) was 'out of sequence' and the 997 we sent for a valid 824 said
accepted with errors."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers.gateway import cli


def test_an_lq_loop_repeated_with_its_red_is_in_sequence(tmp_path: Path) -> None:
    body = ["ST*824*0001", "BGN*00*AA1*20261201", "OTI*TR*IV*INV1", "TED*024*CODE NOT ON FILE", "LM*VI",
            "LQ*0*ZZ1", "RED*FIRST CODE", "LQ*0*ZZ2", "RED*SECOND CODE"]
    path = tmp_path / "824.x12"
    path.write_text("ISA*00*          *00*          *08*925485US00     *12*5015550123     *261201*0930*U*00401*"
                    "000000001*0*P*>~GS*AG*925485US00*5015550123*20261201*0930*1*X*004010VICS~"
                    + "".join(s + "~" for s in body) + f"SE*{len(body) + 1}*0001~GE*1*1~IEA*1*000000001~")
    done = cli("inspect", "--json", str(path))
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["issues"] == [], report["issues"]
