"""The fast export path (`airsync logs JOB > file`) writes exactly what the per-line path writes.

Reference: the one-shot parse of the body, then ``LogIndex.formatted(i)`` for
every line (one Python string per line, the slow path the screen uses).
Fast path: :func:`export_attempt` (chunked parse, a chunk written as soon as it
is indexed, vectorised block formatter). Samples mix every legacy era,
continuation lines, structured events with stack traces and hostile bytes
(escape sequences, OSC 52, C1 controls, bidi overrides, NUL, invalid UTF-8).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import orjson
import pytest

from airsync_tui.logs import parse as parse_module
from airsync_tui.logs.export import export_attempt, write_formatted
from airsync_tui.logs.index import LogIndex
from airsync_tui.logs.synthetic import ANSI_SOURCE
from tests.log_index_helpers import hostile_events, one_shot_formatted

ESC = "\x1b"
HOSTILE = (
    f"{ESC}]52;c;ZXZpbA=={ESC}\\clipboard",
    f"{ESC}[2J{ESC}[Hcleared",
    f"{ESC}]8;;http://evil{ESC}\\link{ESC}]8;;{ESC}\\",
    "bidi \u202eevil\u2066 x",
    "c1 \u009b31m and \u0085 next",
    "nul \x00 bel \x07 del \x7f",
    "tab\tin\tcolumns",
    "[bold red]markup[/] stays literal",
    "replacement \ufffd char",
    "unicode é ü 日本語 🚀",
    "",
)
LEGACY_ERAS = [
    "2021-09-23 21:16:49 INFO () DefaultReplicationWorker(run):104 - start sync worker",
    "2022-03-24 17:46:44 destination > 2022-03-24 17:46:44 INFO i.a.i.d.s.SnowflakeDestination(main):81 - start",
    f"2023-08-06 05:03:39 {ESC}[32mINFO{ESC}[m i.a.w.p.KubePodProcess(waitForInitPodToRun):362 - Waiting",
    f"2023-08-06 05:03:41 {ESC}[43mdestination{ESC}[0m > 2023-08-06 05:03:41 {ESC}[33mWARN{ESC}[m slow flush",
    "2024-09-04 07:09:25 replication-orchestrator > processMessage: done.",
    "2024-09-04 07:10:56 INFO i.a.a.SegmentAnalyticsClient(close):233 - Closing",
    "\tat io.airbyte.Foo(Foo.java:1)",  # continuation: inherits from the line above
    "Caused by: x ERROR y",
]


def _legacy_lines(count: int, *, last_era_only: bool) -> list[str]:
    lines = []
    for i in range(count):
        source = ("source", "destination", "platform", "replication-orchestrator")[i % 4]
        level = ("INFO", "WARN", "ERROR", "DEBUG", "TRACE")[i % 5]
        lines.append(f"2026-01-01 08:15:{i % 60:02d} {ANSI_SOURCE[source]} > {level} {i} {HOSTILE[i % len(HOSTILE)]}")
        if not last_era_only and i % 9 == 0:
            lines.append(LEGACY_ERAS[i % len(LEGACY_ERAS)])
    return lines


def _bodies() -> Iterator[tuple[str, bytes]]:
    for last_era_only in (True, False):
        lines = _legacy_lines(400, last_era_only=last_era_only)
        body = {"attempt": {"id": 1, "status": "failed"}, "logType": "formatted", "logs": {"logLines": lines}}
        yield ("legacy-last-era" if last_era_only else "legacy-all-eras"), orjson.dumps(body)
    body = {"attempt": {"id": 2, "status": "succeeded"}, "logType": "structured", "logs": {"events": hostile_events(400, HOSTILE)}}
    yield "structured", orjson.dumps(body)
    # Invalid UTF-8 inside a JSON string is not valid JSON for orjson; the raw bytes path
    # is covered by the index-level test below.


BODIES = dict(_bodies())


def _fast(raw: bytes) -> bytes:
    out = io.BytesIO()
    written = export_attempt(raw, out)
    assert written == len(out.getvalue())
    return out.getvalue()


@pytest.mark.parametrize("name", sorted(BODIES))
@pytest.mark.parametrize("chunk_bytes", [None, 300, 4096])
def test_fast_export_equals_per_line_reference(name: str, chunk_bytes: int | None, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = BODIES[name]
    if chunk_bytes is not None:  # force the chunked, streamed path on a small body
        monkeypatch.setattr(parse_module, "CHUNKED_PARSE_MIN_BYTES", 0)
        monkeypatch.setattr(parse_module, "PARSE_CHUNK_BYTES", chunk_bytes)
    expected = one_shot_formatted(raw)
    got = _fast(raw)
    assert got == expected
    assert got.count(b"\n") >= 400
    text = got.decode("utf-8")
    for hostile in ("\x1b", "\x9b", "\x85", "\u202e", "\u2066", "\x00", "\x07", "\x7f", "\t"):
        assert hostile not in text  # inert: no escape, control, bidi override or raw tab reaches the output
    assert "[bold red]markup[/] stays literal" in text


def test_chunked_parse_giving_up_part_way_writes_each_line_once(monkeypatch: pytest.MonkeyPatch) -> None:
    raw = BODIES["legacy-all-eras"]
    monkeypatch.setattr(parse_module, "CHUNKED_PARSE_MIN_BYTES", 0)
    monkeypatch.setattr(parse_module, "PARSE_CHUNK_BYTES", 2000)
    real = parse_module._iter_array_chunks  # noqa: SLF001

    def two_chunks_then_give_up(*args: Any) -> Iterator[list[Any] | None]:
        chunks = real(*args)
        yield next(chunks)
        yield next(chunks)
        yield None

    monkeypatch.setattr(parse_module, "_iter_array_chunks", two_chunks_then_give_up)
    got = _fast(raw)
    monkeypatch.undo()
    assert got == one_shot_formatted(raw)


def test_last_era_split_equals_general_split() -> None:
    for lines in (_legacy_lines(300, last_era_only=True), _legacy_lines(300, last_era_only=False)):
        raw = ("\n" + "\n".join(lines)).encode("utf-8", "replace")
        assert parse_module._split_legacy(raw) == parse_module._LEGACY_HEAD.split(raw)  # noqa: SLF001
    # A last-era line whose level word ends the line falls back to the general pattern.
    raw = f"\n2026-01-01 08:15:05 {ANSI_SOURCE['source']} > INFO\n2026-01-01 08:15:05 platform > WARN  x".encode()
    assert parse_module._split_legacy(raw) == parse_module._LEGACY_HEAD.split(raw)  # noqa: SLF001


def test_block_writer_replaces_invalid_utf8_like_line() -> None:
    index = LogIndex.from_parts(b"ok\nbad \xff\xfe end\ncut \xe2\x82\n", *_columns(3))
    out = io.BytesIO()
    write_formatted(index, out)
    expected = "".join(index.formatted(i) + "\n" for i in range(len(index))).encode("utf-8")
    assert out.getvalue() == expected
    assert "\ufffd" in out.getvalue().decode("utf-8")


def _columns(count: int) -> tuple[Any, bytes, bytes]:
    from array import array

    return array("q", [1_767_254_400_000, 0, 999]), bytes([2, 4, 5])[:count], bytes([0, 1, 4])[:count]
