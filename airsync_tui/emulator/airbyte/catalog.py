"""Static content for the simulated workspace: connections, streams and failures.

Kept apart from the state machine so the demo reads like a real data team's
Airbyte (recognisable sources, warehouses, stream names and error messages) and
so the scaled benchmark workspace can reuse the same building blocks.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class StreamSpec:
    """One configured stream. `has_estimate` False = the source emits no estimate for it."""

    name: str
    namespace: str | None
    sync_mode: str
    cursor_field: tuple[str, ...] = ()
    primary_key: tuple[tuple[str, ...], ...] = (("id",),)
    base_records: int = 20_000
    bytes_per_record: int = 400
    has_estimate: bool = True


@dataclass(frozen=True, slots=True)
class ScheduleSpec:
    """`kind` is manual | cron | basic; `expression` is the wire string (cron incl. timezone, or "Every N UNITS")."""

    kind: str
    expression: str | None = None


@dataclass(frozen=True, slots=True)
class ConnectionSpec:
    """Everything needed to materialise one demo connection."""

    name: str
    source: str
    destination: str
    streams: tuple[StreamSpec, ...]
    schedule: ScheduleSpec
    status: str = "active"
    log_format: str = "structured"  # "structured" (logs.events) or "formatted" (legacy logLines)
    emits_estimates: bool = True  # False = the source never sends AirbyteEstimateTraceMessage
    typical_duration_s: float = 240.0
    flakiness: float = 0.12  # probability a job hits at least one attempt failure
    prefix: str | None = None
    tags: tuple[str, ...] = ()
    big_log: bool = False  # owns the finished job whose attempt log has `big_log_lines` lines


def _db(name: str, records: int, *, cursor: str = "updated_at", estimate: bool = True, ns: str = "public", bpr: int = 380) -> StreamSpec:
    return StreamSpec(name, ns, "incremental_deduped_history", (cursor,), (("id",),), records, bpr, estimate)


def _saas(
    name: str, records: int, *, cursor: str = "updated", mode: str = "incremental_append", estimate: bool = False, bpr: int = 900
) -> StreamSpec:
    return StreamSpec(name, None, mode, (cursor,) if mode.startswith("incremental") else (), (("id",),), records, bpr, estimate)


def _full(name: str, records: int, *, estimate: bool = False, bpr: int = 600) -> StreamSpec:
    return StreamSpec(name, None, "full_refresh_overwrite", (), (("id",),), records, bpr, estimate)


EVERY_6_HOURS = ScheduleSpec("cron", "0 0 */6 * * ? UTC")
EVERY_15_MINUTES = ScheduleSpec("cron", "0 */15 * * * ? UTC")
NIGHTLY = ScheduleSpec("cron", "0 30 2 * * ? UTC")
HOURLY_CRON = ScheduleSpec("cron", "0 0 * * * ? UTC")
WEEKDAYS_8AM = ScheduleSpec("cron", "0 0 8 ? * MON-FRI UTC")
EVERY_24_HOURS = ScheduleSpec("basic", "Every 24 HOURS")
EVERY_1_HOURS = ScheduleSpec("basic", "Every 1 HOURS")
EVERY_30_MINUTES = ScheduleSpec("basic", "Every 30 MINUTES")
MANUAL = ScheduleSpec("manual")

DEMO_WORKSPACE_NAME = "Acme Data Platform"

TAG_COLORS = {"finance": "#4C6EF5", "marketing": "#F76707", "product": "#37B24D", "critical": "#E03131", "support": "#7048E8"}

DEMO_CONNECTIONS: tuple[ConnectionSpec, ...] = (
    ConnectionSpec(
        "Postgres (orders) → Snowflake",
        "Postgres",
        "Snowflake",
        (
            _db("orders", 180_000),
            _db("order_items", 420_000),
            _db("customers", 60_000),
            _db("products", 4_000, estimate=True),
            _db("payments", 150_000),
            _db("shipments", 90_000),
        ),
        EVERY_6_HOURS,
        typical_duration_s=300,
        prefix="pg_",
        tags=("finance", "critical"),
    ),
    ConnectionSpec(
        "Stripe → BigQuery",
        "Stripe",
        "BigQuery",
        (
            _saas("charges", 40_000, cursor="created"),
            _saas("customers", 12_000),
            _saas("invoices", 25_000),
            _saas("subscriptions", 6_000),
            _saas("refunds", 1_500, cursor="created"),
            _saas("balance_transactions", 55_000, cursor="created"),
        ),
        EVERY_15_MINUTES,
        emits_estimates=False,
        typical_duration_s=150,
        tags=("finance",),
    ),
    ConnectionSpec(
        "Salesforce → Snowflake",
        "Salesforce",
        "Snowflake",
        (
            _saas("Account", 30_000, cursor="SystemModstamp", estimate=True),
            _saas("Contact", 110_000, cursor="SystemModstamp", estimate=True),
            _saas("Opportunity", 45_000, cursor="SystemModstamp", estimate=True),
            _saas("Lead", 80_000, cursor="SystemModstamp"),
            _saas("Case", 20_000, cursor="SystemModstamp", estimate=True),
        ),
        EVERY_24_HOURS,
        typical_duration_s=420,
        tags=("marketing",),
    ),
    ConnectionSpec(
        "HubSpot → BigQuery",
        "HubSpot",
        "BigQuery",
        (
            _saas("contacts", 95_000, cursor="updatedAt"),
            _saas("companies", 18_000, cursor="updatedAt"),
            _saas("deals", 9_000, cursor="updatedAt"),
            _saas("engagements", 240_000, cursor="lastUpdated"),
            _full("owners", 120),
        ),
        EVERY_1_HOURS,
        emits_estimates=False,
        typical_duration_s=270,
        flakiness=0.35,
        tags=("marketing",),
    ),
    ConnectionSpec(
        "MySQL → Redshift",
        "MySQL",
        "Redshift",
        (
            _db("orders", 210_000, ns="shop"),
            _db("customers", 70_000, ns="shop"),
            _db("inventory", 15_000, ns="shop", estimate=False),
            _db("warehouses", 40, ns="shop"),
        ),
        NIGHTLY,
        log_format="formatted",
        typical_duration_s=360,
    ),
    ConnectionSpec(
        "Zendesk Support → Postgres",
        "Zendesk Support",
        "Postgres",
        (
            _saas("tickets", 35_000, cursor="updated_at"),
            _saas("users", 22_000, cursor="updated_at"),
            _full("organizations", 1_800),
            _saas("ticket_comments", 160_000, cursor="created_at"),
            _saas("satisfaction_ratings", 4_000, cursor="updated_at"),
        ),
        EVERY_30_MINUTES,
        log_format="formatted",
        emits_estimates=False,
        typical_duration_s=200,
        tags=("support",),
    ),
    ConnectionSpec(
        "GitHub → BigQuery",
        "GitHub",
        "BigQuery",
        (
            _saas("issues", 12_000, cursor="updated_at"),
            _saas("pull_requests", 8_000, cursor="updated_at"),
            _saas("commits", 40_000, cursor="created_at"),
            _saas("reviews", 14_000, cursor="submitted_at"),
            _full("repositories", 60),
        ),
        EVERY_6_HOURS,
        status="inactive",
        emits_estimates=False,
        typical_duration_s=180,
        tags=("product",),
    ),
    ConnectionSpec(
        "Shopify → Snowflake",
        "Shopify",
        "Snowflake",
        (
            _saas("orders", 65_000, cursor="updated_at"),
            _saas("products", 3_500, cursor="updated_at"),
            _saas("customers", 28_000, cursor="updated_at"),
            _saas("transactions", 70_000, cursor="created_at"),
            _saas("fulfillments", 50_000, cursor="updated_at"),
            _full("inventory_levels", 9_000),
            _full("locations", 12),
            _saas("order_refunds", 2_100, cursor="created_at"),
        ),
        HOURLY_CRON,
        emits_estimates=False,
        typical_duration_s=240,
        tags=("finance",),
    ),
    ConnectionSpec(
        "Google Ads → BigQuery",
        "Google Ads",
        "BigQuery",
        (
            _saas("campaigns", 800, cursor="segments.date"),
            _saas("ad_groups", 6_000, cursor="segments.date"),
            _saas("ad_group_ads", 24_000, cursor="segments.date"),
            _saas("keyword_view", 90_000, cursor="segments.date"),
            _full("campaign_budget", 300),
        ),
        WEEKDAYS_8AM,
        emits_estimates=False,
        typical_duration_s=200,
        tags=("marketing",),
    ),
    ConnectionSpec(
        "Jira → Databricks",
        "Jira",
        "Databricks",
        (
            _saas("issues", 48_000, cursor="updated"),
            _full("projects", 90),
            _saas("sprints", 700, cursor="endDate"),
            _full("users", 650),
            _saas("worklogs", 33_000, cursor="updated"),
        ),
        MANUAL,
        status="inactive",
        emits_estimates=False,
        typical_duration_s=210,
        tags=("product",),
    ),
    ConnectionSpec(
        "MongoDB → S3",
        "MongoDB",
        "S3",
        (
            _db("events", 900_000, cursor="_id", ns="app", bpr=700),
            _db("sessions", 300_000, cursor="_id", ns="app"),
            _db("users", 75_000, cursor="_id", ns="app"),
        ),
        EVERY_24_HOURS,
        log_format="formatted",
        typical_duration_s=480,
        tags=("product",),
    ),
    ConnectionSpec(
        "Facebook Marketing → Snowflake",
        "Facebook Marketing",
        "Snowflake",
        (
            _saas("campaigns", 900, cursor="updated_time"),
            _saas("ad_sets", 4_200, cursor="updated_time"),
            _saas("ads", 15_000, cursor="updated_time"),
            _saas("ads_insights", 120_000, cursor="date_start"),
            _full("custom_audiences", 140),
        ),
        EVERY_6_HOURS,
        emits_estimates=False,
        typical_duration_s=330,
        flakiness=0.25,
        tags=("marketing",),
    ),
    ConnectionSpec(
        "Events Firehose → S3",
        "Kafka",
        "S3",
        (_db("events", 2_500_000, cursor="offset", ns="firehose", bpr=520), _db("page_views", 1_200_000, cursor="offset", ns="firehose")),
        MANUAL,
        log_format="formatted",
        typical_duration_s=540,
        big_log=True,
        tags=("product",),
    ),
)

# Shown only with includeDeleted=true: a connection deleted last quarter.
DELETED_CONNECTION = ConnectionSpec(
    "Legacy Postgres → Redshift (old)",
    "Postgres",
    "Redshift",
    (_db("orders", 50_000), _db("customers", 20_000)),
    MANUAL,
    status="deprecated",
)

# --- scaled-workspace building blocks -------------------------------------------------

SCALED_SOURCES: tuple[tuple[str, tuple[str, ...], bool], ...] = (
    ("Postgres", ("orders", "customers", "payments", "products", "invoices", "events"), True),
    ("MySQL", ("orders", "users", "inventory", "audit_log"), True),
    ("Stripe", ("charges", "customers", "invoices", "subscriptions", "refunds"), False),
    ("Salesforce", ("Account", "Contact", "Opportunity", "Lead"), True),
    ("HubSpot", ("contacts", "companies", "deals", "engagements"), False),
    ("Shopify", ("orders", "products", "customers", "transactions"), False),
    ("Zendesk Support", ("tickets", "users", "organizations"), False),
    ("MongoDB", ("events", "sessions", "users"), True),
    ("Google Ads", ("campaigns", "ad_groups", "keyword_view"), False),
    ("GitHub", ("issues", "pull_requests", "commits"), False),
)
SCALED_DESTINATIONS: tuple[str, ...] = ("Snowflake", "BigQuery", "Redshift", "Databricks", "S3", "Postgres")
SCALED_QUALIFIERS: tuple[str, ...] = (
    "prod",
    "eu",
    "us",
    "billing",
    "analytics",
    "legacy",
    "staging",
    "apac",
    "core",
    "growth",
    "ops",
    "finance",
)


# --- failures ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FailureTemplate:
    """A realistic `FailureReason`. `{source}`/`{destination}`/`{stream}` are filled per job."""

    origin: str
    failure_type: str
    external: str
    internal: str
    stacktrace: str
    retryable: bool
    from_trace_message: bool = True
    stream_scoped: bool = False


JAVA_SOCKET_TRACE = """java.net.SocketTimeoutException: Read timed out
\tat java.base/sun.nio.ch.NioSocketImpl.timedRead(NioSocketImpl.java:288)
\tat java.base/sun.nio.ch.NioSocketImpl.implRead(NioSocketImpl.java:314)
\tat org.postgresql.core.VisibleBufferedInputStream.readMore(VisibleBufferedInputStream.java:161)
\tat org.postgresql.core.PGStream.receiveChar(PGStream.java:467)
\tat org.postgresql.core.v3.QueryExecutorImpl.processResults(QueryExecutorImpl.java:2155)
\tat io.airbyte.cdk.integrations.source.relationaldb.AbstractDbSource.queryTableIncremental(AbstractDbSource.java:412)
\tat io.airbyte.cdk.integrations.source.relationaldb.AbstractDbSource.read(AbstractDbSource.java:180)"""

PYTHON_HTTP_TRACE = """Traceback (most recent call last):
  File "/airbyte/integration_code/main.py", line 9, in <module>
    run()
  File "/usr/local/lib/python3.10/site-packages/airbyte_cdk/entrypoint.py", line 233, in launch
    for message in source_entrypoint.run(parsed_args):
  File "/usr/local/lib/python3.10/site-packages/airbyte_cdk/sources/streams/http/http_client.py", line 424, in send_request
    response = self._send_with_retry(request, request_kwargs, log_formatter, exit_on_rate_limit)
  File "/usr/local/lib/python3.10/site-packages/airbyte_cdk/sources/streams/http/http_client.py", line 370, in _handle_error_resolution
    raise MessageRepresentationAirbyteTracedErrors(
airbyte_cdk.utils.traced_exception.AirbyteTracedException: Request to {url} failed with status code 429 and error message Too Many Requests"""

PYTHON_AUTH_TRACE = """Traceback (most recent call last):
  File "/usr/local/lib/python3.10/site-packages/airbyte_cdk/sources/abstract_source.py", line 133, in read
    yield from self._read_stream(
  File "/usr/local/lib/python3.10/site-packages/airbyte_cdk/sources/streams/http/requests_native_auth/abstract_oauth.py", line 87, in refresh_access_token
    response.raise_for_status()
requests.exceptions.HTTPError: 401 Client Error: Unauthorized for url: {url}"""

SNOWFLAKE_TRACE = """net.snowflake.client.jdbc.SnowflakeSQLException: SQL compilation error:
Object 'AIRBYTE_RAW.{stream_upper}' does not exist or not authorized.
\tat net.snowflake.client.jdbc.SnowflakeUtil.checkErrorAndThrowExceptionSub(SnowflakeUtil.java:127)
\tat net.snowflake.client.core.StmtUtil.pollForOutput(StmtUtil.java:442)
\tat io.airbyte.integrations.base.destination.typing_deduping.DefaultTyperDeduper.typeAndDedupeStream(DefaultTyperDeduper.kt:214)
\tat io.airbyte.cdk.integrations.destination.async.AsyncStreamConsumer.close(AsyncStreamConsumer.kt:193)"""

HEARTBEAT_TRACE = """io.airbyte.workers.exception.WorkloadHeartbeatException: Workload Heartbeat Error
\tat io.airbyte.container.orchestrator.worker.ReplicationWorkerHelper.checkHeartbeat(ReplicationWorkerHelper.kt:287)
\tat io.airbyte.container.orchestrator.worker.ReplicationWorker.run(ReplicationWorker.kt:141)"""

DEST_IO_TRACE = """com.google.cloud.bigquery.BigQueryException: Connection reset
\tat com.google.cloud.bigquery.spi.v2.HttpBigQueryRpc.translate(HttpBigQueryRpc.java:115)
\tat com.google.cloud.bigquery.spi.v2.HttpBigQueryRpc.write(HttpBigQueryRpc.java:790)
\tat io.airbyte.integrations.destination.bigquery.BigQueryDirectUploader.upload(BigQueryDirectUploader.kt:58)
Caused by: java.net.SocketException: Connection reset
\tat java.base/sun.nio.ch.NioSocketImpl.implRead(NioSocketImpl.java:328)"""

RETRYABLE_FAILURES: tuple[FailureTemplate, ...] = (
    FailureTemplate(
        "source",
        "transient_error",
        "Rate limit exceeded while reading from {source}. The sync will be retried.",
        "Request to {url} failed with status code 429 and error message Too Many Requests",
        PYTHON_HTTP_TRACE,
        True,
        stream_scoped=True,
    ),
    FailureTemplate(
        "source",
        "system_error",
        "Something went wrong in the connector. See the logs for more details.",
        "java.net.SocketTimeoutException: Read timed out",
        JAVA_SOCKET_TRACE,
        True,
        stream_scoped=True,
    ),
    FailureTemplate(
        "destination",
        "transient_error",
        "Connection to {destination} was reset while loading records.",
        "java.net.SocketException: Connection reset",
        DEST_IO_TRACE,
        True,
    ),
    FailureTemplate(
        "replication",
        "heartbeat_timeout",
        "Airbyte detected that the Source didn't send any records in the last 3 hours, exceeding the configured 3 hour threshold. Airbyte will try reading again on the next sync.",
        "io.airbyte.workers.exception.WorkloadHeartbeatException: Workload Heartbeat Error",
        HEARTBEAT_TRACE,
        True,
        from_trace_message=False,
    ),
)

FATAL_FAILURES: tuple[FailureTemplate, ...] = (
    FailureTemplate(
        "source",
        "config_error",
        "Unable to refresh the {source} access token: the refresh token has been revoked. Re-authenticate the source.",
        "requests.exceptions.HTTPError: 401 Client Error: Unauthorized for url: {url}",
        PYTHON_AUTH_TRACE,
        False,
    ),
    FailureTemplate(
        "destination",
        "system_error",
        "Failed to finalize the {stream} table in {destination}: object does not exist or not authorized.",
        "net.snowflake.client.jdbc.SnowflakeSQLException: SQL compilation error",
        SNOWFLAKE_TRACE,
        False,
        stream_scoped=True,
    ),
)

CANCELLATION_FAILURE = FailureTemplate(
    "airbyte_platform",
    "manual_cancellation",
    "The sync was cancelled.",
    "io.temporal.failure.CanceledFailure: Job was cancelled by a user request",
    "",
    False,
    from_trace_message=False,
)
