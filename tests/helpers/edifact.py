"""Small, valid EDIFACT interchanges for tests (a D96A ORDERS by default)."""

from __future__ import annotations


def orders(control: int, sender: str = "4012345000009", receiver: str = "0614141000005", lines: int = 1) -> bytes:
    """UNA/UNB/UNH ORDERS interchange with interchange reference `control`."""
    body = ["UNH+1+ORDERS:D:96A:UN:EAN008", f"BGM+220+PO{control:07d}+9", "DTM+137:20261129:102",
            f"NAD+BY+{sender}::9"]
    for n in range(1, lines + 1):
        body += [f"LIN+{n}++0061414100001{n % 10}:SRS", f"QTY+21:{n * 3}"]
    body += ["UNS+S", f"UNT+{len(body) + 2}+1"]
    segments = ["UNA:+.? '", f"UNB+UNOC:3+{sender}:14+{receiver}:14+261129:0850+{control}", *body,
                f"UNZ+1+{control}"]
    return ("".join(s if s.startswith("UNA") else s + "'\n" for s in segments)).encode("latin-1")


def orders_batch(control: int, count: int, lines: int = 20, sender: str = "4012345000009",
                 receiver: str = "0614141000005") -> bytes:
    """One interchange of `count` D96A ORDERS of `lines` lines each: a retailer's batch file."""
    segments = ["UNA:+.? '", f"UNB+UNOC:3+{sender}:14+{receiver}:14+261129:0850+{control}"]
    for n in range(1, count + 1):
        body = [f"UNH+{n}+ORDERS:D:96A:UN:EAN008", f"BGM+220+PO{control:03d}{n:07d}+9", "DTM+137:20261129:102",
                f"NAD+BY+{sender}::9", "NAD+DP+4012345000016::9"]
        for line in range(1, lines + 1):
            body += [f"LIN+{line}++0061414100001{line % 10}:EN", f"QTY+21:{line * 3}", "PRI+AAA:12.5"]
        body += ["UNS+S", f"UNT+{len(body) + 2}+{n}"]
        segments += body
    segments.append(f"UNZ+{count}+{control}")
    return ("".join(s if s.startswith("UNA") else s + "'\n" for s in segments)).encode("latin-1")
