"""The CLI against hostile and broken servers: raw bytes, exit codes, bounds, server-side evidence.

Each test names the class of issue 8 it guards. Elapsed and memory figures are
generous upper bounds (the point is "ends" and "bounded", not speed).
Most runs are in-process (`cli`, `run_cli_here`: the same code after start-up);
the ones about the process (peak memory, Ctrl-C, a closed pipe, the `--demo`
child, the screenshot script) start a real child (`run_cli`, `subprocess`).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.cli_helpers import run_airsync
from tests.hostile.stub import (
    CONN_ID,
    REPO,
    TOKEN,
    Reply,
    StubServer,
    airbyte_routes,
    assert_inert,
    assert_one_line_error,
    connection,
    job,
    run_cli,
    run_cli_here,
    write_config,
)

HOSTILE = "stop\x1b]0;PWNED\x07 \x1b]52;c;ZXZpbA==\x07 \u202eevil\u202c zero\u200bwidth \x9b31m\r"


@pytest.fixture
def stub():
    servers: list[StubServer] = []

    def make(**overrides):  # type: ignore[no-untyped-def]
        server = StubServer(airbyte_routes(**overrides))
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


def cli(tmp_path: Path, server: StubServer, *args: str, timeout: float = 1.0, **kw):  # type: ignore[no-untyped-def]
    return run_cli_here(tmp_path, write_config(tmp_path, server.api_url, timeout=timeout), *args, **kw)


# ---------------------------------------------------------------- 1. server text never drives the terminal


def test_409_message_with_escapes_is_inert(tmp_path: Path, stub) -> None:  # type: ignore[no-untyped-def]
    server = stub(
        create=Reply(
            409,
            {"type": "x", "title": "state-conflict", "status": 409, "detail": HOSTILE},
        )
    )
    result = cli(tmp_path, server, "sync", CONN_ID)
    assert result.rc == 2
    assert_one_line_error(result)
    assert_inert(result.all)
    assert b"PWNED" not in result.all or b"]0;" not in result.all


def test_hostile_status_label_and_names_in_wait_and_tables(tmp_path: Path, stub) -> None:  # type: ignore[no-untyped-def]
    server = stub(
        connections=Reply(200, {"data": [connection(name=HOSTILE)]}),
        create=Reply(200, job(42, "running" + HOSTILE)),
        job=Reply(200, job(42, "succeeded", rowsSynced=3)),
    )
    table = cli(tmp_path, server, "connections")
    assert table.rc == 0, table.err
    assert_inert(table.all)
    waited = cli(tmp_path, server, "sync", CONN_ID, "--wait")
    assert waited.rc == 0, waited.err
    assert_inert(waited.all)


def test_text_plain_error_body_is_inert(tmp_path: Path, stub) -> None:  # type: ignore[no-untyped-def]
    server = stub(connections=Reply(400, HOSTILE, headers={"content-type": "text/plain"}))
    result = cli(tmp_path, server, "connections")
    assert result.rc == 2
    assert_one_line_error(result)
    assert_inert(result.all)


# ---------------------------------------------------------------- 2. nothing waits forever


def test_token_endpoint_that_never_answers_ends(tmp_path: Path, stub) -> None:  # type: ignore[no-untyped-def]
    server = stub(token=Reply(hang=120))
    # 0.1 s per phase: 0.2 s per try, the same 4 tries; the point is "ends", not how long.
    result = cli(tmp_path, server, "connections", timeout=0.1, limit=90)
    assert result.rc == 2
    assert_one_line_error(result)
    assert result.elapsed < 45, result.elapsed
    assert server.count("GET", "/connections") == 0


def test_drip_fed_answer_is_not_progress(tmp_path: Path, stub) -> None:  # type: ignore[no-untyped-def]
    server = stub(connections=Reply(200, {"data": [connection()] * 50}, drip=0.05))
    # A byte every 0.05 s keeps resetting a 0.15 s read timeout: only the whole-answer deadline
    # (0.3 s, 2x the timeout) ends each of the 4 tries (the same ratios as a real slow server, shorter).
    result = cli(tmp_path, server, "connections", timeout=0.15, limit=90)
    assert result.rc == 2
    assert b"did not answer in time" in result.err
    assert result.elapsed < 45, result.elapsed


def test_https_to_plain_http_port_ends(tmp_path: Path, stub) -> None:  # type: ignore[no-untyped-def]
    server = stub()
    config = write_config(tmp_path, server.api_url.replace("http://", "https://"), timeout=1.0)
    result = run_cli_here(tmp_path, config, "connections", limit=90)
    assert result.rc == 2
    assert_one_line_error(result)
    assert result.elapsed < 45


def test_paging_that_repeats_is_stopped(tmp_path: Path, stub) -> None:  # type: ignore[no-untyped-def]
    page = {"data": [connection(connectionId=f"c{i}") for i in range(100)]}
    server = stub(connections=Reply(200, page))
    result = cli(tmp_path, server, "connections")
    assert result.rc == 2
    assert b"same page twice" in result.err
    assert server.count("GET", "/connections") == 2


def test_paging_that_never_ends_is_capped_in_requests_and_memory(tmp_path: Path, stub) -> None:  # type: ignore[no-untyped-def]
    counter = itertools.count()

    def endless(method: str, path: str, body: bytes) -> Reply:
        base = next(counter) * 100
        return Reply(
            200,
            {"data": [connection(connectionId=f"c{base + i}", name="n") for i in range(100)]},
        )

    server = stub(connections=endless)
    # The cap lowered to 50 pages by its env knob: the same guard, a tenth of the
    # round trips. The product's default (500 pages) is asserted in test_page_cap.py.
    config = write_config(tmp_path, server.api_url)
    # A real child: its peak memory is part of what this test bounds.
    result = run_cli(tmp_path, config, "connections", "--json", limit=120, env={"AIRSYNC_MAX_PAGES": "50"})
    assert result.rc == 2
    assert b"kept returning full pages" in result.err
    assert b"stopped after 51 pages" in result.err
    assert server.count("GET", "/connections") == 51
    assert result.peak_rss_kb < 600_000, result.peak_rss_kb


def test_retry_after_huge_is_capped(tmp_path: Path, stub, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """In-process with the retry sleep recorded: the cap (30 s) is asserted exactly, without spending it."""
    answers = iter([Reply(503, {"title": "busy"}, headers={"retry-after": "99999"})])
    ok = Reply(200, {"data": [connection()]})
    server = stub(connections=lambda m, p, b: next(answers, ok))
    slept: list[float] = []
    real_sleep = asyncio.sleep
    cli_thread = threading.get_ident()  # run_airsync runs the CLI in this thread

    async def recorded_sleep(delay: float, result: object = None) -> object:
        # Only the CLI's sleeps: an emulator still serving in this worker (the session one, a module's)
        # sleeps in its own thread, and must keep its real pace (a zero sleep would spin its ticker).
        if threading.get_ident() != cli_thread:
            return await real_sleep(delay, result)
        slept.append(delay)
        return await real_sleep(0, result)

    monkeypatch.setattr(asyncio, "sleep", recorded_sleep)
    env = {
        "AIRSYNC_CONFIG": str(write_config(tmp_path, server.api_url, timeout=1.0)),
        "AIRSYNC_STATE": str(tmp_path / "state.db"),
        "NO_COLOR": "1",
    }
    result = run_airsync("connections", env={**os.environ, **env}, timeout=60)
    assert result.returncode == 0, result.stderr
    assert slept == [30.0]  # the cap, not 99999 s
    assert server.count("GET", "/connections") == 2


def test_final_error_never_promises_a_retry(tmp_path: Path, stub) -> None:  # type: ignore[no-untyped-def]
    server = stub(create=Reply(502, {"title": "bad gateway"}))
    result = cli(tmp_path, server, "sync", CONN_ID)
    assert result.rc == 2
    assert_one_line_error(result)
    assert b"will be retried" not in result.err
    assert server.count("POST", "/jobs") == 1


def test_wait_ends_when_created_job_is_gone(tmp_path: Path, stub) -> None:  # type: ignore[no-untyped-def]
    server = stub(job=Reply(404, {"type": "about:blank", "title": "Not Found", "status": 404}))
    result = cli(tmp_path, server, "sync", CONN_ID, "--wait", limit=120)
    assert result.rc == 2, result.err
    assert_one_line_error(result)
    assert result.elapsed < 90


def test_wait_ends_on_401_forever(tmp_path: Path, stub) -> None:  # type: ignore[no-untyped-def]
    calls = itertools.count()

    def token(method: str, path: str, body: bytes) -> Reply:
        # the first token works (the trigger), then credentials are revoked
        return Reply(200, {"access_token": TOKEN, "expires_in": 900}) if next(calls) == 0 else Reply(401, {"title": "no"})

    server = stub(token=token, job=Reply(401, {"title": "unauthorized"}))
    result = cli(tmp_path, server, "sync", CONN_ID, "--wait", limit=120)
    assert result.rc == 2, result.err
    assert_one_line_error(result)
    assert b"credentials" in result.err


def test_timeout_covers_the_trigger(tmp_path: Path, stub) -> None:  # type: ignore[no-untyped-def]
    server = stub(create=Reply(200, job(42, "running"), hang=60))
    result = cli(
        tmp_path,
        server,
        "sync",
        CONN_ID,
        "--wait",
        "--timeout",
        "0.5",  # the whole wait's limit, far below the trigger's own (30 s): the wait must cover the trigger
        timeout=30,
        limit=90,
    )
    assert result.rc == 3, result.err
    assert result.elapsed < 20
    assert server.count("POST", "/jobs") == 1


# ---------------------------------------------------------------- 3. one bad value is not a traceback


@pytest.mark.parametrize(
    "body",
    [
        {"data": "not a list"},
        {"data": [{"name": "no id"}]},
        {
            "data": [
                connection(
                    schedule={
                        "scheduleType": "cron",
                        "cronExpression": "0 */\u00b2 * * * ? UTC",
                    }
                )
            ]
        },
    ],
    ids=["wrong-type", "missing-id", "superscript-cron"],
)
def test_unreadable_values_are_one_line_exit_2_or_shown(tmp_path: Path, stub, body) -> None:  # type: ignore[no-untyped-def]
    server = stub(connections=Reply(200, body))
    result = cli(tmp_path, server, "connections")
    assert b"Traceback" not in result.all
    assert result.rc in (0, 2) and result.rc != 1
    if result.rc == 2:
        assert_one_line_error(result)


def test_inf_and_absurd_numbers_are_unknown_fields_reported_once(tmp_path: Path, stub) -> None:  # type: ignore[no-untyped-def]
    weird = job(42, "succeeded", rowsSynced=1e30, bytesSynced="inf", duration="P9999999999D")
    server = stub(
        job=Reply(200, weird),
        jobs=Reply(200, {"data": [weird, {**weird, "jobId": 43}]}),
    )
    result = cli(tmp_path, server, "jobs", "--json")
    assert result.rc == 0, result.err
    rows = json.loads(result.out)
    assert [r["jobId"] for r in rows] == [43, 42]  # newest first; equal start times: the higher id is newer (models/recent.py)
    assert rows[0]["rowsSynced"] is None and rows[0]["bytesSynced"] is None
    notes = result.err.decode().splitlines()
    assert sum("'inf'" in line for line in notes) == 1  # reported once, not per row
    assert any("P9999999999D" in line for line in notes)


def test_absurd_estimate_does_not_stop_the_wait(tmp_path: Path, stub) -> None:  # type: ignore[no-untyped-def]
    polls = itertools.count()

    def job_reply(method: str, path: str, body: bytes) -> Reply:
        status = "running" if next(polls) < 2 else "succeeded"
        return Reply(
            200,
            job(
                42,
                status,
                rowsSynced=5,
                bytesSynced="inf",
                startTime="1970-01-01T00:00:00Z",
            ),
        )

    server = stub(job=job_reply)
    result = cli(tmp_path, server, "sync", CONN_ID, "--wait")
    assert result.rc == 0, result.err
    assert b"Traceback" not in result.all


def test_non_utf8_config_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'default_profile = "\xff\xfe"\n')
    result = run_cli_here(tmp_path, path, "connections")
    assert result.rc == 2
    assert_one_line_error(result)
    assert b"UTF-8" in result.err


# ---------------------------------------------------------------- 4. unusable answers are errors


@pytest.mark.parametrize(
    "reply",
    [
        Reply(200, b""),
        Reply(302, b"", headers={"location": "http://127.0.0.1:9/elsewhere"}),
        Reply(204, b""),
    ],
    ids=["empty-200", "redirect", "204"],
)
def test_unusable_answer_is_an_error_not_empty_data(tmp_path: Path, stub, reply: Reply) -> None:  # type: ignore[no-untyped-def]
    server = stub(connections=reply)
    result = cli(tmp_path, server, "connections", "--json")
    assert result.rc == 2, result.out
    assert result.out.strip() == b""
    assert_one_line_error(result)


@pytest.mark.parametrize("status", [201, 307])
def test_token_endpoint_odd_status_is_an_error(tmp_path: Path, stub, status: int) -> None:  # type: ignore[no-untyped-def]
    server = stub(
        token=Reply(
            status,
            {"access_token": TOKEN},
            headers={"location": "http://127.0.0.1:9/t"},
        )
    )
    result = cli(tmp_path, server, "jobs", "--json")
    assert result.rc == 2, result.out
    assert result.out.strip() != b"[]"
    assert_one_line_error(result)
    assert server.count("GET", "/jobs") == 0
    assert b"MalformedTokenResponse" not in result.err


def test_garbled_token_reply_is_named_not_a_class(tmp_path: Path, stub) -> None:  # type: ignore[no-untyped-def]
    server = stub(token=Reply(200, b"<html>login</html>", headers={"content-type": "text/html"}))
    result = cli(tmp_path, server, "connections", limit=90)
    assert result.rc == 2
    assert_one_line_error(result)
    assert b"without a token" in result.err
    assert b"MalformedTokenResponse" not in result.err


def test_400_resource_not_found_is_not_found(tmp_path: Path, stub) -> None:  # type: ignore[no-untyped-def]
    server = stub(
        job=Reply(
            400,
            {
                "type": "https://reference.airbyte.com/reference/errors#resource-not-found",
                "title": "resource-not-found",
                "status": 400,
                "detail": "Job 42 not found",
            },
        )
    )
    result = cli(tmp_path, server, "cancel", "42")
    assert result.rc == 2
    assert b"not found" in result.err
    assert b"bad request" not in result.err


# ---------------------------------------------------------------- 5. state that outlives the truth


def test_429_on_trigger_is_resent_once_nothing_started(tmp_path: Path, stub) -> None:  # type: ignore[no-untyped-def]
    answers = iter(
        [
            Reply(429, {"title": "slow down"}, headers={"retry-after": "1"}),
            Reply(200, job(42, "running")),
        ]
    )
    server = stub(create=lambda m, p, b: next(answers))
    result = cli(tmp_path, server, "sync", CONN_ID, "--wait")
    assert result.rc == 0, result.err
    assert server.count("POST", "/jobs") == 2


def test_lost_trigger_answer_then_job_finished_is_found(tmp_path: Path, stub) -> None:  # type: ignore[no-untyped-def]
    holder: dict[str, StubServer] = {}

    def listing(method: str, path: str, body: bytes) -> Reply:
        old = job(41, "succeeded", rowsSynced=1)
        if holder["server"].count("POST", "/jobs") == 0:
            return Reply(200, {"data": [old]})
        return Reply(200, {"data": [job(42, "succeeded", rowsSynced=7), old]})

    server = stub(create=Reply(close=True), jobs=listing)
    holder["server"] = server
    result = cli(tmp_path, server, "sync", CONN_ID, "--wait", "--json")
    assert result.rc == 0, result.err
    assert json.loads(result.out)["finalStatus"] == "succeeded"
    assert json.loads(result.out)["jobId"] == 42
    assert server.count("POST", "/jobs") == 1
    assert b"will be retried" not in result.all


def test_lost_trigger_answer_never_reports_an_older_job(tmp_path: Path, stub) -> None:  # type: ignore[no-untyped-def]
    server = stub(create=Reply(close=True), jobs=Reply(200, {"data": [job(41, "failed")]}))
    result = cli(tmp_path, server, "sync", CONN_ID, "--wait", "--json")
    assert result.rc == 2, result.out  # an honest error, not job 41's result
    assert result.out.strip() == b""
    assert server.count("POST", "/jobs") == 1


# ---------------------------------------------------------------- 6. secrets and files


def test_echoed_token_and_secret_are_redacted(tmp_path: Path, stub) -> None:  # type: ignore[no-untyped-def]
    server = stub(
        connections=Reply(
            403,
            {
                "title": "forbidden",
                "detail": f"token {TOKEN} lacks scope; secret s3cret-value",
            },
        )
    )
    result = cli(tmp_path, server, "connections")
    assert result.rc == 2
    assert TOKEN.encode() not in result.all
    assert b"s3cret-value" not in result.all


def test_password_in_url_is_never_shown(tmp_path: Path, stub) -> None:  # type: ignore[no-untyped-def]
    server = stub(connections=Reply(500, {"title": "boom"}))
    url = server.api_url.replace("http://", "http://admin:hunter22@")
    config = write_config(tmp_path, url)
    shown = run_cli_here(tmp_path, config, "config", "show")
    failed = run_cli_here(tmp_path, config, "connections", limit=90)
    for result in (shown, failed):
        assert b"hunter22" not in result.all, result.all


def test_world_readable_config_with_secrets_warns(tmp_path: Path, stub) -> None:  # type: ignore[no-untyped-def]
    server = stub()
    config = write_config(tmp_path, server.api_url, mode=0o644)
    result = run_cli_here(tmp_path, config, "connections")
    assert result.rc == 0
    assert b"chmod 600" in result.err


# ---------------------------------------------------------------- 7. also


@pytest.mark.parametrize("value", ["0", "-5", "nan", "inf"])
def test_bad_timeout_is_refused(tmp_path: Path, stub, value: str) -> None:  # type: ignore[no-untyped-def]
    server = stub()
    config = tmp_path / "config.toml"
    config.write_text(
        f'default_profile = "t"\n[profiles.t.airbyte]\napi_url = "{server.api_url}"\nbearer_token = "tok-xyz1"\ntimeout = {value}\n'
    )
    config.chmod(0o600)
    result = run_cli_here(tmp_path, config, "connections")
    assert result.rc == 2
    assert b"timeout" in result.err
    assert server.count("GET", "/connections") == 0


def test_missing_explicit_config_is_an_error(tmp_path: Path) -> None:
    result = run_cli_here(tmp_path, tmp_path / "nope.toml", "connections")
    assert result.rc == 2
    assert b"does not exist" in result.err


def test_huge_name_does_not_pad_the_table(tmp_path: Path, stub) -> None:  # type: ignore[no-untyped-def]
    rows = [connection(connectionId=f"c{i}", name=("N" * 1_000_000 if i == 0 else f"n{i}")) for i in range(5)]
    server = stub(connections=Reply(200, {"data": rows}))
    result = cli(tmp_path, server, "connections")
    assert result.rc == 0, result.err
    assert len(result.out) < 10_000


def test_closed_pipe_is_quiet(tmp_path: Path, stub) -> None:  # type: ignore[no-untyped-def]
    rows = [connection(connectionId=f"c{i}", name=f"n{i}") for i in range(99)]
    server = stub(connections=Reply(200, {"data": rows}))
    config = write_config(tmp_path, server.api_url)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRBYTE_", "HIGHTOUCH_", "AIRSYNC_"))}
    env.update(
        AIRSYNC_CONFIG=str(config),
        AIRSYNC_STATE=str(tmp_path / "s.db"),
        PYTHONPATH=str(REPO),
    )
    proc = subprocess.run(
        f"'{sys.executable}' -m airsync_tui connections | head -1",
        check=False,
        shell=True,
        capture_output=True,
        env=env,
        timeout=60,
    )
    assert proc.stdout.count(b"\n") == 1
    assert b"Traceback" not in proc.stderr and b"BrokenPipe" not in proc.stderr, proc.stderr


@pytest.mark.parametrize("order", ["before", "after"])
def test_demo_flag_before_or_after_the_command(tmp_path: Path, order: str) -> None:
    args = ("--demo", "connections", "--json") if order == "before" else ("connections", "--demo", "--json")
    # In this process: where the flag may stand is argument parsing, the same code after start-up.
    result = run_cli_here(tmp_path, None, *args, limit=90)
    assert result.rc == 0, result.err
    assert len(json.loads(result.out)) > 0


def test_ctrl_c_during_trigger_cancels_the_created_job(tmp_path: Path, stub) -> None:  # type: ignore[no-untyped-def]
    import signal
    import time

    server = stub(
        create=Reply(200, job(42, "running"), hang=2),  # the Ctrl-C lands while the trigger hangs (seen within ~0.1 s)
        cancel=Reply(200, job(42, "cancelled")),
    )
    config = write_config(tmp_path, server.api_url, timeout=10)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRBYTE_", "HIGHTOUCH_", "AIRSYNC_"))}
    env.update(
        AIRSYNC_CONFIG=str(config),
        AIRSYNC_STATE=str(tmp_path / "s.db"),
        PYTHONPATH=str(REPO),
    )
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "airsync_tui",
            "sync",
            CONN_ID,
            "--wait",
            "--cancel-on-timeout",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    deadline = time.monotonic() + 30
    while server.count("POST", "/jobs") == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.count("POST", "/jobs") == 1
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert b"Traceback" not in out + err
    assert b"job 42" in out + err
    assert server.count("DELETE", "/jobs/42") == 1


def test_failing_screenshot_command_says_why(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    proc = subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "screenshots.py"),
            "--out",
            str(blocker / "shots"),
        ],
        check=False,
        capture_output=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert b"Traceback" not in proc.stderr
    assert proc.stderr.startswith(b"screenshots: error: cannot write")
