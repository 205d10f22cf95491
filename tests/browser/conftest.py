"""Real Chromium (Debian's /usr/bin/chromium) driven by Playwright against ``live_server``."""

from __future__ import annotations

import os
import shutil
import time

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the
# tests make between page actions are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(f"Chromium not found at {CHROMIUM}")
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# Each page reports every Content-Security-Policy violation, whatever page it is on.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile || document.location.pathname}:${event.lineNumber}`);
});
"""


def watch_csp(context) -> list[str]:
    """Collect the context's CSP violations: the events, and Chromium's console reports."""
    violations: list[str] = []
    context.expose_function("reportCspViolation", lambda text: violations.append(text))
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    context.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return violations


def new_watched_context(browser, **options):
    """A browser context whose CSP violations fail the test that used it (``closed()``)."""
    context = browser.new_context(**options)
    context.set_default_timeout(10_000)
    context.csp_violations = watch_csp(context)
    return context


def close_watched(context) -> None:
    violations = list(context.csp_violations)
    context.close()
    wait_for_live_server_requests()
    assert violations == [], f"Content-Security-Policy violations: {violations}"


# A request the page fired just before it closed (an HTMX poll, a refresh after a
# check-in) may still be running on a live-server thread; the flush that ends a
# transactional test would then wait on, or deadlock with, its transaction.
IN_FLIGHT = """
SELECT count(*) FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'
  AND backend_type = 'client backend'
"""


def wait_for_live_server_requests(timeout: float = 5.0) -> None:
    """Wait (bounded) until no other connection of the test database is mid-statement."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(IN_FLIGHT)
            if cursor.fetchone()[0] == 0:
                return
        time.sleep(0.05)


@pytest.fixture
def page(browser, live_server):
    context = new_watched_context(
        browser, base_url=live_server.url, viewport={"width": 1280, "height": 900}
    )
    yield context.new_page()
    close_watched(context)


@pytest.fixture
def page_without_js(browser, live_server):
    context = new_watched_context(browser, base_url=live_server.url, java_script_enabled=False)
    yield context.new_page()
    close_watched(context)


def confirm_sign_up(page, email: str, password: str) -> None:
    """After the sign-up form: "check your inbox", then follow the e-mailed link."""
    import re

    from django.core import mail
    from playwright.sync_api import expect

    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    message = next(m for m in reversed(mail.outbox) if m.to == [email])
    link = re.search(r"/accounts/verify/\S+/", message.body).group(0)
    page.goto(link)
    page.get_by_label("Choose a password").fill(password)
    page.get_by_role("button", name="Confirm and continue").click()


def log_in(page, email: str, password: str = "correct horse battery") -> None:
    page.goto("/accounts/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
