"""Private objectives (docs/domain.md): seen by their owner, their key results' owners and admins only.

Mark keeps a private objective, "Find a new job". Emma owns one of its key
results, so she sees it; Paul does not exist as far as it is concerned; Alice,
the admin, sees everything. Its progress still counts in the public parent.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.http import Http404

from accounts.models import Role
from okr import selectors, services
from okr.models import Level, Objective, Visibility
from tests.factories import MembershipFactory, UserFactory

D = Decimal


@pytest.fixture
def paul(acme):
    return MembershipFactory(
        organization=acme, role=Role.MEMBER, user=UserFactory(email="paul@acme.test", name="Paul")
    )


@pytest.fixture
def story(alice, mark, emma, acme_cycle, run_on_commit):
    with run_on_commit():
        company = services.objective_create(
            actor=alice, cycle=acme_cycle, title="People thrive", level=Level.COMPANY
        )
        aligned = services.key_result_create(
            actor=alice, objective=company, title="Everyone grows", progress_source="aligned"
        )
        secret = services.objective_create(
            actor=mark,
            cycle=acme_cycle,
            title="Find a new job",
            level=Level.PERSONAL,
            visibility=Visibility.PRIVATE,
            parent_key_result=aligned,
        )
        interviews = services.key_result_create(
            actor=mark, objective=secret, title="Interviews", target_value=D(4)
        )
        references = services.key_result_create(
            actor=mark, objective=secret, title="References", target_value=D(2), owner=emma.user
        )
        services.check_in_record(
            actor=mark, key_result=interviews, value=D(2), confidence="at_risk"
        )
    return company, aligned, secret, interviews, references


@pytest.mark.parametrize(
    ("who", "sees"), [("alice", True), ("mark", True), ("emma", True), ("paul", False)]
)
def test_it_shows_a_private_objective_only_to_those_who_may_see_it(request, story, who, sees):
    member = request.getfixturevalue(who)
    _, _, secret, interviews, _ = story
    assert selectors.visible_objectives(member).filter(pk=secret.pk).exists() is sees
    assert selectors.visible_key_results(member).filter(pk=interviews.pk).exists() is sees
    assert selectors.visible_check_ins(member).filter(key_result=interviews).exists() is sees
    if sees:
        assert selectors.get_objective_for(member, secret.pk) == secret
        assert selectors.get_key_result_for(member, interviews.pk) == interviews
    else:
        with pytest.raises(Http404):
            selectors.get_objective_for(member, secret.pk)
        with pytest.raises(Http404):
            selectors.get_key_result_for(member, interviews.pk)


@pytest.mark.parametrize(
    ("who", "sees"), [("alice", True), ("mark", True), ("emma", True), ("paul", False)]
)
def test_it_keeps_a_private_objective_out_of_the_activity_of_others(request, story, who, sees):
    member = request.getfixturevalue(who)
    activity = selectors.visible_activity(member)
    summaries = " ".join(activity.values_list("summary", flat=True))
    assert ("Find a new job" in summaries) is sees
    assert ("Interviews" in summaries) is sees
    assert activity.filter(summary__contains="People thrive").exists()


def test_it_keeps_the_deletion_of_a_private_objective_private(mark, paul, story, run_on_commit):
    _, _, secret, _, _ = story
    with run_on_commit():
        services.objective_delete(actor=mark, objective=secret)
    summaries = " ".join(selectors.visible_activity(paul).values_list("summary", flat=True))
    assert "Find a new job" not in summaries


def test_it_hides_the_history_of_an_objective_that_turns_private(emma, mark, paul, acme_cycle):
    plan = services.objective_create(
        actor=mark, cycle=acme_cycle, title="Reorganize the team", level=Level.PERSONAL
    )
    assert selectors.visible_activity(paul).filter(objective=plan).exists()
    services.objective_update(actor=mark, objective=plan, visibility=Visibility.PRIVATE)
    assert not selectors.visible_activity(paul).filter(objective=plan).exists()
    assert selectors.visible_activity(mark).filter(objective=plan).count() == 2


def test_it_counts_private_progress_in_the_public_parent(paul, story):
    company, aligned, secret, *_ = story
    # (2/4 · 1 + 0/2 · 1) / 2 = 25 % on the private objective; the aligned KR averages it.
    assert Objective.objects.get(pk=secret.pk).progress == 25.0
    visible_company = selectors.get_objective_for(paul, company.pk)
    assert visible_company.progress == 25.0
    assert selectors.get_key_result_for(paul, aligned.pk).progress == 25.0


def test_it_keeps_invitations_out_of_the_activity_of_non_admins(alice, mark, emma):
    from okr.services import invitation_create

    invitation_create(actor=alice, email="newcomer@acme.test", role=Role.MEMBER)

    def summaries(membership):
        return [row.summary for row in selectors.visible_activity(membership)]

    assert any("newcomer@acme.test" in summary for summary in summaries(alice))
    assert not any("newcomer@acme.test" in summary for summary in summaries(mark))
    assert not any("newcomer@acme.test" in summary for summary in summaries(emma))
