"""The demo's progress output: plain lines when piped, a bar redrawn in place on a terminal."""

from __future__ import annotations

import io

from gateway.demo.progress import Progress


class Terminal(io.StringIO):
    def __init__(self, encoding: str) -> None:
        super().__init__()
        self._encoding = encoding

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self._encoding

    def isatty(self) -> bool:
        return True


def test_plain_lines_when_not_a_terminal() -> None:
    out = io.StringIO()
    p = Progress(2, out)
    p.begin("First")
    p.note("half way")
    p.end("ok", "done it")
    p.begin("Second")
    p.end("skipped", "the SFTP server is not built")
    text = out.getvalue()
    assert "\r" not in text and "\x1b" not in text
    assert "[1/2] First ...\n" in text and "      half way\n" in text
    assert "[1/2] First: ok (" in text and "done it" in text
    assert "[2/2] Second: SKIPPED (" in text and "not built" in text
    assert [r.outcome for r in p.results] == ["ok", "skipped"]


def test_bar_on_a_terminal_and_ascii_when_the_encoding_lacks_the_glyphs() -> None:
    for encoding, full, tick in (("utf-8", "\u2588", "\u2714"), ("latin-1", "#", "+")):
        out = Terminal(encoding)
        p = Progress(2, out)
        p.begin("First")
        p.end("ok")
        p.begin("Second")
        p.end("failed", "it broke")
        p.finish()
        text = out.getvalue()
        assert "\r\x1b[2K" in text                      # the bar line is redrawn in place
        assert f"[{full * 12}" in text                  # half the bar filled after step 1 of 2
        assert f"{tick} First (" in text and "Second: FAILED: it broke" in text
        text.encode(encoding)                            # nothing the terminal cannot show
