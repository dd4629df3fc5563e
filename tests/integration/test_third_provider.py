"""Proof that a provider is one `ProviderSpec`: "Relay" (tests/relay_provider.py) with no edit to airsync_tui.

The CLI runs as a real `airsync` subprocess that finds Relay through the
`airsync_tui.providers` entry point; the dashboard runs in-process under Pilot
with Relay added by `registry.register`. Relay's API is a Starlette app on
127.0.0.1 (ephemeral port).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from airsync_tui.cli.dashboard import _workspace_label
from airsync_tui.cli.main import build_parser
from airsync_tui.config import describe_sources, load_profile
from airsync_tui.providers import registry
from airsync_tui.service.session import build_watcher
from airsync_tui.ui.app import AirsyncApp, SessionInfo
from tests import relay_provider
from tests.asgi_server import serve
from tests.cli_helpers import TEST_PACE

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def relay_url() -> Iterator[str]:
    with serve(relay_provider.build_relay_app()) as base:
        yield base


@pytest.fixture
def registered() -> Iterator[None]:
    undo = registry.register(relay_provider.SPEC)
    try:
        yield
    finally:
        undo()


def _relay_env(relay_url: str, tmp_path: Path) -> dict[str, str]:
    site = relay_provider.write_entry_point(tmp_path / "site")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRBYTE_", "HIGHTOUCH_", "RELAY_"))}
    env.update(
        RELAY_API_ROOT=relay_url,
        RELAY_TOKEN=relay_provider.TOKEN,
        PYTHONPATH=os.pathsep.join([str(site), str(REPO)]),
        AIRSYNC_PACE=TEST_PACE,  # `sync --wait` re-reads the run at 5 % of 2.5 s (tests/cli_helpers.py)
    )
    return env


def _airsync(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "airsync_tui", *args], capture_output=True, text=True, timeout=60, env=env, cwd=REPO)


def test_connections_lists_relay_pipes_through_the_entry_point(relay_url: str, tmp_path: Path) -> None:
    result = _airsync(_relay_env(relay_url, tmp_path), "connections", "--provider", "relay")
    assert result.returncode == 0, result.stderr
    assert "Orders relay → Lake" in result.stdout
    assert "Tickets relay → Warehouse" in result.stdout
    assert relay_provider.TOKEN not in result.stdout + result.stderr


def test_sync_wait_runs_a_relay_pipe_to_done(relay_url: str, tmp_path: Path) -> None:
    result = _airsync(_relay_env(relay_url, tmp_path), "sync", "p1", "--wait")
    assert result.returncode == 0, result.stderr
    # Runs 1 and 2 are the seeded history; the plug-in calls a job a "run" (its ProviderSpec), and so does the CLI.
    assert "run 3 done" in result.stdout and " job " not in result.stdout


def test_config_show_reports_relay_sources_with_the_secret_masked(relay_url: str, tmp_path: Path) -> None:
    env = _relay_env(relay_url, tmp_path)
    result = _airsync(env, "config", "show", "--relay-api-url", "http://flag.example/relay")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert any("relay.api_url" in line and "http://flag.example/relay" in line and "(flag --relay-api-url)" in line for line in lines)
    assert any("relay.token" in line and "(env RELAY_TOKEN)" in line for line in lines)
    assert relay_provider.TOKEN not in result.stdout


def test_registered_spec_drives_flags_profile_and_sources(registered: None, tmp_path: Path) -> None:
    args = build_parser().parse_args(["connections", "--relay-token", "tok-from-flag-0001"])
    assert args.relay_token == "tok-from-flag-0001"
    config = tmp_path / "config.toml"
    config.write_text('[profiles.default.relay]\napi_url = "http://file.example/relay"\n')
    profile = load_profile(env={"RELAY_TOKEN": "tok-from-env-0002"}, path=config)
    settings = profile.settings_for("relay")
    assert isinstance(settings, relay_provider.RelaySettings)
    assert settings.api_url == "http://file.example/relay"
    report = "\n".join(describe_sources(profile))
    assert f"file {config} [profiles.default.relay]" in report
    assert "env RELAY_TOKEN" in report and "tok-from-env-0002" not in report
    assert _workspace_label(profile) == "Relay"


async def test_dashboard_shows_relay_pipes(registered: None, relay_url: str, tmp_path: Path) -> None:
    from tests.ui.conftest import screen_text, wait_for

    profile = load_profile(env={"RELAY_API_ROOT": relay_url, "RELAY_TOKEN": relay_provider.TOKEN}, path=tmp_path / "none.toml")
    watcher = build_watcher(profile)
    app = AirsyncApp(watcher, SessionInfo(profile_name=profile.name, workspace_label=_workspace_label(profile)))
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: "Tickets relay → Warehouse" in screen_text(app), timeout=15, what="Relay pipes on screen")
        text = screen_text(app)
        assert "Orders relay → Lake" in text
        assert "profile default · Relay" in text.splitlines()[0]  # the header label comes from the spec
