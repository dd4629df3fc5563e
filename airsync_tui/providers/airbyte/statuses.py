"""Airbyte's job and attempt status words and what they mean (moved from `models/status.py`)."""

from __future__ import annotations

from airsync_tui.models.status import JobStatus, StatusCategory

AIRBYTE_JOB_STATUSES: dict[str, StatusCategory] = {
    "pending": StatusCategory.PENDING,
    "queued": StatusCategory.PENDING,
    "running": StatusCategory.RUNNING,
    "incomplete": StatusCategory.RETRYING,
    "succeeded": StatusCategory.SUCCEEDED,
    "failed": StatusCategory.FAILED,
    "cancelled": StatusCategory.CANCELLED,
}

AIRBYTE_ATTEMPT_STATUSES: dict[str, StatusCategory] = {
    "running": StatusCategory.RUNNING,
    "succeeded": StatusCategory.SUCCEEDED,
    "failed": StatusCategory.FAILED,
}


def airbyte_job_status(raw: str | None) -> JobStatus:
    return JobStatus.classify(raw, AIRBYTE_JOB_STATUSES)


__all__ = ["AIRBYTE_ATTEMPT_STATUSES", "AIRBYTE_JOB_STATUSES", "airbyte_job_status"]
