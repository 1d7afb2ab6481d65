"""Crontab lines as cron reads them, in a time zone's wall-clock time, as an APScheduler trigger.

A coordinator writes "0 6 * * 1-5" meaning 6:00 at the warehouse on weekdays. APScheduler's own
`CronTrigger.from_crontab` differs from cron three ways, each fixed here:

- weekdays: APScheduler counts from Monday = 0, crontab from Sunday = 0 (7 too): "1-5" fired Tuesday to
  Saturday. Numbered weekdays are given to it by name instead.
- day of month and weekday both restricted ("0 6 1 * 1": the 1st and every Monday): cron fires when
  EITHER matches, APScheduler only when both do (a Monday the 1st). As in cron (Vixie, cronie), a field
  that starts with "*" ("*", "*/2") is no restriction, and then the other one alone decides.
- daylight saving time (APScheduler 3 with a zoneinfo zone fires a wall time of the autumn's repeated hour
  twice, and then keeps answering that same time): a wall time the clock skips in spring fires when the clock
  jumps (as cron runs it "right after the change"); in the hour autumn repeats, a line whose minute or hour
  field starts with "*" ("*/15 * * * *", "0 * * * *": cron's "wildcard" jobs, which it schedules normally)
  fires in both passes, and a fixed time ("30 1 * * *") once, at the first pass (cron "takes care to avoid
  running jobs twice").
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger

DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")      # crontab's 0-7, Sunday both ends
CLOCK_BACK_WITHIN = timedelta(hours=3)    # cron takes a clock change under 3 hours for daylight saving time


class WallClockCron(BaseTrigger):                 # type: ignore[misc]  # APScheduler 3 has no types
    """A crontab line read in `zone`'s wall-clock time. The wall times are found by APScheduler's cron arithmetic
    on naive clock readings (no zone, so no DST of its own), then placed on the zone's timeline here."""

    def __init__(self, schedule: str, zone: tzinfo = UTC) -> None:
        self.schedule, self.zone = schedule, zone
        fields, written = _named_weekdays(schedule), schedule.split()
        if written[2].startswith("*") or written[4].startswith("*"):
            variants = [fields]
        else:                                                  # cron's OR: one trigger per restricted field
            variants = [[*fields[:4], "*"], [*fields[:2], "*", *fields[3:]]]
        self.walls = [CronTrigger.from_crontab(" ".join(v), timezone=UTC) for v in variants]
        # cron's MIN_STAR / HR_STAR: such a line runs in both passes of a repeated hour, a fixed time once
        self.twice = written[0].startswith("*") or written[1].startswith("*")

    def __str__(self) -> str:
        return f"cron[{self.schedule!r} {self.zone}]"

    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime | None:
        """The first firing at or after `now`, or right after `previous_fire_time` when that is earlier (how
        APScheduler asks for the runs a busy loop missed; the answer must then be later than it)."""
        after = now if previous_fire_time is None else min(now, previous_fire_time + timedelta(microseconds=1))
        # the reading a moment before: a skipped wall time fires at the very moment of the jump, whose own
        # reading is already past it
        moment = after - timedelta(microseconds=1)
        wall = _wall(moment.astimezone(self.zone))
        if self.twice:                 # the second pass of a wall time read before `after` may still be ahead
            wall -= _clock_back(moment, self.zone)
        again: datetime | None = None  # the first second pass at or after `after` met on the way
        while True:
            found = [t for t in (w.get_next_fire_time(None, wall) for w in self.walls) if t is not None]
            if not found:
                return again                                  # "0 0 30 2 *": never
            wall = min(found)
            fire = self.instant(wall)
            if fire >= after:          # first passes only grow with the wall time: no later one comes sooner
                return fire if again is None else min(fire, again)
            if self.twice and again is None:
                again = self.second_pass(wall, after)
            wall += timedelta(minutes=1)

    def instant(self, wall: datetime) -> datetime:
        """When a wall-clock time (a naive reading carried as UTC) happens in the zone: the first pass of a
        repeated time, the moment the clock jumps for a skipped one."""
        local = wall.replace(tzinfo=self.zone)                # fold 0: the first of two passes
        fire = local.astimezone(UTC)
        if _wall(fire.astimezone(self.zone)) == wall:
            return fire
        # skipped: fold 0 reads it with the offset before the jump, so it lands after the jump; walk back to it
        jump = local.replace(fold=1).astimezone(UTC)          # the offset after the jump: lands before it
        while _wall((jump + timedelta(minutes=1)).astimezone(self.zone)) < wall:
            jump += timedelta(minutes=1)
        return jump + timedelta(minutes=1)

    def second_pass(self, wall: datetime, after: datetime) -> datetime | None:
        """When a wall-clock time the autumn change repeats happens the second time, if that is at or after
        `after`; None for a time the clock shows once (or skips)."""
        fire = wall.replace(tzinfo=self.zone, fold=1).astimezone(UTC)
        first = wall.replace(tzinfo=self.zone).astimezone(UTC)
        if fire != first and fire >= after and _wall(fire.astimezone(self.zone)) == wall:
            return fire
        return None


def cron_trigger(schedule: str, zone: tzinfo = UTC) -> WallClockCron:
    """A crontab line ("minute hour day month weekday") in `zone`'s wall-clock time; ValueError when it is none."""
    return WallClockCron(schedule, zone)


def _named_weekdays(schedule: str) -> list[str]:
    """The five fields, the weekday's numbers (crontab's, Sunday = 0 or 7) given as names."""
    fields = schedule.split()
    if len(fields) != 5:
        raise ValueError(f"Wrong number of fields; got {len(fields)}, expected 5")
    if fields[4] != "*":
        fields[4] = ",".join(dict.fromkeys(name for part in fields[4].split(",")
                                           for name in _weekday_names(part, schedule)))
    return fields


def _weekday_names(part: str, schedule: str) -> list[str]:
    """One comma part of the weekday field as day names ("1-5" -> mon..fri); names stay as they are."""
    if any(c.isalpha() for c in part):
        return [part]
    span, _, step = part.partition("/")
    first, _, last = span.partition("-")
    low, high = (0, 7) if span == "*" else (int(first), int(last or (7 if step else first)))
    if not (0 <= low <= high <= 7):
        raise ValueError(f"weekday {part!r} of {schedule!r} is not within 0-7")
    return [DAY_NAMES[d] for d in range(low, high + 1, int(step or 1))]


def _clock_back(moment: datetime, zone: tzinfo) -> timedelta:
    """How far `zone`'s clock is set back within CLOCK_BACK_WITHIN after `moment` (zero when it is not): the
    wall times from that much before `moment`'s reading may still have a pass to come."""
    now, later = moment.astimezone(zone).utcoffset(), (moment + CLOCK_BACK_WITHIN).astimezone(zone).utcoffset()
    return max(timedelta(0), (now or timedelta(0)) - (later or timedelta(0)))


def _wall(moment: datetime) -> datetime:
    """A zone-aware moment's clock reading, carried as UTC (so APScheduler's cron does no DST of its own)."""
    return moment.replace(tzinfo=UTC, fold=0)
