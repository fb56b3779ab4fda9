"""Every URL pattern in the project, as concrete sample paths."""

from __future__ import annotations

import re
from collections.abc import Iterator

from django.urls import URLPattern, URLResolver, get_resolver

SAMPLES = {
    "int": "1",
    "str": "x",
    "slug": "x",
    "path": "x",
    "uuid": "00000000-0000-0000-0000-000000000000",
}


def _sample(route: str) -> str:
    # Route patterns with converters: <int:pk>.
    route = re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLES.get(m.group(1) or "str", "x"), route)
    # Regex patterns (the admin uses a few): drop anchors and fill groups.
    route = route.lstrip("^").rstrip("$").replace("\\Z", "")
    route = re.sub(r"\(\?P<\w+>[^)]*\)", "x", route)
    route = re.sub(r"\([^)]*\)\??", "", route)
    return route.replace("\\", "")


def walk(
    patterns: list | None = None, prefix: str = "", name_prefix: str = ""
) -> Iterator[tuple[str, str]]:
    """Yield (name, path) for every URL pattern, including included ones."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        route = _sample(str(entry.pattern))
        if isinstance(entry, URLResolver):
            ns = f"{entry.namespace}:" if entry.namespace else ""
            yield from walk(entry.url_patterns, prefix + route, name_prefix + ns)
        elif isinstance(entry, URLPattern):
            yield f"{name_prefix}{entry.name or '?'}", "/" + prefix + route
