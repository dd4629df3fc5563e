"""Real emulator answers, rewritten by a mutating proxy: hostile text and absurd values in every field."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from airsync_tui.emulator.server import EmulatorOptions, RunningEmulator
from tests.emulator_helpers import quiet_emulator
from tests.hostile.stub import MutatingProxy, assert_inert, poison_strings, run_cli_here

HOSTILE = "\x1b]0;PWNED\x07\x1b]52;c;ZXZpbA==\x07\u202e\u200b\r"
TEXT_KEYS = frozenset(
    {
        "name",
        "status",
        "detail",
        "message",
        "title",
        "jobType",
        "scheduleType",
        "cronExpression",
    }
)


@pytest.fixture(scope="module")
def emulator() -> Iterator[RunningEmulator]:
    yield from quiet_emulator(EmulatorOptions(seed=7, speed=50, big_log_lines=0))


def _config(tmp: Path, emu: RunningEmulator, api_url: str) -> Path:
    path = tmp / "config.toml"
    path.write_text(
        'default_profile = "p"\n[profiles.p.airbyte]\n'
        f'api_url = "{api_url}"\nclient_id = "{emu.client_id}"\nclient_secret = "{emu.client_secret}"\n'
        f'workspace_id = "{emu.workspace_id}"\nconfig_api_url = "{api_url.replace("/api/public/v1", "/api/v1")}"\n'
    )
    path.chmod(0o600)
    return path


def test_every_text_field_poisoned_stays_inert(tmp_path: Path, emulator: RunningEmulator) -> None:
    proxy = MutatingProxy(emulator.base_url, lambda path, data: poison_strings(data, TEXT_KEYS, HOSTILE))
    try:
        config = _config(tmp_path, emulator, proxy.base_url + "/api/public/v1")
        for args in (
            ("connections",),
            ("jobs", "--limit", "5"),
            ("jobs", "--json", "--limit", "5"),
        ):
            result = run_cli_here(tmp_path, config, *args, limit=90)
            assert result.rc in (0, 2), result.err
            assert b"Traceback" not in result.all
            assert_inert(result.out)
            assert_inert(result.err)
        assert any(seen.path.startswith("/api/public/v1/connections") for seen in proxy.seen)
    finally:
        proxy.stop()


def test_absurd_numbers_everywhere_keep_the_listing(tmp_path: Path, emulator: RunningEmulator) -> None:
    def absurd(path: str, data: object) -> object:
        if isinstance(data, dict) and isinstance(data.get("data"), list):
            for item in data["data"]:
                if isinstance(item, dict) and "jobId" in item:
                    item.update(rowsSynced="inf", bytesSynced=1e30, duration="P9999999999D")
        return data

    proxy = MutatingProxy(emulator.base_url, absurd)
    try:
        config = _config(tmp_path, emulator, proxy.base_url + "/api/public/v1")
        result = run_cli_here(tmp_path, config, "jobs", "--json", "--limit", "5", limit=90)
        assert result.rc == 0, result.err
        rows = json.loads(result.out)
        assert rows and all(row["rowsSynced"] is None for row in rows)
        assert result.err.count(b"'inf'") == 1  # reported once
    finally:
        proxy.stop()
