"""/metrics reuses query results while the journal is unchanged: every scrape after a commit (by the
journal, another process, or a raw write) must still show the journal as it is now."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from gateway.journal.api import Direction, State
from gateway.journal.sqlite import SqliteJournal
from gateway.ops import metrics
from gateway.ops.queries import JournalQueries

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(queries: JournalQueries, now: datetime | None = None) -> Samples:
    text = metrics.render(metrics.collect(queries, now or datetime.now(UTC)))
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def count(s: Samples, name: str, **labels: str) -> float:
    return s.get((name, frozenset(labels.items())), 0.0)


def test_each_scrape_shows_the_state_change_before_it(tmp_path: Path) -> None:
    journal = SqliteJournal(tmp_path / "journal.sqlite3")
    queries = JournalQueries(journal.path)
    msg = journal.record_intake(direction=Direction.IN, partner="acme", channel="folder", filename="po.x12",
                                sha256="a" * 64, size=10, source_key="folder:po.x12")
    m = "edi_gateway_messages"
    s = scrape(queries)
    assert count(s, m, direction="in", state="received", partner="acme", type="") == 1
    assert scrape(queries) == s                       # nothing changed: the same figures
    journal.transition(msg.id, State.PARSED, "parsed", doc_type="850")
    s = scrape(queries)
    assert count(s, m, direction="in", state="received", partner="acme", type="") == 0
    assert count(s, m, direction="in", state="parsed", partner="acme", type="850") == 1
    journal.transition(msg.id, State.RETRY_WAIT, "Odoo down", error="OdooUnavailable")
    s = scrape(queries)
    assert count(s, "edi_gateway_retries_total", partner="acme", direction="in") == 1
    journal.transition(msg.id, State.PARSED, "retry")
    journal.transition(msg.id, State.TRANSLATED, "translated")
    assert count(scrape(queries), "edi_gateway_intake_to_odoo_seconds_count", partner="acme", type="850") == 0
    journal.transition(msg.id, State.POSTED, "posted")
    s = scrape(queries)
    assert count(s, "edi_gateway_intake_to_odoo_seconds_count", partner="acme", type="850") == 1
    assert count(s, m, direction="in", state="posted", partner="acme", type="850") == 1
    queries.close()
    journal.close()


def test_a_write_from_another_connection_is_seen(tmp_path: Path) -> None:
    journal = SqliteJournal(tmp_path / "journal.sqlite3")
    queries = JournalQueries(journal.path)
    out = journal.record_intake(direction=Direction.OUT, partner="acme", channel="as2", filename="asn.x12",
                                sha256="b" * 64, size=10, source_key="asn:1", state=State.QUEUED)
    assert count(scrape(queries), "edi_gateway_outbox_depth", partner="acme") == 1
    other = SqliteJournal(journal.path)               # as the CLI's `resend` would, in its own process
    other.transition(out.id, State.SENT, "delivered")
    other.expect_ack(out.id, "acme", "997", "1", None, datetime(2000, 1, 1, tzinfo=UTC))
    other.close()
    now = datetime.now(UTC)
    s = scrape(queries, now)
    assert count(s, "edi_gateway_outbox_depth", partner="acme") == 0
    assert count(s, "edi_gateway_overdue_acks", partner="acme") == 1
    age = count(s, "edi_gateway_oldest_unacked_outbound_age_seconds", partner="acme")
    with sqlite3.connect(journal.path) as db:         # a raw write (no journal API) moves the figure too
        db.execute("UPDATE messages SET updated_at = '2001-01-01T00:00:00.000000+00:00' WHERE id = ?", (out.id,))
    later = count(scrape(queries, now), "edi_gateway_oldest_unacked_outbound_age_seconds", partner="acme")
    assert later > age + 20 * 365 * 86400
    queries.close()
    journal.close()


def test_an_existing_journal_gets_the_metrics_index_on_open(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    SqliteJournal(path).close()
    with sqlite3.connect(path) as db:                 # a journal written before the index existed
        db.execute("DROP INDEX messages_metrics")
    SqliteJournal(path).close()
    with sqlite3.connect(path) as db:
        names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        plan = " ".join(str(r) for r in db.execute(
            "EXPLAIN QUERY PLAN SELECT direction, state, partner, doc_type, COUNT(*) FROM messages "
            "GROUP BY direction, state, partner, doc_type"))
    assert "messages_metrics" in names
    assert "COVERING INDEX messages_metrics" in plan and "TEMP B-TREE" not in plan


def test_the_latency_histogram_kept_up_to_date_equals_a_full_count(tmp_path: Path) -> None:
    # one reader scrapes after every few writes (and keeps its histogram up to date from the new events);
    # a fresh reader each time counts everything: both must agree, also for a message posted twice
    journal = SqliteJournal(tmp_path / "journal.sqlite3")
    kept = JournalQueries(journal.path)
    full_counts = []
    count_all = kept._latency_upto
    kept._latency_upto = lambda top: full_counts.append(top) or count_all(top)   # type: ignore[method-assign]
    posted = []
    for n in range(12):
        msg = journal.record_intake(direction=Direction.IN, partner=("acme", "euro")[n % 2], channel="folder",
                                    filename=f"{n}.x12", sha256=f"{n:064x}", size=10, source_key=f"folder:{n}")
        journal.transition(msg.id, State.PARSED, "parsed", doc_type=("850", "ORDERS")[n % 2])
        journal.transition(msg.id, State.TRANSLATED, "translated")
        if n % 3:
            journal.transition(msg.id, State.POSTED, "posted")
            posted.append(msg.id)
        if n == 7:         # a second POSTED event for an earlier message (as after a replay): counted once
            with sqlite3.connect(journal.path) as db:
                db.execute("INSERT INTO events (message_id, at, from_state, to_state, reason) VALUES "
                           "(?, '2099-01-01T00:00:00.000000+00:00', 'translated', 'posted', 'again')", (posted[0],))
        fresh = JournalQueries(journal.path)
        assert kept.intake_to_odoo() == fresh.intake_to_odoo()
        fresh.close()
    figures = kept.intake_to_odoo()
    assert len(full_counts) == 1          # the whole journal was counted once; every later scrape added to it
    assert sum(h.count for h in figures.values()) == len(posted) == 8
    assert set(figures) == {("acme", "850"), ("euro", "ORDERS")}
    kept.close()
    journal.close()
