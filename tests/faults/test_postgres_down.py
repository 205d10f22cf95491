"""PostgreSQL out of reach, then back: a real gunicorn answers 503, never a 500, and recovers.

The server connects through a door of the test's own (tests/faults/services.py);
shutting it cuts every connection and refuses new ones, as a dead database would,
without touching the PostgreSQL server everyone else shares. Then the app's own
backend is killed with ``pg_terminate_backend``. No restart in between: the same
gunicorn process answers 200 again as soon as the database is back.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection

from accounts.models import ApiToken
from okr import services
from okr.models import CheckIn, Level
from tests.faults.services import TcpDoor, free_port

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

APPLICATION_NAME = "cascade-fault-web"
ROOT = Path(__file__).resolve().parent.parent.parent


def _server_environment(door: TcpDoor) -> dict:
    database = settings.DATABASES["default"]
    credentials = database["USER"] + (f":{database['PASSWORD']}" if database["PASSWORD"] else "")
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("REDIS_URL", "MIGRATE_DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="okr.settings",
        DEBUG="false",
        SECRET_KEY="fault-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SECURE_HSTS_SECONDS="0",
        STATICFILES_BACKEND="django.contrib.staticfiles.storage.StaticFilesStorage",
        DATABASE_URL=(
            f"postgres://{credentials}@127.0.0.1:{door.port}/{database['NAME']}"
            f"?application_name={APPLICATION_NAME}"
        ),
        DATABASE_CONNECT_TIMEOUT="2",
        LOG_LEVEL="CRITICAL",
    )
    return environment


class Server:
    def __init__(self, environment: dict) -> None:
        self.port = free_port(range(18113, 18213))
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "okr.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "1",
                "--threads",
                "2",
                "--timeout",
                "30",
            ],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while self.request("GET", "/healthz")[0] != 200:
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.2)

    def request(self, method: str, path: str, body=None, **headers) -> tuple[int, str, float]:
        data = json.dumps(body).encode() if body is not None else None
        if data is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}", data=data, method=method, headers=headers
        )
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=20) as response:
                return response.status, response.read().decode(), time.monotonic() - started
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(), time.monotonic() - started
        except OSError:
            return 0, "", time.monotonic() - started

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def door():
    door = TcpDoor(int(settings.DATABASES["default"]["PORT"] or 5432))
    door.open()
    yield door
    door.shut()


@pytest.fixture
def server(door):
    server = Server(_server_environment(door))
    yield server
    server.stop()


def _session_cookie(user) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def test_postgres_down_answers_503_and_recovers_without_a_restart(
    alice, emma, acme_cycle, door, server
):
    company = services.objective_create(
        actor=alice, cycle=acme_cycle, title="Win", level=Level.COMPANY
    )
    key_result = services.key_result_create(
        actor=alice, objective=company, title="Deals", owner=emma.user, target_value=10
    )
    page = {"Cookie": _session_cookie(emma.user)}
    _, raw = ApiToken.issue(emma.user)
    api = {"Authorization": f"Bearer {raw}"}
    check_ins = f"/api/v1/orgs/acme/key-results/{key_result.pk}/check-ins/"
    statuses: list[int] = []
    created: list[int] = []

    def check_in(value: int) -> int:
        status, body, _ = server.request(
            "POST", check_ins, {"value": value, "confidence": "on_track"}, **api
        )
        statuses.append(status)
        if status == 201:
            created.append(json.loads(body)["id"])
        return status

    def get(path: str, headers: dict) -> tuple[int, str]:
        status, body, seconds = server.request("GET", path, **headers)
        statuses.append(status)
        assert seconds < 10, f"{path} hung for {seconds:.1f} s"
        return status, body

    # Up.
    assert get("/o/acme/", page)[0] == 200
    assert get("/api/v1/orgs/acme/objectives/", api)[0] == 200
    assert check_in(2) == 201

    # Down: every open connection cut, every new one refused.
    door.shut()
    status, html = get("/o/acme/", page)
    assert status == 503
    assert 'class="error-page"' in html and "Traceback" not in html
    status, body = get("/api/v1/orgs/acme/objectives/", api)
    assert status == 503 and set(json.loads(body)) == {"detail"}
    assert check_in(3) == 503  # refused, not lost: the client is told it did not happen
    status, body = get("/healthz", {})
    assert status == 503 and json.loads(body)["database"] == "down"

    # Back: the same process reconnects by itself.
    door.open()
    assert get("/o/acme/", page)[0] == 200
    assert check_in(4) == 201

    # The app's own backend killed under it: the next request gets a fresh connection.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE application_name = %s",
            [APPLICATION_NAME],
        )
        assert cursor.fetchone()[0] >= 1
    assert get("/o/acme/", page)[0] == 200
    assert check_in(5) == 201

    assert server.process.poll() is None  # never restarted
    assert {status for status in statuses} <= {200, 201, 503}
    assert sorted(CheckIn.objects.filter(pk__in=created).values_list("pk", flat=True)) == sorted(
        created
    )
    assert len(created) == 3
