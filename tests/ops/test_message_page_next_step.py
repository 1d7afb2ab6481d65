"""The status page's message page names the command that moves a quarantined, dead, duplicate or rejected
message on, as `edi-gateway status` and the quarantine's .reason.txt do. Found running the gateway for a day
by the README: the page (read-only) showed the error and the raw file, and a coordinator who opened it from
the quarantine list was not told that `edi-gateway replay ID` exists."""

from __future__ import annotations

import asyncio
import re

from gateway.commands.close import close
from gateway.journal.api import Direction, State

from .conftest import Served, fetch


async def page(base: str, message_id: str) -> str:
    html = (await asyncio.to_thread(fetch, f"{base}/messages/{message_id}"))[2].decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


async def test_quarantined_inbound_says_replay_and_dead_outbound_says_resend(served: Served) -> None:
    world, base, _ = served
    bad, dead_846 = world.ids["bad_file"], world.ids["northwind_846"]
    assert (f"What to do after fixing the cause: edi-gateway replay {bad} (it reads the same archived file: a file "
            "that is wrong in itself is sent again by the partner, and taken as a new message)") in await page(base, bad)
    assert f"What to do after fixing the cause: edi-gateway resend {dead_846} " in await page(base, dead_846)


async def test_done_and_in_flight_messages_have_nothing_to_do(served: Served) -> None:
    world, base, _ = served
    for name in ("bigbox_po", "northwind_po", "bigbox_997"):
        assert "What to do" not in await page(base, world.ids[name])


async def test_a_duplicate_can_be_processed_anyway(served: Served) -> None:
    world, base, _ = served
    dup = world.ids["shop_fresh"]
    world.journal.transition(dup, State.DUPLICATE, "same bytes as before")
    assert f"What to do to process it anyway: edi-gateway replay {dup}" in await page(base, dup)


async def test_quarantine_and_dead_pages_say_close_and_a_closed_message_leaves_the_lists(served: Served) -> None:
    """`edi-gateway close`: the walkthrough's handled quarantine stayed on the status page for good."""
    world, base, _ = served
    bad, dead_846 = world.ids["bad_file"], world.ids["northwind_846"]
    assert f"once handled otherwise: edi-gateway close {bad} --reason TEXT" in await page(base, bad)
    assert f"once handled otherwise: edi-gateway close {dead_846} --reason TEXT" in await page(base, dead_846)
    status = await overview(base)
    assert bad in status and dead_846 in status

    close(world.journal, bad, "corrected file received", "alice")
    close(world.journal, dead_846, "sent by mail", "bob")

    status = await overview(base)
    assert "The quarantine is empty." in status and "No dead letters." in status
    assert bad not in status and dead_846 not in status
    assert (f"What to do nothing: a person closed it (closed by alice: corrected file received); to run it again: "
            f"edi-gateway replay {bad}") in await page(base, bad)
    assert f"to run it again: edi-gateway resend {dead_846}" in await page(base, dead_846)


async def overview(base: str) -> str:
    """The status page without its latest messages (which list every message whatever its state)."""
    html = (await asyncio.to_thread(fetch, f"{base}/"))[2].decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.split('id="recent"')[0]))


async def test_a_held_outbound_document_says_the_next_run_tries_again_and_close(served: Served) -> None:
    """An outbound document the profile could not render (`Pipeline.hold_outbound`): `resend` refuses it, the
    scheduler's next run renders it again; the page said nothing to do."""
    world, base, _ = served
    held = world.journal.record_intake(direction=Direction.OUT, partner="bigbox", channel="render",
                                       filename="bigbox_810_7.json", sha256=world.archive.put(b"{}"), size=2,
                                       source_key="held:810:account.move,7", state=State.QUARANTINED).id
    assert (f"What to do fix the cause: the next run tries it again and closes this entry once that works; once "
            f"handled otherwise: edi-gateway close {held} --reason TEXT") in await page(base, held)


async def test_a_closed_held_outbound_document_is_not_said_to_be_resendable(served: Served) -> None:
    """A held document a person closed was never rendered: `resend` refuses it and the scheduler does not send
    it, so the page must not name `resend` as the way to run it again (it did, as for any outbound message)."""
    world, base, _ = served
    held = world.journal.record_intake(direction=Direction.OUT, partner="bigbox", channel="render",
                                       filename="bigbox_810_8.json", sha256=world.archive.put(b"{}"), size=2,
                                       source_key="held:810:account.move,8", state=State.QUARANTINED,
                                       meta={"held": True}).id
    close(world.journal, held, "mailed to the buyer", "carol")
    shown = await page(base, held)
    assert ("What to do nothing: a person closed it (closed by carol: mailed to the buyer); it was never rendered, "
            "and is not sent") in shown and "resend" not in shown
