"""Configuration: every error names file:line:column, the field, what was expected, and a hint."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gateway.config.loader import ConfigErrors, find_config, lint, load

EXAMPLES = Path(__file__).resolve().parents[2] / "gateway" / "examples"


def write(folder: Path, text: str, name: str = "gateway.yaml") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_example_gateway_yaml_is_valid_and_paths_are_relative_to_it(tmp_path: Path) -> None:
    shutil.copy(EXAMPLES / "gateway.yaml", tmp_path / "gateway.yaml")
    config = load(tmp_path / "gateway.yaml", environ={})
    assert config.gateway.state_dir == tmp_path / "state"
    assert config.gateway.inbox[0].processed == tmp_path / "inbox" / "processed"


def test_misspelt_key_points_at_line_and_suggests(tmp_path: Path) -> None:
    path = write(tmp_path, "odoo:\n  enabled: false\n  urll: http://x\n")
    [error] = lint(path, environ={})
    assert (error.path, error.line, error.column) == (str(path), 3, 3)
    assert "odoo.urll" in str(error) and "did you mean 'url'?" in str(error)
    assert str(error).startswith(f"{path}:3:3: ")


def test_wrong_type_names_field_and_expectation(tmp_path: Path) -> None:
    path = write(tmp_path, "workers: many\n")
    [error] = lint(path, environ={})
    assert error.line == 1 and error.column == 1
    assert "workers" in str(error) and "integer" in str(error)


def test_partner_errors_all_reported_with_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "odoo: {enabled: false}\n")
    write(tmp_path, "id: acme\ninbound:\n  - channel: sftp\n    usr: bob\noutbound: {channel: sftpp}\n",
          "partners/acme.yaml")
    write(tmp_path, "id: [oops\n", "partners/broken.yaml")
    errors = [str(e) for e in lint(path, environ={})]
    acme = str(tmp_path / "partners" / "acme.yaml")
    assert f"{acme}:4:5: inbound[0].usr: unknown key 'usr' (did you mean 'user'?)" in errors
    assert any(e.startswith(f"{acme}:3:5: inbound[0].user: 'user' is required") for e in errors)
    assert any(e.startswith(f"{acme}:5:12: outbound.channel: expected one of") and "did you mean 'sftp'" in e
               for e in errors)
    assert any("broken.yaml:2:1: YAML syntax" in e for e in errors)


def test_duplicate_partner_id_and_unknown_inbox_partner(tmp_path: Path) -> None:
    path = write(tmp_path, "odoo: {enabled: false}\ninbox:\n  - {path: in, partner: acm}\n")
    write(tmp_path, "id: acme\n", "partners/a.yaml")
    errors = lint(path, environ={})
    assert len(errors) == 1 and "did you mean 'acme'" in str(errors[0]) and errors[0].line == 3
    write(tmp_path, "id: acme\n", "partners/b.yaml")
    assert any("already defined" in str(e) for e in lint(path, environ={}))


def test_odoo_environment_overrides_and_secret_sources(tmp_path: Path) -> None:
    path = write(tmp_path, "odoo:\n  url: http://file\n  password_file: secret.txt\n")
    (tmp_path / "secret.txt").write_text("from-file\n")
    config = load(path, environ={}).gateway
    assert config.odoo.url == "http://file" and config.odoo.password is not None
    assert config.odoo.password.get_secret_value() == "from-file"
    env = {"EDI_GATEWAY_ODOO_URL": "http://env", "EDI_GATEWAY_ODOO_DATABASE": "db",
           "EDI_GATEWAY_ODOO_USERNAME": "bot", "EDI_GATEWAY_ODOO_PASSWORD": "from-env"}
    odoo = load(path, environ=env).gateway.odoo
    assert (odoo.url, odoo.database, odoo.username) == ("http://env", "db", "bot")
    assert odoo.password is not None and odoo.password.get_secret_value() == "from-env"
    assert "from-env" not in repr(odoo) and "from-env" not in str(odoo)


def test_systemd_credential_is_used_when_nothing_else_is_set(tmp_path: Path) -> None:
    path = write(tmp_path, "odoo: {url: http://x}\n")
    creds = tmp_path / "creds"
    creds.mkdir()
    (creds / "odoo-password").write_text("from-credential")
    odoo = load(path, environ={"CREDENTIALS_DIRECTORY": str(creds)}).gateway.odoo
    assert odoo.password is not None and odoo.password.get_secret_value() == "from-credential"


def test_unreadable_password_file_is_a_located_error(tmp_path: Path) -> None:
    path = write(tmp_path, "odoo:\n  password_file: missing.txt\n")
    [error] = lint(path, environ={})
    assert error.line == 2 and "password_file" in str(error)


def test_missing_file_and_non_mapping(tmp_path: Path) -> None:
    assert "file not found" in str(lint(tmp_path / "nope.yaml", environ={})[0])
    path = write(tmp_path, "- a\n- b\n")
    assert "mapping" in str(lint(path, environ={})[0])
    with pytest.raises(ConfigErrors):
        load(path, environ={})


def test_find_config_prefers_given_then_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert find_config("x.yaml") == Path("x.yaml")
    write(tmp_path, "{}\n")
    assert find_config(None) == Path("gateway.yaml")


def test_lint_command_exit_codes_and_never_prints_secrets(tmp_path: Path) -> None:
    path = write(tmp_path, "odoo:\n  password: hunter2-secret\n  tmeout: 5\n")
    proc = subprocess.run([sys.executable, "-m", "gateway", "lint", "--config", str(path)],
                          capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"}, check=False)
    assert proc.returncode == 1
    assert f"{path}:3:3: odoo.tmeout: unknown key 'tmeout' (did you mean 'timeout'?)" in proc.stdout
    assert "hunter2" not in proc.stdout + proc.stderr
    path.write_text("odoo:\n  password: hunter2-secret\n")
    proc = subprocess.run([sys.executable, "-m", "gateway", "lint", "--config", str(path)],
                          capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"}, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "ok" in proc.stdout and "hunter2" not in proc.stdout + proc.stderr


def test_errors_inside_lists_and_unions_point_at_the_item(tmp_path: Path) -> None:
    path = write(tmp_path, "odoo: {enabled: false}\ninbox:\n  - path: in\n  - pth: other\n    min_age: soon\n")
    errors = {str(e) for e in lint(path, environ={})}
    assert f"{path}:4:5: inbox[1].pth: unknown key 'pth' (did you mean 'path'?)" in errors
    assert any(e.startswith(f"{path}:5:5: inbox[1].min_age: expected") for e in errors)
    path.write_text("odoo: {enabled: false}\n")
    write(tmp_path, "id: p\ninbound:\n  - channel: as2\n    as2_id: P\n    digest: md5\n", "partners/p.yaml")
    [error] = lint(path, environ={})
    assert error.line == 5 and "inbound[0].digest" in str(error) and "sha256" in str(error)


def test_lint_and_run_apply_the_transport_checks_naming_the_partner_file(tmp_path: Path) -> None:
    import asyncssh
    path = write(tmp_path, "odoo: {enabled: false}\nops: {enabled: false}\n")
    (tmp_path / "keys").mkdir()
    asyncssh.generate_private_key("ssh-ed25519").write_public_key(str(tmp_path / "keys" / "b.pub"))
    write(tmp_path, "id: a\ninbound:\n  - {channel: as2, as2_id: A, certificates: [certs/missing.pem]}\n",
          "partners/a.yaml")
    for pid in ("b", "c"):
        write(tmp_path, f"id: {pid}\ninbound:\n  - {{channel: sftp, user: shared, authorized_keys: [keys/b.pub]}}\n",
              f"partners/{pid}.yaml")
    partners = tmp_path / "partners"
    assert load(path, environ={})            # the schema alone is fine; the transport checks are not
    errors = [str(e) for e in lint(path, environ={})]
    assert any(e.startswith(f"{partners / 'a.yaml'}:3:46: inbound[0].certificates[0]: "
                            f"{tmp_path / 'certs' / 'missing.pem'}: cannot read certificate") for e in errors), errors
    assert f"{partners / 'c.yaml'}:3:21: inbound[0].user: SFTP user 'shared' is also used by partner b" in errors
    assert any(e.startswith(f"{path}: as2_server.enabled: partner a uses AS2 but as2_server.enabled is false")
               for e in errors)
    proc = subprocess.run([sys.executable, "-m", "gateway", "lint", "--config", str(path)],
                          check=False, capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"})
    assert proc.returncode == 1 and "is also used by partner b" in proc.stdout
    proc = subprocess.run([sys.executable, "-m", "gateway", "run", "--config", str(path)],
                          check=False, capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"}, timeout=60)
    assert proc.returncode == 3 and "missing.pem: cannot read certificate" in proc.stderr
    assert "Traceback" not in proc.stderr and not (tmp_path / "state").exists()


def test_a_triggered_document_needs_a_profile_that_writes_what_the_trigger_sends(tmp_path: Path) -> None:
    """`change_applied` answers a PO change with a PurchaseOrderAck: an 856 profile there would only fail on the
    first change, so lint names the line; the right pairs pass."""
    path = write(tmp_path, "odoo: {enabled: false}\n")
    write(tmp_path, "id: acme\ndocuments:\n"
          "  - {type: '865', direction: out, profile: x12-004010-865, trigger: change_applied}\n"
          "  - {type: '856', direction: out, profile: x12-004010-856, trigger: change_applied}\n"
          "  - {type: '855', direction: out, profile: x12-004010-810, trigger: order_confirmed}\n"
          "  - {type: '810', direction: out, profile: x12-004010-810, trigger: invoice_posted}\n",
          "partners/acme.yaml")
    errors = [str(e) for e in lint(path, environ={})]
    acme = str(tmp_path / "partners" / "acme.yaml")
    assert errors == [
        (f"{acme}:4:60: documents[1].trigger: change_applied sends a PurchaseOrderAck, but profile "
         "'x12-004010-856' writes ShipNotice"),
        (f"{acme}:5:60: documents[2].trigger: order_confirmed sends a PurchaseOrderAck, but profile "
         "'x12-004010-810' writes Invoice")], errors


def test_a_tab_and_an_empty_partner_file_say_what_to_do(tmp_path: Path) -> None:
    path = write(tmp_path, "odoo: {enabled: false}\n")
    write(tmp_path, "id: tabby\nx12:\n\tids: []\n", "partners/tabby.yaml")
    write(tmp_path, "", "partners/empty.yaml")
    write(tmp_path, "extends: x12-004010-850\nstructure:\n\tlines: {}\n", "translations/tabbed.yaml")
    errors = {Path(e.path or "").name: e for e in lint(path, environ={})}
    tab = errors["tabby.yaml"]
    assert (tab.line, tab.column) == (3, 1) and "a tab: YAML indents with spaces only" in str(tab)
    assert "a tab: YAML indents with spaces only" in str(errors["tabbed.yaml"])
    empty = errors["empty.yaml"]
    assert empty.line == 1 and "the partner file is empty: it needs at least `id: empty`" in str(empty)


def test_a_partner_document_type_given_twice_is_an_error_at_the_second(tmp_path: Path) -> None:
    """The scheduler keeps one job per partner and type: a second 846 (another schedule, another profile) never
    ran, or ran instead of the first."""
    path = write(tmp_path, "odoo: {enabled: false}\n")
    write(tmp_path, "id: acme\nx12: {ids: [{qualifier: ZZ, id: ACME}]}\ndocuments:\n"
          "  - {type: '846', direction: out, profile: x12-004010-846, trigger: schedule, schedule: '0 6 * * *'}\n"
          "  - {type: '850', direction: in, profile: x12-004010-850}\n"
          "  - {type: '846', direction: out, profile: x12-004010-846, trigger: schedule, schedule: '0 18 * * *'}\n",
          "partners/acme.yaml")
    [error] = lint(path, environ={})
    assert (Path(error.path or "").name, error.line) == ("acme.yaml", 6)
    assert "documents[2].type: '846' (out) is already documents[0]" in str(error)


def test_a_schedule_that_is_no_crontab_line_is_an_error_at_its_line(tmp_path: Path) -> None:
    """It passed lint, and only the daemon's start found it."""
    path = write(tmp_path, "odoo: {enabled: false}\n")
    write(tmp_path, "id: acme\nx12: {ids: [{qualifier: ZZ, id: ACME}]}\ndocuments:\n"
          "  - {type: '846', direction: out, profile: x12-004010-846, trigger: schedule, schedule: '0 25 * * *'}\n"
          "  - {type: '856', direction: out, profile: x12-004010-856, trigger: schedule}\n",   # every poll
          "partners/acme.yaml")
    errors = sorted((e.line or 0, str(e)) for e in lint(path, environ={}))
    assert [line for line, _ in errors] == [4]
    assert "documents[0].schedule: '0 25 * * *' is not a crontab line" in errors[0][1]
    assert "higher than the maximum value (23)" in errors[0][1]


def test_shipped_profiles_that_do_not_load_are_an_error_not_a_warning(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A base profile of the package that no longer compiles (a package upgraded under a running daemon) left the
    configuration without profiles, with a warning only: lint said ok, run started and a SIGHUP reload was taken,
    and every file after it was quarantined ('argument of type NoneType is not iterable'). A shipped profile's
    lint finding stays a warning while the profiles load."""
    from gateway.errors import ConfigError
    from gateway.translate import ProfileRegistry

    config = tmp_path / "gateway.yaml"
    shutil.copy(EXAMPLES / "gateway.yaml", config)
    broken = Path(__import__("gateway").__file__).parent / "translate" / "profiles" / "x12-common.yaml"

    def fail(*args: object, **kwargs: object) -> None:
        raise ConfigError("structure: is missing or empty", str(broken), 3)

    monkeypatch.setattr(ProfileRegistry, "load", staticmethod(fail))
    with pytest.raises(ConfigErrors) as raised:
        load(config)
    assert "x12-common.yaml:3: structure: is missing or empty" in str(raised.value)


def test_a_translation_engine_that_cannot_be_imported_is_an_error(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Likewise a broken install (gateway.translate not importable): no profiles and no error, found by the review."""
    config = tmp_path / "gateway.yaml"
    shutil.copy(EXAMPLES / "gateway.yaml", config)
    monkeypatch.setitem(sys.modules, "gateway.translate", None)        # import raises ImportError
    with pytest.raises(ConfigErrors) as raised:
        load(config)
    assert "the translation engine cannot be imported: ModuleNotFoundError" in str(raised.value)
