"""A 100 MB AS2 payload must not take more than about twice its size in the server's memory.

AES-CBC (EnvelopedData) and AES-GCM (AuthEnvelopedData, whose tag comes after the ciphertext, so
the ciphertext waits on disk for it): memory must stay as flat for one as for the other."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

import pytest

from tests.helpers.wait import wait_for_async
from tests.transports.as2_peer import as2_headers, build_message, curl_post
from tests.transports.certs import make_cert

SIZE = 100 * 1024 * 1024
AUTH_CTYPE = "application/pkcs7-mime; smime-type=authEnveloped-data; name=smime.p7m"


def vm(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024
    raise AssertionError(key)


@pytest.mark.slow
@pytest.mark.parametrize("cipher", ["-aes256", "-aes-256-gcm"], ids=["aes256-cbc", "aes256-gcm"])
async def test_100mb_signed_encrypted_payload_peak_rss(tmp_path: Path, cipher: str) -> None:
    ours = make_cert(tmp_path, "acme")
    partner = make_cert(tmp_path, "bigbox")
    line = b"LIN*1*BP*WB-100*UP*614141000012~\n"
    payload = line * (SIZE // len(line))
    ctype, body, _ = await asyncio.to_thread(build_message, tmp_path / "msg", payload, signer=partner,
                                             recipient=ours, cipher=cipher)
    if "gcm" in cipher:
        ctype = AUTH_CTYPE
    del payload
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "tests.transports.as2_server_proc",
                                                str(tmp_path), cwd=Path(__file__).resolve().parents[2])
    try:
        await wait_for_async((tmp_path / "port").exists, timeout=60, message="the AS2 server's port file")
        port = int((tmp_path / "port").read_text())
        baseline = vm(proc.pid, "VmHWM")
        started = time.monotonic()
        reply = await asyncio.to_thread(curl_post, f"http://127.0.0.1:{port}/as2", body,
                                        as2_headers("BIGBOX-AS2", "ACMEDIST", "<big@bigbox>", ctype), tmp_path)
        assert reply.status == 200 and b"; processed" in reply.body
        elapsed = time.monotonic() - started          # reported, never asserted
        peak = vm(proc.pid, "VmHWM")
        growth = peak - baseline
        print(f"\nAS2 100 MB signed+encrypted ({cipher}): server baseline RSS {baseline >> 20} MiB, peak {peak >> 20} MiB, "
              f"growth {growth >> 20} MiB ({growth / SIZE:.2f}x payload), round trip {elapsed:.1f}s")
        assert growth < 2 * SIZE
        stored = list((tmp_path / "state" / "archive").rglob("*"))
        assert any(p.is_file() and p.stat().st_size == SIZE // len(line) * len(line) for p in stored)
    finally:
        proc.terminate()
        await asyncio.wait_for(proc.wait(), 10)
