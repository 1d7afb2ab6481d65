"""`edi-gateway close` on a held outbound document while a scheduler run renders it after all: through the
scheduler, against the sandbox over HTTP, the close made from a second journal connection (the command's
process) at the moment between the run's read of the journal and its queueing of the document.

A person closes a held entry when the document was handled otherwise (sent by hand, keyed in the buyer's
portal): the run that started before the close must not send it to the partner a second time.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.commands.close import close
from gateway.journal.api import Direction, Message, State
from gateway.journal.sqlite import SqliteJournal
from gateway.odoo.client import OdooClient
from gateway.odoo.posting import Cache, post
from gateway.odoo.sandbox import SandboxServer
from gateway.odoo.scheduler import KNOWN_WINDOW, OdooScheduler
from tests.odoo.conftest import order
from tests.odoo.test_scheduler import Ctx, json_render, outbound
from tests.odoo.test_scheduler_held import ACKING, held, refusing


async def held_855(client: OdooClient, journal: Any, tmp_path: Path) -> tuple[OdooScheduler, Message, SqliteJournal]:
    """A confirmed order whose 855 the scheduler held (its profile refused it): the scheduler, the held entry, and
    a second journal connection for `edi-gateway close` (the command's process)."""
    post(client, order(), ACKING, Cache())                                   # confirmed: an 855 is owed
    scheduler = OdooScheduler(Ctx(tmp_path, journal, {"bigbox": ACKING}), lambda: client, render=refusing("855"))
    assert await scheduler.run_once("bigbox", "855") == 0
    [entry] = held(journal, "855")
    return scheduler, entry, SqliteJournal(journal.path)


async def test_a_held_document_closed_while_the_run_renders_it_is_not_sent(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    scheduler, entry, command = await held_855(client, journal, tmp_path)

    def closed_then_rendered(doc: Any, *args: Any, **kw: Any) -> Any:
        # the profile was fixed; the person, who had acknowledged the order in the buyer's portal, closes the
        # entry while this run (which read the journal before) renders it
        close(command, entry.id, "acknowledged in the buyer's portal", "pat")
        return json_render(doc, *args, **kw)

    scheduler.render = closed_then_rendered
    caplog.set_level(logging.INFO, logger="gateway")
    try:
        assert await scheduler.run_once("bigbox", "855") == 0
        assert journal.get(entry.id).state is State.CLOSED
        assert [m.state for m in outbound(journal)] == [State.CLOSED]        # nothing queued for the partner
        assert "was held and closed by a person meanwhile: not sent" in caplog.text
        scheduler.render = json_render
        assert await scheduler.run_once("bigbox", "855") == 0                # and not at the next run either
        assert [m.state for m in outbound(journal)] == [State.CLOSED]
    finally:
        command.close()


async def test_the_closed_entry_is_found_by_its_key_behind_a_thousand_newer_ones(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, tmp_path: Path) -> None:
    """The close is looked up by the held entry's own key, not among the partner's newest closed entries: with
    1,000 other held entries of the partner closed after it (a busy year of documents sent by hand), the run
    still finds it closed and sends nothing."""
    scheduler, entry, command = await held_855(client, journal, tmp_path)

    def closed_then_rendered(doc: Any, *args: Any, **kw: Any) -> Any:
        close(command, entry.id, "acknowledged in the buyer's portal", "pat")
        with command.batch():
            for n in range(1000):
                command.record_intake(direction=Direction.OUT, partner="bigbox", channel="render",
                                      filename=f"other_{n}.json", sha256="0" * 64, size=0,
                                      source_key=f"held:odoo:sale.order,{9000 + n}@2026-01-01:855",
                                      state=State.CLOSED, doc_type="855", meta={"held": True})
        return json_render(doc, *args, **kw)

    scheduler.render = closed_then_rendered
    try:
        assert await scheduler.run_once("bigbox", "855") == 0
        mine = [m for m in journal.find(direction=Direction.OUT, partner="bigbox", limit=2000)
                if not (m.source_key or "").startswith("held:odoo:sale.order,9")]
        assert [(m.id, m.state) for m in mine] == [(entry.id, State.CLOSED)]      # nothing queued for the partner
    finally:
        command.close()


def sent_since(journal: Any, count: int = KNOWN_WINDOW) -> None:
    """`count` other documents sent to the partner since: more than a run reads of its recent outbound messages."""
    with journal.batch():
        for n in range(count):
            journal.record_intake(direction=Direction.OUT, partner="bigbox", channel="render",
                                  filename=f"other_{n}.x12", sha256="0" * 64, size=0,
                                  source_key=f"odoo:stock.picking,{9000 + n}@2026-01-01:856", state=State.DONE,
                                  doc_type="856")


# the window is the journal's (5,000 rows written here), the same whatever Odoo answers: one version; the
# held 855 itself is made on 17 and 19 by the tests above
ONE_VERSION = pytest.mark.parametrize("sandbox", [19], ids=["odoo19"], indirect=True)


def acks_of(journal: Any) -> list[tuple[str, State]]:
    return [(m.id, m.state) for m in journal.find(direction=Direction.OUT, partner="bigbox", limit=KNOWN_WINDOW + 10)
            if m.doc_type == "855"]


@ONE_VERSION
async def test_a_closed_entry_older_than_the_runs_window_is_still_not_sent(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, tmp_path: Path) -> None:
    """The held 855 closed by a person, then 5,000 other documents sent to the partner (more than a run reads of
    its recent outbound messages, KNOWN_WINDOW): when the profile is fixed, the run that renders the order's 855
    after all finds the closed entry by its key and sends nothing; it queued it, not knowing it had been held."""
    scheduler, entry, command = await held_855(client, journal, tmp_path)
    try:
        close(command, entry.id, "acknowledged in the buyer's portal", "pat")
    finally:
        command.close()
    sent_since(journal)
    scheduler.render = json_render
    assert await scheduler.run_once("bigbox", "855") == 0
    assert acks_of(journal) == [(entry.id, State.CLOSED)]


@ONE_VERSION
async def test_a_held_entry_older_than_the_runs_window_is_settled_when_sent(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, tmp_path: Path) -> None:
    """The same held 855 left open: rendered after all, it is queued and its held entry done, not left in
    quarantine for a person to send by hand what went out."""
    scheduler, entry, command = await held_855(client, journal, tmp_path)
    command.close()
    sent_since(journal)
    scheduler.render = json_render
    assert await scheduler.run_once("bigbox", "855") == 1
    assert journal.get(entry.id).state is State.DONE
