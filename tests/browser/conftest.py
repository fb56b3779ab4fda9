"""Real Chromium (Debian's package) driven by Playwright against a live server."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page

AXE_SOURCE = (Path(__file__).resolve().parent.parent / "vendor" / "axe.min.js").read_text()
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    executable = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
    if not Path(executable).exists():
        pytest.fail(
            "Chromium is not installed. Run `make test` as root to install Debian's "
            "chromium package, or: sudo apt-get install chromium"
        )
    return {
        **browser_type_launch_args,
        "executable_path": executable,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


class ConsoleWatcher:
    """Collects console errors, page errors and CSP violations from a page."""

    def __init__(self, page: Page) -> None:
        self.errors: list[str] = []
        page.on(
            "console",
            lambda msg: self.errors.append(msg.text) if msg.type == "error" else None,
        )
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    @property
    def csp_errors(self) -> list[str]:
        return [e for e in self.errors if "Content Security Policy" in e or "CSP" in e]


@pytest.fixture
def console(page: Page) -> ConsoleWatcher:
    return ConsoleWatcher(page)


def axe_violations(page: Page) -> list[dict]:
    """Run axe-core in the page. evaluate() is not subject to the page's CSP."""
    page.evaluate(AXE_SOURCE)
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        AXE_TAGS,
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
    ]


def assert_accessible(page: Page) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{page.url}: axe found\n{json.dumps(violations, indent=2)}"
