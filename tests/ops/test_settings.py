"""Settings come from the environment, and production settings pass the deployment checklist."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DJANGO_SETTINGS_MODULE",
            "DEBUG",
            "SECRET_KEY",
            "REDIS_URL",
            "CACHE_URL",
            # Set by the browser tests for Playwright; never in a deployment.
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_passes_the_deployment_checklist_with_production_values():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY="a-long-production-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_refuses_to_start_without_a_secret_key_in_production():
    result = manage("check", DEBUG="false")

    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_it_runs_tasks_eagerly_without_redis():
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.CELERY_TASK_ALWAYS_EAGER)",
        DEBUG="true",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "True"


def test_the_cache_can_have_a_redis_of_its_own():
    show = (
        "from django.conf import settings; "
        "print(settings.CACHES['default']['LOCATION'], settings.CELERY_BROKER_URL)"
    )
    shared = manage("shell", "-c", show, DEBUG="true", REDIS_URL="redis://broker:6379/0")
    own = manage(
        "shell",
        "-c",
        show,
        DEBUG="true",
        REDIS_URL="redis://broker:6379/0",
        CACHE_URL="redis://cache:6379/0",
    )

    assert shared.stdout.split()[-2:] == ["redis://broker:6379/0", "redis://broker:6379/0"]
    assert own.stdout.split()[-2:] == ["redis://cache:6379/0", "redis://broker:6379/0"]


def test_it_serves_pages_with_static_files_before_collectstatic(tmp_path):
    script = (
        "from django.test import Client;"
        "from django.conf import settings;"
        "r = Client().get('/accounts/login/', secure=True);"
        "print(r.status_code);"
        "css = [line for line in r.content.decode().split() if 'cascade.css' in line][0];"
        "path = css.split('\"')[1];"
        "print(Client().get(path, secure=True).status_code)"
    )
    result = manage(
        "shell",
        "-c",
        script,
        DEBUG="false",
        SECRET_KEY="a-long-production-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        ALLOWED_HOSTS="testserver",
        STATIC_ROOT=str(tmp_path / "static"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-2:] == ["200", "200"]


def test_statements_are_prepared_after_five_runs_unless_turned_off():
    show = "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS'])"
    postgres = "postgres://app@db:5432/cascade"
    prepared = manage("shell", "-c", show, DEBUG="true", DATABASE_URL=postgres)
    unprepared = manage(
        "shell", "-c", show, DEBUG="true", DATABASE_URL=postgres, DATABASE_PREPARE_THRESHOLD="0"
    )

    assert prepared.returncode == 0, prepared.stderr
    assert "'server_side_binding': True, 'prepare_threshold': 5" in prepared.stdout
    assert unprepared.returncode == 0, unprepared.stderr
    assert "prepare_threshold" not in unprepared.stdout
    assert "server_side_binding" not in unprepared.stdout


@pytest.mark.services
@pytest.mark.django_db
def test_a_statement_run_again_on_a_connection_is_prepared_there():
    from django.db import connection

    from accounts.models import Organization

    def prepared() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements")
            return cursor.fetchone()[0]

    before = prepared()
    for _ in range(6):
        list(Organization.objects.filter(slug="no-such-organization"))
    assert prepared() == before + 1


def test_the_wsgi_entry_point_loads_every_view_then_freezes_what_it_loaded():
    """What a worker loads at start is out of the collector's way (docs/performance.md)."""
    show = (
        "import gc, sys; tracked = len(gc.get_objects()); import okr.wsgi; "
        "print(gc.get_freeze_count(), tracked, 'okr.api.views.tree' in sys.modules)"
    )
    result = manage("shell", "-c", show, DEBUG="true")

    assert result.returncode == 0, result.stderr
    frozen, tracked_before, views_loaded = result.stdout.split()[-3:]
    assert int(frozen) > int(tracked_before)  # more than the shell itself had loaded
    assert views_loaded == "True"
