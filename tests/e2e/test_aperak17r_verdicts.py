"""An APERAK's BGM message function (UNCL 1225) read as the partner means it, through `edi-gateway translate`.

UNCL 1225 has more answers than 27 (not accepted), 6 / 29 (accepted) and 30: 48 'accepted, contents rejected' is a
refusal though it carries no ERC (it was read as an acceptance: the invoice would stay done), and 28 / 34 / 45
(accepted with amendment or reserves) and 44 (accepted without reserves) with ERC details are acceptances (they were
read as refusals, the invoice made rejected)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.gateway import cli


def aperak(function: str, errors: str = "") -> bytes:
    return (b"UNA:+.? 'UNB+UNOC:3+5412345000013:14+4012345500004:14+261201:1200+78'UNH+1+APERAK:D:01B:UN:EAN003'"
            + f"BGM+305+10020+{function}'RFF+IV:2746'{errors}UNT+{4 + errors.count(chr(39))}+1'UNZ+1+78'".encode())


@pytest.mark.parametrize(("function", "errors", "said"), [
    ("48", "", "APERAK 10020: rejected, for IV 2746"),
    ("34", "ERC+ZZ1::92'FTX+AAO+++Quantity reduced'", ("APERAK 10020: accepted with errors, for IV 2746: error ZZ1: "
                                                       "Quantity reduced")),
    ("28", "ERC+ZZ2::92'", "APERAK 10020: accepted with errors, for IV 2746: error ZZ2"),
    ("45", "ERC+ZZ3::92'", "APERAK 10020: accepted with errors, for IV 2746: error ZZ3"),
    ("44", "ERC+ZZ4::92'", "APERAK 10020: accepted with errors, for IV 2746: error ZZ4"),
])
def test_each_message_function_gives_its_verdict(tmp_path: Path, function: str, errors: str, said: str) -> None:
    path = tmp_path / "aperak.edi"
    path.write_bytes(aperak(function, errors))
    done = cli("translate", str(path))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == said, done.stdout
