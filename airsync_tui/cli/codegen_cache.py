"""What Python compiles at import without keeping it, compiled once and kept between runs.

Why: modules' own bytecode is cached in `__pycache__`, but three kinds of code
generated while modules load are compiled again on every launch:
- each dataclass's methods (`__init__`, `__repr__`, `__eq__`, `__hash__`, a frozen
  class's `__setattr__`...), built as source text and compiled by `dataclasses`;
- every string annotation `typing.ForwardRef` meets (pydantic makes one per field
  of a model written with postponed annotations), compiled by `typing`;
- every regular expression, parsed and compiled to SRE code by `re`, in pure Python.
Before its first screen `airsync --demo` creates about 180 dataclasses (ours,
Textual's, pydantic's, anyio's), 1,100 forward references and 180 regular
expressions (Textual's CSS tokenizer, httpx, ours): recompiling the same text
cost about 0.15 s of its 1.0 s of start-up CPU on the 2-core reference machine
(docs/benchmarks.md).

How: each stdlib module looks its helper up in its own globals at call time.
`install` puts there a stand-in that looks the exact input up in a dict first:
- `dataclasses.exec` and `typing.compile`: source text (with file name and mode)
  → the code object the builtin `compile` makes of it, then run or returned as the
  builtin would;
- `re._compiler.compile`: (pattern, flags) → the arguments the stdlib's own
  `compile` handed to `_sre.compile` on a miss (recorded by passing through it
  once), replayed on a hit.
Same input, same output: a hit yields the very object compiling would have made,
so behaviour cannot differ. The dict lives in one marshal file in the user cache
dir, named after the interpreter's bytecode magic number (marshal, code objects
and SRE code change between Python versions), and is written back when start-up
compiled enough it lacked (`MIN_NEW_TO_SAVE`): merged with what another airsync
process wrote meanwhile, in one atomic step, private to the user.

Trust: the file holds code that is run, like `__pycache__`; it sits in the user's
own cache directory (0700 dir, 0600 file), so whoever can write it could already
change the user's installed packages. Anything unreadable, of the wrong shape or
too big is ignored and rebuilt. `AIRSYNC_CODEGEN_CACHE=off` turns the cache off;
any other value is the file to use.

Only the console script and the demo's emulator child install it (before their
imports, `cli/startup.py`), and only start-up's results are kept (`seal`): nothing the
user types later (a log search, a palette query) can end up in the file. A program
importing airsync_tui as a library is left alone.

This module deliberately has no `from __future__ import annotations`: a builtin
`exec`/`compile` called from here inherits this module's compiler flags, and the
stdlib modules it stands in for have none.
"""

import __future__

import _thread
import builtins
import marshal
import os
import sys
import types
from pathlib import Path
from typing import Any

#: Set to "off" (or "0", "no", "false") to disable the cache; any other value is the cache file's path.
CACHE_ENV = "AIRSYNC_CODEGEN_CACHE"
#: More entries than this in one table: a merge keeps only what this run used and compiled.
MAX_ENTRIES = 8_000
#: A run writes the file back only when it compiled at least this many results the file lacked: a few
#: texts differ on every run (tokenize builds a pattern from a set, in hash order) and would otherwise
#: rewrite the file at every launch, while a new release of a library adds hundreds.
MIN_NEW_TO_SAVE = 16
#: A larger file is not read at all.
MAX_FILE_BYTES = 32 * 1024 * 1024
_OFF_VALUES = frozenset({"off", "0", "no", "false"})

_builtin_exec = builtins.exec
_builtin_compile = builtins.compile


class _Table:
    """One kind of cached result: what the file had, and what this process added."""

    def __init__(self) -> None:
        self.loaded: dict[Any, Any] = {}
        self.new: dict[Any, Any] = {}
        self.used: set[Any] = set()

    def get(self, key: Any) -> Any:
        found = self.loaded.get(key)
        if found is None:
            return self.new.get(key)
        self.used.add(key)
        return found


class _State:
    """The cache of this process (one; `install` makes it)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.codes = _Table()
        self.regexes = _Table()
        #: The stdlib's own `re._compiler.compile` (the stand-in passes misses to it).
        self.re_compile: Any = None
        #: The `_sre.compile` arguments recorded on this thread by the last miss.
        self.sre_args = _thread._local()
        #: New results are kept only during start-up (`seal` ends it): see `seal` for why.
        self.recording = True

    def tables(self) -> dict[str, _Table]:
        return {"codes": self.codes, "regexes": self.regexes}


_state: _State | None = None


def cache_path(program: str) -> Path | None:
    """`program`'s cache file for this interpreter, or None when `AIRSYNC_CODEGEN_CACHE` turns it off.

    One file per program (the console script, the emulator child): each loads only what it uses.
    """
    chosen = os.environ.get(CACHE_ENV, "").strip()
    if chosen.lower() in _OFF_VALUES:
        return None
    if chosen:
        path = Path(chosen).expanduser()
        return path.with_name(f"{path.stem}-{program}{path.suffix}")
    import importlib.util

    import platformdirs

    tag = f"{sys.implementation.cache_tag}-{importlib.util.MAGIC_NUMBER.hex()}"
    return platformdirs.user_cache_path("airsync") / f"codegen-{program}-{tag}.marshal"


def install(program: str) -> None:
    """Serve the generated code of `dataclasses`, `typing` and `re` from `program`'s cache (idempotent).

    Call before the imports that should benefit.
    """
    global _state
    if _state is not None:
        return
    target = cache_path(program)
    if target is None:
        return
    state = _State(target)
    loaded = _read(target)
    state.codes.loaded = loaded.get("codes", {})
    state.regexes.loaded = loaded.get("regexes", {})
    _state = state
    import dataclasses
    import typing

    for module, name, stand_in in ((dataclasses, "exec", _cached_exec), (typing, "compile", _cached_compile)):
        if not _has_future_flags(module) and name not in vars(module):
            setattr(module, name, stand_in)  # else its builtin calls would differ from ours, or the name is taken
    _install_regex_cache(state)


def seal() -> None:
    """Start-up is over: write back what it compiled, and keep nothing compiled from now on.

    Why stop: after start-up the program compiles what its user types (a log search becomes a regular
    expression, so does a command-palette query or a glob), and a cache file must never hold that.
    Start-up compiles the code of modules, and answers from the server only as data. Results already in
    the file are still served afterwards (a later screen's modules), misses are compiled as usual.
    """
    save()
    if _state is not None:
        _state.recording = False


def save() -> None:
    """Write back what this run compiled that the file lacked, once there is enough of it (never raises)."""
    state = _state
    if state is None or sum(len(table.new) for table in state.tables().values()) < MIN_NEW_TO_SAVE:
        return
    # Snapshots (`dict.copy` is atomic): another thread may be compiling while this one writes.
    written = {name: table.new.copy() for name, table in state.tables().items()}
    on_disk = _read(state.path)  # another airsync process may have added its own since we loaded
    merged: dict[str, dict[Any, Any]] = {}
    for name, table in state.tables().items():
        entries = on_disk.get(name, {}) | written[name]
        if len(entries) > MAX_ENTRIES:  # grown over many releases: keep this run's working set
            entries = {key: table.loaded[key] for key in table.used.copy()} | written[name]
        merged[name] = entries
    try:
        _write(state.path, merged)
    except (OSError, ValueError):
        return  # a cache: a read-only or full disk, or an unexpected value, costs speed, nothing else
    for name, table in state.tables().items():
        table.loaded.update(written[name])
        table.used.update(written[name])
        for key in written[name]:
            table.new.pop(key, None)


def stats() -> dict[str, tuple[int, int]]:
    """Per kind ("codes", "regexes"): (distinct results served from the file, results compiled and not yet saved)."""
    state = _state
    if state is None:
        return {}
    return {name: (len(table.used), len(table.new)) for name, table in state.tables().items()}


def _code(mode: str, filename: str, source: str) -> types.CodeType:
    state = _state
    key = (mode, filename, source)
    code: types.CodeType | None = state.codes.get(key) if state is not None else None
    if code is None:
        code = _builtin_compile(source, filename, mode, dont_inherit=True)
        if state is not None and state.recording:
            state.codes.new[key] = code
    return code


def _cached_exec(source: Any, globals: Any = None, locals: Any = None, /, **kwargs: Any) -> None:
    """`exec` as `dataclasses` calls it: source text is compiled through the cache."""
    if globals is None:  # the builtin would use its caller's namespaces: keep that meaning
        frame = sys._getframe(1)
        globals, locals = frame.f_globals, frame.f_locals if locals is None else locals
    if type(source) is str:
        source = _code("exec", "<string>", source)
    _builtin_exec(source, globals, locals, **kwargs)


def _cached_compile(
    source: Any,
    filename: Any,
    mode: str,
    flags: int = 0,
    dont_inherit: bool = False,
    optimize: int = -1,
    **kwargs: Any,
) -> Any:
    """`compile` as `typing.ForwardRef` calls it: plain source text is compiled through the cache."""
    if type(source) is str and type(filename) is str and flags == 0 and optimize == -1 and not kwargs:
        return _code(mode, filename, source)
    return _builtin_compile(source, filename, mode, flags, True, optimize, **kwargs)


def _install_regex_cache(state: _State) -> None:
    """Stand in for `re._compiler.compile`, recording its `_sre.compile` call on a miss."""
    import importlib

    try:  # private modules, absent from the type stubs: reached by name
        re_compiler: Any = importlib.import_module("re._compiler")
        constants: Any = importlib.import_module("re._constants")
    except ImportError:  # an interpreter without re._compiler (3.10 and older): no regex cache
        return
    sre = getattr(re_compiler, "_sre", None)
    if not isinstance(sre, types.ModuleType) or not callable(getattr(re_compiler, "compile", None)):
        return
    debug = int(getattr(constants, "SRE_FLAG_DEBUG", 128))
    real_sre_compile = sre.compile
    recorder = types.ModuleType(sre.__name__, sre.__doc__)
    vars(recorder).update(vars(sre))

    def recording_sre_compile(*args: Any) -> Any:
        state.sre_args.value = args
        return real_sre_compile(*args)

    recorder.compile = recording_sre_compile  # type: ignore[attr-defined]
    state.re_compile = re_compiler.compile

    def cached_re_compile(p: Any, flags: int = 0) -> Any:
        if type(p) not in (str, bytes) or type(flags) is not int or flags & debug:
            return state.re_compile(p, flags)
        key = (p, flags)
        args = state.regexes.get(key)
        if args is not None:
            return real_sre_compile(*args)
        if not state.recording:
            return state.re_compile(p, flags)
        state.sre_args.value = None
        pattern = state.re_compile(p, flags)
        recorded = state.sre_args.value
        if type(recorded) is tuple and recorded and recorded[0] is p:
            try:
                state.regexes.new[key] = _plain(recorded)
            except _Unstorable:
                pass  # compiled as usual, just not kept
        return pattern

    re_compiler._sre = recorder
    re_compiler.compile = cached_re_compile


class _Unstorable(Exception):
    """A recorded value marshal cannot store (nothing is cached for that pattern)."""


def _plain(value: Any) -> Any:
    """`value` with int subclasses (re's named opcode constants) made plain ints, so marshal can store it.

    Raises `_Unstorable` for anything but ints, strings, bytes, None, and lists, tuples and dicts of those.
    """
    if value is None or type(value) in (str, bytes, int):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return int(value)
    if type(value) is list:
        return [_plain(item) for item in value]
    if type(value) is tuple:
        return tuple(_plain(item) for item in value)
    if type(value) is dict:
        return {_plain(key): _plain(item) for key, item in value.items()}
    raise _Unstorable(type(value).__name__)


def _has_future_flags(module: types.ModuleType) -> bool:
    """Whether `module` has a `from __future__ import ...` (its builtin calls would inherit those flags)."""
    return any(isinstance(value, __future__._Feature) for value in vars(module).values())


def _read(path: Path) -> dict[str, dict[Any, Any]]:
    """The cache file's tables; empty when it is missing, unreadable, too big or of the wrong shape."""
    try:
        with open(path, "rb") as handle:
            if os.fstat(handle.fileno()).st_size > MAX_FILE_BYTES:
                return {}
            loaded = marshal.loads(handle.read())  # one read: marshal.load reads a file piece by piece, 10x slower
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    if not isinstance(loaded, dict):
        return {}
    codes, regexes = loaded.get("codes"), loaded.get("regexes")
    if not (isinstance(codes, dict) and isinstance(regexes, dict)):
        return {}
    if len(codes) > 2 * MAX_ENTRIES or len(regexes) > 2 * MAX_ENTRIES:
        return {}  # not a file this module wrote
    if not all(_is_code_entry(key, value) for key, value in codes.items()):
        return {}
    if not all(_is_regex_entry(key, value) for key, value in regexes.items()):
        return {}
    return {"codes": codes, "regexes": regexes}


def _is_code_entry(key: Any, value: Any) -> bool:
    return type(key) is tuple and len(key) == 3 and all(type(part) is str for part in key) and type(value) is types.CodeType


def _is_regex_entry(key: Any, value: Any) -> bool:
    return (
        type(key) is tuple
        and len(key) == 2
        and type(key[0]) in (str, bytes)
        and type(key[1]) is int
        and type(value) is tuple
        and bool(value)
        and value[0] == key[0]
    )


def _write(path: Path, tables: dict[str, dict[Any, Any]]) -> None:
    """Replace the file with `tables` in one step (a reader sees the old file or the new one), 0600."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    data = marshal.dumps(tables)
    part = path.with_name(f"{path.name}.{os.getpid()}.part")
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(part, path)
    except BaseException:
        part.unlink(missing_ok=True)
        raise


__all__ = ["CACHE_ENV", "cache_path", "install", "save", "seal", "stats"]
