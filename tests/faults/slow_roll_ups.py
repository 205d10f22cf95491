"""Test-only app for worker processes: each roll-up lingers after its writes, before commit.

Installed by tests/settings.py in a worker started with ``CASCADE_TEST_SLOW_ROLL_UPS``
(seconds), so that a test can kill the worker while a roll-up holds uncommitted work.
"""

from __future__ import annotations

import os
import time

from django.apps import AppConfig


class SlowRollUpsConfig(AppConfig):
    name = "tests.faults"
    label = "slow_roll_ups"

    def ready(self) -> None:
        from okr import progress

        pause = float(os.environ["CASCADE_TEST_SLOW_ROLL_UPS"])
        roll_up = progress.roll_up

        def lingering_roll_up(**kwargs):
            report = roll_up(**kwargs)
            time.sleep(pause)
            return report

        progress.roll_up = lingering_roll_up
