"""`airsync logs JOB > file` while the body downloads: format each piece of the log array as it arrives.

Why: exporting a 1,000,000-line attempt used to download the whole body
(the server's time), then parse it (orjson → a million ``str`` → an index),
then format it. Here the formatting runs while the rest of the body is still
on its way, and the common legacy shape skips the JSON decoder and the index
altogether:

* :class:`StreamExport` is fed the body's chunks (``airsync_tui.logs.spool``'s
  :data:`~airsync_tui.logs.spool.BODY_OBSERVER`). Once the first
  ``_HEAD_SEARCH_BYTES`` are in, it finds the log array exactly as the chunked
  parse does (:func:`~airsync_tui.logs.parse.find_log_array`) and then cuts the
  array at element separators into pieces of about :data:`STREAM_CHUNK_BYTES`.
* A legacy piece whose strings are JSON literals (no escape other than
  ``\\u001b``: the ESC of the coloured source word) and whose every line has
  the last era's header is formatted straight from the JSON bytes by
  :class:`LegacyJsonFormatter`: one regex split, one prefix per distinct
  header (a few thousand), one join, one sanitising pass.
* Any other piece (older eras, continuation lines, escapes, structured
  ``events``) is decoded with orjson and indexed by the chunked parser's own
  :class:`~airsync_tui.logs.parse.PartBuilder`, then block-formatted
  (``airsync_tui.logs.export``). Continuation lines that follow a fast piece
  are indexed after that piece's last line, which is then dropped, so they
  inherit from it as in the whole log.

The output is held until the body is complete and :meth:`StreamExport.finish`
has checked it against the whole body (the same array, the same closing
bracket): a truncated or invalid body, or anything this streaming cannot
follow, is handed to :func:`~airsync_tui.logs.export.export_attempt` instead,
so the bytes written are always the ones ``export_attempt`` writes.
"""

from __future__ import annotations

import mmap
import re
import tempfile
from collections.abc import Iterator
from typing import IO, Any, BinaryIO, TextIO

import orjson

from airsync_tui.logs import parse as _parse
from airsync_tui.logs.export import BLOCK_LINES, _format_block, _Prefixes, _StampedPrefixes, _Writer, export_attempt
from airsync_tui.logs.index import LogIndex
from airsync_tui.logs.sanitize import sanitize_buffer

__all__ = ["HOLD_MEMORY_BYTES", "STREAM_CHUNK_BYTES", "LegacyJsonFormatter", "StreamExport"]

#: Bytes of the log array formatted at a time while downloading: small enough
#: that the socket buffer absorbs what the server sends meanwhile.
STREAM_CHUNK_BYTES = 2 * 1024 * 1024
#: Formatted output held in memory until the body is checked; beyond this it goes to an
#: unlinked temporary file, so a huge log does not hold its whole text in the heap.
HOLD_MEMORY_BYTES = 256 * 1024 * 1024

# The last legacy era's header as it appears inside the JSON array, right
# after the separator that opens its string (ESC is spelled ``\u001b``
# there). Loose fields, as parse._LEGACY_HEAD_2024_PLAIN on the decoded text;
# each distinct header is then checked whole against the strict
# parse._LEGACY_HEAD_2024 (_Heads), which rejects any other escape or quote.
# The group is atomic (a fifth less regex time): no field's run can end in a character that
# the next field would need, so backtracking never finds another match anyway.
_JSON_HEAD = re.compile(rb'","((?>.{19} \\u001b\[[0-9;]*m[a-z-]+\\u001b\[[0-9;]*m > [A-Z]+[ \t]+))')
_ESC_JSON = b"\\u001b"
_C0 = bytes(range(0x20))
_HEADS_MAX = 200_000


class _Heads(dict[bytes, bytes]):
    """JSON header bytes → ``"\\n" + prefix`` bytes; KeyError for a header the strict last-era pattern rejects."""

    def __init__(self, show_timestamps: bool) -> None:
        super().__init__()
        self._stamps = _parse._LegacyStampCache()
        self._stamped = _StampedPrefixes()
        self._plain = _Prefixes()
        self._show_timestamps = show_timestamps

    def __missing__(self, head: bytes) -> bytes:
        match = _parse._LEGACY_HEAD_2024.fullmatch(b"\n" + head.replace(_ESC_JSON, b"\x1b"))
        if match is None:
            raise KeyError(head)  # not stored: the piece goes to the general path
        stamp, source_word, level_word = match.groups()
        level = _parse._LEVEL_BYTES[level_word]
        source = _parse._LEGACY_SOURCE_BYTES[source_word]
        if self._show_timestamps:
            ms = self._stamps[stamp]
            prefix = self._stamped[(ms // 1000, not ms, level, source)]
        else:
            prefix = self._plain[(level, source)]
        value = self[head] = b"\n" + prefix
        return value


class LegacyJsonFormatter:
    """Format legacy ``logLines`` elements straight from their JSON bytes, when they allow it.

    :meth:`format` returns the same bytes as indexing the decoded lines and
    block-formatting them, or ``None`` when the piece needs the general path.
    """

    def __init__(self, show_timestamps: bool = True) -> None:
        self._show_timestamps = show_timestamps
        self._heads = _Heads(show_timestamps)

    def format(self, elements: bytes) -> bytes | None:
        """``elements`` is ``"line","line",…,"line"`` (the inside of the array, one piece of it)."""
        if elements[:1] != b'"' or elements[-1:] != b'"':
            return None
        parts = _JSON_HEAD.split(b'",' + elements)
        if parts[0]:
            return None  # the first line has no last-era header
        lines = len(parts) // 2
        if len(self._heads) > _HEADS_MAX:
            self._heads = _Heads(self._show_timestamps)
        try:
            prefixes = list(map(self._heads.__getitem__, parts[1::2]))
        except KeyError:
            return None  # a header the strict last-era pattern rejects
        parts[1::2] = prefixes
        parts[1] = parts[1][1:]  # the first line has no line break before it
        parts[-1] = parts[-1][:-1]  # the closing quote of the last string
        parts.append(b"\n")
        text = b"".join(parts)
        del parts, prefixes
        # Every quote of compact JSON strings without escaped quotes is a separator the split
        # consumed: a quote left means a line without a header, an escaped quote or other JSON.
        if b'"' in text:
            return None
        # Raw control characters (a line break too) are not JSON: the decoder reports them.
        # Each line ends with the one line break added here, so exactly `lines` bytes go.
        if len(text.translate(None, _C0)) != len(text) - lines:
            return None
        escaped = b"\\" in text
        if escaped:
            text = text.replace(_ESC_JSON, b"\x1b")
            if b"\\" in text:
                return None  # an escape other than ESC
        if not text.isascii():
            try:
                text.decode("utf-8")
            except UnicodeDecodeError:
                return None  # not UTF-8: not JSON either
        # Prefixes are printable ASCII and no escape sequence spans a line break, so
        # sanitising whole lines equals sanitising the messages alone (no tab: JSON escapes it).
        # Without ESC, DEL, C1 or bidi controls (their UTF-8 starts with C2 / E2) and with no raw
        # control character (checked above) there is nothing to remove.
        if escaped or b"\x7f" in text or b"\xc2" in text or b"\xe2" in text:
            text = sanitize_buffer(text)
            if not text.isascii():
                try:
                    text.decode("utf-8")
                except UnicodeDecodeError:  # as LogIndex.line
                    text = text.decode("utf-8", "replace").encode("utf-8")
        return text


class StreamExport:
    """Formats an attempt body's log while it downloads; see the module docstring.

    Protocol (``airsync_tui.logs.spool.BodyObserver``): :meth:`begin` at the
    start of every response body (a retry starts over), :meth:`feed` with each
    chunk; then :meth:`finish` with the whole body writes the log.
    """

    def __init__(self, show_timestamps: bool = True) -> None:
        self._show_timestamps = show_timestamps
        self._overflow: IO[bytes] | None = None
        self.begin(None)

    def begin(self, expected_bytes: int | None) -> None:
        """A new response body starts: forget everything seen so far."""
        self._buf = bytearray()
        self._seen = 0  # bytes fed so far
        self._consumed = 0  # body offset of self._buf[0]
        self._key: str | None = None
        self._array_start = -1
        self._failed = False
        self._drop_held()
        self._legacy_fast = LegacyJsonFormatter(self._show_timestamps)
        self._builder: _parse.PartBuilder | None = None
        self._builder_holds = False  # the builder holds back legacy lines (PartBuilder.add)
        self._last_fast: bytes | None = None  # JSON of the last line of the previous fast piece
        self._drop = 0  # lines to drop from the next indexed part (a fast piece's last line, again)
        self._stamped = _StampedPrefixes()
        self._plain = _Prefixes()
        self._records = 0
        #: Pieces formatted from JSON bytes / decoded and indexed / indexed after a fast piece's last line.
        self.fast_pieces = 0
        self.decoded_pieces = 0
        self.joined_after_fast = 0

    # -- feeding -----------------------------------------------------------------------

    def feed(self, chunk: bytes) -> None:
        """Take the next bytes of the body; format whole pieces of the log array."""
        self._seen += len(chunk)
        if self._failed:
            return
        self._buf += chunk
        try:
            if self._key is None and not self._find_array(final=False):
                return
            self._drain(final=False)
        except Exception:  # noqa: BLE001 — anything unexpected: finish() exports the whole body instead
            self._give_up()

    def _give_up(self) -> None:
        self._failed = True
        self._buf = bytearray()
        self._drop_held()

    # -- held output ------------------------------------------------------------------------

    def _drop_held(self) -> None:
        self._blocks: list[bytes] = []
        self._held_bytes = 0
        if self._overflow is not None:
            self._overflow.close()
            self._overflow = None

    def _hold(self, block: bytes) -> None:
        """Keep a formatted block until :meth:`finish`; past ``HOLD_MEMORY_BYTES``, in a temporary file."""
        self._held_bytes += len(block)
        if self._overflow is None and self._held_bytes <= HOLD_MEMORY_BYTES:
            self._blocks.append(block)
            return
        if self._overflow is None:
            self._overflow = tempfile.TemporaryFile(prefix="airsync-export-")  # noqa: SIM115 — closed in _drop_held
            for held in self._blocks:
                self._overflow.write(held)
            self._blocks = []
        self._overflow.write(block)

    def _held_blocks(self) -> Iterator[bytes]:
        if self._overflow is None:
            yield from self._blocks
            return
        self._overflow.seek(0)
        while block := self._overflow.read(1 << 20):
            yield block

    def _find_array(self, *, final: bool) -> bool:
        """Locate the log array as the chunked parse does (in the first ``_HEAD_SEARCH_BYTES``)."""
        if not final and len(self._buf) < _parse._HEAD_SEARCH_BYTES:
            return False
        found = _parse.find_log_array(bytes(self._buf[: _parse._HEAD_SEARCH_BYTES]))
        if found is None:
            self._give_up()
            return False
        self._key, self._array_start = found
        self._builder = _parse.PartBuilder(self._key)
        del self._buf[: self._array_start]
        self._consumed = self._array_start
        return True

    def _drain(self, *, final: bool) -> bool:
        """Format every whole piece of the array in the buffer (``final``: the body is complete, keep
        the last piece). ``False`` once the array cannot be cut (then ``finish`` exports the whole body)."""
        assert self._key is not None
        separator, keep = _parse._SEPARATORS[self._key]
        while len(self._buf) >= STREAM_CHUNK_BYTES + STREAM_CHUNK_BYTES // 2:
            search = STREAM_CHUNK_BYTES
            for _ in range(_parse._CUT_RETRIES):
                cut = self._buf.find(separator, search)
                if cut < 0:
                    return True  # wait for more (final: the rest is the last piece)
                if self._piece(bytes(memoryview(self._buf)[: cut + keep])):
                    step = cut + len(separator) - 1
                    del self._buf[:step]
                    self._consumed += step
                    break
                search = cut + 1
            else:
                self._give_up()
                return False
        return True

    def _piece(self, elements: bytes) -> bool:
        """Format one piece of whole elements; ``False`` when it is not one (a separator inside a string)."""
        if self._key == "logLines":
            return self._legacy_piece(elements)
        records = _parse._load_array(elements, self._key)  # events: msgspec structs (event_decode)
        if records is None:
            return False
        assert self._builder is not None
        self._records += len(records)
        self.decoded_pieces += 1
        self._emit(self._builder.add(records))
        return True

    def _legacy_piece(self, elements: bytes) -> bool:
        assert self._builder is not None
        fast = self._legacy_fast.format(elements)
        if fast is not None:
            if self._builder_holds:  # the held lines end before this piece's headed first line
                self._emit(self._builder.finish())
                self._builder_holds = False
            self._hold(fast)
            self.fast_pieces += 1
            self._records += 1  # one piece has at least one element
            self._last_fast = elements[elements.rfind(b'","') + 2 :] if b'","' in elements else elements
            return True
        records = _parse._load_array(elements)
        if records is None:
            return False
        self._records += len(records)
        self.decoded_pieces += 1
        if self._last_fast is not None:
            # Index after the previous fast piece's last (headed, one-line) line so continuation
            # lines inherit from it; that line is already written, so its copy is dropped.
            records = [orjson.loads(self._last_fast), *records]
            self._last_fast = None
            self._drop += 1
            self.joined_after_fast += 1
        self._emit(self._builder.add(records))
        self._builder_holds = True
        return True

    def _emit(self, part: LogIndex | None) -> None:
        if part is None:
            return
        start = min(self._drop, len(part))
        self._drop -= start
        cache = self._stamped if self._show_timestamps else self._plain
        if len(self._stamped) > 100_000:
            self._stamped.clear()
        for begin in range(start, len(part), BLOCK_LINES):
            self._hold(_format_block(part, begin, min(len(part), begin + BLOCK_LINES), cache))

    # -- finishing -------------------------------------------------------------------------

    def finish(self, raw: bytes | mmap.mmap | str, out: BinaryIO | TextIO) -> int:
        """Write the whole log of ``raw`` (the complete body) to ``out``. Returns bytes written.

        Writes the streamed blocks when they are certainly the whole log
        (the body is the one fed, the array and its end are the ones the
        chunked parse finds); otherwise :func:`export_attempt` of ``raw``.
        """
        if not self._complete(raw):
            self._give_up()
            return export_attempt(raw, out, self._show_timestamps)
        try:
            writer = _Writer(out)
            for block in self._held_blocks():
                writer.write(block)
            writer.close()
            return writer.written
        finally:
            self._drop_held()

    def _complete(self, raw: bytes | mmap.mmap | str) -> bool:
        """Format the rest of the log; ``False`` when the held output is not certainly the whole log."""
        if self._failed or isinstance(raw, str) or len(raw) != self._seen:
            return False
        if len(raw) < _parse.CHUNKED_PARSE_MIN_BYTES:
            return False  # small: the one-shot parse is quick and decides every detail
        try:
            if self._key is None and not self._find_array(final=True):
                return False
            if not self._drain(final=True):
                return False
            located = _parse._locate_log_array(raw)
            if located is None or located.key != self._key or located.start != self._array_start:
                return False
            return self._last_piece(raw, located)
        except Exception:  # noqa: BLE001 — export_attempt decides (and reports a broken body as it always has)
            return False

    def _last_piece(self, raw: bytes | mmap.mmap, located: Any) -> bool:
        """The rest of the array up to the first candidate closing bracket whose elements parse."""
        start = self._consumed
        for envelope in located.candidates:
            if envelope.end > start and self._piece(bytes(raw[start : envelope.end])):
                break
        else:
            return False
        assert self._builder is not None
        if self._records == 0:
            return False  # "[ ]": the one-shot parse decides what an empty array means
        self._emit(self._builder.finish())
        return True
