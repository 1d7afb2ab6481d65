"""The scheduler against an Odoo that does what real ones do: records written again without a change, reset
and posted again, edited while their document is built, slots missed while the daemon was down."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import odoorpc
import pytest

from gateway.config.models import DocumentSettings
from gateway.journal.api import State
from gateway.odoo.client import OdooClient
from gateway.odoo.posting import Cache, post
from gateway.odoo.sandbox import SandboxServer
from gateway.odoo.sandbox.orm import now_str
from gateway.odoo.scheduler import OdooScheduler, cron_trigger, current_slot
from tests.helpers.gateway import GatewayProcess, Workspace
from tests.helpers.wait import wait_for
from tests.odoo.conftest import order
from tests.odoo.test_extraction import deliver, invoice
from tests.odoo.test_scheduler import BIGBOX, Ctx, json_render, outbound


def next_second() -> None:
    """Odoo's write_date counts seconds: wait until a write gets a new one (no assertion on the time)."""
    first = now_str()
    while now_str() == first:
        time.sleep(0.05)


def sent(ctx: Ctx, journal: Any) -> list[dict[str, Any]]:
    """What was queued for the partner, oldest first, as the canonical JSON the test renderer writes."""
    return [json.loads(ctx.pipeline.archive.read(m.sha256)) for m in reversed(outbound(journal))
            if m.state is State.QUEUED]


async def invoice_sent(client: OdooClient, odoo: odoorpc.ODOO, journal: Any,
                       tmp_path: Path) -> tuple[Ctx, OdooScheduler, int]:
    """BigBox's order delivered, invoiced and posted, and its 810 queued by a first run."""
    [link] = post(client, order(), BIGBOX, Cache())
    deliver(odoo, link.record_id)
    move = invoice(odoo, link.record_id)
    odoo.execute_kw("account.move", "action_post", [[move]])
    ctx = Ctx(tmp_path, journal, {"bigbox": BIGBOX})
    scheduler = OdooScheduler(ctx, lambda: client, render=json_render)
    assert await scheduler.run_once("bigbox", "810") == 1
    return ctx, scheduler, move


async def test_an_invoice_written_again_unchanged_is_not_sent_twice(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, tmp_path: Path) -> None:
    """Send & Print (is_move_sent), a payment (payment_state) or a note: a new write_date, the same invoice. A
    second 810 with the same number would be a duplicate invoice to the partner."""
    ctx, scheduler, move = await invoice_sent(client, odoo, journal, tmp_path)
    for vals in ({"is_move_sent": True}, {"payment_state": "paid"}):
        next_second()
        odoo.execute_kw("account.move", "write", [[move], vals])
        assert await scheduler.run_once("bigbox", "810") == 0
        assert await OdooScheduler(ctx, lambda: client, render=json_render).run_once("bigbox", "810") == 0
    assert len(outbound(journal)) == 1


async def test_an_invoice_written_again_unchanged_is_built_and_said_once_not_at_every_poll(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    """Send & Print gives the posted invoice a new write_date and no message has that version's key, so every
    poll (each second with poll_seconds: 1) built its 810 again, compared it and logged that it was not sent
    again, for as long as it stayed in the lookback window. Now once; a later real change is still seen."""
    _ctx, scheduler, move = await invoice_sent(client, odoo, journal, tmp_path)
    next_second()
    odoo.execute_kw("account.move", "write", [[move], {"is_move_sent": True}])
    with caplog.at_level(logging.INFO, logger="gateway"):
        for _ in range(3):
            assert await scheduler.run_once("bigbox", "810") == 0
    said = [r for r in caplog.records if "but not its document" in r.getMessage()]
    assert len(said) == 1, [r.getMessage() for r in said]
    assert len(outbound(journal)) == 1
    next_second()
    odoo.execute_kw("account.move", "write", [[move], {"payment_state": "paid"}])
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="gateway"):
        assert await scheduler.run_once("bigbox", "810") == 0
    assert len([r for r in caplog.records if "but not its document" in r.getMessage()]) == 1


async def repriced(scheduler: OdooScheduler, odoo: odoorpc.ODOO, move: int) -> None:
    """The posted invoice reset to draft, a line repriced, posted again (Odoo keeps its number)."""
    next_second()
    odoo.execute_kw("account.move", "button_draft", [[move]])
    assert await scheduler.run_once("bigbox", "810") == 0            # a draft is nothing to send
    [line] = odoo.execute_kw("account.move.line", "search", [[("move_id", "=", move)]])[:1]
    odoo.execute_kw("account.move.line", "write", [[line], {"price_unit": 12.0}])
    odoo.execute_kw("account.move", "action_post", [[move]])


async def test_an_invoice_reset_changed_and_posted_again_is_held_for_a_person(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, tmp_path: Path) -> None:
    """A second 810 under the number the partner has is a duplicate to its payables (or paid twice): the corrected
    invoice is held in quarantine saying so, once, and nothing more is sent."""
    ctx, scheduler, move = await invoice_sent(client, odoo, journal, tmp_path)
    await repriced(scheduler, odoo, move)
    assert await scheduler.run_once("bigbox", "810") == 0
    assert await scheduler.run_once("bigbox", "810") == 0
    [first] = sent(ctx, journal)
    [held] = [m for m in outbound(journal) if m.state is State.QUARANTINED]
    assert f"invoice {first['number']} went out before with other figures" in (held.last_error or "")
    assert "credit note and a new invoice" in (held.last_error or "")


async def test_an_invoice_the_partner_rejected_is_replaced_by_its_correction(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, tmp_path: Path) -> None:
    ctx, scheduler, move = await invoice_sent(client, odoo, journal, tmp_path)
    [queued] = [m for m in outbound(journal) if m.state is State.QUEUED]
    journal.transition(queued.id, State.SENT, "written")
    journal.transition(queued.id, State.REJECTED, "997 rejected (in 01TEST)")   # the partner's 997 said AK5 R
    await repriced(scheduler, odoo, move)
    assert await scheduler.run_once("bigbox", "810") == 1            # the corrected invoice
    assert await scheduler.run_once("bigbox", "810") == 0
    [second] = sent(ctx, journal)
    assert second["lines"][0]["unit_price"] == "12.0" or float(second["lines"][0]["unit_price"]) == 12.0


async def test_a_shipment_corrected_after_its_asn_went_out_is_sent_as_a_replacement(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, tmp_path: Path) -> None:
    [link] = post(client, order(), BIGBOX, Cache())
    pick = deliver(odoo, link.record_id)
    ctx = Ctx(tmp_path, journal, {"bigbox": BIGBOX})
    scheduler = OdooScheduler(ctx, lambda: client, render=json_render)
    assert await scheduler.run_once("bigbox", "856") == 1
    next_second()                                      # the same tracking number typed again: nothing new
    odoo.execute_kw("stock.picking", "write", [[pick], {"carrier_tracking_ref": "1Z999AA10123456784"}])
    assert await scheduler.run_once("bigbox", "856") == 0
    next_second()                                      # a wrong tracking number corrected: the ASN is replaced
    odoo.execute_kw("stock.picking", "write", [[pick], {"carrier_tracking_ref": "1Z999AA10123456799"}])
    assert await scheduler.run_once("bigbox", "856") == 1
    first, second = sent(ctx, journal)
    assert (first["number"], first["tracking_number"]) == (second["number"], "1Z999AA10123456784")
    assert (second["purpose"], second["tracking_number"]) == ("replace", "1Z999AA10123456799")
    assert "purpose" not in first or first["purpose"] == "original"


async def test_a_shipment_corrected_in_the_second_its_asn_was_read_is_still_sent(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, tmp_path: Path) -> None:
    """Odoo's write_date counts seconds: a correction saved in the second the run read the delivery kept the
    write_date of the version that went out, so its key said "already sent" and the correction never went. The
    newest second a run saw is built again by the next one and compared by content; once a run read it later,
    it is final and no longer built."""
    [link] = post(client, order(), BIGBOX, Cache())
    pick = deliver(odoo, link.record_id)
    ctx = Ctx(tmp_path, journal, {"bigbox": BIGBOX})
    scheduler = OdooScheduler(ctx, lambda: client, render=json_render)
    assert await scheduler.run_once("bigbox", "856") == 1
    read_at = sandbox.db.data["stock.picking"][pick]["write_date"]
    odoo.execute_kw("stock.picking", "write", [[pick], {"carrier_tracking_ref": "1Z999AA10123456799"}])
    sandbox.db.data["stock.picking"][pick]["write_date"] = read_at          # saved in that same second
    assert await scheduler.run_once("bigbox", "856") == 1
    assert await scheduler.run_once("bigbox", "856") == 0                  # built again: nothing new
    assert await OdooScheduler(ctx, lambda: client, render=json_render).run_once("bigbox", "856") == 0
    first, second = sent(ctx, journal)
    assert (second["purpose"], second["tracking_number"]) == ("replace", "1Z999AA10123456799")
    assert first["number"] == second["number"] and first.get("purpose", "original") == "original"
    # a run well after the one that last read that second: its versions are final and are not built again
    blob = json.loads(journal.get_blob("odoo-scheduler:bigbox:856", "overlap"))
    blob["read"] = (datetime.fromisoformat(blob["read"]) - timedelta(seconds=10)).isoformat()
    journal.put_blob("odoo-scheduler:bigbox:856", "overlap", json.dumps(blob))
    assert await scheduler.run_once("bigbox", "856") == 0
    assert json.loads(journal.get_blob("odoo-scheduler:bigbox:856", "overlap"))["from"] > read_at
    search_read, models = client.search_read, []

    def counted(model: str, *args: Any, **kw: Any) -> Any:
        models.append(model)
        return search_read(model, *args, **kw)
    client.search_read = counted                                           # type: ignore[method-assign]
    assert await scheduler.run_once("bigbox", "856") == 0
    assert "stock.picking" in models and "stock.move" not in models
    assert len(sent(ctx, journal)) == 2


# --------------------------------------------------------------------------- schedule slots


async def test_the_newest_second_is_final_two_seconds_after_the_run_that_chose_it_however_often_runs_come(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The newest write_date second a run saw is built again until a run starts SETTLED_AFTER after the run that
    chose that mark. Each run that kept the mark wrote its own read time over the chooser's, so with polls less
    than two seconds apart (poll_seconds: 1) no run was ever 'later': the newest delivery was built again at
    every poll for as long as nothing newer was written. The scheduler's clock is set by the test."""
    import gateway.odoo.scheduler as scheduler_module
    base = datetime.now(UTC)
    offset = [timedelta(0)]

    class Clock(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Any:
            return base + offset[0]
    monkeypatch.setattr(scheduler_module, "datetime", Clock)
    [link] = post(client, order(), BIGBOX, Cache())
    pick = deliver(odoo, link.record_id)
    scheduler = OdooScheduler(Ctx(tmp_path, journal, {"bigbox": BIGBOX}), lambda: client, render=json_render)
    read_at = sandbox.db.data["stock.picking"][pick]["write_date"]
    for seconds in (0.0, 1.0, 2.5):                 # polls 1 s and 1.5 s apart; the last 2.5 s after the first
        offset[0] = timedelta(seconds=seconds)
        await scheduler.run_once("bigbox", "856")
    assert json.loads(journal.get_blob("odoo-scheduler:bigbox:856", "overlap"))["from"] > read_at
    assert len(outbound(journal)) == 1

def test_crontab_weekdays_count_from_sunday() -> None:
    """APScheduler's own numbering starts on Monday: "1-5" (crontab: Monday to Friday) fired Tuesday to Saturday."""
    def days(schedule: str) -> list[str]:
        trigger, fire, out = cron_trigger(schedule), None, []
        start = datetime(2026, 11, 22, tzinfo=UTC)                        # a Sunday
        for _ in range(7):
            fire = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1) if fire else start)
            out.append(fire.strftime("%a"))
        return out
    assert days("0 6 * * 1-5") == ["Mon", "Tue", "Wed", "Thu", "Fri", "Mon", "Tue"]
    assert days("0 6 * * 0") == days("0 6 * * 7") == ["Sun"] * 7
    assert days("0 6 * * 0,6")[:2] == ["Sun", "Sat"] and days("0 6 * * mon-fri") == days("0 6 * * 1-5")
    assert days("0 6 * * 1,fri")[:2] == days("0 6 * * mon,5")[:2] == ["Mon", "Fri"]     # numbers and names mixed
    assert days("0 6 * * */3")[:3] == ["Sun", "Wed", "Sat"]
    assert len(set(days("0 6 * * *"))) == 7


def fires(schedule: str, start: datetime, count: int, zone: str = "UTC") -> list[datetime]:
    """The next `count` firings of a crontab line from `start`, as APScheduler asks for them."""
    trigger, fire, out = cron_trigger(schedule, ZoneInfo(zone)), None, []
    for _ in range(count):
        fire = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1) if fire else start)
        out.append(fire)
    return out


def test_day_of_month_or_weekday_fires_as_cron_does() -> None:
    """Both restricted: cron fires on either ("the 1st and every Monday"); APScheduler only on a Monday the 1st,
    which put a monthly feed months apart. A field starting with "*" restricts nothing, as in cron, and the
    other alone decides ("*/2": odd days, and of those the Mondays)."""
    start = datetime(2026, 11, 22, tzinfo=UTC)                            # a Sunday
    assert [f"{f:%a %d %b}" for f in fires("0 6 1 * 1", start, 5)] == [
        "Mon 23 Nov", "Mon 30 Nov", "Tue 01 Dec", "Mon 07 Dec", "Mon 14 Dec"]
    assert [f"{f:%a %d %b}" for f in fires("0 6 1,15 * 6", start, 4)] == [
        "Sat 28 Nov", "Tue 01 Dec", "Sat 05 Dec", "Sat 12 Dec"]
    assert [f"{f:%a %d %b}" for f in fires("0 6 */2 * 1", start, 3)] == ["Mon 23 Nov", "Mon 07 Dec", "Mon 21 Dec"]
    assert [f"{f:%a %d %b %Y}" for f in fires("0 6 1 * */2", start, 2)] == ["Tue 01 Dec 2026", "Thu 01 Apr 2027"]
    assert [f"{f:%d}" for f in fires("0 6 1 * *", start, 2)] == ["01", "01"]
    assert fires("0 0 30 2 *", start, 1) == [None]                       # never: no firing, no endless search


def test_a_schedule_is_read_on_the_clock_of_its_time_zone() -> None:
    """"0 6 * * 1-5" at a Chicago warehouse: 12:00 UTC in winter, 11:00 UTC once the clocks went forward."""
    start = datetime(2026, 3, 5, 12, 0, 1, tzinfo=UTC)                     # Thursday, after that day's run
    assert [f"{f.astimezone(UTC):%a %d %H:%M}" for f in fires("0 6 * * 1-5", start, 3, "America/Chicago")] == [
        "Fri 06 12:00", "Mon 09 11:00", "Tue 10 11:00"]                      # DST began Sunday the 8th
    late = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)                        # 06:30 in Kolkata (UTC+05:30)
    assert current_slot("0 6 * * *", late, ZoneInfo("Asia/Kolkata")) == "2026-11-30 00:30"
    assert current_slot("0 6 * * *", late) == "2026-11-29 06:00"


def test_the_hour_the_clock_skips_fires_at_the_jump_and_the_hour_it_repeats_fires_once() -> None:
    """Cron's way: a time skipped in spring runs when the clock jumps, one repeated in autumn runs once.
    APScheduler's own cron fired the repeated 01:30 twice and then answered that same time for ever (a slot
    lookup after it never ended)."""
    spring = fires("30 2 * * *", datetime(2026, 3, 7, tzinfo=UTC), 3, "America/Chicago")
    assert [f"{f.astimezone(ZoneInfo('America/Chicago')):%d %H:%M %Z}" for f in spring] == [
        "07 02:30 CST", "08 03:00 CDT", "09 02:30 CDT"]
    every = fires("*/20 2 * * *", datetime(2026, 3, 8, tzinfo=UTC), 2, "America/Chicago")
    assert [f"{f.astimezone(UTC):%d %H:%M}" for f in every] == ["08 08:00", "09 07:00"]     # once at the jump
    autumn = fires("30 1 * * *", datetime(2026, 10, 31, tzinfo=UTC), 3, "America/Chicago")
    assert [f"{f.astimezone(UTC):%d %H:%M}" for f in autumn] == ["31 06:30", "01 06:30", "02 07:30"]
    half_hour = fires("45 1 * * *", datetime(2026, 4, 4, tzinfo=UTC), 2, "Australia/Lord_Howe")   # steps 30 min
    assert [f"{f.astimezone(UTC):%d %H:%M}" for f in half_hour] == ["04 14:45", "05 15:15"]
    after_both = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)                  # 01:00 CST: both 01:30s are past
    assert current_slot("30 1 * * *", after_both, ZoneInfo("America/Chicago")) == "2026-11-01 06:30"


def test_a_frequent_schedule_runs_in_both_passes_of_the_hour_the_autumn_change_repeats() -> None:
    """Cron schedules a line whose minute or hour field starts with "*" normally through the repeated hour, and a
    fixed time once. A "*/15" feed skipped 01:00-01:45 CST (its slots after 01:45 CDT were 02:00), an hourly one
    the second 01:00: an hour without a stock report on the night of the change."""
    chicago = ZoneInfo("America/Chicago")                  # 2026-11-01 02:00 CDT -> 01:00 CST (07:00 UTC)
    night = datetime(2026, 11, 1, 5, 30, tzinfo=UTC)       # 00:30 CDT

    def times(schedule: str, count: int, start: datetime = night, zone: str = "America/Chicago") -> list[str]:
        return [f"{f.astimezone(UTC):%d %H:%M}" for f in fires(schedule, start, count, zone)]
    assert times("*/15 * * * *", 11) == ["01 05:30", "01 05:45", "01 06:00", "01 06:15", "01 06:30", "01 06:45",
                                         "01 07:00", "01 07:15", "01 07:30", "01 07:45", "01 08:00"]   # CDT, CST
    assert times("0 * * * *", 3) == ["01 06:00", "01 07:00", "01 08:00"]            # both 01:00s
    assert times("*/20 1 * * *", 7) == ["01 06:00", "01 06:20", "01 06:40", "01 07:00", "01 07:20", "01 07:40",
                                       "02 07:00"]
    assert times("30 1 * * *", 2) == ["01 06:30", "02 07:30"]                       # fixed times: once
    assert times("0,30 1 * * *", 3) == ["01 06:00", "01 06:30", "02 07:00"]
    assert times("*/15 * * * *", 4, datetime(2026, 4, 4, 14, 40, tzinfo=UTC), "Australia/Lord_Howe") == [
        "04 14:45", "04 15:00", "04 15:15", "04 15:30"]     # 02:00 -> 01:30: a repeated half hour
    # asked from inside either pass (a start, a busy loop), the next firing is the next quarter hour
    quarter = cron_trigger("*/15 * * * *", chicago)
    assert quarter.get_next_fire_time(None, datetime(2026, 11, 1, 6, 50, tzinfo=UTC)) == \
        datetime(2026, 11, 1, 7, 0, tzinfo=UTC)             # 01:50 CDT -> 01:00 CST
    assert quarter.get_next_fire_time(None, datetime(2026, 11, 1, 7, 20, tzinfo=UTC)) == \
        datetime(2026, 11, 1, 7, 30, tzinfo=UTC)
    # a run in the second pass belongs to its own slot, not to the first pass's last one
    assert current_slot("*/15 * * * *", datetime(2026, 11, 1, 7, 20, tzinfo=UTC), chicago) == "2026-11-01 07:15"
    assert current_slot("30 1 * * *", datetime(2026, 11, 1, 7, 40, tzinfo=UTC), chicago) == "2026-11-01 06:30"


async def test_a_quarter_hourly_feed_is_sent_in_both_passes_of_the_repeated_hour(
        sandbox: SandboxServer, client: OdooClient, journal: Any, tmp_path: Path) -> None:
    """The 846 of 01:20 CST is a report of its own, not the one of 01:45 CDT sent again: its run's slot is its
    own, so both go to the partner."""
    feed = DocumentSettings(type="846", direction="out", profile="p", trigger="schedule",
                            schedule="*/15 * * * *", schedule_timezone="America/Chicago")
    partner = BIGBOX.model_copy(update={"documents": [d for d in BIGBOX.documents if d.type != "846"] + [feed]})
    scheduler = OdooScheduler(Ctx(tmp_path, journal, {"bigbox": partner}), lambda: client, render=json_render)
    chicago = ZoneInfo("America/Chicago")
    for run_at in (datetime(2026, 11, 1, 6, 50, tzinfo=UTC), datetime(2026, 11, 1, 7, 20, tzinfo=UTC)):
        slot = current_slot(feed.schedule, run_at, chicago)
        assert await scheduler.run_once("bigbox", "846", slot=slot) == 1
    assert sorted((m.source_key or "").rpartition("@")[2] for m in outbound(journal)) == [
        "2026-11-01 06:45:846", "2026-11-01 07:15:846"]


def test_lint_refuses_a_time_zone_zoneinfo_does_not_know(tmp_path: Path) -> None:
    from gateway.config.loader import lint
    (tmp_path / "partners").mkdir()
    (tmp_path / "gateway.yaml").write_text("odoo:\n  enabled: false\n  schedule_timezone: Europe/Berlln\n")
    (tmp_path / "partners" / "acme.yaml").write_text(
        "id: acme\nx12: {ids: [{qualifier: ZZ, id: ACME}]}\ndocuments:\n"
        "  - {type: '846', direction: out, profile: x12-004010-846, trigger: schedule, schedule: '0 6 * * 1-5',\n"
        "     schedule_timezone: America/Chicgo}\n"
        "  - {type: '856', direction: out, profile: x12-004010-856, trigger: schedule, schedule: '0 7 * * *',\n"
        "     schedule_timezone: America/Chicago}\n")
    errors = sorted((Path(e.path or "").name, e.line, str(e)) for e in lint(tmp_path / "gateway.yaml", environ={}))
    assert [(name, line) for name, line, _ in errors] == [("acme.yaml", 5), ("gateway.yaml", 3)]
    assert "documents[0].schedule_timezone" in errors[0][2] and "'America/Chicgo' is not a time zone" in errors[0][2]
    assert "odoo.schedule_timezone" in errors[1][2] and "'Europe/Berlln' is not a time zone" in errors[1][2]


def test_lint_refuses_a_time_zone_on_a_document_without_a_schedule(tmp_path: Path) -> None:
    """A polled 810 given the warehouse's zone: it reads like its invoices wait for 6:00 Chicago; nothing does."""
    from gateway.config.loader import lint
    (tmp_path / "partners").mkdir()
    (tmp_path / "gateway.yaml").write_text("odoo:\n  enabled: false\n")
    (tmp_path / "partners" / "acme.yaml").write_text(
        "id: acme\nx12: {ids: [{qualifier: ZZ, id: ACME}]}\ndocuments:\n"
        "  - {type: '846', direction: out, profile: x12-004010-846, trigger: schedule, schedule: '0 6 * * 1-5',\n"
        "     schedule_timezone: America/Chicago}\n"
        "  - {type: '810', direction: out, profile: x12-004010-810, trigger: invoice_posted,\n"
        "     schedule_timezone: America/Chicago}\n")
    [error] = lint(tmp_path / "gateway.yaml", environ={})
    assert (Path(error.path or "").name, error.line) == ("acme.yaml", 7)
    assert "documents[1].schedule_timezone: only the clock of a `schedule`" in str(error)


async def test_a_scheduled_feed_runs_in_the_slot_of_its_time_zone(
        sandbox: SandboxServer, client: OdooClient, journal: Any, tmp_path: Path) -> None:
    """The slot (the 846's version key) is the zone's 06:00, written in UTC: Kolkata's is 00:30 UTC."""
    feed = DocumentSettings(type="846", direction="out", profile="p", trigger="schedule", schedule="0 6 * * *",
                            schedule_timezone="Asia/Kolkata")
    partner = BIGBOX.model_copy(update={"documents": [d for d in BIGBOX.documents if d.type != "846"] + [feed]})
    ctx = Ctx(tmp_path, journal, {"bigbox": partner})
    scheduler = OdooScheduler(ctx, lambda: client, render=json_render)
    assert await scheduler.run_once("bigbox", "846") == 1
    [message] = outbound(journal)
    assert (message.source_key or "").endswith(" 00:30:846")
    scheduler.schedule()
    [job] = [j for j in scheduler.scheduler.get_jobs() if j.id == "bigbox:846"]
    assert "Asia/Kolkata" in str(job.trigger)


def test_a_run_belongs_to_the_slot_it_was_scheduled_for() -> None:
    late = datetime(2026, 11, 30, 8, 1, 30, tzinfo=UTC)                 # the 08:00 run, late by a busy loop
    assert current_slot("0 */4 * * *", late) == "2026-11-30 08:00"
    assert current_slot("0 6 * * *", late) == "2026-11-30 06:00"
    assert current_slot("0 0 1 1 *", late) == "2026-01-01 00:00"     # a yearly slot, missed while stopped
    assert current_slot("*/15 * * * *", late) == "2026-11-30 08:00"
    assert current_slot(None, late) == "2026-11-30 08:01"


def stock_feed_workspace(tmp_path: Path, server: SandboxServer, **odoo_settings: Any) -> Workspace:
    partner = {"name": "Northwind", "odoo": {"partner_ref": "NORTHWIND"},
               "x12": {"ids": [{"qualifier": "12", "id": "8005551234"}], "gs_ids": ["NORTHWIND"],
                       "version": "005010"},
               "documents": [{"type": "846", "direction": "out", "profile": "x12-005010-846",
                              "trigger": "schedule", "schedule": "0 0 1 1 *"}]}        # once a year
    odoo = {"enabled": True, "url": server.url, "database": "demo", "username": "admin", "password": "admin",
            "timeout": 5.0, "retry_max": 2, "poll_seconds": 3600, **odoo_settings}
    ours = {"x12": {"qualifier": "ZZ", "id": "ACMEDIST"}, "gs": "ACMEDIST"}
    return Workspace.create(tmp_path, {"odoo": odoo, "our_ids": ours}, partners={"northwind": partner})


def test_a_slot_missed_while_the_daemon_was_down_is_run_once_at_start(tmp_path: Path) -> None:
    server = SandboxServer(version=17, seed_name="demo")
    server.start()
    try:
        ws = stock_feed_workspace(tmp_path, server)
        years = {datetime.now(UTC).year}                                 # the slot's: this New Year's (UTC)
        for _ in range(2):                                               # started, stopped, started again
            with GatewayProcess(ws.config) as gw:
                wait_for(lambda: ws.count(direction="out", doc_type="846") > 0, timeout=30,
                         message="the 846 of the missed slot")
                time.sleep(1)          # what a second run of the slot would queue (it must not)
                assert "Traceback" not in gw.output()
        feeds = ws.messages(direction="out", doc_type="846")
        years.add(datetime.now(UTC).year)
        assert len(feeds) == len({m["source_key"] for m in feeds}) >= 1
        assert all(m["source_key"].endswith(tuple(f"@{year}-01-01 00:00:846" for year in years))
                   and m["state"] in ("queued", "sent", "done") for m in feeds), feeds
    finally:
        server.stop()


def test_the_daemon_reads_schedules_on_the_clock_of_the_gateways_time_zone(tmp_path: Path) -> None:
    """gateway.yaml `odoo.schedule_timezone: Asia/Kolkata`: the yearly "0 0 1 1 *" feed is New Year's midnight in
    Kolkata, 18:30 UTC the day before, and that is the slot its 846 goes out for."""
    server = SandboxServer(version=17, seed_name="demo")
    server.start()
    try:
        ws = stock_feed_workspace(tmp_path, server, schedule_timezone="Asia/Kolkata")
        with GatewayProcess(ws.config) as gw:
            wait_for(lambda: ws.count(direction="out", doc_type="846") > 0, timeout=30, message="the 846")
            assert "Traceback" not in gw.output() and "(Asia/Kolkata)" in gw.output()
        kolkata = ZoneInfo("Asia/Kolkata")
        new_year = datetime(datetime.now(kolkata).year, 1, 1, tzinfo=kolkata).astimezone(UTC)
        [feed] = ws.messages(direction="out", doc_type="846")
        assert feed["source_key"].endswith(f"@{new_year:%Y-%m-%d %H:%M}:846") and new_year.minute == 30
    finally:
        server.stop()


async def test_an_invoice_edited_while_its_document_is_built_waits_for_its_next_version(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, tmp_path: Path) -> None:
    """Reset to draft and repriced between the search and the reads: the 810 would carry a price never posted,
    under the posted version's key (and the version posted afterwards would go out as a second 810)."""
    [link] = post(client, order(), BIGBOX, Cache())
    deliver(odoo, link.record_id)
    move = invoice(odoo, link.record_id)
    odoo.execute_kw("account.move", "action_post", [[move]])
    search_read, edited = client.search_read, []

    def meanwhile(model: str, *args: Any, **kw: Any) -> Any:
        rows = search_read(model, *args, **kw)
        if model == "account.move" and not edited:        # the run found the posted invoice; then someone edits it
            edited.append(model)
            next_second()
            odoo.execute_kw("account.move", "button_draft", [[move]])
            [line] = odoo.execute_kw("account.move.line", "search", [[("move_id", "=", move)]])[:1]
            odoo.execute_kw("account.move.line", "write", [[line], {"price_unit": 12.0}])
        return rows
    client.search_read = meanwhile                         # type: ignore[method-assign]
    ctx = Ctx(tmp_path, journal, {"bigbox": BIGBOX})
    scheduler = OdooScheduler(ctx, lambda: client, render=json_render)
    assert await scheduler.run_once("bigbox", "810") == 0 and edited
    odoo.execute_kw("account.move", "action_post", [[move]])
    assert await scheduler.run_once("bigbox", "810") == 1
    assert await scheduler.run_once("bigbox", "810") == 0
    [doc] = sent(ctx, journal)
    assert doc["lines"][0]["unit_price"] == "12"


# --------------------------------------------------------------------------- the lookback window

async def test_what_was_shipped_while_odoo_was_down_longer_than_the_window_is_still_sent(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, tmp_path: Path) -> None:
    """`lookback_days: 1`, the last run that reached Odoo five days ago, a delivery validated four days ago (Odoo
    was down in between): the window moved past it while nobody could look, and it was never sent."""
    ctx = Ctx(tmp_path, journal, {"bigbox": BIGBOX})
    ctx.config.gateway.odoo.lookback_days = 1
    scheduler = OdooScheduler(ctx, lambda: client, render=json_render)
    assert await scheduler.run_once("bigbox", "856") == 0                 # reaches Odoo: nothing shipped yet
    [link] = post(client, order(), BIGBOX, Cache())
    pick = deliver(odoo, link.record_id)
    days_ago = datetime.now(UTC) - timedelta(days=4)                       # what the days since then did:
    sandbox.db.data["stock.picking"][pick]["write_date"] = days_ago.strftime("%Y-%m-%d %H:%M:%S")
    journal.put_blob("odoo-scheduler:bigbox:856", "last_run", (days_ago - timedelta(days=1)).isoformat())
    sandbox.faults.unavailable = 1000
    assert await scheduler.run_once("bigbox", "856") == 0                 # Odoo still down
    sandbox.faults.unavailable = 0
    assert await scheduler.run_once("bigbox", "856") == 1                 # back: the delivery is found
    assert await scheduler.run_once("bigbox", "856") == 0
    [message] = outbound(journal)
    assert message.source_key == f"odoo:stock.picking,{pick}@{days_ago:%Y-%m-%d %H:%M:%S}:856"


def failing_on(tracking: set[str]) -> Any:
    """The test renderer, refusing ship notices with one of these tracking numbers (as a profile check would)."""
    from gateway.errors import TranslationError

    def render(doc: Any, *args: Any, **kw: Any) -> Any:
        if getattr(doc, "tracking_number", None) in tracking:
            raise TranslationError(f"tracking number {doc.tracking_number} is not the carrier's format", "REF*CN")
        return json_render(doc, *args, **kw)
    return render


def held_856(journal: Any) -> list[Any]:
    return [m for m in outbound(journal) if (m.source_key or "").startswith("held:odoo:stock.picking,")]


async def test_a_held_shipment_is_tried_by_id_after_it_left_the_window(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, tmp_path: Path) -> None:
    """Held in quarantine (the profile refused it), then older than the window: nothing looked at it again, so
    the fixed profile never sent it, and its entry stayed open for ever. Held records are read by id until
    they are sent or settled."""
    [link] = post(client, order(), BIGBOX, Cache())
    pick = deliver(odoo, link.record_id)
    odoo.execute_kw("stock.picking", "write", [[pick], {"carrier_tracking_ref": "BAD"}])
    week_ago = (datetime.now(UTC) - timedelta(days=7)).strftime("%Y-%m-%d %H:%M:%S")
    sandbox.db.data["stock.picking"][pick]["write_date"] = week_ago       # held a week ago, when the window
    ctx = Ctx(tmp_path, journal, {"bigbox": BIGBOX})                       # was 30 days; now it is 1
    refused = {"BAD"}
    scheduler = OdooScheduler(ctx, lambda: client, render=failing_on(refused))
    assert await scheduler.run_once("bigbox", "856") == 0
    key = f"odoo:stock.picking,{pick}@{week_ago}:856"
    assert [m.source_key for m in held_856(journal)] == [f"held:{key}"]
    ctx.config.gateway.odoo.lookback_days = 1
    assert await scheduler.run_once("bigbox", "856") == 0                 # still refused: still that one entry
    assert [(m.source_key, m.state) for m in held_856(journal)] == [(f"held:{key}", State.QUARANTINED)]
    refused.clear()                                                        # the profile is fixed
    assert await scheduler.run_once("bigbox", "856") == 1
    assert await scheduler.run_once("bigbox", "856") == 0
    [queued] = [m for m in outbound(journal) if m.state is State.QUEUED]
    assert queued.source_key == key
    assert all(m.state is State.DONE for m in held_856(journal))


async def test_a_held_version_the_record_moved_past_is_settled(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, tmp_path: Path) -> None:
    """The held version was corrected in Odoo, wrongly again, then rightly, and the correction went out: the
    entries of the versions nobody will send stayed on the status page, one per attempt."""
    [link] = post(client, order(), BIGBOX, Cache())
    pick = deliver(odoo, link.record_id)
    next_second()
    odoo.execute_kw("stock.picking", "write", [[pick], {"carrier_tracking_ref": "BAD"}])
    ctx = Ctx(tmp_path, journal, {"bigbox": BIGBOX})
    scheduler = OdooScheduler(ctx, lambda: client, render=failing_on({"BAD", "BAD AGAIN"}))
    assert await scheduler.run_once("bigbox", "856") == 0
    [first] = held_856(journal)
    next_second()
    odoo.execute_kw("stock.picking", "write", [[pick], {"carrier_tracking_ref": "BAD AGAIN"}])
    assert await scheduler.run_once("bigbox", "856") == 0
    assert {m.id: m.state for m in held_856(journal)}[first.id] is State.DONE       # the second one is open
    [second] = [m for m in held_856(journal) if m.state is State.QUARANTINED]
    assert "superseded" in journal.events(first.id)[-1].reason
    next_second()
    odoo.execute_kw("stock.picking", "write", [[pick], {"carrier_tracking_ref": "1Z999AA10123456799"}])
    assert await scheduler.run_once("bigbox", "856") == 1
    assert [m.state for m in held_856(journal)] == [State.DONE, State.DONE]
    assert "superseded" in journal.events(second.id)[-1].reason
    assert [m.state for m in outbound(journal) if not m.meta.get("held")] == [State.QUEUED]


async def test_a_held_stock_report_is_settled_by_the_next_slots(
        sandbox: SandboxServer, client: OdooClient, journal: Any, tmp_path: Path) -> None:
    """An 846 the profile refused is not read again for its own slot (stock has moved on since): the next slot's
    report replaces it, so its entry is closed as superseded when that one is queued, or held in its turn."""
    from gateway.errors import TranslationError
    broken = {"yes": True}

    def render(*args: Any, **kw: Any) -> Any:
        if broken["yes"]:
            raise TranslationError("item 3 has no GTIN, which LIN03 (UP) requires", "segment 9 LIN")
        return json_render(*args, **kw)
    scheduler = OdooScheduler(Ctx(tmp_path, journal, {"bigbox": BIGBOX}), lambda: client, render=render)

    def held() -> dict[str, State]:
        return {(m.source_key or "").rpartition("@")[2]: m.state for m in outbound(journal) if m.meta.get("held")}
    assert await scheduler.run_once("bigbox", "846", slot="2026-11-29 08:00") == 0
    assert await scheduler.run_once("bigbox", "846", slot="2026-11-29 12:00") == 0
    assert held() == {"2026-11-29 08:00:846": State.DONE, "2026-11-29 12:00:846": State.QUARANTINED}
    broken["yes"] = False
    assert await scheduler.run_once("bigbox", "846", slot="2026-11-29 16:00") == 1
    assert set(held().values()) == {State.DONE}


async def test_an_extraction_odoo_refuses_is_in_quarantine_until_it_works_again(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A permanent refusal (a record Odoo cannot give) stops every invoice to the partner: it was one ERROR line
    in the log per poll. It is now one quarantine entry on the status page while it lasts, closed by the
    first run that works; a refusal that comes back later is a new entry."""
    from gateway.errors import OdooRejected
    from gateway.odoo.extract import invoices
    _, scheduler, _ = await invoice_sent(client, odoo, journal, tmp_path)
    real = invoices.extract_invoices

    def refused(*args: Any, **kwargs: Any) -> Any:
        raise OdooRejected("Record does not exist or has been deleted.", odoo_error="odoo.exceptions.MissingError")
    monkeypatch.setattr(invoices, "extract_invoices", refused)
    for _ in range(3):
        assert await scheduler.run_once("bigbox", "810") == 0

    def held() -> list[Any]:
        return [m for m in outbound(journal) if (m.source_key or "").startswith("held:extract:810:")]
    [entry] = held()
    assert entry.state is State.QUARANTINED and entry.partner == "bigbox"
    assert "extract 810 for bigbox from Odoo: odoo.exceptions.MissingError: Record does not exist" in entry.last_error
    monkeypatch.setattr(invoices, "extract_invoices", real)
    assert await scheduler.run_once("bigbox", "810") == 0                # nothing new, but it works again
    assert [m.state for m in held()] == [State.DONE]
    monkeypatch.setattr(invoices, "extract_invoices", refused)
    assert await scheduler.run_once("bigbox", "810") == 0
    assert sorted(m.state.value for m in held()) == ["done", "quarantined"]


async def test_a_run_the_daemons_stop_cancels_ends_quietly(tmp_path: Path, journal: Any,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    """APScheduler logs a job's CancelledError as an ERROR with its traceback: every stop that came during a run
    said so, three times in the demo's log. The job APScheduler runs ends quietly; run_once itself still
    passes a cancellation on to whoever awaits it."""
    caplog.set_level(logging.INFO, logger="gateway.odoo.scheduler")
    ctx = Ctx(tmp_path, journal, {"bigbox": BIGBOX})
    scheduler = OdooScheduler(ctx, lambda: None, render=json_render)     # type: ignore[arg-type,return-value]
    scheduler.schedule()
    assert {job.func for job in scheduler.scheduler.get_jobs()} == {scheduler._job}
    started = asyncio.Event()

    async def slow_run(partner_id: str, doc_type: str, slot: str | None = None) -> int:
        started.set()
        await asyncio.Event().wait()                                    # a run in flight
        return 0
    monkeypatch.setattr(scheduler, "run_once", slow_run)
    task = asyncio.create_task(scheduler._job("bigbox", "810"))
    await started.wait()
    task.cancel()
    assert await task is None                                           # ended, no exception
    assert any("run stopped with the daemon" in r.getMessage() and r.levelname == "INFO" for r in caplog.records)


class Killed(BaseException):
    """The process dying at this point (not an error the scheduler's run could catch and log)."""


async def test_a_held_shipment_queued_just_before_a_crash_is_not_left_held(
        sandbox: SandboxServer, client: OdooClient, odoo: odoorpc.ODOO, journal: Any, tmp_path: Path) -> None:
    """A held ship notice renders after the profile was fixed; the gateway dies between queueing it and closing
    its quarantine entry. After the restart the queued key is known, so nothing renders it again: the entry
    stayed open for ever, inviting a person to send by hand what already went out. Queueing and closing are
    one journal commit."""
    [link] = post(client, order(), BIGBOX, Cache())
    pick = deliver(odoo, link.record_id)
    odoo.execute_kw("stock.picking", "write", [[pick], {"carrier_tracking_ref": "BAD"}])
    ctx = Ctx(tmp_path, journal, {"bigbox": BIGBOX})
    refused = {"BAD"}
    assert await OdooScheduler(ctx, lambda: client, render=failing_on(refused)).run_once("bigbox", "856") == 0
    [held] = held_856(journal)
    refused.clear()                                                        # the profile is fixed

    def die(partner: Any, key: str, *args: Any, **kw: Any) -> None:
        if key == held.source_key:
            raise Killed
        settle(partner, key, *args, **kw)
    settle, ctx.pipeline.settle_held = ctx.pipeline.settle_held, die       # type: ignore[method-assign]
    with pytest.raises(Killed):
        await OdooScheduler(ctx, lambda: client, render=failing_on(refused)).run_once("bigbox", "856")
    ctx.pipeline.settle_held = settle                                      # type: ignore[method-assign]
    restarted = OdooScheduler(ctx, lambda: client, render=failing_on(refused))
    assert await restarted.run_once("bigbox", "856") == 1                 # the queue died with the process
    assert await restarted.run_once("bigbox", "856") == 0
    assert journal.get(held.id).state is State.DONE
    [queued] = [m for m in outbound(journal) if m.state is State.QUEUED]
    assert queued.source_key == held.source_key.removeprefix("held:")
