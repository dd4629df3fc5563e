"""The demo workspace: which models sync to which destinations, and how runs go.

Everything random here draws from a `random.Random` the caller seeds, so the
same seed always yields the same workspace and the same run outcomes. The
texts are modelled on what real destinations say when they reject rows, so the
dashboard's error panes get exercised with realistic content.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from .model import RowCounts, RunPlan, Schedule


@dataclass(frozen=True, slots=True)
class ModelDef:
    key: str  # slug fragment
    model_id: int
    rows: int  # typical query size
    primary_key: str
    columns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DestinationDef:
    key: str
    destination_id: int
    object_name: str  # what the configuration maps into
    row_error: str  # per-row rejection text, used for `warning` runs and destination failures


@dataclass(frozen=True, slots=True)
class SyncProfile:
    """Per-sync knobs for the run generator (not served on the wire)."""

    query_size: int
    churn: float  # share of rows that change between runs
    fail_rate: float
    warn_rate: float
    processing_seconds: float  # typical processing length at speed 1


MODELS: tuple[ModelDef, ...] = (
    ModelDef("customers", 4101, 184_230, "customer_id", ("customer_id", "email", "first_name", "last_name", "plan")),
    ModelDef("leads", 4102, 52_880, "lead_id", ("lead_id", "email", "company", "lead_score")),
    ModelDef("product-usage", 4103, 911_402, "account_id", ("account_id", "weekly_active_users", "last_seen_at")),
    ModelDef("churn-risk-audience", 4104, 12_764, "user_id", ("user_id", "email", "churn_score")),
    ModelDef("ltv-segments", 4105, 240_015, "user_id", ("user_id", "email", "ltv_bucket", "predicted_ltv")),
    ModelDef("trial-signups", 4106, 8_311, "user_id", ("user_id", "email", "trial_started_at")),
    ModelDef("support-tiers", 4107, 30_542, "account_id", ("account_id", "tier", "csm_email")),
    ModelDef("lapsed-buyers", 4108, 67_090, "user_id", ("user_id", "email", "phone", "last_order_at")),
)

DESTINATIONS: tuple[DestinationDef, ...] = (
    DestinationDef(
        "salesforce", 7201, "Contact", "Salesforce rejected the record: REQUIRED_FIELD_MISSING: Required fields are missing: [LastName]"
    ),
    DestinationDef("hubspot", 7202, "contacts", "HubSpot returned 400: Property values were not valid: INVALID_EMAIL"),
    DestinationDef("braze", 7203, "users/track", "Braze rejected attributes: 'external_id' must be a string of at most 512 characters"),
    DestinationDef("google-ads", 7204, "Customer Match list", "Google Ads API: CUSTOMER_NOT_ACCEPTED_CUSTOMER_DATA_TERMS"),
    DestinationDef(
        "facebook-audiences",
        7205,
        "Custom Audience",
        "Facebook Marketing API (#2650) Failed to update the custom audience: invalid hashed email",
    ),
    DestinationDef("iterable", 7206, "users/bulkUpdate", "Iterable returned 400: Invalid email address"),
    DestinationDef("marketo", 7207, "Lead", "Marketo error 1003: Value for required field 'email' not specified"),
    DestinationDef("zendesk", 7208, "Organization", "Zendesk returned 422: RecordInvalid: Name: has already been taken"),
)

# The hand-picked demo: (model, destination, schedule or None for manual, disabled).
DEMO_SYNCS: tuple[tuple[str, str, Schedule | None, bool], ...] = (
    ("customers", "salesforce", Schedule("interval", quantity=1, unit="hour"), False),
    ("leads", "hubspot", Schedule("interval", quantity=15, unit="minute"), False),
    ("product-usage", "braze", Schedule("cron", expression="0 */6 * * *"), False),
    ("churn-risk-audience", "google-ads", Schedule("cron", expression="30 2 * * *"), False),
    ("ltv-segments", "facebook-audiences", Schedule("interval", quantity=1, unit="day"), False),
    ("trial-signups", "iterable", None, False),
    ("lapsed-buyers", "marketo", Schedule("interval", quantity=30, unit="minute"), True),
    ("support-tiers", "zendesk", None, False),
)

_SCALED_SCHEDULES: tuple[Schedule | None, ...] = (
    Schedule("interval", quantity=1, unit="hour"),
    Schedule("interval", quantity=30, unit="minute"),
    Schedule("cron", expression="0 */6 * * *"),
    Schedule("interval", quantity=1, unit="day"),
    Schedule("cron", expression="*/20 * * * *"),
    None,
)

# Whole-run failures, by the phase in which they surface.
QUERY_ERRORS: tuple[str, ...] = (
    "Query timed out after 1800 seconds. Consider adding a filter or materializing the model as a table.",
    "Snowflake: 390114 (08001): Authentication token has expired. The user must authenticate again.",
    "BigQuery: Access Denied: Table analytics.dim_customers: User does not have permission to query table.",
    "SQL compilation error: invalid identifier 'LIFETIME_VALUE' (the model's columns changed since the last run)",
)
DESTINATION_ERRORS: tuple[str, ...] = (
    "Destination authorization expired: the OAuth refresh token was revoked. Reconnect the destination.",
    "Destination rate limit exceeded repeatedly; giving up after 10 retries (HTTP 429).",
    "Destination API returned 503 Service Unavailable for 15 consecutive batches.",
)
INTERRUPTED_ERROR = "The sync run was interrupted because the Hightouch worker running it was restarted. It will resume on the next run."
CANCELLED_ERROR = "The sync run was cancelled by a user."


def scaled_pair(index: int) -> tuple[ModelDef, DestinationDef, Schedule | None, bool]:
    """The `index`-th sync of a scaled world: cycles through every model × destination."""
    model = MODELS[index % len(MODELS)]
    destination = DESTINATIONS[(index // len(MODELS)) % len(DESTINATIONS)]
    schedule = _SCALED_SCHEDULES[index % len(_SCALED_SCHEDULES)]
    return model, destination, schedule, index % 50 == 49


def model_by_key(key: str) -> ModelDef:
    return next(m for m in MODELS if m.key == key)


def destination_by_key(key: str) -> DestinationDef:
    return next(d for d in DESTINATIONS if d.key == key)


def make_profile(rng: random.Random, model: ModelDef) -> SyncProfile:
    return SyncProfile(
        query_size=max(100, int(model.rows * rng.uniform(0.8, 1.2))),
        churn=rng.uniform(0.002, 0.04),
        fail_rate=rng.choice((0.03, 0.06, 0.12)),
        warn_rate=rng.choice((0.08, 0.15, 0.3)),
        processing_seconds=rng.uniform(40, 160),
    )


def make_plan(
    rng: random.Random,
    profile: SyncProfile,
    destination: DestinationDef,
    *,
    full_resync: bool = False,
    reset_cdc: bool = False,
    clear_and_fill: bool = False,
    allow_cancelled: bool = False,
) -> RunPlan:
    """Decide a run's phases, rows and outcome.

    Invariants the tests rely on: successful + failed <= planned per kind,
    failedRows > 0 only on `warning` (and partial failures), and the phases
    always run querying -> processing -> reporting, optionally preceded by a
    short `pending` (waiting for a warehouse slot).
    """
    query_size = max(1, int(profile.query_size * rng.uniform(0.97, 1.03)))
    if full_resync or clear_and_fill:
        planned = RowCounts(query_size, 0, 0)
    elif reset_cdc:
        planned = RowCounts(0, 0, 0)  # re-baselines the diff without touching the destination
    else:
        changed = int(query_size * profile.churn)
        planned = RowCounts(int(changed * rng.uniform(0.1, 0.4)), changed, int(changed * rng.uniform(0.0, 0.1)))

    phases: list[tuple[str, float]] = []
    if rng.random() < 0.12:
        phases.append(("pending", rng.uniform(2, 6)))
    querying = rng.uniform(6, 25)
    share = planned.total / max(profile.query_size * profile.churn, 1)
    processing = max(5.0, profile.processing_seconds * min(max(share, 0.2), 8.0) * rng.uniform(0.8, 1.2))
    reporting = rng.uniform(2, 6)

    roll = rng.random()
    cancel_rate = 0.02 if allow_cancelled else 0.0
    interrupt_rate = 0.015
    if roll < profile.fail_rate:
        if rng.random() < 0.5:  # the warehouse query itself fails
            phases.append(("querying", querying * rng.uniform(1.5, 4)))
            return RunPlan(phases, "failed", 0, RowCounts(), RowCounts(), RowCounts(), rng.choice(QUERY_ERRORS), 0.0)
        stop = rng.uniform(0.05, 0.7)
        phases += [("querying", querying), ("processing", processing * stop)]
        ok = planned.scaled(stop)
        error = rng.choice((*DESTINATION_ERRORS, f"Every row in 5 consecutive batches was rejected: {destination.row_error}"))
        return RunPlan(phases, "failed", query_size, planned, ok, RowCounts(), error, stop)
    roll -= profile.fail_rate
    if roll < interrupt_rate + cancel_rate:
        stop = rng.uniform(0.1, 0.9)
        outcome = "interrupted" if roll < interrupt_rate else "cancelled"
        phases += [("querying", querying), ("processing", processing * stop)]
        error = INTERRUPTED_ERROR if outcome == "interrupted" else CANCELLED_ERROR
        return RunPlan(phases, outcome, query_size, planned, planned.scaled(stop), RowCounts(), error, stop)
    roll -= interrupt_rate + cancel_rate

    phases += [("querying", querying), ("processing", processing), ("reporting", reporting)]
    if roll < profile.warn_rate and planned.total > 0:
        rate = rng.uniform(0.001, 0.05)
        failed = RowCounts(
            max(1, int(planned.added * rate)) if planned.added else 0,
            int(planned.changed * rate),
            0,
        )
        if failed.total == 0:
            failed = RowCounts(0, 1, 0) if planned.changed else RowCounts(0, 0, 1)
        ok = RowCounts(planned.added - failed.added, planned.changed - failed.changed, planned.removed - failed.removed)
        return RunPlan(phases, "warning", query_size, planned, ok, failed, None, 1.0)
    return RunPlan(phases, "success", query_size, planned, planned, RowCounts(), None, 1.0)
