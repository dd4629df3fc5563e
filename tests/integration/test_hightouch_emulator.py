"""The Hightouch emulator over real HTTP on 127.0.0.1, as our client and the demo see it.

Each test serves a fresh `build_hightouch_app` with uvicorn on an ephemeral
port in a background thread. Simulated time is driven by hand with
`clock.advance()` (speed 1, so wall time barely moves it), which makes run
lifecycles deterministic and fast to walk through.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount

from airsync_tui.emulator.clock import VirtualClock
from airsync_tui.emulator.hightouch import build_hightouch_app
from tests import http
from tests.asgi_server import serve

START = 1_767_225_600.0  # 2026-01-01T00:00:00Z
KEY = "ht-test-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
TERMINAL = {"success", "warning", "failed", "cancelled", "interrupted"}
PHASE_ORDER = ["", "queued", "pending", "querying", "processing", "reporting"]


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(1.0, start=START)


@pytest.fixture
def app(clock: VirtualClock) -> Starlette:
    return build_hightouch_app(clock, seed=7, api_key=KEY, rate_limit=10_000)


@pytest.fixture
def client(app: Starlette) -> Iterator[httpx.Client]:
    with serve(app) as base, httpx.Client(base_url=f"{base}/api/v1", headers=AUTH, timeout=10) as c:
        yield c


def parse_ts(value: str) -> float:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def enabled_sync_ids(client: httpx.Client) -> list[int]:
    return [s["id"] for s in client.get("/syncs").json()["data"] if not s["disabled"]]


def get_run(client: httpx.Client, sync_id: int, run_id: int) -> dict:
    body = client.get(f"/syncs/{sync_id}/runs", params={"runId": run_id}).json()
    assert len(body["data"]) == 1, body
    return body["data"][0]


def walk_to_terminal(client: httpx.Client, clock: VirtualClock, sync_id: int, run_id: int, step: float = 2.0) -> list[dict]:
    """Advance virtual time in small steps, polling the run over HTTP until it is terminal."""
    seen = [get_run(client, sync_id, run_id)]
    for _ in range(2000):
        if seen[-1]["status"] in TERMINAL:
            return seen
        clock.advance(step)
        seen.append(get_run(client, sync_id, run_id))
    raise AssertionError(f"run {run_id} never finished: {seen[-1]}")


def assert_rows_consistent(run: dict) -> None:
    for kind in ("addedCount", "changedCount", "removedCount"):
        planned, ok, failed = (run[k][kind] for k in ("plannedRows", "successfulRows", "failedRows"))
        assert min(planned, ok, failed) >= 0
        assert ok + failed <= planned, run


# --------------------------------------------------------------------- auth


def test_every_route_requires_the_bearer_key(app: Starlette) -> None:
    with serve(app) as base:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": KEY}):
            for method, path in [
                ("GET", "/syncs"),
                ("GET", "/syncs/58201"),
                ("POST", "/syncs/58201/trigger"),
                ("GET", "/syncs/58201/runs"),
                ("POST", "/syncs/trigger"),
                ("GET", "/nope"),
            ]:
                r = http.request(method, f"{base}/api/v1{path}", headers=headers)
                assert r.status_code == 401, (headers, path)
                assert r.json() == {"message": "Authentication error"}
        assert http.get(f"{base}/api/v1/syncs", headers=AUTH).status_code == 200


# -------------------------------------------------------------------- syncs


def test_sync_shape_and_demo_world(client: httpx.Client) -> None:
    body = client.get("/syncs").json()
    assert set(body) == {"data", "hasMore"} and body["hasMore"] is False
    syncs = body["data"]
    assert 6 <= len(syncs) <= 12
    required = {
        "id",
        "slug",
        "workspaceId",
        "createdAt",
        "updatedAt",
        "destinationId",
        "modelId",
        "configuration",
        "schedule",
        "status",
        "disabled",
        "lastRunAt",
        "referencedColumns",
        "primaryKey",
        "externalSegment",
        "tags",
    }
    for s in syncs:
        assert required <= set(s)
        assert isinstance(s["id"], int) and "-to-" in s["slug"]
        assert isinstance(s["configuration"], dict) and isinstance(s["tags"], dict)
        assert s["status"] in TERMINAL | {"queued", "pending", "querying", "processing", "reporting", "disabled"}
        if s["schedule"] is not None:
            assert s["schedule"]["type"] in {"interval", "cron"}
    kinds = {s["schedule"]["type"] if s["schedule"] else None for s in syncs}
    assert kinds == {"interval", "cron", None}
    disabled = [s for s in syncs if s["disabled"]]
    assert len(disabled) == 1 and disabled[0]["status"] == "disabled"
    assert any(s["status"] in {"queued", "pending", "querying", "processing", "reporting"} for s in syncs)

    one = client.get(f"/syncs/{syncs[0]['id']}")
    assert one.status_code == 200 and one.json()["slug"] == syncs[0]["slug"]
    assert client.get("/syncs/999999").status_code == 404
    assert client.get("/syncs/abc").status_code == 422


def test_sync_list_paging_filters_and_order(client: httpx.Client) -> None:
    all_ids = [s["id"] for s in client.get("/syncs").json()["data"]]
    assert all_ids == sorted(all_ids)
    first = client.get("/syncs", params={"limit": 3}).json()
    assert [s["id"] for s in first["data"]] == all_ids[:3] and first["hasMore"] is True
    last = client.get("/syncs", params={"limit": 3, "offset": len(all_ids) - 3}).json()
    assert [s["id"] for s in last["data"]] == all_ids[-3:] and last["hasMore"] is False

    for order, key in [("slug", "slug"), ("name", "slug"), ("createdAt", "createdAt"), ("updatedAt", "updatedAt")]:
        data = client.get("/syncs", params={"orderBy": order}).json()["data"]
        assert [s[key] for s in data] == sorted(s[key] for s in data), order
    bad = client.get("/syncs", params={"orderBy": "status"})
    assert bad.status_code == 422 and bad.json()["message"] == "Validation failed" and "orderBy" in bad.json()["details"]

    slug = client.get("/syncs").json()["data"][1]["slug"]
    assert [s["slug"] for s in client.get("/syncs", params={"slug": slug}).json()["data"]] == [slug]
    model = client.get("/syncs").json()["data"][0]["modelId"]
    by_model = client.get("/syncs", params={"modelId": model}).json()["data"]
    assert by_model and all(s["modelId"] == model for s in by_model)

    ran = [s for s in client.get("/syncs").json()["data"] if s["lastRunAt"]]
    cut = sorted(parse_ts(s["lastRunAt"]) for s in ran)[len(ran) // 2]
    iso_cut = datetime.fromtimestamp(cut, UTC).isoformat().replace("+00:00", "Z")
    after = client.get("/syncs", params={"after": iso_cut}).json()["data"]
    before = client.get("/syncs", params={"before": iso_cut}).json()["data"]
    assert after and before
    assert all(parse_ts(s["lastRunAt"]) > cut for s in after)
    assert all(parse_ts(s["lastRunAt"]) < cut for s in before)


def test_scaled_world_pages_through_1000_syncs(clock: VirtualClock) -> None:
    app = build_hightouch_app(clock, seed=3, syncs=1000, api_key=KEY, rate_limit=10_000)
    with serve(app) as base, httpx.Client(base_url=f"{base}/api/v1", headers=AUTH) as c:
        ids: list[int] = []
        offset, pages = 0, 0
        while True:
            body = c.get("/syncs", params={"offset": offset, "limit": 100}).json()  # page time: bench/bench_emulator.py
            ids += [s["id"] for s in body["data"]]
            pages += 1
            offset += 100
            if not body["hasMore"]:
                break
        assert pages == 10 and len(ids) == 1000 == len(set(ids)) and ids == sorted(ids)
        slugs = [s["slug"] for s in c.get("/syncs", params={"orderBy": "slug", "limit": 1000}).json()["data"]]
        assert len(set(slugs)) == 1000 and slugs == sorted(slugs)
        assert c.get("/syncs", params={"offset": 1000}).json() == {"data": [], "hasMore": False}


# ------------------------------------------------------------------ trigger


def test_trigger_returns_string_id_and_run_appears(client: httpx.Client, clock: VirtualClock) -> None:
    sync_id = enabled_sync_ids(client)[0]
    r = client.post(f"/syncs/{sync_id}/trigger")
    assert r.status_code == 200
    run_id = r.json()["id"]
    assert isinstance(run_id, str) and run_id.isdigit()
    run = get_run(client, sync_id, int(run_id))
    assert run["id"] == int(run_id) and isinstance(run["id"], int)
    assert run["createdAt"] and run["error"] is None and run["finishedAt"] is None

    by_id = client.post("/syncs/trigger", json={"syncId": str(sync_id), "fullResync": True})
    slug = client.get(f"/syncs/{sync_id}").json()["slug"]
    by_slug = client.post("/syncs/trigger", json={"syncSlug": slug})
    assert by_id.status_code == by_slug.status_code == 200
    ids = [int(run_id), int(by_id.json()["id"]), int(by_slug.json()["id"])]
    assert ids == sorted(set(ids))  # no idempotency: three triggers, three runs

    assert client.post("/syncs/trigger", json={"syncId": sync_id}).status_code == 422  # must be a string
    assert client.post("/syncs/trigger", json={}).status_code == 422
    assert client.post("/syncs/trigger", json={"syncSlug": "no-such-sync"}).status_code == 404
    assert client.post("/syncs/999999/trigger").status_code == 404
    assert client.post(f"/syncs/{sync_id}/trigger", json={"fullResync": "yes"}).status_code == 422


def test_trigger_disabled_sync_is_a_validation_error(client: httpx.Client) -> None:
    disabled = next(s for s in client.get("/syncs").json()["data"] if s["disabled"])
    runs_before = client.get(f"/syncs/{disabled['id']}/runs").json()["data"]
    for r in (client.post(f"/syncs/{disabled['id']}/trigger"), client.post("/syncs/trigger", json={"syncSlug": disabled["slug"]})):
        assert r.status_code == 422
        assert r.json()["message"] == "Validation failed" and "syncId" in r.json()["details"]
    assert client.get(f"/syncs/{disabled['id']}/runs").json()["data"] == runs_before


def test_trigger_while_running_queues_behind(client: httpx.Client, clock: VirtualClock) -> None:
    sync_id = enabled_sync_ids(client)[-1]
    clock.advance(3 * 3600)  # let anything already going finish
    first = int(client.post(f"/syncs/{sync_id}/trigger").json()["id"])
    clock.advance(5)
    second = int(client.post(f"/syncs/{sync_id}/trigger").json()["id"])
    a, b = get_run(client, sync_id, first), get_run(client, sync_id, second)
    assert a["status"] in {"pending", "querying"} and a["startedAt"] is not None
    assert b["status"] == "queued" and b["startedAt"] is None and b["finishedAt"] is None
    assert client.get(f"/syncs/{sync_id}").json()["status"] == a["status"]

    walk_to_terminal(client, clock, sync_id, first)
    a = get_run(client, sync_id, first)
    b = get_run(client, sync_id, second)
    if b["status"] == "queued":  # picked up within a couple of seconds of the first finishing
        clock.advance(2)
        b = get_run(client, sync_id, second)
    assert b["status"] != "queued" and b["startedAt"] is not None
    assert parse_ts(b["startedAt"]) >= parse_ts(a["finishedAt"]) > parse_ts(b["createdAt"])


def test_runs_progress_through_phases_to_terminal(client: httpx.Client, clock: VirtualClock, app: Starlette) -> None:
    world = app.state.world
    sync_id = enabled_sync_ids(client)[0]
    clock.advance(3 * 3600)
    finished_ok = 0
    for _ in range(8):
        run_id = int(client.post(f"/syncs/{sync_id}/trigger").json()["id"])
        polled = walk_to_terminal(client, clock, sync_id, run_id)
        assert polled[0]["status"] == "queued" and polled[0]["startedAt"] is None
        ratios = [p["completionRatio"] for p in polled]
        assert ratios == sorted(ratios) and all(0.0 <= x <= 1.0 for x in ratios)
        for p in polled:
            assert_rows_consistent(p)
            assert (p["finishedAt"] is None) == (p["status"] not in TERMINAL)
        # the exact sequence, as the simulation applied it
        path = [(old, new) for s, rid, old, new, _, _ in world.transitions if rid == run_id]
        statuses = [new for _, new in path]
        assert statuses[0] == "queued" and statuses[-1] in TERMINAL
        in_progress = [PHASE_ORDER.index(s) for s in statuses[:-1]]
        assert in_progress == sorted(in_progress) and "querying" in statuses
        final = polled[-1]
        if final["status"] in {"success", "warning"}:
            finished_ok += 1
            assert statuses[-4:-1] == ["querying", "processing", "reporting"]
            processing = [p["completionRatio"] for p in polled if p["status"] == "processing"]
            assert len(processing) >= 3 and 0 < processing[1] < 1  # rises smoothly, not a jump
            assert final["completionRatio"] == 1.0 and final["error"] is None
            failed = sum(final["failedRows"].values())
            ok = sum(final["successfulRows"].values())
            assert ok + failed == sum(final["plannedRows"].values())
            assert (failed > 0) == (final["status"] == "warning")
            assert final["querySize"] > 0
        else:
            assert final["error"], final
        if finished_ok >= 2:
            break
    assert finished_ok >= 2


# --------------------------------------------------------------------- runs


def test_runs_list_newest_first_and_filters(client: httpx.Client, clock: VirtualClock) -> None:
    sync_id = next(s["id"] for s in client.get("/syncs").json()["data"] if s["schedule"] is None and not s["disabled"])
    runs = client.get(f"/syncs/{sync_id}/runs").json()
    assert runs["hasMore"] is False and len(runs["data"]) >= 5
    ids = [r["id"] for r in runs["data"]]
    assert ids == sorted(ids, reverse=True)
    for r in runs["data"]:
        assert_rows_consistent(r)
        assert {
            "id",
            "createdAt",
            "startedAt",
            "finishedAt",
            "status",
            "completionRatio",
            "querySize",
            "plannedRows",
            "successfulRows",
            "failedRows",
            "error",
        } == set(r)

    page = client.get(f"/syncs/{sync_id}/runs", params={"limit": 2, "offset": 1}).json()
    assert [r["id"] for r in page["data"]] == ids[1:3] and page["hasMore"] is True
    assert client.get(f"/syncs/{sync_id}/runs", params={"runId": ids[2]}).json()["data"][0]["id"] == ids[2]
    assert client.get(f"/syncs/{sync_id}/runs", params={"runId": 1}).json() == {"data": [], "hasMore": False}

    finished = client.get(f"/syncs/{sync_id}/runs", params={"orderBy": "finishedAt"}).json()["data"]
    stamps = [parse_ts(r["finishedAt"]) for r in finished if r["finishedAt"]]
    assert stamps == sorted(stamps, reverse=True)

    clock.advance(3600)
    new_id = int(client.post(f"/syncs/{sync_id}/trigger").json()["id"])
    recent = client.get(f"/syncs/{sync_id}/runs", params={"within": 1}).json()["data"]
    assert [r["id"] for r in recent] == [new_id]  # history is days old; only the new run is within 1 minute
    assert client.get(f"/syncs/{sync_id}/runs").json()["data"][0]["id"] == new_id

    mid = parse_ts(runs["data"][2]["startedAt"])
    iso_mid = datetime.fromtimestamp(mid, UTC).isoformat()
    older = client.get(f"/syncs/{sync_id}/runs", params={"before": iso_mid}).json()["data"]
    newer = client.get(f"/syncs/{sync_id}/runs", params={"after": iso_mid}).json()["data"]
    assert [r["id"] for r in older] == ids[3:]
    assert [r["id"] for r in newer] == [new_id, *ids[:2]]
    assert client.get("/syncs/999999/runs").status_code == 404
    assert client.get(f"/syncs/{sync_id}/runs", params={"orderBy": "status"}).status_code == 422


def test_no_cancel_endpoint(client: httpx.Client) -> None:
    sync_id = enabled_sync_ids(client)[0]
    run_id = int(client.post(f"/syncs/{sync_id}/trigger").json()["id"])
    unknown = client.get("/definitely/not/a/route")
    assert unknown.status_code == 404
    for method, path in [
        ("DELETE", f"/syncs/{sync_id}/runs/{run_id}"),
        ("POST", f"/syncs/{sync_id}/runs/{run_id}/cancel"),
        ("POST", f"/syncs/{sync_id}/cancel"),
        ("DELETE", f"/syncs/{sync_id}"),  # an existing path with the wrong method: still 404, not 405
        ("DELETE", f"/syncs/{sync_id}/runs"),
    ]:
        r = client.request(method, path)
        assert r.status_code == 404, (method, path)
        assert r.json() == unknown.json() and "allow" not in r.headers
    assert get_run(client, sync_id, run_id)["status"] not in {"cancelled"}


# --------------------------------------------------------------- rate limit


def test_rate_limit_429_then_recovers(clock: VirtualClock) -> None:
    app = build_hightouch_app(clock, api_key=KEY, rate_limit=5, rate_window=1.0)
    with serve(app) as base, httpx.Client(base_url=f"{base}/api/v1") as c:
        for _ in range(3):  # unauthenticated traffic does not eat the workspace's budget
            assert c.get("/syncs").status_code == 401
        for _ in range(5):
            assert c.get("/syncs", headers=AUTH).status_code == 200
        limited = c.get("/syncs", headers=AUTH)
        assert limited.status_code == 429
        assert set(limited.json()) == {"error"} and limited.json()["error"]
        assert "retry-after" not in limited.headers
        assert not any(h.lower().startswith(("ratelimit", "x-ratelimit")) for h in limited.headers)
        assert c.post("/syncs/58201/trigger", headers=AUTH).status_code == 429
        time.sleep(1.1)
        assert c.get("/syncs", headers=AUTH).status_code == 200


# ------------------------------------------------------------------- ticker


def test_background_ticker_moves_runs_without_polling() -> None:
    clock = VirtualClock(200.0, start=START)
    app = build_hightouch_app(clock, api_key=KEY)
    world = app.state.world
    with serve(app) as base:
        sync_id = world.syncs[0].id
        run_id = int(http.post(f"{base}/api/v1/syncs/{sync_id}/trigger", headers=AUTH).json()["id"])
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if any(rid == run_id and old == "queued" for _, rid, old, _, _, _ in world.transitions):
                break
            time.sleep(0.05)
        else:
            raise AssertionError("the ticker never advanced the run")


def test_mounted_app_starts_its_ticker_lazily() -> None:
    """Mounted sub-apps get no lifespan: the first request must start the ticker."""
    clock = VirtualClock(200.0, start=START)
    inner = build_hightouch_app(clock, api_key=KEY)
    world = inner.state.world
    outer = Starlette(routes=[Mount("/hightouch", app=inner)])
    with serve(outer) as base:
        assert not world.ticker_running
        base_url = f"{base}/hightouch/api/v1"
        run_id = int(http.post(f"{base_url}/syncs/{world.syncs[1].id}/trigger", headers=AUTH).json()["id"])
        assert world.ticker_running
        before = len(world.transitions)
        deadline = time.monotonic() + 5  # no requests meanwhile: only the ticker can move the run
        while len(world.transitions) <= before:
            assert time.monotonic() < deadline, "the lazily started ticker never advanced the run"
            time.sleep(0.05)
        runs = http.get(f"{base_url}/syncs/{world.syncs[1].id}/runs", headers=AUTH).json()["data"]
        assert runs[0]["id"] == run_id and runs[0]["status"] != "queued"
