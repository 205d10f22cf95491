"""What the API reads and writes: parsing and rendering only.

Serializers parse types and resolve references *within the caller's tenant*
(a reference to another organization's row, or to a row the caller cannot
see, fails exactly like an unknown id). The rules live in the services; a
view passes ``serializer.validated_data`` to one of them.

The caller's membership reaches the serializers through the context
(``context["membership"]``); without it, every reference resolves to nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers
from rest_framework.relations import MANY_RELATION_KWARGS

from accounts.models import ApiToken, Invitation, Membership, Organization, Role, Team, User
from accounts.tenancy import active_member_users
from okr import selectors
from okr.api.schema import TREE_NODE
from okr.cycle_health import PaceReader, cycle_id_of, key_result_score
from okr.models import (
    DECIMAL,
    NOTE_MAX_LENGTH,
    Activity,
    CheckIn,
    Confidence,
    Cycle,
    CycleStatus,
    KeyResult,
    Level,
    Metric,
    Objective,
    ProgressSource,
    Visibility,
)
from okr.pace import Status
from okr.progress import rounded

MAX_POSITION = 2**31 - 1
SQLITE_SAFE_DECIMAL = Decimal("99999999999999")


# --- Fields ---------------------------------------------------------------------------


@extend_schema_field({"type": "number", "format": "double", "minimum": 0, "maximum": 100})
class ProgressField(serializers.Field):
    """Progress is stored unrounded and answered rounded to 2 decimals."""

    def __init__(self, **kwargs) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value) -> float:
        return rounded(float(value))


PROGRESS_SCHEMA = {"type": "number", "format": "double", "minimum": 0, "maximum": 100}


def pace_reader(context: dict) -> PaceReader:
    """The request's ``PaceReader`` (made once from the caller's organization, then reused)."""
    reader = context.get("pace")
    if reader is None:
        reader = context["pace"] = PaceReader(context["membership"].organization)
    return reader


class PaceFieldsMixin:
    """``expected_progress`` and ``status``, computed when read (docs/pace-and-grades.md)."""

    @extend_schema_field(
        {**PROGRESS_SCHEMA, "description": "The progress a steady pace would show by today."}
    )
    def get_expected_progress(self, row) -> float:
        reader = pace_reader(self.context)
        reader.remember_cycles_of([row])
        return rounded(reader.expected_progress(cycle_id_of(row)))

    @extend_schema_field(
        serializers.ChoiceField(
            choices=Status.choices,
            help_text="What the numbers say against the pace; `confidence` is what the owner believes.",
        )
    )
    def get_status(self, row) -> str:
        return pace_reader(self.context).status(row.progress, cycle_id_of(row))


SCORE_SCHEMA = {"type": "number", "format": "double", "minimum": 0, "maximum": 1}


class KeyResultListSerializer(serializers.ListSerializer):
    """A list of key results: their forecasts read the check-ins in one query for the page."""

    def to_representation(self, data):
        rows = list(data.all() if hasattr(data, "all") else data)
        reader = pace_reader(self.context)
        reader.remember_cycles_of(rows)
        reader.load_forecasts(rows)
        return super().to_representation(rows)


class ObjectiveListSerializer(serializers.ListSerializer):
    """A list of objectives: their scores read the key results in one query for the page."""

    def to_representation(self, data):
        rows = list(data.all() if hasattr(data, "all") else data)
        reader = pace_reader(self.context)
        reader.remember_cycles_of(rows)
        reader.load_scores(rows)
        return super().to_representation(rows)


class NumberField(serializers.DecimalField):
    """A decimal sent and received as a JSON number: 20 digits, 6 after the point, finite.

    JSON booleans are not numbers (``Decimal("True")`` would fail anyway; say so plainly).
    """

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("max_digits", DECIMAL["max_digits"])
        kwargs.setdefault("decimal_places", DECIMAL["decimal_places"])
        kwargs["coerce_to_string"] = False
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool | list | dict):
            self.fail("invalid")
        value = super().to_internal_value(data)
        if connection.vendor == "sqlite" and abs(value) > SQLITE_SAFE_DECIMAL:
            # SQLite keeps decimals as doubles and reads them back to 15 significant
            # digits: past 99999999999999 that rounds to 10¹⁴, which no longer fits 20
            # digits with 6 places, and every later read of the row would fail.
            self.fail("max_whole_digits", max_whole_digits=self.max_whole_digits)
        return value


def model_range(model, name: str) -> dict[str, int]:
    """``min_value`` and ``max_value`` of a model's integer field, from its validators."""
    validators = model._meta.get_field(name).validators
    lows = [v.limit_value for v in validators if isinstance(v, MinValueValidator)]
    highs = [v.limit_value for v in validators if isinstance(v, MaxValueValidator)]
    return {"min_value": max(lows), "max_value": min(highs)}


GRADE_SCHEMA = {
    "type": "number",
    "format": "double",
    "minimum": 0,
    "maximum": 1,
    "nullable": True,
}


@extend_schema_field(GRADE_SCHEMA)
class GradeField(NumberField):
    """A grade: 0 to 1 in steps of 0.01, or null. The range is the service's rule."""


class TenantRelatedField(serializers.PrimaryKeyRelatedField):
    """A reference by id to a row the caller can see in their organization.

    ``scope(membership)`` answers the rows that may be referenced; an id outside
    it — unknown, another tenant's, private — fails with the one message DRF
    gives for an unknown id.
    """

    def __init__(self, *, scope: Callable[[Membership], QuerySet], model, **kwargs) -> None:
        self.scope = scope
        if not kwargs.get("read_only"):
            kwargs["queryset"] = model.objects.none()
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet:
        membership = self.context.get("membership")
        if membership is None:
            return self.queryset.none()
        return self.scope(membership)

    @classmethod
    def many_init(cls, *args, **kwargs) -> TenantManyRelatedField:
        """``many=True``: a list resolved in one query, at most ``MAX_IDS`` long."""
        list_kwargs = {"child_relation": cls(*args, **kwargs)}
        for key in kwargs:
            if key in MANY_RELATION_KWARGS:
                list_kwargs[key] = kwargs[key]
        return TenantManyRelatedField(**list_kwargs)

    def parse_pk(self, data) -> int:
        # Only whole numbers (or their decimal strings) are ids: 1.5 or True must not
        # be silently truncated to 1.
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", data_type=type(data).__name__)
        try:
            pk = int(data)
        except ValueError:
            self.fail("incorrect_type", data_type=type(data).__name__)
        if not 0 < pk <= selectors.MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        return pk

    def to_internal_value(self, data):
        return super().to_internal_value(self.parse_pk(data))


# A list of ids in a body holds at most this many (docs/security.md).
MAX_IDS = 200


class TenantManyRelatedField(serializers.ManyRelatedField):
    """A list of ``TenantRelatedField`` ids: at most ``MAX_IDS``, looked up in one query."""

    def to_internal_value(self, data):
        if isinstance(data, str | dict) or not hasattr(data, "__iter__"):
            self.fail("not_a_list", input_type=type(data).__name__)
        data = list(data)
        if not self.allow_empty and not data:
            self.fail("empty")
        if len(data) > MAX_IDS:
            raise serializers.ValidationError(f"Send at most {MAX_IDS} ids.")
        child = self.child_relation
        pks = list(dict.fromkeys(child.parse_pk(item) for item in data))
        rows = {row.pk: row for row in child.get_queryset().filter(pk__in=pks)}
        for pk in pks:
            if pk not in rows:
                child.fail("does_not_exist", pk_value=pk)
        return [rows[pk] for pk in pks]


def active_members(membership: Membership) -> QuerySet[User]:
    """Users with an active membership in the organization: who may own or lead things."""
    return active_member_users(membership.organization_id)


def teams_of(membership: Membership) -> QuerySet[Team]:
    return selectors.organization_teams(membership)


def user_field(**kwargs) -> TenantRelatedField:
    return TenantRelatedField(scope=active_members, model=User, **kwargs)


def team_field(**kwargs) -> TenantRelatedField:
    return TenantRelatedField(scope=teams_of, model=Team, **kwargs)


# --- Accounts -------------------------------------------------------------------------


class OrganizationSummarySerializer(serializers.Serializer):
    """One of the user's organizations, with their role in it (built from a membership)."""

    schema_description = "One of your organizations, with your role in it."

    slug = serializers.CharField(source="organization.slug", read_only=True)
    name = serializers.CharField(source="organization.name", read_only=True)
    role = serializers.ChoiceField(choices=Role.choices, read_only=True)


class SignupSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False, write_only=True)
    organization_name = serializers.CharField(max_length=100)
    name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")


@extend_schema_serializer(component_name="LogIn")
class LogInSerializer(serializers.Serializer):
    email = serializers.CharField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False, write_only=True)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True, help_text="Shown once: only its hash is kept.")


class AuthenticatedSerializer(serializers.Serializer):
    """What sign-up and invitation acceptance answer: a token and where it lets you in."""

    schema_description = "A new API token, and the organization it lets you into."

    token = serializers.CharField(read_only=True, help_text="Shown once: only its hash is kept.")
    organization = OrganizationSummarySerializer(read_only=True)


class ApiTokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "created_at", "last_used_at", "expires_at"]
        read_only_fields = fields


class InvitationAcceptSerializer(serializers.Serializer):
    password = serializers.CharField(
        max_length=128,
        trim_whitespace=False,
        write_only=True,
        required=False,
        allow_blank=True,
        default="",
        help_text="A password for the new account, or the existing account's password.",
    )
    name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")


class MeSerializer(serializers.ModelSerializer):
    name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    email_verified = serializers.BooleanField(read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "name", "checkin_reminders", "email_verified"]
        read_only_fields = ["id", "email", "email_verified"]


class OrganizationSerializer(serializers.ModelSerializer):
    # The ranges are the model's validators (read by organization_update too), so that
    # the schema documents them; the time-zone name is organization_update's rule.
    name = serializers.CharField(max_length=100)
    timezone = serializers.CharField(max_length=64)
    checkin_weekday = serializers.IntegerField(
        **model_range(Organization, "checkin_weekday"),
        help_text="The reminders' weekday: 0 = Monday … 6 = Sunday.",
    )
    checkin_hour = serializers.IntegerField(
        **model_range(Organization, "checkin_hour"),
        help_text="The reminders' hour, 0–23, in the organization's `timezone`.",
    )
    checkin_cadence_days = serializers.IntegerField(
        **model_range(Organization, "checkin_cadence_days"),
        help_text="Days after a key result's last check-in before its owner is reminded, 1–90.",
    )

    class Meta:
        model = Organization
        fields = [
            "slug",
            "name",
            "timezone",
            "checkin_weekday",
            "checkin_hour",
            "checkin_cadence_days",
        ]
        read_only_fields = ["slug"]


class MemberUserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "name"]
        read_only_fields = fields


class MemberSerializer(serializers.ModelSerializer):
    user = MemberUserSerializer(read_only=True)
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    is_active = serializers.BooleanField(required=False)
    teams = team_field(many=True, required=False)

    class Meta:
        model = Membership
        fields = ["id", "user", "role", "is_active", "teams"]
        read_only_fields = ["id", "user"]


class InvitationSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(max_length=254)
    role = serializers.ChoiceField(choices=Role.choices, required=False, default=Role.MEMBER)

    class Meta:
        model = Invitation
        fields = ["id", "email", "role", "created_at", "expires_at", "accepted_at"]
        read_only_fields = ["id", "created_at", "expires_at", "accepted_at"]


class TeamSerializer(serializers.ModelSerializer):
    name = serializers.CharField(max_length=100)
    parent = team_field(required=False, allow_null=True)
    lead = user_field(required=False, allow_null=True)

    class Meta:
        model = Team
        fields = ["id", "name", "parent", "lead"]
        read_only_fields = ["id"]


# --- OKRs -----------------------------------------------------------------------------


class CycleSerializer(serializers.ModelSerializer):
    name = serializers.CharField(max_length=100)
    status = serializers.ChoiceField(
        choices=CycleStatus.choices, required=False, help_text="`planning` when not given."
    )

    class Meta:
        model = Cycle
        fields = ["id", "name", "start_date", "end_date", "status"]
        read_only_fields = ["id"]


class StatusCountsSerializer(serializers.Serializer):
    """How many rows have each status."""

    schema_description = "How many have each status."

    done = serializers.IntegerField(min_value=0)
    on_track = serializers.IntegerField(min_value=0)
    at_risk = serializers.IntegerField(min_value=0)
    off_track = serializers.IntegerField(min_value=0)
    not_started = serializers.IntegerField(min_value=0)


class CycleSummarySerializer(serializers.Serializer):
    """A cycle's health over what the caller can see (built from ``cycle_summary``)."""

    schema_description = "A cycle's health over what you can see."

    cycle = serializers.IntegerField(source="cycle.pk", help_text="The cycle's id.")
    progress = ProgressField(help_text="The plain mean of the company objectives' progress.")
    key_results = StatusCountsSerializer(help_text="Key results by status.")
    objectives = StatusCountsSerializer(help_text="Objectives by status.")
    checked_in_within_cadence = serializers.DecimalField(
        max_digits=3,
        decimal_places=2,
        coerce_to_string=False,
        min_value=0,
        max_value=1,
        help_text=(
            "The share of measured key results checked in no longer ago than the "
            "organization's `checkin_cadence_days` (0 with none)."
        ),
    )
    behind = serializers.ListField(
        child=serializers.IntegerField(),
        max_length=5,
        help_text="Up to 5 objective ids behind pace, the furthest behind first.",
    )

    def to_representation(self, summary) -> dict:
        fields = ("cycle", "progress", "key_results", "objectives", "checked_in_within_cadence")
        values = {name: getattr(summary, name) for name in fields}
        values["behind"] = [row.objective.pk for row in summary.behind]
        return super().to_representation(values)


class RollOverSerializer(serializers.Serializer):
    """``POST …/cycles/<id>/roll-over/``: which key results, into which cycle."""

    to_cycle = TenantRelatedField(
        scope=selectors.cycles_of, model=Cycle, help_text="The cycle to copy them into."
    )
    key_results = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=selectors.MAX_ID),
        allow_empty=False,
        max_length=200,
        help_text="Ids of unfinished key results of this cycle (at most 200).",
    )


class RolledOverSerializer(serializers.Serializer):
    """A copy made by a roll-over, and the row it was copied from."""

    id = serializers.IntegerField()
    rolled_over_from = serializers.IntegerField(source="rolled_over_from_id")


class RollOverResultSerializer(serializers.Serializer):
    objectives = RolledOverSerializer(many=True, help_text="The new objectives, one per source.")
    key_results = RolledOverSerializer(many=True, help_text="The copies of the key results.")


class ObjectiveSerializer(PaceFieldsMixin, serializers.ModelSerializer):
    cycle = TenantRelatedField(scope=selectors.cycles_of, model=Cycle)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    level = serializers.ChoiceField(choices=Level.choices)
    team = team_field(required=False, allow_null=True)
    owner = user_field(
        required=False, allow_null=True, help_text="Defaults to the requester (also when null)."
    )
    parent_key_result = TenantRelatedField(
        scope=selectors.visible_key_results,
        model=KeyResult,
        required=False,
        allow_null=True,
        help_text="The key result one level up that this objective supports.",
    )
    visibility = serializers.ChoiceField(choices=Visibility.choices, required=False)
    position = serializers.IntegerField(min_value=0, max_value=MAX_POSITION, required=False)
    progress = ProgressField()
    expected_progress = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()
    score = serializers.SerializerMethodField()
    rolled_over_from = serializers.PrimaryKeyRelatedField(
        read_only=True,
        allow_null=True,
        help_text="The objective this one was rolled over from; null when it is not a copy.",
    )

    class Meta:
        model = Objective
        list_serializer_class = ObjectiveListSerializer
        fields = [
            "id",
            "cycle",
            "title",
            "description",
            "level",
            "team",
            "owner",
            "parent_key_result",
            "visibility",
            "position",
            "progress",
            "expected_progress",
            "status",
            "score",
            "rolled_over_from",
        ]
        read_only_fields = ["id", "progress"]

    @extend_schema_field(
        {
            **SCORE_SCHEMA,
            "description": (
                "The weighted mean of the key results' scores (0 with none), 2 decimals. "
                "Band: below 0.4 missed, 0.4–0.69 progress, 0.7 and above delivered."
            ),
        }
    )
    def get_score(self, objective: Objective) -> float:
        return float(pace_reader(self.context).score(objective))


class KeyResultSerializer(PaceFieldsMixin, serializers.ModelSerializer):
    objective = TenantRelatedField(scope=selectors.visible_objectives, model=Objective)
    title = serializers.CharField(max_length=200)
    owner = user_field(
        required=False, allow_null=True, help_text="Defaults to the requester (also when null)."
    )
    metric = serializers.ChoiceField(choices=Metric.choices, required=False)
    unit = serializers.CharField(max_length=32, required=False, allow_blank=True)
    start_value = NumberField(required=False, allow_null=True, help_text="0 when not given.")
    target_value = NumberField(
        required=False,
        allow_null=True,
        help_text="Required unless the metric is a milestone or progress is aligned.",
    )
    current_value = NumberField(read_only=True)
    weight = NumberField(required=False)
    progress_source = serializers.ChoiceField(choices=ProgressSource.choices, required=False)
    position = serializers.IntegerField(min_value=0, max_value=MAX_POSITION, required=False)
    progress = ProgressField()
    confidence = serializers.ChoiceField(
        choices=Confidence.choices, read_only=True, allow_null=True
    )
    expected_progress = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()
    forecast_value = serializers.SerializerMethodField()
    forecast_progress = serializers.SerializerMethodField()
    grade = GradeField(
        read_only=True,
        allow_null=True,
        help_text="The end-of-cycle grade, 0–1; set with `POST …/key-results/<id>/grade/`.",
    )
    grade_note = serializers.CharField(read_only=True)
    score = serializers.SerializerMethodField()
    rolled_over_from = serializers.PrimaryKeyRelatedField(
        read_only=True,
        allow_null=True,
        help_text="The key result this one was rolled over from; null when it is not a copy.",
    )

    class Meta:
        model = KeyResult
        list_serializer_class = KeyResultListSerializer
        fields = [
            "id",
            "objective",
            "title",
            "owner",
            "metric",
            "unit",
            "start_value",
            "target_value",
            "current_value",
            "weight",
            "progress_source",
            "position",
            "progress",
            "confidence",
            "last_check_in_at",
            "expected_progress",
            "status",
            "forecast_value",
            "forecast_progress",
            "grade",
            "grade_note",
            "score",
            "rolled_over_from",
        ]
        read_only_fields = [
            "id",
            "current_value",
            "progress",
            "confidence",
            "last_check_in_at",
        ]

    @extend_schema_field(
        {
            "type": "number",
            "nullable": True,
            "description": (
                "The least-squares line through the check-ins, read at the end of the cycle; "
                "null for aligned key results, milestones and under two check-in instants."
            ),
        }
    )
    def get_forecast_value(self, key_result: KeyResult) -> float | None:
        forecast = pace_reader(self.context).forecast(key_result)
        return None if forecast is None else float(forecast.value)

    @extend_schema_field(
        {
            **PROGRESS_SCHEMA,
            "nullable": True,
            "description": "The progress rule applied to `forecast_value`.",
        }
    )
    def get_forecast_progress(self, key_result: KeyResult) -> float | None:
        forecast = pace_reader(self.context).forecast(key_result)
        return None if forecast is None else rounded(forecast.progress)

    @extend_schema_field(
        {
            **SCORE_SCHEMA,
            "description": (
                "The grade when set, else progress / 100, 2 decimals. "
                "Band: below 0.4 missed, 0.4–0.69 progress, 0.7 and above delivered."
            ),
        }
    )
    def get_score(self, key_result: KeyResult) -> float:
        return float(key_result_score(key_result.grade, key_result.progress))


class KeyResultUpdateSerializer(KeyResultSerializer):
    """A key result stays with its objective: ``objective`` is read-only once created."""

    objective = serializers.PrimaryKeyRelatedField(read_only=True)


class GradeSerializer(serializers.Serializer):
    """``POST …/key-results/<id>/grade/``: a grade (or null to clear it) and a note."""

    grade = GradeField(
        allow_null=True, help_text="0 to 1 in steps of 0.01; null clears the grade and its note."
    )
    note = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="At most 500 characters."
    )


class CheckInSerializer(serializers.ModelSerializer):
    value = NumberField()
    confidence = serializers.ChoiceField(choices=Confidence.choices)
    note = serializers.CharField(
        max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True, default=""
    )
    author = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = CheckIn
        fields = ["id", "value", "confidence", "note", "author", "created_at"]
        read_only_fields = ["id", "author", "created_at"]


class ActivitySerializer(serializers.ModelSerializer):
    actor = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Activity
        fields = ["id", "actor", "verb", "target_type", "target_id", "summary", "created_at"]
        read_only_fields = fields


@extend_schema_field(TREE_NODE)
class TreeNodeField(serializers.DictField):
    """An objective of the tree (built in ``okr/api/views/tree.py``), typed in ``okr/api/schema.py``."""


class TreeSerializer(serializers.Serializer):
    cycle = serializers.IntegerField(read_only=True)
    objectives = serializers.ListField(
        child=TreeNodeField(),
        read_only=True,
        help_text=(
            "The roots. An objective carries its fields and `key_results`; a key result its "
            "fields and `children`. A private objective you may not see is only "
            '`{"private": true, "progress": p}`.'
        ),
    )
