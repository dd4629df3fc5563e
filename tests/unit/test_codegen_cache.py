"""The start-up code cache: a second run is served from the file and behaves exactly as compiling would.

Each scenario runs in its own interpreter (the cache stands in for helpers of
`dataclasses`, `typing` and `re` process-wide): a first run compiles and writes
the file, a second one must find every result there, compile nothing, and
produce the same classes, annotations and regular expressions.
"""

from __future__ import annotations

import json
import marshal
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

#: Dataclasses, forward references and patterns of the kinds start-up creates, and what they do.
PROBE = r"""
import dataclasses, json, re, sys, typing
from airsync_tui.cli import codegen_cache

codegen_cache.install("probe")  # the file: $AIRSYNC_CODEGEN_CACHE with "-probe" added to its name

results = {}
for n in range(12):  # enough new results that the first run writes the file back
    Point = dataclasses.make_dataclass(f"P{n}", [("x", int), ("y", int, dataclasses.field(default=n))], frozen=True)
    p = Point(1)
    results[f"point{n}"] = [repr(p), p == Point(1, n), hash(p) == hash(Point(1, n))]
    try:
        p.x = 5
    except dataclasses.FrozenInstanceError:
        results[f"point{n}"].append("frozen")

@dataclasses.dataclass(kw_only=True, order=True)
class Job:
    id: int
    name: str = "sync"
    tags: list[str] = dataclasses.field(default_factory=list)

results["job"] = [repr(Job(id=3)), Job(id=1) < Job(id=2), Job.__init__.__annotations__ == {"id": int, "name": str, "tags": list[str], "return": None}]

class Row(typing.NamedTuple):
    a: "int"
    b: "list[str]"
results["hints"] = str(typing.get_type_hints(Row))
results["forward"] = [str(typing.ForwardRef(t)._evaluate(globals(), None, frozenset())) for t in ("dict[str, int]", "list[tuple[int, ...]]")]

patterns = [
    (r"(?P<ts>\d{4}-\d\d-\d\d)[ T](?P<level>INFO|WARN|ERROR)\s+(?P<msg>.*)", 0, "2024-10-01 ERROR boom"),
    (r"^\s*(source|destination)\s*>\s*", re.IGNORECASE | re.MULTILINE, "  SOURCE > x\ndestination> y"),
    (r"\x1b\[[0-9;]*m", 0, "\x1b[43mwarn\x1b[0m"),
    (r"(?<=@)\w+(?:\.\w+)+", 0, "ops@example.com"),
    (r"[à-ÿ]+", re.UNICODE, "caféé"),
    (rb"\r?\n", 0, b"a\r\nb\nc"),
    (r"(a)?(b)?(?(1)c|d)", re.VERBOSE, "ac bd"),
]
for index, (source, flags, text) in enumerate(patterns):
    compiled = re.compile(source, flags)
    found = [m.group(0) if isinstance(m.group(0), str) else m.group(0).decode() for m in compiled.finditer(text)]
    results[f"re{index}"] = [compiled.pattern if isinstance(source, str) else source.decode(), compiled.flags, compiled.groups, dict(compiled.groupindex), found]

import os
if os.environ.get("PROBE_EXTRA"):  # a text new on every run (tokenize builds one from a set, in hash order)
    re.compile(os.environ["PROBE_EXTRA"])
stats = codegen_cache.stats()  # before save(), which files what was compiled
if os.environ.get("PROBE_AFTER_SEAL"):  # what a user types once start-up is over
    codegen_cache.seal()
    typed = os.environ["PROBE_AFTER_SEAL"]
    results["typed"] = bool(re.compile(re.escape(typed)).search(f"found: {typed}"))
    for n in range(20):
        re.compile(f"{re.escape(typed)}{n}")
        dataclasses.make_dataclass(f"Typed{n}", [(f"f_{n}", int)])
codegen_cache.save()
print(json.dumps({"results": results, "stats": stats}))
"""


def _file(cache: Path) -> Path:
    """Where the probe program's cache goes when `AIRSYNC_CODEGEN_CACHE` is `cache`."""
    return cache.with_name(f"{cache.stem}-probe{cache.suffix}")


def _run(cache: Path, *, env: dict[str, str] | None = None) -> dict[str, object]:
    completed = subprocess.run(
        [sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO), "AIRSYNC_CODEGEN_CACHE": str(cache), **(env or {})},
        check=True,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_a_second_run_compiles_nothing_and_behaves_the_same(tmp_path: Path) -> None:
    cache = tmp_path / "cache" / "codegen.marshal"
    first = _run(cache)
    assert _file(cache).exists()
    assert _file(cache).stat().st_mode & 0o777 == 0o600
    assert cache.parent.stat().st_mode & 0o777 == 0o700
    first_stats = first["stats"]
    assert isinstance(first_stats, dict)
    (nothing_served, codes_compiled), (none_served, regexes_compiled) = first_stats["codes"], first_stats["regexes"]
    assert (nothing_served, none_served) == (0, 0)  # nothing was there to serve
    assert codes_compiled >= 10 and regexes_compiled >= 7  # dataclass methods, forward refs; the patterns

    second = _run(cache)
    assert second["results"] == first["results"]
    # Everything the first run compiled is served, nothing is compiled again.
    assert second["stats"] == {"codes": [codes_compiled, 0], "regexes": [regexes_compiled, 0]}


def test_a_run_that_compiles_only_a_few_new_texts_leaves_the_file_alone(tmp_path: Path) -> None:
    cache = tmp_path / "codegen.marshal"
    _run(cache)
    written = _file(cache).read_bytes()
    again = _run(cache, env={"PROBE_EXTRA": "x{3}-[a-f]+ once"})
    assert again["stats"]["regexes"][1] == 1  # type: ignore[index]  # compiled, below the threshold to save
    assert _file(cache).read_bytes() == written


def test_nothing_compiled_after_start_up_is_kept(tmp_path: Path) -> None:
    """After start-up the program compiles what its user types (a log search, a palette query):
    never into the file, which is written to disk."""
    cache = tmp_path / "codegen.marshal"
    secret = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"
    run = _run(cache, env={"PROBE_AFTER_SEAL": secret})
    assert run["results"]["typed"] is True  # type: ignore[index]  # compiled and used as usual
    written = _file(cache).read_bytes()
    assert b"sk_live" not in written
    assert b"Typed" not in written and b"f_1" not in written
    again = _run(cache, env={"PROBE_AFTER_SEAL": secret})  # served from the file, still nothing typed kept
    assert again["stats"]["regexes"][1] == 0  # type: ignore[index]
    assert b"sk_live" not in _file(cache).read_bytes()


def test_the_results_are_those_of_plain_compiling(tmp_path: Path) -> None:
    cached = _run(tmp_path / "on.marshal")
    cached = _run(tmp_path / "on.marshal")  # the second run: everything from the file
    plain = _run(tmp_path / "unused.marshal", env={"AIRSYNC_CODEGEN_CACHE": "off"})
    assert cached["results"] == plain["results"]
    assert plain["stats"] == {}  # not installed at all


def test_a_corrupt_or_foreign_file_is_ignored_and_rewritten(tmp_path: Path) -> None:
    cache = tmp_path / "codegen.marshal"
    reference = _run(tmp_path / "clean.marshal")
    # Not marshal at all; marshal of the right outline holding a string where code belongs.
    wrong_shape = marshal.dumps({"codes": {("exec", "<string>", "x = 1"): "not code"}, "regexes": {}})
    for garbage in (b"\x00not marshal", wrong_shape):
        _file(cache).write_bytes(garbage)
        again = _run(cache)
        assert again["results"] == reference["results"]
        assert _file(cache).read_bytes() != garbage  # rebuilt from this run


def test_turned_off_it_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from airsync_tui.cli import codegen_cache

    monkeypatch.delenv(codegen_cache.CACHE_ENV)
    assert codegen_cache.cache_path("airsync") is not None
    monkeypatch.setenv(codegen_cache.CACHE_ENV, "off")
    assert codegen_cache.cache_path("airsync") is None
    run = _run(tmp_path / "never.marshal", env={"AIRSYNC_CODEGEN_CACHE": "off"})
    assert run["stats"] == {}
    assert list(tmp_path.iterdir()) == []


def test_each_program_and_interpreter_has_its_own_file(monkeypatch: pytest.MonkeyPatch) -> None:
    from airsync_tui.cli import codegen_cache

    monkeypatch.delenv(codegen_cache.CACHE_ENV)  # the tests' shared file (conftest): the default here

    dashboard = codegen_cache.cache_path("airsync")
    emulator = codegen_cache.cache_path("emulator")
    assert dashboard is not None and emulator is not None
    assert dashboard != emulator
    assert sys.implementation.cache_tag in dashboard.name
