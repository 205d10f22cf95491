"""The reminder stories: Acme checks in on Mondays at 09:00 UTC, every 7 days.

``AT`` is Monday 30 November 2026, 09:00 UTC — Acme's check-in hour. Key results
are created ten days before it unless a test says otherwise, so they are due.
"""

from __future__ import annotations

import datetime

import pytest

from accounts.models import Membership
from okr.models import Cycle, CycleStatus, KeyResult, Level, Visibility
from tests.factories import CycleFactory, KeyResultFactory, ObjectiveFactory

UTC = datetime.UTC
AT = datetime.datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
TEN_DAYS_BEFORE = AT - datetime.timedelta(days=10)


@pytest.fixture
def cycle(acme):
    """Acme's active quarter around ``AT`` (not the factory's, which follows the real today)."""
    return CycleFactory(
        organization=acme,
        name="Q4 2026",
        start_date=datetime.date(2026, 10, 1),
        end_date=datetime.date(2026, 12, 31),
        status=CycleStatus.ACTIVE,
    )


def key_result_for(
    member: Membership,
    cycle: Cycle,
    *,
    created_at: datetime.datetime = TEN_DAYS_BEFORE,
    last_check_in_at: datetime.datetime | None = None,
    objective_owner: Membership | None = None,
    visibility: str = Visibility.ORGANIZATION,
    objective_title: str | None = None,
    **fields,
) -> KeyResult:
    """A key result ``member`` owns, on a new personal objective of theirs (or of
    ``objective_owner``), or on ``objective=`` when given."""
    objective = fields.pop("objective", None) or ObjectiveFactory(
        cycle=cycle,
        owner=(objective_owner or member).user,
        level=Level.PERSONAL,
        visibility=visibility,
        **({"title": objective_title} if objective_title else {}),
    )
    return KeyResultFactory(
        objective=objective,
        owner=member.user,
        created_at=created_at,
        last_check_in_at=last_check_in_at,
        **fields,
    )
