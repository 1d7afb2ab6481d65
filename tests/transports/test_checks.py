"""Transport lint: bad certificates, keys and clashing ids are reported with the partner file."""

from __future__ import annotations

from pathlib import Path

from gateway.config.models import (
    As2Channel,
    As2KeyPair,
    As2ServerSettings,
    GatewayConfig,
    PartnerConfig,
    SftpAccountChannel,
    SftpRemoteChannel,
    SftpServerSettings,
)
from gateway.transports.checks import check
from tests.transports.certs import make_cert
from tests.transports.sftp_util import make_key


def test_good_settings_pass_and_broken_ones_are_named(tmp_path: Path) -> None:
    ours, theirs, other = make_cert(tmp_path, "acme"), make_cert(tmp_path, "bigbox"), make_cert(tmp_path, "x")
    key = make_key(tmp_path / "nw")
    gw = GatewayConfig(as2_server=As2ServerSettings(enabled=True, certificate=ours.cert_path,
                                                    private_key=ours.key_path),
                       sftp_server=SftpServerSettings(enabled=True))
    good = {"bigbox": PartnerConfig(id="bigbox", inbound=[As2Channel(channel="as2", as2_id="BB",
                                                                     certificates=[theirs.cert_path])]),
            "nw": PartnerConfig(id="nw", inbound=[SftpAccountChannel(channel="sftp", user="nw",
                                                                     authorized_keys=[Path(f"{key}.pub")])])}
    assert check(gw, good) == []

    bad_pem = tmp_path / "bad.crt"
    bad_pem.write_text("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n")
    bad_pub = tmp_path / "bad.pub"
    bad_pub.write_text("ssh-ed25519 AAAAnotakey\n")
    gw_bad = GatewayConfig(as2_server=As2ServerSettings(
        enabled=True, certificate=other.cert_path, private_key=ours.key_path,
        previous_keys=[As2KeyPair(certificate=theirs.cert_path, private_key=theirs.key_path),
                       As2KeyPair(certificate=theirs.cert_path, private_key=ours.key_path)]))
    bad = {
        "a": PartnerConfig(id="a", inbound=[As2Channel(channel="as2", as2_id="BB", certificates=[bad_pem])]),
        "b": PartnerConfig(id="b", inbound=[As2Channel(channel="as2", as2_id="BB", certificates=[theirs.cert_path])]),
        "c": PartnerConfig(id="c", inbound=[SftpAccountChannel(channel="sftp", user="c", authorized_keys=[bad_pub])]),
        "d": PartnerConfig(id="d", inbound=[SftpRemoteChannel(channel="sftp_remote", host="127.0.0.1", user="u",
                                                              key=tmp_path / "missing", known_host_key="ssh-ed25519 AAAA")]),
    }
    files = {pid: tmp_path / "partners" / f"{pid}.yaml" for pid in bad}
    text = "\n".join(str(e) for e in check(gw_bad, bad, files))
    assert "bad.crt: not a PEM or DER X.509 certificate" in text
    assert "AS2 id 'BB' is also used by partner a" in text
    assert "bad.pub:1: not an OpenSSH public key" in text
    assert "partners/d.yaml: partner d: cannot load SFTP key" in text
    assert "as2_server.certificate does not belong to as2_server.private_key" in text
    assert "as2_server.previous_keys[1].certificate does not belong to its private_key" in text
    assert "previous_keys[0]" not in text
    off = check(GatewayConfig(), {"b": bad["b"]})
    assert any("as2_server.enabled is false" in str(e) for e in off)


def test_sftp_accounts_need_the_sftp_server_enabled(tmp_path: Path) -> None:
    key = make_key(tmp_path / "nw")
    account = SftpAccountChannel(channel="sftp", user="nw", authorized_keys=[Path(f"{key}.pub")])
    sends = {"nw": PartnerConfig(id="nw", inbound=[account])}
    fetches = {"nw": PartnerConfig(id="nw", outbound=SftpAccountChannel(channel="sftp", user="nw"))}
    inbound_off = [str(e) for e in check(GatewayConfig(), sends)]
    assert any("uploads to our SFTP server (inbound: sftp)" in e and "sftp_server.enabled is false" in e
               for e in inbound_off), inbound_off
    assert any("outbound: sftp" in str(e) for e in check(GatewayConfig(), fetches))
    on = GatewayConfig(sftp_server=SftpServerSettings(enabled=True))
    assert check(on, sends) == [] and check(on, fetches) == []
