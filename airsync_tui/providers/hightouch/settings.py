"""Hightouch's settings model (the `[profiles.<p>.hightouch]` table)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, SecretStr

HIGHTOUCH_API_ROOT = "https://api.hightouch.com/api/v1"


class HightouchSettings(BaseModel):
    """Where and how to reach Hightouch."""

    model_config = ConfigDict(frozen=True)

    api_url: str = HIGHTOUCH_API_ROOT
    api_key: SecretStr | None = None
    timeout: float = 15.0

    def secrets(self) -> tuple[str, ...]:
        return (self.api_key.get_secret_value(),) if self.api_key and self.api_key.get_secret_value() else ()


__all__ = ["HIGHTOUCH_API_ROOT", "HightouchSettings"]
