"""CLI output: inert server text, the --json shape and the --wait printer (TTY vs piped)."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from airsync_tui.cli.output import WaitPrinter, inert, job_json
from airsync_tui.models.domain import Job, Progress
from airsync_tui.providers.airbyte.statuses import airbyte_job_status


def _job(status: str, **kw: object) -> Job:
    return Job(
        provider="airbyte",
        id="42",
        connection_id="c1",
        status=airbyte_job_status(status),
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        **kw,  # type: ignore[arg-type]
    )


def test_inert_drops_escape_sequences_and_keeps_markup_literal() -> None:
    hostile = "ok\x1b[2J\x1b]52;c;ZXZpbA==\x07 [bold red]x[/] \x00\x07end\nnext"
    assert inert(hostile) == "ok [bold red]x[/] end next"


def test_json_uses_the_workflow_keys() -> None:
    done = job_json(_job("succeeded", records_synced=10, bytes_synced=20))
    assert done["jobId"] == 42 and done["finalStatus"] == "succeeded"
    assert done["rowsSynced"] == 10 and done["bytesSynced"] == 20
    running = job_json(_job("running"))
    assert "finalStatus" not in running and running["status"] == "running"
    assert job_json(_job("brand_new_status"))["statusUnknown"] is True


def test_piped_printer_prints_one_line_per_transition_and_no_redraws() -> None:
    out = io.StringIO()
    printer = WaitPrinter(out, live=False)
    printer.started(_job("pending"), False, "Stripe\x1b[31m → BigQuery")
    printer.update(_job("pending"))
    printer.update(_job("running", progress=Progress(ratio=0.5)))
    printer.update(_job("running", progress=Progress(ratio=0.6)))
    printer.update(_job("succeeded"))
    text = out.getvalue()
    assert "\r" not in text and "\x1b" not in text
    lines = text.splitlines()
    assert len(lines) == 3
    assert "pending → running" in lines[1] and "running → succeeded" in lines[2]


def test_live_printer_redraws_one_line_with_ratio_or_indeterminate_bar() -> None:
    out = io.StringIO()
    printer = WaitPrinter(out, live=True)
    printer.update(_job("running", progress=Progress(ratio=0.25, records_emitted=1200, records_committed=1000)), force=True)
    assert "\r\x1b[2K" in out.getvalue() and " 25%" in out.getvalue() and "1,000 committed" in out.getvalue()
    printer.update(_job("running", progress=Progress(ratio=None)), force=True)
    assert "??" in out.getvalue()
    printer.finish("job 42 succeeded")
    assert out.getvalue().endswith("job 42 succeeded\n")
