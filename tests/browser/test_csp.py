"""The policy is on in the browser, and the watch that every journey relies on works:
an inline script is refused and reported (docs/security.md, "Headers")."""

from __future__ import annotations

from tests.browser.conftest import new_watched_context


def test_an_inline_script_is_refused_and_reported(browser, live_server, db):
    context = new_watched_context(browser, base_url=live_server.url)
    page = context.new_page()
    page.goto("/accounts/login/")

    page.evaluate(
        """() => { const s = document.createElement("script");
                   s.textContent = "window.injected = true"; document.body.append(s); }"""
    )
    page.wait_for_timeout(200)

    assert page.evaluate("window.injected === undefined")
    assert any("script-src" in violation for violation in context.csp_violations)
    context.close()


def test_the_api_docs_run_under_the_policy(page, db):
    page.goto("/api/docs/")

    page.wait_for_selector(".swagger-ui .info", timeout=10_000)
