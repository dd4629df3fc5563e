"""Settings layers as pydantic-settings sources: env aliases, per-value origins, one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import AliasChoices, SecretStr
from pydantic_settings import BaseSettings

from airsync_tui.config import describe_sources, load_profile
from airsync_tui.errors import ConfigError
from airsync_tui.providers import registry
from airsync_tui.providers.settings_layers import read_layers


def _origins(**kwargs: object) -> dict[str, str]:
    profile = load_profile(**kwargs)  # type: ignore[arg-type]  # keyword pass-through of load_profile's own arguments
    return {source.key: source.origin for source in profile.sources}


def test_each_provider_layer_model_is_built_from_its_spec() -> None:
    spec = registry.spec("airbyte")
    assert spec is not None
    model = spec.layered_settings
    assert issubclass(model, BaseSettings)
    assert set(model.model_fields) == spec.allowed_keys
    alias = model.model_fields["client_id"].validation_alias
    assert isinstance(alias, AliasChoices)
    assert alias.choices == ["AIRBYTE_CLIENT_ID", "AIRBYTE_CLOUD_CLIENT_ID"]  # PyAirbyte's names, preferred first
    assert model.model_fields["timeout"].validation_alias is None
    assert spec.layered_settings is model  # built once per spec


def test_origin_names_the_env_alias_that_supplied_the_value(tmp_path: Path) -> None:
    env = {"AIRBYTE_CLOUD_WORKSPACE_ID": "ws-cloud", "AIRBYTE_API_ROOT": "http://h/api/public/v1", "AIRBYTE_BEARER_TOKEN": "tok-1234"}
    origins = _origins(env=env, path=tmp_path / "none.toml")
    assert origins["airbyte.workspace_id"] == "env AIRBYTE_CLOUD_WORKSPACE_ID"
    assert origins["airbyte.api_url"] == "env AIRBYTE_API_ROOT"
    assert origins["airbyte.bearer_token"] == "env AIRBYTE_BEARER_TOKEN"
    assert origins["airbyte.timeout"] == "default"
    assert origins["read_only"] == "default"


def test_empty_preferred_alias_falls_through_to_the_next(tmp_path: Path) -> None:
    env = {"AIRBYTE_WORKSPACE_ID": "", "AIRBYTE_CLOUD_WORKSPACE_ID": "ws-2", "AIRBYTE_BEARER_TOKEN": "tok-1234"}
    profile = load_profile(env=env, path=tmp_path / "none.toml")
    assert profile.airbyte is not None and profile.airbyte.workspace_id == "ws-2"


def test_a_field_without_env_names_is_not_read_from_the_environment(tmp_path: Path) -> None:
    env = {"AIRBYTE_BEARER_TOKEN": "tok-1234", "timeout": "3", "username": "someone", "password": "pw-123456"}
    profile = load_profile(env=env, path=tmp_path / "none.toml")
    assert profile.airbyte is not None
    assert profile.airbyte.timeout == 15.0 and profile.airbyte.username is None and profile.airbyte.auth_kind == "bearer"


def test_report_lists_every_layer_with_secrets_masked(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[profiles.default]\nread_only = true\n[profiles.default.airbyte]\ntimeout = 30\nworkspace_id = "ws-file"\n'
        'client_id = "file-id"\nclient_secret = "file-secret-abcdef"\n'
    )
    env = {"AIRBYTE_API_ROOT": "http://env/api/public/v1", "HIGHTOUCH_API_KEY": "ht-secret-key-123456"}
    profile = load_profile(env=env, path=path, overrides={"workspace_id": "ws-flag"})
    lines = {line.split(" = ")[0].strip(): line for line in describe_sources(profile)}
    assert lines["airbyte.workspace_id"].endswith("= ws-flag  (flag --workspace-id)")
    assert lines["airbyte.api_url"].endswith("(env AIRBYTE_API_ROOT)")
    assert lines["airbyte.timeout"].endswith(f"= 30.0  (file {path} [profiles.default.airbyte])")
    assert lines["read_only"].endswith(f"= true  (file {path} [profiles.default])")
    assert lines["hightouch.api_key"].endswith("= •••56  (env HIGHTOUCH_API_KEY)")
    assert "file-secret-abcdef" not in "\n".join(lines.values())
    assert lines["airbyte.client_secret"].split(" = ")[1].startswith("•••")


def test_unknown_key_names_the_table_and_the_allowed_keys(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[profiles.default.hightouch]\napi_kee = "x"\n')
    with pytest.raises(ConfigError) as info:
        load_profile(env={}, path=path)
    assert str(info.value).startswith(f"{path}: unknown key 'api_kee' in [profiles.default.hightouch]")
    assert info.value.hint == "allowed keys: api_key, api_url, timeout"


def test_provider_section_must_be_a_table(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[profiles.default]\nhightouch = "key"\n')
    with pytest.raises(ConfigError, match=r"\[profiles.default.hightouch\] must be a table"):
        load_profile(env={}, path=path)


def test_bad_read_only_in_the_file_is_reported_even_when_env_sets_it(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[profiles.default]\nread_only = "perhaps"\n')
    with pytest.raises(ConfigError, match=r"\[profiles.default\] read_only must be true or false, got 'perhaps'"):
        load_profile(env={"AIRSYNC_READ_ONLY": "true"}, path=path)
    assert load_profile(env={"AIRSYNC_READ_ONLY": "yes"}, path=tmp_path / "none.toml").read_only is True


def test_read_layers_answers_per_source_highest_first() -> None:
    spec = registry.spec("hightouch")
    assert spec is not None
    layers = read_layers(
        spec.layered_settings,
        spec.fields,
        flags={"hightouch_api_url": "http://flag/ht"},
        env={"HIGHTOUCH_API_ROOT": "http://env/ht", "HIGHTOUCH_API_KEY": "k-env", "UNRELATED": "x"},
        table={"api_url": "http://file/ht", "timeout": 5},
        path="/p/config.toml",
        where="[profiles.x.hightouch]",
        file_origin="file /p/config.toml [profiles.x.hightouch]",
    )
    assert [layer.label for layer in layers] == ["flags", "the environment", "/p/config.toml [profiles.x.hightouch]"]
    assert layers[0].values == {"api_url": "http://flag/ht"}
    assert layers[0].origins == {"api_url": "flag --hightouch-api-url"}
    assert layers[1].values["api_url"] == "http://env/ht"
    secret = layers[1].values["api_key"]
    assert isinstance(secret, SecretStr) and secret.get_secret_value() == "k-env"
    assert "k-env" not in repr(layers) and "k-env" not in repr(layers[1].values)
    assert layers[1].origins == {"api_url": "env HIGHTOUCH_API_ROOT", "api_key": "env HIGHTOUCH_API_KEY"}
    assert layers[2].values == {"api_url": "http://file/ht", "timeout": 5}
