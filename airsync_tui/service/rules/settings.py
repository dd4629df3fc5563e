"""Rule settings: defaults, per-profile tuning and per-connection overrides.

Parsed here (not in `config.py`) from the profile's `[profiles.NAME.watch]`
table, so the rules' knobs live next to the rules:

    [profiles.prod.watch.rules.stalled]
    minutes = 30

    [profiles.prod.watch.rules.slow]
    enabled = false

    [[profiles.prod.watch.overrides]]
    match = { name = "stripe*" }          # id, name (glob), provider or tag
    rules.stale = { factor = 4 }

    [[profiles.prod.watch.routes]]
    urls = ["slack://T000/B000/XXXX"]
    severity = ["critical"]               # filters: severity, rule, provider, name, tag

Every rule works with no configuration at all (the defaults below).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from airsync_tui.errors import ConfigError
from airsync_tui.models.domain import Connection
from airsync_tui.models.rate import STALL_ALERT_AFTER
from airsync_tui.service.problems import ProblemKind, Severity


@dataclass(frozen=True)
class RuleSettings:
    """Knobs of every rule (one flat record; each rule reads its own fields)."""

    enabled: bool = True
    minutes: float = 15.0  # stalled: no progress for; api_unhealthy: unhealthy for
    factor: float = 2.0  # slow: k × p90; stale: k × schedule interval
    min_samples: int = 5  # slow: successful jobs needed for a p90
    include_manual: bool = False  # stale: also judge manual connections (against `manual_hours`)
    manual_hours: float = 24.0
    warn_failures: int = 20  # auto-disable risk (Airbyte's thresholds)
    disable_failures: int = 30
    warn_days: float = 4.0
    disable_days: float = 7.0
    threshold: int = 0  # rows_rejected: failed rows above this
    providers: tuple[str, ...] = ()  # empty = every provider


_DEFAULTS: dict[ProblemKind, RuleSettings] = {
    ProblemKind.FAILED: RuleSettings(),
    ProblemKind.STALLED: RuleSettings(
        minutes=STALL_ALERT_AFTER.total_seconds() / 60
    ),  # threshold documented with the display one in models/rate.py
    ProblemKind.SLOW: RuleSettings(factor=2.0),
    ProblemKind.STALE: RuleSettings(factor=2.0),
    # Airbyte auto-disables connections; Hightouch does not.
    ProblemKind.AUTO_DISABLE_RISK: RuleSettings(providers=("airbyte",)),
    ProblemKind.ROWS_REJECTED: RuleSettings(threshold=0),
    ProblemKind.API_UNHEALTHY: RuleSettings(minutes=5.0),
}

_FIELDS = {f for f in RuleSettings.__dataclass_fields__}
_RULE_NAMES = {kind.value: kind for kind in ProblemKind}


@dataclass(frozen=True)
class Match:
    """Which connections an override or a route applies to (all given fields must match)."""

    ids: tuple[str, ...] = ()
    names: tuple[str, ...] = ()  # globs, case-insensitive
    providers: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()

    def matches(self, provider: str, connection: Connection | None, tags: Sequence[str] = ()) -> bool:
        if self.providers and provider not in self.providers:
            return False
        if self.ids and (connection is None or (connection.id not in self.ids and connection.key not in self.ids)):
            return False
        if self.names and (
            connection is None or not any(fnmatch.fnmatchcase(connection.name.lower(), glob.lower()) for glob in self.names)
        ):
            return False
        return not (self.tags and not set(self.tags) & set(tags))


@dataclass(frozen=True)
class Override:
    match: Match
    rules: Mapping[ProblemKind, Mapping[str, Any]]


@dataclass(frozen=True)
class Route:
    """A list of Apprise URLs plus filters; an alert goes to every route that accepts it."""

    urls: tuple[str, ...]
    severities: tuple[Severity, ...] = ()
    rules: tuple[ProblemKind, ...] = ()
    match: Match = field(default_factory=Match)
    name: str = ""

    def accepts(
        self,
        severity: Severity,
        rule: ProblemKind,
        provider: str,
        connection: Connection | None,
        tags: Sequence[str],
    ) -> bool:
        if self.severities and severity not in self.severities:
            return False
        if self.rules and rule not in self.rules:
            return False
        return self.match.matches(provider, connection, tags)


@dataclass(frozen=True)
class WatchSettings:
    """Everything `[profiles.NAME.watch]` says (all optional)."""

    rules: Mapping[ProblemKind, RuleSettings] = field(default_factory=lambda: dict(_DEFAULTS))
    overrides: tuple[Override, ...] = ()
    routes: tuple[Route, ...] = ()
    #: Connection tags (`tags = { "stripe*" = ["billing"] }`: name glob → tags), for filters.
    tags: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: Open a `failed` alert at start for connections whose latest job already failed.
    alert_on_start: bool = True
    #: The dashboard also pops a desktop notification on new critical alerts (off by default:
    #: a dashboard on a wall or over SSH has no desktop to pop up on).
    desktop_notify: bool = False

    def tags_for(self, connection: Connection | None) -> tuple[str, ...]:
        if connection is None:
            return ()
        found: list[str] = []
        for glob, tags in self.tags.items():
            if fnmatch.fnmatchcase(connection.name.lower(), glob.lower()) or glob in (
                connection.id,
                connection.key,
            ):
                found.extend(t for t in tags if t not in found)
        return tuple(found)

    def for_connection(self, kind: ProblemKind, provider: str, connection: Connection | None) -> RuleSettings:
        """The settings of `kind` for one connection: profile values, then matching overrides in order."""
        settings = self.rules.get(kind, _DEFAULTS[kind])
        tags = self.tags_for(connection)
        for override in self.overrides:
            values = override.rules.get(kind)
            if values and override.match.matches(provider, connection, tags):
                settings = replace(settings, **values)
        if settings.providers and provider not in settings.providers:
            return replace(settings, enabled=False)
        return settings


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ConfigError(f"{where} must be a string or a list of strings")


def _rule_values(kind: str, table: Any, where: str) -> tuple[ProblemKind, dict[str, Any]]:
    if kind not in _RULE_NAMES:
        raise ConfigError(
            f"{where}: unknown rule {kind!r}",
            hint=f"rules: {', '.join(sorted(_RULE_NAMES))}",
        )
    if isinstance(table, bool):
        return _RULE_NAMES[kind], {"enabled": table}
    if not isinstance(table, dict):
        raise ConfigError(f"{where}.{kind} must be a table (or true/false)")
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in _FIELDS:
            raise ConfigError(
                f"{where}.{kind}: unknown setting {key!r}",
                hint=f"settings: {', '.join(sorted(_FIELDS))}",
            )
        default = getattr(RuleSettings(), key)
        if isinstance(default, bool):
            if not isinstance(value, bool):
                raise ConfigError(f"{where}.{kind}.{key} must be true or false")
        elif isinstance(default, tuple):
            value = _strings(value, f"{where}.{kind}.{key}")
        elif isinstance(default, (int, float)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ConfigError(f"{where}.{kind}.{key} must be a non-negative number")
            value = type(default)(value)
        values[key] = value
    return _RULE_NAMES[kind], values


def _match(table: Any, where: str) -> Match:
    if not isinstance(table, dict):
        raise ConfigError(f'{where} must be a table like {{ name = "stripe*" }}')
    allowed = {"id": "ids", "name": "names", "provider": "providers", "tag": "tags"}
    unknown = sorted(set(table) - set(allowed))
    if unknown:
        raise ConfigError(
            f"{where}: unknown key {unknown[0]!r}",
            hint="match on: id, name, provider, tag",
        )
    return Match(**{allowed[key]: _strings(value, f"{where}.{key}") for key, value in table.items()})


def parse_watch_settings(table: Mapping[str, Any] | None, where: str = "[watch]") -> WatchSettings:
    """Validate and parse a profile's `watch` table; one-line `ConfigError` on bad input."""
    if not table:
        return WatchSettings()
    unknown = sorted(set(table) - {"rules", "overrides", "routes", "tags", "alert_on_start", "desktop_notify"})
    if unknown:
        raise ConfigError(
            f"{where}: unknown key {unknown[0]!r}",
            hint="allowed: rules, overrides, routes, tags, alert_on_start, desktop_notify",
        )
    rules = dict(_DEFAULTS)
    rules_table = table.get("rules", {})
    if not isinstance(rules_table, dict):
        raise ConfigError(f"{where}.rules must be a table")
    for kind_name, values in rules_table.items():
        kind, parsed = _rule_values(kind_name, values, f"{where}.rules")
        rules[kind] = replace(rules[kind], **parsed)
    overrides: list[Override] = []
    for index, item in enumerate(table.get("overrides", []) or []):
        at = f"{where}.overrides[{index}]"
        if not isinstance(item, dict) or "match" not in item:
            raise ConfigError(f"{at} needs a `match` table and a `rules` table")
        rule_values = dict(_rule_values(name, values, f"{at}.rules") for name, values in (item.get("rules") or {}).items())
        overrides.append(Override(match=_match(item["match"], f"{at}.match"), rules=rule_values))
    routes: list[Route] = []
    for index, item in enumerate(table.get("routes", []) or []):
        at = f"{where}.routes[{index}]"
        if not isinstance(item, dict) or "urls" not in item:
            raise ConfigError(f"{at} needs `urls` (a list of Apprise URLs)")
        routes.append(route_from_table(item, at))
    tags_table = table.get("tags", {}) or {}
    if not isinstance(tags_table, dict):
        raise ConfigError(f"{where}.tags must be a table: name glob = [tags]")
    tags = {glob: _strings(value, f"{where}.tags.{glob}") for glob, value in tags_table.items()}
    alert_on_start = table.get("alert_on_start", True)
    if not isinstance(alert_on_start, bool):
        raise ConfigError(f"{where}.alert_on_start must be true or false")
    desktop_notify = table.get("desktop_notify", False)
    if not isinstance(desktop_notify, bool):
        raise ConfigError(f"{where}.desktop_notify must be true or false")
    return WatchSettings(
        rules=rules,
        overrides=tuple(overrides),
        routes=tuple(routes),
        tags=tags,
        alert_on_start=alert_on_start,
        desktop_notify=desktop_notify,
    )


def route_from_table(item: Mapping[str, Any], at: str) -> Route:
    allowed = {"urls", "severity", "rule", "provider", "name", "tag", "id", "label"}
    unknown = sorted(set(item) - allowed)
    if unknown:
        raise ConfigError(
            f"{at}: unknown key {unknown[0]!r}",
            hint=f"allowed: {', '.join(sorted(allowed))}",
        )
    severities: list[Severity] = []
    for value in _strings(item.get("severity", []), f"{at}.severity"):
        try:
            severities.append(Severity(value))
        except ValueError:
            raise ConfigError(f"{at}.severity: {value!r} is not critical or warning") from None
    kinds: list[ProblemKind] = []
    for value in _strings(item.get("rule", []), f"{at}.rule"):
        if value not in _RULE_NAMES:
            raise ConfigError(
                f"{at}.rule: unknown rule {value!r}",
                hint=f"rules: {', '.join(sorted(_RULE_NAMES))}",
            )
        kinds.append(_RULE_NAMES[value])
    match = _match({k: item[k] for k in ("id", "name", "provider", "tag") if k in item}, at)
    label = item.get("label", "")
    return Route(
        urls=_strings(item["urls"], f"{at}.urls"),
        severities=tuple(severities),
        rules=tuple(kinds),
        match=match,
        name=label if isinstance(label, str) else "",
    )
