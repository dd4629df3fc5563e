"""The dashboard in a browser: textual-serve runs one `airsync` dashboard process per browser tab.

Why here: serving the UI is part of the presentation layer; the CLI's `airsync serve`
(cli/serve.py) decides what to run (the command, read-only or not, the demo's flags)
and this module is the only place that knows textual-serve.
"""

from __future__ import annotations


def serve_dashboard(command: str, *, host: str, port: int, public_url: str) -> None:
    """Serve `command` (a shell command that starts the dashboard) until interrupted."""
    from textual_serve.server import Server

    Server(command, host=host, port=port, title="airsync", public_url=public_url).serve()
