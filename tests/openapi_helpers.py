"""Where Airbyte's OpenAPI reference lives for tests, and one fast way to parse it.

The specs are read from `shared/reference/openapi` beside the checkout (never copied
into the repo); tests skip with a clear reason when it is absent. Parsing uses libyaml's
C loader when present: the config API spec is 700 KB, ~2 s with the pure-Python loader
and ~0.3 s with the C one, and several modules parse it on every xdist worker.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]


def find_openapi_dir() -> Path:
    """`$AIRSYNC_OPENAPI_DIR`, else the first `shared/reference/openapi` beside the repo or an ancestor.

    CI checks the repo out next to `shared/`; a git worktree sits one level deeper, so look upwards.
    """
    override = os.environ.get("AIRSYNC_OPENAPI_DIR")
    if override:
        return Path(override)
    for ancestor in REPO_ROOT.parents:
        candidate = ancestor / "shared/reference/openapi"
        if candidate.is_dir():
            return candidate
    return REPO_ROOT.parent / "shared/reference/openapi"


OPENAPI_DIR = find_openapi_dir()


def load_spec(name: str) -> dict[str, Any]:
    """Parse one spec file of OPENAPI_DIR (a fresh document each call: callers may annotate it)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    document: dict[str, Any] = yaml.load((OPENAPI_DIR / name).read_text(), Loader=loader)  # a safe loader (C or Python)
    return document
