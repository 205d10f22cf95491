"""With a real Celery worker the ancestors lag the check-in; the header's polls catch up.

The check-in answers at once with its key result's row; the company objective
is updated by the roll-up job on the worker a moment later. The re-fetch that
``progressChanged`` starts (``?poll=1``) and the few polls after it
(``?poll=2``, ``3``, a second apart in the browser) show the new value.
"""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from okr import services
from okr.models import Level, Objective, ProgressSource
from tests.okr.views.conftest import HTMX, url
from tests.workers import running_workers

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker():
    with running_workers(concurrency=2):
        yield


def test_the_polls_show_the_company_objective_once_the_worker_has_rolled_up(
    alice, mark, emma, acme_cycle, platform_team, client, worker
):
    company = services.objective_create(
        actor=alice, cycle=acme_cycle, title="Delight customers", level=Level.COMPANY
    )
    company_kr = services.key_result_create(
        actor=alice, objective=company, title="Teams ship", progress_source=ProgressSource.ALIGNED
    )
    team = services.objective_create(
        actor=mark,
        cycle=acme_cycle,
        title="Ship the roadmap",
        level=Level.TEAM,
        team=platform_team,
        parent_key_result=company_kr,
    )
    team_kr = services.key_result_create(
        actor=mark, objective=team, title="Features", target_value=Decimal(10), owner=emma.user
    )
    client.force_login(emma.user)

    response = client.post(
        url("check_in", pk=team_kr.pk), {"value": "5", "confidence": "on_track"}, **HTMX
    )
    assert 'class="progress-value">50%' in response.content.decode()  # the row: at once
    assert "progressChanged" in response["HX-Trigger"]

    header = url("objective_detail", pk=company.pk)
    for poll in range(1, 4):  # what the browser does: ?poll=1, then 2 and 3 a second apart
        html = client.get(f"{header}?poll={poll}", **HTMX).content.decode()
        if 'class="progress-value">50%' in html:
            break
        time.sleep(1)
    else:
        pytest.fail("the header never showed the rolled-up progress")
    assert Objective.objects.get(pk=company.pk).progress == 50.0
