"""A job that succeeded after a retry does not show a red "Error" (issue 7).

The job's failure text is the last failed attempt's: on a failed job it is
the error; on a job that succeeded on its second attempt it is why the first
one failed, and a red "Error" beside "✔ succeeded" contradicted the status.
"""

from __future__ import annotations

from datetime import timedelta

from airsync_tui.models.domain import Attempt, FailureInfo
from airsync_tui.providers.airbyte.statuses import airbyte_job_status
from tests.ui.conftest import make_app, open_job_panel, screen_text, wait_for
from tests.ui.fakes import FROZEN_NOW, FakeProvider, demo_world

FAILURE = FailureInfo(origin="source", type="system_error", message="Something went wrong in the connector.")


def _retried(status: str) -> FakeProvider:
    connections, jobs = demo_world()
    provider = FakeProvider(connections=connections, jobs=jobs, auto_advance=False)
    job = next(j for j in jobs if j.connection_id == "c0000")
    start = FROZEN_NOW - timedelta(minutes=20)
    first = Attempt(
        number=0, status=airbyte_job_status("failed"), created_at=start, ended_at=start + timedelta(minutes=5), failures=(FAILURE,)
    )
    second = Attempt(
        number=1, status=airbyte_job_status(status), created_at=start + timedelta(minutes=6), ended_at=start + timedelta(minutes=9)
    )
    provider.set_job(
        job.model_copy(update={"status": airbyte_job_status(status), "error": FAILURE.summary(), "started_at": start}),
        [first, second],
    )
    return provider


async def _panel_lines(provider: FakeProvider) -> list[str]:
    app = make_app([provider])
    async with app.run_test(size=(140, 40)) as pilot:
        await open_job_panel(pilot, app, "airbyte:c0000")
        await wait_for(pilot, lambda: "Something went wrong" in screen_text(app), what="the failure line")
        return screen_text(app).splitlines()


async def test_succeeded_after_a_retry_says_which_attempt_failed_not_error() -> None:
    lines = await _panel_lines(_retried("succeeded"))
    [line] = [line for line in lines if "Something went wrong" in line and "system_error" in line and "│" not in line][:1]
    assert line.strip().startswith("Retried")
    assert "attempt 1 failed: source · system_error" in line
    assert not any(line.strip().startswith("Error ") for line in lines)


async def test_a_failed_job_still_says_error() -> None:
    lines = await _panel_lines(_retried("failed"))
    assert any(line.strip().startswith("Error ") and "Something went wrong" in line for line in lines)
