"""A realistic demo organization of any size, for ``make run``, the benchmarks and the tests.

The cascade is always four levels deep — company → department → team →
personal — so that sizes compare: departments and teams form a team tree, and
each level's objectives support an aligned key result of the level above. The
current quarter is active, the previous one closed. Members come in every
role, check-ins tell a story over the cycle, a few personal objectives are
private.

Rows are written with ``bulk_create`` (a 5,000-objective organization takes
seconds, not minutes); the cached progress is then computed the one true way,
by ``progress.recompute_all``. Everything random comes from one
``random.Random(seed)``: a seed always builds the same organization (dates are
relative to today).
"""

from __future__ import annotations

import datetime
import math
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from accounts.models import Membership, Organization, Role, Team, User
from okr import progress, scores
from okr.demo.words import (
    ALIGNED_TITLES,
    COMPANY_THEMES,
    DEPARTMENT_THEMES,
    DEPARTMENTS,
    FIRST_NAMES,
    GRADE_NOTES,
    LAST_NAMES,
    MEASURES,
    NOTES,
    PERSONAL_THEMES,
    SKILLS,
    TEAM_THEMES,
    TOPICS,
)
from okr.formatting import format_number, format_value
from okr.models import (
    Activity,
    CheckIn,
    Confidence,
    Cycle,
    CycleStatus,
    KeyResult,
    Level,
    Metric,
    Objective,
    ProgressSource,
    Visibility,
)

DEMO_PASSWORD = "cascade-demo"
BATCH = 1000


@dataclass
class DemoReport:
    organization: Organization
    admin_email: str
    password: str
    teams: int = 0
    members: int = 0
    objectives: int = 0
    key_results: int = 0
    check_ins: int = 0
    corrected: int = 0
    seconds: float = 0.0
    levels: dict[str, int] = field(default_factory=dict)


class DemoExists(Exception):
    """The slug is taken; the message says what to do."""


def demo_domain(slug: str) -> str:
    return f"{slug}.demo"


def admin_email(slug: str) -> str:
    return f"admin@{demo_domain(slug)}"


def manager_email(slug: str) -> str:
    """The demo's manager login: the lead of the first team."""
    return f"manager@{demo_domain(slug)}"


def member_email(slug: str) -> str:
    """The demo's member login: an employee of the first team with key results due."""
    return f"member@{demo_domain(slug)}"


# In the active cycle, a few key results have had no check-in for longer than the
# cadence, so that the dashboards and reminders have something due; the demo
# member's first key result always is, and this share of the others.
STALE_SHARE = 0.2
STALE_SHARE_OF_THE_DEMO_MEMBER = 0.6
# In the closed quarter, this share of the grades differs from what progress says.
GRADE_OVERRIDE_SHARE = 0.35


def quarter_of(day: datetime.date) -> tuple[datetime.date, datetime.date, str]:
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = datetime.date(day.year, first_month, 1)
    next_start = (
        datetime.date(day.year + 1, 1, 1)
        if first_month == 10
        else datetime.date(day.year, first_month + 3, 1)
    )
    return (
        start,
        next_start - datetime.timedelta(days=1),
        f"Q{(first_month - 1) // 3 + 1} {day.year}",
    )


def remove_demo(slug: str) -> None:
    """Delete a demo organization and its demo users. Refuses an organization with real people."""
    organization = Organization.objects.filter(slug=slug).first()
    if organization is None:
        return
    domain = "@" + demo_domain(slug)
    outsiders = Membership.objects.filter(organization=organization).exclude(
        user__email__endswith=domain
    )
    if outsiders.exists():
        raise DemoExists(
            f"The organization “{slug}” has members who are not demo users: "
            "it is not a demo, and seed_demo will not delete it."
        )
    with transaction.atomic():
        # Children first: objectives PROTECT their cycle, team and owner.
        Objective.objects.filter(organization=organization).update(parent_key_result=None)
        Activity.objects.filter(organization=organization).delete()
        CheckIn.objects.filter(organization=organization).delete()
        KeyResult.objects.filter(organization=organization).delete()
        Objective.objects.filter(organization=organization).delete()
        Cycle.objects.filter(organization=organization).delete()
        Membership.teams.through.objects.filter(membership__organization=organization).delete()
        Team.objects.filter(organization=organization).update(parent=None, lead=None)
        Team.objects.filter(organization=organization).delete()
        organization.delete()
        User.objects.filter(email__endswith=domain, memberships__isnull=True).delete()


@dataclass
class _Plan:
    """How many objectives of each level, and how many teams of each kind."""

    departments: int
    teams: int
    company: int
    department_objectives: int
    team_objectives: int
    personal: int
    closed: int  # the previous quarter's company objectives

    @property
    def objectives(self) -> int:
        return (
            self.company
            + self.department_objectives
            + self.team_objectives
            + self.personal
            + self.closed
        )


def plan(*, teams: int, objectives: int) -> _Plan:
    """Split ``teams`` into departments and teams, ``objectives`` over the levels and cycles.

    Both totals are exact when they can be: ``teams`` counts the departments too,
    ``objectives`` the closed quarter's too. Below the smallest four-level
    organization (two teams; one objective per level, department and team) they
    grow to it.
    """
    teams = max(2, teams)
    departments = max(1, min(len(DEPARTMENTS), round(teams / 4), teams // 2))
    teams -= departments  # the teams below the departments
    smallest = 1 + departments + teams + 1
    closed = min(12, max(1, round(objectives * 0.06))) if objectives > smallest else 0
    current = max(smallest, objectives - closed)
    company = max(1, min(8, round(current * 0.01)))
    department_objectives = max(departments, round(current * 0.04))
    team_objectives = max(teams, round(current * 0.16))
    personal = current - company - department_objectives - team_objectives
    if personal < 1:  # small organizations: one objective per department and team
        department_objectives, team_objectives = departments, teams
        personal = current - company - department_objectives - team_objectives
    return _Plan(
        departments, teams, company, department_objectives, team_objectives, personal, closed
    )


def seed_demo(
    *,
    slug: str = "demo",
    teams: int = 6,
    objectives: int = 60,
    key_results_per_objective: int = 3,
    check_ins_per_key_result: int = 4,
    seed: int = 1,
    replace: bool = False,
    today: datetime.date | None = None,
) -> DemoReport:
    """Build the demo organization ``slug``; with ``replace``, delete a previous demo first."""
    started = time.perf_counter()
    with transaction.atomic():
        if Organization.objects.filter(slug=slug).exists():
            if not replace:
                raise DemoExists(
                    f"The organization “{slug}” already exists: pass --replace to rebuild it, "
                    "or choose another --org."
                )
            remove_demo(slug)
        report = _Builder(
            slug=slug,
            shape=plan(teams=teams, objectives=objectives),
            key_results_per_objective=max(1, key_results_per_objective),
            check_ins_per_key_result=max(0, check_ins_per_key_result),
            rng=random.Random(seed),
            today=today or timezone.localdate(),
        ).build()
        # The builder computed every cached value; a full recomputation must agree.
        report.corrected = progress.recompute_all(organization_id=report.organization.pk).corrected
    report.seconds = time.perf_counter() - started
    return report


class _Builder:
    def __init__(
        self, *, slug, shape, key_results_per_objective, check_ins_per_key_result, rng, today
    ):
        self.slug = slug
        self.shape = shape
        self.krs_per_objective = key_results_per_objective
        self.check_ins_per_kr = check_ins_per_key_result
        self.rng = rng
        self.today = today
        self.now = timezone.now()
        self.password = make_password(DEMO_PASSWORD)  # hashed once, shared by every demo user
        self.used_emails: set[str] = set()
        self._flushed_key_results = 0
        self._pending_objectives: list[Objective] = []

    # --- people and teams ---------------------------------------------------------

    def person(self, email: str | None = None) -> User:
        first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
        if email is None:
            local = f"{first}.{last}".lower().replace("ü", "u")
            email, n = f"{local}@{demo_domain(self.slug)}", 2
            while email in self.used_emails:
                email, n = f"{local}{n}@{demo_domain(self.slug)}", n + 1
        self.used_emails.add(email)
        # Seeded people are verified: their addresses are the demo's own.
        return User(
            email=email,
            name=f"{first} {last}",
            password=self.password,
            email_verified_at=self.now,
        )

    def build(self) -> DemoReport:
        name = self.slug.replace("-", " ").title()
        organization = Organization.objects.create(name=name, slug=self.slug)
        self.organization = organization
        shape = self.shape

        # Departments are root teams; teams hang below them, round-robin.
        department_rows = [
            Team(organization=organization, name=DEPARTMENTS[i][0])
            for i in range(shape.departments)
        ]
        Team.objects.bulk_create(department_rows)
        team_rows = []
        for i in range(shape.teams):
            d = i % shape.departments
            names = DEPARTMENTS[d][1]
            k = i // shape.departments
            label = names[k % len(names)] + ("" if k < len(names) else f" {k // len(names) + 1}")
            team_rows.append(Team(organization=organization, name=label, parent=department_rows[d]))
        Team.objects.bulk_create(team_rows)

        # People: an admin (the demo login), a CEO, a head per department, a lead per
        # team, and members enough for about two personal objectives each.
        admin = self.person(email=admin_email(self.slug))
        admin.name = "Ada Admin"
        ceo = self.person()
        heads = [self.person() for _ in department_rows]
        leads = [self.person() for _ in team_rows]
        per_team = max(2, math.ceil(shape.personal / 2 / len(team_rows)))
        members = [[self.person() for _ in range(per_team)] for _ in team_rows]
        # Named logins for the manager and the member views (``make run`` prints them).
        leads[0].email, leads[0].name = manager_email(self.slug), "Max Manager"
        members[0][0].email, members[0][0].name = member_email(self.slug), "Mia Member"
        self.demo_member = members[0][0]
        self._demo_member_key_results = 0
        departed = self.person()
        users = [admin, ceo, *heads, *leads, *[u for team in members for u in team], departed]
        User.objects.bulk_create(users, batch_size=BATCH)

        memberships = [
            Membership(user=admin, organization=organization, role=Role.ADMIN),
            Membership(user=ceo, organization=organization, role=Role.ADMIN),
            *[Membership(user=u, organization=organization, role=Role.MANAGER) for u in heads],
            *[Membership(user=u, organization=organization, role=Role.MANAGER) for u in leads],
            *[
                Membership(user=u, organization=organization, role=Role.MEMBER)
                for team in members
                for u in team
            ],
            Membership(user=departed, organization=organization, role=Role.MEMBER, is_active=False),
        ]
        Membership.objects.bulk_create(memberships, batch_size=BATCH)
        by_user = {m.user_id: m for m in memberships}
        through = Membership.teams.through
        links = [
            through(membership=by_user[h.pk], team=d)
            for h, d in zip(heads, department_rows, strict=True)
        ]
        links += [
            through(membership=by_user[lead.pk], team=t)
            for lead, t in zip(leads, team_rows, strict=True)
        ]
        links += [
            through(membership=by_user[u.pk], team=t)
            for team_members, t in zip(members, team_rows, strict=True)
            for u in team_members
        ]
        through.objects.bulk_create(links, batch_size=BATCH)
        for d, head in zip(department_rows, heads, strict=True):
            d.lead = head
        for t, lead in zip(team_rows, leads, strict=True):
            t.lead = lead
        Team.objects.bulk_update([*department_rows, *team_rows], ["lead"], batch_size=BATCH)

        # Cycles: the current quarter (active) and the previous one (closed).
        start, end, label = quarter_of(self.today)
        previous_start, previous_end, previous_label = quarter_of(
            start - datetime.timedelta(days=1)
        )
        current = Cycle.objects.create(
            organization=organization,
            name=label,
            start_date=start,
            end_date=end,
            status=CycleStatus.ACTIVE,
        )
        previous = Cycle.objects.create(
            organization=organization,
            name=previous_label,
            start_date=previous_start,
            end_date=previous_end,
            status=CycleStatus.CLOSED,
        )

        self.objectives: list[Objective] = []
        self.key_results: list[KeyResult] = []
        self.check_ins: list[CheckIn] = []

        # Level 1: the company.
        company = [
            self.objective(
                current,
                Level.COMPANY,
                COMPANY_THEMES[i % len(COMPANY_THEMES)],
                self.rng.choice([admin, ceo]),
            )
            for i in range(shape.company)
        ]
        company_krs = self.key_results_for(company, current, owners=heads, aligned="most")

        # Level 2: departments, each objective supporting a company key result.
        by_department: dict[int, list[Objective]] = defaultdict(list)
        for i in range(shape.department_objectives):
            d = i % shape.departments
            theme = DEPARTMENT_THEMES[(i // shape.departments) % len(DEPARTMENT_THEMES)]
            objective = self.objective(
                current,
                Level.TEAM,
                theme.format(dept=department_rows[d].name),
                heads[d],
                team=department_rows[d],
                parent=company_krs[i % len(company_krs)],
            )
            by_department[d].append(objective)
        department_krs = {
            d: self.key_results_for(
                objs,
                current,
                owners=[leads[t] for t in range(d, shape.teams, shape.departments)],
                aligned="most",
            )
            for d, objs in by_department.items()
        }

        # Level 3: teams, each objective supporting a key result of its department.
        by_team: dict[int, list[Objective]] = defaultdict(list)
        for i in range(shape.team_objectives):
            t = i % shape.teams
            d = t % shape.departments
            theme = TEAM_THEMES[(i // shape.teams) % len(TEAM_THEMES)]
            parents = department_krs[d]
            objective = self.objective(
                current,
                Level.TEAM,
                theme.format(team=team_rows[t].name),
                leads[t],
                team=team_rows[t],
                parent=parents[(i // shape.teams) % len(parents)],
            )
            by_team[t].append(objective)
        team_krs = {
            t: self.key_results_for(objs, current, owners=members[t], aligned="first")
            for t, objs in by_team.items()
        }

        # Level 4: people, each objective supporting a key result of their team.
        for i in range(shape.personal):
            t = i % shape.teams
            owner = members[t][(i // shape.teams) % len(members[t])]
            theme = PERSONAL_THEMES[self.rng.randrange(len(PERSONAL_THEMES))]
            role, practice = self.rng.choice(SKILLS)
            title = theme.format(role=role, practice=practice, topic=self.rng.choice(TOPICS))
            parents = team_krs[t]
            private = self.rng.random() < 0.06
            objective = self.objective(
                current,
                Level.PERSONAL,
                title,
                owner,
                parent=parents[(i // shape.teams) % len(parents)],
                visibility=Visibility.PRIVATE if private else Visibility.ORGANIZATION,
            )
            self.key_results_for([objective], current, owners=[owner], aligned="none")

        # The closed quarter, measured to the end and graded: a third company
        # objectives, the rest the departments' own.
        closed = []
        for i in range(shape.closed):
            if i < max(1, shape.closed // 3):
                theme = COMPANY_THEMES[i % len(COMPANY_THEMES)]
                closed.append(self.objective(previous, Level.COMPANY, theme, admin))
            else:
                d = i % shape.departments
                theme = DEPARTMENT_THEMES[(i // shape.departments) % len(DEPARTMENT_THEMES)]
                closed.append(
                    self.objective(
                        previous,
                        Level.TEAM,
                        theme.format(dept=department_rows[d].name),
                        heads[d],
                        team=department_rows[d],
                    )
                )
        first_closed = len(self.key_results)
        self.key_results_for(closed, previous, owners=heads, aligned="none")
        self.grade(self.key_results[first_closed:])

        self.flush_key_results()
        CheckIn.objects.bulk_create(self.check_ins, batch_size=BATCH)
        self.record_latest_check_ins()
        self.record_grades(previous)
        self.cache_progress()

        levels = defaultdict(int)
        for objective in self.objectives:
            if objective.cycle_id == current.pk:
                depth = (
                    1
                    if objective.level == Level.COMPANY
                    else 4
                    if objective.level == Level.PERSONAL
                    else (3 if objective.team.parent_id else 2)
                )
                levels[("company", "department", "team", "personal")[depth - 1]] += 1
        return DemoReport(
            organization=organization,
            admin_email=admin.email,
            password=DEMO_PASSWORD,
            teams=len(department_rows) + len(team_rows),
            members=len(memberships),
            objectives=len(self.objectives),
            key_results=len(self.key_results),
            check_ins=len(self.check_ins),
            levels=dict(levels),
        )

    # --- objectives, key results, check-ins ------------------------------------------

    def objective(
        self,
        cycle,
        level,
        title,
        owner,
        *,
        team=None,
        parent=None,
        visibility=Visibility.ORGANIZATION,
    ) -> Objective:
        # Objectives are written level by level: a level's parents must have ids first.
        if parent is not None and parent.pk is None:
            self.flush_key_results()
        objective = Objective(
            organization=self.organization,
            cycle=cycle,
            title=title[:200],
            level=level,
            team=team,
            owner=owner,
            parent_key_result=parent,
            visibility=visibility,
            position=len(self.objectives),
        )
        self._pending_objectives.append(objective)
        self.objectives.append(objective)
        return objective

    def flush_objectives(self) -> None:
        if self._pending_objectives:
            Objective.objects.bulk_create(self._pending_objectives, batch_size=BATCH)
            self._pending_objectives.clear()

    def flush_key_results(self) -> None:
        self.flush_objectives()
        # bulk_create copies the ids of the (now saved) related rows and keeps them cached.
        pending = [kr for kr in self.key_results[self._flushed_key_results :]]
        self._flushed_key_results = len(self.key_results)
        KeyResult.objects.bulk_create(pending, batch_size=BATCH)

    def key_results_for(self, objectives, cycle, *, owners, aligned: str) -> list[KeyResult]:
        """Key results for each objective; return the aligned ones (the next level's parents).

        ``aligned``: "most" (all but a last measured one), "first" or "none".
        """
        parents = []
        for objective in objectives:
            count = self.krs_per_objective
            for position in range(count):
                if aligned == "most":
                    is_aligned = position < max(1, count - 1)
                elif aligned == "first":
                    is_aligned = position == 0
                else:
                    is_aligned = False
                owner = owners[(objective.position + position) % len(owners)]
                if is_aligned:
                    kr = KeyResult(
                        organization=self.organization,
                        objective=objective,
                        title=ALIGNED_TITLES[(objective.position + position) % len(ALIGNED_TITLES)],
                        owner=owner,
                        metric=Metric.PERCENT,
                        unit="%",
                        start_value=Decimal(0),
                        target_value=Decimal(100),
                        current_value=Decimal(0),
                        weight=Decimal(self.rng.choice([1, 1, 2])),
                        progress_source=ProgressSource.ALIGNED,
                        position=position,
                        created_at=self.cycle_moment(cycle, 0.0),
                    )
                    parents.append(kr)
                else:
                    kr = self.measured(objective, cycle, owner, position)
                self.key_results.append(kr)
        return parents

    def measured(self, objective, cycle, owner, position) -> KeyResult:
        metric, title, unit, start, target = MEASURES[self.rng.randrange(len(MEASURES))]
        scale = Decimal(self.rng.choice([1, 1, 2, 3])) if metric != Metric.MILESTONE else Decimal(1)
        start, target = Decimal(start), Decimal(target)
        if metric in (Metric.NUMBER, Metric.CURRENCY) and start < target:
            target *= scale
        title = title.format(
            s=format_number(start), n=format_number(target), topic=self.rng.choice(TOPICS)
        )
        kr = KeyResult(
            organization=self.organization,
            objective=objective,
            title=title[:200],
            owner=owner,
            metric=metric,
            unit=unit,
            start_value=start,
            target_value=target,
            current_value=start,
            weight=Decimal(self.rng.choice([1, 1, 1, 2, 3])),
            progress_source=ProgressSource.MEASURED,
            position=position,
            created_at=self.cycle_moment(cycle, 0.0),
        )
        self.story_of(kr, cycle)
        kr.progress = progress.measured_progress(
            start=start, target=target, current=kr.current_value
        )
        return kr

    def elapsed_share(self, cycle) -> float:
        days = (cycle.end_date - cycle.start_date).days or 1
        return min(1.0, max(0.05, (self.today - cycle.start_date).days / days))

    def cycle_moment(self, cycle, share: float) -> datetime.datetime:
        days = (cycle.end_date - cycle.start_date).days
        moment = datetime.datetime.combine(cycle.start_date, datetime.time(9), tzinfo=datetime.UTC)
        moment += datetime.timedelta(days=days * share, minutes=self.rng.randrange(0, 480))
        return min(moment, self.now - datetime.timedelta(minutes=5))

    def story_of(self, kr: KeyResult, cycle) -> None:
        """Check-ins spread over the elapsed part of the cycle, each nearer the target or not."""
        pace = self.rng.choice([0.3, 0.6, 0.8, 1.0, 1.0, 1.15])
        elapsed = self.elapsed_share(cycle)
        if cycle.status == CycleStatus.ACTIVE and self.is_stale(kr):
            # The last check-in a week or two ago: due now.
            days = (cycle.end_date - cycle.start_date).days or 1
            quiet = self.organization.checkin_cadence_days + self.rng.randrange(1, 10)
            elapsed = max(0.0, elapsed - quiet / days)
        span = kr.target_value - kr.start_value
        author = kr.owner
        for i in range(self.check_ins_per_kr):
            share = elapsed * (i + 1) / self.check_ins_per_kr
            achieved = max(0.0, min(1.25, pace * share + self.rng.uniform(-0.08, 0.08)))
            if kr.metric == Metric.MILESTONE:
                value = Decimal(1) if achieved >= 0.85 else Decimal(0)
            elif kr.metric in (Metric.NUMBER, Metric.CURRENCY) or abs(span) >= 100:
                value = (kr.start_value + span * Decimal(str(round(achieved, 4)))).quantize(
                    Decimal(1)
                )
            else:
                value = (kr.start_value + span * Decimal(str(round(achieved, 4)))).quantize(
                    Decimal("0.1")
                )
            on_pace = achieved / share if share else 1
            confidence = (
                Confidence.ON_TRACK
                if on_pace >= 0.9
                else Confidence.AT_RISK
                if on_pace >= 0.6
                else Confidence.OFF_TRACK
            )
            if self.rng.random() < 0.1:
                confidence = self.rng.choice(Confidence.values)
            moment = self.cycle_moment(cycle, share)
            self.check_ins.append(
                CheckIn(
                    organization=self.organization,
                    key_result=kr,
                    author=author,
                    value=value,
                    confidence=confidence,
                    note=self.rng.choice(NOTES[confidence]),
                    created_at=moment,
                )
            )
            kr.current_value, kr.confidence, kr.last_check_in_at = value, confidence, moment

    def grade(self, key_results: list[KeyResult]) -> None:
        """Grade a closed quarter: most grades keep the score progress gives, some are
        overridden with a note that says why (``okr.scores``)."""
        for kr in key_results:
            by_progress = scores.key_result_score(grade=None, progress=kr.progress)
            kr.grade = by_progress
            if self.rng.random() < GRADE_OVERRIDE_SHARE:
                shift = Decimal(self.rng.choice([-30, -20, -10, 10, 20, 30])) / 100
                overridden = min(max(by_progress + shift, Decimal(0)), Decimal(1))
                if overridden != by_progress:
                    kr.grade = overridden
                    kr.grade_note = self.rng.choice(
                        GRADE_NOTES["up" if overridden > by_progress else "down"]
                    )
        self.graded = [kr for kr in key_results if kr.grade_note]

    def record_grades(self, cycle) -> None:
        """The overridden grades in the activity log, dated the day after the quarter ended."""
        moment = datetime.datetime.combine(
            cycle.end_date + datetime.timedelta(days=1), datetime.time(10), tzinfo=datetime.UTC
        )
        Activity.objects.bulk_create(
            [
                Activity(
                    organization=self.organization,
                    actor_id=kr.owner_id,
                    verb="graded",
                    target_type="key_result",
                    target_id=kr.pk,
                    summary=f"graded “{kr.title}” {kr.grade:f}"[:500],
                    changes={"grade": [None, f"{kr.grade:f}"], "grade_note": ["", kr.grade_note]},
                    objective_id=kr.objective_id,
                    key_result_id=kr.pk,
                    created_at=min(moment, self.now),
                )
                for kr in self.graded
            ],
            batch_size=BATCH,
        )

    def is_stale(self, kr: KeyResult) -> bool:
        """Whether this key result's owner has let it go without a check-in for a while."""
        if kr.owner is self.demo_member:
            self._demo_member_key_results += 1
            if self._demo_member_key_results == 1:
                return True
            return self.rng.random() < STALE_SHARE_OF_THE_DEMO_MEMBER
        return self.rng.random() < STALE_SHARE

    def cache_progress(self) -> None:
        """Aligned key results and objectives, computed from the leaves by the rules."""
        objectives, key_results = progress.expected_progress(self.organization.pk)
        for objective in self.objectives:
            objective.progress = objectives[objective.pk]
        for kr in self.key_results:
            kr.progress = key_results[kr.pk]
        Objective.objects.bulk_update(self.objectives, ["progress"], batch_size=BATCH)
        aligned = [kr for kr in self.key_results if kr.progress_source == ProgressSource.ALIGNED]
        KeyResult.objects.bulk_update(aligned, ["progress"], batch_size=BATCH)

    def record_latest_check_ins(self) -> None:
        """One activity row per key result's latest check-in: the dashboard's recent activity."""
        latest: dict[int, CheckIn] = {}
        for check_in in self.check_ins:
            latest[check_in.key_result_id] = check_in
        rows = []
        for check_in in latest.values():
            kr = check_in.key_result
            rows.append(
                Activity(
                    organization=self.organization,
                    actor_id=check_in.author_id,
                    verb="checked_in",
                    target_type="check_in",
                    target_id=check_in.pk,
                    summary=f"checked in {format_value(check_in.value, kr)} on “{kr.title}”"[:500],
                    objective_id=kr.objective_id,
                    key_result_id=kr.pk,
                    is_private=kr.objective.visibility == Visibility.PRIVATE,
                    created_at=check_in.created_at,
                )
            )
        Activity.objects.bulk_create(rows, batch_size=BATCH)
