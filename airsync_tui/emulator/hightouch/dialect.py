"""How one emulated sync's answers differ from the v1 spec, as real ones do.

Real Hightouch answers carry words the v1 enum does not list
(`completed_with_errors` for a run that finished with rejected rows,
`canceled` with one "l", the legacy `aborted`), and destinations that do not
report per-row results finish with `successfulRows` all 0 while
`plannedRows` is 109. A :class:`Dialect` set on a sync makes the emulator
serve that sync's runs that way, so clients are tested against them over
HTTP. The simulation itself keeps the spec's words; only the wire changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

_NO_WORDS: Mapping[str, str] = MappingProxyType({})

#: The words real servers use instead of the spec's.
REAL_STATUS_WORDS: Mapping[str, str] = MappingProxyType(
    {
        "warning": "completed_with_errors",
        "cancelled": "canceled",
        "interrupted": "aborted",
    }
)


@dataclass(frozen=True, slots=True)
class Dialect:
    """Rewrites of one sync's run JSON (status words, unreported row results)."""

    status_words: Mapping[str, str] = field(default_factory=lambda: _NO_WORDS)
    #: False: the destination does not report per-row results, so successful
    #: and failed rows stay 0 on every run, whatever was planned.
    reports_rows: bool = True

    def status(self, word: str) -> str:
        return self.status_words.get(word, word)

    def apply(self, run_json: dict[str, Any]) -> dict[str, Any]:
        run_json["status"] = self.status(run_json["status"])
        if not self.reports_rows:
            zero = {"addedCount": 0, "changedCount": 0, "removedCount": 0}
            run_json["successfulRows"] = dict(zero)
            run_json["failedRows"] = dict(zero)
        return run_json


REAL_WORDS = Dialect(status_words=REAL_STATUS_WORDS)
NO_ROW_RESULTS = Dialect(reports_rows=False)

__all__ = ["NO_ROW_RESULTS", "REAL_STATUS_WORDS", "REAL_WORDS", "Dialect"]
