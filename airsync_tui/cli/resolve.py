"""Turn what an operator typed ("stripe", a UUID, "hightouch:42") into a connection or job.

Ids are tried first (one cheap GET); names fall back to one listing:
exact name, then a unique case-insensitive substring. Ambiguity is an error
that lists the candidates instead of guessing.
"""

from __future__ import annotations

from airsync_tui.errors import ConfigError, NotFoundError
from airsync_tui.models.domain import Connection, Job
from airsync_tui.providers.base import SyncProvider


def _split(ref: str, providers: list[SyncProvider]) -> tuple[list[SyncProvider], str]:
    names = {p.name for p in providers}
    if ":" in ref:
        prefix, rest = ref.split(":", 1)
        if prefix in names:
            return [p for p in providers if p.name == prefix], rest
    return providers, ref


async def resolve_connection(providers: list[SyncProvider], ref: str) -> tuple[SyncProvider, Connection]:
    candidates, text = _split(ref.strip(), providers)
    if not text:
        raise ConfigError("empty connection reference", hint="pass a connection id or name")
    for provider in candidates:
        try:
            return provider, await provider.get_connection(text)
        except NotFoundError:
            continue
        except ConfigError:
            raise
        except Exception:  # noqa: BLE001 — not an id this provider understands; try names next
            continue
    matches: list[tuple[SyncProvider, Connection]] = []
    for provider in candidates:
        for connection in await provider.list_connections():
            matches.append((provider, connection))
    lowered = text.lower()
    exact = [m for m in matches if m[1].name.lower() == lowered or m[1].id == text]
    if len(exact) == 1:
        return exact[0]
    partial = exact or [m for m in matches if lowered in m[1].name.lower()]
    if len(partial) == 1:
        return partial[0]
    if not partial:
        raise NotFoundError(
            f"no connection matches {ref!r}",
            hint="run `airsync connections` to see ids and names",
        )
    shown = ", ".join(f"{c.name} ({p.name}:{c.id})" for p, c in partial[:5])
    more = f" and {len(partial) - 5} more" if len(partial) > 5 else ""
    raise ConfigError(f"{ref!r} matches {len(partial)} connections: {shown}{more}", hint="use the id")


async def resolve_job(providers: list[SyncProvider], ref: str) -> tuple[SyncProvider, Job]:
    candidates, text = _split(ref.strip(), providers)
    found: list[tuple[SyncProvider, Job]] = []
    last_error: Exception | None = None
    for provider in candidates:
        try:
            found.append((provider, await provider.get_job(text)))
        except NotFoundError as exc:
            last_error = exc
    if not found:
        # Some providers can only read a job through its connection (Hightouch
        # runs are per sync): one look at the recent jobs teaches them the id.
        for provider in candidates:
            try:
                recent = await provider.recent_jobs(max_jobs=200)
            except Exception:  # noqa: BLE001 — a provider that cannot list jobs just has no match
                continue
            match = next((job for job in recent if job.id == text), None)
            if match is not None:
                found.append((provider, match))
    if len(found) == 1:
        return found[0]
    if not found:
        raise NotFoundError(
            f"no job {text!r} found" + (f" ({last_error})" if last_error and len(candidates) == 1 else ""),
            hint="run `airsync jobs` to list recent jobs",
        )
    raise ConfigError(
        f"job id {text!r} exists in {', '.join(p.display_name for p, _ in found)}",
        hint=f"prefix it with the provider, e.g. {found[0][0].name}:{text}, or pass --provider",
    )
