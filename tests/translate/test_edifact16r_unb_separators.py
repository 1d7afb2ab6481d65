"""An internal recipient id holding a separator of our UNB is refused by lint: S003 is written with its ':' as
they are (not released), so `recipient_internal: ['DC:1']` went out as `UNB+UNOC:4+...+4012345000009:14:DC:1+`,
which the partner reads as the internal id DC with the sub-identification 1 (our own reader too, without a word):
the interchange routed to another desk. A '*' is version 4's repetition separator there. Through `edi-gateway
lint` on the example workspace."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.translate.test_edifact16_unb_recipient import run, workspace


@pytest.mark.parametrize("internal", ["['DC:1']", "[EDI-IN, 'DC*7']"])
def test_lint_refuses_an_internal_id_holding_a_separator(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                         internal: str) -> None:
    code, out = run(capsys, "lint", "--config", str(workspace(tmp_path, "4", internal)))
    assert code != 0 and "recipient_internal" in out and "holds ':' or '*'" in out, out
    assert "eurohandel.yaml" in out, out
