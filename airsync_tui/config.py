"""Settings and named profiles: flags > environment > profile file > defaults.

The file lives at `platformdirs.user_config_path("airsync") / "config.toml"`
(override with `AIRSYNC_CONFIG`)::

    default_profile = "prod"
    [profiles.prod]
    read_only = false
    [profiles.prod.<provider>]      # one table per registered provider
    api_url = "..."

Which tables, keys, environment names (PyAirbyte's aliases for Airbyte), CLI
flags and secrets exist is declared by each provider's `ProviderSpec`
(`providers/<name>/spec.py`); this module loops over the registry and names
no provider.

Credentials resolve as a GROUP (`ProviderSpec.credential_groups`): the
highest layer that sets any credential decides the auth kind, so e.g.
`AIRBYTE_BEARER_TOKEN` in the environment cleanly replaces client credentials
from the file instead of colliding with them. Within one layer, two kinds at
once is an error that says which to drop.

Each layer is a pydantic-settings source built from the spec's fields
(`providers/settings_layers.py`): `InitSettingsSource` for flags, an
`EnvSettingsSource` with the spec's env names as `AliasChoices`, and
`ProfileTableSource` for the chosen profile's table; the settings model's
defaults come last. Each source is asked separately, highest first, so
`airsync config show` names the source of every value and the credential
group rule above can drop a lower layer's credentials; the merged values are
then validated by the provider's own settings model.

Every error is a one-line `ConfigError`; secrets are `SecretStr` and never
appear in messages, `repr` or `describe_sources()`.
"""

from __future__ import annotations

import functools
import os
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

from airsync_tui.config_checks import warn_if_loose
from airsync_tui.errors import ConfigError, redact

if TYPE_CHECKING:
    from airsync_tui.providers.settings_layers import Layer, LayeredSettings
    from airsync_tui.providers.spec import ProviderSpec, SettingField

DEFAULT_PROFILE = "default"

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})


def _specs() -> tuple[ProviderSpec, ...]:
    # Imported here: the registry loads every provider package, which a bare
    # `import airsync_tui.config` (e.g. `config path`) should not pay for.
    from airsync_tui.providers.registry import specs

    return specs()


@dataclass(frozen=True)
class ValueSource:
    """Where one resolved setting came from (for `describe_sources`)."""

    key: str  # e.g. "airbyte.client_id"
    display: str  # masked when secret
    origin: str  # "flag --api-url", "env AIRBYTE_CLIENT_ID", "file … [profiles.prod.airbyte]", "default"


class Profile(BaseModel):
    """One resolved profile: each registered provider's settings (or None) by provider name.

    Provider settings are extra fields named after the provider, so
    `Profile(airbyte=AirbyteSettings(...))` and `profile.airbyte` keep working;
    code that must not name a provider uses `settings_for(name)`.
    """

    model_config = ConfigDict(frozen=True, extra="allow")

    name: str = DEFAULT_PROFILE
    read_only: bool = False
    config_path: Path | None = None
    sources: tuple[ValueSource, ...] = Field(default=(), repr=False)
    #: The raw `[profiles.NAME.watch]` table; parsed by service.rules.settings (alert rules, routes).
    watch: dict[str, Any] = Field(default_factory=dict, repr=False)

    @model_validator(mode="before")
    @classmethod
    def _provider_settings(cls, data: Any) -> Any:
        """Every registered provider gets a key (None when absent); dicts become its settings model."""
        if not isinstance(data, dict):
            return data
        by_name = {spec.name: spec for spec in _specs()}
        unknown = sorted(set(data) - set(cls.model_fields) - set(by_name))
        if unknown:
            raise ValueError(f"unknown provider {unknown[0]!r} (registered: {', '.join(by_name)})")
        out = dict(data)
        for name, spec in by_name.items():
            value = out.get(name)
            if isinstance(value, Mapping):
                value = spec.settings_model.model_validate(value)
            out[name] = value
        return out

    def settings_for(self, provider: str) -> Any:
        """The provider's settings model, or None when the profile does not configure it."""
        return (self.__pydantic_extra__ or {}).get(provider)


def default_config_path(env: Mapping[str, str] | None = None) -> Path:
    environ = os.environ if env is None else env
    override = environ.get("AIRSYNC_CONFIG")
    if override:
        return Path(override).expanduser()
    return platformdirs.user_config_path("airsync") / "config.toml"


# --------------------------------------------------------------------------- loading


def _read_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        explicit = os.environ.get("AIRSYNC_CONFIG")
        if explicit and Path(explicit).expanduser() == path:
            # An explicit choice that does not exist is a mistake, not "no config".
            raise ConfigError(f"AIRSYNC_CONFIG names {path}, which does not exist", hint="fix the path or unset AIRSYNC_CONFIG")
        return {}
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}", hint="fix the syntax at that line") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path} is not UTF-8 text", hint="save the config file as UTF-8") from None
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror or exc}") from None
    warn_if_loose(path, data)
    return data


def _parse_bool(value: Any, where: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ConfigError(f"{where} must be true or false, got {str(value)!r}")


def _merge(layers: list[Layer], groups: Mapping[str, frozenset[str]]) -> tuple[dict[str, Any], dict[str, str]]:
    """Per-key precedence, highest layer first, with credentials resolved as one group."""
    credential_fields: frozenset[str] = frozenset().union(*groups.values())
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}
    cred_layer: Layer | None = None
    for layer in layers:
        creds = {k for k, v in layer.values.items() if k in credential_fields and v not in (None, "")}
        if creds:
            _check_one_kind(creds, layer.label, groups)
            cred_layer = cred_layer or layer
    allowed_creds: frozenset[str] = frozenset()
    if cred_layer is not None:
        present = {k for k in cred_layer.values if k in credential_fields}
        allowed_creds = next(fields for fields in groups.values() if present & fields)
    for layer in layers:  # highest first: the first layer that supplies a key wins
        for key, value in layer.values.items():
            if key in values or value in (None, ""):
                continue
            if key in credential_fields and key not in allowed_creds:
                continue
            values[key] = value
            origins[key] = layer.origins[key]
    return values, origins


def _check_one_kind(creds: set[str], label: str, groups: Mapping[str, frozenset[str]]) -> None:
    kinds = [kind for kind, fields in groups.items() if creds & fields]
    if len(kinds) > 1:
        raise ConfigError(
            f"both {kinds[0]} and {kinds[1]} are set in {label}",
            hint=f"drop one of them: keep either {kinds[0]} or {kinds[1]}",
        )


def _validate_pairs(spec: ProviderSpec, values: Mapping[str, Any], origins: Mapping[str, str]) -> None:
    for first, second in spec.required_pairs:
        has_first, has_second = bool(values.get(first)), bool(values.get(second))
        if has_first != has_second:
            given, missing = (first, second) if has_first else (second, first)
            raise ConfigError(
                f"{spec.display_name} {given} is set ({origins.get(given, 'config')}) but {missing} is not",
                hint=f"set {missing} too, or remove {given}",
            )


def _mask(secret: bool, value: Any) -> str:
    if secret:
        text = value.get_secret_value() if isinstance(value, SecretStr) else str(value)
        return "•••" + (text[-2:] if len(text) >= 12 else "") if text else "(empty)"
    return redact(str(value))


def _resolve_provider(
    spec: ProviderSpec,
    flags: Mapping[str, Any],
    env: Mapping[str, str],
    profile_table: Mapping[str, Any],
    config_path: Path,
    chosen: str,
    sources: list[ValueSource],
) -> BaseModel | None:
    """One provider's settings from flags > env > file > defaults, or None when not configured."""
    from airsync_tui.providers.settings_layers import read_layers

    where = f"[profiles.{chosen}.{spec.name}]"
    layers = read_layers(
        spec.layered_settings,
        spec.fields,
        flags=flags,
        env=env,
        table=profile_table.get(spec.name),
        path=str(config_path),
        where=where,
        file_origin=f"file {config_path} {where}",
    )
    values, origins = _merge(layers, spec.credential_groups)
    enabling = {f.name for f in spec.fields if f.enables}
    configured = (spec.section_enables and spec.name in profile_table) or any(values.get(k) for k in enabling)
    if not configured:
        return None
    _validate_pairs(spec, values, origins)
    extra: dict[str, Any] = {"profile_name": chosen} if "profile_name" in spec.settings_model.model_fields else {}
    try:
        settings = spec.settings_model(**values, **extra)
    except ValueError as exc:
        raise ConfigError(f"invalid {spec.display_name} settings for profile {chosen!r}: {_first_error(exc)}") from None
    for key in sorted(spec.allowed_keys):
        value = getattr(settings, key, None)
        if value is not None:
            item = spec.field(key)
            secret = item is not None and item.secret
            sources.append(ValueSource(f"{spec.name}.{key}", _mask(secret, value), origins.get(key, "default")))
    if spec.derived is not None:
        for derived in spec.derived(settings, frozenset(values), env):
            sources.append(ValueSource(derived.key, derived.display, derived.origin))
    return settings


def known_overrides() -> frozenset[str]:
    """Keys `load_profile(overrides=...)` accepts: profile, read_only and every provider flag."""
    keys = {"profile", "read_only"}
    for spec in _specs():
        keys.update(f.override_key for f in spec.fields if f.flag is not None)
    return frozenset(keys)


def load_profile(
    name: str | None = None,
    *,
    overrides: Mapping[str, Any] | None = None,
    env: Mapping[str, str] = os.environ,
    path: Path | None = None,
) -> Profile:
    """Resolve one profile from flags (`overrides`), env, the profile file and defaults.

    `overrides` keys: `profile`, `read_only` and each provider field's
    `override_key` (e.g. `api_url`, `workspace_id`; each `SettingField` says).
    None values are ignored, so CLI flags can be passed through unconditionally.
    """
    flags = {k: v for k, v in (overrides or {}).items() if v is not None}
    known_flags = known_overrides()
    unknown_flags = sorted(set(flags) - known_flags)
    if unknown_flags:
        raise ConfigError(f"unknown override {unknown_flags[0]!r}", hint=f"known: {', '.join(sorted(known_flags))}")

    config_path = path if path is not None else default_config_path(env)
    document = _read_file(config_path)
    profiles = document.get("profiles", {})
    if not isinstance(profiles, dict):
        raise ConfigError(f"{config_path}: [profiles] must be a table of profiles")

    explicit = name or flags.get("profile") or env.get("AIRSYNC_PROFILE")
    chosen = explicit or document.get("default_profile") or DEFAULT_PROFILE
    if not isinstance(chosen, str):
        raise ConfigError(f"{config_path}: default_profile must be a string")
    if chosen not in profiles and (explicit or document.get("default_profile")) and chosen != DEFAULT_PROFILE:
        available = ", ".join(sorted(profiles)) or "none"
        raise ConfigError(
            f"unknown profile {chosen!r} (available: {available}) in {config_path}",
            hint="pick one of those, or add a [profiles." + chosen + "] table",
        )
    profile_table = profiles.get(chosen, {})
    if not isinstance(profile_table, dict):
        raise ConfigError(f"{config_path}: [profiles.{chosen}] must be a table")
    specs = _specs()
    # `watch`: alert rules and routes (service.rules.settings); `destinations`: warehouse secrets (data access).
    allowed_keys = ["read_only", *(spec.name for spec in specs), "watch", "destinations"]
    unknown = sorted(set(profile_table) - set(allowed_keys))
    if unknown:
        raise ConfigError(
            f"{config_path}: unknown key {unknown[0]!r} in [profiles.{chosen}]",
            hint=f"allowed keys: {', '.join(allowed_keys)}",
        )
    watch_table = profile_table.get("watch", {})
    if not isinstance(watch_table, dict):
        raise ConfigError(f"{config_path}: [profiles.{chosen}.watch] must be a table")

    sources: list[ValueSource] = [ValueSource("profile", chosen, _profile_origin(name, flags, env, document))]
    settings: dict[str, Any] = {}
    for spec in specs:
        settings[spec.name] = _resolve_provider(spec, flags, env, profile_table, config_path, chosen, sources)

    read_only, ro_origin = _resolve_read_only(flags, env, profile_table, config_path, chosen)
    sources.append(ValueSource("read_only", str(read_only).lower(), ro_origin))

    return Profile(
        name=chosen,
        read_only=read_only,
        config_path=config_path,
        sources=tuple(sources),
        watch=watch_table,
        **settings,
    )


@functools.cache
def _profile_layers() -> tuple[tuple[SettingField, ...], type[LayeredSettings]]:
    """The profile-level settings (beside the provider tables), layered like a provider's."""
    from airsync_tui.providers.settings_layers import layered_model
    from airsync_tui.providers.spec import SettingField

    fields = (SettingField("read_only", env=("AIRSYNC_READ_ONLY",), flag="--read-only"),)
    return fields, layered_model("Profile", fields)


def _resolve_read_only(
    flags: Mapping[str, Any], env: Mapping[str, str], profile_table: Mapping[str, Any], config_path: Path, chosen: str
) -> tuple[bool, str]:
    """`read_only` from flags > env > `[profiles.NAME]` > false; every layer's value must be a boolean."""
    where = f"[profiles.{chosen}]"
    table = {key: profile_table[key] for key in ("read_only",) if key in profile_table}
    from airsync_tui.providers.settings_layers import read_layers

    fields, model = _profile_layers()
    layers = read_layers(
        model,
        fields,
        flags=flags,
        env=env,
        table=table,
        path=str(config_path),
        where=where,
        file_origin=f"file {config_path} {where}",
    )
    names = {"flags": "--read-only", "the environment": "AIRSYNC_READ_ONLY"}
    resolved: tuple[bool, str] | None = None
    for layer in reversed(layers):  # lowest first, so a bad value in any layer is reported
        if "read_only" in layer.values:
            where_set = names.get(layer.label, f"{config_path} {where} read_only")
            resolved = (_parse_bool(layer.values["read_only"], where_set), layer.origins["read_only"])
    return resolved if resolved is not None else (False, "default")


def _profile_origin(name: str | None, flags: Mapping[str, Any], env: Mapping[str, str], document: Mapping[str, Any]) -> str:
    if name:
        return "argument"
    if flags.get("profile"):
        return "flag --profile"
    if env.get("AIRSYNC_PROFILE"):
        return "env AIRSYNC_PROFILE"
    if document.get("default_profile"):
        return "file default_profile"
    return "default"


def _first_error(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        try:
            first = errors()[0]
            return f"{'.'.join(str(p) for p in first.get('loc', ()))}: {first.get('msg', '')}"
        except (IndexError, TypeError):
            pass
    return type(exc).__name__


def describe_sources(profile: Profile) -> list[str]:
    """One line per resolved value and where it came from, secrets masked.

    Like dolphie's `--debug-options`: answers "why is it talking to that
    host?" without printing a secret.
    """
    width = max((len(s.key) for s in profile.sources), default=0)
    return [f"{s.key.ljust(width)} = {s.display}  ({s.origin})" for s in profile.sources]


__all__ = [
    "Profile",
    "ValueSource",
    "default_config_path",
    "describe_sources",
    "known_overrides",
    "list_profiles",
    "load_profile",
]


def __getattr__(name: str) -> Any:
    """Names that moved into the provider packages (`AirbyteSettings`, `config_api_root`, ...).

    Resolved through the registry, so this module names no provider: any public
    name of a registered provider's settings module is found here too.
    """
    if not name.startswith("_"):
        for spec in _specs():
            module = sys.modules[spec.settings_model.__module__]
            if hasattr(module, name):
                return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def list_profiles(*, env: Mapping[str, str] | None = None, path: Path | None = None) -> list[str]:
    """Profile names in the config file, for the dashboard's profile switcher."""
    document = _read_file(path or default_config_path(env))
    profiles = document.get("profiles")
    return sorted(profiles) if isinstance(profiles, dict) else []
