"""Search from the top bar: titles of the objectives and key results one may see.

Every word typed must be in the title (any order, any case); another
organization's rows and private objectives (with their key results) the
member may not see never match.
"""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from okr.views import search as search_view
from tests.factories import KeyResultFactory, ObjectiveFactory
from tests.okr.views.conftest import url


def results(response, section_id: str) -> str:
    html = response.content.decode()
    if f'id="{section_id}"' not in html:
        return ""
    return html.split(f'id="{section_id}"', 1)[1].split("</section>", 1)[0]


def test_it_finds_objectives_and_key_results_by_the_words_of_their_title(world, as_user, emma):
    response = as_user(emma).get(url("search"), {"q": "ROADMAP ship"})

    assert response.status_code == 200
    objectives = results(response, "objective-results")
    assert "Ship the roadmap" in objectives
    assert (
        reverse("objective_detail", kwargs={"org_slug": "acme", "pk": world.team.pk}) in objectives
    )
    key_results = as_user(emma).get(url("search"), {"q": "features"})
    assert f"#key-result-{world.team_kr.pk}" in results(key_results, "key-result-results")


def test_it_says_when_nothing_matches(world, as_user, emma):
    response = as_user(emma).get(url("search"), {"q": "zebra"})

    assert "Nothing matches “zebra”" in response.content.decode()


def test_an_empty_query_shows_the_form_and_no_results(world, as_user, emma):
    response = as_user(emma).get(url("search"), {"q": "   "})

    html = response.content.decode()
    assert 'id="search-q"' in html
    assert 'id="search-summary"' not in html
    assert response.context["objectives"] == [] and response.context["key_results"] == []


def test_it_hides_private_objectives_and_their_key_results_from_those_who_may_not_see_them(
    world, as_user, alice, emma
):
    KeyResultFactory(objective=world.secret, title="Globex shareholders agree")

    for query in ("Acquire", "shareholders"):
        response = as_user(emma).get(url("search"), {"q": query})
        assert response.context["objectives"] == []
        assert response.context["key_results"] == []
    assert "Acquire Globex" in results(
        as_user(alice).get(url("search"), {"q": "acquire"}), "objective-results"
    )


def test_it_never_finds_another_organizations_rows(world, as_user, emma, globex_cycle):
    other = ObjectiveFactory(cycle=globex_cycle, title="Ship the Globex roadmap")
    KeyResultFactory(objective=other, title="Globex features shipped")

    response = as_user(emma).get(url("search"), {"q": "globex"})

    assert response.context["objectives"] == []
    assert response.context["key_results"] == []


def test_it_is_for_members_only(world, as_user, oscar, client):
    assert as_user(oscar).get(url("search"), {"q": "ship"}).status_code == 404
    client.logout()
    response = client.get(url("search"), {"q": "ship"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_shows_the_first_results_and_says_there_are_more(
    world, as_user, alice, acme_cycle, monkeypatch
):
    monkeypatch.setattr(search_view, "MAX_RESULTS", 2)
    for number in range(3):
        ObjectiveFactory(cycle=acme_cycle, title=f"Hire engineer {number}", owner=alice.user)

    response = as_user(alice).get(url("search"), {"q": "hire"})

    assert len(response.context["objectives"]) == 2
    assert "The first 2 objectives" in response.content.decode()


def test_its_cost_does_not_grow_with_the_results(world, as_user, alice, acme_cycle):
    def add_launches(count: int) -> None:
        for _ in range(count):
            objective = ObjectiveFactory(cycle=acme_cycle, title="Launch", owner=alice.user)
            KeyResultFactory(objective=objective, title="Launch metric")

    def queries_for_launch() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url("search"), {"q": "launch"})
        return len(queries), len(response.context["objectives"])

    client = as_user(alice)
    add_launches(1)
    client.get(url("search"), {"q": "launch"})  # warm the session
    few = queries_for_launch()
    add_launches(19)
    many = queries_for_launch()

    assert (few[1], many[1]) == (1, 20)
    assert few[0] == many[0]


def test_the_top_bar_offers_search_on_every_organization_page(world, as_user, emma):
    html = as_user(emma).get(url("dashboard")).content.decode()

    assert 'role="search"' in html
    assert f'action="{url("search")}"' in html
    assert '<label for="topbar-search"' in html
