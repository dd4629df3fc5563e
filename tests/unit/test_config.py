"""Profiles: precedence, PyAirbyte env aliases, one-line errors, masked secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from airsync_tui.config import (
    AirbyteSettings,
    config_api_root,
    describe_sources,
    load_profile,
    web_url_root,
)
from airsync_tui.errors import ConfigError

FILE = """
default_profile = "prod"
[profiles.prod]
read_only = true
[profiles.prod.airbyte]
api_url = "http://ab.internal:8000/api/public/v1"
client_id = "file-id"
client_secret = "file-secret-value-123"
workspace_id = "ws-file"
[profiles.prod.hightouch]
api_key = "ht-file-key-0000"
[profiles.dev.airbyte]
bearer_token = "dev-token-abcdef"
"""


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(FILE)
    return path


def test_file_defaults_and_sources(cfg: Path) -> None:
    profile = load_profile(env={}, path=cfg)
    assert profile.name == "prod" and profile.read_only is True
    ab = profile.airbyte
    assert ab is not None and ab.client_id == "file-id" and ab.auth_kind == "client_credentials"
    assert ab.resolved_config_api_url() == "http://ab.internal:8000/api/v1"
    assert ab.web_root == "http://ab.internal:8000"
    assert profile.hightouch is not None and profile.hightouch.api_url == "https://api.hightouch.com/api/v1"
    lines = "\n".join(describe_sources(profile))
    assert "file-secret-value-123" not in lines and "ht-file-key-0000" not in lines
    assert "airbyte.client_id" in lines and "[profiles.prod.airbyte]" in lines
    assert "derived from api_url" in lines
    assert "file-secret-value-123" not in repr(profile) and "file-secret-value-123" not in str(profile)


def test_precedence_flags_over_env_over_file(cfg: Path) -> None:
    env = {
        "AIRBYTE_CLOUD_WORKSPACE_ID": "ws-env-cloud",
        "AIRBYTE_WORKSPACE_ID": "ws-env-alias",  # alias is checked first
        "AIRBYTE_API_ROOT": "http://env:8000/api/public/v1",
        "AIRSYNC_READ_ONLY": "false",
    }
    profile = load_profile(env=env, path=cfg)
    assert profile.airbyte.workspace_id == "ws-env-alias"
    assert profile.airbyte.api_url == "http://env:8000/api/public/v1"
    assert profile.read_only is False
    flagged = load_profile(env=env, path=cfg, overrides={"workspace_id": "ws-flag", "read_only": True, "api_url": None})
    assert flagged.airbyte.workspace_id == "ws-flag" and flagged.read_only is True
    assert flagged.airbyte.api_url == "http://env:8000/api/public/v1"
    origins = {s.key: s.origin for s in flagged.sources}
    assert origins["airbyte.workspace_id"] == "flag --workspace-id"
    assert origins["airbyte.api_url"] == "env AIRBYTE_API_ROOT"


def test_env_bearer_replaces_file_client_credentials(cfg: Path) -> None:
    profile = load_profile(env={"AIRBYTE_CLOUD_BEARER_TOKEN": "env-token-xyz"}, path=cfg)
    assert profile.airbyte.auth_kind == "bearer"
    assert profile.airbyte.client_id is None


def test_env_only_without_file(tmp_path: Path) -> None:
    env = {"AIRBYTE_CLOUD_CLIENT_ID": "i", "AIRBYTE_CLOUD_CLIENT_SECRET": "s3cr3t-value", "HIGHTOUCH_API_KEY": "k"}
    profile = load_profile(env=env, path=tmp_path / "missing.toml")
    assert profile.name == "default"
    assert profile.airbyte.api_url == "https://api.airbyte.com/v1"
    assert profile.airbyte.resolved_config_api_url() == "https://cloud.airbyte.com/api/v1"
    assert profile.airbyte.web_root == "https://cloud.airbyte.com"
    assert profile.hightouch.api_key.get_secret_value() == "k"
    assert load_profile(env={}, path=tmp_path / "missing.toml").airbyte is None


def test_profile_selection_and_unknown_profile(cfg: Path) -> None:
    assert load_profile("dev", env={}, path=cfg).airbyte.auth_kind == "bearer"
    assert load_profile(env={"AIRSYNC_PROFILE": "dev"}, path=cfg).name == "dev"
    with pytest.raises(ConfigError) as info:
        load_profile("staging", env={}, path=cfg)
    message = str(info.value)
    assert "staging" in message and "dev, prod" in message and str(cfg) in message and "\n" not in message


def test_toml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('default_profile = "a"\n[profiles.a\n')
    with pytest.raises(ConfigError) as info:
        load_profile(env={}, path=path)
    assert str(path) in str(info.value) and "line 2" in str(info.value)


def test_both_credential_kinds_in_one_layer(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[profiles.default.airbyte]\nclient_id = "a"\nclient_secret = "secret-value-1"\nbearer_token = "tok-value-2"\n')
    with pytest.raises(ConfigError) as info:
        load_profile(env={}, path=path)
    text = str(info.value)
    assert "drop one" in text and "bearer_token" in text and "client" in text
    assert "secret-value-1" not in text and "tok-value-2" not in text
    with pytest.raises(ConfigError, match="drop one"):
        load_profile(env={"AIRBYTE_CLIENT_ID": "a", "AIRBYTE_CLIENT_SECRET": "b", "AIRBYTE_BEARER_TOKEN": "c"}, path=tmp_path / "none")


def test_only_one_of_id_and_secret(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_profile(env={"AIRBYTE_CLIENT_SECRET": "only-secret-here"}, path=tmp_path / "none")
    assert "client_secret is set" in str(info.value) and "client_id" in str(info.value)
    assert "only-secret-here" not in str(info.value)


def test_unknown_key_and_bad_bool(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[profiles.default.airbyte]\nclient_secert = "x"\n')
    with pytest.raises(ConfigError, match="client_secert"):
        load_profile(env={}, path=path)
    with pytest.raises(ConfigError, match="AIRSYNC_READ_ONLY"):
        load_profile(env={"AIRSYNC_READ_ONLY": "maybe"}, path=tmp_path / "none")


def test_airsync_config_env_path(cfg: Path) -> None:
    assert load_profile(env={"AIRSYNC_CONFIG": str(cfg)}).name == "prod"


def test_hightouch_overrides(cfg: Path) -> None:
    profile = load_profile(env={"HIGHTOUCH_API_ROOT": "http://env/ht"}, path=cfg, overrides={"hightouch_api_url": "http://flag/ht"})
    assert profile.hightouch.api_url == "http://flag/ht"


def test_config_api_root_like_pyairbyte() -> None:
    assert config_api_root("https://api.airbyte.com/v1/", env={}) == "https://cloud.airbyte.com/api/v1"
    assert config_api_root("http://h:8000/api/public/v1", env={}) == "http://h:8000/api/v1"
    assert config_api_root("https://h/airbyte/api/public/v1", env={}) == "https://h/airbyte/api/v1"
    assert config_api_root("http://h/x", "http://explicit/api/v1", env={"AIRBYTE_CLOUD_CONFIG_API_URL": "e"}) == "http://explicit/api/v1"
    assert config_api_root("http://h/x", env={"AIRBYTE_CLOUD_CONFIG_API_URL": "http://env/api/v1"}) == "http://env/api/v1"
    with pytest.raises(ConfigError, match="config_api_url"):
        config_api_root("http://h/custom", env={})


def test_web_root_fixes_pyairbyte_563() -> None:
    assert web_url_root("https://api.airbyte.com/v1") == "https://cloud.airbyte.com"
    assert web_url_root("http://localhost:8000/api/public/v1") == "http://localhost:8000"


def test_settings_repr_hides_secrets() -> None:
    settings = AirbyteSettings(client_id="id", client_secret="very-secret-value", bearer_token=None)
    assert "very-secret-value" not in repr(settings) and "very-secret-value" not in str(settings)
    assert settings.secrets() == ("very-secret-value",)


def test_list_profiles_reads_the_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from airsync_tui.config import list_profiles

    path = tmp_path / "config.toml"
    assert list_profiles(path=path) == []
    path.write_text(
        'default_profile = "b"\n[profiles.b.airbyte]\napi_url = "http://x/api/public/v1"\n[profiles.a.hightouch]\napi_key = "k"\n'
    )
    assert list_profiles(path=path) == ["a", "b"]


def test_credential_flags_beat_env_as_a_group(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from airsync_tui.config import load_profile

    env = {"AIRBYTE_API_ROOT": "http://h/api/public/v1", "AIRBYTE_BEARER_TOKEN": "env-token", "HIGHTOUCH_API_KEY": "env-key"}
    profile = load_profile(
        overrides={"client_id": "flag-id", "client_secret": "flag-secret", "hightouch_api_key": "flag-key"},
        env=env,
        path=tmp_path / "none.toml",
    )
    assert profile.airbyte is not None and profile.airbyte.client_id == "flag-id"
    assert profile.airbyte.bearer_token is None  # the env token does not mix with flag client credentials
    assert profile.hightouch is not None and profile.hightouch.api_key.get_secret_value() == "flag-key"
    assert "flag-secret" not in repr(profile) and "flag-key" not in repr(profile)
