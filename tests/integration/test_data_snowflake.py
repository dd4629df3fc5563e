"""Reading a Snowflake destination: `fakesnow` behind the real `snowflake-connector-python` and snowflake-sqlalchemy.

fakesnow patches `snowflake.connector.connect` in-process, so the whole path
is the production one (destination config → URL with the password from
SNOWFLAKE_PASSWORD → SQLAlchemy engine → upper-case Airbyte tables), with
DuckDB answering underneath. BigQuery has no such fake: its live path is skipped.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from airsync_tui.providers.airbyte.destination_sql import SecretSource
from airsync_tui.providers.airbyte.sql_access import QueryRefused, build_sql_cache

CONNECTION = {
    "connectionId": "c",
    "destinationId": "d",
    "prefix": "sf_",
    "namespaceDefinition": "source",
    "configurations": {
        "streams": [
            {
                "name": "Account",
                "namespace": "salesforce",
                "syncMode": "incremental_deduped_history",
            }
        ]
    },
}
DESTINATION = {
    "destinationId": "d",
    "name": "Snowflake prod",
    "destinationType": "snowflake",
    "configuration": {
        "host": "acme-xy12345.snowflakecomputing.com",
        "database": "ANALYTICS",
        "schema": "AIRBYTE",
        "warehouse": "WH",
        "role": "AIRBYTE_ROLE",
        "username": "LOADER",
        "credentials": {"auth_type": "Username and Password", "password": "**********"},
    },
}


@pytest.fixture()
def snowflake_db() -> Iterator[None]:
    # Imported here, not at module level: the stack costs ~1.5 s of import on every xdist worker's collection.
    try:
        import fakesnow
        import snowflake.connector
        import snowflake.sqlalchemy  # registers the dialect build_sql_cache uses
    except (ImportError, AttributeError) as exc:  # a connector too new for fakesnow (5.x) fails at import
        pytest.skip(f"fakesnow + snowflake-connector-python unavailable ({type(exc).__name__}: {exc})")
    with fakesnow.patch():
        conn = snowflake.connector.connect(database="ANALYTICS", schema="SALESFORCE", password="pw")
        cur = conn.cursor()
        cur.execute("CREATE SCHEMA IF NOT EXISTS ANALYTICS.SALESFORCE")
        cur.execute(
            "CREATE TABLE ANALYTICS.SALESFORCE.SF_ACCOUNT (_AIRBYTE_RAW_ID VARCHAR, _AIRBYTE_EXTRACTED_AT TIMESTAMP_TZ,"
            " _AIRBYTE_META VARIANT, _AIRBYTE_GENERATION_ID NUMBER, ID NUMBER, NAME VARCHAR)"
        )
        cur.execute(
            "INSERT INTO ANALYTICS.SALESFORCE.SF_ACCOUNT VALUES"
            " ('a', '2026-11-30 10:00:00+00:00', NULL, 0, 1, 'Acme'),"
            " ('b', '2026-11-30 11:00:00+00:00', NULL, 0, 2, 'Globex')"
        )
        conn.close()
        yield


def test_snowflake_through_sqlalchemy_and_the_real_connector(
    snowflake_db: None,
) -> None:
    cache = build_sql_cache(CONNECTION, DESTINATION, SecretSource(env={"SNOWFLAKE_PASSWORD": "pw"}))
    try:
        ref = cache.table("Account")
        assert (ref.schema, ref.name) == (
            "SALESFORCE",
            "SF_ACCOUNT",
        )  # source namespace, prefix, upper case
        assert (cache.database_name, cache.schema_name) == ("ANALYTICS", "AIRBYTE")
        result = cache.run_sql_query("SELECT NAME FROM ANALYTICS.SALESFORCE.SF_ACCOUNT ORDER BY ID")
        assert [row[0] for row in result.rows] == ["Acme", "Globex"]
        summary = cache.summary("Account", latest=1)
        assert summary.exists and summary.row_count == 2
        assert [c.name for c in summary.columns][:2] == [
            "_AIRBYTE_RAW_ID",
            "_AIRBYTE_EXTRACTED_AT",
        ]
        assert summary.newest_extracted_at is not None and summary.newest_extracted_at.hour == 11
        with pytest.raises(QueryRefused, match="INSERT"):
            cache.run_sql_query("INSERT INTO ANALYTICS.SALESFORCE.SF_ACCOUNT (ID) VALUES (3)")
    finally:
        cache.dispose()


def test_bigquery_live_path_is_not_exercised() -> None:
    pytest.skip("BigQuery has no local fake: configuration mapping and naming are tested in tests/unit/test_destination_sql.py")
