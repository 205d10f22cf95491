"""The health check: is the database reachable, and the broker (or are tasks eager)?"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse

logger = logging.getLogger(__name__)


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any failure means "down"; the reason goes to the log
        logger.exception("health check: database is down")
        return "down"
    return "ok"


def broker_status() -> str:
    if not settings.REDIS_URL:
        return "eager"
    import redis

    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2
        )
        client.ping()
    except Exception:
        logger.exception("health check: broker is down")
        return "down"
    return "ok"


def healthz(request: HttpRequest) -> JsonResponse:
    database, broker = database_status(), broker_status()
    healthy = database == "ok" and broker in ("ok", "eager")
    body = {"status": "ok" if healthy else "down", "database": database, "broker": broker}
    if not healthy:
        body["down"] = [name for name in ("database", "broker") if body[name] == "down"]
    return JsonResponse(body, status=200 if healthy else 503)
