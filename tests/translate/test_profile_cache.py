"""The disk cache of parsed profiles (gateway/translate/profile_cache.py), through `edi-gateway lint` as a
subprocess: an edited profile is read again, a corrupt or foreign entry is ignored, errors still name the
coordinator's file and line, and a folder that cannot hold a cache means no cache, never an error."""

from __future__ import annotations

import gc
import json
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from gateway.errors import ConfigError
from gateway.translate import profile_cache
from gateway.translate.profile import BASE_DIR, ProfileRegistry
from tests.helpers.examples import EXAMPLES, example_workspace
from tests.helpers.gateway import cli


def lint(config: Path, cache: Path | str) -> subprocess.CompletedProcess[str]:
    done = cli("lint", config=config, env={"EDI_GATEWAY_CACHE_DIR": str(cache)})
    assert "Traceback" not in done.stdout + done.stderr
    return done


def entries(cache: Path) -> list[Path]:
    return sorted((cache / "profiles").glob("*.json"))


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    return example_workspace(tmp_path / "ws", ("northwind",))


def test_an_edited_profile_is_read_again_and_its_error_names_its_file_and_line(ws: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert lint(ws, cache).returncode == 0
    assert len(entries(cache)) >= 39                  # the shipped profiles and the workspace's

    profile = ws.parent / "translations" / "northwind-850.yaml"
    profile.write_text(profile.read_text().replace("  currency: USD\n", "  currency: USD\ncolour: blue\n"))
    first = lint(ws, cache)                           # parsed (the edit is new bytes), then kept
    second = lint(ws, cache)                          # from the cache
    assert first.returncode == second.returncode == 1
    assert f"{profile}:7: unknown profile key 'colour'" in first.stdout
    assert second.stdout == first.stdout

    other = tmp_path / "other"                        # the same bytes elsewhere: the error names this copy
    shutil.copytree(ws.parent, other)
    third = lint(other / "gateway.yaml", cache)
    assert f"{other}/translations/northwind-850.yaml:7: unknown profile key 'colour'" in third.stdout
    assert str(ws.parent) not in third.stdout


def test_corrupt_and_misplaced_entries_are_ignored_and_replaced(ws: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    clean = lint(ws, cache)
    assert clean.returncode == 0
    kept = entries(cache)
    assert len(kept) >= 39
    contents = [p.read_bytes() for p in kept]
    for i, entry in enumerate(kept):
        if i % 3 == 0:
            entry.write_bytes(contents[i][: len(contents[i]) // 2])         # torn
        elif i % 3 == 1:
            entry.write_bytes(b"\x00\xff not json")
        else:
            entry.write_bytes(contents[(i + 1) % len(kept)])                # another file's entry under this name

    again = lint(ws, cache)
    assert again.returncode == 0 and again.stdout == clean.stdout
    for entry in entries(cache):                                            # written again, whole
        assert json.loads(entry.read_bytes())["key"] == entry.stem


def test_an_entry_in_a_folder_others_may_write_to_is_not_used(ws: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert lint(ws, cache).returncode == 0
    profile = ws.parent / "translations" / "northwind-850.yaml"
    entry = cache / "profiles" / f"{profile_cache.entry_key(profile.read_bytes())}.json"
    tampered = json.loads(entry.read_bytes())
    keys = tampered["tree"]["k"]
    description = next(item for item in keys if item[0] == "description")
    description[0] = "colour"                         # a key the file does not have
    entry.write_text(json.dumps(tampered))

    (cache / "profiles").chmod(0o777)
    assert lint(ws, cache).returncode == 0            # not ours alone: the file is parsed
    (cache / "profiles").chmod(0o700)
    assert "unknown profile key 'colour'" in lint(ws, cache).stdout   # (ours: the entry is what is read)


def test_no_cache_where_none_can_be_kept(ws: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    assert lint(ws, blocker / "cache").returncode == 0       # cannot be made: lint as before
    assert lint(ws, "").returncode == 0                       # switched off
    assert not any(tmp_path.glob("**/profiles/*.json"))


def test_the_cache_folder_follows_systemd_then_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("EDI_GATEWAY_CACHE_DIR", raising=False)
    monkeypatch.setenv("CACHE_DIRECTORY", "/var/cache/edi-gateway:/var/cache/other")
    assert profile_cache.cache_dir() == Path("/var/cache/edi-gateway/profiles")
    monkeypatch.delenv("CACHE_DIRECTORY")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert profile_cache.cache_dir() == tmp_path / "edi-gateway" / "profiles"
    monkeypatch.setenv("EDI_GATEWAY_CACHE_DIR", "")
    assert profile_cache.cache_dir() is None


def test_every_shipped_profile_comes_back_from_the_cache_exactly(monkeypatch: pytest.MonkeyPatch,
                                                                 tmp_path: Path) -> None:
    """Types (ruamel's ScalarFloat with how the number was written), order and every key's line."""
    from gateway.translate.yamlsrc import _parse
    monkeypatch.setenv("EDI_GATEWAY_CACHE_DIR", str(tmp_path))
    files = sorted(BASE_DIR.glob("*.yaml")) + sorted((EXAMPLES / "translations").glob("*.yaml"))
    for path in files:
        raw = path.read_bytes()
        parsed = _parse(path, raw)
        profile_cache.store(path, raw, parsed)
        cached = profile_cache.load(path, raw)
        assert cached is not None, path
        assert profile_cache._same(cached, parsed), path


def test_a_crlf_profile_is_read_as_before(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("EDI_GATEWAY_CACHE_DIR", str(tmp_path / "cache"))
    source = (EXAMPLES / "translations" / "northwind-850.yaml").read_text().replace("currency: USD", "curr: [")
    errors = []
    for name, text in (("lf", source), ("crlf", source.replace("\n", "\r\n"))):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "nw.yaml").write_bytes(text.encode())
        with pytest.raises(ConfigError) as caught:
            ProfileRegistry.load(folder)
        errors.append(str(caught.value).replace(str(folder), ""))
    assert errors[0] == errors[1] and "/nw.yaml:" in errors[0]


def test_loading_profiles_runs_no_garbage_collection(tmp_path: Path) -> None:
    """The collector walked the tens of thousands of live objects loading makes, again and again."""
    runs: list[str] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            runs.append(phase)

    gc.callbacks.append(count)
    try:
        ProfileRegistry.load(EXAMPLES / "translations")
    finally:
        gc.callbacks.remove(count)
    assert len(runs) <= 1          # the one that may start as soon as the collector is on again (hundreds before)
    assert gc.isenabled()


def test_the_service_gets_a_cache_folder_of_its_own() -> None:
    """Under the unit only the state folder and this one are writable: ~ is read-only (ProtectHome, DynamicUser)."""
    unit = (Path(__file__).resolve().parents[2] / "systemd" / "edi-gateway.service").read_text()
    assert "\nCacheDirectory=edi-gateway\n" in unit       # systemd sets $CACHE_DIRECTORY=/var/cache/edi-gateway
    assert "\nCacheDirectoryMode=0700\n" in unit          # not writable by others, or entries are not used


def test_a_sighup_reload_takes_an_edited_profile_with_a_cache_in_place(tmp_path: Path) -> None:
    """The daemon's reload reads the edited file (new bytes, new entry), here the code list its 850 extends."""
    from ruamel.yaml import YAML

    from tests.helpers.gateway import GatewayProcess, Workspace
    from tests.helpers.wait import wait_for

    cache = tmp_path / "cache"
    ws = Workspace.create(tmp_path / "ws")
    for profile in (EXAMPLES / "translations").glob("northwind-*.yaml"):
        shutil.copy(profile, ws.root / "translations")
    body = YAML(typ="safe").load((EXAMPLES / "partners" / "northwind.yaml").read_text())
    body.update(inbound=[{"channel": "folder"}], outbound={"channel": "folder", "path": "outbox/northwind"},
                documents=[d for d in body["documents"] if d["direction"] == "in"])
    ws.write_partner("northwind", {k: v for k, v in body.items() if k != "id"})
    samples = EXAMPLES / "samples" / "northwind"

    def units(name: str) -> list[str]:
        ws.drop(name, (samples / name).read_bytes())
        row = wait_for(lambda: ws.messages(direction="in", filename=name, state="done"),   # odoo off: kept
                       message=f"{name} translated")[0]
        [blob] = ws._query("SELECT content FROM blobs WHERE message_id = ? AND name = 'canonical'", (row["id"],))
        return [line["unit"] for line in json.loads(blob["content"])[0]["lines"]]

    with GatewayProcess(ws.config, env={"EDI_GATEWAY_CACHE_DIR": str(cache)}) as gw:
        assert entries(cache)
        assert units("850_NW-77001.edi") == ["DZN", "EA", "DZN"]            # Northwind's CA is a dozen
        codes = ws.root / "translations" / "northwind-codes.yaml"
        codes.write_text(codes.read_text().replace("units: {CA: DZN}", "units: {CA: CS}"))
        seen = len(gw.poll_notifications())
        gw.signal(signal.SIGHUP)
        gw.wait_notification("READY=1", after=seen)
        assert units("850_NW-77002-03.edi") == ["EA", "CS", "EA"]


def test_an_install_without_its_sources_loads_profiles_without_a_cache(monkeypatch: pytest.MonkeyPatch,
                                                                        tmp_path: Path) -> None:
    """A zipped or sourceless install: the cache key (which hashes the parsing code) cannot be made, so no cache;
    storing raised OSError out of the profile load."""
    from gateway.translate import yamlsrc
    monkeypatch.setenv("EDI_GATEWAY_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(yamlsrc, "__file__", str(tmp_path / "app.zip" / "yamlsrc.py"))
    profile_cache._code_digest.cache_clear()
    try:
        registry = ProfileRegistry.load(EXAMPLES / "translations")
    finally:
        monkeypatch.undo()
        profile_cache._code_digest.cache_clear()
    assert "northwind-850" in registry
    assert not any(tmp_path.glob("cache/profiles/*.json"))


def test_an_entry_that_is_a_link_is_not_followed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The entry is opened through the folder checked (ours alone), without following a link out of it: a link
    named like the entry, to a tree written anywhere else, is not read as the profile."""
    from gateway.translate.yamlsrc import _parse
    monkeypatch.setenv("EDI_GATEWAY_CACHE_DIR", str(tmp_path / "cache"))
    path = BASE_DIR / "x12-004010-850.yaml"
    raw = path.read_bytes()
    profile_cache.store(path, raw, _parse(path, raw))
    [entry] = entries(tmp_path / "cache")
    assert profile_cache.load(path, raw) is not None
    elsewhere = tmp_path / "elsewhere.json"
    entry.rename(elsewhere)
    entry.symlink_to(elsewhere)
    assert profile_cache.load(path, raw) is None


def test_a_cache_folder_reached_through_a_link_is_used(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """systemd's CACHE_DIRECTORY of a DynamicUser service is a link to /var/cache/private/...: followed."""
    from gateway.translate.yamlsrc import _parse
    (tmp_path / "private").mkdir(mode=0o700)
    (tmp_path / "cache").symlink_to(tmp_path / "private")
    monkeypatch.setenv("EDI_GATEWAY_CACHE_DIR", str(tmp_path / "cache"))
    path = BASE_DIR / "x12-004010-850.yaml"
    raw = path.read_bytes()
    profile_cache.store(path, raw, _parse(path, raw))
    assert profile_cache.load(path, raw) is not None
