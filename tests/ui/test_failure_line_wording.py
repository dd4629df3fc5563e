"""The panel's failure line: "Warning" on a run that succeeded, no "attempt 1" where runs have no attempts,
and a long reason wrapped under itself at 80 columns (issue 7).

A Hightouch warning run read "Failure  attempt 1: destination · rejected_rows: 3 rows were" with the rest
of the sentence back at the left edge: an alarm word for a run that succeeded, an attempt number for a
provider without attempts, and a continuation that read as a new, unlabelled line.
"""

from __future__ import annotations

from airsync_tui.models.domain import Attempt, FailureInfo
from tests.ui.conftest import make_app, open_job_panel, screen_text, wait_for
from tests.ui.fakes import FakeProvider, hightouch_caps, hightouch_world, provider_status

REASON = "3 rows were rejected by the destination because their email column failed the destination's validation rules"


async def test_warning_run_reason_is_a_wrapped_warning_without_an_attempt_number() -> None:
    connections, jobs = hightouch_world()
    provider = FakeProvider("hightouch", "Hightouch", connections=connections, jobs=jobs, capabilities=hightouch_caps(), auto_advance=False)
    run = jobs[0]
    assert run.status.category.is_success  # a warning run: it succeeded, some rows were rejected
    attempt = Attempt(
        number=0,
        status=provider_status("hightouch", "warning"),
        created_at=run.started_at or run.created_at,
        ended_at=run.ended_at,
        failures=(FailureInfo(origin="destination", type="rejected_rows", message=REASON),),
    )
    provider.set_job(run.model_copy(update={"error": None}), [attempt])
    app = make_app([provider])
    async with app.run_test(size=(80, 30)) as pilot:
        await open_job_panel(pilot, app, run.connection_key)
        await wait_for(pilot, lambda: "rejected_rows" in screen_text(app), what="the reason")
        lines = screen_text(app).splitlines()
        first = next(i for i, line in enumerate(lines) if "rejected_rows" in line)
        assert lines[first].split()[0] == "Warning"
        assert "attempt" not in lines[first] and "Failure" not in screen_text(app)
        value_column = lines[first].index("destination")
        follow = lines[first + 1]
        assert follow[:value_column].strip() == "" and follow[value_column:].strip()  # wrapped under its value


async def test_a_state_whose_start_is_unknown_is_named_without_a_dash() -> None:
    """A Hightouch run's history read "created 13:48:50 → running 13:48:51 → processing –": the API
    says when a run was created and started, not when it began processing. The state is shown; no "–"
    stands in for a time nobody gave."""
    connections, jobs = hightouch_world()
    provider = FakeProvider("hightouch", "Hightouch", connections=connections, jobs=jobs, capabilities=hightouch_caps(), auto_advance=False)
    run = next(j for j in jobs if j.status.raw == "processing")
    app = make_app([provider])
    async with app.run_test(size=(80, 30)) as pilot:
        await open_job_panel(pilot, app, run.connection_key)
        await wait_for(pilot, lambda: "History" in screen_text(app), what="the history line")
        history = next(line for line in screen_text(app).splitlines() if line.strip().startswith("History"))
        assert history.rstrip().endswith("processing"), history
        assert "–" not in history
