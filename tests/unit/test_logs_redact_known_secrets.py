"""A server log that echoes a credential this process holds is written with it redacted.

`airsync logs JOB > file`, the log viewer's save and `$PAGER` write the
server's text; every other output path already redacted the credentials we
hold (`errors.register_secret`), these did not.
"""

from __future__ import annotations

import io

import orjson
import pytest

from airsync_tui import errors
from airsync_tui.logs import parse as parse_module
from airsync_tui.logs import stream_export
from airsync_tui.logs.export import export_attempt
from airsync_tui.logs.parse import format_full_text, parse_attempt
from airsync_tui.logs.stream_export import StreamExport

TOKEN = "s3cr3t-access-token-4f1c"


def _legacy(lines: int) -> bytes:
    log = [f"2026-12-01 08:00:{i % 60:02d} INFO i.a.w.g.ReplicationWorker(run):{i} - request {i}" for i in range(lines)]
    log[lines // 2] = f"2026-12-01 08:00:30 INFO i.a.w.g.Http(call):1 - GET /v1/x with token {TOKEN} (retry)"
    return orjson.dumps({"attempt": {"id": 1, "status": "failed"}, "logType": "formatted", "logs": {"logLines": log}})


@pytest.fixture
def holding_the_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(errors, "_KNOWN_SECRETS", {TOKEN})


@pytest.mark.usefixtures("holding_the_token")
def test_export_and_save_redact_a_held_credential() -> None:
    raw = _legacy(200)
    out = io.BytesIO()
    export_attempt(raw, out)
    exported = out.getvalue().decode("utf-8")
    assert TOKEN not in exported and "with token ••• (retry)" in exported
    saved = format_full_text(parse_attempt(raw).index)
    assert TOKEN not in saved and "with token ••• (retry)" in saved
    assert saved.encode("utf-8") == out.getvalue()  # the file and the export still agree


@pytest.mark.usefixtures("holding_the_token")
def test_the_streamed_export_redacts_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parse_module, "CHUNKED_PARSE_MIN_BYTES", 0)
    monkeypatch.setattr(parse_module, "_HEAD_SEARCH_BYTES", 256)
    monkeypatch.setattr(stream_export, "STREAM_CHUNK_BYTES", 3000)
    raw = _legacy(600)
    exporter = StreamExport()
    exporter.begin(len(raw))
    for start in range(0, len(raw), 4096):
        exporter.feed(raw[start : start + 4096])
    out = io.BytesIO()
    exporter.finish(raw, out)
    assert TOKEN not in out.getvalue().decode("utf-8")
    assert "with token ••• (retry)" in out.getvalue().decode("utf-8")


def test_nothing_changes_when_no_credential_is_held(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(errors, "_KNOWN_SECRETS", set())
    raw = _legacy(50)
    out = io.BytesIO()
    export_attempt(raw, out)
    assert TOKEN in out.getvalue().decode("utf-8")  # not a credential of ours: the server's text as it is
