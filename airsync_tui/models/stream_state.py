"""Live run state of one stream of a running job (the job panel's stream-state list).

Airbyte reports it per stream (`stream_statuses`): pending, running, complete,
incomplete (with the cause), or rate limited until the source's API quota
resets (`quota_reset`). Providers or servers without it get states derived
from per-stream counts, flagged `derived` so the UI can say so.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

RUN_STATES = ("pending", "running", "rate_limited", "complete", "incomplete")


class StreamState(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    name: str
    namespace: str | None = None
    state: str  # one of RUN_STATES (an unknown server word is kept verbatim)
    since: datetime | None = None
    quota_reset: datetime | None = None
    cause: str | None = None  # incomplete: failed | canceled
    records: int | None = None
    estimated: int | None = None
    derived: bool = False

    @property
    def label(self) -> str:
        return self.namespace + "." + self.name if self.namespace else self.name
