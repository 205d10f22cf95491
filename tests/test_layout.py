"""The imports point one way (docs/architecture.md): accounts ← the okr domain ← pages and API.

A test, so that a convenient shortcut across the layers fails CI instead of
quietly growing into a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOMAIN_DIRS = ("services", "reminders", "demo")
DOMAIN_OUTSIDE = ("okr.views", "okr.api", "okr.templatetags")


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def python_files(*relative: str) -> list[Path]:
    return sorted(file for part in relative for file in (ROOT / part).rglob("*.py"))


def domain_files() -> list[Path]:
    top = [
        file
        for file in (ROOT / "okr").glob("*.py")
        if file.name != "tasks.py" and not file.name.endswith("urls.py")  # URLconfs wire views
    ]
    return sorted(top + python_files(*(f"okr/{name}" for name in DOMAIN_DIRS)))


@pytest.mark.parametrize("path", python_files("accounts"), ids=lambda p: str(p.relative_to(ROOT)))
def test_accounts_imports_nothing_from_okr(path):
    crossing = sorted(name for name in imported_modules(path) if name.split(".")[0] == "okr")
    assert crossing == [], f"{path.relative_to(ROOT)} imports {crossing}"


@pytest.mark.parametrize("path", domain_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_domain_imports_no_pages_api_or_template_tags(path):
    crossing = sorted(
        name
        for name in imported_modules(path)
        if any(name == outside or name.startswith(outside + ".") for outside in DOMAIN_OUTSIDE)
    )
    assert crossing == [], f"{path.relative_to(ROOT)} imports {crossing}"


def test_the_walk_finds_the_files_it_guards():
    # A walk that found nothing would pass whatever the imports.
    assert ROOT / "accounts" / "services.py" in python_files("accounts")
    assert ROOT / "okr" / "services" / "objectives.py" in domain_files()
    # …and the walk sees imports inside functions too (the roll-up task is imported lazily).
    assert "okr.tasks" in imported_modules(ROOT / "okr" / "services" / "common.py")


def test_reminders_never_import_the_tasks():
    # The tasks call the reminders and hand them the retry: no cycle between the two.
    for path in python_files("okr/reminders"):
        assert not any(name.startswith("okr.tasks") for name in imported_modules(path)), path


ASKING_THE_ACCESS_HELPERS = [
    *python_files("okr/views"),
    ROOT / "okr" / "api" / "views" / "organization.py",
]


@pytest.mark.parametrize("path", ASKING_THE_ACCESS_HELPERS, ids=lambda p: str(p.relative_to(ROOT)))
def test_views_ask_the_access_helpers_never_the_permissions(path):
    # Which controls a page offers, and who may write the organization's rows, come from
    # the selectors (``objective_actions_for``, ``get_team_for_write``…); a view that asked
    # ``permissions`` itself would grow a second rule.
    crossing = sorted(name for name in imported_modules(path) if "permissions" in name.split("."))
    assert crossing == [], f"{path.relative_to(ROOT)} imports {crossing}"


def test_phone_width_has_one_breakpoint_block():
    # Both stylesheets' phone rules sit in one block, loaded last (docs/architecture.md):
    # a second block would reintroduce two places to look and an order to get wrong.
    blocks = [
        (path.name, line)
        for path in sorted((ROOT / "static" / "css").glob("*.css"))
        for line in path.read_text().splitlines()
        if line.startswith("@media") and "max-width" in line
    ]
    assert blocks == [("okr.css", "@media (max-width: 720px) {")]
