"""The support admin for the OKR side: look things up across tenants, never bypass the rules.

Cached and derived values (progress, the current value, confidence) are
read-only here: they change through check-ins and the roll-up; so are an
objective's organization, cycle and alignment. Check-ins, the
activity log and reminder deliveries are history and cannot be edited.
"""

from __future__ import annotations

from django.contrib import admin, messages

from accounts.admin import OrganizationAdmin, OrganizationFilter
from accounts.models import Organization
from okr.models import Activity, CheckIn, Cycle, KeyResult, Objective, ReminderDelivery
from okr.progress import recompute_all
from okr.versions import organization_changed


class OrganizationWithProgressAdmin(OrganizationAdmin):
    """The accounts app's organization admin, plus the domain's one repair action."""

    actions = ["recompute_progress"]

    @admin.action(description="Recompute the progress of the selected organizations")
    def recompute_progress(self, request, queryset):
        for organization in queryset:
            report = recompute_all(organization_id=organization.pk)
            self.message_user(
                request,
                f"{organization.slug}: checked {report.objectives_checked} objectives and "
                f"{report.key_results_checked} key results, corrected {report.corrected}.",
                messages.WARNING if report.corrected else messages.SUCCESS,
            )


admin.site.unregister(Organization)
admin.site.register(Organization, OrganizationWithProgressAdmin)


class CycleFilter(admin.SimpleListFilter):
    """The cycles of the organization chosen in the organization filter (none before that)."""

    title = "cycle"
    parameter_name = "cycle"
    cycle_field = "cycle"

    def lookups(self, request, model_admin):
        slug = request.GET.get(OrganizationFilter.parameter_name)
        if not slug:
            return []
        return [
            (cycle.pk, cycle.name)
            for cycle in Cycle.objects.filter(organization__slug=slug).order_by("-start_date")
        ]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{f"{self.cycle_field}_id": self.value()})
        return queryset


class KeyResultCycleFilter(CycleFilter):
    cycle_field = "objective__cycle"


class HistoryAdmin(admin.ModelAdmin):
    """Rows that record what happened: looked at, never written by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class MovesTheVersion(admin.ModelAdmin):
    """Support's edits move the organization's version, as the services' writes do.

    Pages keep rendered rows and API clients hold ETags under that version
    (okr/versions.py); an edit here must reach both at once.
    """

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        organization_changed(obj.organization_id)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        organization_changed(obj.organization_id)

    def delete_queryset(self, request, queryset):
        organizations = set(queryset.values_list("organization_id", flat=True))
        super().delete_queryset(request, queryset)
        for organization_id in organizations:
            organization_changed(organization_id)


@admin.register(Cycle)
class CycleAdmin(MovesTheVersion):
    list_display = ("name", "organization", "start_date", "end_date", "status")
    list_filter = (OrganizationFilter, "status")
    search_fields = ("name", "organization__slug")
    list_select_related = ("organization",)
    raw_id_fields = ("organization",)
    date_hierarchy = "start_date"


class KeyResultInline(admin.TabularInline):
    model = KeyResult
    extra = 0
    fields = ("title", "owner", "metric", "start_value", "target_value", "current_value", "weight")
    fields += ("progress_source", "progress")
    readonly_fields = fields  # edited on the key result's own page, within limits
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Objective)
class ObjectiveAdmin(MovesTheVersion):
    list_display = ("title", "organization", "cycle", "level", "owner", "visibility", "progress")
    list_filter = (OrganizationFilter, CycleFilter, "level", "visibility")
    search_fields = ("title", "owner__email", "organization__slug")
    list_select_related = ("organization", "cycle", "owner")
    raw_id_fields = ("team", "owner")
    # The tenant, the cycle and the cascade are the services' to change (they check the
    # organization and refuse loops); support edits text, ownership and visibility.
    readonly_fields = ("organization", "cycle", "parent_key_result", "progress")
    readonly_fields += ("created_at", "updated_at")
    inlines = [KeyResultInline]


@admin.register(KeyResult)
class KeyResultAdmin(MovesTheVersion):
    list_display = ("title", "organization", "objective", "owner", "metric", "progress_source")
    list_display += ("progress", "confidence", "last_check_in_at")
    list_filter = (OrganizationFilter, KeyResultCycleFilter, "metric", "progress_source")
    list_filter += ("confidence",)
    search_fields = ("title", "owner__email", "objective__title", "organization__slug")
    list_select_related = ("organization", "objective", "owner")
    raw_id_fields = ("owner",)
    # What progress reads is the services' to change: they roll the change up the tree.
    readonly_fields = ("organization", "objective", "metric", "start_value", "target_value")
    readonly_fields += ("current_value", "weight", "progress_source", "progress", "confidence")
    readonly_fields += ("last_check_in_at", "created_at", "updated_at")


@admin.register(CheckIn)
class CheckInAdmin(HistoryAdmin):
    list_display = ("key_result", "organization", "author", "value", "confidence", "created_at")
    list_filter = (OrganizationFilter, "confidence")
    search_fields = ("key_result__title", "author__email", "note")
    list_select_related = ("key_result", "organization", "author")
    raw_id_fields = ("organization", "key_result", "author")
    date_hierarchy = "created_at"


@admin.register(Activity)
class ActivityAdmin(HistoryAdmin):
    list_display = ("created_at", "organization", "actor", "verb", "target_type", "summary")
    list_filter = (OrganizationFilter, "verb", "target_type", "is_private")
    search_fields = ("summary", "actor__email")
    list_select_related = ("organization", "actor")
    raw_id_fields = ("organization", "actor", "objective", "key_result")
    date_hierarchy = "created_at"


@admin.register(ReminderDelivery)
class ReminderDeliveryAdmin(HistoryAdmin):
    list_display = ("membership", "organization", "local_date", "status", "attempts", "sent_at")
    list_filter = (OrganizationFilter, "status")
    search_fields = ("membership__user__email",)
    list_select_related = ("membership__user", "organization")
    raw_id_fields = ("organization", "membership")
    date_hierarchy = "local_date"
