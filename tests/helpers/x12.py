"""Small, valid X12 interchanges for tests (an 850 purchase order by default)."""

from __future__ import annotations


def purchase_order(control: int, sender: str = "ACMERETAIL", receiver: str = "ACMEDIST", po: str | None = None,
                   gs_sender: str | None = None, lines: int = 1) -> bytes:
    """An ISA/GS/ST 850 interchange with control number `control` (ISA13 = GS06 = ST02 base)."""
    po = po or f"PO{control:07d}"
    body = [f"ST*850*{control % 10000:04d}", f"BEG*00*SA*{po}**20261129"]
    for n in range(1, lines + 1):
        body.append(f"PO1*{n}*{n * 2}*EA*12.5**UP*61414100001{n % 10}")
    body.append(f"CTT*{lines}")
    body.append(f"SE*{len(body) + 1}*{control % 10000:04d}")
    segments = [
        f"ISA*00*          *00*          *ZZ*{sender:<15}*ZZ*{receiver:<15}*261129*0850*U*00401*{control:09d}*0*P*>",
        f"GS*PO*{gs_sender or sender}*{receiver}*20261129*0850*{control}*X*004010",
        *body,
        f"GE*1*{control}",
        f"IEA*1*{control:09d}",
    ]
    return ("~\n".join(segments) + "~\n").encode("ascii")


def functional_ack(control: int, group_acked: str, status: str = "A", functional_id: str = "SH",
                   sender: str = "ACMERETAIL", receiver: str = "ACMEDIST") -> bytes:
    """A 997 from the partner acknowledging our group `group_acked` (AK9 status A / E / R)."""
    segments = [
        f"ISA*00*          *00*          *ZZ*{sender:<15}*ZZ*{receiver:<15}*261129*0900*U*00401*{control:09d}*0*P*>",
        f"GS*FA*{sender}*{receiver}*20261129*0900*{control}*X*004010",
        "ST*997*0001", f"AK1*{functional_id}*{group_acked}", f"AK9*{status}*1*1*{0 if status == 'R' else 1}",
        "SE*4*0001", f"GE*1*{control}", f"IEA*1*{control:09d}",
    ]
    return ("~\n".join(segments) + "~\n").encode("ascii")


def purchase_order_batch(control: int, count: int, lines: int = 20, sender: str = "ACMERETAIL",
                         receiver: str = "ACMEDIST") -> bytes:
    """One interchange, one group, `count` 850s of `lines` lines each: a retailer's morning batch file."""
    segments = [
        f"ISA*00*          *00*          *ZZ*{sender:<15}*ZZ*{receiver:<15}*261129*0850*U*00401*{control:09d}*0*P*>",
        f"GS*PO*{sender}*{receiver}*20261129*0850*{control}*X*004010",
    ]
    for n in range(1, count + 1):
        body = [f"ST*850*{n:04d}", f"BEG*00*SA*PO{control:03d}{n:07d}**20261129", "DTM*002*20261205",
                "N1*ST*DC 1*UL*0860001000023"]
        for line in range(1, lines + 1):
            body += [f"PO1*{line}*{line * 3}*EA*12.50**UP*6141410{line:05d}*VN*WB-{line:03d}",
                     "PID*F****BLUE WIDGET 10 PACK"]
        body += [f"CTT*{lines}", f"SE*{len(body) + 2}*{n:04d}"]
        segments += body
    segments += [f"GE*{count}*{control}", f"IEA*1*{control:09d}"]
    return ("~\n".join(segments) + "~\n").encode("ascii")
