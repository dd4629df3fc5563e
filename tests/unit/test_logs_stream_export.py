"""`airsync logs JOB` formats the log while the body downloads (airsync_tui/logs/stream_export.py).

The streamed export must write exactly the bytes of the one-shot path (parse
the whole body, then ``LogIndex.formatted(i)`` per line) and of
``export_attempt``, whatever the body holds: every legacy era, continuation
lines right after a piece formatted from JSON bytes, JSON escapes (quotes,
backslashes, embedded line breaks, tabs, CRLF, ``\\u`` escapes), raw unicode,
ANSI/OSC/C1/bidi/NUL, markup, missing fields in structured events; and
whatever the network chunking. Bodies it cannot follow (truncated, invalid,
both arrays, a retry) end in ``export_attempt`` of the whole body.
"""

from __future__ import annotations

import asyncio
import io
import random
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

import orjson
import pytest

from airsync_tui.logs import parse as parse_module
from airsync_tui.logs import stream_export
from airsync_tui.logs.export import export_attempt
from airsync_tui.logs.spool import BODY_OBSERVER, spool_chunks
from airsync_tui.logs.stream_export import LegacyJsonFormatter, StreamExport
from airsync_tui.logs.synthetic import ANSI_SOURCE
from tests.log_index_helpers import hostile_events, one_shot_formatted

ESC = "\x1b"
HOSTILE_MESSAGES = (
    'a "quoted" word',
    "back\\slash and \\u001b spelled out",
    "embedded\nline break",
    "tab\tin\tcolumns",
    "crlf line\r\nnext",
    f"{ESC}]52;c;ZXZpbA=={ESC}\\clipboard",
    f"{ESC}[2J{ESC}[Hcleared",
    f"colour {ESC}[31mred{ESC}[0m inside",
    f"{ESC}]8;;http://evil{ESC}\\link{ESC}]8;;{ESC}\\",
    "bidi \u202eevil\u2066 x",
    "c1 \u009b31m and \u0085 next",
    "nul \x00 bel \x07 del \x7f",
    "line sep \u2028 para \u2029 zero\u200bwidth",
    "[bold red]markup[/] stays literal",
    "unicode é ü 日本語 🚀",
    "replacement \ufffd char",
    "",
)
OLD_ERAS = (
    "2021-09-23 21:16:49 INFO () DefaultReplicationWorker(run):104 - start sync worker",
    "2022-03-24 17:46:44 destination > 2022-03-24 17:46:44 INFO i.a.i.d.s.SnowflakeDestination(main):81 - start",
    f"2023-08-06 05:03:39 {ESC}[32mINFO{ESC}[m i.a.w.p.KubePodProcess(waitForInitPodToRun):362 - Waiting",
    "2024-09-04 07:09:25 replication-orchestrator > processMessage: done.",
    f"2026-01-01 08:15:05 {ANSI_SOURCE['source']} > INFO",  # level word ends the line
    "2026-02-30 08:15:05 " + ANSI_SOURCE["platform"] + " > WARN invalid day: no timestamp shown",
)
CONTINUATIONS = ("\tat io.airbyte.Foo(Foo.java:1)", "Caused by: x ERROR y", "  ... 12 more")


def _clean_line(i: int) -> str:
    source = ("source", "destination", "platform", "replication-orchestrator")[i % 4]
    level = ("INFO", "WARN", "ERROR", "DEBUG", "TRACE")[i % 5]
    blanks = "  " if i % 13 == 0 else " "
    return f"2026-01-01 08:{i // 60 % 60:02d}:{i % 60:02d} {ANSI_SOURCE[source]} > {level}{blanks}record {i} of the sync"


def _legacy_lines(count: int, *, hostile: bool, seed: int = 11) -> list[str]:
    """Runs of clean last-era lines (formatted from JSON bytes) broken by hostile, older-era and continuation lines."""
    rng = random.Random(seed)
    lines: list[str] = []
    for i in range(count):
        line = _clean_line(i)
        if hostile:
            roll = rng.random()
            if roll < 0.02:
                line = line.split(" > ", 1)[0] + " > INFO " + rng.choice(HOSTILE_MESSAGES)
            elif roll < 0.03:
                line = rng.choice(OLD_ERAS)
            elif roll < 0.05:
                line = rng.choice(CONTINUATIONS)
        lines.append(line)
    return lines


def _body(logs: dict[str, Any], **attempt: Any) -> bytes:
    return orjson.dumps({"attempt": {"id": 1, "status": "failed", **attempt}, "logType": "formatted", "logs": logs})


BODIES = {
    "legacy-clean": _body({"logLines": _legacy_lines(3000, hostile=False)}),
    "legacy-hostile": _body({"logLines": _legacy_lines(3000, hostile=True)}),
    "legacy-continuation-first": _body({"logLines": ["\tat first.line(Without.java:1)", *_legacy_lines(1500, hostile=True, seed=5)]}),
    "structured": _body({"events": hostile_events(1500, HOSTILE_MESSAGES, drop_source_every=17), "version": "1"}),
}


def _streamed(raw: bytes, network_chunk: int, exporter: StreamExport | None = None) -> tuple[bytes, StreamExport]:
    exporter = exporter or StreamExport()
    exporter.begin(len(raw))
    for start in range(0, len(raw), network_chunk):
        exporter.feed(raw[start : start + network_chunk])
    out = io.BytesIO()
    written = exporter.finish(raw, out)
    assert written == len(out.getvalue())
    return out.getvalue(), exporter


@pytest.fixture
def small_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stream a small body as a big one would: array found early, pieces of a few KB."""
    monkeypatch.setattr(parse_module, "CHUNKED_PARSE_MIN_BYTES", 0)
    monkeypatch.setattr(parse_module, "_HEAD_SEARCH_BYTES", 256)
    monkeypatch.setattr(stream_export, "STREAM_CHUNK_BYTES", 3000)


@pytest.mark.usefixtures("small_pieces")
@pytest.mark.parametrize("name", sorted(BODIES))
@pytest.mark.parametrize("network_chunk", [61, 4096, 1 << 20])
def test_streamed_export_equals_one_shot_reference(name: str, network_chunk: int) -> None:
    raw = BODIES[name]
    expected = one_shot_formatted(raw)
    got, exporter = _streamed(raw, network_chunk)
    assert got == expected
    assert got == _export_attempt(raw)
    assert exporter.fast_pieces + exporter.decoded_pieces >= 10  # it streamed, piece by piece
    text = got.decode("utf-8")
    for hostile in ("\x1b", "\x9b", "\x85", "\u202e", "\u2066", "\x00", "\x07", "\x7f", "\t", "\r"):
        assert hostile not in text  # inert: no escape, control, bidi override or raw tab reaches the output
    assert '"' not in text or name != "legacy-clean"


@pytest.mark.usefixtures("small_pieces")
@pytest.mark.parametrize("name", ["legacy-hostile", "structured"])
def test_without_timestamps_equals_the_index_path(name: str) -> None:
    raw = BODIES[name]
    got, exporter = _streamed(raw, 4096, StreamExport(show_timestamps=False))
    reference = io.BytesIO()
    export_attempt(raw, reference, show_timestamps=False)
    assert got == reference.getvalue()
    assert exporter.fast_pieces + exporter.decoded_pieces >= 10
    assert not got.startswith(b"2026")


@pytest.mark.usefixtures("small_pieces")
def test_clean_legacy_pieces_skip_the_json_decoder() -> None:
    _, exporter = _streamed(BODIES["legacy-clean"], 4096)
    assert exporter.decoded_pieces == 0 and exporter.fast_pieces >= 10


@pytest.mark.usefixtures("small_pieces")
def test_hostile_legacy_mixes_both_paths_and_joins_continuations_to_the_fast_line_above() -> None:
    _, exporter = _streamed(BODIES["legacy-hostile"], 4096)
    assert exporter.fast_pieces >= 3 and exporter.decoded_pieces >= 3
    # Pieces are ~3 KB and a line in 20 is a continuation: some decoded piece follows a fast one.
    assert exporter.joined_after_fast >= 1


@pytest.mark.usefixtures("small_pieces")
@pytest.mark.parametrize("chunk_bytes", [700, 1100, 1900, 2600])
def test_piece_boundaries_anywhere(chunk_bytes: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stream_export, "STREAM_CHUNK_BYTES", chunk_bytes)
    raw = BODIES["legacy-hostile"]
    assert _streamed(raw, 997)[0] == one_shot_formatted(raw)


def test_formatter_accepts_only_what_it_formats_exactly() -> None:
    formatter = LegacyJsonFormatter()

    def piece(lines: list[str]) -> bytes:
        return orjson.dumps(lines)[1:-1]

    clean = [_clean_line(i) for i in range(50)]
    assert formatter.format(piece(clean)) == one_shot_formatted(_body({"logLines": clean}))
    for odd in (*HOSTILE_MESSAGES[:5], *OLD_ERAS, *CONTINUATIONS):
        line = odd if odd in OLD_ERAS or odd in CONTINUATIONS else clean[0].split(" > ", 1)[0] + " > INFO " + odd
        lines = [*clean[:10], line, *clean[10:20]]
        got = formatter.format(piece(lines))
        # Either formatted exactly as the one-shot path does, or handed to the decoder.
        reference = one_shot_formatted(_body({"logLines": lines}))
        assert got is None or got == reference, odd
    # Escapes other than ESC, older eras and continuation lines go to the decoder.
    assert formatter.format(piece([*clean[:3], clean[3] + ' "quoted"'])) is None
    assert formatter.format(piece([*clean[:3], CONTINUATIONS[0]])) is None
    assert formatter.format(piece([*clean[:3], OLD_ERAS[0]])) is None
    # Not JSON: a raw control character or invalid UTF-8 inside a string.
    assert formatter.format(piece(clean[:3]).replace(b"record", b"rec\x01rd")) is None
    assert formatter.format(piece(clean[:3]).replace(b"record", b"rec\xffrd")) is None
    assert formatter.format(piece(clean[:3]).replace(b"record", b"rec\nrd")) is None
    # Not compact JSON: a blank after the separator.
    assert formatter.format(piece(clean[:3]).replace(b'","', b'", "')) is None


def test_atomic_header_split_equals_the_backtracking_one() -> None:
    backtracking = re.compile(stream_export._JSON_HEAD.pattern.replace(b"((?>", b"(").replace(b"))", b")"))  # noqa: SLF001
    assert backtracking.pattern != stream_export._JSON_HEAD.pattern  # noqa: SLF001
    for name in ("legacy-clean", "legacy-hostile"):
        raw = BODIES[name]
        elements = b'",' + raw[raw.index(b"[", raw.index(b'"logLines"')) + 1 : raw.rindex(b"]")]
        extra = b'","2026-01-01 08:15:05 \\u001b[44msource\\u001b[0m > INFO\\t x","2026-01-01 08:15:05 \\u001b[44msrc'
        for text in (elements, elements + extra):
            assert stream_export._JSON_HEAD.split(text) == backtracking.split(text)  # noqa: SLF001


@pytest.mark.usefixtures("small_pieces")
def test_both_arrays_defer_to_export_attempt() -> None:
    """A body with ``logLines`` before a non-empty ``events``: the one-shot path shows the events."""
    raw = orjson.dumps(
        {
            "attempt": {"id": 1},
            "logs": {"logLines": _legacy_lines(400, hostile=False), "events": hostile_events(50, HOSTILE_MESSAGES, drop_source_every=17)},
        }
    )
    got, _ = _streamed(raw, 4096)
    assert got == one_shot_formatted(raw)
    assert b"record 1 of the sync" not in got


@pytest.mark.usefixtures("small_pieces")
def test_truncated_or_invalid_body_reports_as_export_attempt_does() -> None:
    raw = BODIES["legacy-clean"]
    exporter = StreamExport()
    exporter.begin(len(raw))
    exporter.feed(raw)
    truncated = raw[: len(raw) // 2]
    with pytest.raises(Exception) as streamed_error:
        exporter.finish(truncated, io.BytesIO())
    with pytest.raises(Exception) as reference_error:
        export_attempt(truncated, io.BytesIO())
    assert type(streamed_error.value) is type(reference_error.value)
    # A raw control character inside a string is invalid JSON: the same error, nothing written.
    broken = raw.replace(b"record 7 of", b"record \x01 of", 1)
    out = io.BytesIO()
    with pytest.raises(type(_error_of(broken))):
        _streamed_into(broken, out)
    assert out.getvalue() == b""


@pytest.mark.usefixtures("small_pieces")
def test_a_retried_body_starts_over() -> None:
    raw = BODIES["legacy-hostile"]
    exporter = StreamExport()
    exporter.begin(len(raw))
    exporter.feed(raw[: len(raw) // 3])  # the first response broke off
    got, _ = _streamed(raw, 4096, exporter)
    assert got == one_shot_formatted(raw)


def test_small_body_is_exported_in_one_go() -> None:
    raw = BODIES["legacy-hostile"]
    got, exporter = _streamed(raw, 4096)
    assert got == one_shot_formatted(raw)
    assert exporter.fast_pieces == exporter.decoded_pieces == 0


def test_text_stream_gets_the_same_text() -> None:
    raw = BODIES["legacy-hostile"]
    exporter = StreamExport()
    exporter.begin(len(raw))
    exporter.feed(raw)
    out = io.StringIO()
    exporter.finish(raw, out)
    assert out.getvalue().encode("utf-8") == one_shot_formatted(raw)


def test_spool_shows_every_chunk_to_the_body_observer() -> None:
    class Recorder:
        def __init__(self) -> None:
            self.calls: list[tuple[str, Any]] = []

        def begin(self, expected_bytes: int | None) -> None:
            self.calls.append(("begin", expected_bytes))

        def feed(self, chunk: bytes) -> None:
            self.calls.append(("feed", chunk))

    chunks = [b"x" * 1000, b"", b"y" * 3000, b"z"]

    async def source() -> AsyncIterator[bytes]:
        for chunk in chunks:
            yield chunk

    async def spool() -> Any:
        token = BODY_OBSERVER.set(recorder)
        try:
            return await spool_chunks(source(), expected_bytes=4001)
        finally:
            BODY_OBSERVER.reset(token)

    recorder = Recorder()
    body = asyncio.run(spool())
    assert body == b"".join(chunks)
    assert recorder.calls[0] == ("begin", 4001)
    assert b"".join(chunk for kind, chunk in recorder.calls[1:] if kind == "feed") == body
    assert all(kind == "feed" and chunk for kind, chunk in recorder.calls[1:])


@pytest.mark.usefixtures("small_pieces")
def test_output_beyond_the_memory_hold_goes_through_a_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stream_export, "HOLD_MEMORY_BYTES", 10_000)
    raw = BODIES["legacy-hostile"]
    exporter = StreamExport()
    exporter.begin(len(raw))
    exporter.feed(raw)
    assert exporter._overflow is not None  # noqa: SLF001 — the held output did spill
    out = io.BytesIO()
    exporter.finish(raw, out)
    assert out.getvalue() == one_shot_formatted(raw)
    assert exporter._overflow is None  # noqa: SLF001 — the file is closed (it was unlinked at creation)


def _export_attempt(raw: bytes) -> bytes:
    out = io.BytesIO()
    export_attempt(raw, out)
    return out.getvalue()


def _error_of(raw: bytes) -> BaseException:
    try:
        export_attempt(raw, io.BytesIO())
    except Exception as exc:  # noqa: BLE001 — the error is the result here
        return exc
    raise AssertionError("export_attempt accepted a broken body")


def _streamed_into(raw: bytes, out: io.BytesIO) -> None:
    exporter = StreamExport()
    exporter.begin(len(raw))
    for piece in _pieces(raw, 4096):
        exporter.feed(piece)
    exporter.finish(raw, out)


def _pieces(raw: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(raw), size):
        yield raw[start : start + size]
