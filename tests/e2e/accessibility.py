"""axe-core, vendored from the npm registry into the test run, checks the pages a journey opens.

The script is evaluated through Playwright rather than added as a <script>: the page's
Content-Security-Policy allows scripts from our origin only, and the check must see the page as
it is served, CSP included.
"""

from functools import cache
from pathlib import Path

from playwright.sync_api import Page

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
# What fails a journey: the two highest of axe's four impacts.
BLOCKING_IMPACTS = ("serious", "critical")


@cache
def axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def axe_violations(page: Page) -> list[dict]:
    """The serious and critical WCAG 2.x A/AA violations axe finds on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source() + "\n;true")
    results = page.evaluate(
        """() => axe.run(document, {
               runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
               resultTypes: ["violations"]
           })"""
    )
    return [v for v in results["violations"] if v["impact"] in BLOCKING_IMPACTS]


def violations_described(violations: list[dict]) -> str:
    """One line per violation and node, readable in a failing assertion."""
    lines = []
    for violation in violations:
        for node in violation["nodes"][:5]:
            lines.append(f"{violation['impact']} {violation['id']}: {node['target']} — {violation['help']}")
    return "\n".join(lines)


def assert_accessible(page: Page, where: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"axe on {where} ({page.url}):\n{violations_described(violations)}"
