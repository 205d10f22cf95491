"""``manage.py recompute_progress [--org SLUG]``: recompute from the leaves, fix and report."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organization
from accounts.rls import tenant
from okr import progress


class Command(BaseCommand):
    help = (
        "Recompute every objective's and key result's progress from the leaves (docs/progress.md), "
        "correct the cached values that differ, and print what was checked and corrected."
    )

    def add_arguments(self, parser):
        parser.add_argument("--org", metavar="SLUG", help="only this organization")

    def handle(self, *args, **options):
        organizations = Organization.objects.order_by("slug")
        if options["org"]:
            organizations = organizations.filter(slug=options["org"])
            if not organizations.exists():
                raise CommandError(f"No organization with the slug “{options['org']}”.")
        total = 0
        for organization in list(organizations):
            with tenant(organization.pk):
                report = progress.recompute_all(organization_id=organization.pk)
            total += report.corrected
            self.stdout.write(
                f"{organization.slug}: checked {report.objectives_checked} objectives and "
                f"{report.key_results_checked} key results; corrected "
                f"{report.objectives_corrected} objectives and "
                f"{report.key_results_corrected} key results"
            )
        style = self.style.WARNING if total else self.style.SUCCESS
        self.stdout.write(style(f"corrected {total} cached values in total"))
