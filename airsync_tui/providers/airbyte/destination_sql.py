"""From an Airbyte destination's configuration to a SQL target: URL, credentials, table names.

Why this exists: after a sync the operator wants to read the rows that landed.
The public API gives the destination's configuration (`GET /destinations/{id}`)
with secrets masked (`**********`), so the mapping below (after PyAirbyte's
`destination_to_cache`) builds a SQLAlchemy URL from the non-secret fields and
takes each secret from the environment (PyAirbyte's variable names where it
has one) or from a profile section:

    [profiles.prod.destinations.snowflake]          # by destination type …
    password = "..."
    [profiles.prod.destinations."<destinationId>"]  # … or by destination id (wins)
    password = "..."

A masked value is never sent as a credential. A missing secret or driver is one
line naming the variable or the extra to install.

Table naming follows Airbyte's destinations (Destinations V2): the namespace
comes from the connection's `namespaceDefinition` (source / destination /
custom_format), the stream prefix is prepended, final tables carry
`_airbyte_raw_id`, `_airbyte_extracted_at`, `_airbyte_meta`,
`_airbyte_generation_id`, raw tables live under `airbyte_internal`, and each
warehouse's identifier case rule applies (Snowflake upper-case, Postgres and
DuckDB lower-case, BigQuery case-preserving).
"""

from __future__ import annotations

import importlib.util
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from airsync_tui.errors import ConfigError

MASK_MARKER = "****"
RAW_SCHEMA = "airbyte_internal"
AIRBYTE_COLUMNS = (
    "_airbyte_raw_id",
    "_airbyte_extracted_at",
    "_airbyte_meta",
    "_airbyte_generation_id",
)

#: Environment variables per (destination kind, secret). PyAirbyte's names first.
SECRET_ENV: dict[tuple[str, str], tuple[str, ...]] = {
    ("snowflake", "password"): ("SNOWFLAKE_PASSWORD",),
    ("bigquery", "credentials_path"): ("BIGQUERY_CREDENTIALS_PATH",),
    ("postgres", "password"): ("POSTGRES_PASSWORD", "PGPASSWORD"),
    ("motherduck", "api_key"): ("MOTHERDUCK_API_KEY", "MOTHERDUCK_TOKEN"),
}

#: Driver module and pip extra per kind (DuckDB ships with the base install).
DRIVERS: dict[str, tuple[str, str]] = {
    "duckdb": ("duckdb_engine", "airsync-tui"),
    "motherduck": ("duckdb_engine", "airsync-tui"),
    "postgres": ("psycopg", "airsync-tui[postgres]"),
    "snowflake": ("snowflake.sqlalchemy", "airsync-tui[snowflake]"),
    "bigquery": ("sqlalchemy_bigquery", "airsync-tui[bigquery]"),
}
SUPPORTED_KINDS = ("duckdb", "motherduck", "postgres", "snowflake", "bigquery")


class UnsupportedDestination(ConfigError):
    """The destination is not a SQL warehouse airsync can read (S3, Redshift, …)."""


class MissingSecret(ConfigError):
    """A masked secret with no replacement in the environment or profile."""


class MissingDriver(ConfigError):
    """The SQLAlchemy driver for this destination is not installed."""


@dataclass(frozen=True)
class Destination:
    """`DestinationResponse` fields this module reads."""

    destination_id: str
    name: str
    destination_type: str
    configuration: Mapping[str, Any]

    @classmethod
    def from_wire(cls, body: Mapping[str, Any]) -> Destination:
        raw = body.get("configuration")
        config: dict[str, Any] = raw if isinstance(raw, dict) else {}
        return cls(
            destination_id=str(body.get("destinationId") or ""),
            name=str(body.get("name") or ""),
            destination_type=str(body.get("destinationType") or config.get("destinationType") or ""),
            configuration=config,
        )


@dataclass(frozen=True)
class SqlTarget:
    """Everything needed to open a read-only engine and name tables.

    `url` may embed a password: it is built with SQLAlchemy's `URL` whose
    `repr`/`str` hide it, and `describe()` never shows it.
    """

    kind: str
    url: Any  # sqlalchemy.engine.URL (typed loosely so this module imports without SQLAlchemy's stubs)
    database: str
    default_schema: str
    connect_args: Mapping[str, Any] = field(default_factory=dict)
    engine_kwargs: Mapping[str, Any] = field(default_factory=dict)

    @property
    def dialect(self) -> str:
        """sqlglot dialect name."""
        return {
            "motherduck": "duckdb",
            "bigquery": "bigquery",
            "snowflake": "snowflake",
            "postgres": "postgres",
        }.get(self.kind, "duckdb")

    def normalize(self, name: str) -> str:
        return normalize_identifier(self.kind, name)

    def describe(self) -> str:
        return f"{self.kind} {self.database}.{self.default_schema}"


def destination_kind(destination: Destination) -> str:
    """`duckdb`, `motherduck`, `postgres`, `snowflake`, `bigquery` or the raw type (unsupported)."""
    raw = destination.destination_type.strip().lower().replace("destination-", "")
    if raw == "duckdb":
        path = str(destination.configuration.get("destination_path") or "")
        if path.startswith("md:") or destination.configuration.get("motherduck_api_key"):
            return "motherduck"
    return raw


def normalize_identifier(kind: str, name: str) -> str:
    """An Airbyte stream/namespace name as the destination stores it."""
    cleaned = re.sub(r"[^0-9A-Za-z_]", "_", name)
    if cleaned and cleaned[0].isdigit():
        cleaned = "_" + cleaned
    if kind == "snowflake":
        return cleaned.upper()
    if kind == "bigquery":
        return cleaned
    return cleaned.lower()


# --------------------------------------------------------------------------- secrets


@dataclass(frozen=True)
class SecretSource:
    """Where secrets come from: the environment and the profile file (injected for tests)."""

    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    profile_sections: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @classmethod
    def from_profile(
        cls,
        config_path: Path | None,
        profile_name: str | None,
        env: Mapping[str, str] | None = None,
    ) -> SecretSource:
        """Read `[profiles.<name>.destinations.*]` from the config file (absent file → env only)."""
        sections: dict[str, Mapping[str, Any]] = {}
        if config_path is not None and profile_name and config_path.is_file():
            try:
                document = tomllib.loads(config_path.read_text(encoding="utf-8"))
            except (OSError, tomllib.TOMLDecodeError) as exc:
                raise ConfigError(f"{config_path}: cannot read destination secrets ({type(exc).__name__})") from None
            profile = (document.get("profiles") or {}).get(profile_name) or {}
            destinations = profile.get("destinations") if isinstance(profile, dict) else None
            if isinstance(destinations, dict):
                sections = {str(k): v for k, v in destinations.items() if isinstance(v, dict)}
        return cls(env=dict(os.environ) if env is None else env, profile_sections=sections)

    def lookup(self, destination: Destination, kind: str, secret: str, configured: Any) -> str:
        """The secret's value: env (PyAirbyte names) > profile section (id, then type) > unmasked config."""
        names = SECRET_ENV.get((kind, secret), ())
        for name in names:
            value = self.env.get(name)
            if value:
                return value
        for key in (
            destination.destination_id,
            kind,
            destination.destination_type.lower(),
        ):
            section = self.profile_sections.get(key)
            if section and section.get(secret):
                return str(section[secret])
        if isinstance(configured, str) and configured and MASK_MARKER not in configured:
            return configured
        where = " or ".join(names) if names else "no environment variable"
        raise MissingSecret(
            f"{destination.name or kind}: the {secret} is masked by the API and not set",
            hint=f"export {where}, or set {secret} in [profiles.<name>.destinations.{kind}] of the config file",
        )


# --------------------------------------------------------------------------- mapping


def require_driver(kind: str) -> None:
    """One line naming the extra to install when the driver is absent."""
    module, extra = DRIVERS[kind]
    try:
        found = importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        found = False
    if not found:
        raise MissingDriver(
            f"reading {kind} needs the {module.split('.')[0]} driver",
            hint=f"pip install '{extra}'",
        )


def sql_target(
    destination: Destination,
    secrets: SecretSource | None = None,
    *,
    timeout_s: float = 30.0,
) -> SqlTarget:
    """Map a destination configuration to a `SqlTarget` (no connection is opened)."""
    from sqlalchemy.engine import URL

    secrets = secrets or SecretSource()
    kind = destination_kind(destination)
    config = destination.configuration
    if kind not in SUPPORTED_KINDS:
        raise UnsupportedDestination(
            f"{destination.name or destination.destination_type}: reading {destination.destination_type or 'this'} destinations is not supported",
            hint="supported: DuckDB, MotherDuck, Postgres, Snowflake, BigQuery",
        )
    if kind == "duckdb":
        path = str(config.get("destination_path") or "")
        if not path:
            raise ConfigError(f"{destination.name}: the DuckDB destination has no destination_path")
        if path.startswith("/local/"):
            # The connector mounts <project>/destination-duckdb at /local (PyAirbyte's rule).
            path = str(Path(secrets.env.get("AIRSYNC_DUCKDB_LOCAL_ROOT", "destination-duckdb")) / path[len("/local/") :])
        return SqlTarget(
            kind,
            URL.create("duckdb", database=path),
            Path(path).stem,
            str(config.get("schema") or "main"),
            connect_args={"read_only": True},
        )
    if kind == "motherduck":
        token = secrets.lookup(destination, kind, "api_key", config.get("motherduck_api_key"))
        database = str(config.get("destination_path") or "md:").removeprefix("md:") or "my_db"
        return SqlTarget(
            kind,
            URL.create("duckdb", database=f"md:{database}"),
            database,
            str(config.get("schema") or "main"),
            connect_args={"config": {"motherduck_token": token}},
        )
    if kind == "postgres":
        password = secrets.lookup(destination, kind, "password", config.get("password"))
        ssl = config.get("ssl_mode")
        query: dict[str, str] = {}
        if isinstance(ssl, dict) and isinstance(ssl.get("mode"), str):
            query["sslmode"] = ssl["mode"]
        url = URL.create(
            "postgresql+psycopg",
            username=str(config.get("username") or ""),
            password=password,
            host=str(config.get("host") or "localhost"),
            port=int(config.get("port") or 5432),
            database=str(config.get("database") or ""),
            query=query,
        )
        options = f"-c default_transaction_read_only=on -c statement_timeout={int(timeout_s * 1000)}"
        return SqlTarget(
            kind,
            url,
            str(config.get("database") or ""),
            str(config.get("schema") or "public"),
            connect_args={"options": options, "connect_timeout": 10},
        )
    if kind == "snowflake":
        credentials = config.get("credentials") if isinstance(config.get("credentials"), dict) else {}
        password = secrets.lookup(
            destination,
            kind,
            "password",
            credentials.get("password") if credentials else config.get("password"),
        )
        host = str(config.get("host") or "")
        account = host.split(".snowflakecomputing")[0].removeprefix("https://")
        database = str(config.get("database") or "")
        schema = str(config.get("schema") or "PUBLIC")
        query = {k: str(config[k]) for k in ("warehouse", "role") if config.get(k)}
        url = URL.create(
            "snowflake",
            username=str(config.get("username") or ""),
            password=password,
            host=account,
            database=f"{database}/{schema}" if database else None,
            query=query,
        )
        return SqlTarget(
            kind,
            url,
            database,
            schema,
            connect_args={"login_timeout": 20, "network_timeout": int(timeout_s)},
        )
    # bigquery
    credentials_path = secrets.lookup(destination, kind, "credentials_path", None)
    project = str(config.get("project_id") or "")
    dataset = str(config.get("dataset_id") or "")
    url = URL.create("bigquery", host=project, database=dataset or None)
    return SqlTarget(
        kind,
        url,
        project,
        dataset,
        engine_kwargs={
            "credentials_path": credentials_path,
            "location": config.get("dataset_location"),
        },
    )


# --------------------------------------------------------------------------- table naming


@dataclass(frozen=True)
class StreamTable:
    """Where one stream's rows live: the final table and Airbyte's raw table."""

    stream: str
    schema: str
    name: str
    raw_schema: str
    raw_name: str
    sync_mode: str | None = None
    primary_key: tuple[tuple[str, ...], ...] = ()

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"


def stream_namespace(connection: Mapping[str, Any], stream: Mapping[str, Any], default_schema: str) -> str:
    """Airbyte's namespace rule: `source`, `destination` (default) or `custom_format`."""
    definition = str(connection.get("namespaceDefinition") or "destination")
    source_ns = stream.get("namespace")
    if definition == "source":
        return str(source_ns) if source_ns else default_schema
    if definition in ("custom_format", "customformat"):
        fmt = str(connection.get("namespaceFormat") or "")
        resolved = fmt.replace("${SOURCE_NAMESPACE}", str(source_ns or "")).strip()
        return resolved or default_schema
    return default_schema


def stream_tables(connection: Mapping[str, Any], target: SqlTarget) -> dict[str, StreamTable]:
    """Every configured stream of a connection (public `ConnectionResponse`) → its tables."""
    prefix = str(connection.get("prefix") or "")
    streams = ((connection.get("configurations") or {}).get("streams")) or []
    result: dict[str, StreamTable] = {}
    for stream in streams:
        if not isinstance(stream, dict) or not stream.get("name"):
            continue
        name = str(stream["name"])
        namespace = stream_namespace(connection, stream, target.default_schema)
        table = str(stream.get("destinationObjectName") or f"{prefix}{name}")
        pk = tuple(tuple(str(p) for p in path) for path in stream.get("primaryKey") or [] if isinstance(path, list))
        result[name] = StreamTable(
            stream=name,
            schema=target.normalize(namespace),
            name=target.normalize(table),
            raw_schema=target.normalize(RAW_SCHEMA),
            raw_name=target.normalize(f"{namespace}_raw__stream_{table}"),
            sync_mode=str(stream.get("syncMode")) if stream.get("syncMode") else None,
            primary_key=pk,
        )
    return result


__all__ = [
    "AIRBYTE_COLUMNS",
    "RAW_SCHEMA",
    "SECRET_ENV",
    "SUPPORTED_KINDS",
    "Destination",
    "MissingDriver",
    "MissingSecret",
    "SecretSource",
    "SqlTarget",
    "StreamTable",
    "UnsupportedDestination",
    "destination_kind",
    "normalize_identifier",
    "require_driver",
    "sql_target",
    "stream_namespace",
    "stream_tables",
]
