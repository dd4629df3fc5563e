"""Where a process's start-up begins and ends: the two things it does differently meanwhile.

Why one place: the console script (`cli/entry.py`) and the demo's emulator child
(`cli/demo_child.py`) both import most of their code up front and then run for a
long time. While they import, the garbage collector is paused (`startup_gc`) and
the code dataclasses, typing and re generate comes from a cache (`codegen_cache`);
when the real work starts, the collector resumes and the cache keeps what start-up
compiled, and nothing after (`codegen_cache.seal`). Callers mark the two moments; this module knows what they mean.
"""

from __future__ import annotations

from airsync_tui.cli import codegen_cache, startup_gc


def begin(program: str) -> None:
    """First thing in `program`'s process: pause collection, serve generated code from its cache."""
    startup_gc.pause()
    codegen_cache.install(program)


def end() -> None:
    """Imports done, the real work begins: resume collection, keep what start-up compiled (both idempotent)."""
    startup_gc.resume()
    codegen_cache.seal()


__all__ = ["begin", "end"]
