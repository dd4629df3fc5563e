"""Destination configuration → SQL target, table naming, secrets and the read-only guard (no database)."""

from __future__ import annotations

from pathlib import Path

import pytest

from airsync_tui.providers.airbyte.destination_sql import (
    Destination,
    MissingDriver,
    MissingSecret,
    SecretSource,
    UnsupportedDestination,
    require_driver,
    sql_target,
    stream_tables,
)
from airsync_tui.providers.airbyte.sql_access import QueryRefused, check_read_only

MASK = "**********"


def dest(kind: str, **config: object) -> Destination:
    return Destination("d-1", f"My {kind}", kind, dict(config))


def connection(
    definition: str = "destination",
    *,
    prefix: str | None = None,
    fmt: str | None = None,
) -> dict[str, object]:
    body: dict[str, object] = {
        "connectionId": "c-1",
        "destinationId": "d-1",
        "namespaceDefinition": definition,
        "configurations": {
            "streams": [
                {
                    "name": "orders",
                    "namespace": "public",
                    "syncMode": "incremental_append",
                    "primaryKey": [["id"]],
                },
                {
                    "name": "Line-Items",
                    "namespace": "shop",
                    "syncMode": "full_refresh_overwrite",
                },
                {
                    "name": "users",
                    "syncMode": "incremental_deduped_history",
                    "destinationObjectName": "app_users",
                },
            ]
        },
    }
    if prefix is not None:
        body["prefix"] = prefix
    if fmt is not None:
        body["namespaceFormat"] = fmt
    return body


def test_duckdb_maps_to_a_read_only_file_engine() -> None:
    target = sql_target(
        dest("duckdb", destination_path="/data/warehouse.duckdb", schema="analytics"),
        SecretSource(env={}),
    )
    assert target.kind == "duckdb"
    assert target.url.drivername == "duckdb" and target.url.database == "/data/warehouse.duckdb"
    assert target.connect_args == {"read_only": True}
    assert (target.database, target.default_schema) == ("warehouse", "analytics")


def test_duckdb_default_schema_is_main_and_motherduck_is_detected() -> None:
    assert sql_target(dest("duckdb", destination_path="/tmp/x.duckdb"), SecretSource(env={})).default_schema == "main"
    md = sql_target(
        dest("duckdb", destination_path="md:prod", motherduck_api_key=MASK),
        SecretSource(env={"MOTHERDUCK_API_KEY": "tok"}),
    )
    assert md.kind == "motherduck" and md.url.database == "md:prod"
    assert md.connect_args == {"config": {"motherduck_token": "tok"}}


def test_postgres_takes_the_masked_password_from_env_and_opens_read_only() -> None:
    config = {
        "host": "db.internal",
        "port": 6543,
        "database": "analytics",
        "schema": "raw",
        "username": "airbyte",
        "password": MASK,
        "ssl_mode": {"mode": "require"},
    }
    target = sql_target(
        dest("postgres", **config),
        SecretSource(env={"POSTGRES_PASSWORD": "pw-from-env"}),
        timeout_s=12,
    )
    assert target.url.drivername == "postgresql+psycopg"
    assert (
        target.url.host,
        target.url.port,
        target.url.database,
        target.url.username,
    ) == ("db.internal", 6543, "analytics", "airbyte")
    assert target.url.password == "pw-from-env"
    assert dict(target.url.query) == {"sslmode": "require"}
    assert "default_transaction_read_only=on" in target.connect_args["options"]
    assert "statement_timeout=12000" in target.connect_args["options"]
    assert "pw-from-env" not in repr(target) and "pw-from-env" not in target.describe()


def test_masked_secret_is_never_used_and_the_missing_variable_is_named() -> None:
    with pytest.raises(MissingSecret) as err:
        sql_target(
            dest("postgres", host="h", database="d", username="u", password=MASK),
            SecretSource(env={}),
        )
    assert "POSTGRES_PASSWORD" in err.value.one_line() and MASK not in err.value.one_line()
    with pytest.raises(MissingSecret) as err:
        sql_target(
            dest(
                "snowflake",
                host="acct.snowflakecomputing.com",
                credentials={"password": MASK},
            ),
            SecretSource(env={}),
        )
    assert "SNOWFLAKE_PASSWORD" in err.value.one_line()
    with pytest.raises(MissingSecret) as err:
        sql_target(
            dest("bigquery", project_id="p", dataset_id="d", credentials_json=MASK),
            SecretSource(env={}),
        )
    assert "BIGQUERY_CREDENTIALS_PATH" in err.value.one_line()


def test_profile_section_supplies_secrets_by_destination_id_before_type(
    tmp_path: Path,
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[profiles.prod.destinations.snowflake]\npassword = "by-type"\n[profiles.prod.destinations."d-1"]\npassword = "by-id"\n',
        encoding="utf-8",
    )
    source = SecretSource.from_profile(config, "prod", env={})
    target = sql_target(
        dest(
            "snowflake",
            host="acct.snowflakecomputing.com",
            database="DB",
            username="U",
            credentials={"password": MASK},
        ),
        source,
    )
    assert target.url.password == "by-id"
    env_wins = SecretSource.from_profile(config, "prod", env={"SNOWFLAKE_PASSWORD": "from-env"})
    assert (
        sql_target(
            dest(
                "snowflake",
                host="acct.snowflakecomputing.com",
                credentials={"password": MASK},
            ),
            env_wins,
        ).url.password
        == "from-env"
    )


def test_snowflake_and_bigquery_mapping() -> None:
    sf = sql_target(
        dest(
            "snowflake",
            host="acme-xy123.snowflakecomputing.com",
            database="ANALYTICS",
            schema="AIRBYTE",
            username="LOADER",
            warehouse="WH",
            role="R",
            credentials={"auth_type": "Username and Password", "password": MASK},
        ),
        SecretSource(env={"SNOWFLAKE_PASSWORD": "p"}),
    )
    assert (sf.url.host, sf.url.database, sf.url.username) == (
        "acme-xy123",
        "ANALYTICS/AIRBYTE",
        "LOADER",
    )
    assert dict(sf.url.query) == {"warehouse": "WH", "role": "R"}
    bq = sql_target(
        dest(
            "bigquery",
            project_id="acme-analytics",
            dataset_id="airbyte",
            dataset_location="EU",
            credentials_json=MASK,
        ),
        SecretSource(env={"BIGQUERY_CREDENTIALS_PATH": "/keys/sa.json"}),
    )
    assert str(bq.url) == "bigquery://acme-analytics/airbyte"
    assert bq.engine_kwargs == {"credentials_path": "/keys/sa.json", "location": "EU"}
    assert (bq.database, bq.default_schema, bq.dialect) == (
        "acme-analytics",
        "airbyte",
        "bigquery",
    )


def test_unsupported_destination_is_one_line() -> None:
    with pytest.raises(UnsupportedDestination) as err:
        sql_target(dest("s3", bucket="b"), SecretSource(env={}))
    assert "not supported" in err.value.one_line() and "Snowflake" in err.value.one_line()


def test_missing_driver_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name.startswith("sqlalchemy_bigquery") else real(name, *a),
    )
    with pytest.raises(MissingDriver) as err:
        require_driver("bigquery")
    assert "pip install 'airsync-tui[bigquery]'" in err.value.one_line()
    require_driver("duckdb")  # built in


@pytest.mark.parametrize(
    ("kind", "definition", "expected"),
    [
        (
            "postgres",
            "destination",
            {
                "orders": ("raw", "pg_orders"),
                "Line-Items": ("raw", "pg_line_items"),
                "users": ("raw", "app_users"),
            },
        ),
        (
            "postgres",
            "source",
            {
                "orders": ("public", "pg_orders"),
                "Line-Items": ("shop", "pg_line_items"),
                "users": ("raw", "app_users"),
            },
        ),
        (
            "snowflake",
            "source",
            {
                "orders": ("PUBLIC", "PG_ORDERS"),
                "Line-Items": ("SHOP", "PG_LINE_ITEMS"),
                "users": ("RAW", "APP_USERS"),
            },
        ),
        (
            "bigquery",
            "source",
            {
                "orders": ("public", "pg_orders"),
                "Line-Items": ("shop", "pg_Line_Items"),
                "users": ("raw", "app_users"),
            },
        ),
    ],
)
def test_table_naming_follows_namespace_rules_prefix_and_case(kind: str, definition: str, expected: dict[str, tuple[str, str]]) -> None:
    configs = {
        "postgres": {
            "host": "h",
            "database": "db",
            "schema": "raw",
            "username": "u",
            "password": "plain",
        },
        "snowflake": {
            "host": "a.snowflakecomputing.com",
            "database": "DB",
            "schema": "raw",
            "username": "u",
            "credentials": {"password": "plain"},
        },
        "bigquery": {"project_id": "p", "dataset_id": "raw"},
    }
    secrets = SecretSource(env={"BIGQUERY_CREDENTIALS_PATH": "/k.json"})
    target = sql_target(dest(kind, **configs[kind]), secrets)
    tables = stream_tables(connection(definition, prefix="pg_"), target)
    assert {name: (t.schema, t.name) for name, t in tables.items()} == expected
    raw = tables["orders"]
    assert raw.raw_schema == target.normalize("airbyte_internal")
    assert raw.raw_name == target.normalize(f"{'public' if definition == 'source' else 'raw'}_raw__stream_pg_orders")
    assert tables["orders"].primary_key == (("id",),)


def test_custom_namespace_format() -> None:
    target = sql_target(dest("duckdb", destination_path="/x.duckdb"), SecretSource(env={}))
    tables = stream_tables(connection("custom_format", fmt="airbyte_${SOURCE_NAMESPACE}"), target)
    assert tables["orders"].schema == "airbyte_public" and tables["Line-Items"].schema == "airbyte_shop"
    assert tables["users"].schema == "airbyte_"  # no source namespace: the literal part remains


@pytest.mark.parametrize(
    "sql",
    [
        "select 1",
        "SELECT * FROM t WHERE a = 1;",
        "with x as (select 1 a) select a from x",
        "select 1 union all select 2",
        "describe t",
    ],
)
def test_guard_accepts_read_only_statements(sql: str) -> None:
    assert check_read_only(sql, "duckdb").lower().startswith(("select", "with", "describe"))


@pytest.mark.parametrize(
    ("sql", "word"),
    [
        ("delete from t", "DELETE"),
        ("update t set a = 1", "UPDATE"),
        ("insert into t values (1)", "INSERT"),
        ("drop table t", "DROP"),
        ("create table x as select 1", "CREATE"),
        ("select * into x from t", "INTO"),
        ("select 1; drop table t", "2 statements"),
        ("copy t to 'out.csv'", "COPY"),
        ("attach 'x.db' as y", "ATTACH"),
        ("", "empty"),
        ("selec 1 frm", "could not parse"),
    ],
)
def test_guard_refuses_anything_else_and_says_why(sql: str, word: str) -> None:
    with pytest.raises(QueryRefused) as err:
        check_read_only(sql, "postgres" if "into x" in sql else "duckdb")
    assert word in err.value.one_line()
