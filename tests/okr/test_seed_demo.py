"""``manage.py seed_demo``: four levels deep, the sizes asked for, the same org for the same seed."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F

from accounts.models import Membership, Role, Team, User
from okr.demo import member_email, seed_demo
from okr.models import Activity, CheckIn, Cycle, KeyResult, Level, Metric, Objective
from okr.progress import expected_progress
from okr.reminders import due_key_results_for
from okr.scores import key_result_score

SMALL = {
    "teams": 4,
    "objectives": 40,
    "key_results_per_objective": 3,
    "check_ins_per_key_result": 2,
}


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def fingerprint(slug: str) -> list:
    """Everything a seed decides, without ids, e-mail domains or timestamps."""
    objectives = Objective.objects.filter(organization__slug=slug).order_by("position")
    position_of = {o.pk: o.position for o in objectives}
    rows = []
    for objective in objectives.select_related("owner", "team", "parent_key_result", "cycle"):
        parent = objective.parent_key_result
        rows.append(
            (
                objective.cycle.name,
                objective.level,
                objective.title,
                objective.owner.name,
                objective.team.name if objective.team else None,
                (position_of[parent.objective_id], parent.position) if parent else None,
                objective.visibility,
                objective.progress,
                [
                    (
                        kr.title,
                        kr.metric,
                        kr.start_value,
                        kr.target_value,
                        kr.current_value,
                        kr.weight,
                        kr.progress_source,
                        kr.confidence,
                        kr.owner.name,
                        [
                            (c.value, c.confidence, c.note)
                            for c in kr.check_ins.order_by("created_at", "id")
                        ],
                    )
                    for kr in objective.key_results.select_related("owner").order_by("position")
                ],
            )
        )
    return rows


@pytest.mark.django_db
def test_it_builds_the_same_organization_for_the_same_seed():
    seed_demo(slug="one", seed=7, **SMALL)
    seed_demo(slug="two", seed=7, **SMALL)
    seed_demo(slug="three", seed=8, **SMALL)
    assert fingerprint("one") == fingerprint("two")
    assert fingerprint("one") != fingerprint("three")


@pytest.mark.django_db
def test_it_builds_four_levels_of_the_asked_size():
    report = seed_demo(slug="shape", seed=3, **SMALL)
    organization = report.organization
    current = Cycle.objects.get(organization=organization, status="active")
    closed = Cycle.objects.get(organization=organization, status="closed")
    assert closed.end_date < current.start_date
    this_quarter = Objective.objects.filter(cycle=current)
    assert Objective.objects.filter(organization=organization).count() == 40
    assert Objective.objects.filter(cycle=closed).exists()
    for objective in Objective.objects.filter(organization=organization):
        assert objective.key_results.count() == 3

    # Every personal objective sits four levels deep: personal → team → department → company.
    for personal in this_quarter.filter(level=Level.PERSONAL):
        team_objective = personal.parent_key_result.objective
        department_objective = team_objective.parent_key_result.objective
        company = department_objective.parent_key_result.objective
        assert team_objective.level == Level.TEAM and team_objective.team.parent is not None
        assert department_objective.level == Level.TEAM and department_objective.team.parent is None
        assert team_objective.team.parent == department_objective.team
        assert company.level == Level.COMPANY and company.parent_key_result is None
    assert this_quarter.filter(level=Level.PERSONAL).exists()
    assert report.levels["company"] >= 1 and report.levels["department"] >= 1

    # Departments and teams are a tree; every team has a lead.
    assert Team.objects.filter(organization=organization).count() == 4
    departments = Team.objects.filter(organization=organization, parent=None)
    assert departments.count() == 1
    assert Team.objects.filter(organization=organization, parent__in=departments).count() == 3
    assert not Team.objects.filter(organization=organization, lead=None).exists()

    # Every role, names, every metric, aligned key results above, measured below, history.
    roles = set(Membership.objects.filter(organization=organization).values_list("role", flat=True))
    assert roles == {Role.ADMIN, Role.MANAGER, Role.MEMBER}
    assert not User.objects.filter(memberships__organization=organization, name="").exists()
    key_results = KeyResult.objects.filter(organization=organization)
    assert set(key_results.values_list("metric", flat=True)) == set(Metric.values)
    assert key_results.filter(progress_source="aligned", objective__level=Level.COMPANY).exists()
    assert key_results.filter(progress_source="aligned", objective__team__parent=None).exists()
    assert key_results.filter(target_value__lt=F("start_value")).exists()
    for kr in key_results.filter(progress_source="measured"):
        assert kr.check_ins.count() == 2
    assert set(
        CheckIn.objects.filter(organization=organization).values_list("confidence", flat=True)
    ) == {
        "on_track",
        "at_risk",
        "off_track",
    }


@pytest.mark.django_db
def test_it_leaves_every_cached_value_true():
    report = seed_demo(slug="true", seed=5, **SMALL)
    assert report.corrected == 0
    objectives, key_results = expected_progress(report.organization.pk)
    assert objectives == dict(
        Objective.objects.filter(organization=report.organization).values_list("pk", "progress")
    )
    assert key_results == dict(
        KeyResult.objects.filter(organization=report.organization).values_list("pk", "progress")
    )
    assert any(value > 0 for value in objectives.values())


@pytest.mark.django_db
def test_it_keeps_some_objectives_private():
    report = seed_demo(slug="secrets", seed=1, teams=6, objectives=200, check_ins_per_key_result=1)
    private = Objective.objects.filter(organization=report.organization, visibility="private")
    assert private.exists()
    assert set(private.values_list("level", flat=True)) == {Level.PERSONAL}


@pytest.mark.django_db
def test_it_prints_a_login_for_each_role_that_works():
    output = seed("--org", "demo", "--teams", "2", "--objectives", "12", "--seed", "2")
    assert "(password cascade-demo)" in output
    logins = dict(line.split() for line in output.splitlines() if line.startswith("  "))
    assert set(logins) == {"admin", "manager", "member"}
    assert logins["admin"] == "admin@demo.demo"
    assert logins["manager"] == "manager@demo.demo"
    assert logins["member"] == "member@demo.demo"
    for role, email in logins.items():
        user = User.objects.get(email=email)
        assert user.check_password("cascade-demo")
        assert Membership.objects.get(user=user).role == role


@pytest.mark.django_db
def test_it_refuses_to_seed_twice_unless_asked_to_replace():
    seed("--org", "again", "--teams", "2", "--objectives", "12")
    with pytest.raises(CommandError, match="--replace"):
        seed("--org", "again", "--teams", "2", "--objectives", "12")
    output = seed("--org", "again", "--if-missing")
    assert "exists already" in output
    assert "  admin    admin@again.demo" in output
    seed("--org", "again", "--teams", "3", "--objectives", "20", "--replace")
    assert Objective.objects.filter(organization__slug="again").count() == 20
    assert Team.objects.filter(organization__slug="again").count() == 3


@pytest.mark.django_db
def test_it_never_replaces_an_organization_with_real_people(alice, acme):
    with pytest.raises(CommandError, match="not a demo"):
        seed("--org", "acme", "--replace")
    assert Membership.objects.filter(pk=alice.pk).exists()


@pytest.mark.django_db
def test_it_grows_a_tiny_request_to_the_smallest_four_level_organization():
    report = seed_demo(slug="tiny", teams=1, objectives=1, check_ins_per_key_result=1)
    assert report.levels == {"company": 1, "department": 1, "team": 1, "personal": 1}
    assert Team.objects.filter(organization=report.organization).count() == 2


@pytest.mark.django_db
def test_the_demo_member_has_key_results_due_in_the_active_cycle():
    report = seed_demo(slug="due", seed=4, **SMALL)
    member = Membership.objects.get(
        organization=report.organization, user__email=member_email("due")
    )
    due = list(due_key_results_for(member))
    assert due and all(kr.objective.cycle.status == "active" for kr in due)
    # Others have let some go too, but most key results are fresh.
    everyone = Membership.objects.filter(organization=report.organization, is_active=True)
    due_counts = [len(due_key_results_for(m)) for m in everyone]
    measured = KeyResult.objects.filter(
        organization=report.organization,
        progress_source="measured",
        objective__cycle__status="active",
    ).count()
    assert sum(due_counts) > len(due)
    assert sum(due_counts) < measured / 2


@pytest.mark.django_db
def test_the_closed_quarter_is_graded_some_grades_overridden_with_notes():
    report = seed_demo(slug="graded", seed=6, teams=6, objectives=60)
    closed = KeyResult.objects.filter(
        organization=report.organization, objective__cycle__status="closed"
    )
    assert closed.count() >= 6 and not closed.filter(grade=None).exists()
    overridden = [
        kr for kr in closed if kr.grade != key_result_score(grade=None, progress=kr.progress)
    ]
    assert overridden and all(kr.grade_note for kr in overridden)
    assert all(
        not kr.grade_note
        for kr in closed
        if kr.grade == key_result_score(grade=None, progress=kr.progress)
    )
    levels = set(
        Objective.objects.filter(
            organization=report.organization, cycle__status="closed"
        ).values_list("level", flat=True)
    )
    assert levels == {Level.COMPANY, Level.TEAM}
    assert Activity.objects.filter(organization=report.organization, verb="graded").count() == (
        len(overridden)
    )
    # The active cycle has no grades yet.
    assert not KeyResult.objects.filter(
        organization=report.organization, objective__cycle__status="active", grade__isnull=False
    ).exists()
