"""Job actions: trigger and cancel, the one path the UI and the CLI both take.

Each action sends its request once (never retried here: a retried trigger could
start a second job), merges the answer into the store through the poller,
publishes an `ActionResult` the screens and the CLI report from, and wakes the
provider's poll loop so the change shows at once. Fleet actions over many
connections (pause, resume, refresh, clear) live in `service/actions.py`.
"""

from __future__ import annotations

from airsync_tui.errors import AirsyncError, UnsupportedError
from airsync_tui.models.domain import Job
from airsync_tui.providers.base import SyncProvider, TriggerResult
from airsync_tui.service.events import ActionResult
from airsync_tui.service.poller import Poller
from airsync_tui.service.store import StateStore
from airsync_tui.service.subscription import EventHub


class JobActions:
    """Trigger a connection's job or cancel a job, through the store and the event hub."""

    def __init__(self, store: StateStore, poller: Poller, hub: EventHub) -> None:
        self._store = store
        self._poller = poller
        self._hub = hub

    async def trigger(self, connection_key: str, job_type: str = "sync") -> TriggerResult:
        """Start a job (or attach to the running one) and publish the result."""
        provider = self._poller.provider_for_key(connection_key)
        connection_id = connection_key.split(":", 1)[1]
        name = self._store.connection_name(connection_key, connection_id)
        try:
            result = await provider.trigger(connection_id, job_type)
        except AirsyncError as exc:
            self._hub.publish(
                ActionResult(provider=provider.name, action="trigger", ok=False, message=str(exc), connection_key=connection_key)
            )
            raise
        self._store.mark_triggered(result.job.key)
        self._poller.observe(result.job, publish=True, triggered_here=True)
        verb = "attached to running" if result.attached else "started"
        message = result.message or f"{name}: {verb} {job_type} {provider.capabilities.job_noun} {result.job.id}"
        self._hub.publish(
            ActionResult(
                provider=provider.name,
                action="trigger",
                ok=True,
                message=message,
                connection_key=connection_key,
                job=result.job,
                outcome="attached" if result.attached else "started",
            )
        )
        self._poller.wake(provider.name)
        return result

    async def cancel(self, job_key: str) -> Job:
        """Ask the provider to cancel a job (once) and publish the result."""
        provider = self._poller.provider_for_key(job_key)
        job_id = job_key.split(":", 1)[1]
        try:
            job = await provider.cancel(job_id)
        except AirsyncError as exc:
            self._hub.publish(ActionResult(provider=provider.name, action="cancel", ok=False, message=str(exc)))
            raise
        self._poller.observe(job, publish=True)
        self._hub.publish(
            ActionResult(
                provider=provider.name,
                action="cancel",
                ok=True,
                message=f"cancel requested for {provider.capabilities.job_noun} {job_id}",
                outcome="requested",
                connection_key=job.connection_key,
                job=job,
            )
        )
        self._poller.wake(provider.name)
        return job


def cancel_capable(providers: list[SyncProvider]) -> list[SyncProvider]:
    """The providers that can cancel; `UnsupportedError` with every reason when none can."""
    able = [p for p in providers if p.capabilities.can_cancel]
    if not able:
        reasons = "; ".join(f"{p.display_name}: {p.capabilities.cancel_unavailable_reason}" for p in providers)
        raise UnsupportedError(f"cannot cancel here — {reasons}")
    return able


__all__ = ["JobActions", "cancel_capable"]
