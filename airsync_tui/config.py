"""Settings and named profiles: flags > environment > profile file > defaults.

The file lives at `platformdirs.user_config_path("airsync") / "config.toml"`
(override with `AIRSYNC_CONFIG`)::

    default_profile = "prod"
    [profiles.prod]
    read_only = false
    [profiles.prod.airbyte]
    api_url = "https://api.airbyte.com/v1"
    client_id = "..."
    client_secret = "..."
    workspace_id = "..."
    [profiles.prod.hightouch]
    api_key = "..."

Environment names follow PyAirbyte (short alias first, then `AIRBYTE_CLOUD_*`)
so a shell already set up for PyAirbyte works unchanged.

Credentials resolve as a GROUP: the highest layer that sets any Airbyte
credential decides the auth kind, so `AIRBYTE_BEARER_TOKEN` in the
environment cleanly replaces client credentials from the file instead of
colliding with them. Within one layer, two kinds at once is an error that
says which to drop.

Every error is a one-line `ConfigError`; secrets are `SecretStr` and never
appear in messages, `repr` or `describe_sources()`.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from airsync_tui.config_checks import PositiveTimeout, warn_if_loose
from airsync_tui.errors import ConfigError, redact

CLOUD_API_ROOT = "https://api.airbyte.com/v1"
CLOUD_CONFIG_API_ROOT = "https://cloud.airbyte.com/api/v1"
CLOUD_WEB_ROOT = "https://cloud.airbyte.com"
HIGHTOUCH_API_ROOT = "https://api.hightouch.com/api/v1"
DEFAULT_PROFILE = "default"

_PUBLIC_SUFFIX = "/api/public/v1"

# setting → env names, alias first (PyAirbyte's order).
AIRBYTE_ENV: dict[str, tuple[str, ...]] = {
    "client_id": ("AIRBYTE_CLIENT_ID", "AIRBYTE_CLOUD_CLIENT_ID"),
    "client_secret": ("AIRBYTE_CLIENT_SECRET", "AIRBYTE_CLOUD_CLIENT_SECRET"),
    "bearer_token": ("AIRBYTE_BEARER_TOKEN", "AIRBYTE_CLOUD_BEARER_TOKEN"),
    "workspace_id": ("AIRBYTE_WORKSPACE_ID", "AIRBYTE_CLOUD_WORKSPACE_ID"),
    "api_url": ("AIRBYTE_API_ROOT", "AIRBYTE_CLOUD_API_URL"),
    "config_api_url": ("AIRBYTE_CONFIG_API_ROOT", "AIRBYTE_CLOUD_CONFIG_API_URL"),
}
HIGHTOUCH_ENV: dict[str, tuple[str, ...]] = {
    "api_key": ("HIGHTOUCH_API_KEY",),
    "api_url": ("HIGHTOUCH_API_ROOT",),
}

_SECRET_FIELDS = frozenset({"client_secret", "bearer_token", "password", "api_key"})
_AIRBYTE_FIELDS = frozenset(
    {"api_url", "config_api_url", "client_id", "client_secret", "bearer_token", "username", "password", "workspace_id", "timeout"}
)
_HIGHTOUCH_FIELDS = frozenset({"api_url", "api_key", "timeout"})
_CREDENTIAL_KINDS: dict[str, frozenset[str]] = {
    "client credentials (client_id/client_secret)": frozenset({"client_id", "client_secret"}),
    "bearer_token": frozenset({"bearer_token"}),
    "basic auth (username/password)": frozenset({"username", "password"}),
}
_CREDENTIAL_FIELDS = frozenset().union(*_CREDENTIAL_KINDS.values())
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})


class AirbyteSettings(BaseModel):
    """Where and how to reach one Airbyte deployment."""

    model_config = ConfigDict(frozen=True)

    api_url: str = CLOUD_API_ROOT
    config_api_url: str | None = None
    client_id: str | None = None
    client_secret: SecretStr | None = None
    bearer_token: SecretStr | None = None
    username: str | None = None
    password: SecretStr | None = None
    workspace_id: str | None = None
    timeout: PositiveTimeout = 15.0
    profile_name: str | None = None  # only for error messages ("... for profile prod")

    @property
    def auth_kind(self) -> str:
        """`client_credentials`, `bearer`, `basic` or `none`."""
        if self.client_id and self.client_secret:
            return "client_credentials"
        if self.bearer_token:
            return "bearer"
        if self.username:
            return "basic"
        return "none"

    @property
    def is_cloud(self) -> bool:
        return _is_cloud(self.api_url)

    def resolved_config_api_url(self, env: Mapping[str, str] | None = None) -> str:
        return config_api_root(self.api_url, self.config_api_url, env=env if env is not None else {})

    @property
    def web_root(self) -> str:
        return web_url_root(self.api_url)

    def secrets(self) -> tuple[str, ...]:
        """Secret values, for redacting any text that may echo them."""
        values = (self.client_secret, self.bearer_token, self.password)
        return tuple(v.get_secret_value() for v in values if v is not None and v.get_secret_value())


class HightouchSettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    api_url: str = HIGHTOUCH_API_ROOT
    api_key: SecretStr | None = None
    timeout: PositiveTimeout = 15.0

    def secrets(self) -> tuple[str, ...]:
        return (self.api_key.get_secret_value(),) if self.api_key and self.api_key.get_secret_value() else ()


@dataclass(frozen=True)
class ValueSource:
    """Where one resolved setting came from (for `describe_sources`)."""

    key: str  # e.g. "airbyte.client_id"
    display: str  # masked when secret
    origin: str  # "flag --api-url", "env AIRBYTE_CLIENT_ID", "file … [profiles.prod.airbyte]", "default"


class Profile(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str = DEFAULT_PROFILE
    airbyte: AirbyteSettings | None = None
    hightouch: HightouchSettings | None = None
    read_only: bool = False
    config_path: Path | None = None
    sources: tuple[ValueSource, ...] = Field(default=(), repr=False)
    #: The raw `[profiles.NAME.watch]` table; parsed by service.rules.settings (alert rules, routes).
    watch: dict[str, Any] = Field(default_factory=dict, repr=False)


# --------------------------------------------------------------------------- URL derivation


def _norm(url: str) -> str:
    return url.strip().rstrip("/")


def _is_cloud(api_url: str) -> bool:
    return _norm(api_url) == CLOUD_API_ROOT


def config_api_root(api_url: str, explicit: str | None = None, *, env: Mapping[str, str] | None = None) -> str:
    """Derive the config API root exactly like PyAirbyte's `get_config_api_root`.

    explicit > env `AIRBYTE_CLOUD_CONFIG_API_URL` > Cloud public root →
    `https://cloud.airbyte.com/api/v1` > `…/api/public/v1` → `…/api/v1` > error.
    """
    if explicit:
        return _norm(explicit)
    environ = os.environ if env is None else env
    from_env = environ.get("AIRBYTE_CLOUD_CONFIG_API_URL")
    if from_env:
        return _norm(from_env)
    root = _norm(api_url)
    if root == CLOUD_API_ROOT:
        return CLOUD_CONFIG_API_ROOT
    if root.endswith(_PUBLIC_SUFFIX):
        return root[: -len(_PUBLIC_SUFFIX)] + "/api/v1"
    raise ConfigError(
        f"cannot derive the Airbyte config API URL from api_url {root!r}",
        hint="set config_api_url in the profile (or AIRBYTE_CONFIG_API_ROOT), e.g. http://host:8000/api/v1",
    )


def web_url_root(api_url: str) -> str:
    """Root of the Airbyte web app for links.

    Cloud → `https://cloud.airbyte.com`; self-managed → the api_url without
    `/api/public/v1` (PyAirbyte returns the API root itself, issue #563).
    """
    root = _norm(api_url)
    if root == CLOUD_API_ROOT:
        return CLOUD_WEB_ROOT
    if root.endswith(_PUBLIC_SUFFIX):
        return root[: -len(_PUBLIC_SUFFIX)]
    return root


def default_config_path(env: Mapping[str, str] | None = None) -> Path:
    environ = os.environ if env is None else env
    override = environ.get("AIRSYNC_CONFIG")
    if override:
        return Path(override).expanduser()
    return platformdirs.user_config_path("airsync") / "config.toml"


# --------------------------------------------------------------------------- loading


@dataclass
class _Layer:
    """One precedence layer's raw values for a section, and how to name it."""

    values: dict[str, Any]
    origins: dict[str, str]
    label: str


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


def _env_layer(env: Mapping[str, str], names: Mapping[str, tuple[str, ...]]) -> _Layer:
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for key, candidates in names.items():
        for name in candidates:
            value = env.get(name)
            if value:
                values[key] = value
                origins[key] = f"env {name}"
                break
    return _Layer(values, origins, "the environment")


def _file_section(profile: Mapping[str, Any], section: str, allowed: frozenset[str], path: Path, name: str) -> _Layer:
    table = profile.get(section)
    where = f"[profiles.{name}.{section}]"
    if table is None:
        return _Layer({}, {}, f"{path} {where}")
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: {where} must be a table")
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ConfigError(
            f"{path}: unknown key {unknown[0]!r} in {where}",
            hint=f"allowed keys: {', '.join(sorted(allowed))}",
        )
    return _Layer(dict(table), {k: f"file {path} {where}" for k in table}, f"{path} {where}")


def _merge(layers: list[_Layer]) -> tuple[dict[str, Any], dict[str, str]]:
    """Per-key precedence, highest layer first, with credentials resolved as one group."""
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}
    cred_layer: _Layer | None = None
    for layer in layers:
        creds = {k for k, v in layer.values.items() if k in _CREDENTIAL_FIELDS and v not in (None, "")}
        if creds:
            _check_one_kind(creds, layer.label)
            cred_layer = cred_layer or layer
    allowed_creds: frozenset[str] = frozenset()
    if cred_layer is not None:
        present = {k for k in cred_layer.values if k in _CREDENTIAL_FIELDS}
        allowed_creds = next(fields for fields in _CREDENTIAL_KINDS.values() if present & fields)
    for layer in reversed(layers):  # lowest first, so higher layers overwrite
        for key, value in layer.values.items():
            if value in (None, ""):
                continue
            if key in _CREDENTIAL_FIELDS and key not in allowed_creds:
                continue
            values[key] = value
            origins[key] = layer.origins.get(key, layer.label)
    return values, origins


def _check_one_kind(creds: set[str], label: str) -> None:
    kinds = [kind for kind, fields in _CREDENTIAL_KINDS.items() if creds & fields]
    if len(kinds) > 1:
        raise ConfigError(
            f"both {kinds[0]} and {kinds[1]} are set in {label}",
            hint=f"drop one of them: keep either {kinds[0]} or {kinds[1]}",
        )


def _validate_pairs(values: Mapping[str, Any], origins: Mapping[str, str]) -> None:
    for first, second in (("client_id", "client_secret"), ("username", "password")):
        has_first, has_second = bool(values.get(first)), bool(values.get(second))
        if has_first != has_second:
            given, missing = (first, second) if has_first else (second, first)
            raise ConfigError(
                f"Airbyte {given} is set ({origins.get(given, 'config')}) but {missing} is not",
                hint=f"set {missing} too, or remove {given}",
            )


def _mask(key: str, value: Any) -> str:
    if key.split(".")[-1] in _SECRET_FIELDS:
        text = value.get_secret_value() if isinstance(value, SecretStr) else str(value)
        return "•••" + (text[-2:] if len(text) >= 12 else "") if text else "(empty)"
    return redact(str(value))


def load_profile(
    name: str | None = None,
    *,
    overrides: Mapping[str, Any] | None = None,
    env: Mapping[str, str] = os.environ,
    path: Path | None = None,
) -> Profile:
    """Resolve one profile from flags (`overrides`), env, the profile file and defaults.

    `overrides` keys: `api_url`, `workspace_id`, `read_only`, `profile`,
    `hightouch_api_url` (None values are ignored, so CLI flags can be passed
    through unconditionally).
    """
    flags = {k: v for k, v in (overrides or {}).items() if v is not None}
    known_flags = {
        "api_url", "workspace_id", "read_only", "profile", "hightouch_api_url",
        "config_api_url", "client_id", "client_secret", "bearer_token", "hightouch_api_key",
    }
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
    unknown = sorted(set(profile_table) - {"read_only", "airbyte", "hightouch", "watch"})
    if unknown:
        raise ConfigError(
            f"{config_path}: unknown key {unknown[0]!r} in [profiles.{chosen}]",
            hint="allowed keys: read_only, airbyte, hightouch, watch",
        )
    watch_table = profile_table.get("watch", {})
    if not isinstance(watch_table, dict):
        raise ConfigError(f"{config_path}: [profiles.{chosen}.watch] must be a table")

    sources: list[ValueSource] = [ValueSource("profile", chosen, _profile_origin(name, flags, env, document))]

    # --- Airbyte
    ab_flag_keys = ("api_url", "workspace_id", "config_api_url", "client_id", "client_secret", "bearer_token")
    ab_flags = _Layer(
        {k: flags[k] for k in ab_flag_keys if k in flags},
        {k: f"flag --{k.replace('_', '-')}" for k in ab_flag_keys},
        "flags",
    )
    ab_layers = [
        ab_flags,
        _env_layer(env, AIRBYTE_ENV),
        _file_section(profile_table, "airbyte", _AIRBYTE_FIELDS, config_path, chosen),
    ]
    ab_values, ab_origins = _merge(ab_layers)
    airbyte: AirbyteSettings | None = None
    configured = "airbyte" in profile_table or any(
        k in ab_values for k in ("api_url", "config_api_url") + tuple(_CREDENTIAL_FIELDS)
    )
    if configured:
        _validate_pairs(ab_values, ab_origins)
        try:
            airbyte = AirbyteSettings(**ab_values, profile_name=chosen)
        except ValueError as exc:
            raise ConfigError(f"invalid Airbyte settings for profile {chosen!r}: {_first_error(exc)}") from None
        for key in sorted(_AIRBYTE_FIELDS):
            value = getattr(airbyte, key)
            if value is not None:
                sources.append(ValueSource(f"airbyte.{key}", _mask(key, value), ab_origins.get(key, "default")))
        if "config_api_url" not in ab_values:
            try:
                derived = airbyte.resolved_config_api_url(env)
                sources.append(ValueSource("airbyte.config_api_url", derived, "derived from api_url"))
            except ConfigError:
                sources.append(ValueSource("airbyte.config_api_url", "(unknown)", "cannot derive; set config_api_url"))

    # --- Hightouch
    ht_flags = _Layer(
        {key: flags[flag] for key, flag in (("api_url", "hightouch_api_url"), ("api_key", "hightouch_api_key")) if flag in flags},
        {"api_url": "flag --hightouch-api-url", "api_key": "flag --hightouch-api-key"},
        "flags",
    )
    ht_layers = [
        ht_flags,
        _env_layer(env, HIGHTOUCH_ENV),
        _file_section(profile_table, "hightouch", _HIGHTOUCH_FIELDS, config_path, chosen),
    ]
    ht_values: dict[str, Any] = {}
    ht_origins: dict[str, str] = {}
    for layer in reversed(ht_layers):
        for key, value in layer.values.items():
            if value not in (None, ""):
                ht_values[key] = value
                ht_origins[key] = layer.origins.get(key, layer.label)
    hightouch: HightouchSettings | None = None
    if ht_values.get("api_key"):
        try:
            hightouch = HightouchSettings(**ht_values)
        except ValueError as exc:
            raise ConfigError(f"invalid Hightouch settings for profile {chosen!r}: {_first_error(exc)}") from None
        for key in sorted(_HIGHTOUCH_FIELDS):
            value = getattr(hightouch, key)
            if value is not None:
                sources.append(ValueSource(f"hightouch.{key}", _mask(key, value), ht_origins.get(key, "default")))

    # --- read_only
    read_only = False
    ro_origin = "default"
    if "read_only" in profile_table:
        read_only = _parse_bool(profile_table["read_only"], f"{config_path} [profiles.{chosen}] read_only")
        ro_origin = f"file {config_path} [profiles.{chosen}]"
    if env.get("AIRSYNC_READ_ONLY") not in (None, ""):
        read_only = _parse_bool(env["AIRSYNC_READ_ONLY"], "AIRSYNC_READ_ONLY")
        ro_origin = "env AIRSYNC_READ_ONLY"
    if "read_only" in flags:
        read_only = _parse_bool(flags["read_only"], "--read-only")
        ro_origin = "flag --read-only"
    sources.append(ValueSource("read_only", str(read_only).lower(), ro_origin))

    if airbyte is None and hightouch is None and profile_table == {} and chosen in profiles:
        pass  # an empty profile is allowed; callers report "nothing configured" themselves

    return Profile(
        name=chosen,
        airbyte=airbyte,
        hightouch=hightouch,
        read_only=read_only,
        config_path=config_path,
        sources=tuple(sources),
        watch=watch_table,
    )


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
    "AirbyteSettings",
    "CLOUD_API_ROOT",
    "CLOUD_CONFIG_API_ROOT",
    "CLOUD_WEB_ROOT",
    "HightouchSettings",
    "Profile",
    "ValueSource",
    "config_api_root",
    "default_config_path",
    "describe_sources",
    "load_profile",
    "web_url_root",
]


def list_profiles(*, env: Mapping[str, str] | None = None, path: Path | None = None) -> list[str]:
    """Profile names in the config file, for the dashboard's profile switcher."""
    document = _read_file(path or default_config_path(env))
    profiles = document.get("profiles")
    return sorted(profiles) if isinstance(profiles, dict) else []
