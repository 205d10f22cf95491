"""What row-level security costs: check-in and tree timings with RLS on and off.

``make bench`` runs it after bench/run.py (or ``.venv/bin/python bench/rls.py
[--objectives 300] [--repeat 15]``). It needs PostgreSQL: ``DATABASE_URL`` must
name a role that may create roles and bypass RLS (a local superuser); without
PostgreSQL it says so and stops.

It seeds one demo organization (``seed_demo --org bench-rls``), then times, through
the whole request stack (middleware, tenant, policies), a check-in over the API,
the API tree and the tree page, alternating two ways of connecting:

- **off**: as ``DATABASE_URL``'s role, which bypasses the policies;
- **on**: ``SET ROLE`` to ``cascade_bench_app``, a role that owns nothing and
  cannot bypass them, as production's application role.

The code is the same both ways (the request's transaction and ``set_config`` run
in both): the difference is what PostgreSQL's policies cost. Medians in ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from in_process import setup_django

setup_django()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from accounts.models import ApiToken, Membership  # noqa: E402
from accounts.rls import all_tenants  # noqa: E402
from okr.demo import admin_email  # noqa: E402
from okr.models import Cycle, CycleStatus, KeyResult  # noqa: E402

SLUG = "bench-rls"
APP_ROLE = "cascade_bench_app"


def prepare_role() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [APP_ROLE])
        if cursor.fetchone() is None:
            cursor.execute(f"CREATE ROLE {APP_ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS")
        cursor.execute(
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {APP_ROLE}"
        )
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {APP_ROLE}")


def use_role(rls_on: bool) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {APP_ROLE}" if rls_on else "RESET ROLE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--objectives", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=15)
    options = parser.parse_args()
    if connection.vendor != "postgresql":
        print("bench/rls.py: row-level security needs PostgreSQL; set DATABASE_URL to measure it.")
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user")
        if not cursor.fetchone()[0]:
            print("bench/rls.py: DATABASE_URL's role cannot bypass RLS, so 'off' cannot be shown.")
            return
    call_command("migrate", verbosity=0)
    call_command(
        "seed_demo",
        org=SLUG,
        objectives=options.objectives,
        teams=12,
        replace=True,
        verbosity=0,
        stdout=open(os.devnull, "w"),  # noqa: SIM115
    )
    prepare_role()
    with all_tenants():
        admin = Membership.objects.select_related("user").get(
            organization__slug=SLUG, user__email=admin_email(SLUG)
        )
        cycle = Cycle.objects.get(organization=admin.organization, status=CycleStatus.ACTIVE)
        key_results = list(
            KeyResult.objects.filter(
                objective__cycle=cycle, progress_source="measured", metric="percent"
            ).values_list("pk", flat=True)[:50]
        )
        _, raw = ApiToken.issue(admin.user)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    page = Client()
    page.force_login(admin.user)

    probes = {
        "check-in (API)": lambda n: api.post(
            f"/api/v1/orgs/{SLUG}/key-results/{key_results[n % len(key_results)]}/check-ins/",
            {"value": n % 90, "confidence": "on_track"},
            content_type="application/json",
        ),
        "API tree": lambda n: api.get(f"/api/v1/orgs/{SLUG}/tree/", {"cycle": cycle.pk}),
        "tree page": lambda n: page.get(f"/o/{SLUG}/tree/", {"cycle": cycle.pk}),
    }
    timings = {(name, on): [] for name in probes for on in (False, True)}
    for name, probe in probes.items():
        for on in (False, True):  # warm both
            use_role(on)
            assert probe(0).status_code in (200, 201), name
        for n in range(options.repeat):
            for on in (False, True):  # alternate, so drift hits both alike
                use_role(on)
                started = time.perf_counter()
                response = probe(n + 1)
                timings[(name, on)].append(time.perf_counter() - started)
                assert response.status_code in (200, 201), (name, response.content)
    use_role(False)

    print(f"\nRow-level security, {options.objectives} objectives, median of {options.repeat} (ms)")
    print(f"{'':<16}{'RLS off':>10}{'RLS on':>10}{'cost':>10}")
    for name in probes:
        off = statistics.median(timings[(name, False)]) * 1000
        on = statistics.median(timings[(name, True)]) * 1000
        print(f"{name:<16}{off:>10.1f}{on:>10.1f}{on - off:>+10.1f}")


if __name__ == "__main__":
    main()
