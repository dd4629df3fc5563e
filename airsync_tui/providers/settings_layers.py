"""Layered settings with pydantic-settings: one source per layer, built from `SettingField`s.

Why pydantic-settings: each layer is one of its sources, a callable that
returns the values it supplies (`InitSettingsSource` for CLI flags, an
`EnvSettingsSource` whose fields carry the spec's environment names as
`AliasChoices` — PyAirbyte's aliases for Airbyte, preferred name first — and
`ProfileTableSource` for the chosen `[profiles.<p>.<provider>]` table). The
settings model's own defaults are the last layer.

Why the merge is not `BaseSettings.__init__`'s `deep_update`: `airsync config
show` reports where each value came from, and credentials resolve as a group
(the highest layer that sets any credential decides the auth kind). Both need
each layer's answer separately, which is what `read_layers` returns; the
caller (`airsync_tui.config`) merges them and validates the result with the
provider's own settings model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import AliasChoices, Field, SecretStr, create_model
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    InitSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from airsync_tui.errors import ConfigError

if TYPE_CHECKING:
    from airsync_tui.providers.spec import SettingField


class LayeredSettings(BaseSettings):
    """Base of every model `layered_model` builds: exact env names, empty values ignored."""

    model_config = SettingsConfigDict(case_sensitive=True, env_ignore_empty=True, extra="ignore")


def layered_model(name: str, fields: Iterable[SettingField]) -> type[LayeredSettings]:
    """A pydantic-settings model with one optional field per `SettingField`.

    The field's environment names become its `validation_alias`
    (`AliasChoices`, first found wins), so `EnvSettingsSource` reads exactly the
    names the spec declares. Secret fields are `SecretStr`; the others stay raw
    (`Any`): the provider's settings model validates the merged result, with its
    own types and messages.
    """
    definitions: dict[str, Any] = {}
    for item in fields:
        alias = AliasChoices(*item.env) if item.env else None
        kind: Any = SecretStr | None if item.secret else Any
        definitions[item.name] = (kind, Field(default=None, validation_alias=alias))
    model: type[LayeredSettings] = create_model(f"{name}LayeredSettings", __base__=LayeredSettings, **definitions)
    return model


@dataclass(frozen=True)
class Layer:
    """One source's answer: values by field name, where each came from, and the layer's name for messages.

    Secret values are `SecretStr` from here on, so a layer never shows one in `repr`.
    """

    label: str
    values: dict[str, Any] = field(repr=False)
    origins: dict[str, str]


class MappingEnvSource(EnvSettingsSource):
    """`EnvSettingsSource` over a given mapping (tests and `load_profile(env=...)`), declared names only.

    Only the names the fields declare are visible, so a field without
    environment names (e.g. `timeout`) is never read from a variable that
    happens to share its name.
    """

    def __init__(self, settings_cls: type[LayeredSettings], environ: Mapping[str, str]) -> None:
        declared = {name for info in settings_cls.model_fields.values() for name in _env_names(info)}
        self._given = {key: value for key, value in environ.items() if key in declared and value}
        super().__init__(settings_cls, case_sensitive=True, env_ignore_empty=True)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return dict(self._given)


class ProfileTableSource(PydanticBaseSettingsSource):
    """The chosen profile's table for this model (e.g. `[profiles.prod.airbyte]`).

    Refuses keys the model does not declare, with the allowed ones in the hint.
    """

    def __init__(self, settings_cls: type[LayeredSettings], table: Any, *, path: str, where: str) -> None:
        super().__init__(settings_cls)
        self._table = table
        self._path = path
        self._where = where

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return self._read().get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return self._read()

    def _read(self) -> dict[str, Any]:
        if self._table is None:
            return {}
        if not isinstance(self._table, dict):
            raise ConfigError(f"{self._path}: {self._where} must be a table")
        allowed = set(self.settings_cls.model_fields)
        unknown = sorted(set(self._table) - allowed)
        if unknown:
            raise ConfigError(
                f"{self._path}: unknown key {unknown[0]!r} in {self._where}",
                hint=f"allowed keys: {', '.join(sorted(allowed))}",
            )
        return dict(self._table)


def read_layers(
    model: type[LayeredSettings],
    fields: Sequence[SettingField],
    *,
    flags: Mapping[str, Any],
    env: Mapping[str, str],
    table: Any,
    path: str,
    where: str,
    file_origin: str,
) -> list[Layer]:
    """Each source's values, highest priority first: flags, environment, profile table.

    `flags` is keyed by `SettingField.override_key` (what `load_profile(overrides=...)`
    takes); `file_origin` names the table in the source report.
    """
    flag_values = {f.name: flags[f.override_key] for f in fields if f.flag is not None and f.override_key in flags}
    flag_source = InitSettingsSource(model, init_kwargs=flag_values)
    env_source = MappingEnvSource(model, env)
    file_source = ProfileTableSource(model, table, path=path, where=where)
    by_key = _names_by_key(fields)
    secret = frozenset(item.name for item in fields if item.secret)

    def layer(label: str, supplied: Mapping[str, Any], origin: Callable[[str], str]) -> Layer:
        values = {by_key.get(key, key): value for key, value in supplied.items()}
        values = {
            name: SecretStr(value) if name in secret and isinstance(value, str) and value else value for name, value in values.items()
        }
        return Layer(label, values, {name: origin(name) for name in values})

    return [
        layer("flags", flag_source(), lambda name: _field(fields, name).flag_origin),
        layer("the environment", env_source(), lambda name: "env " + _env_name(fields, name, env_source)),
        layer(f"{path} {where}", file_source(), lambda _name: file_origin),
    ]


def _names_by_key(fields: Sequence[SettingField]) -> dict[str, str]:
    """A source's dict may be keyed by the field name or by one of its env names."""
    keys: dict[str, str] = {}
    for item in fields:
        keys[item.name] = item.name
        for env_name in item.env:
            keys[env_name] = item.name
    return keys


def _field(fields: Sequence[SettingField], name: str) -> SettingField:
    return next(item for item in fields if item.name == name)


def _env_name(fields: Sequence[SettingField], name: str, source: MappingEnvSource) -> str:
    """Which of the field's names supplied it (the preferred one when several are set)."""
    return next(env_name for env_name in _field(fields, name).env if source.env_vars.get(env_name))


def _env_names(info: FieldInfo) -> tuple[str, ...]:
    alias = info.validation_alias
    if isinstance(alias, AliasChoices):
        return tuple(choice for choice in alias.choices if isinstance(choice, str))
    return ()


__all__ = ["Layer", "LayeredSettings", "MappingEnvSource", "ProfileTableSource", "layered_model", "read_layers"]
