"""`ProviderSpec`: everything the rest of the program needs to know about one provider.

Each `providers/<name>/spec.py` exports one `SPEC`; `providers/registry.py`
lists them. Config loading (sections, env names, allowed keys, the per-value
source report), the CLI's flags, the dashboard's workspace label, the demo
profile and the emulator's mounts all loop over the specs, so a third provider
is one new package plus one registry line (or an entry point, see the registry).

The spec names the emulator only by dotted path (`DemoHook.app_factory`): the
emulator is an optional layer that only the CLI and tests import.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel

from airsync_tui.models.status import JobStatus, StatusCategory
from airsync_tui.providers.base import ProviderCapabilities, SyncProvider

if TYPE_CHECKING:  # pydantic-settings is read when settings are layered (config), not by `--demo`'s first screen
    from airsync_tui.providers.settings_layers import LayeredSettings

#: How a provider's `fetch_attempt_log` answers: Airbyte's config-API attempt JSON
#: (`AttemptLog.raw_json`) or plain text lines (`AttemptLog.text_lines`).
LogFormat = Literal["airbyte-attempt-json", "text-lines"]


@dataclass(frozen=True)
class SettingField:
    """One setting of a provider: where it may come from and whether it is secret.

    `name` is the key in the settings model and in `[profiles.<p>.<provider>]`.
    `env` lists environment names, the preferred alias first (PyAirbyte's
    order for Airbyte). `flag` is the CLI option; `override` is the key in
    `load_profile(overrides=...)` (defaults to `name`) and names the flag in the
    source report (`flag --workspace-id`). `enables`: setting it in any layer
    turns the provider on for the profile.
    """

    name: str
    env: tuple[str, ...] = ()
    flag: str | None = None
    override: str | None = None
    help: str = ""
    secret: bool = False
    enables: bool = False

    @property
    def override_key(self) -> str:
        return self.override or self.name

    @property
    def flag_origin(self) -> str:
        return "flag --" + self.override_key.replace("_", "-")


@dataclass(frozen=True)
class DerivedValue:
    """A value the source report shows although nobody set it (e.g. a derived URL)."""

    key: str
    display: str
    origin: str


@dataclass(frozen=True)
class DemoHook:
    """How `airsync --demo` and the emulator serve this provider.

    `app_factory` is a dotted path `module:function` taking `(clock, options)` (the
    emulator's `VirtualClock` and `EmulatorOptions`) and returning a Starlette app
    mounted at `mount_path`; None means the emulator's base app serves the provider
    itself (Airbyte). `settings(base_url)` returns the settings values that point at
    that mount (with the emulator's default credentials).
    """

    mount_path: str
    app_factory: str | None
    settings: Callable[[str], Mapping[str, Any]]


@dataclass(frozen=True)
class ProviderSpec:
    """A provider, described fully.

    - `settings_model`: the pydantic model of `[profiles.<p>.<name>]`
    - `fields`: every key of that section with env names, flag and secrecy
    - `factory(settings, read_only)`: the `SyncProvider`
    - `status_table`: the provider's status words → `StatusCategory`
    - `capabilities`: what the provider declares it can do
    - `log_format`: what `fetch_attempt_log` returns
    - `demo`: optional emulator mount + demo settings
    """

    name: str
    display_name: str
    settings_model: type[BaseModel]
    fields: tuple[SettingField, ...]
    factory: Callable[[Any, bool], SyncProvider]
    status_table: Mapping[str, StatusCategory]
    capabilities: ProviderCapabilities
    log_format: LogFormat = "text-lines"
    demo: DemoHook | None = None
    #: A `[profiles.<p>.<name>]` table turns the provider on even without an enabling field.
    section_enables: bool = False
    #: Credential kinds resolved as a group: the highest layer setting any of them decides.
    credential_groups: Mapping[str, frozenset[str]] = field(default_factory=dict)
    #: Fields that must be set together ((client_id, client_secret), ...).
    required_pairs: tuple[tuple[str, str], ...] = ()
    #: Extra source-report lines for derived values (settings, explicitly set keys, env).
    derived: Callable[[Any, frozenset[str], Mapping[str, str]], tuple[DerivedValue, ...]] | None = None
    #: The dashboard header's part for this provider (default: the display name).
    workspace_label: Callable[[Any], str] | None = None
    #: How to turn it on, for "configures no provider" (default: its enabling env names).
    setup_hint: str = ""

    def classify(self, raw: str | None) -> JobStatus:
        """The provider's status word with its neutral meaning attached."""
        return JobStatus.classify(raw, self.status_table)

    def field(self, name: str) -> SettingField | None:
        for item in self.fields:
            if item.name == name:
                return item
        return None

    @property
    def secret_fields(self) -> frozenset[str]:
        return frozenset(f.name for f in self.fields if f.secret)

    @property
    def allowed_keys(self) -> frozenset[str]:
        return frozenset(f.name for f in self.fields)

    @cached_property
    def layered_settings(self) -> type[LayeredSettings]:
        """The pydantic-settings model of this provider's layers, built from `fields` (see settings_layers)."""
        from airsync_tui.providers.settings_layers import layered_model

        return layered_model(self.display_name, self.fields)

    def label(self, settings: Any) -> str:
        return self.workspace_label(settings) if self.workspace_label is not None else self.display_name

    def how_to_configure(self) -> str:
        if self.setup_hint:
            return self.setup_hint
        names = [f.env[0] for f in self.fields if f.enables and f.env]
        return " or ".join(names) if names else f"a [profiles.<name>.{self.name}] table"

    def build(self, settings: Any, *, read_only: bool) -> SyncProvider:
        return self.factory(settings, read_only)


__all__ = ["DemoHook", "DerivedValue", "LogFormat", "ProviderSpec", "SettingField"]
