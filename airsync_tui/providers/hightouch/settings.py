"""Hightouch's settings model (the `[profiles.<p>.hightouch]` table)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, SecretStr

from airsync_tui.config_checks import PositiveTimeout

HIGHTOUCH_API_ROOT = "https://api.hightouch.com/api/v1"


class HightouchSettings(BaseModel):
    """Where and how to reach Hightouch."""

    model_config = ConfigDict(frozen=True)

    api_url: str = HIGHTOUCH_API_ROOT
    api_key: SecretStr | None = None
    timeout: PositiveTimeout = 15.0  # 0, negative, nan, inf refused (config_checks)

    def secrets(self) -> tuple[str, ...]:
        return (self.api_key.get_secret_value(),) if self.api_key and self.api_key.get_secret_value() else ()


__all__ = ["HIGHTOUCH_API_ROOT", "HightouchSettings"]
