"""Adding, editing in place, reordering and deleting key results on the objective page."""

from __future__ import annotations

from decimal import Decimal

from okr import services
from okr.models import CycleStatus, KeyResult
from tests.okr.views.conftest import HTMX, url


def _fields(owner, **overrides):
    data = {
        "title": "Weekly active teams",
        "metric": "number",
        "unit": "teams",
        "start_value": "0",
        "target_value": "40",
        "weight": "1",
        "progress_source": "measured",
        "owner": owner.user_id,
    }
    data.update(overrides)
    return data


def test_it_adds_a_key_result_and_answers_htmx_with_the_list(world, as_user, mark):
    response = as_user(mark).post(url("key_result_create", pk=world.team.pk), _fields(mark), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="key-results"')
    assert "Weekly active teams" in html and "Features shipped" in html
    assert "progressChanged" in response["HX-Trigger"]
    assert KeyResult.objects.filter(objective=world.team, title="Weekly active teams").exists()


def test_it_adds_a_key_result_without_js_and_redirects(world, as_user, mark):
    response = as_user(mark).post(url("key_result_create", pk=world.team.pk), _fields(mark))
    assert response.status_code == 302
    assert response["Location"] == url("objective_detail", pk=world.team.pk) + "#key-results"


def test_the_add_form_is_fetched_when_opened(world, as_user, mark):
    """The objective page carries no member list; opening "Add a key result" fetches the form."""
    client = as_user(mark)
    create = url("key_result_create", pk=world.team.pk)
    page = client.get(url("objective_detail", pk=world.team.pk)).content.decode()
    adder = page[page.index('<details class="card add-key-result"') :].split("</details>")[0]
    assert (
        f'hx-get="{create}"' in adder and 'hx-trigger="toggle from:closest details once"' in adder
    )
    assert f'<a href="{create}">' in adder  # without JavaScript: the form's own page
    assert 'name="owner"' not in page

    fragment = client.get(create, **HTMX).content.decode()

    assert fragment.lstrip().startswith("<form") and f'hx-post="{create}"' in fragment
    assert 'name="owner"' in fragment and "csrfmiddlewaretoken" in fragment
    assert 'name="owner"' in client.get(create).content.decode()  # the page, without htmx


def test_it_keeps_the_input_and_shows_the_rule_broken(world, as_user, mark):
    data = _fields(mark, start_value="5", target_value="5")
    response = as_user(mark).post(url("key_result_create", pk=world.team.pk), data, **HTMX)
    html = response.content.decode()
    assert "The target must differ from the start value." in html
    assert 'value="Weekly active teams"' in html
    assert '<details class="card add-key-result" open>' in html


def test_it_asks_for_a_target_without_js(world, as_user, mark):
    data = _fields(mark, target_value="")
    response = as_user(mark).post(url("key_result_create", pk=world.team.pk), data)
    assert response.status_code == 200
    assert "Enter the value you aim for." in response.content.decode()


def test_it_edits_a_key_result_in_place(world, as_user, mark):
    client = as_user(mark)
    editor = client.get(url("key_result_edit", pk=world.team_kr.pk), **HTMX).content.decode()
    assert editor.lstrip().startswith(f'<form id="key-result-{world.team_kr.pk}"')
    data = _fields(mark, title="Features shipped to customers", target_value="20")
    response = client.post(url("key_result_edit", pk=world.team_kr.pk), data, **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith(f'<li id="key-result-{world.team_kr.pk}"')
    assert "Features shipped to customers" in html
    assert "progressChanged" in response["HX-Trigger"]
    world.team_kr.refresh_from_db()
    assert world.team_kr.target_value == Decimal(20)


def test_escape_fetches_the_row_back(world, as_user, mark):
    response = as_user(mark).get(url("key_result_row", pk=world.team_kr.pk), **HTMX)
    assert response.content.decode().lstrip().startswith(f'<li id="key-result-{world.team_kr.pk}"')


def test_a_member_may_not_edit_a_team_objectives_key_result(world, as_user, emma):
    client = as_user(emma)
    assert client.get(url("key_result_edit", pk=world.team_kr.pk)).status_code == 403
    response = client.post(url("key_result_edit", pk=world.team_kr.pk), _fields(emma))
    assert response.status_code == 403
    assert client.post(url("key_result_delete", pk=world.team_kr.pk)).status_code == 403


def test_it_deletes_a_key_result_after_confirmation(world, as_user, mark):
    response = as_user(mark).post(
        url("key_result_delete", pk=world.team_kr.pk), {"confirm": "yes"}, **HTMX
    )
    assert response.status_code == 200 and response.content == b""
    assert not KeyResult.objects.filter(pk=world.team_kr.pk).exists()


def test_it_moves_a_key_result_down(world, as_user, mark):
    second = services.key_result_create(
        actor=mark, objective=world.team, title="Bugs closed", target_value=Decimal(50)
    )
    response = as_user(mark).post(
        url("key_result_move", pk=world.team_kr.pk), {"direction": "down"}, **HTMX
    )
    html = response.content.decode()
    assert html.index("Bugs closed") < html.index("Features shipped")
    assert list(world.team.key_results.all()) == [second, world.team_kr]


def test_a_closed_cycle_refuses_key_result_writes(world, as_user, mark):
    world.team.cycle.status = CycleStatus.CLOSED
    world.team.cycle.save()
    response = as_user(mark).post(url("key_result_create", pk=world.team.pk), _fields(mark))
    assert response.status_code == 400
    assert "closed" in response.content.decode()
    assert not KeyResult.objects.filter(title="Weekly active teams").exists()


def test_it_does_not_exist_in_another_organization(world, as_user, oscar):
    client = as_user(oscar)
    assert client.get(url("key_result_edit", org="globex", pk=world.team_kr.pk)).status_code == 404
    assert client.get(url("key_result_edit", pk=world.team_kr.pk)).status_code == 404


def test_a_minimal_key_result_takes_the_specs_defaults(world, as_user, mark):
    response = as_user(mark).post(
        url("key_result_create", pk=world.team.pk), {"title": "Docs pages", "target_value": "12"}
    )
    assert response.status_code == 302
    created = KeyResult.objects.get(title="Docs pages")
    assert (created.owner, created.metric, created.progress_source) == (
        mark.user,
        "number",
        "measured",
    )
    assert created.weight == 1 and created.start_value == 0


def test_an_edit_changes_only_what_it_sends(world, as_user, mark, emma):
    response = as_user(mark).post(url("key_result_edit", pk=world.team_kr.pk), {"weight": "2"})
    assert response.status_code == 302
    world.team_kr.refresh_from_db()
    assert world.team_kr.weight == 2
    assert (world.team_kr.owner, world.team_kr.target_value) == (emma.user, Decimal(10))
