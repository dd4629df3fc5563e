"""Per-stream run states for the job panel: the server's stream statuses, else counts.

Airbyte's web UI marks every stream "Syncing" until the whole job ends; the
config API knows better (`stream_statuses/latest_per_run_state`: a stream is
complete as soon as it is, rate limited with the quota's reset time). When a
server or provider does not offer it, states are derived from the job's
per-stream counts (`connections/sync_progress` / attempt stats already in the
job detail): done against its estimate → complete, records moving → running.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from airsync_tui.errors import ApiError
from airsync_tui.models.domain import JobDetail, StreamProgress
from airsync_tui.models.status import StatusCategory
from airsync_tui.models.stream_state import StreamState


@runtime_checkable
class StreamStateFeed(Protocol):
    """Optional provider capability: live per-stream run states of a connection's newest job."""

    async def stream_states(self, connection_id: str) -> list[StreamState]: ...


def detail_streams(detail: JobDetail) -> tuple[StreamProgress, ...]:
    """The per-stream counts a job panel shows: the job's, else its current attempt's.

    One derivation for the Streams table and the stream states beside it, so
    the two never show different counts for one stream in one frame.
    """
    return detail.streams or (detail.current_attempt.streams if detail.current_attempt else ())


def states_from_detail(detail: JobDetail) -> list[StreamState]:
    """Fallback: states from per-stream counts (no rate-limit knowledge)."""
    category = detail.job.status.category
    out = []
    for stream in detail_streams(detail):
        records = stream.records_emitted
        if stream.done or category.is_success:
            state = "complete"
        elif category.is_terminal:
            state = "incomplete"
        elif records:
            state = "running"
        else:
            state = "pending"
        cause = None
        if state == "incomplete":
            cause = "canceled" if category == StatusCategory.CANCELLED else "failed"
        out.append(
            StreamState(
                name=stream.name, namespace=stream.namespace, state=state, cause=cause, records=records,
                estimated=stream.estimated_records, derived=True,
            )
        )  # fmt: skip
    return out


def with_counts(states: list[StreamState], detail: JobDetail | None) -> list[StreamState]:
    """What to show: server states with the counts of `detail` (the one the Streams table shows),
    or, for derived states, states derived from `detail` itself."""
    if detail is None:
        return states
    if any(state.derived for state in states):
        return states_from_detail(detail)
    counts = {(s.namespace, s.name): s for s in detail_streams(detail)}
    shown = []
    for state in states:
        stream = counts.get((state.namespace, state.name))
        if stream is not None:
            state = state.model_copy(update={"records": stream.records_emitted, "estimated": stream.estimated_records})
        shown.append(state)
    return shown


async def load_stream_states(provider: object, connection_id: str, detail: JobDetail | None) -> list[StreamState]:
    """The server's states when it has them, else ones derived from `detail`'s counts.

    Counts are not merged here: the panel merges the detail of the moment it
    paints (`with_counts`), so its counts never lag the Streams table's.
    """
    if isinstance(provider, StreamStateFeed):
        try:
            states = await provider.stream_states(connection_id)
        except ApiError:
            states = []
        if states:
            return states
    return states_from_detail(detail) if detail is not None else []


__all__ = ["StreamStateFeed", "detail_streams", "load_stream_states", "states_from_detail", "with_counts"]
