"""`edi-gateway mdn` takes --config before or after its action, like every other command takes it."""

from __future__ import annotations

import pytest

from gateway.cli import build_parser


@pytest.mark.parametrize("argv", [["mdn", "--config", "ws/gateway.yaml", "list"],
                                  ["mdn", "list", "--config", "ws/gateway.yaml"],
                                  ["mdn", "-c", "ws/gateway.yaml", "resend", "<a@bigbox>"],
                                  ["mdn", "resend", "<a@bigbox>", "-c", "ws/gateway.yaml"]])
def test_config_before_or_after_the_action(argv: list[str]) -> None:
    assert build_parser().parse_args(argv).config == "ws/gateway.yaml"


def test_without_config_the_default_lookup_applies() -> None:
    assert build_parser().parse_args(["mdn", "list"]).config is None
