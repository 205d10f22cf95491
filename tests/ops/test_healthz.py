"""/healthz tells a load balancer whether the database and the broker answer."""

import pytest


@pytest.mark.django_db
def test_it_answers_ok_with_the_database_and_broker_status(client, settings):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["broker"] == ("ok" if settings.REDIS_URL else "eager")


@pytest.mark.django_db
def test_it_answers_without_a_login_and_over_plain_http(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    response = client.get("/healthz", HTTP_HOST="10.0.0.7:8000")

    assert response.status_code == 200


@pytest.mark.django_db
def test_it_answers_503_naming_the_broker_when_redis_is_down(client, settings):
    # Nothing listens on port 1: a real refused connection, not a mock.
    settings.REDIS_URL = "redis://127.0.0.1:1/0"

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["broker"] == "down"
    assert response.json()["down"] == ["broker"]


@pytest.mark.services
@pytest.mark.django_db
def test_it_reaches_the_real_broker(client, settings):
    assert settings.REDIS_URL.startswith("redis://")

    assert client.get("/healthz").json()["broker"] == "ok"
