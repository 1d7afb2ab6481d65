"""Through the real pipeline: a BigBox 850 sample is posted once, and each Odoo failure ends where it should
(the journal's quarantine reason carries Odoo's exception name and message; outages wait and retry)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.config.loader import LoadedConfig
from gateway.config.models import GatewayConfig, OdooSettings, OutboxSettings
from gateway.journal.api import State
from gateway.journal.archive import Archive
from gateway.journal.sqlite import open_journal
from gateway.odoo import posting
from gateway.odoo.sandbox import SandboxServer
from gateway.pipeline import Pipeline
from gateway.transports.base import IntakeMeta
from tests.helpers.examples import loaded_examples
from tests.odoo.conftest import API_KEY_19

EXAMPLES = Path(__file__).resolve().parents[2] / "gateway" / "examples"
SAMPLE = EXAMPLES / "samples" / "bigbox" / "850_4500001234.edi"


@pytest.fixture(scope="module")
def examples() -> LoadedConfig:
    return loaded_examples()


def pipeline_for(tmp: Path, examples: LoadedConfig, sandbox: SandboxServer, **odoo: Any) -> tuple[Pipeline, Any]:
    secret = API_KEY_19 if sandbox.version >= 19 else "admin"
    # a lost create answer waits `in_doubt_seconds` before the next post: the sandbox commits first, so briefly
    settings = {"url": sandbox.url, "password": secret, "timeout": 5.0, "retry_max": 2, "in_doubt_seconds": 0.2,
                **odoo}
    gateway = GatewayConfig(state_dir=tmp / "state", archive_dir=tmp / "archive", quarantine_dir=tmp / "quarantine",
                            our_ids=examples.gateway.our_ids, odoo=OdooSettings(**settings),
                            outbox=OutboxSettings(min_backoff=0.01, max_backoff=0.02))
    config = LoadedConfig(path=tmp / "gateway.yaml", gateway=gateway, partners=dict(examples.partners),
                          profiles=examples.profiles)
    journal = open_journal(tmp / "state")
    return Pipeline(config, journal, Archive(tmp / "archive")), journal


def run(pipeline: Pipeline, message_id: str, until: set[State], rounds: int = 20) -> Any:
    message = pipeline.advance(message_id)
    for _ in range(rounds):
        if message.state in until:
            return message
        time.sleep(0.03)                         # the backoff above is 10-20 ms
        message = pipeline.advance(message_id)
    return message


def orders(sandbox: SandboxServer) -> list[dict[str, Any]]:
    odoo = odoorpc.ODOO("127.0.0.1", port=sandbox.port)
    odoo.login("demo", "admin", API_KEY_19 if sandbox.version >= 19 else "admin")
    rows: list[dict[str, Any]] = odoo.execute_kw("sale.order", "search_read",
                                                 [[("client_order_ref", "=", "4500001234")],
                                                  ["order_line", "partner_shipping_id"]])
    return rows


async def test_sample_order_posted_once_despite_a_lost_response(tmp_path: Path, examples: LoadedConfig,
                                                                sandbox: SandboxServer) -> None:
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)
    sandbox.faults.drop_after_create["sale.order"] = 1
    message = await pipeline.submit(SAMPLE.read_bytes(), IntakeMeta(channel="as2", filename=SAMPLE.name,
                                                                    partner="bigbox"))
    first = pipeline.advance(message.id)
    assert first.state is State.RETRY_WAIT and "OdooUnavailable" not in (first.last_error or "") \
        and "sale.order.create" in (first.last_error or "")
    done = run(pipeline, message.id, {State.DONE})
    assert done.state is State.DONE
    assert [(link.model, link.role) for link in journal.odoo_links(message.id)] == [("sale.order", "found")]
    [order] = orders(sandbox)
    assert order["id"] == journal.odoo_links(message.id)[0].record_id and order["partner_shipping_id"][1].endswith(
        "BigBox DC 1")


async def test_a_lost_create_answer_is_waited_out_before_posting_again(tmp_path: Path, examples: LoadedConfig,
                                                                       sandbox: SandboxServer) -> None:
    """A create whose answer was lost may still be running in Odoo (a real one works on until its
    limit_time_real): a search right away would find nothing and the order would be made twice. The message
    waits `odoo.in_doubt_seconds` before it is posted again, asking Odoo nothing meanwhile and counting no
    attempt; a failed read is tried again at once as before (nothing can be in doubt)."""
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox, in_doubt_seconds=60)
    sandbox.faults.drop_after_create["sale.order"] = 1
    message = await pipeline.submit(SAMPLE.read_bytes(), IntakeMeta(channel="as2", filename=SAMPLE.name,
                                                                    partner="bigbox"))
    first = pipeline.advance(message.id)
    assert first.state is State.RETRY_WAIT and first.meta.get("odoo_in_doubt_until")
    journal.note(message.id, look_again_at=posting_now())           # as if its backoff had passed
    calls = sandbox.faults.calls
    again = pipeline.advance(message.id)
    assert again.state is State.RETRY_WAIT and "may still be running in Odoo" in (again.last_error or "")
    assert again.attempts == first.attempts and sandbox.faults.calls == calls          # Odoo was not asked
    assert again.next_attempt_at is not None and again.next_attempt_at.isoformat() >= again.meta[
        "odoo_in_doubt_until"][:19]
    assert len(orders(sandbox)) == 1


def posting_now() -> Any:
    from gateway.pipeline import utcnow
    return utcnow()


async def test_a_failed_read_leaves_nothing_in_doubt(tmp_path: Path, examples: LoadedConfig,
                                                   sandbox: SandboxServer) -> None:
    pipeline, _journal = pipeline_for(tmp_path, examples, sandbox, in_doubt_seconds=60)
    message = await pipeline.submit(SAMPLE.read_bytes(), IntakeMeta(channel="as2", filename=SAMPLE.name,
                                                                    partner="bigbox"))
    sandbox.faults.unavailable = 3                                   # 503s: certainly not executed
    first = pipeline.advance(message.id)
    assert first.state is State.RETRY_WAIT and "odoo_in_doubt_until" not in first.meta
    assert run(pipeline, message.id, {State.DONE}).state is State.DONE


async def test_odoo_access_error_reaches_the_quarantine_reason(tmp_path: Path, examples: LoadedConfig) -> None:
    with SandboxServer(17) as sandbox:
        pipeline, _journal = pipeline_for(tmp_path, examples, sandbox, username="portal", password="portal")
        message = await pipeline.submit(SAMPLE.read_bytes(), IntakeMeta(channel="as2", filename=SAMPLE.name,
                                                                        partner="bigbox"))
        result = run(pipeline, message.id, {State.QUARANTINED})
        assert result.state is State.QUARANTINED
        assert "odoo.exceptions.AccessError: You are not allowed to access" in (result.last_error or "")
        reason = (tmp_path / "quarantine" / "bigbox").glob("*.reason.txt")
        assert "odoo.exceptions.AccessError" in next(reason).read_text()


async def test_unknown_product_is_quarantined_naming_line_and_item(tmp_path: Path, examples: LoadedConfig,
                                                                   odoo: odoorpc.ODOO,
                                                                   sandbox: SandboxServer) -> None:
    odoo.execute_kw("product.customerinfo", "unlink", [odoo.execute_kw("product.customerinfo", "search",
                                                                       [[("product_code", "=", "BB-1002")]])])
    odoo.execute_kw("product.product", "write", [[2], {"barcode": False, "default_code": "RW-OLD"}])
    pipeline, _journal = pipeline_for(tmp_path, examples, sandbox)
    message = await pipeline.submit(SAMPLE.read_bytes(), IntakeMeta(channel="as2", filename=SAMPLE.name,
                                                                    partner="bigbox"))
    result = run(pipeline, message.id, {State.QUARANTINED})
    assert result.state is State.QUARANTINED
    assert "order 4500001234, line 2" in (result.last_error or "") and "BB-1002" in (result.last_error or "")
    assert orders(sandbox) == []



def unknown_item(odoo: odoorpc.ODOO) -> Callable[[], None]:
    """BigBox's BB-1002 (product 2) made unknown to Odoo: no barcode, another internal and customer code; the
    function returned sets it up again, as the person fixing a quarantined order would."""
    codes = odoo.execute_kw("product.product", "read", [[2], ["barcode", "default_code"]])[0]
    infos = odoo.execute_kw("product.customerinfo", "search_read", [[("product_code", "=", "BB-1002")]],
                            {"fields": ["product_code"]})
    odoo.execute_kw("product.customerinfo", "write", [[i["id"] for i in infos], {"product_code": "BB-OLD"}])
    odoo.execute_kw("product.product", "write", [[2], {"barcode": False, "default_code": "RW-OLD"}])

    def set_up_again() -> None:
        odoo.execute_kw("product.customerinfo", "write", [[i["id"] for i in infos], {"product_code": "BB-1002"}])
        odoo.execute_kw("product.product", "write", [[2], {"barcode": codes["barcode"],
                                                           "default_code": codes["default_code"]}])
    return set_up_again


async def test_a_replay_after_the_product_was_made_in_odoo_finds_it(tmp_path: Path, examples: LoadedConfig,
                                                                    odoo: odoorpc.ODOO,
                                                                    sandbox: SandboxServer) -> None:
    """The coordinator's way: the order is quarantined for an unknown item, someone sets it up in Odoo, then
    `replay`. The lookups remembered the miss for minutes, so the replay was quarantined again until the daemon
    restarted; a replay now posts with fresh lookups (and a SIGHUP reload forgets them too)."""
    set_up_again = unknown_item(odoo)
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)
    message = await pipeline.submit(SAMPLE.read_bytes(), IntakeMeta(channel="as2", filename=SAMPLE.name,
                                                                    partner="bigbox"))
    assert run(pipeline, message.id, {State.QUARANTINED}).state is State.QUARANTINED
    set_up_again()
    pipeline.replay(message.id)
    done = run(pipeline, message.id, {State.DONE, State.QUARANTINED})
    assert done.state is State.DONE, done.last_error
    assert len(orders(sandbox)) == 1
    assert journal.get(message.id).meta.get("replayed_at")


async def test_a_replay_of_many_messages_forgets_the_lookups_once(tmp_path: Path, examples: LoadedConfig,
                                                                   odoo: odoorpc.ODOO, sandbox: SandboxServer) -> None:
    """Replaying the quarantine after a fix in Odoo (two orders here): each replayed post dropped every lookup,
    so the second posted as if the daemon had just started, and so did any other message posting meanwhile;
    only what was remembered before the replay was asked for is forgotten."""
    set_up_again = unknown_item(odoo)
    pipeline, _journal = pipeline_for(tmp_path, examples, sandbox)
    second = SAMPLE.read_bytes()
    for was, now in ((b"000001201", b"000001202"), (b"*1201*", b"*1202*"), (b"GE*1*1201", b"GE*1*1202"),
                     (b"4500001234", b"4500001299")):             # another interchange, another order
        second = second.replace(was, now)
    ids = [(await pipeline.submit(data, IntakeMeta(channel="as2", filename=f"{n}.edi", partner="bigbox"))).id
           for n, data in enumerate((SAMPLE.read_bytes(), second))]
    assert [run(pipeline, i, {State.QUARANTINED}).state for i in ids] == [State.QUARANTINED] * 2
    set_up_again()
    for i in ids:
        pipeline.replay(i)
    calls = [sandbox.faults.calls]
    for i in ids:
        done = run(pipeline, i, {State.DONE, State.QUARANTINED})
        assert done.state is State.DONE, done.last_error
        calls.append(sandbox.faults.calls)
    first, then = calls[1] - calls[0], calls[2] - calls[1]
    assert then < first - 5, (first, then)       # 12 and 3: the second finds its customer, products, units known


async def test_odoo_outage_waits_and_retries(tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer) -> None:
    pipeline, _journal = pipeline_for(tmp_path, examples, sandbox)
    message = await pipeline.submit(SAMPLE.read_bytes(), IntakeMeta(channel="as2", filename=SAMPLE.name,
                                                                    partner="bigbox"))
    sandbox.faults.unavailable = 3
    first = pipeline.advance(message.id)
    assert first.state is State.RETRY_WAIT and "503" in (first.last_error or "")
    assert run(pipeline, message.id, {State.DONE}).state is State.DONE
    assert len(orders(sandbox)) == 1


async def test_a_password_or_key_refused_mid_run_makes_documents_wait_not_quarantined(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer) -> None:
    """Odoo 19's API keys expire (three months at most) and any key can be revoked: what was a working login is
    refused from one call on. That is an outage to fix in Odoo or the configuration, not a fault of each
    document: they wait, as when Odoo is down, and go through once the credentials work again."""
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)
    pipeline._odoo()                                   # logged in, as a running gateway is
    [user] = [u for u in sandbox.db.users.values() if u.login == "admin"]
    secret, keys = user.password, list(user.api_keys)
    user.password, user.api_keys = "changed-by-an-admin", []
    message = await pipeline.submit(SAMPLE.read_bytes(), IntakeMeta(channel="as2", filename=SAMPLE.name,
                                                                    partner="bigbox"))
    waiting = run(pipeline, message.id, {State.RETRY_WAIT, State.QUARANTINED})
    assert waiting.state is State.RETRY_WAIT, waiting.last_error
    assert "Odoo refused the gateway's password or API key" in (waiting.last_error or "")
    assert pipeline._odoo_client is None              # the next attempt logs in afresh
    assert journal.odoo_links(message.id) == []
    user.password, user.api_keys = secret, keys
    assert run(pipeline, message.id, {State.DONE}).state is State.DONE
    assert len(orders(sandbox)) == 1


async def test_the_same_po_in_two_files_posted_at_once_makes_one_order(tmp_path: Path, examples: LoadedConfig,
                                                                       sandbox: SandboxServer) -> None:
    """A partner resends a PO in a new interchange (its first send timed out on its side): two messages, two
    workers, the same PO at the same moment. Each looks for the order before creating it; without posting
    one business number at a time, both found none and both created one."""
    from concurrent.futures import ThreadPoolExecutor
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)
    data = SAMPLE.read_bytes()
    resent = data.replace(data[90:99], b"%09d" % (int(data[90:99]) + 1))       # another ISA13 / IEA02
    first = await pipeline.submit(data, IntakeMeta(channel="as2", filename="a.edi", partner="bigbox"))
    second = await pipeline.submit(resent, IntakeMeta(channel="as2", filename="b.edi", partner="bigbox"))
    sandbox.faults.unavailable = 10 ** 6                # Odoo down: both are parsed and translated, then wait
    for message in (first, second):
        assert pipeline.advance(message.id).state is State.RETRY_WAIT
    sandbox.faults.unavailable = 0
    sandbox.faults.delay = 0.05                         # back, and every call takes a while, as over a WAN
    with ThreadPoolExecutor(2) as pool:
        done = list(pool.map(lambda m: run(pipeline, m.id, {State.DONE}), (first, second)))
    assert [m.state for m in done] == [State.DONE, State.DONE]
    assert len(orders(sandbox)) == 1
    links = [(link.model, link.role) for m in done for link in journal.odoo_links(m.id) if link.model == "sale.order"]
    assert sorted(links) == [("sale.order", "created"), ("sale.order", "found")]


def batch_of_three() -> tuple[bytes, list[str]]:
    """The sample 850 three times in one interchange (ST 0001-0003), as POs 4500001234, -35, -36."""
    text = SAMPLE.read_text()
    head, _, rest = text.partition("ST*850*0001~")
    body, _, _tail = rest.partition("GE*1*1201~")
    numbers = ["4500001234", "4500001235", "4500001236"]
    sets = [("ST*850*0001~" + body).replace("0001~", f"{i:04d}~").replace("4500001234", number)
            for i, number in enumerate(numbers, 1)]
    return (head + "".join(sets) + "GE*3*1201~IEA*1*000001201~").encode(), numbers


async def test_a_stop_between_the_documents_of_a_batch_leaves_the_rest_for_the_next_start(
        tmp_path: Path, examples: LoadedConfig, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """The daemon stops while a batch file's orders are being posted, Odoo up: the step ends after the document in
    hand (no new one begun that the drain bound could cut in the middle of a call); the message stays translated,
    no attempt counted, and the next run posts the others and finds the first: each order once."""
    pipeline, journal = pipeline_for(tmp_path, examples, sandbox)
    data, numbers = batch_of_three()
    real = posting.post

    def post_then_stop(*args: Any, **kwargs: Any) -> Any:
        links = real(*args, **kwargs)
        pipeline.halt.set()                     # SIGTERM while the first order was being posted
        return links

    monkeypatch.setattr(posting, "post", post_then_stop)
    message = await pipeline.submit(data, IntakeMeta(channel="as2", filename="batch.edi", partner="bigbox"))
    left = pipeline.advance(message.id)
    assert (left.state, left.attempts, left.next_attempt_at) == (State.TRANSLATED, 0, None), left.last_error
    assert "the gateway is stopping" in (left.last_error or "")
    assert [link.role for link in journal.odoo_links(message.id)] == ["created"]
    # the next start: a new pipeline on the same journal, not stopping
    again = Pipeline(pipeline.config, journal, Archive(tmp_path / "archive"))
    assert again.advance(message.id).state is State.DONE
    odoo = odoorpc.ODOO("127.0.0.1", port=sandbox.port)
    odoo.login("demo", "admin", API_KEY_19 if sandbox.version >= 19 else "admin")
    refs = [r["client_order_ref"] for r in odoo.execute_kw("sale.order", "search_read",
                                                            [[("client_order_ref", "in", numbers)], ["client_order_ref"]])]
    assert sorted(refs) == numbers
