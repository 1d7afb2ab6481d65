"""Security review 2: each test is an attack over loopback that worked before its fix."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from pathlib import Path

import asyncssh
import pytest

from gateway.config.filenames import check_pattern, render_pattern
from gateway.config.models import PartnerConfig
from gateway.journal.api import State
from gateway.transports.sftp_remote import _connect
from tests.security.test_audit_ops_host import _get, ops_endpoint
from tests.spine.test_pipeline import Make, make, submit  # noqa: F401 - make is a fixture
from tests.transports.conftest import JournalIntake, intake  # noqa: F401 - intake is a fixture
from tests.transports.sftp_util import make_key
from tests.transports.test_as2_limits import exchange, status
from tests.transports.test_as2_server import World, start_server, world  # noqa: F401 - world is a fixture
from tests.transports.test_sftp_remote import DOC, PartnerSshd, poller, sshd  # noqa: F401 - sshd is a fixture
from tests.transports.test_sftp_server import SftpWorld, sftp  # noqa: F401 - sftp is a fixture

# --------------------------------------------------------------------------- SFTP: which user names exist


async def _offer_keys(w: SftpWorld, user: str, keys: list[Path]) -> int:
    """Log in as `user` offering `keys` (none of them the account's); the failures counted for 127.0.0.1."""
    w.server.failures.clear()
    with pytest.raises(asyncssh.PermissionDenied):
        await asyncssh.connect("127.0.0.1", w.port, username=user, known_hosts=str(w.known_hosts),
                               client_keys=[str(k) for k in keys], agent_path=None, password=None,
                               preferred_auth="publickey")
    return len(w.server.failures.get("127.0.0.1", []))


async def test_refused_keys_count_alike_for_real_and_unknown_users(sftp: SftpWorld) -> None:  # noqa: F811
    """A client offering two keys it was not given: for a real account one failure was counted (and one
    throttle pause taken), for an unknown user name two, the second pause twice as long. The pause and the
    lockout told an attacker which user names exist; the failure count is what both follow."""
    keys = [sftp.stranger, make_key(sftp.tmp / "keys" / "other")]
    known = await _offer_keys(sftp, "northwind", keys)
    unknown = await _offer_keys(sftp, "no-such-partner", keys)
    assert known == unknown == 1


# --------------------------------------------------------------------------- quarantine reason files

ESCAPES = "order\x1b]0;owned\x07\x1b[2J\r\u202e.x12"


def _control_characters(text: str) -> list[str]:
    return sorted({c for c in text if (ord(c) < 32 and c != "\n") or 0x7f <= ord(c) < 0xa0
                   or 0x202a <= ord(c) <= 0x202e or 0x2066 <= ord(c) <= 0x2069})


def test_a_quarantine_reason_file_carries_no_control_characters(make: Make) -> None:  # noqa: F811
    """The `.reason.txt` beside a quarantined copy is read by a person (`cat`, `less -R`, an editor): it
    quoted the partner's file name, its source key and the reason raw, so an SFTP or inbox name holding
    ESC sequences retitled or cleared the operator's terminal, as `show` and `messages` no longer can."""
    pipeline = make()
    message = submit(pipeline, b"ISA*not an interchange \x1b[1A\x1b[2K~", name=ESCAPES, key=f"sftp:acme:inbound/{ESCAPES}")
    assert pipeline.advance(message.id).state is State.QUARANTINED
    [reason] = pipeline.config.gateway.quarantine_dir.rglob("*.reason.txt")
    text = reason.read_bytes().decode("utf-8")      # not read_text: it would turn CR into LF
    assert "order" in text and f"edi-gateway close {message.id} --reason TEXT" in text
    assert _control_characters(text) == []


# --------------------------------------------------------------------------- outbound file name patterns

@pytest.mark.parametrize("pattern", ["ASN_{control:.3}.dat",           # cut: 000000001 .. 000000999 are one name
                                     "INV_{control!s:.5}.edi",         # the same through a conversion
                                     "{control:0<9}.edi"])             # EDIFACT's short 7 and 70: 700000000
def test_a_format_spec_cannot_make_two_outbound_files_share_a_name(pattern: str) -> None:
    """`{control}` is required so that no two files we send get one name (the second would overwrite the first
    in outbox/ or the partner's outbound/ before it was fetched). A format spec on it passed the check, which
    renders one sample number (9 digits), and undid that: cut to a few characters, or filled on the right for
    the short UNB numbers of EDIFACT."""
    when = datetime(2026, 1, 2, tzinfo=UTC)
    names = {Path(render_pattern(pattern, partner="euro", doc_type="DESADV", control=c, number="1",
                                 when=when)).name for c in ("7", "70", "000000071", "000000072")}
    assert len(names) < 4                                  # what the pattern did to the names
    with pytest.raises(ValueError, match=r"\{control\}"):
        check_pattern(pattern)
    with pytest.raises(ValueError):
        PartnerConfig(id="euro", filenames={"*": pattern})


# --------------------------------------------------------------------------- polling a partner's SFTP server

@pytest.mark.skipif(not Path("/usr/sbin/sshd").exists(), reason="openssh-server not installed")
async def test_a_partner_server_cannot_fill_our_disk_with_one_big_file(sshd: PartnerSshd,  # noqa: F811
                                                                       intake: JournalIntake,  # noqa: F811
                                                                       tmp_path: Path,
                                                                       caplog: pytest.LogCaptureFixture) -> None:
    """Our own SFTP server refuses uploads past `max_file_size` and AS2 bodies past `max_body`; the poller
    downloaded whatever size a partner's server listed (or served), into state/ beside the journal, then
    archived it: a compromised or broken partner server could fill the gateway's disk. It now leaves a file
    past the limit where it is (and says so), and stops reading any download at the limit."""
    p = poller(sshd, intake, tmp_path, max_file_size=1000)
    big = sshd.remote / "out" / "huge.edi"
    big.write_bytes(DOC * 100)                                        # ~7 KB, over the 1000-byte limit
    (sshd.remote / "out" / "small.edi").write_bytes(DOC)
    assert await p.poll_once() == []
    taken = await p.poll_once()
    assert [m.filename for m in taken] == ["small.edi"]
    assert big.exists() and [m.filename for m in intake.messages()] == ["small.edi"]
    # a server that lists one size and serves more: the download stops past the limit, nothing is taken
    caplog.clear()
    async with _connect(p.ch) as conn, conn.start_sftp_client() as client:
        assert await p._take(client, "huge.edi", (len(DOC), 0)) is None
    assert big.exists() and len(intake.messages()) == 1
    assert any("max_file_size" in r.getMessage() and "stopped" in r.getMessage() for r in caplog.records)


# --------------------------------------------------------------------------- AS2 headers that are not text

async def test_an_as2_message_id_that_is_not_utf8_is_refused_plainly(world: World, intake: JournalIntake,  # noqa: F811
                                                                      caplog: pytest.LogCaptureFixture) -> None:
    """Anyone (no signature needed) who named a partner's AS2-From and sent a Message-ID holding bytes that are
    not UTF-8 got a 500 and an ERROR with a traceback in our log, once per request: the error MDN quoting the
    Message-ID could not be encoded. A signed message with such an id failed the same way in the duplicate
    check, after the signature was checked, so its partner's resends all failed too."""
    server = await start_server(world, intake)
    try:
        body = b"not cms"
        head = (b"POST /as2 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: %d\r\nConnection: close\r\n"
                b"AS2-From: BIGBOX-AS2\r\nAS2-To: ACMEDIST\r\nMessage-ID: <a\xff\xfeb@bigbox>\r\n"
                b"Content-Type: application/pkcs7-mime; smime-type=enveloped-data\r\n"
                b"Disposition-Notification-To: edi@bigbox\r\n\r\n" % len(body))
        assert server.port
        answer = await exchange(server.port, [head + body])
        assert status(answer) == 400, answer[:200]
        assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
        assert intake.messages() == []
    finally:
        await server.close()



# --------------------------------------------------------------------------- the status page's one parameter

@pytest.mark.parametrize("value", ["inf", "1e300", "nan", "-inf"])
async def test_the_stuck_after_parameter_cannot_fail_the_status_page(tmp_path: Path, value: str,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    """`/?stuck_after=MINUTES` widens the stuck threshold for one look. `inf` or `1e300` overflowed the
    timedelta: a 500 and an ERROR with a traceback in the daemon's log, for any web page the operator has open
    (an <img> pointing at http://127.0.0.1:8780/?stuck_after=inf passes the Host check: it is an address)."""
    async with ops_endpoint(tmp_path) as port:
        assert await asyncio.to_thread(_get, port, f"/?stuck_after={value}", f"127.0.0.1:{port}") == 200
        assert await asyncio.to_thread(_get, port, f"/partners/acme?stuck_after={value}",
                                       f"127.0.0.1:{port}") == 404
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
