"""Parse each piece of Textual CSS once per test process, not once per app.

Why: every Pilot test builds a fresh App, and every App's Stylesheet parses
the same TCSS files and widget DEFAULT_CSS again (about a tenth of a UI
test's CPU, multiplied by hundreds of tests). Textual already caches parsed
rules, but per Stylesheet instance; this widens that cache to the process.

The key is Textual's own cache key plus the stylesheet's variables (the
theme), so a different theme or different CSS text parses afresh; failures
are never cached (Textual raises as before). Rules are not mutated after
parsing (Stylesheet.parse only concatenates them), and each caller gets its
own list. Tests only: the product builds one App per process.
"""

from __future__ import annotations

from typing import Any

from textual.css.stylesheet import Stylesheet

_SHARED: dict[tuple[Any, ...], list[Any]] = {}
_installed = False


def install() -> None:
    """Wrap `Stylesheet._parse_rules` with the process-wide cache (idempotent)."""
    global _installed
    if _installed:
        return
    original = Stylesheet._parse_rules

    def parse_rules_shared(
        self: Stylesheet,
        css: str,
        read_from: Any,
        is_default_rules: bool = False,
        tie_breaker: int = 0,
        scope: str = "",
    ) -> list[Any]:
        key = (css, read_from, is_default_rules, tie_breaker, scope, tuple(sorted(self._variables.items())))
        rules = _SHARED.get(key)
        if rules is None:
            rules = original(self, css, read_from, is_default_rules, tie_breaker, scope)
            _SHARED[key] = rules
        return list(rules)

    Stylesheet._parse_rules = parse_rules_shared  # type: ignore[method-assign]  # test-only process-wide cache
    _installed = True
