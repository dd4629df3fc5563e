"""Plain-HTTP clients skip loading the CA bundle, and still fail closed on TLS."""

from __future__ import annotations

import ssl

import pytest

from airsync_tui.providers.http import tls_verify_for


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "https_proxy", "http_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)


def test_plain_http_gets_a_context_that_trusts_no_ca_but_still_verifies() -> None:
    verify = tls_verify_for("http://127.0.0.1:8000/api/public/v1", "http://127.0.0.1:8000/api/v1")
    assert isinstance(verify, ssl.SSLContext)
    assert verify.verify_mode == ssl.CERT_REQUIRED
    assert verify.check_hostname is True
    assert verify.get_ca_certs() == []  # nothing trusted: a stray https request cannot be sent unverified


def test_any_https_url_keeps_default_verification() -> None:
    assert tls_verify_for("https://api.hightouch.com/api/v1") is True
    assert tls_verify_for("http://airbyte.local/api/public/v1", "https://airbyte.local/api/v1") is True


def test_a_proxy_variable_keeps_default_verification(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "https://proxy.example:3128")
    assert tls_verify_for("http://127.0.0.1:8000/api/public/v1") is True


def test_no_url_keeps_default_verification() -> None:
    assert tls_verify_for(None) is True


async def test_the_provider_clients_use_it_for_plain_http() -> None:
    from airsync_tui.providers.hightouch.client import HightouchClient

    url = "http://127.0.0.1:9/api/v1"
    client = HightouchClient(url, "key")
    try:
        # httpx keeps the transport's TLS context on its connection pool (private, stable since 0.23)
        assert client.http.client._transport._pool._ssl_context is tls_verify_for(url)  # type: ignore[attr-defined]
    finally:
        await client.aclose()
