"""Airbyte's settings model and the URL derivations PyAirbyte uses.

Moved out of `airsync_tui.config` so the provider package describes itself
(see `spec.py`); `airsync_tui.config` still exports these names.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, SecretStr

from airsync_tui.config_checks import PositiveTimeout
from airsync_tui.errors import ConfigError

CLOUD_API_ROOT = "https://api.airbyte.com/v1"
CLOUD_CONFIG_API_ROOT = "https://cloud.airbyte.com/api/v1"
CLOUD_WEB_ROOT = "https://cloud.airbyte.com"

_PUBLIC_SUFFIX = "/api/public/v1"


class AirbyteSettings(BaseModel):
    """Where and how to reach one Airbyte deployment."""

    model_config = ConfigDict(frozen=True)

    api_url: str = CLOUD_API_ROOT
    config_api_url: str | None = None
    client_id: str | None = None
    client_secret: SecretStr | None = None
    bearer_token: SecretStr | None = None
    username: str | None = None
    password: SecretStr | None = None
    workspace_id: str | None = None
    timeout: PositiveTimeout = 15.0  # 0, negative, nan, inf refused (config_checks)
    profile_name: str | None = None  # only for error messages ("... for profile prod")

    @property
    def auth_kind(self) -> str:
        """`client_credentials`, `bearer`, `basic` or `none`."""
        if self.client_id and self.client_secret:
            return "client_credentials"
        if self.bearer_token:
            return "bearer"
        if self.username:
            return "basic"
        return "none"

    @property
    def is_cloud(self) -> bool:
        return _is_cloud(self.api_url)

    def resolved_config_api_url(self, env: Mapping[str, str] | None = None) -> str:
        return config_api_root(self.api_url, self.config_api_url, env=env if env is not None else {})

    @property
    def web_root(self) -> str:
        return web_url_root(self.api_url)

    def secrets(self) -> tuple[str, ...]:
        """Secret values, for redacting any text that may echo them."""
        values = (self.client_secret, self.bearer_token, self.password)
        return tuple(v.get_secret_value() for v in values if v is not None and v.get_secret_value())


def _norm(url: str) -> str:
    return url.strip().rstrip("/")


def _is_cloud(api_url: str) -> bool:
    return _norm(api_url) == CLOUD_API_ROOT


def config_api_root(api_url: str, explicit: str | None = None, *, env: Mapping[str, str] | None = None) -> str:
    """Derive the config API root exactly like PyAirbyte's `get_config_api_root`.

    explicit > env `AIRBYTE_CLOUD_CONFIG_API_URL` > Cloud public root →
    `https://cloud.airbyte.com/api/v1` > `…/api/public/v1` → `…/api/v1` > error.
    """
    if explicit:
        return _norm(explicit)
    environ = os.environ if env is None else env
    from_env = environ.get("AIRBYTE_CLOUD_CONFIG_API_URL")
    if from_env:
        return _norm(from_env)
    root = _norm(api_url)
    if root == CLOUD_API_ROOT:
        return CLOUD_CONFIG_API_ROOT
    if root.endswith(_PUBLIC_SUFFIX):
        return root[: -len(_PUBLIC_SUFFIX)] + "/api/v1"
    raise ConfigError(
        f"cannot derive the Airbyte config API URL from api_url {root!r}",
        hint="set config_api_url in the profile (or AIRBYTE_CONFIG_API_ROOT), e.g. http://host:8000/api/v1",
    )


def web_url_root(api_url: str) -> str:
    """Root of the Airbyte web app for links.

    Cloud → `https://cloud.airbyte.com`; self-managed → the api_url without
    `/api/public/v1` (PyAirbyte returns the API root itself, issue #563).
    """
    root = _norm(api_url)
    if root == CLOUD_API_ROOT:
        return CLOUD_WEB_ROOT
    if root.endswith(_PUBLIC_SUFFIX):
        return root[: -len(_PUBLIC_SUFFIX)]
    return root


__all__ = [
    "CLOUD_API_ROOT",
    "CLOUD_CONFIG_API_ROOT",
    "CLOUD_WEB_ROOT",
    "AirbyteSettings",
    "config_api_root",
    "web_url_root",
]
