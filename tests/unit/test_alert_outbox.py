"""The alert outbox: endpoint failures, backoff, restart and kill -9 semantics, no secrets."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from airsync_tui.service.local_state import open_state
from airsync_tui.service.problems import ProblemKind, Severity
from airsync_tui.service.rules.alerts import Alert, AlertChange, Transition
from airsync_tui.service.rules.delivery import Deliverer, Router, message, redact_url
from airsync_tui.service.rules.settings import parse_watch_settings
from airsync_tui.service.rules.store import AlertStore

T0 = datetime(2026, 12, 1, tzinfo=UTC)
GOOD = "json://127.0.0.1:1/good"
BAD = "json://user:sup3rs3cretpassw0rd@127.0.0.1:1/bad"


def change(alert_id: str, transition: Transition = Transition.OPENED) -> AlertChange:
    alert = Alert(
        id=alert_id,
        rule=ProblemKind.FAILED,
        severity=Severity.CRITICAL,
        provider="airbyte",
        connection_key="airbyte:c1",
        connection_name="Stripe",
        summary="source · config_error: bad key",
        opened_at=T0,
    )
    if transition is Transition.RESOLVED:
        alert = alert.resolve(T0, "succeeded after 1 failed run")
    return AlertChange(transition=transition, alert=alert, at=T0)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Endpoints:
    """Records what each URL received; BAD fails while `bad_down` is set."""

    def __init__(self) -> None:
        self.received: list[tuple[str, str]] = []
        self.bad_down = True

    async def __call__(self, url: str, title: str, body: str, kind: str) -> tuple[bool, str]:
        if url == BAD and self.bad_down:
            return False, f"HTTP 500 from {url}"
        self.received.append((url, title))
        return True, ""


def queue(store: AlertStore, router: Router, c: AlertChange) -> int:
    title, body = message(c)
    return store.record(c, router.targets(c, None), title, body)


async def test_failing_endpoint_backs_off_without_blocking_the_others(
    tmp_path: Path,
) -> None:
    store = AlertStore(open_state(tmp_path / "s.db"))
    router = Router(parse_watch_settings(None), [GOOD, BAD])
    clock, endpoints = FakeClock(), Endpoints()
    results: list[tuple[bool, str]] = []
    deliverer = Deliverer(
        store,
        router,
        sender=endpoints,
        clock=clock,
        on_result=lambda r, ok, e: results.append((ok, e)),
    )
    assert queue(store, router, change("a1")) == 2
    assert queue(store, router, change("a2")) == 2
    assert await deliverer.deliver_due() == 2
    assert [u for u, _ in endpoints.received] == [GOOD, GOOD]
    # BAD failed once, then both its rows were held back (no hammering in the same pass).
    assert [ok for ok, _ in results].count(False) == 1
    assert store.pending_count() == 2
    clock.now += 1.0
    assert await deliverer.deliver_due() == 0 and [ok for ok, _ in results].count(False) == 1  # backoff: 2 s
    clock.now += 1.5
    assert await deliverer.deliver_due() == 0 and [ok for ok, _ in results].count(False) == 2  # retried, failed again
    assert deliverer.backoff(1) == 4.0 and deliverer.backoff(20) == 300.0
    endpoints.bad_down = False
    clock.now += 4.0
    assert await deliverer.deliver_due() == 2
    assert [u for u, _ in endpoints.received] == [GOOD, GOOD, BAD, BAD]
    assert store.pending_count() == 0
    # The password never reached the file, the labels or the stored error text.
    raw = (tmp_path / "s.db").read_bytes() + b"".join(p.read_bytes() for p in tmp_path.glob("s.db-*"))
    assert b"sup3rs3cretpassw0rd" not in raw
    assert [e for ok, e in results if not ok] and all("sup3rs3cretpassw0rd" not in e for ok, e in results)
    assert "sup3rs3cretpassw0rd" not in redact_url(BAD)


async def test_restart_resumes_and_never_resends_what_was_delivered(
    tmp_path: Path,
) -> None:
    path = tmp_path / "s.db"
    router = Router(parse_watch_settings(None), [GOOD])
    endpoints = Endpoints()
    store = AlertStore(open_state(path))
    queue(store, router, change("a1"))
    queue(store, router, change("a2"))
    await Deliverer(store, router, sender=endpoints).deliver_due()
    queue(store, router, change("a3"))  # queued, then the process dies before sending it
    store.conn.close()
    # Restart: a new process, same file. The same transitions re-derived queue nothing new.
    store2 = AlertStore(open_state(path))
    assert queue(store2, router, change("a1")) == 0
    assert queue(store2, router, change("a3")) == 0
    assert store2.pending_count() == 1
    await Deliverer(store2, router, sender=endpoints).deliver_due()
    assert [t.split(": ")[0] for _, t in endpoints.received] == ["CRITICAL Stripe"] * 3
    assert len(endpoints.received) == 3
    # A recovery is a different transition of the same alert: it is sent.
    assert queue(store2, router, change("a1", Transition.RESOLVED)) == 1


async def test_kill_minus_nine_mid_send_resends_at_most_the_in_flight_one(
    tmp_path: Path,
) -> None:
    """Simulate kill -9 between the endpoint accepting and us recording it: the row stays pending."""
    path = tmp_path / "s.db"
    router = Router(parse_watch_settings(None), [GOOD])
    store = AlertStore(open_state(path))
    queue(store, router, change("a1"))
    queue(store, router, change("a2"))
    sent: list[str] = []

    class Killed(BaseException):
        pass

    async def dies_after_sending(url: str, title: str, body: str, kind: str) -> tuple[bool, str]:
        sent.append(title)
        raise Killed  # the process is gone before mark_delivered

    try:
        await Deliverer(store, router, sender=dies_after_sending).deliver_due()
    except Killed:
        pass
    store.conn.close()
    store2 = AlertStore(open_state(path))
    assert store2.pending_count() == 2  # nothing lost
    endpoints = Endpoints()
    await Deliverer(store2, router, sender=endpoints).deliver_due()
    assert len(sent) == 1 and len(endpoints.received) == 2  # the in-flight one went twice, the other once


def test_routes_filter_by_severity_rule_provider_name_and_tag() -> None:
    settings = parse_watch_settings(
        {
            "tags": {"stripe*": ["billing"]},
            "routes": [
                {"urls": ["json://a/critical"], "severity": "critical"},
                {"urls": ["json://a/stale"], "rule": ["stale"]},
                {"urls": ["json://a/hightouch"], "provider": "hightouch"},
                {"urls": ["json://a/billing"], "tag": "billing"},
                {"urls": ["json://a/zendesk"], "name": "zendesk*"},
            ],
        }
    )
    from airsync_tui.models.domain import Connection

    router = Router(settings)
    stripe = Connection(provider="airbyte", id="c1", name="Stripe")
    labels = sorted(t.label for t in router.targets(change("x"), stripe))
    assert labels == ["json://a/billing", "json://a/critical"]


def test_store_file_is_private(tmp_path: Path) -> None:
    AlertStore(open_state(tmp_path / "s.db"))
    assert (tmp_path / "s.db").stat().st_mode & 0o077 == 0
    assert isinstance(
        sqlite3.connect(tmp_path / "s.db").execute("select count(*) from watch_outbox").fetchone()[0],
        int,
    )


async def test_old_delivered_rows_are_pruned_pending_ones_kept(tmp_path: Path) -> None:
    router = Router(parse_watch_settings(None), [GOOD])
    store = AlertStore(open_state(tmp_path / "s.db"))
    queue(store, router, change("a1"))
    await Deliverer(store, router, sender=Endpoints()).deliver_due()
    queue(store, router, change("a2"))
    store.conn.close()
    pruned = AlertStore(open_state(tmp_path / "s.db"), keep_days=0)
    assert [(r.alert_id, r.status) for r in pruned.rows()] == [("a2", "pending")]
