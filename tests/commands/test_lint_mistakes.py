"""A coordinator's mistakes in an `edi-gateway init` workspace, each found by `edi-gateway lint` (a subprocess)
at the file, line and key, with what was expected, and never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.gateway import cli


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def lint(ws: Path) -> list[str]:
    """The error lines of `edi-gateway lint` (exit 1 expected), with the workspace folder left out."""
    done = cli("lint", config=ws / "gateway.yaml")
    assert "Traceback" not in done.stdout + done.stderr
    assert done.returncode == 1, done.stdout + done.stderr
    return [line.replace(f"{ws}/", "") for line in done.stdout.splitlines()[:-1]]


def test_the_init_workspace_is_clean(ws: Path) -> None:
    done = cli("lint", config=ws / "gateway.yaml")
    assert done.returncode == 0 and done.stdout.endswith("ok (4 partners)\n"), done.stdout


def test_a_document_type_that_is_not_its_profiles_message(ws: Path) -> None:
    """Swapped profiles (the 850 read with the 860 profile) and a misspelt type passed lint; translate then blamed
    the base profile ("number: field required")."""
    partner = ws / "partners" / "bigbox.yaml"
    edit(partner, 'type: "850", direction: in, profile: bigbox-850', 'type: "850", direction: in, profile: bigbox-860')
    edit(partner, 'type: "860", direction: in, profile: bigbox-860', 'type: "860", direction: in, profile: bigbox-850')
    edit(partner, 'type: "856", direction: out', 'type: "8560", direction: out')
    expected = [("850", "860", 28, 0), ("860", "850", 29, 1), ("8560", "856", 31, 3)]
    assert lint(ws) == [f"partners/bigbox.yaml:{line}:6: documents[{n}].type: '{typ}', but profile 'bigbox-{real}' "
                        f'is for X12 {real} (type: "{real}", or a profile for {typ})'
                        for typ, real, line, n in expected]


def test_a_document_naming_an_abstract_profile(ws: Path) -> None:
    edit(ws / "partners" / "northwind.yaml", "profile: northwind-850", "profile: northwind-codes")
    [error] = lint(ws)
    assert error.startswith("partners/northwind.yaml:28:34: documents[0].profile: 'northwind-codes' is abstract")


def test_two_partners_with_the_same_sender_ids(ws: Path) -> None:
    """A copy of bigbox.yaml for a second partner kept bigbox's ISA and GS ids: lint said ok, and the shared inbox
    gave every file of that sender to whichever partner file sorts first."""
    text = (ws / "partners" / "bigbox.yaml").read_text()
    (ws / "partners" / "bigbox2.yaml").write_text(text.replace("id: bigbox\n", "id: bigbox2\n")
                                                  .replace("BIGBOX-AS2", "BIGBOX2-AS2"))
    edit(ws / "partners" / "northwind.yaml", '{qualifier: "12", id: "8005551234"}', '{qualifier: ZZ, id: ACMEX}')
    edit(ws / "partners" / "eurohandel.yaml", '{qualifier: "14", id: "4012345000009"}', '{id: "ACMEX"}')
    (ws / "partners" / "zz.yaml").write_text('id: zz\nedifact:\n  ids: [{qualifier: "ZZ", id: ACMEX}]\n'
                                             'x12:\n  ids: [{qualifier: "12", id: ACMEX}]\n')
    errors = lint(ws)
    said = ("{0}: {1} is also partner {2}'s (partners/{2}.yaml): a file from it in the shared inbox would go to {2} "
            "(each partner needs its own sender ids)")
    assert errors == [said.format("partners/bigbox2.yaml:16:7: x12.ids[0]", "ISA sender ZZ/BIGBOXRETAIL", "bigbox"),
                      said.format("partners/bigbox2.yaml:17:12: x12.gs_ids[0]", "GS sender BIGBOX", "bigbox"),
                      said.format("partners/zz.yaml:3:9: edifact.ids[0]", "UNB sender ACMEX:ZZ", "eurohandel")], errors
    # the same ids behind channels that name their partner (no shared inbox) are not ambiguous
    edit(ws / "gateway.yaml", "  - path: inbox\n", "  - path: inbox\n    partner: northwind\n")
    done = cli("lint", config=ws / "gateway.yaml")
    assert done.returncode == 0, done.stdout


def test_a_mistake_in_a_shared_profile_is_reported_once(ws: Path) -> None:
    """Five northwind profiles extend northwind-codes: its bad code list was printed five times ("5 errors")."""
    edit(ws / "translations" / "northwind-codes.yaml", "units: {CA: DZN}", "units: [CA, DZN]")
    assert lint(ws) == ["translations/northwind-codes.yaml:6: code list 'units' must map codes to canonical values"]


def test_a_misspelt_code_list_name(ws: Path) -> None:
    """`unitz:` for `units:` passed lint: the list was merged in and never used, so Northwind's CA stayed CA (and a
    code list for a segment the profile does not map was just as silent)."""
    edit(ws / "translations" / "northwind-codes.yaml", "units: {CA: DZN}", "unitz: {CA: DZN}")
    (ws / "translations" / "bigbox-850.yaml").write_text(
        (ws / "translations" / "bigbox-850.yaml").read_text() + "codes:\n  weight_units: {LB: LBR}\n")
    assert lint(ws) == [
        "translations/bigbox-850.yaml:9: code list 'weight_units' is used by no field (no field of bigbox-850 names it)",
        "translations/northwind-codes.yaml:6: code list 'unitz' is used by no field; did you mean 'units'?"]


def test_a_shared_code_list_that_only_some_profiles_use(ws: Path) -> None:
    """northwind-codes serves five profiles; weight units only mean something to the 856 (TD1, MEA)."""
    edit(ws / "translations" / "northwind-codes.yaml", "units: {CA: DZN}", "units: {CA: DZN}\n  weight_units: {LB: LBR}")
    done = cli("lint", config=ws / "gateway.yaml")
    assert done.returncode == 0, done.stdout


def test_a_cycle_of_extends(ws: Path) -> None:
    edit(ws / "translations" / "northwind-codes.yaml", "abstract: true\n", "abstract: true\nextends: northwind-850\n")
    assert lint(ws) == ["translations/northwind-850.yaml:3: extends: 'northwind-codes' makes a cycle",
                        "translations/northwind-codes.yaml:4: extends: 'northwind-850' makes a cycle"]


def test_transport_mistakes_name_the_line_and_key(ws: Path) -> None:
    """A missing certificate or key file, a reused AS2 id or SFTP account, a server switched off: these errors
    named the file alone ("partners/bigbox.yaml: partner bigbox: ...", "gateway.yaml: a partner uses AS2 ..."),
    and our missing private key named only the key's path, not gateway.yaml."""
    (ws / "certs" / "bigbox.pem").unlink()
    (ws / "keys" / "acmedist.key").unlink()
    edit(ws / "partners" / "shopmarket.yaml", "user: shopmarket", "user: northwind")
    text = (ws / "partners" / "bigbox.yaml").read_text()
    (ws / "partners" / "bigbox2.yaml").write_text(text.replace("id: bigbox\n", "id: bigbox2\n")
                                                  .replace("BIGBOXRETAIL", "BB2").replace("[BIGBOX]", "[BB2]"))
    edit(ws / "gateway.yaml", "sftp_server: {enabled: true,", "sftp_server: {enabled: false,")
    assert lint(ws) == [
        ("partners/bigbox.yaml:25:20: inbound[0].certificates[0]: "
         "certs/bigbox.pem: cannot read certificate: No such file or directory"),
        "partners/bigbox2.yaml:24:5: inbound[0].as2_id: AS2 id 'BIGBOX-AS2' is also used by partner bigbox",
        "partners/shopmarket.yaml:20:5: inbound[0].user: SFTP user 'northwind' is also used by partner northwind",
        ("gateway.yaml:36:15: sftp_server.enabled: partners northwind, shopmarket upload to our SFTP server "
         "(inbound: sftp) but sftp_server.enabled is false"),
        ("gateway.yaml:36:15: sftp_server.enabled: partner northwind fetches files from our SFTP server "
         "(outbound: sftp) but sftp_server.enabled is false"),
        ("gateway.yaml:37:91: as2_server.private_key: no such file: give the name of the file that holds the "
         "private key (relative to gateway.yaml's folder), not the secret itself")]


@pytest.mark.parametrize("key,secret", [("password_file", "s3cret-Passw0rd"),
                                        ("password_file", "odoo-api-key-5f2b9c"),
                                        ("private_key", '"-----BEGIN PRIVATE KEY-----MIIEvQIBADANBgkqhkiG9w0BAQEF"')])
def test_a_secret_written_where_its_file_belongs_is_not_printed(ws: Path, key: str, secret: str) -> None:
    """`password_file: <the password>` printed "cannot read /ws/<the password>"; a PEM key pasted as
    as2_server.private_key was printed as the error's file name, without gateway.yaml or its line."""
    config = ws / "gateway.yaml"
    if key == "password_file":
        edit(config, "  username: admin\n", f"  username: admin\n  password_file: {secret}\n")
        where = "gateway.yaml:27:3: odoo.password_file"
    else:
        edit(config, "private_key: keys/acmedist.key", f"private_key: {secret}")
        where = "gateway.yaml:37:91: as2_server.private_key"
    [error] = lint(ws)
    assert error.startswith(f"{where}: no such file: give the name of the file"), error
    assert "MIIEv" not in error and secret not in error
    done = cli("run", config=config)
    assert done.returncode == 3 and secret.strip('"') not in done.stdout + done.stderr
    assert "Traceback" not in done.stderr and where.replace("gateway.yaml", str(config)) in done.stderr


def test_a_folder_where_a_file_is(ws: Path) -> None:
    """A folder setting naming a file (or a path through one) passed lint without a word; `run` then said
    "cannot start: File exists" for an inbox (no setting, no path), and with archive_dir under a file it started
    and held back every file with no hint at the setting. Warnings, since the daemon is made to start with an
    unusable archive and go on once it is usable (tests/spine/test_daemon.py)."""
    (ws / "notes.txt").write_text("x")
    edit(ws / "gateway.yaml", "archive_dir: archive ", "archive_dir: notes.txt/archive ")
    edit(ws / "gateway.yaml", "  - path: inbox\n", "  - path: notes.txt\n")
    edit(ws / "partners" / "eurohandel.yaml", "path: outbox/eurohandel", "path: notes.txt/eurohandel")
    done = cli("lint", config=ws / "gateway.yaml")
    assert done.returncode == 0, done.stdout
    warnings = [line.replace(f"{ws}/", "") for line in done.stdout.splitlines() if line.startswith("warning: ")]
    assert warnings == [
        "warning: gateway.yaml:6:1: archive_dir: notes.txt is a file, so notes.txt/archive cannot be made",
        "warning: gateway.yaml:32:5: inbox[0].path: notes.txt is a file, not a folder",
        ("warning: partners/eurohandel.yaml:25:29: outbound.path: notes.txt is a file, so notes.txt/eurohandel "
         "cannot be made")], done.stdout
    done = cli("run", config=ws / "gateway.yaml")         # the inbox cannot be watched: it does not start
    assert done.returncode == 4 and "Traceback" not in done.stdout + done.stderr
    assert f"folder: {ws}/gateway.yaml:32:5: inbox[0].path: {ws}/notes.txt is a file" in done.stderr
    assert f"cannot start: {ws}/notes.txt: File exists" in done.stderr


def test_a_folder_this_user_cannot_write(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """(os.access stands in for permissions: the tests may run as root, who may write anything.)"""
    from gateway.config import folders
    from gateway.config.loader import check_folders, load
    (ws / "archive").mkdir(exist_ok=True)
    real = folders.os.access
    monkeypatch.setattr(folders.os, "access", lambda p, m: Path(p).name != "archive" and real(p, m))
    [warning] = check_folders(load(ws / "gateway.yaml", environ={}))
    assert str(warning) == (f"{ws}/gateway.yaml:6:1: archive_dir: {ws}/archive is not writable by this user "
                            f"(uid {folders.os.geteuid()})")


def test_a_partner_inbox_folder_that_nothing_watches(ws: Path) -> None:
    """`inbound: [{channel: folder, path: inbox/eurohandel}]` passed lint, but only gateway.yaml's `inbox:` entries
    are watched: EuroHandel's files would have waited in that folder for ever."""
    partner = ws / "partners" / "eurohandel.yaml"
    edit(partner, "  - {channel: folder}  ", "  - {channel: folder, path: inbox/eurohandel}  ")
    [error] = lint(ws)
    assert error == ("partners/eurohandel.yaml:24:23: inbound[0].path: no inbox watches inbox/eurohandel: a folder is "
                     "watched by an inbox: entry in gateway.yaml (add '- {path: inbox/eurohandel, partner: eurohandel}' "
                     "under inbox: in gateway.yaml, or leave path out (the shared inbox))")
    edit(ws / "gateway.yaml", "inbox:\n", "inbox:\n  - {path: inbox/eurohandel, partner: eurohandel}\n")
    assert cli("lint", config=ws / "gateway.yaml").returncode == 0


def test_an_odoo_url_without_its_scheme(ws: Path) -> None:
    """`url: 127.0.0.1:8069` passed lint; every posting then failed as Odoo being unavailable, retried for days.
    A pattern's error says what the field wants in words, not as its regular expression."""
    edit(ws / "gateway.yaml", "url: http://127.0.0.1:8069", "url: 127.0.0.1:8069")
    edit(ws / "partners" / "northwind.yaml", "user: northwind\n", "user: north wind\n")
    user = "inbound[0].user: expected account name (letters, digits, _ . -); also the jail folder name"
    assert lint(ws) == ["gateway.yaml:24:3: odoo.url: expected http(s)://host[:port] of the Odoo server",
                        f"partners/northwind.yaml:24:5: {user}"]


def test_our_as2_id_written_twice(ws: Path) -> None:
    """README lists as2_server.as2_id; beside init's our_ids.as2_id (ACMEDIST) it was ignored without a word and
    a partner sending AS2-To ACMEAS2 was refused."""
    edit(ws / "gateway.yaml", "as2_server: {enabled: true,", "as2_server: {enabled: true, as2_id: ACMEAS2,")
    assert lint(ws) == [
        ("gateway.yaml:37:29: as2_server.as2_id: 'ACMEAS2' is not used: our_ids.as2_id "
         "'ACMEDIST' is our AS2 id (the AS2-To partners send, the AS2-From we send); keep one of the two")]
    edit(ws / "gateway.yaml", "as2_id: ACMEAS2,", "as2_id: ACMEDIST,")
    assert cli("lint", config=ws / "gateway.yaml").returncode == 0


def test_a_key_in_the_wrong_section_says_where_it_belongs(ws: Path) -> None:
    """README's Connection bullet names retry_hours beside odoo's settings; written under odoo: lint said 'did you
    mean retry_max?', which is another setting. A partner's confirm_orders at the top of its file said only the
    known keys."""
    edit(ws / "gateway.yaml", "  database: demo\n", "  database: demo\n  retry_hours: 24\n")
    edit(ws / "partners" / "bigbox.yaml", "name: BigBox Retail Stores\n", "name: BigBox Retail Stores\nconfirm_orders: true\n")
    assert lint(ws) == [
        ("gateway.yaml:26:3: odoo.retry_hours: unknown key 'retry_hours' ('retry_hours' belongs at the top level, "
         "not under odoo)"),
        "partners/bigbox.yaml:8:1: confirm_orders: unknown key 'confirm_orders' ('confirm_orders' belongs under odoo)"]
    # an AS2 channel's url on an SFTP channel belongs to no other level of the file: no such hint
    edit(ws / "gateway.yaml", "  retry_hours: 24\n", "")
    edit(ws / "partners" / "bigbox.yaml", "confirm_orders: true\n", "")
    edit(ws / "partners" / "northwind.yaml", "outbound: {channel: sftp, user: northwind", "outbound: {channel: sftp, "
         "user: northwind, url: 'https://x'")
    assert lint(ws) == [("partners/northwind.yaml:26:44: outbound.url: unknown key 'url' "
                         "(known keys: authorized_keys, channel, password_hash, user)")]


def test_odoo_enabled_without_a_secret_is_a_warning(ws: Path) -> None:
    """Pointing `odoo:` at an Odoo without its password passed lint in silence, and the daemon then held every
    received document with "no Odoo password or API key". A warning (not an error: under systemd the secret may
    be a credential only the service sees); gone once the environment gives it."""
    edit(ws / "gateway.yaml", "  enabled: false\n  url:", "  enabled: true\n  url:")
    done = cli("lint", config=ws / "gateway.yaml", env={"EDI_GATEWAY_ODOO_PASSWORD": ""})
    assert done.returncode == 0, done.stdout
    assert (f"warning: {ws / 'gateway.yaml'}: odoo is enabled but no password or API key is given here "
            "(odoo.password_file, EDI_GATEWAY_ODOO_PASSWORD)") in done.stdout
    given = cli("lint", config=ws / "gateway.yaml", env={"EDI_GATEWAY_ODOO_PASSWORD": "s3cret-key"})
    assert given.returncode == 0 and "no password or API key" not in given.stdout, given.stdout
    assert "s3cret-key" not in given.stdout + given.stderr
