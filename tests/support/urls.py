"""Every URL pattern in the project, as concrete sample paths."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

SAMPLES = {
    "int": "1",
    "str": "x",
    "slug": "x",
    "path": "x",
    "uuid": "00000000-0000-0000-0000-000000000000",
}


@dataclass(frozen=True)
class Route:
    """One URL pattern, with any include()'s prefix and namespace applied."""

    name: str  # "namespace:name", with "?" for the name of an unnamed pattern
    pattern: str  # as written, e.g. "committee/meetings/<int:pk>/"
    path: str  # a sample path that resolves to it, e.g. "/committee/meetings/1/"
    params: tuple[str, ...]  # its parameters' names, in order


def _group_sample(body: str) -> str:
    # A group that lists its choices (the admin's app labels) gets the first; any other, x.
    return body.split("|")[0] if re.fullmatch(r"\w+(\|\w+)*", body) else "x"


def _sample(route: str) -> str:
    # Regex patterns (the admin uses a few): fill named groups, drop anchors and the rest.
    route = re.sub(r"\(\?P<\w+>([^)]*)\)", lambda m: _group_sample(m.group(1)), route)
    route = route.lstrip("^").rstrip("$").replace("\\Z", "")
    route = re.sub(r"\([^)]*\)\??", "", route)
    # Route patterns with converters: <int:pk>.
    route = re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLES.get(m.group(1) or "str", "x"), route)
    return route.replace("\\", "")


def routes(
    patterns: list | None = None, prefix: str = "", name_prefix: str = "", pattern_prefix: str = ""
) -> Iterator[Route]:
    """Every URL pattern, including included ones, in the order Django tries them.

    `prefix` is the sample path of the include()s around `patterns`; `pattern_prefix`,
    the same as written. Each level is sampled on its own: a regex's anchors are its own.
    """
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        written = pattern_prefix + str(entry.pattern)
        path = prefix + _sample(str(entry.pattern))
        if isinstance(entry, URLResolver):
            ns = f"{entry.namespace}:" if entry.namespace else ""
            yield from routes(entry.url_patterns, path, name_prefix + ns, written)
        elif isinstance(entry, URLPattern):
            yield Route(
                name=f"{name_prefix}{entry.name or '?'}",
                pattern=written,
                path="/" + path,
                params=tuple(re.findall(r"<(?:\w+:)?(\w+)>", written)),
            )


def walk(
    patterns: list | None = None, prefix: str = "", name_prefix: str = ""
) -> Iterator[tuple[str, str]]:
    """Yield (name, path) for every URL pattern, including included ones."""
    for route in routes(patterns, prefix, name_prefix):
        yield route.name, route.path
