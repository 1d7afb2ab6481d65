"""Run an AS2 server in its own process (memory measurements, crash tests): python -m tests.transports.as2_server_proc DIR.

DIR holds acme.crt/.key (ours) and bigbox.crt; the bound port is written to DIR/port.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from gateway.config.models import As2Channel, As2ServerSettings, GatewayConfig, OurIds, PartnerConfig
from gateway.transports.as2.ledger import Ledger
from gateway.transports.as2.server import As2Server
from tests.transports.conftest import JournalIntake


async def main(root: Path) -> None:
    settings = As2ServerSettings(enabled=True, port=0, certificate=root / "acme.crt", private_key=root / "acme.key")
    config = GatewayConfig(as2_server=settings, our_ids=OurIds(as2_id="ACMEDIST"))
    partner = PartnerConfig(id="bigbox", inbound=[As2Channel(channel="as2", as2_id="BIGBOX-AS2",
                                                             certificates=[root / "bigbox.crt"])])
    server = As2Server(config, {"bigbox": partner}, JournalIntake(root / "state"),
                       Ledger(root / "state" / "as2.sqlite3"), root / "state" / "work")
    await server.start()
    (root / "port.tmp").write_text(str(server.port))
    (root / "port.tmp").rename(root / "port")
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1])))
