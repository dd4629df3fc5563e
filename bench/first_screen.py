"""Time from process start to the first populated screen, in a real terminal (tmux).

This is how a user meets the first minute: type the command, wait until the
screen shows data. Each run starts a fresh tmux session of the given size
running the command, then polls the pane until a predicate on its text holds.
The clock starts just before tmux is asked to start the program, so tmux's
own start-up is included for every program alike; compare programs measured
in the same run, on the same machine.

The pane is read through one tmux *control-mode* client (`tmux -C`, kept for
the whole run): each poll is one command line over a pipe, answered by the
tmux server. Polling with a `tmux capture-pane` process every 10 ms instead
cost about 0.3 CPU-seconds a second (a fork and exec per poll) on the very
cores the measured program runs on, a load no real terminal puts on it and
one that weighs on a program whose start-up is spread over two processes
(the dashboard and the demo's emulator) more than on a single-process one.
"""

from __future__ import annotations

import atexit
import os
import shlex
import shutil
import statistics
import subprocess
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

POLL_SECONDS = 0.01
#: A tmux server of our own (not the user's default socket): killing the last
#: session of a shared server makes it exit, and a session started while it is
#: exiting dies at once, which looked like a program that never painted.
SOCKET = f"airsync-bench-{uuid.uuid4().hex[:8]}"


@dataclass
class LaunchResult:
    name: str
    times: list[float] = field(default_factory=list)
    last_screen: str = ""
    #: CPU seconds (user + system) the program's processes had used when the screen was ready.
    cpu: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def median_cpu(self) -> float:
        return statistics.median(self.cpu) if self.cpu else float("nan")


def _tmux(*args: str) -> subprocess.CompletedProcess[str]:
    tmux = shutil.which("tmux")
    if tmux is None:
        raise RuntimeError("tmux is not installed")
    return subprocess.run([tmux, "-L", SOCKET, *args], check=False, capture_output=True, text=True, timeout=20)


class TmuxControl:
    """One tmux control-mode client on our socket: commands in, framed replies out.

    Started with ``new-session -A -s keeper`` (an idle session that keeps the
    server up between runs, see `SOCKET`); each `run` writes one command line
    and reads its reply, the lines between ``%begin <time> <n>`` and ``%end
    <time> <n>`` (or ``%error``). Notifications between replies (``%output``,
    ``%sessions-changed``...) are skipped.
    """

    def __init__(self) -> None:
        tmux = shutil.which("tmux")
        if tmux is None:
            raise RuntimeError("tmux is not installed")
        self._process = subprocess.Popen(
            [tmux, "-L", SOCKET, "-C", "new-session", "-A", "-s", "keeper", "-x", "20", "-y", "5", "sleep 86400"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            bufsize=1,
        )
        self._reply()  # the attach itself answers with an empty block

    @property
    def alive(self) -> bool:
        return self._process.poll() is None

    def run(self, *args: str) -> tuple[bool, str]:
        """Run one tmux command; (succeeded, its output)."""
        assert self._process.stdin is not None
        self._process.stdin.write(" ".join(shlex.quote(arg) for arg in args) + "\n")
        self._process.stdin.flush()
        return self._reply()

    def _reply(self) -> tuple[bool, str]:
        assert self._process.stdout is not None
        number = None
        lines: list[str] = []
        for line in self._process.stdout:
            line = line.rstrip("\n")
            if number is None:
                if line.startswith("%begin "):
                    number = line.split(" ")[2]
                elif line.startswith("%exit"):
                    break
                continue
            parts = line.split(" ")
            if parts[0] in ("%end", "%error") and len(parts) >= 3 and parts[2] == number:
                return parts[0] == "%end", "\n".join(lines) + "\n"
            lines.append(line)
        raise RuntimeError("the tmux control client ended (was the bench's tmux server killed?)")

    def close(self) -> None:
        if self.alive:
            self._process.kill()
        self._process.wait()


_control: TmuxControl | None = None


def control() -> TmuxControl:
    """The run's control client, (re)started when needed (e.g. after a ``kill-server``)."""
    global _control
    if _control is None or not _control.alive:
        if _control is None:
            atexit.register(_end_control)  # once: a bench that exits leaves no tmux server behind
        else:
            _control.close()
        _control = TmuxControl()
    return _control


def _end_control() -> None:
    """Stop our tmux server (and with it the control client), if one is still up."""
    if _control is not None and _control.alive:
        _tmux("kill-server")
        _control.close()


def time_first_screen(
    command: Sequence[str],
    ready: Callable[[str], bool],
    *,
    cols: int = 200,
    rows: int = 50,
    timeout: float = 60.0,
    env: dict[str, str] | None = None,
    cpu_out: list[float] | None = None,
) -> tuple[float, str]:
    """Seconds from launch until ``ready(screen text)``; the screen at that moment.

    With ``cpu_out``, the CPU seconds used by then by the pane's process and
    its descendants (e.g. the demo's emulator child) are appended to it: a
    figure that, unlike wall time, hardly depends on what else the machine runs.
    """
    session = f"bench-{uuid.uuid4().hex[:8]}"
    shell = " ".join(_quote(part) for part in command)
    env_args: list[str] = []
    for key, value in (env or {}).items():
        env_args += ["-e", f"{key}={value}"]
    tmux = control()
    start = time.perf_counter()
    tmux.run(
        "new-session",
        "-d",
        "-s",
        session,
        "-x",
        str(cols),
        "-y",
        str(rows),
        *env_args,
        shell,
    )
    try:
        deadline = start + timeout
        screen = ""
        while time.perf_counter() < deadline:
            captured, text = tmux.run("capture-pane", "-p", "-t", session)
            if not captured:
                raise RuntimeError(
                    f"{command[0]}: its terminal closed before the screen was ready (tmux: {text.strip()}); last screen:\n{screen}"
                )
            screen = text
            if ready(screen):
                elapsed = time.perf_counter() - start
                if cpu_out is not None:
                    cpu_out.append(_pane_cpu_seconds(session))
                return elapsed, screen
            time.sleep(POLL_SECONDS)
        raise TimeoutError(f"{command[0]}: screen not ready after {timeout:.0f}s; last screen:\n{screen}")
    finally:
        tmux.run("kill-session", "-t", session)


def _pane_cpu_seconds(session: str) -> float:
    """utime + stime of the pane's process and all its descendants (Linux /proc), in seconds."""
    pane_pid = control().run("display-message", "-p", "-t", session, "#{pane_pid}")[1].strip()
    if not pane_pid.isdigit():
        return float("nan")
    children: dict[int, list[int]] = {}
    ticks: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # exited meanwhile
        children.setdefault(int(fields[1]), []).append(int(entry))  # fields[1]: ppid
        ticks[int(entry)] = int(fields[11]) + int(fields[12])  # utime, stime
    total, todo = 0, [int(pane_pid)]
    while todo:
        pid = todo.pop()
        total += ticks.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total / os.sysconf("SC_CLK_TCK")


def _quote(text: str) -> str:
    if text and all(c.isalnum() or c in "-_./=:@+," for c in text):
        return text
    return "'" + text.replace("'", "'\\''") + "'"


def measure(
    programs: Sequence[tuple[str, Sequence[str], Callable[[str], bool]]],
    *,
    runs: int = 3,
    cols: int = 200,
    rows: int = 50,
    env: dict[str, str] | None = None,
) -> list[LaunchResult]:
    """Interleave the programs run by run (so a load spike hits all of them alike)."""
    results = [LaunchResult(name) for name, _, _ in programs]
    control()  # its "keeper" session keeps our tmux server up between runs (see SOCKET)
    try:
        for _ in range(runs):
            for result, (_, command, ready) in zip(results, programs, strict=True):
                seconds, screen = time_first_screen(command, ready, cols=cols, rows=rows, env=env, cpu_out=result.cpu)
                result.times.append(seconds)
                result.last_screen = screen
    finally:
        _tmux("kill-server")  # our own socket's server only
    return results
