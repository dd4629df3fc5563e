"""Fleet actions over a set of connections: pause, resume, schedule, refresh, clear, undo.

Shared by the CLI and the dashboard so both behave the same:

* **Capabilities first.** A target whose provider does not support the action
  fails with the capability's reason, and no request is sent for it.
* **Read-only refuses everything up front**, before the journal or any request
  (the providers refuse too, in their client layer).
* **Idempotent.** Each target's current state is read first; a target already
  in the wanted state is *skipped* (no write), so re-running a bulk pause is a
  no-op for what is already paused.
* **Nothing retried blindly.** Each write is sent once; a failure is recorded
  for that target with its one-line reason and the rest go on.
* **Journaled and undoable.** The action is written to the journal before the
  first request, each result right after its request, with how to reverse it.
  `undo()` reverses the succeeded targets of the last (or a named) action.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from airsync_tui.errors import AirsyncError, ConfigError, NotFoundError, ReadOnlyError
from airsync_tui.models.domain import Connection
from airsync_tui.models.schedule_change import ScheduleChange
from airsync_tui.providers.base import FleetProvider, SyncProvider
from airsync_tui.service.journal import (
    FAILED,
    SKIPPED,
    SUCCEEDED,
    Journal,
    JournalEntry,
)
from airsync_tui.textfmt import counted

ACTION_CAPABILITY = {
    "pause": "pause",
    "resume": "resume",
    "schedule": "schedule",
    "refresh": "refresh_streams",
    "clear": "clear_streams",
}
REVERSIBLE_ACTIONS = frozenset({"pause", "resume", "schedule"})


@dataclass(frozen=True, slots=True)
class Target:
    """One connection an action applies to (name kept for the journal and confirmations)."""

    provider: str
    connection_id: str
    name: str

    @property
    def key(self) -> str:
        return f"{self.provider}:{self.connection_id}"

    @classmethod
    def of(cls, connection: Connection) -> Target:
        return cls(connection.provider, connection.id, connection.name)


def describe_action(action: str, params: Mapping[str, Any], count: int, noun: str = "connection") -> str:
    """One line for confirmations, the journal and undo prompts: "pause 12 connections"."""
    plural = noun if count == 1 else f"{noun}s"
    if action == "schedule":
        change = ScheduleChange.from_json(dict(params.get("schedule") or {}))
        return f"set the schedule of {count} {plural} to {change.describe()}"
    if action in ("refresh", "clear"):
        streams = list(params.get("streams") or [])
        scope = f"{counted(len(streams), 'stream')} ({', '.join(streams)})" if streams else "all streams"
        mode = f" ({params['mode']})" if action == "refresh" and params.get("mode") else ""
        return f"{action}{mode} {scope} of {count} {plural}"
    return f"{action} {count} {plural}"


def undo_label(spec: Mapping[str, Any] | None) -> str:
    """How one target will be reversed, in words: "resume", "schedule back to every 6 hours"."""
    spec = spec or {}
    if spec.get("action") == "schedule":
        return "schedule back to " + ScheduleChange.from_json(dict(spec.get("schedule") or {})).describe()
    return str(spec.get("action") or "nothing")


class FleetActions:
    """Runs fleet actions against providers keyed by name, journaling each one."""

    def __init__(self, providers: Mapping[str, SyncProvider], journal: Journal, *, profile: str) -> None:
        self.providers = dict(providers)
        self.journal = journal
        self.profile = profile

    # ------------------------------------------------------------ checks

    def unavailable_reason(self, action: str, provider_name: str) -> str | None:
        """Why `action` cannot run on this provider (None when it can)."""
        provider = self.providers.get(provider_name)
        if provider is None:
            return f"provider {provider_name!r} is not configured in this profile"
        if not isinstance(provider, FleetProvider):
            return f"{provider.display_name} supports no fleet actions"
        return provider.capabilities.action_unavailable(ACTION_CAPABILITY[action])

    def ensure_writable(self, targets: Sequence[Target], action: str) -> None:
        """Refuse the whole action, before anything is written or sent, in a read-only session."""
        for name in sorted({t.provider for t in targets}):
            provider = self.providers.get(name)
            if provider is not None and provider.read_only:
                raise ReadOnlyError(
                    f"refusing to {action}: this {provider.display_name} session is read-only",
                    hint="drop --read-only (or read_only / AIRSYNC_READ_ONLY) to allow it",
                )

    # ------------------------------------------------------------ actions

    async def pause(self, targets: Sequence[Target]) -> JournalEntry:
        return await self._run("pause", targets, {})

    async def resume(self, targets: Sequence[Target]) -> JournalEntry:
        return await self._run("resume", targets, {})

    async def set_schedule(self, targets: Sequence[Target], change: ScheduleChange) -> JournalEntry:
        return await self._run("schedule", targets, {"schedule": change.to_json()})

    async def refresh(self, target: Target, streams: Sequence[str], mode: str = "merge") -> JournalEntry:
        if mode not in ("merge", "truncate"):
            raise ConfigError(f"unknown refresh mode {mode!r}", hint="use merge or truncate")
        return await self._run("refresh", [target], {"streams": list(streams), "mode": mode})

    async def clear(self, target: Target, streams: Sequence[str]) -> JournalEntry:
        return await self._run("clear", [target], {"streams": list(streams)})

    async def undo(self, action_id: int | None = None) -> JournalEntry:
        """Reverse the succeeded targets of action `action_id` (default: the last reversible one)."""
        if action_id is None:
            entry = self.journal.last_reversible()
            if entry is None:
                raise NotFoundError(
                    "nothing to undo: no reversible action in the journal",
                    hint="see `airsync history`",
                )
        else:
            found = self.journal.get(action_id)
            if found is None:
                raise NotFoundError(
                    f"no action #{action_id} in the journal",
                    hint="see `airsync history`",
                )
            entry = found
            if entry.undone_by is not None:
                raise ConfigError(f"action #{entry.id} was already undone by #{entry.undone_by}")
            if not entry.reversible:
                raise ConfigError(
                    f"action #{entry.id} ({entry.action}) cannot be undone",
                    hint="refresh and clear delete or rewrite data; only pause, resume and schedule are reversible",
                )
        # Group the reversible targets by how they are reversed (resume / pause / a given schedule).
        targets = [Target(t.provider, t.connection_id, t.name) for t in entry.reversible_targets]
        undo_specs = [t.undo or {} for t in entry.reversible_targets]
        self.ensure_writable(targets, "undo")
        params = {"undoes": entry.id, "action": entry.action, "summary": entry.summary}
        return await self._run("undo", targets, params, reverses=entry.id, per_target=undo_specs)

    # ------------------------------------------------------------ engine

    async def _run(
        self,
        action: str,
        targets: Sequence[Target],
        params: dict[str, Any],
        *,
        reverses: int | None = None,
        per_target: Sequence[Mapping[str, Any]] | None = None,
    ) -> JournalEntry:
        if not targets:
            raise ConfigError(
                f"nothing to {action}: no connection selected",
                hint="name connections or use --where",
            )
        unique: list[Target] = []
        seen: set[str] = set()
        for target in targets:
            if target.key not in seen:
                seen.add(target.key)
                unique.append(target)
        self.ensure_writable(unique, action)
        if reverses is not None:
            summary = f"undo #{reverses} ({params.get('summary', params.get('action'))})"
        else:
            summary = describe_action(action, params, len(unique))
        action_id = self.journal.begin(
            profile=self.profile,
            action=action,
            params=params,
            summary=summary,
            targets=[(t.provider, t.connection_id, t.name) for t in unique],
            reverses=reverses,
        )
        for position, target in enumerate(unique):
            step = dict(per_target[position]) if per_target is not None else {"action": action, **params}
            outcome, reason, job_id, undo = await self._one(step, target)
            self.journal.record_result(action_id, position, outcome, reason=reason, job_id=job_id, undo=undo)
        self.journal.finish(action_id)
        entry = self.journal.get(action_id)
        assert entry is not None
        return entry

    async def _one(self, step: Mapping[str, Any], target: Target) -> tuple[str, str | None, str | None, dict[str, Any] | None]:
        """Do one step on one target: (outcome, reason, job id, how to undo it)."""
        action = str(step.get("action"))
        reason = self.unavailable_reason(action, target.provider)
        if reason is not None:
            return FAILED, reason, None, None
        provider = self.providers[target.provider]
        assert isinstance(provider, FleetProvider)
        try:
            current = await self.providers[target.provider].get_connection(target.connection_id)
            if action in ("pause", "resume"):
                want = action == "resume"
                if current.enabled == want:
                    return (
                        SKIPPED,
                        f"already {'active' if want else 'paused'}",
                        None,
                        None,
                    )
                await provider.set_enabled(target.connection_id, want)
                return SUCCEEDED, None, None, {"action": "pause" if want else "resume"}
            if action == "schedule":
                change = ScheduleChange.from_json(dict(step.get("schedule") or {}))
                if change.same_as(current.schedule):
                    return SKIPPED, f"already {change.describe()}", None, None
                previous = ScheduleChange.from_schedule(current.schedule)
                await provider.set_schedule(target.connection_id, change)
                return (
                    SUCCEEDED,
                    None,
                    None,
                    {"action": "schedule", "schedule": previous.to_json()},
                )
            if action in ("refresh", "clear"):
                if action == "refresh" and not current.enabled:
                    return (
                        FAILED,
                        f"{current.name} is paused ({current.status}); resume it first",
                        None,
                        None,
                    )
                streams = [str(s) for s in step.get("streams") or []]
                unknown = [s for s in streams if current.streams and s not in current.streams]
                if unknown:
                    return (
                        FAILED,
                        f"not in the catalog: {', '.join(unknown)}",
                        None,
                        None,
                    )
                if action == "refresh":
                    job = await provider.refresh_streams(target.connection_id, streams, str(step.get("mode") or "merge"))
                else:
                    job = await provider.clear_streams(target.connection_id, streams)
                return SUCCEEDED, None, job.id, None
        except AirsyncError as exc:
            return FAILED, str(exc), None, None
        return FAILED, f"unknown action {action!r}", None, None
