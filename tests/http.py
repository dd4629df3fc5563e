"""One shared plain-HTTP client for the tests' one-off requests.

`httpx.get(...)` builds a new `Client` per call, and each client loads the
system CA bundle into a fresh SSL context (~0.1 s on a loaded machine), even for
`http://127.0.0.1`. The suite made hundreds of such calls. This client is
built once; keep-alive is off, so every request still opens its own
connection exactly as `httpx.get` did (fault tests drop connections).
"""

from __future__ import annotations

from typing import Any

import httpx

_client = httpx.Client(limits=httpx.Limits(max_keepalive_connections=0))


def get(url: str, **kwargs: Any) -> httpx.Response:
    return _client.get(url, **kwargs)


def post(url: str, **kwargs: Any) -> httpx.Response:
    return _client.post(url, **kwargs)


def request(method: str, url: str, **kwargs: Any) -> httpx.Response:
    return _client.request(method, url, **kwargs)
