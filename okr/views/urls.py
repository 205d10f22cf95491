"""The OKR pages, mounted at ``/o/<org_slug>/`` (the tenant middleware resolves the slug)."""

from django.urls import path

from okr.views import (
    activity,
    dashboard,
    key_results,
    my_okrs,
    objective_page,
    objectives,
    review,
    search,
    tree,
)

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("tree/", tree.tree, name="tree"),
    path("tree/key-results/<int:pk>/", tree.tree_branch, name="tree_branch"),
    path("my/", my_okrs.my_okrs, name="my_okrs"),
    path("activity/", activity.activity, name="activity"),
    path("search/", search.search, name="search"),
    path("objectives/new/", objectives.objective_create, name="objective_create"),
    path("objectives/<int:pk>/", objective_page.objective_detail, name="objective_detail"),
    path("objectives/<int:pk>/edit/", objectives.objective_edit, name="objective_edit"),
    path("objectives/<int:pk>/title/", objectives.objective_title, name="objective_title"),
    path(
        "objectives/<int:pk>/title/edit/",
        objectives.objective_title_edit,
        name="objective_title_edit",
    ),
    path("objectives/<int:pk>/delete/", objectives.objective_delete, name="objective_delete"),
    path("objectives/<int:pk>/move/", objectives.objective_move, name="objective_move"),
    path(
        "objectives/<int:pk>/key-results/new/",
        key_results.key_result_create,
        name="key_result_create",
    ),
    path("key-results/options/", objectives.key_result_options, name="key_result_options"),
    path("key-results/<int:pk>/", key_results.key_result_row, name="key_result_row"),
    path("key-results/<int:pk>/edit/", key_results.key_result_edit, name="key_result_edit"),
    path("key-results/<int:pk>/delete/", key_results.key_result_delete, name="key_result_delete"),
    path("key-results/<int:pk>/move/", key_results.key_result_move, name="key_result_move"),
    path("key-results/<int:pk>/check-in/", key_results.check_in, name="check_in"),
    path("key-results/<int:pk>/grade/", review.key_result_grade, name="key_result_grade"),
    path("cycles/<int:cycle_id>/review/", review.cycle_review, name="cycle_review"),
]
