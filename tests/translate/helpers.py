"""Small builders the translation tests share: X12 text from segment lines, a registry from YAML texts."""

from __future__ import annotations

from pathlib import Path

from gateway.formats import x12
from gateway.formats.base import ParseResult
from gateway.translate import ProfileRegistry
from gateway.translate.canonical import Document


def interchange(body: list[str], *, st: str = "850", gs: str = "PO", version: str = "004010",
                sender: tuple[str, str] = ("ZZ", "SOMEBUYER"), gs_sender: str = "SOMEBUYER",
                receiver: str = "ACMEDIST", test: str = "P", control: str = "000000101") -> bytes:
    """A one-transaction X12 interchange around `body` (segments without terminators)."""
    isa_version = version[:5]
    isa = (f"ISA*00*          *00*          *{sender[0]}*{sender[1]:<15}*ZZ*{receiver:<15}*261128*1200*U*"
           f"{isa_version}*{control}*0*{test}*>")
    segs = [isa, f"GS*{gs}*{gs_sender}*{receiver}*20261128*1200*101*X*{version}", f"ST*{st}*0001", *body,
            f"SE*{len(body) + 2}*0001", "GE*1*101", f"IEA*1*{control}"]
    return ("~\n".join(segs) + "~\n").encode()


def parse(data: bytes) -> ParseResult:
    return x12.parse(data)


def registry(tmp: Path, files: dict[str, str]) -> ProfileRegistry:
    """Base profiles plus the given `name: yaml text` files written to `tmp`."""
    tmp.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (tmp / name).write_text(text, encoding="utf-8")
    return ProfileRegistry.load([tmp])


PO_BODY = [
    "BEG*00*SA*PO-1**20261128",
    "REF*DP*042",
    "DTM*002*20261205",
    "N1*ST*STORE 7*UL*0860001000023",
    "PO1*1*10*EA*12.50*PE*BP*BB-1001*UP*614141000012",
    "PID*F****BLUE WIDGET",
    "PO1*2*2*CA*105.00*PE*IN*NW-A2*VN*WR-200",
    "CTT*2*12",
]


def render_x12_base(doc: Document, doc_type: str, tmp: Path, profiles: ProfileRegistry,
                    profile: str | None = None) -> bytes:
    """`doc` written with the 004010 base profile of `doc_type` (or `profile`, one built on it) for a partner that
    has only that (fresh journal)."""
    from datetime import datetime

    from gateway.config.models import DocumentSettings, OurIds, PartnerConfig, X12Id, X12Settings
    from gateway.journal.sqlite import SqliteJournal
    from gateway.translate import render
    partner = PartnerConfig(id="p", x12=X12Settings(ids=[X12Id(id="P")], version="004010"),
                            documents=[DocumentSettings(type=doc_type, direction="out",
                                                        profile=profile or f"x12-004010-{doc_type}")])
    journal = SqliteJournal(tmp / f"{profile or 'render'}.sqlite3")
    try:
        return render(doc, partner, profiles, journal, doc_type, our_ids=OurIds(x12=X12Id(qualifier="ZZ",
                                                                                        id="ACMEDIST")),
                      now=datetime(2026, 12, 1)).data
    finally:
        journal.close()
