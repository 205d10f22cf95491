"""Writes to cycles, objectives, key results and check-ins.

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
    CLOSED_CYCLE_MESSAGE,
    MAX_DECIMAL,
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
    key_result_update,
)
from okr.services.objectives import (
    OBJECTIVE_FIELDS,
    objective_create,
    objective_delete,
    objective_update,
)

__all__ = [
    "CLOSED_CYCLE_MESSAGE",
    "CYCLE_FIELDS",
    "GRADE_FIELDS",
    "KEY_RESULT_FIELDS",
    "MAX_DECIMAL",
    "OBJECTIVE_FIELDS",
    "PROGRESS_FIELDS",
    "check_in_record",
    "cycle_create",
    "cycle_delete",
    "cycle_update",
    "key_result_create",
    "key_result_delete",
    "key_result_grade",
    "key_result_update",
    "objective_create",
    "objective_delete",
    "objective_update",
    "schedule_roll_up",
]
