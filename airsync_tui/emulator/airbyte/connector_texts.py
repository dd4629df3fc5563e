"""Failure texts and API hosts that match the connector that produced them.

The generic failure catalogue picks a *kind* of failure (a transient source
error, a destination connection reset, a revoked credential...). What the
server would actually say depends on the connector: a Snowflake destination
does not throw ``BigQueryException``, a Postgres source is not "rate limited
by the Postgres API", and an HTTP URL in a message is the API's real host,
never an invented one. :func:`connector_failure` turns a generic template into
the one the job's own source or destination would write; the world applies
it when it plans a job, so the attempt's failure reason, its stack trace and
its log lines all say the same thing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from types import MappingProxyType

from airsync_tui.emulator.airbyte.catalog import FailureTemplate

#: Real public API hosts of the HTTP-API sources. Tenant-specific hosts use
#: the reserved ``example`` tenant (the real structure, no invented domain).
API_BASE: Mapping[str, str] = MappingProxyType(
    {
        "Stripe": "https://api.stripe.com/v1",
        "HubSpot": "https://api.hubapi.com/crm/v3/objects",
        "Salesforce": "https://example.my.salesforce.com/services/data/v59.0/sobjects",
        "Zendesk Support": "https://example.zendesk.com/api/v2",
        "GitHub": "https://api.github.com/repos/example/app",
        "Shopify": "https://example.myshopify.com/admin/api/2024-07",
        "Google Ads": "https://googleads.googleapis.com/v17/customers/1234567890/googleAds:search",
        "Jira": "https://example.atlassian.net/rest/api/3",
        "Facebook Marketing": "https://graph.facebook.com/v19.0/act_1234567890",
    }
)
#: Where each API source refreshes its OAuth token (what a 401 names).
TOKEN_URL: Mapping[str, str] = MappingProxyType(
    {
        "HubSpot": "https://api.hubapi.com/oauth/v1/token",
        "Salesforce": "https://login.salesforce.com/services/oauth2/token",
        "Zendesk Support": "https://example.zendesk.com/oauth/tokens",
        "Google Ads": "https://oauth2.googleapis.com/token",
        "Facebook Marketing": "https://graph.facebook.com/v19.0/oauth/access_token",
        "Shopify": "https://example.myshopify.com/admin/oauth/access_token",
        "Jira": "https://auth.atlassian.com/oauth/token",
        "GitHub": "https://github.com/login/oauth/access_token",
    }
)


def is_api_source(source_name: str) -> bool:
    """True for HTTP-API sources (rate limits, OAuth); False for databases and brokers."""
    return source_name in API_BASE


def api_url(source_name: str, stream: str) -> str:
    """The URL a source's request for ``stream`` goes to (only for API sources)."""
    return f"{API_BASE.get(source_name, '')}/{stream or 'objects'}"


# --- database and broker sources ------------------------------------------------------------

_DB_READ_TIMEOUT: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "Postgres": (
            "org.postgresql.util.PSQLException: An I/O error occurred while sending to the backend.",
            "\tat org.postgresql.core.v3.QueryExecutorImpl.execute(QueryExecutorImpl.java:395)\n"
            "\tat org.postgresql.jdbc.PgStatement.executeInternal(PgStatement.java:498)\n"
            "\tat io.airbyte.cdk.integrations.source.relationaldb.AbstractDbSource.queryTableIncremental(AbstractDbSource.java:412)\n"
            "Caused by: java.net.SocketTimeoutException: Read timed out",
        ),
        "MySQL": (
            "com.mysql.cj.jdbc.exceptions.CommunicationsException: Communications link failure",
            "\tat com.mysql.cj.jdbc.exceptions.SQLError.createCommunicationsException(SQLError.java:175)\n"
            "\tat com.mysql.cj.jdbc.ClientPreparedStatement.executeQuery(ClientPreparedStatement.java:1003)\n"
            "\tat io.airbyte.cdk.integrations.source.relationaldb.AbstractDbSource.queryTableIncremental(AbstractDbSource.java:412)\n"
            "Caused by: java.net.SocketTimeoutException: Read timed out",
        ),
        "MongoDB": (
            "com.mongodb.MongoSocketReadTimeoutException: Timeout while receiving message",
            "\tat com.mongodb.internal.connection.InternalStreamConnection.translateReadException(InternalStreamConnection.java:705)\n"
            "\tat com.mongodb.internal.connection.InternalStreamConnection.receiveMessage(InternalStreamConnection.java:577)\n"
            "\tat io.airbyte.integrations.source.mongodb.MongoDbStateIterator.hasNext(MongoDbStateIterator.java:150)\n"
            "Caused by: java.net.SocketTimeoutException: Read timed out",
        ),
        "Kafka": (
            "org.apache.kafka.common.errors.TimeoutException: Timeout of 60000ms expired before the position for partition {stream}-0 could be determined",
            "\tat org.apache.kafka.clients.consumer.internals.ConsumerCoordinator.poll(ConsumerCoordinator.java:517)\n"
            "\tat org.apache.kafka.clients.consumer.KafkaConsumer.poll(KafkaConsumer.java:1261)\n"
            "\tat io.airbyte.integrations.source.kafka.KafkaSource.read(KafkaSource.java:98)",
        ),
    }
)

_DB_AUTH: Mapping[str, str] = MappingProxyType(
    {
        "Postgres": 'org.postgresql.util.PSQLException: FATAL: password authentication failed for user "airbyte"',
        "MySQL": "java.sql.SQLException: Access denied for user 'airbyte'@'10.0.0.12' (using password: YES)",
        "MongoDB": "com.mongodb.MongoSecurityException: Exception authenticating MongoCredential{mechanism=SCRAM-SHA-256, userName='airbyte', source='admin'}",
        "Kafka": "org.apache.kafka.common.errors.SaslAuthenticationException: Authentication failed: Invalid username or password",
    }
)

_PY_READ_TIMEOUT = (
    "Traceback (most recent call last):\n"
    '  File "/usr/local/lib/python3.10/site-packages/airbyte_cdk/sources/streams/http/http_client.py", line 424, in send_request\n'
    "    response = self._send_with_retry(request, request_kwargs, log_formatter, exit_on_rate_limit)\n"
    "requests.exceptions.ReadTimeout: HTTPSConnectionPool(host='{host}', port=443): Read timed out. (read timeout=300)"
)


# --- destinations ---------------------------------------------------------------------------

_DEST_RESET: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "BigQuery": (
            "com.google.cloud.bigquery.BigQueryException: Connection reset",
            "\tat com.google.cloud.bigquery.spi.v2.HttpBigQueryRpc.translate(HttpBigQueryRpc.java:115)\n"
            "\tat com.google.cloud.bigquery.spi.v2.HttpBigQueryRpc.write(HttpBigQueryRpc.java:790)\n"
            "\tat io.airbyte.integrations.destination.bigquery.BigQueryDirectUploader.upload(BigQueryDirectUploader.kt:58)\n"
            "Caused by: java.net.SocketException: Connection reset",
        ),
        "Snowflake": (
            "net.snowflake.client.jdbc.SnowflakeSQLException: JDBC driver encountered communication error. Message: Connection reset.",
            "\tat net.snowflake.client.jdbc.RestRequest.execute(RestRequest.java:291)\n"
            "\tat net.snowflake.client.core.HttpUtil.executeRequestInternal(HttpUtil.java:639)\n"
            "\tat io.airbyte.integrations.destination.snowflake.operation.SnowflakeStagingClient.uploadRecordsToStage(SnowflakeStagingClient.kt:94)\n"
            "Caused by: java.net.SocketException: Connection reset",
        ),
        "Redshift": (
            "com.amazon.redshift.util.RedshiftException: An I/O error occurred while sending to the backend.",
            "\tat com.amazon.redshift.core.v3.QueryExecutorImpl.execute(QueryExecutorImpl.java:378)\n"
            "\tat io.airbyte.integrations.destination.redshift.operations.RedshiftSqlOperations.insertRecordsInternal(RedshiftSqlOperations.java:141)\n"
            "Caused by: java.net.SocketException: Connection reset",
        ),
        "Postgres": (
            "org.postgresql.util.PSQLException: An I/O error occurred while sending to the backend.",
            "\tat org.postgresql.core.v3.QueryExecutorImpl.execute(QueryExecutorImpl.java:395)\n"
            "\tat io.airbyte.cdk.integrations.destination.jdbc.JdbcSqlOperations.insertRecords(JdbcSqlOperations.java:118)\n"
            "Caused by: java.net.SocketException: Connection reset",
        ),
        "S3": (
            "software.amazon.awssdk.core.exception.SdkClientException: Unable to execute HTTP request: Connection reset",
            "\tat software.amazon.awssdk.core.internal.http.pipeline.stages.RetryableStage.execute(RetryableStage.java:47)\n"
            "\tat software.amazon.awssdk.services.s3.DefaultS3Client.uploadPart(DefaultS3Client.java:11873)\n"
            "\tat io.airbyte.cdk.load.file.s3.S3MultipartUpload.uploadPart(S3MultipartUpload.kt:88)\n"
            "Caused by: java.net.SocketException: Connection reset",
        ),
        "Databricks": (
            "java.sql.SQLException: [Databricks][JDBCDriver](500593) Communication link failure. Failed to connect to server. Reason: Connection reset.",
            "\tat com.databricks.client.hivecommon.api.HS2Client.executeStatementInternal(Unknown Source)\n"
            "\tat io.airbyte.integrations.destination.databricks.operation.DatabricksStorageOperation.writeToStage(DatabricksStorageOperation.kt:79)\n"
            "Caused by: java.net.SocketException: Connection reset",
        ),
    }
)

_DEST_MISSING_TABLE: Mapping[str, tuple[str, str, str]] = MappingProxyType(
    {
        "Snowflake": (
            "Failed to finalize the {stream} table in Snowflake: object does not exist or not authorized.",
            "net.snowflake.client.jdbc.SnowflakeSQLException: SQL compilation error",
            "net.snowflake.client.jdbc.SnowflakeSQLException: SQL compilation error:\n"
            "Object 'AIRBYTE_INTERNAL.{stream_upper}_RAW' does not exist or not authorized.\n"
            "\tat net.snowflake.client.jdbc.SnowflakeUtil.checkErrorAndThrowExceptionSub(SnowflakeUtil.java:127)\n"
            "\tat io.airbyte.integrations.base.destination.typing_deduping.DefaultTyperDeduper.typeAndDedupeStream(DefaultTyperDeduper.kt:214)",
        ),
        "BigQuery": (
            "Failed to finalize the {stream} table in BigQuery: the dataset or table was not found.",
            "com.google.cloud.bigquery.BigQueryException: Not found: Table airbyte_internal.{stream}_raw",
            "com.google.cloud.bigquery.BigQueryException: Not found: Table airbyte_internal.{stream}_raw\n"
            "\tat com.google.cloud.bigquery.spi.v2.HttpBigQueryRpc.translate(HttpBigQueryRpc.java:115)\n"
            "\tat io.airbyte.integrations.base.destination.typing_deduping.DefaultTyperDeduper.typeAndDedupeStream(DefaultTyperDeduper.kt:214)",
        ),
        "Redshift": (
            "Failed to finalize the {stream} table in Redshift: the relation does not exist.",
            'com.amazon.redshift.util.RedshiftException: ERROR: relation "airbyte_internal.{stream}_raw" does not exist',
            'com.amazon.redshift.util.RedshiftException: ERROR: relation "airbyte_internal.{stream}_raw" does not exist\n'
            "\tat com.amazon.redshift.core.v3.QueryExecutorImpl.receiveErrorResponse(QueryExecutorImpl.java:2613)\n"
            "\tat io.airbyte.integrations.base.destination.typing_deduping.DefaultTyperDeduper.typeAndDedupeStream(DefaultTyperDeduper.kt:214)",
        ),
        "Postgres": (
            "Failed to finalize the {stream} table in Postgres: the relation does not exist.",
            'org.postgresql.util.PSQLException: ERROR: relation "airbyte_internal.{stream}_raw" does not exist',
            'org.postgresql.util.PSQLException: ERROR: relation "airbyte_internal.{stream}_raw" does not exist\n'
            "\tat org.postgresql.core.v3.QueryExecutorImpl.receiveErrorResponse(QueryExecutorImpl.java:2725)\n"
            "\tat io.airbyte.integrations.base.destination.typing_deduping.DefaultTyperDeduper.typeAndDedupeStream(DefaultTyperDeduper.kt:214)",
        ),
        "S3": (
            "Failed to write the {stream} stream to S3: access to the bucket was denied.",
            "software.amazon.awssdk.services.s3.model.S3Exception: Access Denied (Service: S3, Status Code: 403)",
            "software.amazon.awssdk.services.s3.model.S3Exception: Access Denied (Service: S3, Status Code: 403)\n"
            "\tat software.amazon.awssdk.services.s3.DefaultS3Client.putObject(DefaultS3Client.java:10628)\n"
            "\tat io.airbyte.cdk.load.file.s3.S3Client.putObject(S3Client.kt:122)",
        ),
        "Databricks": (
            "Failed to finalize the {stream} table in Databricks: the table was not found.",
            "java.sql.SQLException: [Databricks][JDBCDriver](500051) ERROR processing query: [TABLE_OR_VIEW_NOT_FOUND] The table or view `airbyte_internal`.`{stream}_raw` cannot be found.",
            "java.sql.SQLException: [Databricks][JDBCDriver](500051) ERROR processing query: [TABLE_OR_VIEW_NOT_FOUND]\n"
            "\tat com.databricks.client.hivecommon.api.HS2Client.executeStatementInternal(Unknown Source)\n"
            "\tat io.airbyte.integrations.base.destination.typing_deduping.DefaultTyperDeduper.typeAndDedupeStream(DefaultTyperDeduper.kt:214)",
        ),
    }
)


def connector_failure(template: FailureTemplate, source_name: str, destination_name: str) -> FailureTemplate:
    """``template`` as this connection's own source or destination would write it."""
    if template.origin == "source":
        return _source_failure(template, source_name)
    if template.origin == "destination":
        return _destination_failure(template, destination_name)
    return template


def _source_failure(template: FailureTemplate, source: str) -> FailureTemplate:
    api = is_api_source(source)
    host = API_BASE.get(source, "").split("/")[2] if api else ""
    if template.failure_type == "config_error":  # revoked credentials
        if api and source not in TOKEN_URL:  # API-key sources (Stripe): the key was revoked
            url = api_url(source, "{stream}")
            return dataclasses.replace(
                template,
                external=f"The {source} API key was rejected (401 Unauthorized). Update the key in the source settings.",
                internal=f"requests.exceptions.HTTPError: 401 Client Error: Unauthorized for url: {url}",
                stacktrace=template.stacktrace.replace("{url}", url),
            )
        if api:
            url = TOKEN_URL[source]
            return dataclasses.replace(
                template,
                internal=f"requests.exceptions.HTTPError: 401 Client Error: Unauthorized for url: {url}",
                stacktrace=template.stacktrace.replace("{url}", url),
            )
        message = _DB_AUTH.get(source, f"{source}: authentication failed")
        return dataclasses.replace(
            template,
            external=f"Could not connect to {source} with the configured credentials. Check the user name and password.",
            internal=message,
            stacktrace=f"{message}\n\tat io.airbyte.cdk.integrations.base.IntegrationRunner.runInternal(IntegrationRunner.java:187)",
        )
    if template.failure_type == "transient_error":  # rate limited (HTTP 429)
        if api:
            return template
        internal, trace = _DB_READ_TIMEOUT.get(source, _DB_READ_TIMEOUT["Postgres"])
        return dataclasses.replace(
            template,
            failure_type="system_error",
            external=f"Reading from {source} timed out. The sync will be retried.",
            internal=internal,
            stacktrace=f"{internal}\n{trace}",
        )
    # system_error: a read timeout, in the connector's own language
    if api:
        trace = _PY_READ_TIMEOUT.replace("{host}", host)
        return dataclasses.replace(template, internal=trace.rsplit("\n", 1)[-1], stacktrace=trace)
    internal, trace = _DB_READ_TIMEOUT.get(source, _DB_READ_TIMEOUT["Postgres"])
    return dataclasses.replace(template, internal=internal, stacktrace=f"{internal}\n{trace}")


def _destination_failure(template: FailureTemplate, destination: str) -> FailureTemplate:
    if template.retryable:
        internal, trace = _DEST_RESET.get(destination, _DEST_RESET["Postgres"])
        return dataclasses.replace(template, internal=internal, stacktrace=f"{internal}\n{trace}")
    external, internal, trace = _DEST_MISSING_TABLE.get(destination, _DEST_MISSING_TABLE["Postgres"])
    return dataclasses.replace(template, external=external, internal=internal, stacktrace=trace)


def rate_limit_warning(source_name: str, seconds: int) -> str | None:
    """The connector's "backing off" line, or None for sources that have no API rate limit."""
    if not is_api_source(source_name):
        return None
    host = API_BASE[source_name].split("/")[2]
    return f"Rate limited by {host} (HTTP 429 Too Many Requests); backing off for {seconds} seconds"


__all__ = [
    "API_BASE",
    "api_url",
    "connector_failure",
    "is_api_source",
    "rate_limit_warning",
]
