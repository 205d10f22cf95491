"""The security regressions speak over HTTP as the named people of tests/conftest.py."""

from __future__ import annotations

from tests.accounts.conftest import client_of, htmx_headers  # noqa: F401
from tests.api.conftest import anonymous, client_for, company_key_result, company_objective  # noqa: F401  # noqa: F401, E402
