"""Writes to the domain: cycles, objectives, key results, check-ins, the organization.

Each service checks the actor's rights (403), then the rules (400), then
writes, records the activity and enqueues the progress roll-up after commit —
all in one transaction, so nothing is ever half-written. The HTML forms and
the API serializers parse input; the rules live here, once.

References passed in (cycle, team, owner, parent key result) must already be
resolved within the actor's organization; they are checked again here.

One module per entity; everything is re-exported here, so callers write
``from okr.services import objective_create``.
"""

from okr.services.check_ins import (
    check_in_record,
)
from okr.services.common import (
    CLOSED_CYCLE,
    CLOSED_CYCLE_MESSAGE,
    MAX_DECIMAL,
    NotFound,
    reorder,
    schedule_roll_up,
)
from okr.services.cycles import (
    CYCLE_FIELDS,
    cycle_create,
    cycle_delete,
    cycle_update,
)
from okr.services.grades import (
    GRADE_FIELDS,
    key_result_grade,
)
from okr.services.key_results import (
    KEY_RESULT_FIELDS,
    PROGRESS_FIELDS,
    key_result_create,
    key_result_delete,
    key_result_move,
    key_result_update,
)
from okr.services.objectives import (
    OBJECTIVE_FIELDS,
    objective_create,
    objective_delete,
    objective_move,
    objective_update,
)
from okr.services.onboarding import (
    RESERVED_SLUGS,
    invitation_accept,
    invitation_for_key,
    organization_create,
    unique_slug,
    user_signup,
)
from okr.services.organization import (
    INVITATIONS_PER_HOUR,
    ORGANIZATION_FIELDS,
    invitation_create,
    invitation_revoke,
    membership_update,
    organization_update,
    team_create,
    team_delete,
    team_update,
)
from okr.services.roll_over import (
    RollOver,
    cycle_roll_over,
    roll_over_require_rights,
)

__all__ = [
    "CLOSED_CYCLE",
    "CLOSED_CYCLE_MESSAGE",
    "CYCLE_FIELDS",
    "GRADE_FIELDS",
    "INVITATIONS_PER_HOUR",
    "KEY_RESULT_FIELDS",
    "MAX_DECIMAL",
    "OBJECTIVE_FIELDS",
    "ORGANIZATION_FIELDS",
    "PROGRESS_FIELDS",
    "RESERVED_SLUGS",
    "NotFound",
    "RollOver",
    "check_in_record",
    "cycle_create",
    "cycle_delete",
    "cycle_roll_over",
    "cycle_update",
    "invitation_accept",
    "invitation_create",
    "invitation_for_key",
    "invitation_revoke",
    "key_result_create",
    "key_result_delete",
    "key_result_grade",
    "key_result_move",
    "key_result_update",
    "membership_update",
    "objective_create",
    "objective_delete",
    "objective_move",
    "objective_update",
    "organization_create",
    "organization_update",
    "reorder",
    "roll_over_require_rights",
    "schedule_roll_up",
    "team_create",
    "team_delete",
    "team_update",
    "unique_slug",
    "user_signup",
]
