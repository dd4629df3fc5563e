"""`c Cancel` is offered only where there is a running job to cancel (issue 7).

Offering a key and then refusing it with a toast ("no running job to
cancel") is the same defect as a Hightouch panel offering Cancel: the footer
must say what the key will do. The offer follows the job: it appears while
the job runs and goes when it ends, without the cursor moving; pressed anyway,
the key still says why nothing happened.
"""

from __future__ import annotations

from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from airsync_tui.ui.screens.job import JobScreen
from tests.ui.conftest import list_shown, make_app, notifications, open_job_panel, screen_text, wait_for
from tests.ui.fakes import FakeProvider, demo_world

SIZE = (120, 40)
RUNNING = "airbyte:c0002"  # its job 4802 runs; three advances end it


def _offers_cancel(screen: object) -> bool:
    return "cancel_job" in [key.action for key in screen.query_one(Footer).query(FooterKey)]  # type: ignore[attr-defined]


def _provider() -> FakeProvider:
    connections, jobs = demo_world()
    return FakeProvider(connections=connections, jobs=jobs, auto_advance=False)


def _finish(app: object, provider: FakeProvider) -> None:
    for _ in range(3):
        provider.advance("4802")
    app.watcher.refresh_now()  # type: ignore[attr-defined]


async def test_list_offers_cancel_on_the_running_row_until_its_job_ends() -> None:
    provider = _provider()
    app = make_app([provider])
    async with app.run_test(size=SIZE) as pilot:
        screen = await list_shown(pilot, app)
        screen.table.move_to_key(RUNNING)
        await wait_for(pilot, lambda: _offers_cancel(screen), what="cancel offered on the running row")
        _finish(app, provider)
        await wait_for(pilot, lambda: "succeeded" in screen.table.get_cell(RUNNING, "last").plain, what="the job to end")
        await wait_for(pilot, lambda: not _offers_cancel(screen), what="cancel withdrawn once the job ended")
        assert screen.table.cursor_key() == RUNNING  # the cursor did not move: the job's end alone changed the offer
        await pilot.press("c")
        await wait_for(
            pilot, lambda: any(n.endswith(": no running job to cancel") for n in notifications(app)), what="why nothing was cancelled"
        )


async def test_job_panel_withdraws_cancel_when_the_job_ends() -> None:
    provider = _provider()
    app = make_app([provider])
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_job_panel(pilot, app, RUNNING)
        await wait_for(pilot, lambda: _offers_cancel(panel), what="cancel offered while the job runs")
        _finish(app, provider)
        await wait_for(pilot, lambda: "succeeded" in screen_text(app), what="the job to end")
        await wait_for(pilot, lambda: not _offers_cancel(panel), what="cancel withdrawn once the job ended")
        await pilot.press("c")
        await wait_for(
            pilot, lambda: any(n.endswith(": no running job to cancel") for n in notifications(app)), what="why nothing was cancelled"
        )
        assert isinstance(app.screen, JobScreen)  # no confirmation dialog for a job that cannot be cancelled
