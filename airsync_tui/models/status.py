"""Open, provider-neutral job status.

Providers add statuses over time (Airbyte added `queued` in 2026 and broke
clients with closed enums: airbyte-api-python-sdk#141). So a status is kept as
the provider's raw text plus a normalised category; a value we do not know is
kept verbatim, treated as still in progress (keep polling) and flagged, never
a crash and never a false "finished".
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum

from pydantic import BaseModel, ConfigDict


class StatusCategory(str, Enum):
    """What a status means to an operator, whatever the provider calls it."""

    PENDING = "pending"  # accepted, waiting to start (pending, queued)
    RUNNING = "running"
    RETRYING = "retrying"  # an attempt failed and another is coming (Airbyte `incomplete`)
    SUCCEEDED = "succeeded"
    WARNING = "warning"  # finished with caveats (e.g. some rows rejected)
    FAILED = "failed"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"  # a value this version does not know: non-terminal, flagged

    @property
    def is_terminal(self) -> bool:
        return self in _TERMINAL

    @property
    def is_success(self) -> bool:
        return self in (StatusCategory.SUCCEEDED, StatusCategory.WARNING)

    @property
    def is_active(self) -> bool:
        return not self.is_terminal


_TERMINAL = frozenset({StatusCategory.SUCCEEDED, StatusCategory.WARNING, StatusCategory.FAILED, StatusCategory.CANCELLED})


class JobStatus(BaseModel):
    """A provider's status string with its meaning attached."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    raw: str
    category: StatusCategory
    known: bool = True

    @classmethod
    def classify(cls, raw: str | None, table: Mapping[str, StatusCategory]) -> JobStatus:
        """Map `raw` through a provider's table; unknown values stay as text."""
        text = (raw or "").strip()
        key = text.lower()
        category = table.get(key)
        if category is None:
            return cls(raw=text or "unknown", category=StatusCategory.UNKNOWN, known=False)
        return cls(raw=key, category=category, known=True)

    @property
    def is_terminal(self) -> bool:
        return self.category.is_terminal

    @property
    def is_active(self) -> bool:
        return not self.category.is_terminal

    @property
    def label(self) -> str:
        """Text for badges: the provider's own word, flagged when unknown."""
        return self.raw if self.known else f"{self.raw}?"

    def __str__(self) -> str:
        return self.raw


# Each provider's own words live in its package (`providers/<name>/statuses.py`) and reach the
# rest of the program through `ProviderSpec.status_table`; this module is the neutral vocabulary.
