"""Admin actions that cannot be undone in one click ask first; pages never offer what must fail."""

from __future__ import annotations

from accounts.models import Membership
from okr.models import Cycle, CycleStatus
from tests.factories import ObjectiveFactory

MEMBERS = "/o/acme/admin/members/"


def test_deactivating_a_member_asks_first_without_javascript(client_of, alice, emma):
    content = client_of(alice).get(MEMBERS).content.decode()
    row = content.split(f'id="member-{emma.pk}"')[1].split("</tr>")[0]
    # The visible button only opens the question (a <details>); the POST sits behind it.
    question = row.split('<details class="menu confirm-menu">')[1].split("</details>")[0]
    summary, panel = question.split("</summary>")
    assert "Deactivate…" in summary and "<form" not in summary
    assert f"Deactivate {emma.user.display_name}?" in panel
    assert 'name="is_active" value="false"' in panel and "Yes, deactivate" in panel
    assert row.count('name="is_active" value="false"') == 1


def test_the_confirmed_deactivation_deactivates(client_of, alice, emma):
    client_of(alice).post(f"/o/acme/admin/members/{emma.pk}/", {"is_active": "false"})
    assert Membership.objects.get(pk=emma.pk).is_active is False


def test_a_closed_cycle_offers_no_delete_button_and_says_why(client_of, alice, acme_cycle):
    acme_cycle.status = CycleStatus.CLOSED
    acme_cycle.save()
    content = client_of(alice).get(f"/o/acme/admin/cycles/{acme_cycle.pk}/delete/").content.decode()
    assert "a closed cycle cannot be deleted" in content
    assert "Delete cycle</button>" not in content
    assert "Back to the cycles" in content


def test_a_cycle_with_objectives_offers_no_delete_button_either(client_of, alice, acme_cycle):
    ObjectiveFactory(cycle=acme_cycle)
    content = client_of(alice).get(f"/o/acme/admin/cycles/{acme_cycle.pk}/delete/").content.decode()
    assert "so it cannot be deleted" in content and "Delete cycle</button>" not in content
    assert Cycle.objects.filter(pk=acme_cycle.pk).exists()


def test_after_refusing_to_demote_the_last_admin_htmx_shows_her_actual_role(
    client_of, alice, htmx_headers
):
    response = client_of(alice).post(
        f"/o/acme/admin/members/{alice.pk}/", {"role": "manager"}, headers=htmx_headers
    )
    row = response.content.decode()
    assert "last active admin" in row
    assert '<option value="admin" selected>' in row
    assert '<option value="manager" selected>' not in row
