"""The requests of the load stage (``bench/load.py`` drives this file; it is not run alone).

One kind of request per run, chosen by ``BENCH_REQUEST``, so that each row of
the table is measured on its own; ``BENCH_SETUP`` names the JSON file written
by the seeding step (slug, cycle, the admin's session and token, the rows to
read and the key results to check in on). ``BENCH_RATE`` (requests per second
per user) paces a run instead of sending as fast as the server answers.
"""

from __future__ import annotations

import json
import os
import random

from locust import FastHttpUser, constant, constant_throughput, task

SETUP = json.loads(open(os.environ["BENCH_SETUP"]).read())  # noqa: SIM115 - read once at import
REQUEST = os.environ["BENCH_REQUEST"]
RATE = float(os.environ.get("BENCH_RATE") or 0)


class Member(FastHttpUser):
    wait_time = constant_throughput(RATE) if RATE else constant(0)

    def on_start(self) -> None:
        self.session = {"Cookie": f"{SETUP['session_cookie']}={SETUP['session_key']}"}
        self.bearer = {"Authorization": f"Bearer {SETUP['token']}"}
        self.etag = None
        self.rng = random.Random()

    @task
    def one_request(self) -> None:
        getattr(self, REQUEST.replace("-", "_"))()

    def _get(self, path: str, name: str, headers: dict, expect: tuple[int, ...] = (200,)):
        with self.client.get(path, name=name, headers=headers, catch_response=True) as response:
            if response.status_code not in expect:
                response.failure(f"{response.status_code}")
            return response

    def healthz(self) -> None:
        self._get("/healthz", "healthz", {})

    def dashboard(self) -> None:
        self._get(f"/o/{SETUP['slug']}/", "dashboard", self.session)

    def tree_page(self) -> None:
        self._get(f"/o/{SETUP['slug']}/tree/?cycle={SETUP['cycle']}", "tree page", self.session)

    def objective_page(self) -> None:
        path = f"/o/{SETUP['slug']}/objectives/{SETUP['team_objective']}/"
        self._get(path, "objective page", self.session)

    def api_tree(self) -> None:
        path = f"/api/v1/orgs/{SETUP['slug']}/tree/?cycle={SETUP['cycle']}"
        self._get(path, "API tree", self.bearer)

    def api_tree_polling(self) -> None:
        """A client that polls: it sends back the ETag it was given."""
        path = f"/api/v1/orgs/{SETUP['slug']}/tree/?cycle={SETUP['cycle']}"
        headers = dict(self.bearer)
        if self.etag:
            headers["If-None-Match"] = self.etag
        response = self._get(path, "API tree, polling", headers, expect=(200, 304))
        self.etag = response.headers.get("ETag") or self.etag

    def api_check_in(self) -> None:
        key_result = self.rng.choice(SETUP["load_key_results"])
        share = self.rng.randint(0, 10) / 10
        value = key_result["start"] + (key_result["target"] - key_result["start"]) * share
        path = f"/api/v1/orgs/{SETUP['slug']}/key-results/{key_result['id']}/check-ins/"
        body = {"value": round(value, 2), "confidence": "on_track", "note": ""}
        with self.client.post(
            path, json=body, name="API check-in", headers=self.bearer, catch_response=True
        ) as response:
            if response.status_code != 201:
                response.failure(f"{response.status_code}: {response.text[:200]}")
