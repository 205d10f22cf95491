from tests.okr.views.conftest import HTMX, url


def test_it_renders_every_page(world, as_user, alice):
    client = as_user(alice)
    for name, kwargs in [
        ("dashboard", {}),
        ("tree", {}),
        ("my_okrs", {}),
        ("objective_detail", {"pk": world.team.pk}),
        ("objective_create", {}),
        ("objective_edit", {"pk": world.team.pk}),
        ("objective_title_edit", {"pk": world.team.pk}),
        ("objective_delete", {"pk": world.team.pk}),
        ("key_result_edit", {"pk": world.team_kr.pk}),
        ("key_result_delete", {"pk": world.team_kr.pk}),
        ("check_in", {"pk": world.team_kr.pk}),
        ("tree_branch", {"pk": world.company_kr.pk}),
        ("key_result_create", {"pk": world.team.pk}),
    ]:
        response = client.get(url(name, **kwargs))
        assert response.status_code == 200, (name, response.content[:2000])
        response = client.get(url(name, **kwargs), **HTMX)
        assert response.status_code == 200, (name, response.content[:2000])
