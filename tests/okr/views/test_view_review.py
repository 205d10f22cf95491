"""The review page: a report card of a cycle, with a grade form on each key result.

Emma owns "Features shipped" (Mark's Platform objective); she checks in 4 of
10 and grades it 0.7 with a note. Alice's company objective is aligned to
Mark's; Alice's private "Acquire Globex" shows to her alone. See
docs/pages.md and docs/pace-and-grades.md.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.models import Role
from okr import services
from okr.models import CycleStatus, KeyResult
from okr.versions import organization_changed
from tests.factories import CycleFactory, MembershipFactory
from tests.okr.views.conftest import HTMX, url


def review(cycle) -> str:
    return url("cycle_review", cycle_id=cycle.pk)


@pytest.fixture
def checked_in(world, emma, run_on_commit):
    with run_on_commit():
        services.check_in_record(
            actor=emma, key_result=world.team_kr, value=Decimal(4), confidence="on_track"
        )
    return world


def test_it_lists_the_objectives_by_level_with_score_and_band(
    checked_in, as_user, emma, acme_cycle
):
    response = as_user(emma).get(review(acme_cycle))
    assert response.status_code == 200
    html = response.content.decode()
    company = html.split('id="review-level-company"')[1].split("</section>")[0]
    team = html.split('id="review-level-team"')[1].split("</section>")[0]
    assert "Delight customers" in company and "Ship the roadmap" in team
    assert "Acquire Globex" not in html  # private, and not Emma's
    row = html.split(f'id="review-objective-{checked_in.team.pk}"')[1].split("</article>")[0]
    # 4 of 10: a score of 0.40, shown with one decimal, in the "progress" band.
    assert '<span class="score score-progress" title="Score of the objective">0.4</span>' in row
    assert "Ungraded" in row
    assert 'id="score-distribution"' in html and 'class="score-histogram"' in html
    assert "Scores of 2 key results" in html
    means = html.split('id="team-means"')[1].split("</section>")[0]
    assert "Platform" in means and "0.4" in means


def test_an_admin_sees_private_objectives_too(checked_in, as_user, alice, acme_cycle):
    assert "Acquire Globex" in as_user(alice).get(review(acme_cycle)).content.decode()


def test_it_offers_a_grade_form_to_those_who_may_grade(checked_in, as_user, emma, acme):
    kr = checked_in.team_kr
    action = f'action="{url("key_result_grade", pk=kr.pk)}"'
    assert action in as_user(emma).get(review(checked_in.team.cycle)).content.decode()
    zoe = MembershipFactory(organization=acme, role=Role.MEMBER)
    html = as_user(zoe).get(review(checked_in.team.cycle)).content.decode()
    assert "Ship the roadmap" in html and action not in html


def test_a_grade_without_javascript_posts_and_redirects(checked_in, as_user, emma, acme_cycle):
    kr = checked_in.team_kr
    client = as_user(emma)
    response = client.post(url("key_result_grade", pk=kr.pk), {"grade": "0.7", "note": "Shipped"})
    assert response.status_code == 302
    assert response["Location"] == f"{review(acme_cycle)}#review-kr-{kr.pk}"
    kr.refresh_from_db()
    assert kr.grade == Decimal("0.70") and kr.grade_note == "Shipped"
    html = client.get(response["Location"]).content.decode()
    row = html.split(f'id="review-kr-{kr.pk}"')[1].split("</li>")[0]
    assert "Graded" in row and "Note:</span> Shipped" in row
    assert '<span class="score score-delivered" title="Its grade">0.7</span>' in row
    assert "1</strong> of 2 key results graded" in html


def test_htmx_gets_the_row_back(checked_in, as_user, emma):
    kr = checked_in.team_kr
    response = as_user(emma).post(
        url("key_result_grade", pk=kr.pk), {"grade": "0.35", "note": ""}, **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<li class="review-kr" id="review-kr-{kr.pk}"')
    assert "<html" not in html and "score-missed" in html
    assert "gradeChanged" in response["HX-Trigger"]
    # The objective's score follows, out of band: its only key result now scores 0.35.
    oob = html.split(f'id="objective-score-{checked_in.team.pk}"')[1].split("</span></span>")[0]
    assert oob.startswith(' hx-swap-oob="true">') and "score-missed" in oob


def test_htmx_refetches_the_summary_cards_alone(checked_in, as_user, emma, acme_cycle):
    KeyResult.objects.filter(pk=checked_in.team_kr.pk).update(grade=Decimal("0.9"))
    html = as_user(emma).get(review(acme_cycle), **HTMX).content.decode()
    assert html.lstrip().startswith('<div class="review-grid" id="review-summary"')
    assert "<html" not in html and 'hx-trigger="gradeChanged from:body"' in html
    assert "1</strong> of 2 key results graded" in html


def test_a_bad_grade_keeps_the_input_and_says_why(checked_in, as_user, emma, acme_cycle):
    kr = checked_in.team_kr
    client = as_user(emma)
    response = client.post(url("key_result_grade", pk=kr.pk), {"grade": "1.5", "note": "Too kind"})
    assert response.status_code == 200
    html = response.content.decode()
    row = html.split(f'id="review-kr-{kr.pk}"')[1].split("</li>")[0]
    assert 'value="1.5"' in row and 'value="Too kind"' in row
    assert 'class="field-error"' in row
    assert "<html" in html  # the whole review page, without JavaScript
    htmx = client.post(url("key_result_grade", pk=kr.pk), {"grade": "0.333"}, **HTMX)
    assert "steps of 0.01" in htmx.content.decode() and 'value="0.333"' in htmx.content.decode()
    assert KeyResult.objects.get(pk=kr.pk).grade is None


def test_a_blank_grade_clears_it(checked_in, as_user, emma):
    kr = checked_in.team_kr
    KeyResult.objects.filter(pk=kr.pk).update(grade=Decimal("0.5"), grade_note="Half")
    as_user(emma).post(url("key_result_grade", pk=kr.pk), {"grade": "", "note": ""})
    kr.refresh_from_db()
    assert kr.grade is None


def test_someone_who_may_not_grade_gets_a_403(checked_in, as_user, acme):
    zoe = MembershipFactory(organization=acme, role=Role.MEMBER)
    kr = checked_in.team_kr
    response = as_user(zoe).post(url("key_result_grade", pk=kr.pk), {"grade": "1"})
    assert response.status_code == 403
    assert KeyResult.objects.get(pk=kr.pk).grade is None


def test_it_rejects_get_on_the_grade_endpoint(checked_in, as_user, emma):
    response = as_user(emma).get(url("key_result_grade", pk=checked_in.team_kr.pk))
    assert response.status_code == 405


def test_a_planning_cycle_offers_no_grade_form(as_user, alice, acme):
    planning = CycleFactory(organization=acme, status=CycleStatus.PLANNING)
    objective = services.objective_create(
        actor=alice, cycle=planning, title="Plan ahead", level="company"
    )
    kr = services.key_result_create(
        actor=alice, objective=objective, title="Plans", target_value=Decimal(3)
    )
    html = as_user(alice).get(review(planning)).content.decode()
    assert "Plans" in html and url("key_result_grade", pk=kr.pk) not in html


def test_a_closed_cycle_still_takes_grades(checked_in, as_user, emma, acme_cycle):
    acme_cycle.status = CycleStatus.CLOSED
    acme_cycle.save()
    kr = checked_in.team_kr
    client = as_user(emma)
    assert url("key_result_grade", pk=kr.pk) in client.get(review(acme_cycle)).content.decode()
    client.post(url("key_result_grade", pk=kr.pk), {"grade": "0.9"})
    assert KeyResult.objects.get(pk=kr.pk).grade == Decimal("0.90")


def test_other_tenants_get_404s(checked_in, as_user, oscar, globex_cycle, emma, acme_cycle):
    assert as_user(oscar).get(review(acme_cycle)).status_code == 404
    assert as_user(emma).get(review(globex_cycle)).status_code == 404
    response = as_user(oscar).post(
        url("key_result_grade", org="globex", pk=checked_in.team_kr.pk), {"grade": "1"}
    )
    assert response.status_code == 404


def test_an_invisible_key_result_cannot_be_graded(world, as_user, emma, alice, run_on_commit):
    secret_kr = services.key_result_create(
        actor=alice, objective=world.secret, title="Term sheet", target_value=Decimal(1)
    )
    response = as_user(emma).post(url("key_result_grade", pk=secret_kr.pk), {"grade": "1"})
    assert response.status_code == 404


def test_the_cycles_page_links_a_closed_cycle_to_its_review(world, as_user, alice, acme_cycle):
    acme_cycle.status = CycleStatus.CLOSED
    acme_cycle.save()
    html = as_user(alice).get(url("admin_cycles")).content.decode()
    row = html.split(f'id="cycle-{acme_cycle.pk}"')[1].split("</tr>")[0]
    assert f'href="{review(acme_cycle)}"' in row


def test_a_cycle_two_months_from_its_end_has_no_review_link_yet(world, as_user, alice, acme_cycle):
    html = as_user(alice).get(url("admin_cycles")).content.decode()
    assert review(acme_cycle) not in html


def test_at_the_quarters_end_a_key_result_row_offers_grade(checked_in, as_user, emma, acme_cycle):
    kr = checked_in.team_kr
    page = url("objective_detail", pk=checked_in.team.pk)
    grade_link = f'href="{review(acme_cycle)}#review-kr-{kr.pk}"'
    assert grade_link not in as_user(emma).get(page).content.decode()  # two months to go
    acme_cycle.status = CycleStatus.CLOSED
    acme_cycle.save()
    KeyResult.objects.filter(pk=kr.pk).update(grade=Decimal("0.7"), grade_note="Most of it")
    organization_changed(acme_cycle.organization_id)  # as the services' writes do
    html = as_user(emma).get(page).content.decode()
    row = html.split(f'id="key-result-{kr.pk}"')[1].split("</li>")[0]
    assert grade_link in row and "Check in" not in row
    assert 'Graded <span class="score score-delivered">0.7</span>' in row and "Most of it" in row


def test_a_graded_row_tucks_its_form_away_an_ungraded_one_shows_it(
    checked_in, as_user, emma, acme_cycle
):
    kr = checked_in.team_kr
    client = as_user(emma)
    row = client.get(review(acme_cycle)).content.decode().split(f'id="review-kr-{kr.pk}"')[1]
    row = row.split("</li>")[0]
    assert '<form method="post"' in row and "grade-edit" not in row
    KeyResult.objects.filter(pk=kr.pk).update(grade=Decimal("0.6"))
    row = client.get(review(acme_cycle)).content.decode().split(f'id="review-kr-{kr.pk}"')[1]
    row = row.split("</li>")[0]
    assert '<details class="grade-edit">' in row and "Change the grade" in row
    # A refused change comes back open, with the input kept.
    response = client.post(url("key_result_grade", pk=kr.pk), {"grade": "2"}, **HTMX)
    html = response.content.decode()
    assert "grade-edit" not in html and 'value="2"' in html
