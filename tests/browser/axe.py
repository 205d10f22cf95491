"""axe-core in the page: the accessibility rules every main page must pass.

The script comes from the npm registry (``make axe``, into the git-ignored
``.npm-tools/``). It is evaluated through the DevTools protocol, which a
Content-Security-Policy does not govern, so the pages keep their own policy.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

AXE_PATH = Path(__file__).resolve().parents[2] / ".npm-tools/node_modules/axe-core/axe.min.js"


@cache
def axe_source() -> str:
    if not AXE_PATH.exists():
        pytest.fail(f"axe-core is missing at {AXE_PATH}: run `make axe`")
    return AXE_PATH.read_text()


def axe_violations(page) -> list[dict]:
    """The violations axe finds on the page as it stands, in a readable form."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    # The experimental rules too (label-content-name-mismatch is one of them).
    violations = page.evaluate(
        """async () => {
            const rules = Object.fromEntries(
                axe.getRules(["experimental"]).map((rule) => [rule.ruleId, {enabled: true}])
            );
            return (await axe.run(document, {resultTypes: ["violations"], rules})).violations;
        }"""
    )
    return [
        {
            "rule": violation["id"],
            "impact": violation["impact"],
            "nodes": [" ".join(node["target"]) for node in violation["nodes"]][:5],
            "why": violation["nodes"][0]["failureSummary"] if violation["nodes"] else "",
        }
        for violation in violations
    ]
