"""Hightouch's run status words and what they mean (moved from `models/status.py`)."""

from __future__ import annotations

from airsync_tui.models.status import JobStatus, StatusCategory

HIGHTOUCH_RUN_STATUSES: dict[str, StatusCategory] = {
    "queued": StatusCategory.PENDING,
    "pending": StatusCategory.PENDING,
    "querying": StatusCategory.RUNNING,
    "processing": StatusCategory.RUNNING,
    "reporting": StatusCategory.RUNNING,
    "success": StatusCategory.SUCCEEDED,
    "warning": StatusCategory.WARNING,
    # Real runs report this word (not in the v1 enum): the run finished and
    # the destination rejected some rows, the same meaning as `warning`.
    "completed_with_errors": StatusCategory.WARNING,
    "failed": StatusCategory.FAILED,
    "cancelled": StatusCategory.CANCELLED,
    "canceled": StatusCategory.CANCELLED,  # one "l", as some real answers spell it
    # Terminal per Hightouch's own Airflow provider; shown as its own word.
    "interrupted": StatusCategory.FAILED,
    # Legacy v2 constant (HightouchHook.ABORTED): stopped by Hightouch, not by
    # the operator, so it counts as a failure.
    "aborted": StatusCategory.FAILED,
}


def hightouch_run_status(raw: str | None) -> JobStatus:
    return JobStatus.classify(raw, HIGHTOUCH_RUN_STATUSES)


__all__ = ["HIGHTOUCH_RUN_STATUSES", "hightouch_run_status"]
