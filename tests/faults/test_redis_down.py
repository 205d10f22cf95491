"""Redis stopped: pages and the API answer, throttles fail open, roll-ups run in-process.

Only ``/healthz`` says 503 (``broker: down``); see docs/operations.md.
"""

from __future__ import annotations

import logging
from decimal import Decimal

import pytest
import redis
from django.test import Client

from accounts.models import ApiToken
from okr import progress, services
from okr.models import CheckIn, Level, Objective
from tests.faults.conftest import celery_on

pytestmark = pytest.mark.services


@pytest.fixture
def world(alice, emma, acme_cycle):
    company = services.objective_create(
        actor=alice, cycle=acme_cycle, title="Win", level=Level.COMPANY
    )
    key_result = services.key_result_create(
        actor=alice,
        objective=company,
        title="Customers",
        owner=emma.user,
        metric="number",
        start_value=Decimal(0),
        target_value=Decimal(10),
    )
    progress.recompute_all(organization_id=acme_cycle.organization_id)
    return company, key_result


@pytest.fixture
def redis_stopped(redis_server, settings):
    """Our redis-server as broker, cache and health target, then stopped."""
    settings.REDIS_URL = redis_server.url
    settings.CACHES = {
        "default": {
            "BACKEND": "okr.cache.FailOpenRedisCache",
            "LOCATION": redis_server.url,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    settings.AUTH_THROTTLE_RATE = "2/minute"
    with celery_on(redis_server.url):
        redis_server.stop()
        yield redis_server


def bearer(membership) -> dict:
    _, raw = ApiToken.issue(membership.user)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_pages_and_the_api_keep_answering(world, alice, redis_stopped):
    client = Client()
    client.force_login(alice.user)
    for path in ("/o/acme/", "/o/acme/tree/", "/o/acme/my/"):
        assert client.get(path).status_code == 200, path
    api = Client(**bearer(alice))
    assert api.get("/api/v1/orgs/acme/objectives/").status_code == 200
    assert api.get(f"/api/v1/orgs/acme/tree/?cycle={world[0].cycle_id}").status_code == 200


def test_throttles_fail_open_with_a_logged_error(db, redis_stopped, caplog):
    client = Client()
    with caplog.at_level(logging.ERROR, logger="okr.cache"):
        answers = [
            client.post(
                "/api/v1/auth/signup/",
                {
                    "email": f"new{n}@example.com",
                    "password": "a long passphrase 42",
                    "organization_name": f"New {n}",
                },
                content_type="application/json",
            ).status_code
            for n in range(3)  # more than the rate allows
        ]
    assert answers == [201, 201, 201]
    assert any("throttles are open" in record.getMessage() for record in caplog.records)


def test_a_check_in_rolls_its_ancestors_up_at_once(
    world, emma, redis_stopped, django_capture_on_commit_callbacks, caplog
):
    company, key_result = world
    api = Client(**bearer(emma))
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            f"/api/v1/orgs/acme/key-results/{key_result.pk}/check-ins/",
            {"value": 4, "confidence": "on_track"},
            content_type="application/json",
        )
    assert response.status_code == 201, response.content
    assert CheckIn.objects.filter(pk=response.json()["id"]).exists()
    assert Objective.objects.get(pk=company.pk).progress == pytest.approx(40.0)
    assert progress.recompute_all(organization_id=company.organization_id).corrected == 0
    assert any("running it in-process" in record.getMessage() for record in caplog.records)


def test_healthz_says_the_broker_is_down_and_recovers(db, redis_stopped):
    client = Client()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "down"
    assert response.json()["database"] == "ok"

    redis_stopped.start()

    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["broker"] == "ok"


def test_once_redis_is_back_roll_ups_go_to_the_broker_again(
    world, emma, redis_stopped, django_capture_on_commit_callbacks
):
    company, key_result = world
    redis_stopped.start()
    api = Client(**bearer(emma))
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            f"/api/v1/orgs/acme/key-results/{key_result.pk}/check-ins/",
            {"value": 7, "confidence": "on_track"},
            content_type="application/json",
        )
    assert response.status_code == 201
    # Enqueued, not run here: no worker listens, so the job waits in Redis.
    assert redis.Redis.from_url(redis_stopped.url).llen("celery") == 1
    assert Objective.objects.get(pk=company.pk).progress == pytest.approx(0.0)


def test_an_invitation_e_mail_is_sent_from_the_request_when_it_cannot_be_queued(
    alice, redis_stopped, django_capture_on_commit_callbacks, mailoutbox, caplog
):
    api = Client(**bearer(alice))
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/orgs/acme/invitations/",
            {"email": "nina@example.com"},
            content_type="application/json",
        )
    assert response.status_code == 201, response.content
    assert [message.to for message in mailoutbox] == [["nina@example.com"]]
    assert any("sending it in-process" in record.getMessage() for record in caplog.records)


def test_the_cache_answers_again_once_redis_is_back(db, redis_stopped):
    """One client per pool (okr/cache.py): its connections come back with the server."""
    from django.core.cache import caches

    cache = caches["default"]
    assert cache.get("okr:probe") is None  # down: a miss, not an error
    cache.set("okr:probe", "lost")

    redis_stopped.start()
    cache.set("okr:probe", "kept")

    assert cache.get("okr:probe") == "kept"
    redis_stopped.stop()
    assert cache.get("okr:probe") is None
    redis_stopped.start()
    cache.set("okr:probe", "again")
    assert cache.get("okr:probe") == "again"
