"""Acknowledgement due times and a clock stepped back while the gateway runs (NTP correcting a clock that ran a day
ahead, a VM restored from a snapshot). Each awaited acknowledgement (a 997/CONTRL, an async MDN, the partner's pickup
from our SFTP server) has a wall-clock due time, set on the clock that ran ahead: after the step it was flagged
overdue a day late, and the status page's overdue list and `edi_gateway_overdue_acks` said nothing for that day. The
journal's waits already moved back with such a step (`SqliteJournal.pull_in`); the due times now move with them, and
one left beyond the longest acknowledgement window by a clock put back while the gateway was stopped is brought back.

The real daemon as a subprocess with its wall clock shifted (tests/spine/hunt17_clock.py); our SFTP server holds the
997 of an order for the partner to fetch (an acknowledgement awaited: its pickup, within its ack window).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.net import free_port
from tests.helpers.wait import wait_for
from tests.helpers.x12 import purchase_order
from tests.spine.test_daemon import ACME
from tests.transports.sftp_util import make_key

DAY = 86400


def _due(ws: Workspace) -> datetime:
    [row] = ws._query("SELECT due_at FROM ack_expectations")
    return datetime.fromisoformat(row["due_at"])


def test_a_clock_set_back_a_day_moves_the_acknowledgement_due_times_back(tmp_path: Path) -> None:
    # Given a gateway whose clock runs a day ahead, acme's documents waiting in our SFTP server for pickup within
    # acme's 2-hour acknowledgement window
    key, port = make_key(tmp_path / "keys" / "acme"), free_port()
    account = {"channel": "sftp", "user": "acme"}
    ws = Workspace.create(tmp_path / "gw", {"sftp_server": {"enabled": True, "host": "127.0.0.1", "port": port}},
                          partners={"acme": {**ACME, "x12": {**ACME["x12"], "ack_window_hours": 2},
                                             "inbound": [{**account, "authorized_keys": [f"{key}.pub"]}],
                                             "outbound": account}})
    ws.settings["outbox"]["max_backoff"] = 5.0
    ws.write_config()
    clock = tmp_path / "clock"
    clock.write_text(str(DAY))
    gw = GatewayProcess(ws.config, preload=["tests.spine.hunt17_clock"], env={"EDI_TEST_CLOCK_FILE": str(clock)})
    with gw:
        # and an order whose 997 is placed there, due on the clock a day ahead
        ws.drop("po1.x12", purchase_order(1))
        wait_for(lambda: ws.count(direction="out", state="sent") == 1, message="the 997 placed for pickup")
        ahead = _due(ws)
        assert ahead > datetime.now(UTC) + timedelta(hours=25)

        # When the clock is set back the day
        clock.write_text("0")

        # Then the due time moves back by the step: two hours from the real now, as the window says
        wait_for(lambda: _due(ws) < ahead - timedelta(hours=23), timeout=30,
                 message=f"the due time moved back:\n{gw.output()}")
        assert abs(_due(ws) - (ahead - timedelta(seconds=DAY))) < timedelta(minutes=2)
        assert "clock: 1 acknowledgement due time(s) moved back with the clock" in gw.output()

    # When the clock is put back another day while the gateway is stopped (no step to measure), and it starts
    clock.write_text(str(-DAY))
    with GatewayProcess(ws.config, preload=["tests.spine.hunt17_clock"], env={"EDI_TEST_CLOCK_FILE": str(clock)}) \
            as again:
        # Then the due time, a day and two hours ahead of that clock, is brought back within the longest
        # acknowledgement window configured (acme's two hours, and a minute)
        behind = datetime.now(UTC) - timedelta(seconds=DAY)
        wait_for(lambda: _due(ws) < behind + timedelta(hours=3), timeout=30,
                 message=f"the due time brought back:\n{again.output()}")
        assert behind + timedelta(hours=2) < _due(ws) < behind + timedelta(hours=2, minutes=2)
        assert "clock: 1 acknowledgement due time(s) were beyond 2:01:00 from now" in again.output()
