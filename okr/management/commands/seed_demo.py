"""``manage.py seed_demo``: a realistic cascading demo organization of any size (docs/operations.md)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Membership, Organization, Role
from accounts.rls import all_tenants
from okr.demo import (
    DEMO_PASSWORD,
    DemoExists,
    admin_email,
    manager_email,
    member_email,
    seed_demo,
)


class Command(BaseCommand):
    help = (
        "Build a demo organization four levels deep (company → department → team → personal), "
        "deterministic for a seed, and print its login."
    )

    def add_arguments(self, parser):
        parser.add_argument("--org", default="demo", help="the organization's slug (default: demo)")
        parser.add_argument(
            "--teams", type=int, default=6, help="teams in all, the departments among them"
        )
        parser.add_argument(
            "--objectives", type=int, default=60, help="objectives in all, both quarters"
        )
        parser.add_argument("--key-results-per-objective", type=int, default=3)
        parser.add_argument("--check-ins-per-key-result", type=int, default=4)
        parser.add_argument("--seed", type=int, default=1, help="the same seed builds the same org")
        parser.add_argument(
            "--replace", action="store_true", help="delete an existing demo with this slug first"
        )
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="do nothing (but print the login) when the organization exists",
        )

    @all_tenants()  # an operator's command: it may replace a demo and reuse its people
    def handle(self, *args, **options):
        slug = options["org"]
        for name in ("teams", "objectives", "key_results_per_objective"):
            if options[name] < 1:
                raise CommandError(f"--{name.replace('_', '-')} must be at least 1.")
        if options["check_ins_per_key_result"] < 0:
            raise CommandError("--check-ins-per-key-result cannot be negative.")
        if options["if_missing"] and Organization.objects.filter(slug=slug).exists():
            self.stdout.write(f"The organization “{slug}” exists already; not seeding it again.")
            self.print_login(slug)
            return
        try:
            report = seed_demo(
                slug=slug,
                teams=options["teams"],
                objectives=options["objectives"],
                key_results_per_objective=options["key_results_per_objective"],
                check_ins_per_key_result=options["check_ins_per_key_result"],
                seed=options["seed"],
                replace=options["replace"],
            )
        except DemoExists as error:
            raise CommandError(str(error)) from None
        levels = ", ".join(
            f"{report.levels.get(level, 0)} {level}"
            for level in ("company", "department", "team", "personal")
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded “{report.organization.name}” (/o/{slug}/) in {report.seconds:.1f} s: "
                f"{report.teams} teams, {report.members} members, {report.objectives} objectives "
                f"({levels} this quarter, the rest in the closed one), "
                f"{report.key_results} key results, {report.check_ins} check-ins; "
                f"recompute_progress corrected {report.corrected}."
            )
        )
        self.print_login(slug)

    def print_login(self, slug: str) -> None:
        """One login per role, so that each job can be tried: all share the demo password."""
        email = admin_email(slug)
        active = Membership.objects.filter(organization__slug=slug, is_active=True)
        if not active.filter(user__email=email).exists():
            return
        logins = [("admin", email)]
        named = {Role.MANAGER: manager_email(slug), Role.MEMBER: member_email(slug)}
        for role in (Role.MANAGER, Role.MEMBER):
            # The named demo login when there is one (it has key results due), else the first.
            candidates = active.filter(role=role)
            other = (
                candidates.filter(user__email=named[role]).first()
                or candidates.order_by("user__email").first()
            )
            if other is not None:
                logins.append((role.label.lower(), other.user.email))
        self.stdout.write(
            f"Log in at {settings.SITE_URL}/accounts/login/ (password {DEMO_PASSWORD}):"
        )
        for role, address in logins:
            self.stdout.write(f"  {role:<8} {address}")
