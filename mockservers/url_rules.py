"""URL rules that compile their URL builders when a URL is first built from them, not when the app is made.

werkzeug compiles two Python functions per rule as the rule is added (to build its URLs), two thirds of what making
the app costs with some 800 rules; a server builds a few of those URLs (Location headers, the API documents) and a
test app hardly any. Matching requests is unchanged. Set as the app's `url_rule_class` (Flask's hook for it)."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import Rule


class LazyBuildRule(Rule):
    def _compile_builder(self, append_unknown: bool = True) -> Any:
        compiled: Any = None

        def build(rule: Rule, *args: Any, **kwargs: Any) -> tuple[str, str]:
            nonlocal compiled
            if compiled is None:  # two threads may both compile it: the same function, either one kept
                compiled = Rule._compile_builder(rule, append_unknown).__get__(rule, None)
            return compiled(*args, **kwargs)

        return build
